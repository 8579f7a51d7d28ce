"""marshmallow fields for form-js inputs: one builder per component type, rules as validators.

Every message starts with the form-js rule it enforces (``required:``, ``minLength:``, ``phone:`` ...),
so a client can show it next to the field and a clerk can tell which rule failed. Each is a ``Broken``:
the same English sentence, carrying a stable rule code and its parameters, so pages can say it in
their own language.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Self

from marshmallow import ValidationError, fields, validate

from . import feel, identity_numbers
from ._form_reader import FieldDef, js_ends
from .clock import LOCAL_TZ, utcnow
from .text import shows_something


class Broken(str):
    """A broken rule's message: the sentence API clients read, with ``rule`` (a stable code such as
    ``required``, ``options``, ``type``) and ``params`` (what the rule was given, JSON values)."""

    rule: str
    params: dict[str, Any]

    def __new__(cls, rule: str, message: str, **params: Any) -> Self:
        self = super().__new__(cls, message)
        self.rule, self.params = rule, params
        return self

    def format(self, *args: Any, **kwargs: Any) -> Self:
        """marshmallow formats its error messages with its own values; this sentence is final, and a
        formatted copy would lose the rule."""
        return self


REQUIRED = Broken("required", "required: a value is required")
# Chinese numbers without spaces: a mobile number (1 + 10 digits, second digit 3-9), or a landline
# with its area code (0 + 2-3 digits), an optional hyphen, 7-8 digits and an optional -extension.
# International (+86) and service numbers (400/800) are not accepted; use a custom pattern for those.
# As the page's form-js checks it (JavaScript), and as the server does (the same, $ read as JavaScript reads it).
PHONE_PATTERN = r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$"
PHONE = re.compile(js_ends(PHONE_PATTERN), re.ASCII)
EMAIL = validate.Email(error=Broken("email", "email: not an email address"))
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z", re.ASCII)
TIME = re.compile(r"^\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?\Z", re.ASCII)
IDENTITY: dict[str, tuple[Callable[[str], bool], Broken]] = {
    "idNumber": (identity_numbers.valid_id_number, Broken(
        "idNumber", "idNumber: not a resident identity card number (18 characters, a real birth date, the right "
        "check character)")),
    "creditCode": (identity_numbers.valid_credit_code, Broken(
        "creditCode", "creditCode: not a unified social credit code (18 characters, the right check character)")),
}
TYPE_NAMES = {"date": "a date like 2026-03-01", "time": "a time like 14:30",
              "datetime": "a date and time like 2026-03-01T14:30"}


def build(spec: FieldDef) -> fields.Field:
    """The marshmallow field checking one input's submitted value."""
    builder = _BUILDERS[spec.type]
    return builder(spec, {"required": spec.required, "allow_none": not spec.required,
                          "error_messages": {"required": REQUIRED, "null": REQUIRED}})


def _text(spec: FieldDef, options: dict[str, Any]) -> fields.Field:
    rules = spec.rules
    checks: list[Callable[[Any], Any]] = []
    # Spaces or invisible characters (a zero-width space) alone are no name, reason or opinion (the page checks
    # for a character that is not a space, api/assets/form.js)
    if spec.required:
        checks.append(_refuse(lambda v: not shows_something(v), REQUIRED))
    # form-js measures trimmed text and skips the other rules for an empty value; so does the server.
    if rules.get("min_length") is not None:
        shortest = rules["min_length"]
        checks.append(_refuse(lambda v: v != "" and len(v.strip()) < shortest,
                              Broken("minLength", f"minLength: at least {shortest} characters", length=shortest)))
    if rules.get("max_length") is not None:
        longest = rules["max_length"]
        checks.append(_refuse(lambda v: v != "" and len(v.strip()) > longest,
                              Broken("maxLength", f"maxLength: at most {longest} characters", length=longest)))
    if rules.get("pattern") is not None:
        pattern = rules["pattern"]
        # JavaScript's RegExp.test searches; an anchored pattern (^...$) matches the whole value.
        text = rules["pattern_text"]
        message = Broken("pattern", f"pattern: must match {text}", pattern=text)
        checks.append(_refuse(lambda v: v != "" and not pattern.search(v), message))
    if rules.get("format") == "email":
        checks.append(lambda v: v == "" or EMAIL(v))
    if rules.get("format") == "phone":
        checks.append(_refuse(lambda v: v != "" and not PHONE.match(v), Broken(
            "phone", "phone: not a mobile number (1xxxxxxxxxx) or a landline with area code (0xx-xxxxxxxx)")))
    options["error_messages"]["invalid"] = Broken("type", "type: expects text", expected="text")
    if rules.get("format") in IDENTITY:
        valid, message = IDENTITY[rules["format"]]
        checks.append(_refuse(lambda v: v != "" and not valid(v), message))
        return _IdentityNumber(validate=checks, **options)
    return fields.String(validate=checks, **options)


class _IdentityNumber(fields.String):
    """Kept as the number is written, whatever was typed: no surrounding spaces, a capital X."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        return identity_numbers.normal(super()._deserialize(value, attr, data, **kwargs))


def _number(spec: FieldDef, options: dict[str, Any]) -> fields.Field:
    if spec.rules.get("as_string"):
        invalid = Broken("type", "type: expects a number (or a numeric string)", expected="number_or_string")
    else:
        invalid = Broken("type", "type: expects a number", expected="number")
    options["error_messages"]["invalid"] = invalid
    return _Number(as_string=spec.rules.get("as_string", False), validate=_number_rules(spec.rules), **options)


class _Number(fields.Field):
    """A JSON number (never a boolean); a numeric string when the form serialises numbers to strings."""

    def __init__(self, *, as_string: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.as_string = as_string

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, (int, float)) and math.isfinite(value):
            return str(value) if self.as_string else value
        if self.as_string and isinstance(value, str) and _decimal(value) is not None:
            return value.strip()
        raise self.make_error("invalid")


def _number_rules(rules: dict[str, Any]) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        number = _decimal(value)
        assert number is not None  # the field only lets valid numbers through
        problems = []
        if rules.get("minimum") is not None and number < Decimal(str(rules["minimum"])):
            problems.append(Broken("min", f"min: must be at least {rules['minimum']}", min=rules["minimum"]))
        if rules.get("maximum") is not None and number > Decimal(str(rules["maximum"])):
            problems.append(Broken("max", f"max: must be at most {rules['maximum']}", max=rules["maximum"]))
        digits = rules.get("decimal_digits")
        if digits is not None and -min(0, int(number.normalize().as_tuple().exponent)) > digits:
            message = f"decimalDigits: at most {digits} digits after the decimal point" if digits \
                else "decimalDigits: must be a whole number"
            problems.append(Broken("decimalDigits", message, digits=digits))
        step = rules.get("increment")
        if step and number % Decimal(str(step)) != 0:
            problems.append(Broken("increment", f"increment: must be a multiple of {step}", increment=step))
        if problems:
            raise ValidationError(problems)
    return check


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _checkbox(spec: FieldDef, options: dict[str, Any]) -> fields.Field:
    options["error_messages"]["invalid"] = Broken("type", "type: expects true or false", expected="boolean")
    if spec.required:  # as form-js: a required checkbox must be ticked (a signed commitment, a consent)
        options["validate"] = [_refuse(lambda v: v is False, REQUIRED)]
    return _Boolean(**options)


class _Boolean(fields.Field):
    """Only JSON true/false: marshmallow's Boolean would also take "yes", 1 or "on"."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if value is True or value is False:
            return value
        raise self.make_error("invalid")


def _choice(spec: FieldDef, options: dict[str, Any]) -> fields.Field:
    allowed = spec.rules.get("options")
    checks = [] if allowed is None else [_refuse(lambda v: not is_option(v, allowed), _not_option(allowed))]
    if spec.required:
        checks.insert(0, _refuse(lambda v: v == "", REQUIRED))
    return fields.Raw(validate=checks, **options)


def _multiple(spec: FieldDef, options: dict[str, Any]) -> fields.Field:
    allowed = spec.rules.get("options")
    checks: list[Callable[[Any], Any]] = []
    if spec.required:
        checks.append(_refuse(lambda v: len(v) == 0, REQUIRED))
    if allowed is not None:
        checks.append(_refuse(lambda values: not all(is_option(v, allowed) for v in values), _not_option(allowed)))
    checks.append(_refuse(lambda v: len({repr(x) for x in v}) != len(v),
                          Broken("duplicate", "options: an option is chosen twice")))
    options["error_messages"]["invalid"] = Broken("type", "type: expects a list of options", expected="list")
    return fields.List(fields.Raw(), validate=checks, **options)


def is_option(value: Any, allowed: list[Any]) -> bool:
    """Membership by FEEL equality: the option "1" is not the number 1, and 1 is not true."""
    return any(feel.equal(value, option) is True for option in allowed)


def _not_option(allowed: list[Any]) -> Broken:
    return Broken("options", "options: must be one of " + ", ".join(repr(option) for option in allowed),
                  options=list(allowed))


def _datetime(spec: FieldDef, options: dict[str, Any]) -> fields.Field:
    subtype = spec.rules["subtype"]
    options["error_messages"]["invalid"] = Broken("type", f"{subtype}: expects {TYPE_NAMES[subtype]}",
                                                  expected=subtype)
    return _Temporal(subtype=subtype, time_format=spec.rules.get("time_format"),
                     no_past=spec.rules.get("no_past", False), **options)


class _Temporal(fields.Field):
    """ISO 8601 text as form-js writes it; checked, then stored as submitted (JSON has no dates)."""

    def __init__(self, *, subtype: str, time_format: str | None, no_past: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.subtype, self.time_format, self.no_past = subtype, time_format, no_past

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        day, _, clock = value.partition("T")
        if self.subtype == "time":
            day, clock = "", value
        try:
            shape_ok = (self.subtype == "time" or DATE.match(day)) and (self.subtype == "date" or TIME.match(clock))
            if not shape_ok or (self.subtype == "datetime") != ("T" in value):
                raise ValueError(value)
            parsed_day = date.fromisoformat(day) if day else None
            parsed_time = time.fromisoformat(clock) if clock else None
        except ValueError:
            raise self.make_error("invalid") from None
        self._check_zone(parsed_time)
        if self.no_past and parsed_day is not None and parsed_day < self._today(parsed_time):
            raise ValidationError(Broken("disallowPassedDates", "disallowPassedDates: must not be in the past"))
        return value

    def _check_zone(self, parsed: time | None) -> None:
        if parsed is None or self.time_format is None:
            return
        if self.time_format == "no_timezone" and parsed.tzinfo is not None:
            raise self._zone_error("expects a time without a time zone")
        if self.time_format != "no_timezone" and parsed.tzinfo is None:
            raise self._zone_error("expects a time with a UTC offset")
        if self.time_format == "utc_normalized" and parsed.utcoffset() != timedelta(0):
            raise self._zone_error("expects a UTC time (ending in Z)")

    def _zone_error(self, what: str) -> ValidationError:
        """``format`` is the form's timeSerializingFormat: no_timezone, utc_offset or utc_normalized."""
        return ValidationError(Broken("timeFormat", f"{self.subtype}: {what}", format=self.time_format))

    @staticmethod
    def _today(parsed: time | None) -> date:
        zone = parsed.tzinfo if parsed is not None and parsed.tzinfo is not None else LOCAL_TZ
        return utcnow().astimezone(zone).date()


def _refuse(bad: Callable[[Any], bool], message: Broken) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        if bad(value):
            raise ValidationError(message)
    return check


_BUILDERS: dict[str, Callable[[FieldDef, dict[str, Any]], fields.Field]] = {
    "textfield": _text, "textarea": _text, "number": _number, "checkbox": _checkbox, "radio": _choice,
    "select": _choice, "checklist": _multiple, "taglist": _multiple, "datetime": _datetime,
}
