"""The ways a result may reach the applicant, as the item's guide offers them (``delivery_methods``: window,
electronic, self_service, mail): a delivery step's form shows only those, and its completion takes no other.
A form names the way in ``delivery_method`` (a one-thing bundle's in ``delivery.method``)."""
from __future__ import annotations

import copy
from typing import Any

from . import guides
from .errors import ValidationFailed
from .forms import TaskForm
from .models import ProcessInstance
from .unit_of_work import UnitOfWork

FIELDS = ("delivery_method", "delivery.method")


def offered(uow: UnitOfWork, row: ProcessInstance) -> list[str] | None:
    """The ways the latest guide of the case's item offers; None without a guide that lists them."""
    guide = guides.latest_for_process(uow, row.definition_key)
    methods = guide.content.get("delivery_methods") if guide is not None else None
    return [m for m in methods if isinstance(m, str)] or None if isinstance(methods, list) else None


def narrowed(schema: dict[str, Any] | None, methods: list[str] | None) -> dict[str, Any] | None:
    """``schema`` with the options of its delivery fields cut to ``methods`` (a copy; as it is without them)."""
    if schema is None or not methods or not any(_fields(schema)):
        return schema
    schema = copy.deepcopy(schema)
    for component in _fields(schema):
        component["values"] = [o for o in component["values"] if not isinstance(o, dict) or o.get("value") in methods]
    return schema


def narrow(uow: UnitOfWork, row: ProcessInstance, form: TaskForm) -> None:
    """A task's form as the case's delivery step shows it: its delivery options cut to the guide's (``narrowed``)."""
    form.schema = narrowed(form.schema, offered(uow, row))


def require_offered(uow: UnitOfWork, row: ProcessInstance, submitted: dict[str, Any]) -> None:
    """Refuse a delivery step's completion naming a way the item's guide does not offer. A helper of
    engine.tasks.complete: the caller's transaction.

    Raises ValidationFailed, naming the field and the ways offered."""
    chosen = {path: value for path in FIELDS if (value := _value(submitted, path)) not in (None, "")}
    if not chosen:
        return
    methods = offered(uow, row)
    for path, value in chosen.items():
        if methods is not None and value not in methods:
            raise ValidationFailed(f"{path}: {value!r} is not a way the item's guide delivers results "
                                   f"({', '.join(methods)})", details=[
                {"field": path, "rule": "options", "params": {"options": methods},
                 "message": f"options: one of {', '.join(methods)}"}])


def _fields(schema: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    """The delivery components of a form-js schema (through groups and their paths) with static options."""
    found = []
    for component in schema.get("components") or []:
        if not isinstance(component, dict):
            continue
        if f"{prefix}{component.get('key')}" in FIELDS and isinstance(component.get("values"), list):
            found.append(component)
        if component.get("components"):
            found += _fields(component, f"{prefix}{component['path']}." if component.get("path") else prefix)
    return found


def _value(data: dict[str, Any], path: str) -> Any:
    current: Any = data
    for step in path.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(step)
    return current
