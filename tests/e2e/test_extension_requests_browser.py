"""延期审批 in a real browser against a live server: the window clerk of a food licence asks for three more
working days on its case page, the agency head finds the request on 延期审批, approves it with an opinion,
and the case's deadline moves three working days."""
from __future__ import annotations

import re

import pytest

from engine import Runtime, calendar, definitions, departments, time_limits
from engine.users import SYSTEM, Actor
from tests.browser import add_user, log_in, log_out, shot
from tests.e2e.test_pages_supervisor import FOOD, start, work

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow
CLERK = Actor("wang", frozenset({"window"}), frozenset({"clerk"}))


@pytest.fixture
def accepted(runtime: Runtime) -> int:
    """A food licence the market regulator's window accepted just now; its clerk and its agency head."""
    calendar.seed_national(runtime.uow())
    definitions.deploy(runtime.uow(), [(FOOD.name, FOOD.read_bytes())], actor=SYSTEM)
    add_user(runtime, "wang", groups=["window"], roles=["clerk"])
    add_user(runtime, "chen", groups=["window"], roles=["head"])
    departments.put_department(runtime.uow(), "SCJG", actor=SYSTEM, name="市场监督管理局", groups=["window"])
    case = start(runtime, "SCJG-2026-000888")
    work(runtime, case, "acceptance_check", CLERK, acceptance_decision="accept")
    return case


def test_a_clerk_requests_an_extension_and_the_head_approves_it(page, runtime: Runtime, accepted: int) -> None:
    before = time_limits.get(runtime.uow(), accepted, actor=SYSTEM)
    moved = calendar.for_runtime(runtime, before.calendar).deadline_at(
        before.started_at, before.promised_days + 3).date

    log_in(page, "wang")
    page.goto(f"/cases/{accepted}")
    clock = page.locator("#clock")
    clock.locator("details.request-extension summary").click()
    form = clock.locator("form.request-extension-form")
    form.locator("input[name=days]").fill("3")
    form.locator("textarea[name=reason]").fill("需组织现场核查")
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_have_text("已申请延期 3 个工作日，待机关负责人审批。")
    expect(page.locator('#clock tr[data-state="pending"]')).to_contain_text("需组织现场核查")
    expect(page.locator("#clock .deadline")).to_have_text(str(before.deadline_date))
    log_out(page)

    log_in(page, "chen")  # an agency head starts on 延期审批
    page.wait_for_url(re.compile(r"/extensions$"))
    row = page.locator('table.extension-requests tr[data-state="pending"]')
    expect(row).to_contain_text("SCJG-2026-000888")
    expect(row).to_contain_text("需组织现场核查")
    shot(page, "extensions-01-pending")
    row.locator("textarea[name=opinion]").fill("同意延长三个工作日")
    row.locator("button.approve").click()
    expect(page.locator(".flash-success")).to_have_text(f"已批准延长 3 个工作日，办结期限 {moved}。")
    expect(page.locator(".empty-state")).to_have_text("没有待审批的延期申请。")

    page.goto(f"/cases/{accepted}")
    expect(page.locator("#clock .deadline")).to_have_text(str(moved))
    approved = page.locator('#clock tr[data-state="approved"]')
    expect(approved).to_contain_text("同意延长三个工作日")
    expect(page.locator(".timeline, #timeline").first).to_contain_text("申请延期 3 个工作日")
    assert time_limits.get(runtime.uow(), accepted, actor=SYSTEM).deadline_date == moved
