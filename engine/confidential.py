"""Confidential case variables (保密字段): personal data a case carries that only some readers need, such as
a complainant's name and phone, which the department complained about must not learn (举报投诉人信息保密).

A diagram names them in the process property ``govflow.confidential`` (comma- or space-separated variable
names); a case keeps those of every process it runs (its own and the processes it calls). Then:

* history never stores their values: a step that set one records ``***``, and their text is taken out of
  everything else history keeps (element names, document titles, error messages), as it is out of the
  errors a command answers with (history is read by every case reader, webhooks and the archive, and is
  append-only, so it must not hold them at all);
* task names and task metadata written as expressions see them as ``***``: queues show them to everyone;
* a case's variables, wherever they are shown (the API, the case and task pages, the archive), carry
  ``***`` in their place, except to supervisors and admins;
* a task's form still shows them when the form lists them: the form is the analyst's statement of what
  the task's workers need to know (the complaints desk's answer form lists the complainant's phone, the
  responsible department's form does not);
* a document issued with one in its text is read by supervision and by its applicant (engine.documents).

Message payloads another case receives carry what the diagram puts in them. A notice to the applicant
keeps the recipient's number for the SMS relay alone (engine.notify, engine.delivery.is_relay).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .errors import EngineError
from .models import ProcessDefinition
from .unit_of_work import UnitOfWork
from .users import Actor

PROPERTY = "govflow.confidential"
CONCEALED = "***"
_SEPARATORS = re.compile(r"[\s,，、;；]+")
SHORTEST_SCRUBBED = 2  # a one-character value ("男") is concealed where it is named, not hunted in text


def names(uow: UnitOfWork, definitions: Iterable[ProcessDefinition]) -> frozenset[str]:
    """The confidential variable names the definitions declare (empty for most processes)."""
    from .execution import process_properties  # execution writes history through this module

    found: set[str] = set()
    for definition in definitions:
        found.update(parse(process_properties(uow, definition).get(PROPERTY)))
    return frozenset(found)


def parse(declared: str | None) -> list[str]:
    """The names a ``govflow.confidential`` value lists (commas, 、, semicolons or spaces between)."""
    return [name for name in _SEPARATORS.split(declared or "") if name]


def sees_all(actor: Actor) -> bool:
    """Supervision and administration read confidential variables; every other reader sees them concealed."""
    return actor.has("supervisor")


def conceal(value: Any, hidden: frozenset[str]) -> Any:
    """``value`` with every entry named in ``hidden`` replaced by ``***``, at any depth (history data nests
    variables under ``variables`` or ``changed``); unchanged when nothing is hidden."""
    if not hidden:
        return value
    if isinstance(value, dict):
        return {key: CONCEALED if key in hidden and item not in (None, "") else conceal(item, hidden)
                for key, item in value.items()}
    if isinstance(value, list):
        return [conceal(v, hidden) for v in value]
    return value


def for_reader(variables: dict[str, Any], hidden: frozenset[str], actor: Actor) -> dict[str, Any]:
    """A case's variables as ``actor`` may read them."""
    return variables if sees_all(actor) else conceal(variables, hidden)


def texts(data: dict[str, Any], hidden: frozenset[str]) -> list[str]:
    """The text of every confidential value in ``data`` (longest first, so a value containing another is
    taken out whole), to take out of free text."""
    found: set[str] = set()

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                collect(item)
        elif value is not None and not isinstance(value, bool) and len(str(value)) >= SHORTEST_SCRUBBED:
            found.add(str(value))
    for key in hidden:
        if key in data:
            collect(data[key])
    return sorted(found, key=len, reverse=True)


def scrub(value: Any, secrets: list[str]) -> Any:
    """``value`` (text, or data holding text at any depth) with each of ``secrets`` replaced by ``***``."""
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, CONCEALED)
        return value
    if isinstance(value, dict):
        return {key: scrub(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item, secrets) for item in value]
    return value


# Where history items carry case variables by name (anything else keyed like a variable is the engine's own).
VARIABLE_KEYS = ("variables", "changed", "payload", "correlations")


def history_item(item: dict[str, Any], hidden: frozenset[str], secrets: list[str]) -> dict[str, Any]:
    """A history item's texts without confidential values: variables under their names become ``***``,
    and their text is taken out of every other string (element names, titles, reasons, errors)."""
    data = dict(item.get("data") or {})
    for key in VARIABLE_KEYS:
        if isinstance(data.get(key), dict):
            data[key] = conceal(data[key], hidden)
    return {"data": scrub(data, secrets), "element_name": scrub(item.get("element_name"), secrets)}


def scrub_error(error: EngineError, secrets: list[str]) -> EngineError:
    """The error with confidential text taken out of its message and details (it is answered to the
    caller and, for a timer's failure, kept as an incident in history)."""
    if secrets:
        error.message = scrub(error.message, secrets)
        error.details = scrub(error.details, secrets)
        error.args = (error.message,)
        error.__cause__, error.__suppress_context__ = None, True  # the original quotes them too
    return error
