"""An admin in a real browser: from the navigation to 用户管理, adds a window clerk by ticking their group (named
by its title) and role; the token is shown once, the new user signs in with it, and the list reads on a
phone's width without scrolling sideways, as the departments do."""
from __future__ import annotations

import re
from typing import Any

import pytest

from engine import Runtime, departments, users
from engine.users import SYSTEM
from tests.browser import add_user, log_in, log_out, shot

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow


def test_an_admin_adds_a_user_whose_token_is_shown_once(page: Any, runtime: Runtime) -> None:
    departments.put_department(runtime.uow(), "ZWFW", actor=SYSTEM, name="市政务服务管理局", groups=["window", "zwfw"],
                               titles={"window": "综合受理窗口"})
    add_user(runtime, "li", roles=["admin"])
    log_in(page, "li")
    page.click('.mainnav a[href="/admin/users"]')
    expect(page.locator("h1")).to_have_text("用户管理")
    page.click("#add-user")

    page.fill("#new-name", "wangfang")
    page.fill("#new-display-name", "王芳")
    page.get_by_label("综合受理窗口").check()
    page.locator('input[name="roles"][value="clerk"]').check()
    page.click("#new-user-form button[type=submit]")

    once = page.locator("#new-token code.token")
    expect(once).to_have_text(re.compile(r"^gf_[\w-]{20,}$"))
    token = once.inner_text()
    expect(page.locator("dd.groups")).to_contain_text("综合受理窗口")
    shot(page, "60-admin-user-added")
    user = users.get_user(runtime.uow(), "wangfang")
    assert (user.display_name, user.groups, user.roles) == ("王芳", ["window"], ["clerk"])

    page.goto("/admin/users/wangfang")  # the user's page read again: the token is gone for good
    expect(page.locator("#new-token")).to_have_count(0)
    assert token not in page.content()

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto("/admin/users")
    row = page.locator('tr[data-user="wangfang"]')
    expect(row).to_contain_text("综合受理窗口")
    expect(row.locator("td.tokens")).to_have_text("1")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "61-admin-users-phone", full_page=True)
    page.goto("/admin/departments?open=ZWFW")
    expect(page.locator('tr[data-group="window"] input[name="title"]')).to_have_value("综合受理窗口")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "62-admin-departments-phone", full_page=True)

    log_out(page)
    log_in(page, "wangfang", token)  # no password yet: the token opens the pages
    expect(page.locator(".who .user")).to_have_text("wangfang")
