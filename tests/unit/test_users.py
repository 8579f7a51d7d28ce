"""Users and tokens without Flask: create, authenticate, revoke, expire."""
from __future__ import annotations

import inspect
from datetime import timedelta

import pytest

import engine.users
from engine import users
from engine.clock import utcnow
from engine.errors import Conflict, Forbidden, Unauthenticated, ValidationFailed


def test_a_new_users_token_authenticates_as_them(runtime):
    user, token = users.add_user(runtime.uow(), "wang", groups=["window", " ", "window"], roles=["clerk"],
                                 actor=users.SYSTEM)
    actor = users.authenticate(runtime.uow(), token)
    assert (actor.name, actor.groups, actor.roles) == ("wang", frozenset({"window"}), frozenset({"clerk"}))
    assert user.groups == ["window"]


def test_bad_names_roles_and_duplicates_are_refused(runtime):
    with pytest.raises(ValidationFailed):
        users.add_user(runtime.uow(), "has space", roles=["clerk"], actor=users.SYSTEM)
    with pytest.raises(ValidationFailed, match="'wizard'"):
        users.add_user(runtime.uow(), "li", roles=["wizard"], actor=users.SYSTEM)
    users.add_user(runtime.uow(), "li", roles=["clerk"], actor=users.SYSTEM)
    with pytest.raises(Conflict):
        users.add_user(runtime.uow(), "li", roles=["clerk"], actor=users.SYSTEM)
    with pytest.raises(ValidationFailed, match="1 to 100 Latin letters"):
        users.add_user(runtime.uow(), "x" * 101, roles=["clerk"], actor=users.SYSTEM)


@pytest.mark.parametrize("group", ["window,review", "window review", "a;b", "x" * 101])
def test_a_group_name_is_one_word_a_diagram_can_name(runtime, group):
    """camunda:candidateGroups="window,review" names two groups: a group holding a comma would match none."""
    with pytest.raises(ValidationFailed, match="one word of 1 to 100 characters"):
        users.add_user(runtime.uow(), "zhao", groups=[group], roles=["clerk"], actor=users.SYSTEM)
    user, _ = users.add_user(runtime.uow(), "zhao", groups=["窗口-1", "food_review", "a.b@c"], roles=["clerk"],
                             actor=users.SYSTEM)
    assert user.groups == ["窗口-1", "food_review", "a.b@c"]


def test_revoked_and_unknown_tokens_do_not_authenticate(runtime):
    _, token = users.add_user(runtime.uow(), "wang", roles=["clerk"], actor=users.SYSTEM)
    users.revoke_tokens(runtime.uow(), "wang", actor=users.SYSTEM)
    with pytest.raises(Unauthenticated, match="revoked"):
        users.authenticate(runtime.uow(), token)
    with pytest.raises(Unauthenticated):
        users.authenticate(runtime.uow(), "gf_made_up")


def test_a_token_expires_after_its_lifetime(runtime, monkeypatch):
    _, token = users.add_user(runtime.uow(), "wang", roles=["clerk"], token_ttl_days=2, actor=users.SYSTEM)
    assert users.authenticate(runtime.uow(), token).name == "wang"
    monkeypatch.setattr(engine.users, "utcnow", lambda: utcnow() + timedelta(days=2, seconds=1))
    with pytest.raises(Unauthenticated, match="expired"):
        users.authenticate(runtime.uow(), token)


def test_require_names_the_action_and_the_roles_needed():
    clerk = users.Actor("wang", roles=frozenset({"clerk"}))
    with pytest.raises(Forbidden, match="wang may not deploy \\(needs role analyst\\)"):
        clerk.require("analyst", action="deploy")
    users.Actor("root", roles=frozenset({"admin"})).require("analyst", action="deploy")


@pytest.mark.parametrize("command", [users.add_user, users.issue_token, users.revoke_tokens, users.set_active,
                                     users.set_user, users.change_user, users.set_password])
def test_a_command_the_audit_log_records_is_told_who_acts(command):
    """No default: a caller that names nobody would pass for the system, an admin, in the log and the checks."""
    actor = inspect.signature(command).parameters["actor"]
    assert (actor.kind, actor.default) == (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.empty)
