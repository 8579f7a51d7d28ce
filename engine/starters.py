"""Who may start a case of a process: the candidate starters its diagram names (Camunda's
``camunda:candidateStarterGroups`` and ``candidateStarterUsers``, kept at deploy by engine.camunda).

They bound a person starting a case by naming the process (``instances.start``: the API's start and the
intake page). A message start is not bounded by them: the message start event is how the diagram lets another
system start it (only an integrator's message starts a case, never a clerk's record) or another case's throw,
which no user sends; nor is a call activity, which starts no case. Camunda 7 itself only lists them (its
Tasklist's start menu, ``startableByUser`` queries) and checks no start against them.
"""
from __future__ import annotations

from typing import Any

from . import execution
from .bpmn_xml import PROCESS_KEY
from .errors import Forbidden
from .models import ProcessDefinition
from .unit_of_work import UnitOfWork
from .users import Actor


def stored_starters(uow: UnitOfWork, definition: ProcessDefinition) -> dict[str, list[str]] | None:
    """The groups and users ``definition`` names as its starters (``{"groups": [...], "users": [...]}``), or
    None when it names nobody (and whoever starts cases starts its)."""
    elements: dict[str, Any] = uow.runtime.specs.get(definition).elements.get(definition.key, {})
    starters: dict[str, list[str]] | None = elements.get(PROCESS_KEY, {}).get("starters")
    return starters


def require_starter(uow: UnitOfWork, definition: ProcessDefinition, actor: Actor) -> None:
    """Allow ``actor`` to start a case of ``definition`` when neither it nor the latest version of its process
    names starters that leave ``actor`` out, or ``actor`` is an admin: naming an older version does not get
    round a restriction the process has now.

    Raises:
        Forbidden: a version names its starters and ``actor`` is none of them.
    """
    if "admin" in actor.roles:
        return
    latest = execution.latest_definition(uow, definition.key)
    for version in dict.fromkeys([definition, *([latest] if latest is not None else [])]):
        starters = stored_starters(uow, version)
        if starters is None or actor.name in starters["users"] or actor.groups.intersection(starters["groups"]):
            continue
        named = [*(f"group {g}" for g in starters["groups"]), *(f"user {u}" for u in starters["users"])]
        raise Forbidden(f"{actor.name} may not start a case of {definition.key!r}: its diagram (version "
                        f"{version.version}) lets only {', '.join(named)} start it "
                        "(camunda:candidateStarterGroups / candidateStarterUsers)", process_key=definition.key)


def may_start(uow: UnitOfWork, key: str, actor: Actor) -> bool:
    """Whether ``actor`` may start a case of the latest version of process ``key`` (``require_starter``), for
    pages that offer the start; False when ``key`` is not deployed."""
    with uow:
        latest = execution.latest_definition(uow, key)
        if latest is None:
            return False
        try:
            require_starter(uow, latest, actor)
        except Forbidden:
            return False
        return True
