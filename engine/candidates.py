"""Which tasks name whom, as SQL conditions on ``Task``: the queues (engine.tasks, engine.inbox) and the
case scope (engine.case_access) read them the same way engine.tasks.may_work decides one task.

Each is a set of task ids found through the candidates' (kind, value) index, computed once per query:
written as EXISTS per task inside an OR, every open task was looked up on every queue read.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, Text, and_, false, or_, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.sql import ColumnElement

from .models import Task, TaskCandidate
from .users import Actor


def candidate_of(actor: Actor) -> ColumnElement[bool]:
    """The task lists the actor, or one of the actor's groups, as a candidate."""
    return Task.id.in_(select(TaskCandidate.task_id).where(_names(actor)))


def cases_of_candidate(actor: Actor) -> Select[Any]:
    """The ids of the cases with a task (open or done) that lists the actor, or one of their groups."""
    return select(TaskCandidate.instance_id).where(_names(actor))


def _names(actor: Actor) -> ColumnElement[bool]:
    return or_(and_(TaskCandidate.kind == "group", TaskCandidate.value.in_(sorted(actor.groups)))
               if actor.groups else false(),
               and_(TaskCandidate.kind == "user", TaskCandidate.value == actor.name))


def lists_candidate(kind: str, value: str) -> ColumnElement[bool]:
    """The task lists this group (``kind`` "group") or user ("user") as a candidate."""
    return Task.id.in_(select(TaskCandidate.task_id).where(TaskCandidate.kind == kind, TaskCandidate.value == value))


def names_nobody() -> ColumnElement[bool]:
    """The task names no candidate group or user, read from its own lists as may_work reads them.

    The lists are compared as stored text: every writer stores them through the JSON type's json.dumps
    ("[]"), and PostgreSQL's json type keeps text as written."""
    def empty(names: Any) -> ColumnElement[bool]:  # a JSON list as stored: "[]" (or null)
        return or_(sql_cast(names, Text).in_(("[]", "null")), names.is_(None))
    return and_(empty(Task.candidate_groups), empty(Task.candidate_users))


def open_to_every_clerk() -> ColumnElement[bool]:
    """An open user task nobody was named for and nobody holds: every clerk's (engine.tasks.may_work), and
    so is its case (engine.case_access)."""
    return and_(Task.kind == "user", Task.state == "READY", Task.assignee.is_(None), names_nobody())
