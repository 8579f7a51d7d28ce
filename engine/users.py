"""Users, their groups and roles, API tokens, and the rights each role carries."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError

from . import audit
from .case_lock import lock_case
from .clock import utcnow
from .db import advisory_lock
from .errors import Conflict, Forbidden, InvalidRequest, NotFound, Unauthenticated, ValidationFailed
from .models import ApiToken, Task, TaskCandidate, User
from .settings import MAX_TOKEN_DAYS
from .text import optional_text
from .unit_of_work import UnitOfWork

ROLES = ("admin", "analyst", "clerk", "supervisor", "integrator", "head")
# Latin letters and digits as typed on any keyboard, and Chinese characters (张三): not every Unicode letter,
# or a Cyrillic "аdmin" or a full-width "ｗindow" would pass for another user in every history and audit line.
NAME_PATTERN = r"^[A-Za-z0-9._@\-\u3400-\u4dbf\u4e00-\u9fff]{1,100}$"
_NAME = re.compile(NAME_PATTERN)
NAME_RULE = "1 to 100 Latin letters, digits, Chinese characters, '.', '@', '_' and '-'"
# A group is one word: diagrams name several as "window,review" (camunda:candidateGroups), so a comma or a
# space inside one would make a group nobody's task can name.
# Not a space, comma or semicolon; no control character or text-direction mark either.
# Format characters count as control characters here: a zero-width space would make "x\u200by" look like "xy".
_GROUP = re.compile("^[^\\s,;\x00-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]{1,100}$")
GROUP_RULE = ("one word of 1 to 100 characters, without spaces, commas, semicolons, control characters "
              "or text-direction marks")
# The actors the engine records for steps no user took: its own (SYSTEM) and the public's opening a complaint
# (engine.complaints.PUBLIC). A user so named would pass for them in the cases' histories and the audit log:
# none can be added, and one from before the names were reserved can no longer sign in (``reserved_name_users``).
RESERVED_NAMES = ("system", "public")
# What a refusal's ``reason`` (a Conflict's context) or ``rule`` (a field's) says, for pages to word it.
NAME_TAKEN, LAST_ADMIN, RESERVED = "name_taken", "last_admin", "reserved"
RESERVED_NAME_FIX = ("govflow user deactivate {name} (its open tasks go back to their queues), then govflow user "
                     "add with another name and the same groups and roles")
# The lock every change of a user takes (engine.db.advisory_lock).
USER_CHANGES = "govflow.users.change"


@dataclass(frozen=True)
class Actor:
    """Who is calling: the engine checks rights against this, whatever the entrypoint."""

    name: str
    groups: frozenset[str] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)

    def has(self, *roles: str) -> bool:
        return "admin" in self.roles or any(role in self.roles for role in roles)

    def require(self, *roles: str, action: str) -> None:
        if not self.has(*roles):
            raise Forbidden(f"{self.name} may not {action} (needs role {' or '.join(roles) or 'admin'})")


SYSTEM = Actor("system", roles=frozenset({"admin"}))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(uow: UnitOfWork, name: str, *, groups: list[str] | None = None, roles: list[str] | None = None,
             display_name: str | None = None, token_ttl_days: int | None = None,
             actor: Actor) -> tuple[User, str]:
    """Create a user and their first API token; the token is returned once and stored only hashed.

    Raises:
        Forbidden: ``actor`` is not an admin.
        ValidationFailed: bad or reserved name (``RESERVED_NAMES``), bad group name, unknown role, a display
            name too long or a token lifetime out of range; ``details`` names the field.
        Conflict: the name is taken.
    """
    actor.require(action="add users")
    roles = _checked_roles(roles or [])
    if not _NAME.fullmatch(name):  # not match: "$" lets "system\n" through
        raise _refused("name", f"invalid user name {name!r}: {NAME_RULE}")
    if is_reserved(name):
        raise _refused("name", f"the user name {name!r} is reserved: govflow records its own steps, and the "
                               f"public's, under {' and '.join(repr(n) for n in RESERVED_NAMES)}; choose another name", rule=RESERVED)
    _check_groups(groups or [])  # blank ones are dropped, not refused: an empty shell variable, say
    groups = list(dict.fromkeys(g.strip() for g in (groups or []) if g.strip()))
    display_name = _check_display_name(display_name)
    with uow:
        user = User(name=name, display_name=display_name or None, groups=groups, roles=roles)
        uow.session.add(user)
        try:
            uow.session.flush()
        except IntegrityError:
            raise Conflict(f"user {name!r} already exists", reason=NAME_TAKEN) from None
        token, row = _issue(uow, user, token_ttl_days, label="initial", ttl_field="token_ttl_days")
        uow.session.flush()  # the token's id, for the log
        audit.record(uow, actor, "user.added", ("user", name), audit.diff({}, _audited(user)))
        audit.record(uow, actor, "token.issued", ("user", name), audit.diff({}, _audited_token(row)))
        uow.commit()
        return user, token


def is_reserved(name: str) -> bool:
    """Whether ``name`` is one of ``RESERVED_NAMES``, whatever its case ("System" reads as "system")."""
    return name.lower() in RESERVED_NAMES


def reserved_name_users(uow: UnitOfWork) -> list[User]:
    """The active users whose name is reserved: made before the names were reserved. They are refused at
    sign-in (what they did would be recorded under the name of govflow's own steps, or the public's), and
    the command line names each with the fix (``RESERVED_NAME_FIX``)."""
    with uow:
        return list(uow.session.scalars(select(User).where(func.lower(User.name).in_(RESERVED_NAMES), User.active)
                                        .order_by(User.name)))


def _refused(field: str, message: str, rule: str | None = None) -> ValidationFailed:
    """A field's value refused: the API answers 422 naming the field, as for its own schemas' refusals (an
    item of a list by its index, ``groups.1``); the command line prints the message. ``rule``, when given,
    names the rule broken for pages to say in their own words (``reserved``)."""
    return ValidationFailed(message, details=[{"field": field, "message": message, **({"rule": rule} if rule else {})}])


def _checked_roles(roles: list[str]) -> list[str]:
    for index, role in enumerate(roles):
        if role not in ROLES:
            raise _refused(f"roles.{index}", f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    return list(dict.fromkeys(roles))


def _check_groups(groups: list[str]) -> None:
    """Each group given, stripped, is a group name (``GROUP_RULE``); blank ones are the caller's to judge."""
    for index, group in enumerate(groups):
        if group.strip() and bad_group_names([group.strip()]):
            raise _refused(f"groups.{index}", f"invalid group name {group.strip()!r}: {GROUP_RULE}")


def _check_display_name(display_name: str | None) -> str | None:
    """At most 200 characters on one line, without control characters or text-direction marks (U+202E would
    show it backwards in every history and audit line). Raises ValidationFailed."""
    shown = optional_text(display_name, field="display_name", longest=200, lines=False)
    if shown is None and display_name and display_name.strip():  # "" clears it; invisible characters say nothing
        raise _refused("display_name", "display_name shows nothing: send \"\" to clear it")
    return shown


def bad_group_names(groups: list[str]) -> list[str]:
    """The names among ``groups`` that are not a group name (``GROUP_RULE``)."""
    return [g for g in groups if not _GROUP.fullmatch(g)]


@dataclass(frozen=True)
class IssuedToken:
    """A new API token: ``token`` is shown this once; only its hash is kept."""

    token: str
    id: int
    label: str | None
    expires_at: datetime | None


def issue_token(uow: UnitOfWork, name: str, *, ttl_days: int | None = None, label: str | None = None,
                actor: Actor) -> IssuedToken:
    """Issue another token for an existing user (a second system, or rotating one). Raises Forbidden (not
    an admin), NotFound, ValidationFailed (a lifetime out of range, a label over 100 characters)."""
    actor.require(action="issue tokens")
    if label is not None and len(label) > 100:
        raise _refused("label", "a token's label is at most 100 characters")
    with uow:
        user = _user(uow, name)
        token, row = _issue(uow, user, ttl_days, label)
        uow.session.flush()
        issued = IssuedToken(token, row.id, row.label, row.expires_at)
        audit.record(uow, actor, "token.issued", ("user", name), audit.diff({}, _audited_token(row)))
        uow.commit()
        return issued


def list_tokens(uow: UnitOfWork, name: str, *, actor: Actor = SYSTEM) -> list[ApiToken]:
    """A user's tokens, newest first, revoked and expired ones too (never the token: only its hash is kept).
    Raises Forbidden (not an admin), NotFound."""
    actor.require(action="see tokens")
    with uow:
        user = _user(uow, name)
        return list(uow.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                        .order_by(ApiToken.id.desc())))


def live_token_counts(uow: UnitOfWork, names: list[str], *, actor: Actor = SYSTEM) -> dict[str, int]:
    """How many live tokens (neither revoked nor expired) each of these users holds, for a page of users (one
    query; a user with none, or unknown, is 0). Raises Forbidden (not an admin)."""
    actor.require(action="see tokens")
    if not names:
        return {}
    now = utcnow()
    with uow:
        counted = {name: count for name, count in uow.session.execute(
            select(User.name, func.count(ApiToken.id)).join(ApiToken, ApiToken.user_id == User.id)
            .where(User.name.in_(names), ApiToken.revoked_at.is_(None),
                   or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now))
            .group_by(User.name))}
    return {name: counted.get(name, 0) for name in names}


def revoke_tokens(uow: UnitOfWork, name: str, *, token_id: int | None = None, actor: Actor) -> int:
    """Revoke every live token of a user, or only ``token_id``; returns how many were revoked (0 for one
    revoked before). Raises Forbidden (not an admin), NotFound (no such user, or no such token of theirs)."""
    actor.require(action="revoke tokens")
    with uow:
        user = _user(uow, name)
        query = select(ApiToken).where(ApiToken.user_id == user.id)
        if token_id is not None:
            query = query.where(ApiToken.id == token_id)
            if uow.session.scalars(query).first() is None:
                raise NotFound(f"user {name!r} has no token {token_id}")
        # Locked: of two revocations at once, the second finds these revoked and neither counts them twice.
        tokens = uow.session.scalars(query.where(ApiToken.revoked_at.is_(None))
                                     .with_for_update(of=ApiToken)).all()  # not the user joined in
        now = utcnow()
        for token in tokens:
            token.revoked_at = now
        # None revoked (they were already): the entry still says who asked, with both sides empty.
        audit.record(uow, actor, "token.revoked", ("user", name),
                     audit.diff({"revoked_at": None}, {"revoked_at": now if tokens else None},
                                tokens=[t.id for t in tokens]))
        uow.commit()
        return len(tokens)


def _user(uow: UnitOfWork, name: str) -> User:
    user = uow.session.scalars(select(User).where(User.name == name)).first()
    if user is None:
        raise NotFound(f"user {name!r} not found")
    return user


@dataclass(frozen=True)
class Released:
    """The open tasks a change to a user gave back to their queues (engine.tasks.release_held)."""

    tasks: list[Task]
    # Of the user's open tasks, those nobody else may claim (no candidate group, no other active candidate
    # user; not open to every clerk): they wait unassigned for a supervisor to assign them.
    for_supervisors: list[Task]


@dataclass(frozen=True)
class UserChange:
    name: str
    groups_before: list[str]
    roles_before: list[str]
    active_before: bool
    user: User
    released: Released
    disabled_webhooks: list[int] = field(default_factory=list)  # theirs, the integrator role gone with the change

    @property
    def groups(self) -> list[str]:
        return list(self.user.groups or [])

    @property
    def roles(self) -> list[str]:
        return list(self.user.roles or [])


def set_active(uow: UnitOfWork, name: str, active: bool, *, actor: Actor) -> Released:
    """Let a user in, or keep them out (a leaver): ``change_user`` with ``active``."""
    return change_user(uow, name, active=active, actor=actor).released


def set_user(uow: UnitOfWork, name: str, *, groups: list[str] | None = None, roles: list[str] | None = None,
             actor: Actor) -> UserChange:
    """Replace a user's groups and/or roles: ``change_user`` with those."""
    return change_user(uow, name, groups=groups, roles=roles, actor=actor)


def change_user(uow: UnitOfWork, name: str, *, groups: list[str] | None = None, roles: list[str] | None = None,
                active: bool | None = None, display_name: str | None = None, actor: Actor,
                keep_an_admin: bool = False) -> UserChange:
    """Change a user at once: groups and roles replaced, let in or kept out, renamed for display ("" clears
    it); None keeps each as it is. The next request of each of their tokens and page sessions carries the
    change (both read the user on every request).

    A leaver (``active`` False) is refused from the next request on, tokens, password and page sessions
    alike; activating them again restores what they had. Their open tasks go back to their queues in the
    same transaction, as an unclaim by ``actor`` with the reason in the case's history; those no one else
    may claim wait, unassigned, for a supervisor (``Released.for_supervisors``). New roles that no longer let
    them work a task they hold (the clerk role taken away, or integrator for external tasks) give it back the
    same way; tasks they may still work keep them (an assignee works a task whatever their groups). Roles
    without integrator (or admin), or deactivation, disable the user's webhooks, with the reason
    (engine.webhooks.disable_owned).

    ``keep_an_admin`` (the API's): refuse a change that leaves no active admin, who alone could undo it
    there. The command line can always make one, so it only warns.

    Raises:
        Forbidden: ``actor`` is not an admin.
        NotFound: no such user.
        InvalidRequest: nothing to change.
        ValidationFailed: a bad or empty group name, an unknown role, a display name too long, or activating
            a user whose name is reserved (``RESERVED_NAMES``); ``details`` names the field.
        Conflict: ``keep_an_admin`` and no active admin would be left.
    """
    actor.require(action="change users")
    if groups is None and roles is None and active is None and display_name is None:
        raise InvalidRequest("nothing to change: give the groups, the roles, active or the display name")
    if groups is not None:
        blank = next((i for i, g in enumerate(groups) if not g.strip()), None)
        if blank is not None:  # an empty shell variable, say: not a wish to clear them all
            raise _refused(f"groups.{blank}", "an empty group name; to take every group away, give none "
                                              "(--no-groups)")
        _check_groups(groups)
        groups = list(dict.fromkeys(g.strip() for g in groups))
    roles = _checked_roles(roles) if roles is not None else None
    if display_name is not None:
        display_name = _check_display_name(display_name) or ""  # "" clears it
    with uow:
        # One change of a user at a time, before reading the user: the check that an admin remains then sees
        # every change committed before it. Locking the users' rows instead would take them in the order each
        # change comes to them, and two changes of different users would wait for each other.
        advisory_lock(uow.session, USER_CHANGES)
        user = _user(uow, name)
        if active and not user.active and is_reserved(name):  # it could not sign in anyway
            raise _refused("active", f"the user name {name!r} is reserved: the user cannot be activated again; "
                                     "give its groups and roles to a user with another name", rule=RESERVED)
        if active is False or roles is not None:  # their tasks may go back to their queues
            _lock_cases_held_by(uow, name)
        groups_before, roles_before, was_active = list(user.groups or []), list(user.roles or []), user.active
        before = _audited(user)
        if groups is not None:
            user.groups = groups
        if roles is not None:
            user.roles = roles
        if active is not None:
            user.active = active
        if display_name is not None:
            user.display_name = display_name or None
        uow.session.flush()
        if keep_an_admin:
            _require_an_admin(uow)
        if was_active and not user.active:
            released = _release_tasks(uow, name, actor, f"用户 {name} 已停用")
        elif roles is not None and user.active:
            after = actor_of(user)
            released = _release_tasks(uow, name, actor, f"用户 {name} 的角色已变更",
                                      keep=lambda task: _may_work(after, task))
        else:
            released = Released([], [])
        _record_change(uow, actor, name, before, _audited(user), released)
        disabled: list[int] = []
        if was_active and not user.active:
            disabled = _disable_webhooks(uow, name, actor, deactivated=True)
        elif roles is not None and not actor_of(user).has("integrator"):
            disabled = _disable_webhooks(uow, name, actor)
        uow.commit()
        return UserChange(name, groups_before, roles_before, was_active, user, released, disabled)


def _audited(user: User) -> dict[str, Any]:
    """What the audit log shows of a user (never the password hash)."""
    return {"display_name": user.display_name, "groups": list(user.groups or []), "roles": list(user.roles or []),
            "active": user.active}


def _audited_token(token: ApiToken) -> dict[str, Any]:
    """What the audit log shows of a token: its id, never the token or its hash."""
    return {"token_id": token.id, "label": token.label, "expires_at": token.expires_at}


def _record_change(uow: UnitOfWork, actor: Actor, name: str, before: dict[str, Any], after: dict[str, Any],
                   released: Released) -> None:
    """``user.changed`` for the groups, roles and display name; ``user.deactivated`` (or ``activated``) for
    ``active``; the tasks given back to their queues on the entry of the change that released them."""
    target = ("user", name)
    back = {"released_tasks": [t.id for t in released.tasks]} if released.tasks else {}
    was_active, is_active = before.pop("active"), after.pop("active")
    fields = audit.diff(before, after)
    if fields["before"] or fields["after"] or was_active == is_active:
        audit.record(uow, actor, "user.changed", target, fields | ({} if was_active != is_active else back))
    if was_active != is_active:
        audit.record(uow, actor, "user.activated" if is_active else "user.deactivated", target,
                     audit.diff({"active": was_active}, {"active": is_active}, **back))


def _require_an_admin(uow: UnitOfWork) -> None:
    """Users are few: their roles are read here rather than searched in JSON, which SQLite and PostgreSQL
    spell differently. Under ``USER_CHANGES``: two admins demoting each other at once take turns, and the
    second sees the first's change."""
    roles = uow.session.scalars(select(User.roles).where(User.active)).all()
    if not any("admin" in (r or []) for r in roles):
        raise Conflict("this would leave no active admin; give another user the admin role first", reason=LAST_ADMIN)


def _lock_cases_held_by(uow: UnitOfWork, name: str) -> None:
    """The row locks of the cases where ``name`` holds an open task, in case order, taken before their user's
    row: a claim takes its case, then the claimer's row (engine.tasks), and releasing a task writes to its
    case. Taken the other way round, a leaver's claim in flight and their deactivation wait for each other."""
    cases = uow.session.scalars(select(Task.instance_id).where(Task.assignee == name,
                                                               Task.state.in_(("READY", "SUSPENDED")))
                                .distinct().order_by(Task.instance_id)).all()
    for case_id in cases:
        lock_case(uow.session, case_id)


def _release_tasks(uow: UnitOfWork, name: str, actor: Actor, reason: str,
                   keep: Callable[[Task], bool] | None = None) -> Released:
    from .tasks import release_held  # engine.tasks builds on this module

    tasks = release_held(uow, name, actor=actor, reason=reason, keep=keep)
    named = uow.session.scalars(select(Task).where(
        Task.state.in_(("READY", "SUSPENDED")), Task.assignee.is_(None),
        Task.id.in_(select(TaskCandidate.task_id).where(TaskCandidate.kind == "user",
                                                        TaskCandidate.value == name)))).all()
    others = {n for t in named for n in (t.candidate_users or []) if n != name}
    active = set(uow.session.scalars(select(User.name).where(User.name.in_(sorted(others)), User.active))) \
        if others else set()
    stranded = [t for t in named if not t.candidate_groups and not (set(t.candidate_users or []) & active)
                and not (keep is not None and keep(t))]
    return Released(tasks, stranded)


def _disable_webhooks(uow: UnitOfWork, name: str, actor: Actor, *, deactivated: bool = False) -> list[int]:
    """The user's webhooks stop with the role their subscription took, or with the user (a leaver):
    disabled rather than each event dead-lettered, until the role or the user is back and they are enabled
    again."""
    from .webhooks import deactivated_reason, disable_owned, lost_role_reason  # engine.webhooks builds on this

    reason = deactivated_reason(name) if deactivated else lost_role_reason(name)
    return disable_owned(uow, name, reason=reason, actor=actor)


def _may_work(actor: Actor, task: Task) -> bool:
    from .tasks import may_work

    return may_work(actor, task)


def _issue(uow: UnitOfWork, user: User, ttl_days: int | None, label: str | None,
           ttl_field: str = "ttl_days") -> tuple[str, ApiToken]:
    """``ttl_field``: the caller's name of ``ttl_days``, named when it is refused (Settings checks its own)."""
    token = "gf_" + secrets.token_urlsafe(32)
    ttl_days = ttl_days if ttl_days is not None else uow.settings.token_ttl_days  # GOVFLOW_TOKEN_TTL_DAYS
    if ttl_days is not None and not 1 <= ttl_days <= MAX_TOKEN_DAYS:  # 0 would read as "never expires"
        raise _refused(ttl_field, f"a token's lifetime is 1 to {MAX_TOKEN_DAYS} days, not {ttl_days}")
    expires: datetime | None = utcnow() + timedelta(days=ttl_days) if ttl_days else None
    row = ApiToken(user_id=user.id, token_hash=hash_token(token), label=label, expires_at=expires)
    uow.session.add(row)
    return token, row


# Every API request runs this: built once, and only the columns an Actor needs (no ORM objects). Not
# cached across requests: a revoked or expired token, or a deactivated user, is refused at once.
_TOKEN_OWNER = (select(User.name, User.groups, User.roles, User.active, ApiToken.revoked_at, ApiToken.expires_at)
                .join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == bindparam("token_hash")))


def authenticate(uow: UnitOfWork, token: str) -> Actor:
    """The actor behind a bearer token. Raises Unauthenticated for unknown, revoked or expired tokens, and
    those of a user whose name is reserved (``reserved_name_users``)."""
    # A read on a bare connection: every request runs it, and a session costs more than the query.
    with uow.runtime.engine.connect() as connection:
        row = connection.execute(_TOKEN_OWNER, {"token_hash": hash_token(token)}).first()
    if row is None or row.revoked_at is not None or not row.active:
        raise Unauthenticated("invalid or revoked token")
    if is_reserved(row.name):  # the holder proved the token: they may learn why, and what the admin does
        raise Unauthenticated(f"the user name {row.name!r} is reserved (govflow records its own steps, or the "
                              "public's, under it): this user can no longer sign in; an admin replaces it with a "
                              "user of another name")
    if row.expires_at is not None and row.expires_at <= utcnow():
        raise Unauthenticated("token expired")
    return Actor(row.name, frozenset(row.groups or []), frozenset(row.roles or []))


def actor_of(user: User) -> Actor:
    return Actor(user.name, frozenset(user.groups or []), frozenset(user.roles or []))


def find_actor(uow: UnitOfWork, name: str) -> Actor:
    """Raises NotFound."""
    with uow:
        return actor_of(_user(uow, name))


def display_name(uow: UnitOfWork, name: str) -> str:
    """A user's name as people read it (张三), else their login name: what a receipt prints as its 经办人."""
    with uow:
        shown = uow.session.scalar(select(User.display_name).where(User.name == name))
    return shown or name


def get_user(uow: UnitOfWork, name: str, *, actor: Actor = SYSTEM) -> User:
    """Raises Forbidden (not a supervisor or admin), NotFound."""
    actor.require("supervisor", action="see users")
    with uow:
        return _user(uow, name)


def list_users(uow: UnitOfWork, *, actor: Actor = SYSTEM, group: str | None = None, role: str | None = None,
               active: bool | None = None) -> list[User]:
    """Users by name, deactivated ones too unless ``active`` says; those of a group or with a role when named.
    Supervisors see them (whom to assign a task to)."""
    actor.require("supervisor", action="see users")
    query = select(User).order_by(User.name)
    if active is not None:
        query = query.where(User.active.is_(active))
    with uow:
        found = list(uow.session.scalars(query))
    # Groups and roles are JSON lists, read alike on every database here: a province has thousands of users.
    return [u for u in found if (group is None or group in u.groups) and (role is None or role in u.roles)]


# ---- passwords and page sessions ---------------------------------------------------------------
# Tokens are for programs; people at a window log in to the pages with a password. A page session
# carries a "stamp" of the credential it was opened with, so changing the password or revoking the
# token ends the sessions opened with the old one.

PASSWORD_MIN_LENGTH = 8
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1  # 16 MiB and ~50 ms per check: slow for guessers, fine per login


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    return "$".join(("scrypt", str(_SCRYPT_N), str(_SCRYPT_R), str(_SCRYPT_P), _b64(salt), _b64(digest)))


def check_password(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.urlsafe_b64decode(digest)
        got = hashlib.scrypt(password.encode(), salt=base64.urlsafe_b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


_DUMMY_HASH: list[str] = []


def _burn_time(password: str) -> None:
    """Unknown users cost as much as known ones, so response times do not reveal user names."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password(secrets.token_hex(8)))
    check_password(_DUMMY_HASH[0], password)


def set_password(uow: UnitOfWork, name: str, password: str, *, actor: Actor) -> None:
    """Set (or replace) a user's password; sessions opened with the old one end. The audit log says that
    it was set, never what to.

    Raises:
        Forbidden: ``actor`` is not an admin.
        NotFound: no such user.
        ValidationFailed: the password is shorter than PASSWORD_MIN_LENGTH.
    """
    actor.require(action="set passwords")
    if len(password) < PASSWORD_MIN_LENGTH:
        raise _refused("password", f"a password needs at least {PASSWORD_MIN_LENGTH} characters")
    with uow:
        user = uow.session.scalars(select(User).where(User.name == name)).first()
        if user is None:
            raise NotFound(f"user {name!r} not found")
        had_one = user.password_hash is not None
        user.password_hash = hash_password(password)
        audit.record(uow, actor, "user.password_set", ("user", name),
                     audit.diff({"has_password": had_one}, {"has_password": True}))
        uow.commit()


def login(uow: UnitOfWork, name: str, secret: str) -> tuple[Actor, str]:
    """Check a user name with a password, or with one of the user's API tokens (``gf_...``).

    Returns the actor and the stamp to keep in the session (see ``session_actor``).
    Raises Unauthenticated with one message for every failure: no hint which part was wrong.
    """
    failed = Unauthenticated("wrong user name or password")
    name = unicodedata.normalize("NFKC", name).strip()  # ｗａｎｇ, as a Chinese input method types it
    with uow:
        user = uow.session.scalars(select(User).where(User.name == name)).first()
        if user is None or not user.active or is_reserved(user.name):
            _burn_time(secret)
            raise failed
        if secret.startswith("gf_"):
            token = _live_token(uow, user, hash_token(secret))
            if token is None:
                raise failed
            return actor_of(user), "t:" + token.token_hash
        if not user.password_hash or not check_password(user.password_hash, secret):
            if not user.password_hash:
                _burn_time(secret)
            raise failed
        return actor_of(user), _password_stamp(user.password_hash)


def session_actor(uow: UnitOfWork, name: str, stamp: str) -> Actor:
    """The actor of a page session, if the credential it was opened with still holds.

    Raises Unauthenticated: user gone, inactive or with a reserved name, password changed, or token revoked or
    expired.
    """
    with uow:
        user = uow.session.scalars(select(User).where(User.name == name)).first()
        if user is not None and user.active and not is_reserved(user.name):
            if stamp.startswith("t:") and _live_token(uow, user, stamp[2:]) is not None:
                return actor_of(user)
            if stamp.startswith("p:") and user.password_hash and \
                    hmac.compare_digest(stamp, _password_stamp(user.password_hash)):
                return actor_of(user)
        raise Unauthenticated("the session has ended; log in again")


def _password_stamp(password_hash: str) -> str:
    return "p:" + hashlib.sha256(password_hash.encode()).hexdigest()[:32]


def _live_token(uow: UnitOfWork, user: User, token_hash: str) -> ApiToken | None:
    row = uow.session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash,
                                                     ApiToken.user_id == user.id)).first()
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= utcnow()):
        return None
    return row
