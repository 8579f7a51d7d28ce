"""How deeply a JSON text nests, counted without parsing it: the files read at deploy and import (forms,
guides, calendar years) are refused past a bound before the parser or a checker recurses into them, so a
file nested thousands deep is a problem named like any other, not a crash. ``loads`` reads them: a number
too long for Python is malformed JSON there, named where it is."""
from __future__ import annotations

import json
import re
import sys
from typing import Any

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


MAX_DIGITS = sys.get_int_max_str_digits() or 4300
_LONG_NUMBER = re.compile(rf"\d{{{MAX_DIGITS + 1},}}")


def loads(text: str) -> Any:
    """``json.loads``; a whole number of more digits than Python converts (a ValueError of its own) raises
    JSONDecodeError at that number instead, as any malformed JSON, with its line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError:
        found = _LONG_NUMBER.search(text)
        raise json.JSONDecodeError(f"a number of more than {MAX_DIGITS} digits", text,
                                   found.start() if found else 0) from None
