"""Confidential case variables (保密字段): personal data a case carries that only some readers need, such as
a complainant's name and phone, which the department complained about must not learn (举报投诉人信息保密).

A diagram names them in the process property ``govflow.confidential`` (comma- or space-separated variable
names). Then:

* history never stores their values: a step that set one records ``***`` (history is read by every case
  reader, webhooks and the archive, and is append-only, so it must not hold them at all);
* a case's variables, wherever they are shown (the API, the case page, the archive), carry ``***`` in their
  place, except to supervisors and admins;
* a task's form still shows them when the form lists them: the form is the analyst's statement of what
  the task's workers need to know (the complaints desk's answer form lists the complainant's phone, the
  responsible department's form does not).
"""
from __future__ import annotations

import re
from typing import Any

from .models import ProcessDefinition
from .unit_of_work import UnitOfWork
from .users import Actor

PROPERTY = "govflow.confidential"
CONCEALED = "***"
_SEPARATORS = re.compile(r"[\s,，、;；]+")


def names(uow: UnitOfWork, definition: ProcessDefinition) -> frozenset[str]:
    """The confidential variable names a definition declares (empty for most processes)."""
    from .execution import process_properties  # execution writes history through this module

    declared = process_properties(uow, definition).get(PROPERTY) or ""
    return frozenset(name for name in _SEPARATORS.split(declared) if name)


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


def for_reader(uow: UnitOfWork, definition: ProcessDefinition, variables: dict[str, Any], actor: Actor
               ) -> dict[str, Any]:
    """A case's variables as ``actor`` may read them."""
    if sees_all(actor):
        return variables
    return conceal(variables, names(uow, definition))
