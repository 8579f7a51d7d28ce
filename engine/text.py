"""Free text people type — reasons, notes, opinions, display names: what counts as said, and what may not be in it.

A reason made only of spaces, zero-width characters or control characters reads as nothing on every page, yet
it would count as given (a red case's overdue reason, a termination's). Control characters (bar line breaks and
tabs, where the text may have lines) and the marks that reorder text (U+202E shows a name backwards) are refused.
"""
from __future__ import annotations

import re
import unicodedata

from .errors import ValidationFailed

# Marks that reorder the text around them: direction marks, bidirectional embeddings, overrides and isolates.
_REORDERING = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# A terminal's colour codes (ESC [ ... m), as a worker's log lines quote them.
_TERMINAL_CODES = re.compile("\x1b\\[[0-9;?]*[A-Za-z]")
_LINE_BREAKS = frozenset("\n\r\t")


# Letters and symbols that draw nothing: the Hangul fillers and the blank Braille pattern, which pass for a word.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
# Controls, format characters (the zero-width space), unassigned and surrogate code points, and marks that
# only combine with a character before them (U+034F, the variation selectors).
_INVISIBLE = ("Cc", "Cf", "Cn", "Cs", "Mn", "Me")


def shows_something(text: str) -> bool:
    """Whether a reader sees any of ``text``: a character that is neither space nor invisible."""
    return any(not c.isspace() and c not in _BLANK and unicodedata.category(c) not in _INVISIBLE for c in text)


def unreadable(text: str, *, lines: bool = True) -> bool:
    """Whether ``text`` holds a control character (line breaks and tabs allowed when ``lines``) or a mark that
    reorders text."""
    return bool(_REORDERING.search(text)) or any(
        unicodedata.category(c) == "Cc" and not (lines and c in _LINE_BREAKS) for c in text)


def without_controls(text: str | None) -> str:
    """A program's text made fit to keep (a worker's error quoting its log): terminal colour codes and other
    control characters but line breaks and tabs taken out, rather than the whole refused."""
    plain = _TERMINAL_CODES.sub("", text or "")
    return "".join(c for c in plain if c in _LINE_BREAKS or unicodedata.category(c) != "Cc")


# The rules a typed text can break, as text_problem names them (a caller words them in its own language).
MISSING, TOO_LONG, UNREADABLE = "missing", "too_long", "unreadable"
_RULES = {MISSING: "{field} is required: blank, invisible or control characters say nothing",
          TOO_LONG: "{field} is too long: at most {longest} characters",
          UNREADABLE: "{field} must not contain control characters or text-direction marks"}


def text_problem(value: str | None, *, longest: int, lines: bool = True, required: bool = False
                 ) -> tuple[str | None, str | None]:
    """``value`` trimmed (None when it shows nothing or breaks a rule), and the rule it breaks, if any: too
    long, unreadable (control characters, reordering marks), or missing when ``required``."""
    text = (value or "").strip()
    if len(text) > longest:
        return None, TOO_LONG
    if unreadable(text, lines=lines):
        return None, UNREADABLE
    if not shows_something(text):
        return None, MISSING if required else None
    return text, None


def required_text(value: str | None, *, field: str, longest: int, lines: bool = True) -> str:
    """``value`` trimmed. Raises ValidationFailed naming ``field``: nothing a reader would see, longer than
    ``longest``, or with control characters or reordering marks."""
    found, problem = text_problem(value, longest=longest, lines=lines, required=True)
    if found is None:
        raise _refused(field, _RULES[problem or MISSING].format(field=field, longest=longest))
    return found


def optional_text(value: str | None, *, field: str, longest: int, lines: bool = True) -> str | None:
    """``value`` trimmed, or None when it shows nothing; refused as ``required_text`` refuses."""
    found, problem = text_problem(value, longest=longest, lines=lines)
    if problem is not None:
        raise _refused(field, _RULES[problem].format(field=field, longest=longest))
    return found


def _refused(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"field": field, "message": message}])


_ALL_SPACE = re.compile(r"\s+")


def name_key(name: str) -> str:
    """A name as a clerk may type it, for comparing with the name as written (a guide's material): read as
    NFKC (a Chinese input method's full-width brackets and letters as their plain forms) without any space."""
    return _ALL_SPACE.sub("", unicodedata.normalize("NFKC", name))
