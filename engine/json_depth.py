"""How deeply a JSON text nests, counted without parsing it: the files read at deploy and import (forms,
guides, calendar years) are refused past a bound before the parser or a checker recurses into them, so a
file nested thousands deep is a problem named like any other, not a crash."""
from __future__ import annotations

import re

MAX_DEPTH = 64  # far beyond any form's groups or guide's sections
# Whole strings (brackets inside them do not count; one left open runs to the end, read once), brackets.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


def depth(text: str) -> int:
    deepest = current = 0
    for token in _TOKENS.finditer(text):
        mark = token.group()
        if mark in "[{":
            current += 1
            deepest = max(deepest, current)
        elif mark in "]}":
            current -= 1
    return deepest


def too_deep(text: str) -> str | None:
    """The problem to report, or None."""
    return f"nested deeper than {MAX_DEPTH} levels" if depth(text) > MAX_DEPTH else None
