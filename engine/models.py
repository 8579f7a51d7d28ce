"""Tables. The serialized workflow is the truth for execution; the other tables are projections
written in the same transaction, shaped for the queries that read them (inbox, timers, messages)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from .clock import utcnow


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UtcDateTime}


# A 64-bit autoincrement key that SQLite also accepts (it only autoincrements INTEGER PRIMARY KEY).
BigId = BigInteger().with_variant(Integer(), "sqlite")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    groups: Mapped[list[Any]] = mapped_column(default=list)
    roles: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # For the pages' login: "scrypt$n$r$p$salt$hash" (engine.users.hash_password); NULL = no password set.
    password_hash: Mapped[str | None] = mapped_column(String(255))

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Only the SHA-256 of a token is kept: a leaked database does not leak usable tokens.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class Deployment(Base):
    __tablename__ = "deployments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    deployed_by: Mapped[str | None] = mapped_column(String(100))
    deployed_at: Mapped[datetime] = mapped_column(default=utcnow)

    resources: Mapped[list[Resource]] = relationship(back_populates="deployment", order_by="Resource.id")


class Resource(Base):
    """A file of a deployment (diagram, form, guide), kept byte for byte."""

    __tablename__ = "resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20))  # bpmn | dmn | form | guide | document
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64), index=True)

    deployment: Mapped[Deployment] = relationship(back_populates="resources")


class ProcessDefinition(Base):
    __tablename__ = "process_definitions"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), index=True)
    version: Mapped[int]
    name: Mapped[str | None] = mapped_column(String(500))
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"))
    resource_name: Mapped[str] = mapped_column(String(500))
    # Hash of everything that makes this version: its diagram bytes and the decision tables its business rule
    # tasks run (engine.definitions._store); unchanged content is not re-versioned.
    content_hash: Mapped[str] = mapped_column(String(64))
    # The parsed spec, stored once per version instead of inside every case's state.
    # Large columns are deferred: each process restores them once into its spec cache.
    spec: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    # Embedded subprocess specs (subProcess, transaction, event subprocess), keyed by element id.
    subprocess_specs: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    # Process ids of call activities, resolved against deployed definitions when the call happens.
    called_keys: Mapped[list[Any]]
    # Per element: candidate groups, assignee, due date, form key, properties ... (see engine.diagrams).
    elements: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    # Message names of message start events: a message with such a name starts a case.
    start_messages: Mapped[list[Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    resource: Mapped[Resource] = relationship()


class ProcessInstance(Base):
    """A case (办件): one run of a definition, with its serialized workflow."""

    __tablename__ = "process_instances"
    __table_args__ = (
        UniqueConstraint("definition_key", "business_key"),
        Index("ix_instances_state_started", "state", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"), index=True)
    definition_key: Mapped[str] = mapped_column(String(255))
    business_key: Mapped[str] = mapped_column(String(50), index=True)
    state: Mapped[str] = mapped_column(String(20))  # running | suspended | completed | terminated | error
    # Optimistic concurrency: every command bumps it; a stale writer gets Conflict.
    version: Mapped[int] = mapped_column(default=1)
    workflow: Mapped[bytes] = mapped_column(LargeBinary)
    # Which definition each called process runs on, once its first call happened.
    called_versions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_by: Mapped[str | None] = mapped_column(String(100))
    # The applicant's name (申请人) as the case's variables hold it, written by every save
    # (engine.execution.applicant_of): what the window finds a case by. None: none given, or confidential.
    applicant_name: Mapped[str | None] = mapped_column(String(100), index=True)
    # Accepted under an entrustment (its ``case_delegations`` row, engine.delegations): each new task asks.
    accepted_on_behalf: Mapped[bool] = mapped_column(default=False, server_default=false())
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    end_reason: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)

    definition: Mapped[ProcessDefinition] = relationship(lazy="joined")


class Task(Base):
    """The inbox: one row per user task ever reached. Open rows are READY."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_state_due", "state", "due_at"),
        Index("ix_tasks_assignee_state", "assignee", "state"),
        Index("ix_tasks_instance_state", "instance_id", "state"),
        Index("ix_tasks_key_state", "definition_key", "state"),
        # A worker polls its topic's open tasks, by due date (Camunda's fetch-and-lock is by topic).
        Index("ix_tasks_topic_state_due", "topic", "state", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow task id
    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("process_instances.id", ondelete="CASCADE"))
    definition_key: Mapped[str] = mapped_column(String(255))
    business_key: Mapped[str] = mapped_column(String(50), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(500))
    lane: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(20))  # READY | COMPLETED | CANCELLED
    # user: a person works it; external: a system completes it over the API (Java hooks in Camunda diagrams)
    kind: Mapped[str] = mapped_column(String(10), default="user")
    assignee: Mapped[str | None] = mapped_column(String(100))
    candidate_groups: Mapped[list[Any]] = mapped_column(default=list)
    candidate_users: Mapped[list[Any]] = mapped_column(default=list)
    due_at: Mapped[datetime | None]
    follow_up_at: Mapped[datetime | None]
    priority: Mapped[int] = mapped_column(default=50)
    form_key: Mapped[str | None] = mapped_column(String(500))
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(100))
    # External tasks: the topic workers poll for; a worker's claim that lapses unless completed by then
    # (a task_lock job releases it); a failure the worker reported, which keeps the task from workers
    # until a supervisor retries it.
    topic: Mapped[str | None] = mapped_column(String(255))
    lock_expires_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    error_message: Mapped[str | None] = mapped_column(Text)

    candidates: Mapped[list[TaskCandidate]] = relationship(
        cascade="all, delete-orphan", lazy="select", back_populates="task"
    )

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> Task:
        """A transient task holding a row read in Core (all its columns), as ``Task(**row)`` would, without
        an attribute event per column: commands build one per open task row they read, and never add it
        to a session."""
        task = cls.__mapper__.class_manager.new_instance()
        task.__dict__.update(row)
        return task


class TaskCandidate(Base):
    """Who may claim a task: one row per candidate group or user, indexed for queue queries."""

    __tablename__ = "task_candidates"
    __table_args__ = (Index("ix_task_candidates_lookup", "kind", "value", "task_id"),
                      Index("ix_task_candidates_case", "kind", "value", "instance_id"))

    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # group | user
    value: Mapped[str] = mapped_column(String(255), primary_key=True)
    # The task's case, copied: a clerk's case scope finds the cases of their candidate tasks from this
    # table's index alone, without reading every task (engine.case_access).
    instance_id: Mapped[int] = mapped_column(BigId)

    task: Mapped[Task] = relationship(back_populates="candidates")


class MessageSubscription(Base):
    """A case waiting for a message: written when it starts waiting, found by name + case key."""

    __tablename__ = "message_subscriptions"
    __table_args__ = (
        Index("ix_subscriptions_name_bk", "message_name", "business_key"),
        Index("ix_subscriptions_instance", "instance_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("process_instances.id", ondelete="CASCADE"))
    task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(255))
    message_name: Mapped[str] = mapped_column(String(255))
    business_key: Mapped[str] = mapped_column(String(50))
    correlations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Job(Base):
    """A due time the engine must act on (a BPMN timer). APScheduler only wakes workers; this is the truth."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_state_due", "state", "due_at"),
        Index("ix_jobs_instance", "instance_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("process_instances.id", ondelete="CASCADE"))
    task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20), default="timer")
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending | done | failed | cancelled
    attempts: Mapped[int] = mapped_column(default=0)
    lock_owner: Mapped[str | None] = mapped_column(String(100))
    lock_expires_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HistoryEvent(Base):
    """Append-only trail of every command and every BPMN step."""

    __tablename__ = "history"
    __table_args__ = (Index("ix_history_instance_id", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    instance_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("process_instances.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str | None] = mapped_column(String(100))
    event: Mapped[str] = mapped_column(String(50))
    element_id: Mapped[str | None] = mapped_column(String(255))
    element_name: Mapped[str | None] = mapped_column(String(500))
    element_type: Mapped[str | None] = mapped_column(String(100))
    task_id: Mapped[str | None] = mapped_column(String(36))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Calendar(Base):
    """A working-day calendar: "CN" (national, seeded from chinese-calendar) or a region's own."""

    __tablename__ = "calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    description: Mapped[str | None] = mapped_column(String(500))
    region: Mapped[str | None] = mapped_column(String(100))
    # A regional calendar takes its parent's days and adds local ones (its own rows win on a date).
    extends_id: Mapped[int | None] = mapped_column(ForeignKey("calendars.id"))
    # Replaced by a random number on every change to the calendar's days: processes compare it to
    # refresh their cached copy (random, so a rolled-back change can never match a committed one).
    version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarYear(Base):
    """A year a calendar has announced data for; other years count weekdays only (provisional)."""

    __tablename__ = "calendar_years"

    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendars.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(100))  # "chinese-calendar 1.11.0", "import: 2027.json", "api"
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    loaded_by: Mapped[str | None] = mapped_column(String(100))


class CalendarDay(Base):
    """An exception to the Monday-to-Friday week: a holiday, or a make-up working day (调休)."""

    __tablename__ = "calendar_days"

    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendars.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # holiday | workday
    name: Mapped[str | None] = mapped_column(String(100))  # 春节, 国庆节 ...


# ---- integrations: materials, outbox and webhooks, idempotency keys, buffered messages -------------

class Material(Base):
    """A file submitted to a case (申请材料); the bytes live in engine.storage, addressed by their hash."""

    __tablename__ = "materials"
    __table_args__ = (Index("ix_materials_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("process_instances.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))  # the material's name in the guide
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Withdrawn by the window before acceptance (a wrong file, the wrong scan): kept for the archive and the
    # history, no longer counted by the checklist (engine.materials.withdraw_upload).
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(String(500))


class MaterialMark(Base):
    """How a material the guide lists was received other than as an upload: its paper original checked at
    the window (纸质原件已核验), not applicable to this application (不适用, a conditional material), or
    obtained through data sharing (通过数据共享获取, a material its guide marks ``shared``).
    One per material of a case, with who recorded it and when (engine.materials.record)."""

    __tablename__ = "material_marks"
    # Never reuse the id of a deleted one on SQLite (PostgreSQL's sequence never does): taking a mark back
    # deletes its row and DELETE .../materials/marks/MARK_ID names it by id, so a stale or retried one must
    # not take back the next mark recorded.
    __table_args__ = (UniqueConstraint("instance_id", "name", name="uq_material_marks_instance_name"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("process_instances.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))  # the material's name in the guide
    kind: Mapped[str] = mapped_column(String(20))  # paper_checked | not_applicable | shared
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxEvent(Base):
    """A case event for the outside world, written in the transaction of the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)  # receivers deduplicate by it
    event: Mapped[str] = mapped_column(String(50))
    instance_id: Mapped[int | None] = mapped_column(BigId)  # none for events of no case (an expired message)
    business_key: Mapped[str | None] = mapped_column(String(50))
    definition_key: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Webhook(Base):
    """A subscription: outbox events of the listed types are POSTed, signed, to the URL."""

    __tablename__ = "webhooks"
    # Never reuse the id of a deleted one on SQLite (PostgreSQL's sequence never does): the audit log names
    # webhooks by id, and a new subscription must not take over an old one's entries.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[Any]] = mapped_column(default=list)  # empty: every event
    # Kept readable because every delivery is signed with it; the API shows it only at creation.
    secret: Mapped[str] = mapped_column(String(100))
    owner: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set while it may not deliver (its owner lost the integrator role): no event is queued for it, and those
    # queued before wait, until the owner or an admin enables it again (engine.webhooks.enable).
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    # The latest delivery attempt to it, of any of its deliveries (engine.delivery): whether its receiver
    # answers now, without waiting for the retries to run out into dead letters.
    last_attempt_at: Mapped[datetime | None]
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class WebhookDelivery(Base):
    """One event for one webhook: pending until delivered, or dead after the last retry."""

    __tablename__ = "webhook_deliveries"
    # Never reuse the id of a deleted one on SQLite (PostgreSQL's sequence never does): the audit log
    # (webhook.replayed), the X-Govflow-Delivery header and the replay URL name deliveries by id, and the
    # deliveries of a webhook deleted with discard=true must not lend theirs to the next ones.
    __table_args__ = (
        UniqueConstraint("webhook_id", "outbox_id"),
        Index("ix_deliveries_state_next", "state", "next_attempt_at"),
        # The claim takes the oldest due ones (ORDER BY outbox_id LIMIT): read in that order, it stops early
        # even when a receiver's outage left tens of thousands pending.
        Index("ix_deliveries_state_outbox", "state", "outbox_id"),
        # A case's next event waits for its earlier ones: the claim looks up this queue.
        Index("ix_deliveries_queue", "webhook_id", "instance_id", "state", "outbox_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    outbox_id: Mapped[int] = mapped_column(BigId, ForeignKey("outbox.id", ondelete="CASCADE"))
    instance_id: Mapped[int | None] = mapped_column(BigId)
    state: Mapped[str] = mapped_column(String(20), default="pending")  # pending | delivered | dead
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lock_owner: Mapped[str | None] = mapped_column(String(100))
    lock_expires_at: Mapped[datetime | None]
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyKey(Base):
    """A client's Idempotency-Key: the request it first came with, and that request's response."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_name", "key"), Index("ix_idempotency_expires", "expires_at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_name: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256 of method, path and body (api.idempotency)
    state: Mapped[str] = mapped_column(String(20))  # in_progress | done
    status_code: Mapped[int | None]
    content_type: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class BufferedMessage(Base):
    """A message that came before any case waited for it, kept until a case subscribes or it expires."""

    __tablename__ = "buffered_messages"
    __table_args__ = (Index("ix_buffered_name_state", "message_name", "state", "expires_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_name: Mapped[str] = mapped_column(String(255))
    business_key: Mapped[str | None] = mapped_column(String(50))
    instance_id: Mapped[int | None] = mapped_column(BigId)
    correlations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    variables: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sent_by: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20), default="buffered")  # buffered | delivered | expired | refused
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    delivered_to: Mapped[int | None] = mapped_column(BigId)
    delivered_at: Mapped[datetime | None]


# ---- statutory time limits (限时办结): engine.time_limits ---------------------------------------------

class CaseClock(Base):
    """A case's time-limit clock: started at acceptance, paused by special procedures, stopped at the decision.

    ``deadline_at`` is the end of the last working day of promised + extension + paused working days
    counted from ``started_at``; it is kept current (also when a calendar's days change) so supervision
    can query it without a calendar."""

    __tablename__ = "case_clocks"
    __table_args__ = (Index("ix_case_clocks_state_deadline", "state", "deadline_at"),
                      Index("ix_case_clocks_provisional", "provisional", "state"),
                      Index("ix_case_clocks_delivery_due", "delivered_at", "delivery_due_at"))

    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("process_instances.id", ondelete="CASCADE"),
                                             primary_key=True, autoincrement=False)
    promised_days: Mapped[int]
    statutory_days: Mapped[int | None]
    calendar: Mapped[str] = mapped_column(String(50))
    started_at: Mapped[datetime]
    stopped_at: Mapped[datetime | None]
    deadline_at: Mapped[datetime]
    provisional: Mapped[bool] = mapped_column(default=False)
    paused_since: Mapped[datetime | None]
    paused_working_days: Mapped[int] = mapped_column(default=0)
    extension_days: Mapped[int] = mapped_column(default=0)
    # What extensions may add up to and why, when the item's guide sets it (a special law's rule);
    # None: 行政许可法 Art 42's (engine.time_limits.extension_allowance).
    extension_allowance_days: Mapped[int | None]
    extension_basis: Mapped[str | None] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(10))  # running | paused | stopped
    # Counted once, when the clock stops: what supervision's statistics add up in SQL.
    used_working_days: Mapped[int | None]
    # 行政许可法 Art 44: a clock stopped by its decision, in a diagram with a delivery step (govflow.event =
    # delivered), is due to deliver the result by the end of the 10th working day after; when that step
    # completed. Supervision lists the results not delivered yet.
    delivery_due_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]


class SpecialProcedure(Base):
    """A special procedure (特别程序, GB/T 39046): an extension, or an excluded period that paused the clock.

    ``element_id`` names the diagram element that opened it; NULL for one started by hand over the API."""

    __tablename__ = "special_procedures"
    __table_args__ = (Index("ix_special_procedures_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("process_instances.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # extension | hearing | testing | ... | other
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    reason_or_basis: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    opinion: Mapped[str | None] = mapped_column(Text)
    element_id: Mapped[str | None] = mapped_column(String(255))
    task_id: Mapped[str | None] = mapped_column(String(36))  # the element's task, to close the right row
    days: Mapped[int | None]  # working days: granted (extension) or not counted (a closed pause)
    created_by: Mapped[str | None] = mapped_column(String(100))


# ---- supervision (电子监察): engine.supervision_rules, engine.supervision_sweep, engine.overdue_reasons ----

class SupervisionRule(Base):
    """A supervision threshold set by hand: for every item (scope ``*``) or one process key.

    A NULL field inherits: process rule, then the item's guide, then ``*``, then the built-in default."""

    __tablename__ = "supervision_rules"

    scope: Mapped[str] = mapped_column(String(255), primary_key=True)  # "*" or a process (definition) key
    remind_days: Mapped[int | None]  # yellow when the deadline is at most this many working days away
    step_overrun: Mapped[bool | None]  # flag user tasks past their own due date
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupervisionEvent(Base):
    """A reminder, an overdue case or an overrun step, found by the sweep: once per (case, kind, task,
    extension state).

    ``task_id`` is "" for the case-level kinds so that the unique constraint holds on every backend.
    ``extension_days`` is the clock's for a reminder (an extension makes the case due for another one),
    0 for the other kinds."""

    __tablename__ = "supervision_events"
    __table_args__ = (UniqueConstraint("instance_id", "kind", "task_id", "extension_days",
                                       name="uq_supervision_events_once"),
                      Index("ix_supervision_events_created", "created_at", "id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("process_instances.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # engine.supervision_sweep.KINDS
    task_id: Mapped[str] = mapped_column(String(36), default="")
    extension_days: Mapped[int] = mapped_column(default=0, server_default="0")
    business_key: Mapped[str] = mapped_column(String(50))
    process_key: Mapped[str] = mapped_column(String(255))
    due_at: Mapped[datetime]  # the case deadline, or the task's due date for step_overrun
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OverdueReason(Base):
    """Why a case went past its deadline (说明原因, SX45/XA33); the latest row is the case's reason."""

    __tablename__ = "overdue_reasons"
    __table_args__ = (Index("ix_overdue_reasons_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("process_instances.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(50))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A supervisor's verdict on this reason (SX45): justified | unjustified (reported), None until judged.
    verdict: Mapped[str | None] = mapped_column(String(20))
    verdict_opinion: Mapped[str | None] = mapped_column(Text)
    verdict_by: Mapped[str | None] = mapped_column(String(100))
    verdict_at: Mapped[datetime | None]


# ---- departments (部门): engine.departments, engine.case_access ----------------------------------------

class Department(Base):
    """A department (部门), e.g. 市场监督管理局; its code is the one guides name (``department.code``)."""

    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_code: Mapped[str | None] = mapped_column(String(50), ForeignKey("departments.code"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DepartmentGroup(Base):
    """A user group (window, section) and the one department it belongs to, with the name pages show for it
    (``title``; None: its code)."""

    __tablename__ = "department_groups"
    __table_args__ = (Index("ix_department_groups_department", "department_code"),)

    group_name: Mapped[str] = mapped_column(String(255), primary_key=True)
    department_code: Mapped[str] = mapped_column(String(50), ForeignKey("departments.code", ondelete="CASCADE"))
    title: Mapped[str | None] = mapped_column(String(100))


class CaseDepartment(Base):
    """A department taking part in a case: ``lead`` (牵头) or ``participant``, since it first got a task.

    Written with the tasks, in the same transaction (engine.departments.take_part). One lead at most: the
    partial unique index holds it against two commands that each saw no lead yet."""

    __tablename__ = "case_departments"
    __table_args__ = (Index("ix_case_departments_department", "department_code", "case_id"),
                      Index("uq_case_departments_one_lead", "case_id", unique=True,
                            sqlite_where=text("role = 'lead'"), postgresql_where=text("role = 'lead'")))

    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("process_instances.id", ondelete="CASCADE"),
                                         primary_key=True, autoincrement=False)
    department_code: Mapped[str] = mapped_column(String(50), ForeignKey("departments.code"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))  # lead | participant
    since: Mapped[datetime] = mapped_column(default=utcnow)


# ---- applicants: query codes, ratings (好差评): engine.query_codes, engine.ratings ----------------------

class CaseQueryCode(Base):
    """The applicant's query code (查询码) of a case: only its scrypt hash, the code itself is shown once."""

    __tablename__ = "case_query_codes"

    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("process_instances.id", ondelete="CASCADE"),
                                             primary_key=True, autoincrement=False)
    code_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Rating(Base):
    """An applicant's rating (好差评, GB/T 39046 levels 1 非常满意 .. 5 非常不满意) of a case or a service contact.

    ``contact`` is ``case`` for the rating of an ended case, or the id of the user task that was the
    service contact (guides with ``rating.per_contact``): one rating per case and contact. Levels 4-5
    (差评) open a rectification case whose outcome is written back here."""

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("instance_id", "contact", name="uq_ratings_instance_contact"),
                      Index("ix_ratings_created", "created_at"),
                      Index("ix_ratings_rectification", "rectification_instance_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("process_instances.id", ondelete="CASCADE"))
    contact: Mapped[str] = mapped_column(String(50))
    business_key: Mapped[str] = mapped_column(String(50))
    definition_key: Mapped[str] = mapped_column(String(255))
    item_name: Mapped[str | None] = mapped_column(String(500))
    department: Mapped[str | None] = mapped_column(String(255))  # the group that handled the last user task
    level: Mapped[int]
    dimensions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rectification_instance_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("process_instances.id", ondelete="SET NULL"))
    rectification_state: Mapped[str | None] = mapped_column(String(20))  # open | rectified | cancelled | missing
    rectification_result: Mapped[str | None] = mapped_column(Text)
    rectified_at: Mapped[datetime | None]

    clerks: Mapped[list[RatingClerk]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class RatingClerk(Base):
    """A clerk who completed a user task of the rated case: ratings count for each of them."""

    __tablename__ = "rating_clerks"
    __table_args__ = (Index("ix_rating_clerks_clerk", "clerk"),)

    rating_id: Mapped[int] = mapped_column(BigId, ForeignKey("ratings.id", ondelete="CASCADE"), primary_key=True)
    clerk: Mapped[str] = mapped_column(String(100), primary_key=True)


# ---- the service-item library (办事指南): engine.guides -------------------------------------------------

class Guide(Base):
    """A version of an item's guide (``<item-code>/guide.json``): unchanged content keeps its version.

    The JSON is kept whole in ``content``; the columns repeat what the catalogue filters and joins on."""

    __tablename__ = "guides"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_guides_code_version"),
                      Index("ix_guides_process_key", "process_key", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(500))
    process_key: Mapped[str] = mapped_column(String(255))
    item_type: Mapped[str] = mapped_column(String(10))  # GB/T 39046 事项类型, e.g. "01" 许可
    department_code: Mapped[str] = mapped_column(String(50))
    content: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(String(64))  # of the canonical JSON, not the file's bytes
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# ---- documents issued to applicants (受理通知书, 决定书 ...): engine.documents ---------------------------

class Document(Base):
    """A document issued to the applicant when a ``govflow.document`` element completed, or a time limit
    was extended (the notice of extension: no element): the rendered HTML and its PDF, each with its
    SHA-256, and the template version (resource hash) it came from.

    Written in the transaction of the step or extension; never changed afterwards (a correction is a new
    document)."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("process_instances.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))  # the template name, e.g. acceptance_notice
    title: Mapped[str] = mapped_column(String(200))  # the document's title, e.g. 受理通知书
    template_sha256: Mapped[str] = mapped_column(String(64))  # the deployed template resource's hash
    element_id: Mapped[str | None] = mapped_column(String(255))
    element_name: Mapped[str | None] = mapped_column(String(255))
    task_id: Mapped[str | None] = mapped_column(String(36))
    # What issued it (engine.documents.ORIGINS): "step", the element above completing; "extension", a time
    # limit extended, or "special_procedure", one started by hand (no element).
    origin: Mapped[str] = mapped_column(String(20), default="step", server_default="step")
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    html_sha256: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    # Holds a confidential variable's value (engine.confidential): read by supervision and its applicant only.
    confidential: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The bytes themselves; deferred so that listing documents does not read them.
    html: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


# ---- the audit log: who changed users, tokens, departments, webhooks, calendars, rules (engine.audit) --

class AuditEntry(Base):
    """One change an admin (or a supervisor, an integrator) made: when, by whom, which action on which
    target, and the values before and after (never a token, password hash or webhook secret).

    Written in the transaction of the change; append-only: never updated or deleted (engine.audit refuses
    it). No foreign keys: an entry outlives what it names."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at", "id"),
                      Index("ix_audit_log_target", "target_kind", "target_key", "at"),
                      Index("ix_audit_log_actor", "actor", "at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))  # a user's name, "system", or "cli:<OS user>"
    action: Mapped[str] = mapped_column(String(50))  # e.g. user.deactivated (engine.audit.ACTIONS)
    target_kind: Mapped[str] = mapped_column(String(30))  # user, department, webhook, calendar, supervision_rule
    target_key: Mapped[str] = mapped_column(String(255))  # the user's name, the department's code ...
    change: Mapped[dict[str, Any]]  # {"before": {...}, "after": {...}} of what changed, and context


# ---- extension requests (延长审批): engine.extensions -------------------------------------------------

class ExtensionRequest(Base):
    """A clerk's request to extend a case's time limit (Administrative Licensing Law Art 42), decided by the
    agency head: ``pending`` until approved (the extension itself is a special procedure, engine.time_limits)
    or refused.

    One pending request per case: the partial unique index holds it against two requests at once."""

    __tablename__ = "extension_requests"
    __table_args__ = (Index("ix_extension_requests_state", "state", "id"),
                      Index("ix_extension_requests_instance", "instance_id", "id"),
                      Index("uq_extension_requests_one_pending", "instance_id", unique=True,
                            sqlite_where=text("state = 'pending'"), postgresql_where=text("state = 'pending'")))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    instance_id: Mapped[int] = mapped_column(BigId, ForeignKey("process_instances.id", ondelete="CASCADE"))
    days: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))  # pending | approved | refused | lapsed
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]
    opinion: Mapped[str | None] = mapped_column(Text)
    granted_days: Mapped[int | None]  # approved: the days the head granted (at most those requested)
    lapsed_because: Mapped[str | None] = mapped_column(String(20))  # lapsed: how the clock stopped


# ---- entrusted acceptance (委托受理): engine.delegations ----------------------------------------------

class AcceptanceDelegation(Base):
    """An entrustment (委托受理): the agent department accepts, at its window, the items of the principal
    department (the items' implementing body) that it covers, from ``valid_from`` to ``valid_until``
    (inclusive, Beijing dates; None: until revoked). Revoked, it is kept, with who revoked it and why."""

    __tablename__ = "acceptance_delegations"
    __table_args__ = (Index("ix_acceptance_delegations_agent", "agent_code", "id"),
                      Index("ix_acceptance_delegations_principal", "principal_code", "id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    principal_code: Mapped[str] = mapped_column(String(50), ForeignKey("departments.code"))
    agent_code: Mapped[str] = mapped_column(String(50), ForeignKey("departments.code"))
    items: Mapped[list[Any]] = mapped_column(default=list)  # item codes or process keys; empty: all of them
    basis: Mapped[str] = mapped_column(String(500))  # the 委托书 or the document's number
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(Text)


class CaseDelegation(Base):
    """A case accepted on another department's behalf: the entrustment, the agent department and the
    groups of it that accept the case (the starting clerk's), written by the case's start."""

    __tablename__ = "case_delegations"
    __table_args__ = (Index("ix_case_delegations_delegation", "delegation_id", "case_id"),)

    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("process_instances.id", ondelete="CASCADE"),
                                         primary_key=True, autoincrement=False)
    delegation_id: Mapped[int] = mapped_column(BigId, ForeignKey("acceptance_delegations.id"))
    agent_code: Mapped[str] = mapped_column(String(50), ForeignKey("departments.code"))
    groups: Mapped[list[Any]] = mapped_column(default=list)
    started_by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
