"""Who may start a case of a process: the candidate starters its diagram names (Camunda's
``camunda:candidateStarterGroups`` and ``candidateStarterUsers``, kept at deploy by engine.camunda).

They bound a person starting a case by naming the process (``instances.start``: the API's start and the
intake page). A message start is not bounded by them: the message start event is how the diagram lets another
system start it (only an integrator's message starts a case, never a clerk's record) or another case's throw,
which no user sends; nor is a call activity, which starts no case. Camunda 7 itself only lists them (its
Tasklist's start menu, ``startableByUser`` queries) and checks no start against them.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select

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
        if _named(starters, actor):
            continue
        assert starters is not None
        named = [*(f"group {g}" for g in starters["groups"]), *(f"user {u}" for u in starters["users"])]
        raise Forbidden(f"{actor.name} may not start a case of {definition.key!r}: its diagram (version "
                        f"{version.version}) lets only {', '.join(named)} start it "
                        "(camunda:candidateStarterGroups / candidateStarterUsers)", process_key=definition.key)


def _named(starters: dict[str, list[str]] | None, actor: Actor) -> bool:
    """Whether ``starters`` (None: nobody named) let ``actor`` start."""
    return starters is None or actor.name in starters["users"] or bool(actor.groups.intersection(starters["groups"]))


def may_start(uow: UnitOfWork, key: str, actor: Actor) -> bool:
    """Whether ``actor`` may start a case of the latest version of process ``key`` (``require_starter``), for
    pages that offer the start; False when ``key`` is not deployed."""
    return key in startable(uow, [key], actor)


def startable(uow: UnitOfWork, keys: Iterable[str], actor: Actor) -> set[str]:
    """Which of processes ``keys`` ``actor`` may start (``may_start`` for a catalogue: one read of their
    latest versions)."""
    wanted = set(keys)
    if not wanted:
        return set()
    with uow:
        latest = (select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
                  .where(ProcessDefinition.key.in_(wanted)).group_by(ProcessDefinition.key).subquery())
        found = uow.session.scalars(select(ProcessDefinition).join(
            latest, (ProcessDefinition.key == latest.c.key) & (ProcessDefinition.version == latest.c.version)))
        admin = "admin" in actor.roles
        return {d.key for d in found if admin or _named(stored_starters(uow, d), actor)}
