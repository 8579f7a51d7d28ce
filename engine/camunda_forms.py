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
from .problem_codes import Param, said

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
        diagram.warn(node, said("form_data.ignored", listed=listed, key=key), at=data)
        return None
    if local(node.tag) == "startEvent" and (where := not_the_start_form(process, node)):
        diagram.warn(node, said("form_data.not_start_form", listed=listed, start=where), at=data)
        return None
    if data.get("businessKey"):
        diagram.warn(node, said("form_data.business_key", key=data.get("businessKey")), at=data)
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
        diagram.error(node, said("form_data.invalid", reason=problem.message), at=data)
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

    def error(self, code: str, at: Any = None, **params: Param) -> None:
        self.diagram.error(self.node, said(code, field=self.id, **params), at=self.field if at is None else at)

    def warn(self, code: str, at: Any = None, **params: Param) -> None:
        self.diagram.warn(self.node, said(code, field=self.id, **params), at=self.field if at is None else at)

    def component(self, seen: dict[str, int]) -> dict[str, Any] | None:
        if not self.id:
            self.diagram.error(self.node, said("form_field.no_id"), at=self.field)
            return None
        if not self.id.isidentifier() or self.id.startswith("_") or keyword.iskeyword(self.id):
            self.error("form_field.id_not_name")
            return None
        if self.id in seen:
            self.error("form_field.id_twice", line=seen[self.id])
            return None
        seen[self.id] = self.field.sourceline
        if not self.type:
            self.error("form_field.no_type")
            return None
        for attribute in sorted(set(self.field.attrib) - ATTRIBUTES):
            self.warn("form_field.attribute", attribute=local(attribute) or attribute)
        if self.type not in COMPONENTS:
            # Camunda takes other types from Java plugins; the value is shown and checked as text.
            self.warn("form_field.type", type=self.type)
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
                self.warn("form_field.enum_empty")
                return None
            component["values"] = values
        elif self.field.find(camunda("value")) is not None:
            self.warn("form_field.value_not_enum")
        for child in self.field:
            if isinstance(child.tag, str) and local(child.tag) not in ("validation", "value"):
                self.warn("form_field.child", at=child, child=local(child.tag))
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
                self.error("form_field.value_no_id", at=value)
                ok = False
            elif option in (v["value"] for v in values):
                self.error("form_field.value_twice", at=value, value=option)
                ok = False
            else:
                values.append({"label": value.get("name") or option, "value": option})
        return values if ok else None

    def _constraints(self, component: dict[str, Any]) -> dict[str, Any]:
        validate: dict[str, Any] = {}
        for constraint in self.field.xpath("./camunda:validation/camunda:constraint", namespaces=NS):
            name, config = constraint.get("name") or "", (constraint.get("config") or "").strip()
            if not name:
                self.error("form_field.constraint_no_name", at=constraint)
            elif name == "validator":
                self.warn("form_field.validator", at=constraint, config=config)
            elif name not in CONSTRAINTS:
                self.warn("form_field.constraint_unknown", at=constraint, name=name)
            elif name == "readonly":
                component["readonly"] = True
            elif name == "required" and self.type == "boolean":
                # A required form-js checkbox must be ticked; Camunda's required boolean takes false too.
                self.warn("form_field.required_boolean", at=constraint)
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
            self.error("form_field.constraint_config", at=constraint, name=name, what=what, config=config)
            return
        textual = self.type not in COMPONENTS or self.type == "string"
        if (length and not textual) or (not length and self.type != "long"):
            kind = "text (string) fields" if length else "whole number (long) fields"
            self.warn("form_field.constraint_type", at=constraint, name=name, applies=kind, type=self.type)
            return
        validate[{"minlength": "minLength", "maxlength": "maxLength"}.get(name, name)] = \
            int(number) if number == int(number) else number

    def _default(self, component: dict[str, Any]) -> Any:
        text = self.field.get("defaultValue")
        if text is None or text == "":
            return None
        if expressions.is_juel(text):
            self.warn("form_field.default_expression", value=text)
            return None
        if component.get("readonly"):
            # form-js would send the default back, and a readonly field takes only the value the case holds.
            self.warn("form_field.default_readonly", value=text)
            return None
        if self.type == "long":
            if not re.fullmatch(r"[+-]?\d+", text.strip()):
                self.error("form_field.default_not_whole", value=text)
                return None
            return int(text)
        if self.type == "boolean":
            if text.strip().lower() not in ("true", "false"):
                self.warn("form_field.default_boolean", value=text)
            return text.strip().lower() == "true"
        if self.type == "date":
            return self._date(text.strip())
        if self.type == "enum" and text not in (v["value"] for v in component["values"]):
            self.error("form_field.default_enum", value=text)
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
        self.error("form_field.default_date", value=text)
        return None


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None
