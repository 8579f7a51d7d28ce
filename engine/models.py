"""Tables. The serialized workflow is the truth for execution; the other tables are projections
written in the same transaction, shaped for the queries that read them (inbox, timers, messages)."""
from __future__ import annotations

from datetime import datetime, timezone
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
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


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
    kind: Mapped[str] = mapped_column(String(20))  # bpmn | form | guide | other
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
    # Hash of everything that makes this version: its diagram bytes; unchanged content is not re-versioned.
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

    candidates: Mapped[list[TaskCandidate]] = relationship(
        cascade="all, delete-orphan", lazy="select", back_populates="task"
    )


class TaskCandidate(Base):
    """Who may claim a task: one row per candidate group or user, indexed for queue queries."""

    __tablename__ = "task_candidates"
    __table_args__ = (Index("ix_task_candidates_lookup", "kind", "value", "task_id"),)

    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # group | user
    value: Mapped[str] = mapped_column(String(255), primary_key=True)

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
