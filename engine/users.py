"""Users, their groups and roles, API tokens, and the rights each role carries."""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .clock import utcnow
from .errors import Conflict, Forbidden, InvalidRequest, NotFound, Unauthenticated
from .models import ApiToken, User
from .unit_of_work import UnitOfWork

ROLES = ("admin", "analyst", "clerk", "supervisor", "integrator")
_NAME = re.compile(r"^[\w.@-]{1,100}$")


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
             display_name: str | None = None, token_ttl_days: int | None = None) -> tuple[User, str]:
    """Create a user and their first API token; the token is returned once and stored only hashed.

    Raises:
        InvalidRequest: bad name or unknown role.
        Conflict: the name is taken.
    """
    roles = list(dict.fromkeys(roles or []))
    groups = list(dict.fromkeys(g.strip() for g in (groups or []) if g.strip()))
    if not _NAME.match(name):
        raise InvalidRequest(f"invalid user name {name!r}: letters, digits, '.', '@', '_' and '-' only")
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise InvalidRequest(f"unknown role {unknown[0]!r}; roles are {', '.join(ROLES)}")
    with uow:
        user = User(name=name, display_name=display_name, groups=groups, roles=roles)
        uow.session.add(user)
        try:
            uow.session.flush()
        except IntegrityError:
            raise Conflict(f"user {name!r} already exists") from None
        token = _issue(uow, user, token_ttl_days, label="initial")
        uow.commit()
        return user, token


def issue_token(uow: UnitOfWork, name: str, *, ttl_days: int | None = None, label: str | None = None) -> str:
    """Issue another token for an existing user. Raises NotFound."""
    with uow:
        user = uow.session.scalars(select(User).where(User.name == name)).first()
        if user is None:
            raise NotFound(f"user {name!r} not found")
        token = _issue(uow, user, ttl_days, label)
        uow.commit()
        return token


def revoke_tokens(uow: UnitOfWork, name: str) -> int:
    """Revoke every token of a user; returns how many. Raises NotFound."""
    with uow:
        user = uow.session.scalars(select(User).where(User.name == name)).first()
        if user is None:
            raise NotFound(f"user {name!r} not found")
        tokens = uow.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                            ApiToken.revoked_at.is_(None))).all()
        for token in tokens:
            token.revoked_at = utcnow()
        uow.commit()
        return len(tokens)


def _issue(uow: UnitOfWork, user: User, ttl_days: int | None, label: str | None) -> str:
    token = "gf_" + secrets.token_urlsafe(32)
    expires: datetime | None = utcnow() + timedelta(days=ttl_days) if ttl_days else None
    uow.session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), label=label, expires_at=expires))
    return token


def authenticate(uow: UnitOfWork, token: str) -> Actor:
    """The actor behind a bearer token. Raises Unauthenticated for unknown, revoked or expired tokens."""
    with uow:
        row = uow.session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
        if row is None or row.revoked_at is not None or not row.user.active:
            raise Unauthenticated("invalid or revoked token")
        if row.expires_at is not None and row.expires_at <= utcnow():
            raise Unauthenticated("token expired")
        return actor_of(row.user)


def actor_of(user: User) -> Actor:
    return Actor(user.name, frozenset(user.groups or []), frozenset(user.roles or []))


def find_actor(uow: UnitOfWork, name: str) -> Actor:
    """Raises NotFound."""
    with uow:
        user = uow.session.scalars(select(User).where(User.name == name)).first()
        if user is None:
            raise NotFound(f"user {name!r} not found")
        return actor_of(user)


def list_users(uow: UnitOfWork) -> list[User]:
    with uow:
        return list(uow.session.scalars(select(User).order_by(User.name)))
