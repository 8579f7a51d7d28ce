"""The case history and the audit log refuse UPDATE and DELETE in the database itself (migration 0030), on
SQLite and PostgreSQL alike; going down takes the guard away."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError

from engine import Runtime, users
from engine.models import AuditEntry, HistoryEvent
from tests import append_only
from tests.helpers import ApiClient, migrate


@pytest.fixture
def written(api: ApiClient, runtime: Runtime) -> None:
    """A case's history and an audit entry."""
    api.deploy("supplement.bpmn")
    api.start("supplement", business_key="AO-1")
    api.token("window_clerk")  # the user, and the audit entry adding it
    users.set_user(runtime.uow(), "window_clerk", groups=["office"], actor=users.SYSTEM)


def _refused(runtime: Runtime, statement: object) -> str:
    with pytest.raises(DBAPIError) as refused, runtime.engine.begin() as connection:
        connection.execute(statement)  # type: ignore[call-overload]
    return str(refused.value.orig)


def _counts(runtime: Runtime) -> tuple[int, int]:
    with runtime.engine.connect() as connection:
        return (connection.scalar(select(func.count()).select_from(HistoryEvent)) or 0,
                connection.scalar(select(func.count()).select_from(AuditEntry)) or 0)


@pytest.mark.usefixtures("written")
def test_history_and_the_audit_log_refuse_updates_and_deletes_from_any_connection(runtime: Runtime) -> None:
    before = _counts(runtime)
    assert before[0] > 0 and before[1] > 0
    for statement in (update(HistoryEvent).values(actor="someone else"), delete(HistoryEvent),
                      update(AuditEntry).values(actor="someone else"), delete(AuditEntry)):
        assert "append-only" in _refused(runtime, statement)
    assert _counts(runtime) == before
    with runtime.engine.connect() as connection:
        assert "someone else" not in set(connection.scalars(select(HistoryEvent.actor)))


@pytest.mark.usefixtures("written")
def test_lifted_within_one_transaction_the_guard_is_back_after_it(runtime: Runtime) -> None:
    with runtime.engine.begin() as connection, append_only.lifted(connection):
        connection.execute(update(AuditEntry).values(actor="migrated"))
    with runtime.engine.connect() as connection:
        assert set(connection.scalars(select(AuditEntry.actor))) == {"migrated"}
    assert "append-only" in _refused(runtime, delete(AuditEntry))


@pytest.mark.usefixtures("written")
def test_0030_installs_the_guard_and_going_down_removes_it(runtime: Runtime) -> None:
    try:
        migrate(runtime, "0029", down=True)
        with runtime.engine.begin() as connection:  # no guard below 0030
            connection.execute(update(HistoryEvent).values(actor="before the guard"))
        migrate(runtime, "0030")
        assert "append-only" in _refused(runtime, update(HistoryEvent).values(actor="after the guard"))
    finally:
        migrate(runtime, "heads")
    with runtime.engine.connect() as connection:
        assert set(connection.scalars(select(HistoryEvent.actor))) == {"before the guard"}
