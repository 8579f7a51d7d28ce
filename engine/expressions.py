"""Translate Camunda 7 JUEL expressions and ISO 8601 timer values into Python source.

Camunda Modeler writes conditions, names and timers as JUEL (``${amount > 1000}``) or as
bare ISO 8601 values (``P5D``). SpiffWorkflow evaluates Python expressions with the task
data as globals, inside a RestrictedPython sandbox. We translate once, at deploy time, so a
diagram that cannot run fails with a clear message instead of at some later task.

The translated code may call the helpers in ``JUEL_FUNCTIONS``; put them into the script
globals. Property access becomes subscripting (``a.b`` -> ``a['b']``) because task data is
JSON, so the sandbox must allow item access.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .timeparse import timer_problem


class ExpressionError(ValueError):
    """An expression or timer that cannot be translated; the message says what and why."""


def juel_empty(value: Any) -> bool:
    """JUEL ``empty``: true for null, an empty string and an empty collection."""
    return value is None or (isinstance(value, (str, list, tuple, dict, set, frozenset)) and not value)


def juel_str(value: Any) -> str:
    """Render a value as JUEL does inside composite text (null -> '', booleans lower-case)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- comparisons with EL's type coercion (EL 2.2, 1.8 relational, 1.9 equality, 1.18 conversion) ---
#
# Camunda 7 (JUEL) coerces the operands of ==, !=, <, >, <= and >= to a common type first: a checkbox's
# boolean equals the string "true", the number 5 equals the string "5". Python's own operators would
# answer False (or raise TypeError) and the case would quietly take another branch. The rules, in order:
# null; either a float -> as floats; either an integer -> as integers (so 1 == "1.0" is an error, as in
# Camunda: '.', 'e' and 'E' only choose floats in arithmetic); (== only) either a boolean -> as booleans;
# either a string -> as strings; else the values themselves. A value that cannot be coerced is an error,
# as Camunda's ELException is.

class JuelCoercionError(ValueError):
    """A JUEL operation whose operand cannot be coerced to the type EL takes it as (or that divides by zero)."""


# Long.valueOf: an optional sign and digits, nothing else (no spaces, no '.', no '_').
_JAVA_LONG = re.compile(r"[+-]?\d+")
# Double.valueOf: surrounding whitespace is ignored; NaN, Infinity and a trailing f/F/d/D are Java's.
_JAVA_DOUBLE = re.compile(r"[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)[fFdD]?", re.ASCII)


def _show(value: Any) -> str:
    """A value as JUEL writes it, for error messages."""
    if value is None or isinstance(value, bool):
        return juel_str(value) or "null"
    return repr(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _coercion_error(a: Any, op: str, b: Any, value: Any, target: str) -> JuelCoercionError:
    verb = "calculates with" if op in _ARITHMETIC else "compares"
    return JuelCoercionError(f"cannot evaluate {_show(a)} {op} {_show(b)}: JUEL {verb} them as {target}s "
                             f"and {_show(value)} is not a {target}")


# EL's coercions (EL 2.2 section 1.18): the value, or None where EL raises an ELException.

def _float(value: Any) -> float | None:
    if value is None or value == "":
        return 0.0
    if _is_number(value):
        return float(value)
    if isinstance(value, str) and _JAVA_DOUBLE.fullmatch(value.strip()):
        return float(value.strip().rstrip("fFdD"))
    return None


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return 0
    if _is_number(value):
        return int(value)
    if isinstance(value, str) and _JAVA_LONG.fullmatch(value):
        return int(value)
    return None


def _bool(value: Any) -> bool | None:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str):  # Boolean.valueOf: "true" in any case, anything else is false
        return value.lower() == "true"
    return None


def _to_float(value: Any, a: Any, op: str, b: Any) -> float:
    found = _float(value)
    if found is None:
        raise _coercion_error(a, op, b, value, "number")
    return found


def _to_int(value: Any, a: Any, op: str, b: Any) -> int:
    found = _int(value)
    if found is None:
        raise _coercion_error(a, op, b, value, "whole number")
    return found


def _to_bool(value: Any, a: Any, op: str, b: Any) -> bool:
    found = _bool(value)
    if found is None:
        raise _coercion_error(a, op, b, value, "boolean")
    return found


def _numeric(a: Any, b: Any) -> str:
    """'float' or 'int' when EL compares a and b as numbers of that kind, else ''. A string written with
    '.' or 'e' against a whole number (``${count == "1.0"}``, a form's number sent as text) compares as
    floats: JUEL would fail reading it as a whole number, where the answer is plain."""
    if isinstance(a, float) or isinstance(b, float) or (_decimal_text(a) and _is_number(b)) \
            or (_decimal_text(b) and _is_number(a)):
        return "float"
    return "int" if _is_number(a) or _is_number(b) else ""


def _decimal_text(value: Any) -> bool:
    return _dot_e(value) and _float(value) is not None


def _as_numbers(a: Any, op: str, b: Any) -> tuple[Any, Any] | None:
    kind = _numeric(a, b)
    if kind and _is_number(a) and _is_number(b):
        return a, b  # Python compares int and float exactly, and never overflows doing so
    if kind == "float":
        return _to_float(a, a, op, b), _to_float(b, a, op, b)
    if kind == "int":
        return _to_int(a, a, op, b), _to_int(b, a, op, b)
    return None


def juel_eq(a: Any, b: Any) -> bool:
    """JUEL ``a == b``: both operands coerced to one type first (EL 2.2 section 1.9)."""
    if a is None or b is None:
        return a is None and b is None
    numbers = _as_numbers(a, "==", b)
    if numbers is not None:
        return numbers[0] == numbers[1]
    if isinstance(a, bool) or isinstance(b, bool):
        return _to_bool(a, a, "==", b) == _to_bool(b, a, "==", b)
    if isinstance(a, str) or isinstance(b, str):
        return juel_str(a) == juel_str(b)
    return bool(a == b)


def juel_ne(a: Any, b: Any) -> bool:
    """JUEL ``a != b``: the negation of ``a == b``."""
    return not juel_eq(a, b)


_UNORDERED = (list, tuple, dict, set, frozenset)


def _relation(a: Any, op: str, b: Any) -> int | None:
    """-1, 0 or 1 as a is below, equal to or above b under EL 2.2 section 1.8; None when either is null."""
    if a is None or b is None:
        return 0 if a is None and b is None else None
    pair: tuple[Any, Any] | None = _as_numbers(a, op, b)
    if pair is None and (isinstance(a, str) or isinstance(b, str)):
        # String.compareTo compares UTF-16 code units; big-endian bytes sort the same way.
        pair = (juel_str(a).encode("utf-16-be"), juel_str(b).encode("utf-16-be"))
    x, y = pair if pair is not None else (a, b)
    try:
        if isinstance(x, _UNORDERED) or isinstance(y, _UNORDERED):  # not Comparable in Java: no order
            raise TypeError
        return -1 if x < y else 1 if x > y else 0
    except TypeError:
        raise JuelCoercionError(f"cannot evaluate {_show(a)} {op} {_show(b)}: JUEL cannot order "
                                f"a {type(a).__name__} and a {type(b).__name__}") from None


def juel_lt(a: Any, b: Any) -> bool:
    """JUEL ``a < b`` (false when either is null)."""
    found = _relation(a, "<", b)
    return found is not None and found < 0


def juel_gt(a: Any, b: Any) -> bool:
    """JUEL ``a > b`` (false when either is null)."""
    found = _relation(a, ">", b)
    return found is not None and found > 0


def juel_le(a: Any, b: Any) -> bool:
    """JUEL ``a <= b`` (true when both are null, false when one is)."""
    found = _relation(a, "<=", b)
    return found is not None and found <= 0


def juel_ge(a: Any, b: Any) -> bool:
    """JUEL ``a >= b`` (true when both are null, false when one is)."""
    found = _relation(a, ">=", b)
    return found is not None and found >= 0


# --- !, &&, ||, ?: and arithmetic with EL's type coercion (EL 2.2, 1.7 arithmetic, 1.18 conversion) -----
#
# The operands of !, && and || and the condition of ?: are coerced to booleans: null and "" are false, a
# string is true only when it says "true" (in any case), so a form's "false" is false where Python's
# truthiness says true. The operands of + - * / % and unary - are coerced to numbers: "3" + 1 is 4 and
# "3" + "1" is 4, never "31". A value that cannot be coerced is an error, as in the comparisons above.

def juel_bool(value: Any) -> bool:
    """An operand of JUEL's ``!``, ``&&``, ``||`` or the condition of ``?:``, coerced to a boolean."""
    found = _bool(value)
    if found is None:
        raise JuelCoercionError(f"cannot evaluate {_show(value)} as true or false: JUEL takes the operands of "
                                f"!, &&, || and ?: as booleans and {_show(value)} is not a boolean")
    return found


def _dot_e(value: Any) -> bool:
    """A string written with '.', 'e' or 'E': EL's arithmetic reads it as a float (EL 2.2 section 1.7.1)."""
    return isinstance(value, str) and any(c in value for c in ".eE")


def _operands(a: Any, op: str, b: Any) -> tuple[Any, Any]:
    """a and b as EL's +, -, * and % take them: both floats when either is a float or a string written
    with '.', 'e' or 'E', else both whole numbers (null and "" are 0)."""
    if isinstance(a, float) or isinstance(b, float) or _dot_e(a) or _dot_e(b):
        return _to_float(a, a, op, b), _to_float(b, a, op, b)
    return _to_int(a, a, op, b), _to_int(b, a, op, b)


def juel_add(a: Any, b: Any) -> int | float:
    """JUEL ``a + b``: numbers only; strings are read as numbers, never concatenated."""
    x, y = _operands(a, "+", b)
    return x + y


def juel_sub(a: Any, b: Any) -> int | float:
    """JUEL ``a - b``."""
    x, y = _operands(a, "-", b)
    return x - y


def juel_mul(a: Any, b: Any) -> int | float:
    """JUEL ``a * b``."""
    x, y = _operands(a, "*", b)
    return x * y


def _check_divisor(y: float, a: Any, op: str, b: Any) -> None:
    # Java gives Infinity or NaN for a float divided by zero; JSON task data can hold neither, so it fails.
    if y == 0:
        raise JuelCoercionError(f"cannot evaluate {_show(a)} {op} {_show(b)}: division by zero")


def juel_div(a: Any, b: Any) -> int | float:
    """JUEL ``a / b`` and ``a div b``: always a float (0 when both are null)."""
    if a is None and b is None:
        return 0
    x, y = _to_float(a, a, "/", b), _to_float(b, a, "/", b)
    _check_divisor(y, a, "/", b)
    return x / y


def juel_mod(a: Any, b: Any) -> int | float:
    """JUEL ``a % b`` and ``a mod b``: Java's remainder, which takes the dividend's sign (-7 % 3 is -1)."""
    if a is None and b is None:
        return 0
    x, y = _operands(a, "%", b)
    _check_divisor(y, a, "%", b)
    if isinstance(x, float):
        return math.fmod(x, y)
    remainder = abs(x) % abs(y)
    return -remainder if x < 0 else remainder


def juel_neg(value: Any) -> int | float:
    """JUEL ``-a``: null is 0, a string is read as a number (a float if written with '.', 'e' or 'E')."""
    if value is None:
        return 0
    if _is_number(value):
        return -value
    target = "number"
    if isinstance(value, str):
        found = _float(value) if _dot_e(value) else _int(value)
        if found is not None:
            return -found
        target = "number" if _dot_e(value) else "whole number"
    raise JuelCoercionError(f"cannot evaluate -{_show(value)}: JUEL negates numbers only and "
                            f"{_show(value)} is not a {target}")


_COMPARISONS = {"==": "juel_eq", "!=": "juel_ne", "<": "juel_lt", ">": "juel_gt", "<=": "juel_le", ">=": "juel_ge"}
_ARITHMETIC = {"+": "juel_add", "-": "juel_sub", "*": "juel_mul", "/": "juel_div", "%": "juel_mod"}

JUEL_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "juel_empty": juel_empty, "juel_str": juel_str, "juel_eq": juel_eq, "juel_ne": juel_ne,
    "juel_lt": juel_lt, "juel_gt": juel_gt, "juel_le": juel_le, "juel_ge": juel_ge, "juel_bool": juel_bool,
    "juel_add": juel_add, "juel_sub": juel_sub, "juel_mul": juel_mul, "juel_div": juel_div, "juel_mod": juel_mod,
    "juel_neg": juel_neg,
}

# govflow's own functions that diagrams may call from JUEL too (e.g. ``${workdays(5)}``); the engine
# puts them into the script globals. Everything else that looks like a call is refused.
CALLABLE = frozenset({"workdays"})


# --- tokenizer -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Token:
    kind: str  # 'num', 'str', 'word', 'op' or 'end'
    text: str  # the source text, for error messages
    pos: int  # offset in the whole template text
    value: str = ""  # decoded content of a string literal


_NUM = r"(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+"
_TOKEN = re.compile(rf"""
    (?P<space>\s+)
  | (?P<num>{_NUM})
  | (?P<word>[^\W\d]\w*)
  | (?P<op>==|!=|<=|>=|&&|\|\||[-+*/%<>!?:.\[\](),])
""", re.VERBOSE)
_NUMBER_LITERAL = re.compile(_NUM)

# JUEL spells most operators two ways; parse both into the Python operator.
_CANONICAL = {
    "&&": "and", "||": "or", "!": "not", "div": "/", "mod": "%",
    "lt": "<", "gt": ">", "le": "<=", "ge": ">=", "eq": "==", "ne": "!=",
}
_CONSTANTS = {"true": "True", "false": "False", "null": "None"}
_RESERVED = set(_CANONICAL) | set(_CONSTANTS) | {"and", "or", "not", "empty", "instanceof"}
# Only these escapes exist in JUEL strings; any other backslash is kept as written.
_ESCAPES = {"\\": "\\", "'": "'", '"': '"'}


def _fail(text: str, reason: str) -> ExpressionError:
    return ExpressionError(f"cannot translate {text!r}: {reason}")


def _describe(tok: _Token) -> str:
    return "the end of the expression" if tok.kind == "end" else repr(tok.text)


def _read_string(text: str, start: int) -> tuple[str, int]:
    """Decode the quoted string at ``start``; return its value and the offset after it."""
    quote, i = text[start], start + 1
    chars: list[str] = []
    while i < len(text):
        ch = text[i]
        if ch == quote:
            return "".join(chars), i + 1
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPES:
            chars.append(_ESCAPES[text[i + 1]])
            i += 2
            continue
        chars.append(ch)
        i += 1
    raise _fail(text, f"unterminated string starting at column {start + 1}")


def _tokenize(text: str, start: int) -> tuple[list[_Token], int]:
    """Tokenize from ``start`` up to the closing '}'; return the tokens and the offset after it."""
    tokens: list[_Token] = []
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "}":
            tokens.append(_Token("end", "}", i))
            return tokens, i + 1
        if ch in "'\"":
            value, end = _read_string(text, i)
            tokens.append(_Token("str", text[i:end], i, value))
            i = end
            continue
        match = _TOKEN.match(text, i)
        if match is None:
            hint = "; use '==' to compare" if ch == "=" else ""
            raise _fail(text, f"unexpected character {ch!r} at column {i + 1}{hint}")
        if match.lastgroup != "space":
            tokens.append(_Token(match.lastgroup or "", match.group(), i))
        i = match.end()
    raise _fail(text, f"unterminated expression: no '}}' closes the one opened at column {start - 1}")


# --- parser --------------------------------------------------------------------------------

class _Parser:
    """Recursive descent over one expression, one method per JUEL precedence level.

    Each method returns Python source; every compound is parenthesised so Python's own
    precedence (e.g. ``not`` binding looser than ``==``) can never change the meaning.
    Operators coerce their operands as EL does through the juel_* helpers.
    """

    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text, self.tokens, self.index = text, tokens, 0
        # Translations that are a bool already (comparisons, !, &&, ||, empty, true, false): these need no
        # juel_bool around them, which keeps the translation of the usual ${a == 1 && b > 2} readable.
        self.booleans = {"True", "False"}

    def _boolean(self, code: str) -> str:
        """``code`` coerced to a boolean as EL does for the operands of !, && and || and the ?: condition."""
        return code if code in self.booleans else f"juel_bool({code})"

    def _known_boolean(self, code: str) -> str:
        self.booleans.add(code)
        return code

    def parse(self) -> str:
        if self._peek().kind == "end":
            raise _fail(self.text, "empty expression: there is nothing between the braces")
        code = self._ternary()
        tok = self._peek()
        if tok.kind != "end":
            where = f"at column {tok.pos + 1} after a complete expression"
            raise _fail(self.text, f"unexpected {tok.text!r} {where}")
        return code

    def _peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def _next(self) -> _Token:
        tok = self._peek()
        self.index += 1
        return tok

    def _op(self, ahead: int = 0) -> str:
        """The Python spelling of the operator at the cursor, or '' if it is not one."""
        tok = self._peek(ahead)
        return _CANONICAL.get(tok.text, tok.text) if tok.kind in ("op", "word") else ""

    def _expect(self, symbol: str) -> None:
        tok = self._next()
        if tok.text != symbol or tok.kind != "op":
            raise _fail(self.text, f"expected {symbol!r} at column {tok.pos + 1} but found {_describe(tok)}")

    def _ternary(self) -> str:
        condition = self._binary(0)
        if self._op() != "?":
            return condition
        self._next()
        then = self._ternary()
        self._expect(":")
        return f"({then} if {self._boolean(condition)} else {self._ternary()})"

    # Binary levels from loosest to tightest; all are left-associative.
    _LEVELS = (("or",), ("and",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%"))

    def _binary(self, level: int) -> str:
        if level == len(self._LEVELS):
            return self._unary()
        left = self._binary(level + 1)
        while self._op() in self._LEVELS[level]:
            op = self._op()
            self._next()
            right = self._binary(level + 1)
            if op in ("and", "or"):  # Python's and/or still short-circuit, and on booleans give a boolean
                left = self._known_boolean(f"({self._boolean(left)} {op} {self._boolean(right)})")
            elif op in _COMPARISONS:
                left = self._known_boolean(f"{_COMPARISONS[op]}({left}, {right})")
            else:
                left = f"{_ARITHMETIC[op]}({left}, {right})"
        return left

    def _unary(self) -> str:
        op = self._op()
        if op in ("not", "-", "empty"):
            self._next()
            operand = self._unary()
            if op == "not":
                return self._known_boolean(f"(not {self._boolean(operand)})")
            if op == "empty":
                return self._known_boolean(f"juel_empty({operand})")
            return f"(-{operand})" if _NUMBER_LITERAL.fullmatch(operand) else f"juel_neg({operand})"
        return self._postfix()

    def _postfix(self) -> str:
        start = self._peek().pos
        code, accessed = self._primary(), False
        while True:
            op = self._op()
            if op == ".":
                self._next()
                name = self._next()
                if name.kind != "word":
                    raise _fail(self.text, f"expected a property name after '.' at column {name.pos + 1}")
                code, accessed = f"{code}[{name.text!r}]", True
            elif op == "[":
                self._next()
                index = self._ternary()
                self._expect("]")
                code, accessed = f"{code}[{index}]", True
            elif op == "(":
                callee = self.text[start:self._peek().pos].strip()
                if not accessed and callee in CALLABLE:
                    code, accessed = f"{code}({self._arguments()})", True
                    continue
                kind = "method" if accessed else "function"
                raise _fail(self.text, f"{kind} calls are not supported: {callee}(...)")
            else:
                return code

    def _arguments(self) -> str:
        self._expect("(")
        args: list[str] = []
        while self._op() != ")":
            if args:
                self._expect(",")
            args.append(self._ternary())
        self._expect(")")
        return ", ".join(args)

    def _primary(self) -> str:
        tok = self._next()
        if tok.kind == "num":
            # Python rejects leading zeros on integers ('007'); floats are fine as written.
            return str(int(tok.text)) if tok.text.isdigit() else tok.text
        if tok.kind == "str":
            return repr(tok.value)
        if tok.kind == "op" and tok.text == "(":
            code = self._ternary()
            self._expect(")")
            return code
        if tok.kind == "word":
            if tok.text in _CONSTANTS:
                return _CONSTANTS[tok.text]
            if self._op() == ":" and self._peek(1).kind == "word" and self._op(2) == "(":  # fn:name(...)
                callee = f"{tok.text}:{self._peek(1).text}"
                raise _fail(self.text, f"function calls are not supported: {callee}(...)")
            return self._identifier(tok)
        raise _fail(self.text, f"expected a value at column {tok.pos + 1} but found {_describe(tok)}")

    def _identifier(self, tok: _Token) -> str:
        name = tok.text
        if name in _RESERVED:
            raise _fail(self.text, f"unexpected {name!r} at column {tok.pos + 1}")
        if name.startswith("_"):
            raise _fail(self.text, f"variable names starting with '_' are not allowed: {name}")
        if keyword.iskeyword(name):
            raise _fail(self.text, f"{name!r} is a Python keyword and cannot be used as a variable name")
        return name


# --- public API ----------------------------------------------------------------------------

_OPENING = re.compile(r"\\?[$#]\{")  # '\${' is JUEL's escape for a literal '${'


def is_juel(text: str) -> bool:
    """True when the text contains a ``${...}`` or ``#{...}`` expression."""
    return "${" in text or "#{" in text


def translate_juel(text: str, *, condition: bool = False) -> str:
    """Translate JUEL text (one expression, composite text or plain text) into Python source.

    ``condition``: a sequence flow's condition, whose value is coerced to a boolean as EL coerces the
    operand of ``!``. ``${approved}`` with a form's "false" then takes no flow where Python's truthiness
    would take it; a value that is no boolean fails the step with the reason."""
    parts: list[tuple[bool, str]] = []  # (is_code, python source or literal text)
    literal, pos = "", 0
    parser: _Parser | None = None
    while match := _OPENING.search(text, pos):
        literal += text[pos:match.start()]
        if match.group().startswith("\\"):
            literal, pos = literal + match.group()[1:], match.end()
            continue
        tokens, pos = _tokenize(text, match.end())
        parser = _Parser(text, tokens)
        parts += [(False, literal), (True, parser.parse())]
        literal = ""
    parts.append((False, literal + text[pos:]))

    code = [source for is_code, source in parts if is_code]
    if len(code) == 1 and all(not source.strip() for is_code, source in parts if not is_code):
        assert parser is not None
        return parser._boolean(code[0]) if condition else code[0]
    pieces = [f"juel_str({source})" if is_code else repr(source) for is_code, source in parts if source]
    joined = " + ".join(pieces) or "''"
    return f"juel_bool({joined})" if condition else joined


def to_python(text: str, *, condition: bool = False) -> str:
    """Translate JUEL text (``condition``: see translate_juel); anything else is taken to be a Python
    expression already."""
    return translate_juel(text, condition=condition) if is_juel(text) else text


# A bare timer value that is meant as ISO 8601 (a duration, a cycle, a date) rather than as a variable:
# SpiffWorkflow's own parser then decides whether it runs (engine.timeparse.timer_problem).
# Either case: SpiffWorkflow reads p5d as P5D.
_ISO_LIKE = re.compile(r"PT?(?:\d|$)|R\d*(?:/|$)|\d{4}-?(?:\d{2}|W)|\d{8}T", re.IGNORECASE)
# Camunda's other cycle notation, which SpiffWorkflow has no parser for.
_CRON = re.compile(r"[\d*?/,#LW-]+(?:\s+[\d*?/,#A-Z-]+){4,6}")


def timer_to_python(text: str, kind: str | None = None) -> str:
    """Turn a timer's timeDate/timeDuration/timeCycle (``kind``; None: any) text into a Python expression.

    Bare ISO 8601 values (Camunda style) are quoted, JUEL is translated, and anything else is taken to
    be a Python expression already (``"P5D"``, ``workdays(5)``).

    Raises:
        ExpressionError: the text is empty; a literal value (bare, or a string the expression gives as a
            whole or as a branch of ``x if c else y``) that SpiffWorkflow would fail on when the timer is
            reached, or of another kind than the timer; a bare value that looks like ISO 8601 but is not;
            ``workdays(n)`` (a date) where a duration or cycle is expected; a cron expression.
    """
    text = text.strip()
    if not text:
        raise ExpressionError("empty timer")
    if is_juel(text):
        python = translate_juel(text)
    elif _ISO_LIKE.match(text):
        problem = timer_problem(kind, text)
        if problem:
            raise ExpressionError(problem)
        return repr(text)
    elif kind in (None, "timeCycle") and _CRON.fullmatch(text):
        raise ExpressionError(f"{text!r} is a cron expression, which cannot run here; write an ISO 8601 "
                              "repeating interval such as R/PT5M (every five minutes)")
    else:
        python = text
    _check_timer_results(python, kind)
    return python


def _check_timer_results(python: str, kind: str | None) -> None:
    """The values a timer expression gives literally, checked as its bare text would be."""
    try:
        tree = ast.parse(python, mode="eval")
    except SyntaxError:
        return  # the expression check names it
    for node in _results(tree.body):
        if isinstance(node, ast.Constant):
            problem = timer_problem(kind, node.value)
            if problem:
                raise ExpressionError(problem)
        elif kind in ("timeDuration", "timeCycle") and isinstance(node, ast.Call) \
                and isinstance(node.func, ast.Name) and node.func.id == "workdays":
            raise ExpressionError(f"workdays(n) gives a date, but this timer is a {kind}; make the timer a "
                                  "timeDate (Camunda Modeler: Timer type Date)")


def _results(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.IfExp):
        return _results(node.body) + _results(node.orelse)
    return [node]


# --- DMN: FEEL simple unary tests and values ----------------------------------------------------
#
# Camunda's decision tables write input entries as FEEL "simple unary tests" ("a","b"; [1..8];
# < 250; not("x"); -) and outputs as FEEL literals. SpiffWorkflow evaluates both as Python, where
# most of these either fail or — worse — quietly mean something else ("a","b" is a tuple, never equal
# to the input). They are translated at deploy into Python over '?', SpiffWorkflow's name for the
# input value. Anything outside this subset is left to the caller to refuse or keep as Python.

_FEEL_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<num>\d+(?:\.\d+)?)
  | (?P<range>\.\.)
  | (?P<op><=|>=|!=|[<>=(),\[\].-])
  | (?P<word>[^\W\d]\w*)
""", re.VERBOSE)


def _feel_tokens(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        match = _FEEL_TOKEN.match(text, pos)
        if match is None:
            raise ExpressionError(f"not a FEEL simple expression: unexpected {text[pos]!r} in {text!r}")
        if match.lastgroup != "space":
            tokens.append((match.lastgroup or "", match.group()))
        pos = match.end()
    return tokens


def _py_str(value: str) -> str:
    """A Python string literal without quote characters inside: SpiffWorkflow finds '?' by counting quotes."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\x27").replace('"', "\\x22") + "'"


class _FeelParser:
    def __init__(self, text: str) -> None:
        self.text, self.tokens, self.index = text, _feel_tokens(text), 0

    def peek(self) -> str:
        return self.tokens[self.index][1] if self.index < len(self.tokens) else ""

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.index >= len(self.tokens) or (expected is not None and self.peek() != expected):
            found = self.peek() or "the end"
            raise ExpressionError(f"not a FEEL simple expression: expected {expected or 'a value'} but found "
                                  f"{found!r} in {self.text!r}")
        self.index += 1
        return self.tokens[self.index - 1]

    def done(self) -> None:
        if self.index != len(self.tokens):
            raise ExpressionError(f"not a FEEL simple expression: unexpected {self.peek()!r} in {self.text!r}")

    def value(self) -> str:
        kind, text = self.take()
        if kind == "str":
            return _py_str(bytes(text[1:-1], "utf-8").decode("unicode_escape"))
        if kind == "num":
            return text
        if text == "-" and self.tokens[self.index:self.index + 1] and self.tokens[self.index][0] == "num":
            return "-" + self.take()[1]
        if kind == "word" and text in _CONSTANTS:
            return _CONSTANTS[text]
        if kind == "word" and not keyword.iskeyword(text) and not text.startswith("_"):
            path = text
            while self.peek() == ".":
                self.take(".")
                kind, name = self.take()
                if kind != "word":
                    raise ExpressionError(f"not a FEEL simple expression: {self.text!r}")
                path += f"[{name!r}]"
            return path
        raise ExpressionError(f"not a FEEL simple expression: unexpected {text!r} in {self.text!r}")

    def positive_test(self) -> str:
        token = self.peek()
        if token in ("[", "(", "]"):
            opening = self.take()[1]
            low = self.value()
            self.take("..")
            high = self.value()
            closing = self.take()[1]
            if closing not in ("]", ")", "["):
                raise ExpressionError(f"not a FEEL interval: {self.text!r}")
            low_op = "<=" if opening == "[" else "<"
            high_op = "<=" if closing == "]" else "<"
            return f"({low} {low_op} ? {high_op} {high})"
        if token in ("<", "<=", ">", ">=", "=", "!="):
            op = self.take()[1]
            return f"(? {'==' if op == '=' else op} {self.value()})"
        return f"(? == {self.value()})"

    def positive_tests(self) -> str:
        tests = [self.positive_test()]
        while self.peek() == ",":
            self.take(",")
            tests.append(self.positive_test())
        return tests[0] if len(tests) == 1 else " or ".join(tests)


def feel_unary_tests(text: str | None) -> str | None:
    """Translate a DMN input entry (FEEL simple unary tests) into a Python test of '?'; None matches anything.

    Raises:
        ExpressionError: the text is not FEEL simple unary tests.
    """
    text = (text or "").strip()
    if text in ("", "-"):
        return None
    parser = _FeelParser(text)
    if parser.peek() == "not" and parser.tokens[1:2] == [("op", "(")]:
        parser.take("not")
        parser.take("(")
        python = f"not ({parser.positive_tests()})"
        parser.take(")")
    else:
        python = parser.positive_tests()
    parser.done()
    return python


def feel_value(text: str) -> str:
    """Translate a FEEL literal or variable path (a DMN output entry or input expression) into Python.

    Raises:
        ExpressionError: anything else.
    """
    parser = _FeelParser(text.strip())
    python = parser.value()
    parser.done()
    return python
