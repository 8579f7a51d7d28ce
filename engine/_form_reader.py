"""Reading a form-js schema (what Camunda Modeler's form editor saves) and checking it at deploy.

A form becomes a flat list of ``FieldDef``: one per input component, keyed by its full data path
(group ``path`` + dotted ``key``), with the conditions of its enclosing groups folded in. Whatever
the server could not enforce exactly as the browser does is a problem naming the file, the line of
the component's id and the component, so it is refused at deploy rather than misread later.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from . import feel, variables
from .bpmn_xml import Problem
from .json_depth import MAX_DEPTH, loads, too_deep
from .problem_codes import said

MAX_FORM_BYTES = 1024 * 1024
INPUTS = {"textfield", "textarea", "number", "checkbox", "checklist", "taglist", "radio", "select", "datetime"}
CHOICES = {"checklist", "taglist", "radio", "select"}
# Components that show something but submit nothing.
DISPLAY = {"text", "spacer", "separator", "image", "html", "button", "iframe", "table", "documentPreview"}
# Known form-js types whose submitted values this server cannot check yet: refused, never stored unchecked.
UNSUPPORTED = {"dynamiclist", "expression", "filepicker", "multipage", "page"}
KEY = re.compile(r"^\w+(\.\w+)*$")
# form-js's own, and two of this server's: a resident identity card number and a unified social credit code,
# checked to their check character (engine.identity_numbers).
FORMATS = {"email", "phone", "idNumber", "creditCode"}
VALIDATION_TYPES = FORMATS | {"custom", "", None}
SUBTYPES = {"date", "time", "datetime"}
TIME_FORMATS = {"utc_offset", "utc_normalized", "no_timezone"}
Condition = feel.Expression | bool


@dataclass(frozen=True)
class FieldDef:
    """One input of a form, with its rules normalised (see ``_rules``)."""

    key: str  # full data path, dotted: "applicant.phone"
    type: str
    label: str  # shown with problems, so a clerk sees the field as the form names it
    required: bool
    hide: tuple[Condition, ...] = ()  # its own and its groups' hide conditions: any true hides it
    locked: tuple[Condition, ...] = ()  # readonly/disabled, its own and its groups'
    rules: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.key.split("."))


@dataclass
class FormDef:
    name: str
    form_id: str | None
    schema: dict[str, Any]
    fields: list[FieldDef]


def read(name: str, content: bytes) -> tuple[FormDef | None, list[Problem]]:
    """Parse and check a ``.form`` file; the form is None when any problem is an error."""
    if len(content) > MAX_FORM_BYTES:
        return None, [Problem.of(name, None, None, said("form.too_large", kib=MAX_FORM_BYTES // 1024))]
    try:
        text = content.decode("utf-8-sig")
        if too_deep(text):
            return None, [Problem.of(name, None, None, said("form.too_deep", levels=MAX_DEPTH))]
        schema = loads(text)
    except UnicodeDecodeError:
        return None, [Problem.of(name, None, None, said("form.not_utf8"))]
    except json.JSONDecodeError as exc:
        # With the place, as Python's json says it: "Unterminated string starting at" needs it to be read.
        return None, [Problem.of(name, exc.lineno, None, said("form.malformed", reason=exc.msg, line=exc.lineno,
                                                              column=exc.colno))]
    if not isinstance(schema, dict) or not isinstance(schema.get("components"), list):
        return None, [Problem.of(name, 1, None, said("form.not_form_js"))]
    if schema.get("type", "default") != "default":
        return None, [Problem.of(name, 1, None, said("form.type", type=schema["type"]))]
    reader = _Reader(name, text)
    reader.walk(schema["components"], prefix="", where="", hide=(), locked=())
    reader.check_paths()
    form_id = schema.get("id") if isinstance(schema.get("id"), str) else None
    if reader.problems:
        return None, reader.problems
    return FormDef(name, form_id, schema, reader.fields), []


class _Reader:
    def __init__(self, name: str, text: str) -> None:
        self.name = name
        # Lines of component ids, so a problem points into the file an analyst edits.
        self.lines: dict[str, int] = {}
        for match in re.finditer(r'"id"\s*:\s*"((?:[^"\\]|\\.)*)"', text):
            self.lines.setdefault(match.group(1), text.count("\n", 0, match.start()) + 1)
        self.fields: list[FieldDef] = []
        self.problems: list[Problem] = []
        self.keys: dict[str, tuple[str, dict[str, Any]]] = {}  # data path -> where and which component

    def error(self, component: dict[str, Any], where: str, code: str, **params: Any) -> None:
        element = component.get("id") if isinstance(component.get("id"), str) else None
        key = component.get("key")
        label = f"{where} ({component.get('type')}{f' {key!r}' if isinstance(key, str) else ''})"
        # The English label, and its place and type apart: a page says them in its own words.
        message = said(code, label=label, where=where, component=str(component.get("type")), **params)
        self.problems.append(Problem.of(self.name, self.lines.get(element or ""), element or component.get("key"),
                                        message))

    def walk(self, components: list[Any], *, prefix: str, where: str, hide: tuple[Condition, ...],
             locked: tuple[Condition, ...]) -> None:
        for index, component in enumerate(components):
            here = f"{where}components[{index}]"
            if not isinstance(component, dict):
                self.problems.append(Problem.of(self.name, None, None, said("form.not_component", where=here)))
                continue
            kind = component.get("type")
            hides, locks = hide, locked
            if kind == "group" or kind in INPUTS:  # display components' conditions do not touch the data
                conditional = component.get("conditional")
                own_hide = self.condition(component, here, conditional.get("hide")
                                          if isinstance(conditional, dict) else conditional, "hide")
                hides = hide + ((own_hide,) if own_hide is not None else ())
                locks = locked + tuple(c for c in (self.condition(component, here, component.get(attr), attr)
                                                   for attr in ("readonly", "disabled")) if c is not None)
            if kind == "group":
                path, children = component.get("path") or "", component.get("components") or []
                if path and not (isinstance(path, str) and KEY.match(path)):
                    self.error(component, here, "form.group_path", path=path)
                elif not isinstance(children, list):
                    self.error(component, here, "form.group_components")
                else:
                    self.walk(children, prefix=f"{prefix}{path}." if path else prefix, where=f"{here}.",
                              hide=hides, locked=locks)
            elif kind in INPUTS:
                self.field(component, here, prefix, hides, locks)
            elif kind in UNSUPPORTED:
                self.error(component, here, "form.unsupported", kind=kind)
            elif kind not in DISPLAY:
                self.error(component, here, "form.unknown_type", kind=kind)

    def condition(self, component: dict[str, Any], where: str, value: Any, attr: str) -> Condition | None:
        if value is None or value is False or value == "":
            return None
        if value is True:
            return True
        if not isinstance(value, str) or not value.startswith("="):
            self.error(component, where, "form.condition_value", attr=attr)
            return None
        try:
            return feel.parse(value[1:])
        except feel.FeelError as exc:
            self.error(component, where, "form.condition", attr=attr, reason=str(exc))
            return None

    def field(self, component: dict[str, Any], where: str, prefix: str, hide: tuple[Condition, ...],
              locked: tuple[Condition, ...]) -> None:
        key = component.get("key")
        if not isinstance(key, str) or not KEY.match(key):
            self.error(component, where, "form.bad_key", key=key)
            return
        full = prefix + key
        first = full.split(".")[0]
        if not first.isidentifier() or first.startswith("_"):
            self.error(component, where, "form.key_start", key=full)
            return
        if first in variables.function_names():  # every completion would be refused, and scripts broken
            self.error(component, where, "form.key_function", key=full, function=first)
            return
        if full in self.keys:
            self.error(component, where, "form.duplicate_key", key=full, other=self.keys[full][0])
            return
        self.keys[full] = (where, component)
        validate = component.get("validate") or {}
        if not isinstance(validate, dict):
            self.error(component, where, "form.validate_object")
            return
        count = len(self.problems)
        rules = _rules(component, validate, lambda code, **params: self.error(component, where, code, **params))
        if len(self.problems) > count:
            return
        label: str = component["label"] if isinstance(component.get("label"), str) else full
        self.fields.append(FieldDef(full, component["type"], label, validate.get("required") is True,
                                    hide, locked, rules))

    def check_paths(self) -> None:
        for longer, (where, component) in self.keys.items():
            steps = longer.split(".")
            for shorter in (".".join(steps[:n]) for n in range(1, len(steps))):
                if shorter in self.keys:
                    self.error(component, where, "form.key_inside", key=longer, outer=shorter,
                               other=self.keys[shorter][0])


def js_ends(pattern: str) -> str:
    """A pattern whose ``$`` means what it means in JavaScript (without the m flag): the end of the text. In
    Python it also matches before a final line break, so ``^JY\\d{14}$`` would pass ``JY…\\n``. Each ``$``
    outside a character class and not escaped becomes ``\\Z``; the pattern sent to a page keeps its ``$``."""
    out: list[str] = []
    i, class_from = 0, -1  # class_from: where the open class's members begin (-1: not in one)
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if class_from >= 0:
            if c == "]" and i > class_from:  # a ] first in the class is one of its members
                class_from = -1
        elif c == "[":
            class_from = i + 2 if pattern[i + 1:i + 2] == "^" else i + 1
        elif c == "$":
            c = "\\Z"
        out.append(c)
        i += 1
    return "".join(out)


def _rules(component: dict[str, Any], validate: dict[str, Any], error: Any) -> dict[str, Any]:
    """Normalised rules of one input; every value form-js could read differently is reported."""
    kind = component["type"]
    rules: dict[str, Any] = {}
    numeric = {"minLength": "min_length", "maxLength": "max_length", "min": "minimum", "max": "maximum"}
    for attr, name in numeric.items():
        if attr in validate and validate[attr] not in (None, ""):
            rules[name] = _number(validate[attr], f"validate.{attr}", error, whole=attr.endswith("Length"))
    pattern = validate.get("pattern")
    if pattern and not isinstance(pattern, str):
        error("form.pattern_type")
    elif pattern:
        try:
            # JavaScript's \d and \w are ASCII-only; re.ASCII keeps Python's the same.
            rules["pattern"] = re.compile(js_ends(pattern), re.ASCII)
            rules["pattern_text"] = pattern  # as the form says it, in messages
        except re.error as exc:
            error("form.pattern", pattern=pattern, reason=str(exc))
    if validate.get("validationType") not in VALIDATION_TYPES:
        error("form.validation_type", value=validate.get("validationType"))
    elif validate.get("validationType") in FORMATS:
        rules["format"] = validate["validationType"]
    if kind == "number":
        for attr, name in (("decimalDigits", "decimal_digits"), ("increment", "increment")):
            if component.get(attr) not in (None, ""):
                rules[name] = _number(component[attr], attr, error, whole=attr == "decimalDigits")
        rules["as_string"] = component.get("serializeToString") is True
    if kind in CHOICES:
        if component.get("valuesExpression"):
            error("form.values_expression")
        elif isinstance(component.get("valuesKey"), str) and component["valuesKey"]:
            rules["options_key"] = component["valuesKey"]
        elif isinstance(component.get("values"), list) and component["values"]:
            values = component["values"]
            if not all(isinstance(v, dict) and "value" in v for v in values):
                error("form.value_missing")
            rules["options"] = [v.get("value") for v in values if isinstance(v, dict)]
        else:
            error("form.no_options")
    if kind == "datetime":
        rules["subtype"] = component.get("subtype") or "date"
        rules["time_format"] = component.get("timeSerializingFormat")
        rules["no_past"] = component.get("disallowPassedDates") is True
        if rules["subtype"] not in SUBTYPES:
            error("form.subtype", subtype=rules["subtype"])
        if rules["time_format"] not in TIME_FORMATS | {None}:
            error("form.time_format", value=rules["time_format"])
    return rules


def _number(value: Any, attr: str, error: Any, *, whole: bool) -> Any:
    if isinstance(value, str) and value.startswith("="):
        error("form.limit_expression", attr=attr)
        return None
    try:
        number = float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None or not math.isfinite(number) or (whole and (number < 0 or number != int(number))):
        error("form.not_whole" if whole else "form.not_number", attr=attr, value=value)
        return None
    return int(number) if number == int(number) else number
