"""What a form-js schema says of the values it asks: each field's data path and label, its options' labels
(those read from case data too), and a value as the form would show it (an option by its label, yes or no,
an instant in local time, a size in bytes). The task page, the intake page and the case page read values
through these."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from engine.clock import LOCAL_TZ

from .i18n import gettext as _


def field_labels(schema: dict[str, Any]) -> dict[str, str]:
    """Data path -> field label, to name fields in the error summary (groups add their ``path``)."""
    return {path: str(component.get("label") or path) for path, component in form_fields(schema)}


def pattern_hints(schema: dict[str, Any]) -> dict[str, str]:
    """Data path -> the field's description, for each field with a pattern of its own (validate.pattern): an
    error says the format in the form's words (JY + 14 位数字), never as a regular expression."""
    return {path: str(component["description"]) for path, component in form_fields(schema)
            if (component.get("validate") or {}).get("pattern") and component.get("description")}


def option_labels(schema: dict[str, Any], data: dict[str, Any] | None = None) -> dict[str, dict[str, str]]:
    """Data path -> option value (as JSON) -> its label: errors name options as the clerk sees them. With the
    case's ``data``, options a field reads from it (form-js ``valuesKey``: the meeting's member departments)
    too, else those show their values (ZRZY, not 市自然资源和规划局)."""
    found: dict[str, dict[str, str]] = {}
    for path, component in form_fields(schema):
        values = component.get("values")
        if not isinstance(values, list) and data and isinstance(component.get("valuesKey"), str):
            values = data.get(component["valuesKey"])
        if isinstance(values, list):
            found[path] = {option_key(o.get("value")): str(o.get("label") or option_text(o.get("value")))
                           for o in values if isinstance(o, dict)}
    return found


def form_fields(schema: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    for component in schema.get("components") or []:
        if not isinstance(component, dict):
            continue
        if component.get("key"):
            yield f"{prefix}{component['key']}", component
        if component.get("components"):
            yield from form_fields(component, f"{prefix}{component['path']}." if component.get("path") else prefix)


def option_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def option_text(value: Any) -> str:
    return value if isinstance(value, str) else option_key(value)


def value_text(value: Any, options: dict[str, str]) -> str:
    """A submitted value as the form shows it: an option by its label, yes or no, lists joined."""
    if isinstance(value, list):
        return _("、").join(value_text(v, options) for v in value)
    if option_key(value) in options:
        return options[option_key(value)]
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value is None or value == "":
        return "—"
    return value if isinstance(value, str) else option_key(value)


def lookup(values: dict[str, Any], path: str) -> tuple[bool, Any]:
    current: Any = values
    for step in path.split("."):
        if not isinstance(current, dict) or step not in current:
            return False, None
        current = current[step]
    return True, current


def iso_local(value: object, fmt: str = "%Y-%m-%d") -> str:
    """An ISO instant kept in a history event's data (UTC) in local time (LOCAL_TZ); a bare date as it is."""
    if not isinstance(value, str) or not value:
        return "" if value is None else str(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.astimezone(LOCAL_TZ).strftime(fmt) if moment.tzinfo else moment.strftime(fmt)


# An instant as scripts and the diagrams' functions keep it (workdays(3): 2026-11-27T15:59:59+00:00): with its
# offset, so its local time is known; a bare date or a time without an offset reads as written.
ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})")


def local_instants(value: Any) -> Any:
    """``value`` with each instant in it (an ISO text with its offset, ISO_INSTANT; a list's items too) as
    the local time it is (LOCAL_TZ, to the minute); anything else as it is."""
    if isinstance(value, list):
        return [local_instants(item) for item in value]
    if isinstance(value, str) and ISO_INSTANT.fullmatch(value.strip()):
        return iso_local(value.strip(), "%Y-%m-%d %H:%M")
    return value


def file_size(size: int) -> str:
    """Bytes as a reader takes them in: 512 B, 1.5 KB, 20 MB (a small file is not "0.0 KB"); the pages'
    ``file_size`` filter."""
    if size < 2**10:
        return f"{size} B"
    if size < 2**20:
        return f"{round(size / 2**10, 1):g} KB"
    return f"{round(size / 2**20, 1):g} MB"
