"""User management (用户管理) for admins: the users with their groups, roles and tokens; add a user, change their
groups and roles, deactivate a leaver or let them in again, set a password, issue and revoke API tokens.

Each command is one engine.users call, as the API's (api/users.py) makes it. A new token is in the answer to
the POST that made it and nowhere else: only its hash is kept, and no address or redirect carries it.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from engine import users
from engine.clock import utcnow
from engine.errors import Conflict, EngineError, ValidationFailed
from engine.models import User
from engine.settings import MAX_TOKEN_DAYS

from ..context import actor, uow
from .admin import ROLE_HINTS, ROLE_LABELS, USER_RULES, admin_blueprint, group_catalogue, refusals
from .i18n import gettext as _
from .paging import page_number, past_last_page

bp = admin_blueprint("admin_users")
PAGE_SIZE = 50
# Groups typed into one field: a group name has no space, comma or semicolon (engine.users.GROUP_RULE), and a
# Chinese input method types the full-width comma, semicolon and 、 for them.
GROUP_SEPARATORS = re.compile(r"[\s,;\uff0c\uff1b\u3001]+")
NUMBERS_NAMED = 10  # case numbers a message names at most


@dataclass
class UserForm:
    """A user's fields as the add and edit forms hold them: the groups departments own as ticks, any other
    group typed (``other_groups``)."""

    name: str = ""
    display_name: str = ""
    groups: list[str] = field(default_factory=list)
    other_groups: str = ""
    roles: list[str] = field(default_factory=list)
    ttl_days: str = ""

    @classmethod
    def typed(cls, form: MultiDict[str, str], known: set[str]) -> UserForm:
        ticked = [g for g in form.getlist("groups") if g.strip()]
        # A tick for a group no department owns (any more) is kept as typed, so that it is not lost unseen.
        other = " ".join([*(g for g in ticked if g not in known), form.get("other_groups", "").strip()]).strip()
        return cls(name=form.get("name", "").strip(), display_name=form.get("display_name", "").strip(),
                   groups=[g for g in ticked if g in known], other_groups=other, roles=form.getlist("roles"),
                   ttl_days=form.get("ttl_days", "").strip())

    @classmethod
    def of(cls, user: User, known: set[str]) -> UserForm:
        return cls(name=user.name, display_name=user.display_name or "",
                   groups=[g for g in user.groups or [] if g in known],
                   other_groups=" ".join(g for g in user.groups or [] if g not in known), roles=list(user.roles or []))

    def all_groups(self) -> list[str]:
        return list(dict.fromkeys([*self.groups, *(g for g in GROUP_SEPARATORS.split(self.other_groups) if g)]))


def _field(engine_field: str) -> str:
    """A field the engine names, as the forms name it: ``groups.2`` is the groups, ``token_ttl_days`` the
    lifetime."""
    head = engine_field.split(".")[0]
    return "ttl_days" if head == "token_ttl_days" else head


def _status(exc: EngineError) -> int:
    return 409 if isinstance(exc, Conflict) else 422


# ---- the list ---------------------------------------------------------------------------------------

@bp.get("/admin/users")
def index() -> ResponseReturnValue:
    """Users by name, filtered by part of the name (or the display name), a group, a role and whether active;
    50 a page, each with the number of its live tokens."""
    args = request.args
    role = args.get("role") if args.get("role") in users.ROLES else None
    active = {"1": True, "0": False}.get(args.get("active", ""))
    found = users.list_users(uow(), actor=actor(), group=args.get("group", "").strip() or None, role=role,
                             active=active)
    if wanted := args.get("q", "").strip().casefold():
        found = [u for u in found if wanted in u.name.casefold() or wanted in (u.display_name or "").casefold()]
    page = page_number(args)
    if moved := past_last_page(page, PAGE_SIZE, len(found)):
        return moved
    shown = found[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    tokens = users.live_token_counts(uow(), [u.name for u in shown], actor=actor())
    catalogue, known = group_catalogue()
    return render_template("pages/admin_users.html", users=shown, total=len(found), page=page, page_size=PAGE_SIZE,
                           tokens=tokens, departments=catalogue, known=known, roles=users.ROLES,
                           role_labels=ROLE_LABELS)


# ---- adding a user ----------------------------------------------------------------------------------

@bp.get("/admin/users/new")
def new() -> ResponseReturnValue:
    return _new_page(UserForm())


@bp.post("/admin/users/new")
def add() -> ResponseReturnValue:
    """Add the user (engine.users.add_user); the answer is their page with the first token, shown this once."""
    known = group_catalogue()[1]
    typed = UserForm.typed(request.form, set(known))
    if _sent_before():  # a reload of the answer: the user was added, and their token shown, then
        flash(_("用户 {name} 已新增（刷新页面不会再次新增）；其令牌只在新增时显示一次。", name=typed.name), "info")
        return redirect(url_for(".user", name=typed.name), 303)
    ttl_days, problems = _days(typed.ttl_days)
    if problems:
        return _new_page(typed, problems, 422)
    try:
        user, token = users.add_user(uow(), typed.name, groups=typed.all_groups(), roles=typed.roles,
                                     display_name=typed.display_name or None, token_ttl_days=ttl_days, actor=actor())
    except (ValidationFailed, Conflict) as exc:  # a Conflict: the name is taken
        return _new_page(typed, refusals(exc, _field, "name", USER_RULES), _status(exc))
    _warn_of_unknown_groups(user.groups, known)
    _sent()
    return _user_page(user.name, token=token, added=True, status=201)


def _new_page(typed: UserForm, problems: dict[str, str] | None = None, status: int = 200) -> ResponseReturnValue:
    catalogue, known = group_catalogue()
    return render_template("pages/admin_user_new.html", form=typed, problems=problems or {}, departments=catalogue,
                           known=known, roles=users.ROLES, role_labels=ROLE_LABELS, role_hints=ROLE_HINTS,
                           max_days=MAX_TOKEN_DAYS, once=secrets.token_urlsafe(12)), status


# A form whose answer shows a new token carries a mark of its own (``once``): the browser resends the form when
# that answer is reloaded, and the mark, kept in the session once the form was taken, says not to take it again.
SENT = "admin_forms_sent"
KEPT_SENT = 20


def _sent_before() -> bool:
    mark = request.form.get("once", "")
    return bool(mark) and mark in session.get(SENT, [])


def _sent() -> None:
    if mark := request.form.get("once", ""):
        session[SENT] = [*session.get(SENT, []), mark][-KEPT_SENT:]


def _days(typed: str) -> tuple[int | None, dict[str, str]]:
    """A token's lifetime as typed: blank is the default (GOVFLOW_TOKEN_TTL_DAYS, else none); the engine
    checks the range."""
    if not typed:
        return None, {}
    if not re.fullmatch(r"-?\d{1,9}", typed):
        return None, {"ttl_days": _("请填写天数（1 至 {max} 的整数），或留空。", max=MAX_TOKEN_DAYS)}
    return int(typed), {}


def _warn_of_unknown_groups(groups: list[str], known: dict[str, Any]) -> None:
    """A group no department owns is taken (a diagram may name it), but it may be a typing mistake: say so."""
    if unknown := [g for g in groups if g not in known]:
        flash(_("以下组不属于任何部门，请核对拼写（或在部门管理中添加）：{groups}", groups=_("、").join(unknown)), "warning")


# ---- one user ---------------------------------------------------------------------------------------

@bp.get("/admin/users/<name>")
def user(name: str) -> ResponseReturnValue:
    return _user_page(name)


def _user_page(name: str, *, typed: UserForm | None = None, problems: dict[str, str] | None = None,
               token: str | None = None, added: bool = False, kept: dict[str, str] | None = None,
               status: int = 200) -> ResponseReturnValue:
    """The user's page; after a refusal with what was typed (``typed``: the groups and roles form, ``kept``:
    the new token's) and each problem beside its field; ``token``: one just made, shown this once (``added``:
    with the user)."""
    found = users.get_user(uow(), name, actor=actor())
    catalogue, known = group_catalogue()
    tokens = users.list_tokens(uow(), name, actor=actor())
    return render_template("pages/admin_user.html", user=found, form=typed or UserForm.of(found, set(known)),
                           problems=problems or {}, token=token, added=added, kept=kept or {}, tokens=tokens, now=utcnow(),
                           departments=catalogue, known=known, roles=users.ROLES, role_labels=ROLE_LABELS,
                           role_hints=ROLE_HINTS, max_days=MAX_TOKEN_DAYS, once=secrets.token_urlsafe(12)), status


@bp.post("/admin/users/<name>")
def change(name: str) -> ResponseReturnValue:
    """Replace the user's groups and roles and their display name (engine.users.change_user, as the API's PATCH:
    tasks they may no longer work go back to their queues; the last active admin is kept)."""
    known = group_catalogue()[1]
    typed = UserForm.typed(request.form, set(known))
    before = users.get_user(uow(), name, actor=actor()).groups
    try:
        done = users.change_user(uow(), name, groups=typed.all_groups(), roles=typed.roles,
                                 display_name=typed.display_name, actor=actor(), keep_an_admin=True)
    except (ValidationFailed, Conflict) as exc:  # a Conflict: no active admin would be left
        return _user_page(name, typed=typed, problems=refusals(exc, _field, "roles", USER_RULES), status=_status(exc))
    flash(_("已保存用户 {name} 的组和角色，其下次操作起生效。", name=name), "success")
    if set(before) - set(done.groups):  # an assignee works a task whatever their groups (engine.users.change_user)
        flash(_("离开的组的待办中，该用户已认领或被指派的仍由其办理；如需交回，请其退回或由监察人员改派。"), "info")
    _say_released(done)
    _warn_of_unknown_groups(done.groups, known)
    return redirect(url_for(".user", name=name), 303)


@bp.post("/admin/users/<name>/active")
def set_active(name: str) -> ResponseReturnValue:
    """Deactivate a leaver (their tokens, password and page sessions refused at once; the tasks they hold go
    back to their queues) or let them in again: the API's PATCH with ``active``."""
    active = request.form.get("active") == "1"
    try:
        done = users.change_user(uow(), name, active=active, actor=actor(), keep_an_admin=True)
    except (ValidationFailed, Conflict) as exc:  # the last active admin; a reserved name
        flash(_("操作未完成：{message}", message=refusals(exc, _field, "active", USER_RULES)["active"]), "error")
        return redirect(url_for(".user", name=name), 303)
    if active:
        flash(_("已启用用户 {name}，其原有的令牌、密码和组重新有效。", name=name), "success")
    else:
        flash(_("已停用用户 {name}：其令牌、密码和登录会话即刻失效。", name=name), "success")
    _say_released(done)
    return redirect(url_for(".user", name=name), 303)


def _say_released(done: users.UserChange) -> None:
    """What the change did to the user's work: tasks given back, tasks waiting for a supervisor, webhooks
    stopped."""
    if done.released.tasks:
        flash(_("{n} 件该用户持有的待办已退回队列（原因记入办件历史）：{numbers}", n=len(done.released.tasks),
                numbers=_numbers(t.business_key for t in done.released.tasks)), "info")
    if done.released.for_supervisors:
        flash(_("{n} 件待办无其他人可认领，等待监察人员指派：{numbers}", n=len(done.released.for_supervisors),
                numbers=_numbers(t.business_key for t in done.released.for_supervisors)), "warning")
    if done.disabled_webhooks:
        flash(_("该用户的 {n} 个回调订阅已停用。", n=len(done.disabled_webhooks)), "info")


def _numbers(keys: Any) -> str:
    unique = list(dict.fromkeys(keys))
    said = _("、").join(unique[:NUMBERS_NAMED])
    return said + (_("等 {n} 件办件", n=len(unique)) if len(unique) > NUMBERS_NAMED else "")


@bp.post("/admin/users/<name>/password")
def set_password(name: str) -> ResponseReturnValue:
    password = request.form.get("password", "")
    if password != request.form.get("password_again", ""):
        return _user_page(name, problems={"password": _("两次输入的密码不一致。")}, status=422)
    try:
        users.set_password(uow(), name, password, actor=actor())
    except ValidationFailed as exc:  # too short
        return _user_page(name, problems=refusals(exc, _field, "password", USER_RULES), status=422)
    flash(_("已设置用户 {name} 的登录密码；用原密码打开的会话已结束。", name=name), "success")
    return redirect(url_for(".user", name=name), 303)


# ---- tokens -----------------------------------------------------------------------------------------

@bp.post("/admin/users/<name>/tokens")
def issue_token(name: str) -> ResponseReturnValue:
    """Another token (a second system, or rotating one); the answer shows it this once."""
    kept = {"label": request.form.get("label", "").strip(), "ttl_days": request.form.get("ttl_days", "").strip()}
    if _sent_before():  # a reload of the answer that showed it
        flash(_("该令牌已签发（刷新页面不会再次签发），只在签发时显示一次；如已遗失，请签发新令牌并吊销原令牌。"), "info")
        return redirect(url_for(".user", name=name, _anchor="tokens"), 303)
    ttl_days, problems = _days(kept["ttl_days"])
    if problems:
        return _user_page(name, problems=problems, kept=kept, status=422)
    try:
        issued = users.issue_token(uow(), name, ttl_days=ttl_days, label=kept["label"] or None, actor=actor())
    except ValidationFailed as exc:  # the lifetime's range, the label's length
        return _user_page(name, problems=refusals(exc, _field, "label", USER_RULES), kept=kept, status=422)
    _sent()
    return _user_page(name, token=issued.token, status=201)


@bp.post("/admin/users/<name>/tokens/<int:token_id>/revoke")
def revoke_token(name: str, token_id: int) -> ResponseReturnValue:
    if users.revoke_tokens(uow(), name, token_id=token_id, actor=actor()):
        flash(_("已吊销令牌 #{id}；用它打开的会话已结束。", id=token_id), "success")
    else:
        flash(_("令牌 #{id} 此前已吊销。", id=token_id), "info")
    return redirect(url_for(".user", name=name, _anchor="tokens"), 303)


@bp.post("/admin/users/<name>/tokens/revoke")
def revoke_tokens(name: str) -> ResponseReturnValue:
    """Every live token of the user; their password still opens the pages (deactivate a leaver instead)."""
    count = users.revoke_tokens(uow(), name, actor=actor())
    flash(_("已吊销 {n} 个令牌。", n=count) if count else _("该用户没有可吊销的令牌。"), "success" if count else "info")
    return redirect(url_for(".user", name=name, _anchor="tokens"), 303)
