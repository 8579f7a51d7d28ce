"""Passwords and page sessions (engine.users): scrypt hashes, login by password or token, and
sessions that end when the credential they were opened with changes."""
from __future__ import annotations

import pytest

from engine import users
from engine.errors import NotFound, Unauthenticated, ValidationFailed


def test_a_password_hash_is_salted_and_checks_only_the_right_password():
    first, second = users.hash_password("window-2026"), users.hash_password("window-2026")
    assert first != second and first.startswith("scrypt$16384$8$1$")
    assert users.check_password(first, "window-2026") and users.check_password(second, "window-2026")
    assert not users.check_password(first, "window-2027")
    assert not users.check_password("md5$abc", "window-2026") and not users.check_password("garbage", "x")


def test_login_takes_the_password_or_one_of_the_users_tokens(runtime):
    _, token = users.add_user(runtime.uow(), "wang", groups=["window"], roles=["clerk"], actor=users.SYSTEM)
    _, other_token = users.add_user(runtime.uow(), "li", roles=["clerk"], actor=users.SYSTEM)
    users.set_password(runtime.uow(), "wang", "window-2026", actor=users.SYSTEM)
    actor, stamp = users.login(runtime.uow(), "wang", "window-2026")
    assert actor.groups == frozenset({"window"}) and stamp.startswith("p:")
    assert users.login(runtime.uow(), "wang", token)[1].startswith("t:")
    for name, secret in [("wang", "wrong-password"), ("wang", other_token), ("nobody", "window-2026")]:
        with pytest.raises(Unauthenticated, match="wrong user name or password"):
            users.login(runtime.uow(), name, secret)


def test_a_user_without_a_password_cannot_log_in_with_one(runtime):
    users.add_user(runtime.uow(), "wang", roles=["clerk"], actor=users.SYSTEM)
    with pytest.raises(Unauthenticated):
        users.login(runtime.uow(), "wang", "anything-at-all")


def test_sessions_end_when_the_password_changes_or_the_token_is_revoked(runtime):
    _, token = users.add_user(runtime.uow(), "wang", roles=["clerk"], actor=users.SYSTEM)
    users.set_password(runtime.uow(), "wang", "window-2026", actor=users.SYSTEM)
    _, by_password = users.login(runtime.uow(), "wang", "window-2026")
    _, by_token = users.login(runtime.uow(), "wang", token)
    assert users.session_actor(runtime.uow(), "wang", by_password).name == "wang"
    assert users.session_actor(runtime.uow(), "wang", by_token).name == "wang"
    users.set_password(runtime.uow(), "wang", "window-2027", actor=users.SYSTEM)
    with pytest.raises(Unauthenticated):
        users.session_actor(runtime.uow(), "wang", by_password)
    users.revoke_tokens(runtime.uow(), "wang", actor=users.SYSTEM)
    with pytest.raises(Unauthenticated):
        users.session_actor(runtime.uow(), "wang", by_token)
    with pytest.raises(Unauthenticated):
        users.session_actor(runtime.uow(), "wang", "x:forged")


def test_short_passwords_and_unknown_users_are_refused(runtime):
    users.add_user(runtime.uow(), "wang", roles=["clerk"], actor=users.SYSTEM)
    with pytest.raises(ValidationFailed, match="at least 8"):
        users.set_password(runtime.uow(), "wang", "short", actor=users.SYSTEM)
    with pytest.raises(NotFound):
        users.set_password(runtime.uow(), "nobody", "long-enough", actor=users.SYSTEM)
