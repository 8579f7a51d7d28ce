"""The subset of FEEL that form-js writes for conditions (``conditional.hide``, ``readonly``).

Supported: field references with dotted paths (``applicant.type``), literals (strings, numbers,
``true``/``false``/``null``), comparisons (``= != < <= > >=``), ``and``/``or``, ``not(...)``,
parentheses, list literals, and ``x in [a, b]`` / ``x in (a, b)`` membership. Anything else
(arithmetic, other functions, ranges, date literals) is refused when the form is deployed, so a
condition never silently means something else on the server than in the browser.

Evaluation follows FEEL's three-valued logic: a comparison of incompatible values is ``null``,
``x = null`` is true only for a missing or null ``x``, and ``and``/``or`` treat non-booleans as
``null``. Callers decide what ``null`` means (form-js hides a field only when the result is ``true``).
"""
from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Evaluator = Callable[[Mapping[str, Any]], Any]


class FeelError(ValueError):
    """An expression outside the supported subset; the message quotes it and says where and why."""


@dataclass(frozen=True)
class Expression:
    """A parsed expression; ``evaluate(data)`` runs it against a (nested) data mapping."""

    source: str
    _run: Evaluator

    def evaluate(self, data: Mapping[str, Any]) -> Any:
        return self._run(data)

    def is_true(self, data: Mapping[str, Any]) -> bool:
        """True only for a boolean true result: null and non-booleans count as not met."""
        return self._run(data) is True


@dataclass(frozen=True)
class _Token:
    kind: str  # num | str | name | op | end
    text: str
    pos: int


_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<num>\d+(?:\.\d+)?|\.\d+)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<name>[^\W\d]\w*)
  | (?P<op>!=|<=|>=|\.\.|[=<>()\[\],.+\-*/])
""", re.VERBOSE)
_KEYWORDS = {"and", "or", "not", "in", "true", "false", "null"}
_COMPARISONS = {"=", "!=", "<", "<=", ">", ">="}
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}


def parse(text: str) -> Expression:
    """Parse a FEEL expression (without form-js' leading ``=``).

    Raises:
        FeelError: the text is empty or outside the supported subset.
    """
    if not text.strip():
        raise FeelError("empty expression")
    parser = _Parser(text, _tokenize(text))
    run = parser.disjunction()
    parser.expect_end()
    return Expression(text, run)


def _tokenize(text: str) -> list[_Token]:
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise FeelError(f"unexpected character {text[pos]!r} at position {pos} in {text!r}")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    """Recursive descent; each method returns a function of the data."""

    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text, self.tokens, self.index = text, tokens, 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, *texts: str) -> bool:
        return self.token.kind in ("op", "name") and self.token.text in texts

    def fail(self, why: str) -> FeelError:
        token = self.token
        shown = f"{token.text!r}" if token.kind != "end" else "the end"
        return FeelError(f"{why}: unexpected {shown} at position {token.pos} in {self.text!r}")

    def expect(self, text: str) -> None:
        if not self.at(text):
            raise self.fail(f"expected {text!r}")
        self.take()

    def expect_end(self) -> None:
        if self.token.kind != "end":
            if self.at("+", "-", "*", "/"):
                raise self.fail("arithmetic is not supported in form conditions")
            raise self.fail("expected the end of the expression")

    def disjunction(self) -> Evaluator:
        parts = [self.conjunction()]
        while self.at("or"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else _connective(parts, True)

    def conjunction(self) -> Evaluator:
        parts = [self.comparison()]
        while self.at("and"):
            self.take()
            parts.append(self.comparison())
        return parts[0] if len(parts) == 1 else _connective(parts, False)

    def comparison(self) -> Evaluator:
        left = self.operand()
        if self.token.kind == "op" and self.token.text in _COMPARISONS:
            op = self.take().text
            right = self.operand()
            return _comparison(op, left, right)
        if self.at("in"):
            self.take()
            return _membership(left, self.in_target())
        return left

    def in_target(self) -> Evaluator:
        if not self.at("("):
            return self.operand()
        self.take()
        items = self.items(")")  # FEEL's positive unary tests: x in ("a", "b")
        return lambda data: [item(data) for item in items]

    def items(self, closing: str) -> list[Evaluator]:
        found: list[Evaluator] = []
        if self.at(closing):
            self.take()
            return found
        while True:
            found.append(self.disjunction())
            if self.at(","):
                self.take()
                continue
            self.expect(closing)
            return found

    def operand(self) -> Evaluator:
        token = self.token
        if token.kind == "num":
            self.take()
            number = float(token.text) if "." in token.text else int(token.text)
            return lambda data: number
        if token.kind == "str":
            self.take()
            value = _unquote(token.text)
            return lambda data: value
        if self.at("-") and self.tokens[self.index + 1].kind == "num":
            self.take()
            positive = self.operand()
            return lambda data: -positive(data)
        if self.at("("):
            self.take()
            inner = self.disjunction()
            self.expect(")")
            return inner
        if self.at("["):
            self.take()
            items = self.items("]")
            return lambda data: [item(data) for item in items]
        if token.kind == "name":
            return self.name()
        raise self.fail("expected a value, a field name or '('")

    def name(self) -> Evaluator:
        token = self.take()
        word = token.text
        constants = {"true": True, "false": False, "null": None}
        if word in constants:
            constant = constants[word]
            return lambda data: constant
        if word == "not":
            self.expect("(")
            inner = self.disjunction()
            self.expect(")")
            return lambda data: _not(inner(data))
        if word in _KEYWORDS:
            self.index -= 1
            raise self.fail("expected a value")
        if self.at("("):
            raise FeelError(f"function {word!r} is not supported in form conditions (only not()) "
                            f"at position {token.pos} in {self.text!r}")
        path = [word]
        while self.at("."):
            self.take()
            if self.token.kind != "name" or self.token.text in _KEYWORDS:
                raise self.fail("expected a field name after '.'")
            path.append(self.take().text)
        return lambda data: lookup(data, path)


def lookup(data: Mapping[str, Any], path: list[str]) -> Any:
    """The value at a dotted path, or None when any step is missing."""
    value: Any = data
    for step in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, Mapping):
        return "context"
    return "other"


def equal(left: Any, right: Any) -> bool | None:
    """FEEL equality: null equals only null; values of different types compare as null."""
    if left is None or right is None:
        return left is None and right is None
    kind = _kind(left)
    if kind != _kind(right) or kind == "other":
        return None
    if kind == "list":
        if len(left) != len(right):
            return False
        results = [equal(a, b) for a, b in zip(left, right)]
        return None if None in results else all(results)
    return bool(left == right)


def _comparison(op: str, left: Evaluator, right: Evaluator) -> Evaluator:
    if op == "=":
        return lambda data: equal(left(data), right(data))
    if op == "!=":
        return lambda data: _not(equal(left(data), right(data)))
    compare = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}[op]

    def ordered(data: Mapping[str, Any]) -> bool | None:
        a, b = left(data), right(data)
        kind = _kind(a)
        if kind not in ("number", "string") or kind != _kind(b):
            return None  # FEEL: ordering null, booleans or mixed types gives null
        return compare(a, b)
    return ordered


def _membership(left: Evaluator, target: Evaluator) -> Evaluator:
    def member(data: Mapping[str, Any]) -> bool | None:
        value, options = left(data), target(data)
        if not isinstance(options, (list, tuple)):
            return equal(value, options)
        return any(equal(value, option) is True for option in options)
    return member


def _not(value: Any) -> bool | None:
    return (not value) if isinstance(value, bool) else None


def _connective(parts: list[Evaluator], decisive: bool) -> Evaluator:
    """``and`` (decisive false) or ``or`` (decisive true): one decisive operand settles it, all operands
    the other boolean give that boolean, anything else (null, non-booleans) gives null."""
    def run(data: Mapping[str, Any]) -> bool | None:
        values = [part(data) for part in parts]
        if any(v is decisive for v in values):
            return decisive
        return (not decisive) if all(v is (not decisive) for v in values) else None
    return run
