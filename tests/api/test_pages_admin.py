"""The admin pages (/admin/users, /admin/departments): only admins reach them; a user added shows their token
once; groups and roles change; a leaver's tasks go back to their queues; tokens are issued and revoked; a
refusal says the engine's message beside its field with the form as typed; departments are added, renamed,
given groups, and their groups' titles changed."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from sqlalchemy import update

from engine import Runtime, departments, tasks, users
from engine.clock import utcnow
from engine.errors import Unauthenticated
from engine.models import ApiToken
from engine.users import SYSTEM, Actor
from tests.api.test_pages import Browser, person, routed, start_routed  # noqa: F401 (routed: a fixture)

ADMIN_PAGES = "/admin/users"
TOKEN = re.compile(r'<code class="token">(gf_[\w-]+)</code>')


@pytest.fixture
def admin(app: Any, runtime: Runtime) -> Browser:
    """li, an admin, signed in; the window department with two groups, one of them titled."""
    departments.put_department(runtime.uow(), "ZWFW", actor=SYSTEM, name="市政务服务管理局", groups=["window", "zwfw"],
                               titles={"window": "综合受理窗口"})
    browser = Browser(app.test_client())
    person(runtime, "li", roles=["admin"])
    assert browser.log_in("li").status_code == 302
    return browser


def post(browser: Browser, url: str, data: dict[str, Any]) -> Any:
    return browser.post(url, data, token_from=ADMIN_PAGES)


def field_error(html: str, name: str) -> str:
    found = re.search(rf'<span class="field-error"[^>]*data-field="{name}"[^>]*>([^<]*)</span>', html)
    return unescape(found.group(1)) if found else ""


def ticked(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="checkbox" name="{name}" value="([^"]+)" checked>', html)


def user_row(html: str, name: str) -> str:
    return html.split(f'data-user="{name}"')[1].split("</tr>")[0]


# ---- who may ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("roles", [["clerk"], ["supervisor"], ["analyst", "integrator"]])
def test_only_admins_reach_the_admin_pages(app: Any, runtime: Runtime, roles: list[str]) -> None:
    person(runtime, "wang", roles=roles, groups=["window"])
    browser = Browser(app.test_client())
    assert browser.log_in("wang").status_code == 302
    for url in ("/admin/users", "/admin/users/new", "/admin/users/wang", "/admin/departments"):
        assert browser.get(url).status_code == 403, url
    token = browser.csrf("/queue" if "clerk" in roles or "supervisor" in roles else "/analyst/definitions")
    for url, data in (("/admin/users/new", {"name": "mole", "roles": ["admin"]}),
                      ("/admin/users/wang", {"roles": ["admin"]}),
                      ("/admin/departments", {"code": "X", "name": "X"})):
        assert browser.client.post(url, data={"csrf_token": token, **data}).status_code == 403, url
    assert users.list_users(runtime.uow()) and all(u.name != "mole" for u in users.list_users(runtime.uow()))
    assert "用户管理" not in browser.get("/supervision" if "supervisor" in roles else "/queue").text
    assert Browser(app.test_client()).get("/admin/users").headers["Location"].startswith("/login")


def test_the_navigation_links_admins_to_both_pages(admin: Browser) -> None:
    page = admin.get("/admin/users").text
    assert 'href="/admin/users" class="current">用户管理</a>' in page and 'href="/admin/departments"' in page


# ---- users --------------------------------------------------------------------------------------------

def test_a_new_user_shows_their_token_once_and_is_listed(admin: Browser, runtime: Runtime) -> None:
    created = post(admin, "/admin/users/new", {"name": "wang", "display_name": "王芳", "groups": ["window"],
                                               "other_groups": "supervision", "roles": ["clerk", "supervisor"]})
    assert created.status_code == 201
    token = TOKEN.findall(created.text)
    assert len(token) == 1 and users.authenticate(runtime.uow(), token[0]).name == "wang"
    assert "只显示这一次" in created.text
    assert "以下组不属于任何部门" in created.text and "supervision" in created.text  # a typo would show so
    user = users.get_user(runtime.uow(), "wang")
    assert (user.display_name, user.groups, user.roles) == ("王芳", ["window", "supervision"], ["clerk", "supervisor"])
    again = admin.get("/admin/users/wang").text
    assert token[0] not in again and "只显示这一次" not in again and "首个令牌" in again
    row = user_row(admin.get("/admin/users").text, "wang")
    assert "综合受理窗口" in row and "市政务服务管理局" in row and "supervision" in row and "无部门" in row
    assert "经办人员" in row and "监察人员" in row and "在用" in row
    assert re.search(r'class="num tokens"[^>]*>1<', row)


def test_the_list_filters_by_name_group_role_and_state(admin: Browser, runtime: Runtime) -> None:
    person(runtime, "wang", roles=["clerk"], groups=["window"])
    person(runtime, "zhou", roles=["supervisor"])
    users.change_user(runtime.uow(), "zhou", active=False, actor=SYSTEM)

    def listed(query: str) -> list[str]:
        return re.findall(r'<tr class="user[^"]*" data-user="([^"]+)"', admin.get(f"/admin/users?{query}").text)

    assert listed("") == ["li", "wang", "zhou"]
    assert listed("q=WA") == ["wang"]
    assert listed("group=window") == ["wang"]
    assert listed("role=supervisor") == ["zhou"]
    assert listed("active=0") == ["zhou"] and listed("active=1") == ["li", "wang"]
    assert listed("role=nonsense") == ["li", "wang", "zhou"]  # a role not offered reads as none chosen


def test_groups_and_roles_are_replaced(admin: Browser, runtime: Runtime) -> None:
    person(runtime, "wang", roles=["clerk"], groups=["window"])
    page = admin.get("/admin/users/wang").text
    assert ticked(page, "groups") == ["window"] and ticked(page, "roles") == ["clerk"]
    saved = post(admin, "/admin/users/wang", {"groups": ["zwfw"], "other_groups": "", "roles": ["clerk", "analyst"],
                                              "display_name": "王芳"})
    assert saved.status_code == 303 and saved.headers["Location"] == "/admin/users/wang"
    user = users.get_user(runtime.uow(), "wang")
    assert (user.groups, sorted(user.roles), user.display_name) == (["zwfw"], ["analyst", "clerk"], "王芳")
    page = admin.get("/admin/users/wang").text
    assert "已保存用户 wang 的组和角色" in page and "离开的组的待办中" in page  # window left: what stays theirs
    post(admin, "/admin/users/wang", {"groups": ["zwfw", "window"], "roles": ["clerk"]})
    assert "离开的组的待办中" not in admin.get("/admin/users/wang").text  # a group added, none left


def test_deactivating_gives_the_leavers_tasks_back_and_reactivating_lets_them_in(
        admin: Browser, runtime: Runtime, routed: None) -> None:  # noqa: F811 (the fixture)
    token = person(runtime, "wang", roles=["clerk"], groups=["window"])
    task = start_routed(runtime, "LEAVER-1", due=None).tasks[0]
    tasks.claim(runtime.uow(), task.id, actor=Actor("wang", frozenset({"window"}), frozenset({"clerk"})))
    form = admin.get("/admin/users/wang").text.split('id="deactivate"')[0].rsplit("<form", 1)[1]
    assert 'name="confirm" value="1" required' in form and "确认停用 wang" in form  # no deactivation by a slip
    done = post(admin, "/admin/users/wang/active", {"active": "0"})
    assert done.status_code == 303
    page = admin.get("/admin/users/wang").text
    assert "已停用用户 wang" in page and "1 件该用户持有的待办已退回队列" in page and "LEAVER-1" in page
    assert tasks.get_task(runtime.uow(), task.id, actor=SYSTEM).assignee is None
    with pytest.raises(Unauthenticated):
        users.authenticate(runtime.uow(), token)
    assert 'id="reactivate"' in page
    assert post(admin, "/admin/users/wang/active", {"active": "1"}).status_code == 303
    assert users.authenticate(runtime.uow(), token).name == "wang"
    assert "已启用用户 wang" in admin.get("/admin/users/wang").text


def test_the_last_admin_is_kept(admin: Browser, runtime: Runtime) -> None:
    refused = post(admin, "/admin/users/li", {"roles": ["supervisor"]})
    assert refused.status_code == 409 and "没有在用的管理员" in field_error(refused.text, "roles")
    assert ticked(refused.text, "roles") == ["supervisor"]  # as typed
    assert post(admin, "/admin/users/li/active", {"active": "0"}).status_code == 303
    assert "操作未完成：此操作将使系统没有在用的管理员" in admin.get("/admin/users/li").text
    assert users.get_user(runtime.uow(), "li").active and users.get_user(runtime.uow(), "li").roles == ["admin"]


def test_a_refused_user_says_why_beside_the_field_and_keeps_what_was_typed(admin: Browser, runtime: Runtime) -> None:
    person(runtime, "wang", roles=["clerk"])
    typed = {"name": "wang", "display_name": "王芳", "groups": ["window"], "other_groups": "supervision",
             "roles": ["clerk", "supervisor"], "ttl_days": "30"}
    taken = post(admin, "/admin/users/new", typed)
    assert taken.status_code == 409 and field_error(taken.text, "name") == "该用户名已被使用，请换一个。"
    assert 'name="name" value="wang"' in taken.text and 'value="王芳"' in taken.text
    assert 'name="other_groups" value="supervision"' in taken.text and 'name="ttl_days" value="30"' in taken.text
    assert ticked(taken.text, "groups") == ["window"] and ticked(taken.text, "roles") == ["clerk", "supervisor"]
    assert not TOKEN.search(taken.text)

    role = post(admin, "/admin/users/new", {**typed, "name": "zhao", "roles": ["clerk", "boss"]})
    assert role.status_code == 422 and "unknown role 'boss'" in field_error(role.text, "roles")
    group = post(admin, "/admin/users/new", {**typed, "name": "zhao", "other_groups": "g" * 101})
    assert group.status_code == 422 and field_error(group.text, "groups") == "组代码须为字母、数字及 . _ -，以空格或逗号分隔"
    name = post(admin, "/admin/users/new", {**typed, "name": "system"})
    assert name.status_code == 422 and "系统保留" in field_error(name.text, "name")
    days = post(admin, "/admin/users/new", {**typed, "name": "zhao", "ttl_days": "0"})
    assert days.status_code == 422 and "1 至 36500 天" in field_error(days.text, "ttl_days")
    assert [u.name for u in users.list_users(runtime.uow())] == ["li", "wang"]

    edit = post(admin, "/admin/users/wang", {"groups": ["window"], "other_groups": "a\x01b", "roles": ["clerk"]})
    assert edit.status_code == 422 and "组代码须为" in field_error(edit.text, "groups")
    assert "a\x01b" not in users.get_user(runtime.uow(), "wang").groups


def listed_tokens(admin: Browser, name: str) -> str:
    """The live tokens the user list counts for a user."""
    row = user_row(admin.get(f"/admin/users?q={name}").text, name)
    found = re.search(r'class="num tokens"[^>]*>(\d+)<', row)
    assert found, row
    return found.group(1)


def test_tokens_are_issued_shown_once_and_revoked(admin: Browser, runtime: Runtime) -> None:
    first = person(runtime, "portal", roles=["integrator"])
    issued = post(admin, "/admin/users/portal/tokens", {"label": "省平台对接", "ttl_days": "90"})
    assert issued.status_code == 201
    second = TOKEN.findall(issued.text)[0]
    assert users.authenticate(runtime.uow(), second).name == "portal"
    page = admin.get("/admin/users/portal").text
    assert second not in page and "省平台对接" in page and page.count('class="token-row"') == 2
    newest = users.list_tokens(runtime.uow(), "portal")[0]
    assert newest.label == "省平台对接" and newest.expires_at is not None

    refused = post(admin, "/admin/users/portal/tokens", {"label": "x" * 101, "ttl_days": "7"})
    assert refused.status_code == 422 and field_error(refused.text, "label") == "用途至多 100 个字符"
    assert 'name="ttl_days" value="7"' in refused.text and not TOKEN.search(refused.text)

    assert listed_tokens(admin, "portal") == "2"
    assert post(admin, f"/admin/users/portal/tokens/{newest.id}/revoke", {}).status_code == 303
    assert f"已吊销令牌 #{newest.id}" in admin.get("/admin/users/portal").text
    assert listed_tokens(admin, "portal") == "1"  # the live ones only
    users.issue_token(runtime.uow(), "portal", actor=users.SYSTEM, ttl_days=1)
    with runtime.engine.begin() as connection:  # that one expired
        connection.execute(update(ApiToken).where(ApiToken.id == users.list_tokens(runtime.uow(), "portal")[0].id)
                           .values(expires_at=utcnow() - timedelta(seconds=1)))
    assert listed_tokens(admin, "portal") == "1"
    with pytest.raises(Unauthenticated):
        users.authenticate(runtime.uow(), second)
    assert users.authenticate(runtime.uow(), first).name == "portal"
    assert post(admin, "/admin/users/portal/tokens/revoke", {}).status_code == 303
    assert "已吊销 2 个令牌" in admin.get("/admin/users/portal").text  # the expired one too
    with pytest.raises(Unauthenticated):
        users.authenticate(runtime.uow(), first)
    assert users.list_users(runtime.uow(), group=None)  # the user stays


def test_a_password_is_set_twice_typed(admin: Browser, runtime: Runtime, app: Any) -> None:
    users.add_user(runtime.uow(), "wang", roles=["clerk"], actor=SYSTEM)
    differ = post(admin, "/admin/users/wang/password", {"password": "window-2026", "password_again": "window-2062"})
    assert differ.status_code == 422 and "两次输入的密码不一致" in field_error(differ.text, "password")
    short = post(admin, "/admin/users/wang/password", {"password": "short", "password_again": "short"})
    assert short.status_code == 422 and field_error(short.text, "password") == "密码至少 8 个字符"
    assert 'value="short"' not in short.text  # a password is never written back into the page
    assert post(admin, "/admin/users/wang/password",
                {"password": "window-2026", "password_again": "window-2026"}).status_code == 303
    assert Browser(app.test_client()).log_in("wang", "window-2026").status_code == 302


def test_the_pages_read_in_english(admin: Browser) -> None:
    admin.client.get("/lang/en")
    assert "Add user" in admin.get("/admin/users").text
    assert "Add department" in admin.get("/admin/departments").text


# ---- departments --------------------------------------------------------------------------------------

def department(html: str, code: str) -> str:
    return html.split(f'data-department="{code}"')[1].split("</details>")[0]


def test_the_departments_are_listed_with_their_groups_and_titles(admin: Browser) -> None:
    page = admin.get("/admin/departments").text
    zwfw = department(page, "ZWFW")
    assert "市政务服务管理局" in zwfw and 'data-group="window"' in zwfw and 'value="综合受理窗口"' in zwfw
    assert 'data-group="zwfw"' in zwfw and '/admin/users?group=window' in zwfw


def test_a_department_is_added_with_its_first_group(admin: Browser, runtime: Runtime) -> None:
    added = post(admin, "/admin/departments", {"code": "SCJG", "name": "市市场监督管理局", "parent_code": "ZWFW",
                                               "group": "review", "title": "审查科"})
    assert added.status_code == 303 and added.headers["Location"] == "/admin/departments?open=SCJG#department-SCJG"
    view = departments.get_department(runtime.uow(), "SCJG")
    assert (view.name, view.parent_code, view.titles) == ("市市场监督管理局", "ZWFW", {"review": "审查科"})
    page = admin.get(added.headers["Location"]).text
    assert "已新增部门 SCJG" in page and 'id="department-SCJG" data-department="SCJG" open' in page


def test_a_refused_department_says_why_and_keeps_what_was_typed(admin: Browser, runtime: Runtime) -> None:
    taken = post(admin, "/admin/departments", {"code": "ZWFW", "name": "又一个", "group": "hall", "title": "大厅"})
    assert taken.status_code == 409 and field_error(taken.text, "code") == "该部门代码已被使用，请换一个。"
    form = taken.text.split('id="add-department-form"')[1]
    assert 'value="ZWFW"' in form and 'value="又一个"' in form and 'value="hall"' in form and 'value="大厅"' in form
    bad = post(admin, "/admin/departments", {"code": "bad code", "name": "", "group": "window"})
    assert bad.status_code == 422
    assert "1 至 50 个字母" in field_error(bad.text, "code") and "1 至 200 个字符" in field_error(bad.text, "name")
    owned = post(admin, "/admin/departments", {"code": "SCJG", "name": "市市场监督管理局", "group": "window"})
    assert owned.status_code == 409 and "已属于部门 ZWFW" in field_error(owned.text, "group")
    assert [d.code for d in departments.list_departments(runtime.uow())] == ["ZWFW"]


def test_a_group_title_is_changed_and_cleared(admin: Browser, runtime: Runtime) -> None:
    changed = post(admin, "/admin/departments/titles", {"group": "zwfw", "title": "审批协调科", "code": "ZWFW"})
    assert changed.status_code == 303 and "open=ZWFW" in changed.headers["Location"]
    assert departments.get_department(runtime.uow(), "ZWFW").titles == {"window": "综合受理窗口", "zwfw": "审批协调科"}
    assert "已将组 zwfw 的名称改为 审批协调科" in admin.get(changed.headers["Location"]).text
    post(admin, "/admin/departments/titles", {"group": "window", "title": "", "code": "ZWFW"})
    assert departments.get_department(runtime.uow(), "ZWFW").titles["window"] is None
    refused = post(admin, "/admin/departments/titles", {"group": "zwfw", "title": "x" * 101, "code": "ZWFW"})
    assert refused.status_code == 422 and "至多 100 个字符" in field_error(refused.text, "title")
    row = refused.text.split('data-group="zwfw"')[1].split("</tr>")[0]
    assert 'value="' + "x" * 101 + '"' in row and 'data-department="ZWFW" open' in refused.text


def test_a_department_is_renamed_and_given_groups(admin: Browser, runtime: Runtime) -> None:
    departments.put_department(runtime.uow(), "SCJG", actor=SYSTEM, name="市场监管局", groups=["review"])
    stamp = departments.get_department(runtime.uow(), "ZWFW").updated_at.isoformat()
    renamed = post(admin, "/admin/departments/ZWFW/name", {"name": "市政务服务中心", "updated_at": stamp})
    assert renamed.status_code == 303
    view = departments.get_department(runtime.uow(), "ZWFW")
    assert view.name == "市政务服务中心" and view.groups == ["window", "zwfw"] and view.titles["window"] == "综合受理窗口"

    stamp = view.updated_at.isoformat()
    assert post(admin, "/admin/departments/ZWFW/groups",
                {"group": "meeting_chair", "title": "联合审批会议主持人", "updated_at": stamp}).status_code == 303
    view = departments.get_department(runtime.uow(), "ZWFW")
    assert view.groups == ["meeting_chair", "window", "zwfw"] and view.titles["meeting_chair"] == "联合审批会议主持人"

    stamp = view.updated_at.isoformat()
    owned = post(admin, "/admin/departments/ZWFW/groups", {"group": "review", "updated_at": stamp})
    assert owned.status_code == 409 and field_error(owned.text, "group").startswith("组 review 已属于部门 SCJG：如需移入，请勾选")
    assert 'value="review"' in department(owned.text, "ZWFW")
    moved = post(admin, "/admin/departments/ZWFW/groups", {"group": "review", "move_groups": "1", "updated_at": stamp})
    assert moved.status_code == 303
    assert departments.get_department(runtime.uow(), "SCJG").groups == []


def test_a_form_older_than_the_departments_last_change_is_refused(admin: Browser, runtime: Runtime) -> None:
    """Put whole, an old form would drop the group another admin gave the department meanwhile."""
    stamp = departments.get_department(runtime.uow(), "ZWFW").updated_at.isoformat()
    departments.put_department(runtime.uow(), "ZWFW", actor=SYSTEM, name="市政务服务管理局",
                               groups=["window", "zwfw", "meeting_chair"])
    stale = post(admin, "/admin/departments/ZWFW/name", {"name": "新名称", "updated_at": stamp})
    assert stale.status_code == 409 and "已被修改" in field_error(stale.text, "name")
    assert 'value="新名称"' in department(stale.text, "ZWFW")
    view = departments.get_department(runtime.uow(), "ZWFW")
    assert view.name == "市政务服务管理局" and "meeting_chair" in view.groups


def once_of(html: str, form_id: str) -> str:
    found = re.search(r'name="once" value="([^"]+)"', html.split(f'id="{form_id}"')[1])
    assert found, form_id
    return found.group(1)


def test_reloading_the_answer_that_showed_a_token_neither_issues_nor_adds_again(admin: Browser,
                                                                               runtime: Runtime) -> None:
    """The browser resends the form when the answer showing the token is reloaded: the form's mark says it was
    taken, and the page says the token was shown that once."""
    form = {"name": "zhao", "roles": "clerk", "groups": "window", "once": once_of(admin.get("/admin/users/new").text,
                                                                                 "new-user-form")}
    assert post(admin, "/admin/users/new", form).status_code == 201
    again = post(admin, "/admin/users/new", form)
    assert again.status_code == 303 and again.headers["Location"].endswith("/admin/users/zhao")
    assert "刷新页面不会再次新增" in admin.get("/admin/users/zhao").text
    assert len(users.list_tokens(runtime.uow(), "zhao")) == 1

    issue = {"label": "省平台对接", "once": once_of(admin.get("/admin/users/zhao").text, "issue-token-form")}
    assert post(admin, "/admin/users/zhao/tokens", issue).status_code == 201
    assert post(admin, "/admin/users/zhao/tokens", issue).status_code == 303
    assert "刷新页面不会再次签发" in admin.get("/admin/users/zhao").text
    assert len(users.list_tokens(runtime.uow(), "zhao")) == 2
    fresh = {"label": "第二个系统", "once": once_of(admin.get("/admin/users/zhao").text, "issue-token-form")}
    assert post(admin, "/admin/users/zhao/tokens", fresh).status_code == 201  # a form shown anew issues anew
    assert len(users.list_tokens(runtime.uow(), "zhao")) == 3
