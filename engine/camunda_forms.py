"""Camunda 7 generated task forms (``camunda:formData``) as form-js forms, made at deploy time.

Camunda's Tasklist draws a form from the fields listed on a user task or start event. Here each such list
becomes a form-js schema deployed with the diagram as a form of its own, named
``<process>.<element>.generated.form`` (engine.forms keeps uploads from that name), which the element's
form key then names: the task form API, the task page, the checks on completion, start forms and prefill
all take it as any deployed form. The same diagram always gives the same form, so an unchanged redeploy
keeps its version.

Types: string, long (a whole number), boolean (a checkbox), date (an ISO date) and enum (a select of the
``camunda:value`` ids, their names shown). Constraints: required, minlength, maxlength, min, max, readonly.
What a form-js form cannot carry is a warning naming element and field, never dropped unsaid; what is
malformed is an error at the field's line.
"""
from __future__ import annotations

import json
import keyword
import math
import re
from datetime import date
from typing import Any

from . import expressions
from ._form_reader import read as read_form
from .bpmn_xml import NS, PreparedDiagram, bpmn, camunda, local
from .camunda import not_the_start_form
from .forms import GENERATED_SUFFIX

# The element meta holding a generated form's text from diagrams.prepare until deploy stores it (take()).
META = "generated_form"
COMPONENTS = {"string": "textfield", "long": "number", "boolean": "checkbox", "date": "datetime", "enum": "select"}
ATTRIBUTES = {"id", "label", "type", "defaultValue"}
CONSTRAINTS = {"required", "readonly", "minlength", "maxlength", "min", "max"}
# Camunda's own date pattern for form values (dd/MM/yyyy), besides ISO dates.
CAMUNDA_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def form_name(process_id: str, element_id: str) -> str:
    """The file name (and form key) of the form generated for an element."""
    return f"{process_id}.{element_id}{GENERATED_SUFFIX}"


def translate(diagram: PreparedDiagram, process: Any, node: Any) -> str | None:
    """The text of the form generated from the ``camunda:formData`` of a user task or start event, or None:
    none given, a ``camunda:formKey`` that wins over it (as in Camunda), a start event that has no start
    form, or errors (reported on ``diagram``)."""
    data = node.find(f"{bpmn('extensionElements')}/{camunda('formData')}")
    if data is None:
        return None
    fields = data.findall(camunda("formField"))
    listed = ", ".join(f.get("id") for f in fields if f.get("id")) or "no fields"
    key = (node.get(camunda("formKey")) or node.get(camunda("formRef")) or "").strip()
    if key:
        diagram.warn(node, f"camunda:formData ({listed}) is ignored: camunda:formKey {key!r} names the form, and "
                           "wins (as in Camunda)", at=data)
        return None
    if local(node.tag) == "startEvent" and (where := not_the_start_form(process, node)):
        diagram.warn(node, f"camunda:formData ({listed}) on {where} is ignored: only the process's plain start "
                           "event has a start form (as in Camunda)", at=data)
        return None
    if data.get("businessKey"):
        diagram.warn(node, f"camunda:formData businessKey={data.get('businessKey')!r} is ignored: a case's "
                           "business key is given when it starts, beside its variables", at=data)
    errors = _errors(diagram)
    components: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for field in fields:
        component = _Field(diagram, node, field).component(seen)
        if component is not None:
            components.append(component)
    if _errors(diagram) > errors:
        return None
    name = form_name(process.get("id"), node.get("id"))
    schema = {"components": components, "type": "default", "id": f"generated:{process.get('id')}:{node.get('id')}",
              "schemaVersion": 16}
    text = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
    for problem in read_form(name, text.encode())[1]:  # what the server cannot check is never deployed
        diagram.error(node, f"the form generated from camunda:formData is invalid: {problem.message}", at=data)
    return None if _errors(diagram) > errors else text


def take(prepared: list[PreparedDiagram]) -> list[tuple[str, bytes]]:
    """The generated forms of prepared diagrams as files to deploy with them, taken out of the elements'
    meta (which is stored with the definition and names the form by its key)."""
    files = []
    for diagram in prepared:
        for elements in diagram.elements.values():
            for meta in elements.values():
                text = meta.pop(META, None)
                if text is not None:
                    files.append((meta["form_key"], text.encode()))
    return files


def _errors(diagram: PreparedDiagram) -> int:
    return sum(p.severity == "error" for p in diagram.problems)


class _Field:
    """One ``camunda:formField`` and the form-js component it becomes."""

    def __init__(self, diagram: PreparedDiagram, node: Any, field: Any) -> None:
        self.diagram, self.node, self.field = diagram, node, field
        self.id = field.get("id") or ""
        self.type = field.get("type") or ""

    def error(self, message: str, at: Any = None) -> None:
        self.diagram.error(self.node, f"camunda:formField {self.id!r}: {message}", at=self.field if at is None else at)

    def warn(self, message: str, at: Any = None) -> None:
        self.diagram.warn(self.node, f"camunda:formField {self.id!r}: {message}", at=self.field if at is None else at)

    def component(self, seen: dict[str, int]) -> dict[str, Any] | None:
        if not self.id:
            self.diagram.error(self.node, "camunda:formField has no id", at=self.field)
            return None
        if not self.id.isidentifier() or self.id.startswith("_") or keyword.iskeyword(self.id):
            self.error("the id is not a variable name (letters, digits and _, not starting with a digit or _)")
            return None
        if self.id in seen:
            self.error(f"the id is also that of the field at line {seen[self.id]}")
            return None
        seen[self.id] = self.field.sourceline
        if not self.type:
            self.error("no type given (string, long, boolean, date or enum)")
            return None
        for attribute in sorted(set(self.field.attrib) - ATTRIBUTES):
            self.warn(f"attribute {local(attribute) or attribute!r} is not carried into the form")
        if self.type not in COMPONENTS:
            # Camunda takes other types from Java plugins; the value is shown and checked as text.
            self.warn(f"type {self.type!r} is not a Camunda form type; the field is shown and checked as text")
        label = self.field.get("label") or self.id
        component: dict[str, Any] = {"type": COMPONENTS.get(self.type, "textfield"), "key": self.id,
                                     "label": label, "id": f"Field_{self.id}"}
        if self.type == "long":
            component["decimalDigits"] = 0
        elif self.type == "date":
            component.update(subtype="date", dateLabel=label)
        elif self.type == "enum":
            values = self._options()
            if values is None:
                return None
            if not values:
                self.warn("the enum has no camunda:value, so no value can be chosen (as in Camunda); it is left "
                          "out of the form")
                return None
            component["values"] = values
        elif self.field.find(camunda("value")) is not None:
            self.warn("camunda:value applies to enum fields only and is ignored")
        for child in self.field:
            if isinstance(child.tag, str) and local(child.tag) not in ("validation", "value"):
                self.warn(f"camunda:{local(child.tag)} is not carried into the form", at=child)
        validate = self._constraints(component)
        if validate:
            component["validate"] = validate
        default = self._default(component)
        if default is not None:
            component["defaultValue"] = default
        return component

    def _options(self) -> list[dict[str, str]] | None:
        values: list[dict[str, str]] = []
        ok = True
        for value in self.field.findall(camunda("value")):
            option = value.get("id") or ""
            if not option:
                self.error("a camunda:value has no id", at=value)
                ok = False
            elif option in (v["value"] for v in values):
                self.error(f"camunda:value {option!r} is listed twice", at=value)
                ok = False
            else:
                values.append({"label": value.get("name") or option, "value": option})
        return values if ok else None

    def _constraints(self, component: dict[str, Any]) -> dict[str, Any]:
        validate: dict[str, Any] = {}
        for constraint in self.field.xpath("./camunda:validation/camunda:constraint", namespaces=NS):
            name, config = constraint.get("name") or "", (constraint.get("config") or "").strip()
            if not name:
                self.error("a camunda:constraint has no name", at=constraint)
            elif name == "validator":
                self.warn(f"camunda:constraint validator {config!r} runs Java code or an expression in Camunda "
                          "and is not checked here", at=constraint)
            elif name not in CONSTRAINTS:
                self.warn(f"camunda:constraint {name!r} is not a Camunda constraint and is not checked",
                          at=constraint)
            elif name == "readonly":
                component["readonly"] = True
            elif name == "required" and self.type == "boolean":
                # A required form-js checkbox must be ticked; Camunda's required boolean takes false too.
                self.warn("required on a boolean is not carried: a checkbox always gives true or false, and "
                          "a required one would have to be ticked", at=constraint)
            elif name == "required":
                validate["required"] = True
            else:
                self._limit(constraint, name, config, validate)
        return validate

    def _limit(self, constraint: Any, name: str, config: str, validate: dict[str, Any]) -> None:
        length = name.endswith("length")
        number = _number(config)
        if number is None or (length and (number < 0 or number != int(number))):
            what = "a non-negative whole number" if length else "a number"
            self.error(f"camunda:constraint {name} needs {what} as its config, not {config!r}", at=constraint)
            return
        textual = self.type not in COMPONENTS or self.type == "string"
        if (length and not textual) or (not length and self.type != "long"):
            kind = "text (string) fields" if length else "whole number (long) fields"
            self.warn(f"camunda:constraint {name} applies to {kind} and is not checked on a {self.type} field",
                      at=constraint)
            return
        validate[{"minlength": "minLength", "maxlength": "maxLength"}.get(name, name)] = \
            int(number) if number == int(number) else number

    def _default(self, component: dict[str, Any]) -> Any:
        text = self.field.get("defaultValue")
        if text is None or text == "":
            return None
        if expressions.is_juel(text):
            self.warn(f"defaultValue {text!r} is an expression, which a form cannot compute; the field starts "
                      "empty")
            return None
        if component.get("readonly"):
            # form-js would send the default back, and a readonly field takes only the value the case holds.
            self.warn(f"defaultValue {text!r} of a readonly field is not carried: the field shows the case's value")
            return None
        if self.type == "long":
            if not re.fullmatch(r"[+-]?\d+", text.strip()):
                self.error(f"defaultValue {text!r} is not a whole number")
                return None
            return int(text)
        if self.type == "boolean":
            if text.strip().lower() not in ("true", "false"):
                self.warn(f"defaultValue {text!r} is not true or false; Camunda reads it as false, and so "
                          "does this form")
            return text.strip().lower() == "true"
        if self.type == "date":
            return self._date(text.strip())
        if self.type == "enum" and text not in (v["value"] for v in component["values"]):
            self.error(f"defaultValue {text!r} is not one of the enum's camunda:value ids")
            return None
        return text

    def _date(self, text: str) -> str | None:
        found = CAMUNDA_DATE.match(text)
        iso = f"{found.group(3)}-{found.group(2)}-{found.group(1)}" if found else text
        if ISO_DATE.match(iso):
            try:
                return date.fromisoformat(iso).isoformat()
            except ValueError:
                pass
        self.error(f"defaultValue {text!r} is not a date (dd/MM/yyyy, as Camunda writes it, or yyyy-MM-dd)")
        return None


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None
