"""Database engines: SQLite tuned for one writer at a time, PostgreSQL through psycopg 3."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Engine, Result, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

CONNECT_TIMEOUT_SECONDS = 10  # PostgreSQL, unless DATABASE_URL says ?connect_timeout=


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and route them to psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None: another database, or SQLite in memory)."""
    url = normalise_url(url)
    if not url.startswith("sqlite"):
        return None
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" else None


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "before_execute", _write_lock_for_locking_reads)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if "connect_timeout" not in make_url(url).query:
        # libpq waits for an unreachable host as long as TCP does (minutes): a request, or the health check,
        # would outlive the server's worker timeout instead of answering that the database is away.
        kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS, **kwargs.get("connect_args", {})}
    return create_engine(url, **kwargs)


def ping(engine: Engine) -> None:
    """One round trip to the database (the health check). Raises SQLAlchemyError when it cannot be used."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers go on while one writer commits; NORMAL sync is safe under WAL and twice as fast.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _write_lock_for_locking_reads(connection: Connection, statement: Any, *_: Any) -> None:
    """SQLite has no row locks and leaves FOR UPDATE out, and its driver begins a transaction only at the first
    write: a command's locking read (a case's row lock, a clock before an extension) would check rows that a
    concurrent command may change before this one writes. Beginning the transaction there with the database's
    write lock (BEGIN IMMEDIATE) makes the read what FOR UPDATE is on PostgreSQL: it waits for the writer
    ahead (busy_timeout) and reads what that one committed. As there, an object the session loaded before is
    not refreshed by it: a command reads what it checks after the lock. Sent through SQLAlchemy, so that a
    timeout is its OperationalError, as any statement's."""
    if getattr(statement, "_for_update_arg", None) is None:
        return
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is not None and not dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def transaction_memo(session: Session, key: str) -> dict[Any, Any]:
    """A dict that lives as long as the session's current transaction: for answers one command asks for
    several times (a guide, a calendar) and that only a write in the same transaction could change —
    such a write pops ``key`` from ``session.info``."""
    if session.get_transaction() is None:
        session.connection()  # begins the transaction the memo belongs to; the reads would begin it anyway
    transaction = session.get_transaction()
    held = session.info.get(key)
    if held is None or held[0] is not transaction:
        held = session.info[key] = (transaction, {})
    return cast(dict[Any, Any], held[1])


def advisory_lock(bind: Session | Connection, name: str) -> None:
    """Hold the lock ``name`` until the transaction ends: another transaction taking it waits until then.
    For commands whose rows give no single row to lock first (whether an admin remains, an empty database
    being migrated). PostgreSQL only: SQLite's writers take turns anyway."""
    dialect = bind.get_bind().dialect if isinstance(bind, Session) else bind.dialect
    if dialect.name != "postgresql":
        return
    # pg_advisory_xact_lock takes a 64-bit key: the name's first 8 bytes of hash, the same in every process.
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    bind.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def insert_unless_present(session: Session, model: Any, keys: list[str] | None) -> Any:
    """INSERT … ON CONFLICT (keys) DO NOTHING on the session's database, for rows a concurrent command may
    have written first. On PostgreSQL a concurrent uncommitted row makes the insert wait, then skip it.

    ``keys`` None: ON CONFLICT DO NOTHING with no target, skipping a row that any unique constraint or
    index refuses; on PostgreSQL only this covers a partial unique index."""
    dialect_insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return dialect_insert(model).on_conflict_do_nothing(index_elements=keys)


def affected(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched (``Session.execute`` types its result as a plain ``Result``)."""
    return cast(CursorResult[Any], result).rowcount or 0
