"""The unit of work: one command, one transaction. Only this module commits."""
from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ._form_compiler import FormCache
from ._spiff import SpecCache
from ._workdays import CalendarCache
from .db import make_engine, make_session_factory
from .form_key_cache import FormKeyCache
from .settings import Settings
from .webhook_targets import WebhookTargets

if TYPE_CHECKING:  # engine.execution imports this module
    from .execution import Case


class Runtime:
    """What every command needs besides its arguments: settings, the database, caches.

    Built once per process by an entrypoint and shared by all its threads.
    """

    def __init__(self, settings: Settings, *, engine: Engine | None = None) -> None:
        self.settings = settings
        self.engine = engine or make_engine(settings.database_url)
        self.session_factory: sessionmaker[Session] = make_session_factory(self.engine)
        self.specs = SpecCache()
        self.forms = FormCache()  # compiled task forms by content hash
        self.form_keys = FormKeyCache()  # which deployed form a formKey names, per definition
        self.webhook_targets = WebhookTargets()  # the webhooks outbox events fan out to
        self.calendars = CalendarCache()  # working-day calendars by name (engine.calendar)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self)

    def dispose(self) -> None:
        self.engine.dispose()


class UnitOfWork:
    """``with runtime.uow() as uow: ...; uow.commit()`` — leaving without commit rolls back."""

    session: Session

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self._depth = 0  # entered and not left yet: a helper's own ``with uow`` joins the caller's session
        # Cases loaded to read (engine.execution.read_case) in this session, by id: a page's panels share one.
        self.read_cases: dict[int, Case] = {}

    def __enter__(self) -> UnitOfWork:
        # A second session here would orphan the first, left open (idle in a transaction, holding its locks)
        # until collected: the outermost ``with`` owns the one session.
        if self._depth == 0:
            self.session = self.runtime.session_factory()
            self.read_cases.clear()
        self._depth += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth == 0:
            # close() rolls back whatever was not committed and detaches objects without expiring them,
            # so results read in the command stay readable by the caller.
            self.session.close()
            self.read_cases.clear()

    def commit(self) -> None:
        self.session.commit()
        self.read_cases.clear()  # what was read before may have changed

    @property
    def dialect(self) -> str:
        return self.runtime.engine.dialect.name
