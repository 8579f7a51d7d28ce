"""A case's row lock (SELECT ... FOR UPDATE on its process_instances row; on SQLite the database's write
lock, engine.db).

Every command that saves a case takes it with its version-checked update. What else writes for a case
takes it first, to queue behind those commands: a claim or an assignment sees the departments a running
command adds, and an event written outside the case's commands (the supervision sweep, an expired
message) keeps its place in the case's delivery order. Take one case's lock at a time, or in case order.
"""
from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from .models import ProcessInstance

_LOCK = select(ProcessInstance.id).where(ProcessInstance.id == bindparam("case_id")).with_for_update()


def lock_case(session: Session, case_id: int) -> None:
    """Wait for, then hold until the transaction ends, the case's row lock."""
    session.execute(_LOCK, {"case_id": case_id})
