"""A process's start form: its plain start event's ``camunda:formKey``, and the merged application forms of
one-thing bundles (一件事, 多表合一: DOMAIN rule 7).

A bundle's process names its member items' application forms in the process property
``govflow.bundleForms`` (comma-separated form keys, as a ``camunda:formKey`` names a form). A start
event's own form, when the process has one, is merged with them as the first member. The merged
form asks every field once: components are united by their data key (group path + key), a field that
several forms ask for is shown once among the shared fields, and its validation rules are combined so
that a value passes only if every member form would accept it (required if any requires it, the
tighter length and range limits, every pattern). Definitions that cannot be combined — another type,
other options, other conditions — are an error naming both forms and the field.

A case starts only with variables that pass its start form, merged or not (``check_start``). A start form
that is not deployed is skipped, as a task's is (deploy warns); a bundle's member that is not deployed
stops the start.
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import forms
from ._form_compiler import CompiledForm
from ._form_reader import CHOICES, INPUTS
from .bpmn_xml import PROCESS_KEY
from .errors import DeploymentInvalid, NotFound, ProcessError
from .execution import find_definition, process_properties
from .models import ProcessDefinition
from .unit_of_work import UnitOfWork

BUNDLE_PROPERTY = forms.BUNDLE_PROPERTY
SHARED_LABEL = "共同信息（各事项共用，只需填写一次）"
# Attributes that change what a field means or when it applies: two forms must agree on them.
SAME = ("conditional", "readonly", "disabled", "valuesKey", "subtype", "timeSerializingFormat", "serializeToString",
        "increment")


class FormConflict(ProcessError):
    """Member forms define one field in ways that cannot be merged; ``details`` name the field and forms."""

    code = "form_conflict"


@dataclass
class StartForm:
    key: str  # the definition key
    version: int
    forms: list[str]  # the forms it is made of: the start event's, then the bundle's members as listed
    shared: list[str]  # data keys several member forms ask for, asked once
    schema: dict[str, Any]  # the start event's form-js schema, or the merged one


# ---- merging (pure) ----------------------------------------------------------------------------

@dataclass
class _Field:
    key: str
    component: dict[str, Any]
    forms: list[str]


def merge(member_forms: Sequence[tuple[str, Mapping[str, Any]]], *, form_id: str) -> tuple[dict[str, Any], list[str]]:
    """The merged form-js schema of ``(form key, schema)`` pairs, and the keys shared by several forms.

    Raises:
        FormConflict: a field defined incompatibly by two forms (both named), or a group whose own
            conditions would have to be split over fields of other forms.
    """
    fields: dict[str, _Field] = {}
    sections: list[tuple[str, str, list[tuple[str, Any]]]] = []  # (form, title, [(kind, key or component)])
    for name, schema in member_forms:
        items = _flatten(name, copy.deepcopy(list(schema.get("components") or [])), prefix="")
        title = _title(items) or str(schema.get("id") or name)
        entries: list[tuple[str, Any]] = []
        for kind, value in items:
            if kind == "title":
                continue
            if kind == "display":
                entries.append((kind, value))
                continue
            key, component = value
            if key in fields:
                if name not in fields[key].forms:
                    fields[key].component = _combine(key, fields[key], name, component)
                    fields[key].forms.append(name)
                continue
            fields[key] = _Field(key, component, [name])
            entries.append(("input", key))
        sections.append((name, title, entries))
    shared = [key for key, found in fields.items() if len(found.forms) > 1]
    groups = []
    if shared:
        groups.append(_group("Group_shared", SHARED_LABEL, [_input(fields[key]) for key in shared]))
    for index, (name, title, entries) in enumerate(sections, start=1):
        components = []
        for kind, value in entries:
            if kind == "input" and value not in shared:
                components.append(_input(fields[value]))
            elif kind == "display":
                components.append({**value, "id": f"Display_{index}_{len(components)}"})
        if any("key" in c for c in components):
            groups.append(_group(f"Group_{index}", title, components))
    merged = {"components": groups, "type": "default", "id": form_id, "schemaVersion": 16,
              "exporter": {"name": "govflow", "version": "1"}}
    return merged, shared


def _flatten(name: str, components: list[Any], *, prefix: str) -> list[tuple[str, Any]]:
    """Inputs with their full data keys, and display components, in form order (groups dissolved)."""
    out: list[tuple[str, Any]] = []
    for component in components:
        if not isinstance(component, dict):
            continue  # a deployed form was checked by the form reader; nothing else can be here
        kind = component.get("type")
        if kind == "group":
            if any(_meaningful(component.get(attr)) for attr in ("conditional", "readonly", "disabled")):
                raise FormConflict(
                    f"form {name}: group {component.get('label') or component.get('id')!r} has its own conditions, "
                    "which cannot be merged; put them on its fields",
                    details=[{"field": component.get("path") or component.get("id"), "forms": [name],
                              "message": "group conditions cannot be merged"}])
            path = component.get("path") or ""
            out.extend(_flatten(name, list(component.get("components") or []),
                                prefix=f"{prefix}{path}." if path else prefix))
        elif kind in INPUTS:
            key = prefix + str(component["key"])
            out.append(("input", (key, {**component, "key": key})))
        elif kind == "text" and not out and not prefix and str(component.get("text", "")).lstrip().startswith("#"):
            out.append(("title", component["text"].lstrip("#").strip()))
        else:
            out.append(("display", component))
    return out


def _title(items: list[tuple[str, Any]]) -> str | None:
    return next((value for kind, value in items if kind == "title"), None)


def _combine(key: str, first: _Field, name: str, other: dict[str, Any]) -> dict[str, Any]:
    """One definition that accepts only what both accept. Raises FormConflict."""
    mine = first.component

    def conflict(what: str) -> FormConflict:
        forms_named = [first.forms[0], name]
        return FormConflict(f"field {key!r} is defined differently in {forms_named[0]} and {forms_named[1]}: {what}",
                            details=[{"field": key, "forms": forms_named, "message": what}])

    if mine.get("type") != other.get("type"):
        raise conflict(f"type {mine.get('type')} vs {other.get('type')}")
    for attr in SAME:
        if _normal(mine.get(attr)) != _normal(other.get(attr)):
            raise conflict(f"{attr} {mine.get(attr)!r} vs {other.get(attr)!r}")
    if mine["type"] in CHOICES and not mine.get("valuesKey"):
        ours, theirs = _options(mine), _options(other)
        if sorted(map(repr, ours)) != sorted(map(repr, theirs)):
            raise conflict(f"options {ours!r} vs {theirs!r}")
    combined = dict(mine)
    if other.get("disallowPassedDates") is True:
        combined["disallowPassedDates"] = True
    digits = [d for d in (mine.get("decimalDigits"), other.get("decimalDigits")) if d not in (None, "")]
    if digits:
        combined["decimalDigits"] = min(digits)
    combined["validate"] = _combine_rules(dict(mine.get("validate") or {}), dict(other.get("validate") or {}), conflict)
    return combined


def _combine_rules(ours: dict[str, Any], theirs: dict[str, Any], conflict: Any) -> dict[str, Any]:
    rules = dict(ours)
    if theirs.get("required") is True:
        rules["required"] = True
    for attr, pick in (("minLength", max), ("min", max), ("maxLength", min), ("max", min)):
        values = [v for v in (ours.get(attr), theirs.get(attr)) if v not in (None, "")]
        if values:
            rules[attr] = pick(values)
    for low, high in (("minLength", "maxLength"), ("min", "max")):
        if rules.get(low) is not None and rules.get(high) is not None and rules[low] > rules[high]:
            raise conflict(f"no value satisfies both: {low} {rules[low]} > {high} {rules[high]}")
    kinds = {v for v in (ours.get("validationType"), theirs.get("validationType")) if v not in (None, "", "custom")}
    if len(kinds) > 1:
        raise conflict(f"validationType {ours.get('validationType')!r} vs {theirs.get('validationType')!r}")
    if kinds:
        rules["validationType"] = kinds.pop()
    patterns = [p for p in (ours.get("pattern"), theirs.get("pattern")) if p]
    if len(set(patterns)) == 2:
        if any(re.search(r"\\[1-9]|\(\?P?[=<]", p) for p in patterns):
            raise conflict(f"patterns {patterns[0]!r} and {patterns[1]!r} use back-references and cannot be joined")
        # JavaScript's RegExp.test searches, so "matches both" is two look-aheads from the start.
        rules["pattern"] = "^" + "".join(f"(?=[\\s\\S]*?(?:{p}))" for p in patterns)
    elif patterns:
        rules["pattern"] = patterns[0]
    return rules


def _options(component: Mapping[str, Any]) -> list[Any]:
    return [v.get("value") for v in component.get("values") or [] if isinstance(v, Mapping)]


def _meaningful(value: Any) -> bool:
    return value not in (None, False, "", {}) and value != {"hide": None}


def _normal(value: Any) -> Any:
    return None if not _meaningful(value) else value


def _input(found: _Field) -> dict[str, Any]:
    return {**found.component, "id": "Field_" + found.key.replace(".", "_")}


def _group(group_id: str, label: str, components: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "group", "id": group_id, "label": label, "showOutline": True, "path": "",
            "components": components}


# ---- start forms of deployed definitions -------------------------------------------------------

def bundle_forms(uow: UnitOfWork, definition: ProcessDefinition) -> list[str]:
    """The member form keys a bundle definition lists (empty for other definitions)."""
    return forms.bundle_form_keys(process_properties(uow, definition))


def own_form(uow: UnitOfWork, definition: ProcessDefinition) -> str | None:
    """The form key of the process's plain start event (engine.diagrams), or None."""
    elements = uow.runtime.specs.get(definition).elements.get(definition.key, {})
    key = elements.get(PROCESS_KEY, {}).get("start_form")
    return key if isinstance(key, str) else None


def start_form(uow: UnitOfWork, key: str, *, version: int | None = None) -> StartForm:
    """The start form of a definition (latest or given version): its start event's form, or a bundle's
    merged application form.

    Raises:
        NotFound: no such definition; it has no start form (no ``camunda:formKey`` on its start event, no
            ``govflow.bundleForms``); its start event's form is not deployed, or is a page the client
            application renders (the server has no schema of it).
        ProcessError: a member form is not deployed or is broken; FormConflict: forms that cannot merge.
    """
    with uow:
        definition = find_definition(uow, key, version)
        own, listed = own_form(uow, definition), bundle_forms(uow, definition)
        if listed:
            members = _members(own, listed)
            schema, shared = _merged(uow, definition, members, own)
            _compiled(uow, definition, schema)
            return StartForm(definition.key, definition.version, members, shared, schema)
        if own is None:
            raise NotFound(f"process definition {key!r} has no start form: its start event names no "
                           f"camunda:formKey and it lists no {BUNDLE_PROPERTY} to merge")
        return StartForm(definition.key, definition.version, [own], [], _own_schema(uow, definition, own))


def check_start(uow: UnitOfWork, definition: ProcessDefinition, variables: dict[str, Any]) -> dict[str, Any]:
    """The start variables of a case, checked against its start form (unchanged without one).

    Raises:
        ValidationFailed: with one ``{"field", "message", "label"}`` per broken rule or unknown field.
        ProcessError, FormConflict: as ``start_form``; ProcessError: the start event's form is broken.
    """
    own, listed = own_form(uow, definition), bundle_forms(uow, definition)
    if not listed:  # the start event's form alone, checked as a task's form is (none, or not deployed: unchecked)
        return forms.validate_submission(uow, own, definition, {}, variables)
    schema, _ = _merged(uow, definition, _members(own, listed), own)
    return _compiled(uow, definition, schema).validate(variables, {})


def _members(own: str | None, listed: list[str]) -> list[str]:
    """The forms a bundle's start form merges: the start event's first, each once."""
    return list(dict.fromkeys([own, *listed])) if own else listed


def _own_schema(uow: UnitOfWork, definition: ProcessDefinition, form_key: str) -> dict[str, Any]:
    found = forms.describe(uow, form_key, definition, {})  # NotFound: not deployed
    if found.schema is None:
        raise NotFound(f"the start form of {definition.key!r} is {form_key!r}, a page the client application "
                       "renders: the server has no schema of it")
    return found.schema


def _merged(uow: UnitOfWork, definition: ProcessDefinition, listed: list[str], own: str | None
            ) -> tuple[dict[str, Any], list[str]]:
    member_forms = []
    for form_key in listed:
        named = f"the start event of {definition.key!r} names" if form_key == own else \
            f"bundle {definition.key!r} lists"
        try:
            found = forms.describe(uow, form_key, definition, {})
        except NotFound:
            raise ProcessError(f"{named} form {form_key!r}, which is not deployed; "
                               "deploy it with the diagram") from None
        if found.schema is None:
            raise ProcessError(f"{named} form {form_key!r}, which the server cannot read")
        member_forms.append((form_key, found.schema))
    return merge(member_forms, form_id=f"{definition.key}-start")


def _compiled(uow: UnitOfWork, definition: ProcessDefinition, schema: dict[str, Any]) -> CompiledForm:
    """The merged form compiled once per content (forms cache); the reader's checks apply to it too."""
    content = json.dumps(schema, ensure_ascii=False, sort_keys=True).encode()
    try:
        return uow.runtime.forms.get(hashlib.sha256(content).hexdigest(), f"{definition.key} 合并申请表",
                                     lambda: content)
    except DeploymentInvalid as exc:  # e.g. one form's key lies inside another form's value
        raise FormConflict(f"the member forms of {definition.key!r} cannot be merged: {exc.message}",
                           details=exc.details) from exc
