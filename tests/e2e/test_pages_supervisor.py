"""Supervision in a real browser against a live server: a food licence accepted today runs green; once its
clock is moved three weeks back the supervisor's board shows it red, overdue, with its step, and its case
page shows the red clock. A clerk is refused the board."""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from engine import (
    Runtime,
    calendar,
    definitions,
    departments,
    errors,
    instances,
    overdue_reasons,
    supervision,
    tasks,
    time_limits,
)
from engine.models import CaseClock, Task
from engine.users import SYSTEM, Actor
from tests.browser import add_user, log_in, shot
from tests.live import ROOT

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow
FOOD = ROOT / "bpmn" / "SCJG-XK-0001" / "food_business_licence.bpmn"
CLERK = Actor("wang", frozenset({"window"}), frozenset({"clerk"}))
SUPERVISOR = Actor("zhou", roles=frozenset({"supervisor"}))
HEAD = Actor("chen", frozenset({"window"}), frozenset({"head"}))  # the market regulator's agency head


@pytest.fixture
def accepted(runtime: Runtime) -> int:
    """A food licence accepted by the market regulator's window just now (its clock runs: 10 working days),
    a window clerk and a supervisor."""
    calendar.seed_national(runtime.uow())
    definitions.deploy(runtime.uow(), [(FOOD.name, FOOD.read_bytes())], actor=SYSTEM)
    add_user(runtime, "wang", groups=["window"], roles=["clerk"])
    add_user(runtime, "zhou", roles=["supervisor"])
    departments.put_department(runtime.uow(), "SCJG", actor=SYSTEM, name="市场监督管理局", groups=["window"])
    decided = start(runtime, "SCJG-2026-000776")  # one decided at once: the on-time rate has a bar
    work(runtime, decided, "acceptance_check", CLERK, acceptance_decision="accept")
    work(runtime, decided, "review", SYSTEM)
    work(runtime, decided, "decide", SYSTEM, decision="grant")
    case = start(runtime, "SCJG-2026-000777")
    work(runtime, case, "acceptance_check", CLERK, acceptance_decision="accept")
    return case


def start(runtime: Runtime, number: str) -> int:
    case, _ = instances.start(runtime.uow(), "food_business_licence", actor=SYSTEM, business_key=number,
                              variables={"applicant_name": "张三"})
    return case.id


def work(runtime: Runtime, instance_id: int, step: str, actor: Actor, **variables: Any) -> None:
    with runtime.uow() as uow:
        task_id = uow.session.scalars(select(Task.id).where(
            Task.instance_id == instance_id, Task.bpmn_id == step, Task.state == "READY")).one()
    tasks.complete(runtime.uow(), task_id, actor=actor, variables=variables)


def move_clock_back(runtime: Runtime, instance_id: int, delta: timedelta) -> None:
    """Time passes for the case: its clock started ``delta`` earlier, the deadline counted again from there
    with the case's calendar (what the engine stores when a clock starts)."""
    with runtime.uow() as uow:
        clock = uow.session.get(CaseClock, instance_id)
        assert clock is not None and clock.state == "running"
        clock.started_at -= delta
        found = calendar.for_runtime(uow, clock.calendar).deadline_at(
            clock.started_at, clock.promised_days + clock.extension_days + clock.paused_working_days)
        clock.deadline_at, clock.provisional = found.at, found.provisional
        uow.commit()


def test_a_case_whose_clock_is_moved_past_its_deadline_shows_red_on_the_board(page: Any, runtime: Runtime,
                                                                              accepted: int) -> None:
    log_in(page, "zhou")
    page.click("nav.mainnav >> text=电子监察")
    expect(page).to_have_url(re.compile(r"/supervision$"))
    expect(page.locator("nav.mainnav a.current")).to_have_text("电子监察")
    expect(page.locator("tr.case-row")).to_have_count(0)  # ten working days ahead: no warning yet
    expect(page.locator(".empty-state").first).to_contain_text("没有符合条件的在办件")
    page.select_option("select[name=level]", "all")
    page.click("form.filters button[type=submit]")
    row = page.locator(f'tr.case-row[data-instance="{accepted}"]')
    expect(row).to_have_attribute("data-level", "green")
    expect(row).to_contain_text("审查（业务科室）")
    shot(page, "supervision-01-board-green")

    move_clock_back(runtime, accepted, timedelta(days=21))
    view = time_limits.get(runtime.uow(), accepted, actor=SUPERVISOR)
    assert view.overdue and view.remaining_working_days < 0

    page.goto("/supervision")  # the default board: red and yellow only
    row = page.locator(f'tr.case-row[data-instance="{accepted}"]')
    expect(row).to_have_attribute("data-level", "red")
    expect(row.locator(".level-badge")).to_have_text("红色预警")
    expect(row).to_contain_text("SCJG-2026-000777")
    expect(row).to_contain_text("食品经营许可")
    expect(row).to_contain_text("审查（业务科室）")
    expect(row.locator("td.remaining")).to_have_text(f"超 {-view.remaining_working_days}")
    expect(row).to_contain_text(view.deadline_date.isoformat())
    expect(row.locator("td.department")).to_have_text("市场监督管理局")
    expect(row.locator(".reason-missing")).to_have_text("未说明原因")  # overdue and nobody said why yet
    stats = page.locator('tr[data-item="food_business_licence"]')
    expect(stats.locator(".badge-red")).to_have_text("1")
    expect(page.locator("#rate-chart > title")).to_have_text("各事项按期办结率")
    expect(page.locator("#rate-chart .chart-value")).to_have_text("100%")  # the decided one, on time
    expect(stats.locator("td.rate")).to_have_text("100%")
    expect(page.locator('tr[data-department="SCJG"] .badge-red')).to_have_text("1")
    expect(page.locator("#department-rate-chart > title")).to_have_text("各部门按期办结率")
    shot(page, "supervision-02-board-red", full_page=True)
    page.click(".who a.lang")  # the same board in English
    expect(page.locator("h1")).to_have_text("Supervision")
    expect(row.locator(".level-badge")).to_have_text("Red warning")
    expect(page.locator("#rate-chart > title")).to_have_text("On-time rate by item")
    shot(page, "supervision-02-board-red-english", full_page=True)
    page.click(".who a.lang")
    # The board's level is supervision's own.
    [listed] = supervision.list_cases(runtime.uow(), actor=SUPERVISOR, level="red")
    assert listed.instance_id == accepted

    row.locator("a", has_text="SCJG-2026-000777").click()
    clock = page.locator("#clock")
    expect(clock).to_have_attribute("data-level", "red")
    expect(clock.locator(".level-badge")).to_have_text("红色预警")
    expect(clock.locator(".remaining")).to_have_text(f"超期 {-view.remaining_working_days} 个工作日")
    expect(clock.locator(".used")).to_have_text(f"{view.used_working_days} 个工作日")
    expect(page.locator(".page-head .level-badge")).to_have_text("红色预警")
    expect(clock.locator(".reason-missing")).to_be_visible()
    clock.scroll_into_view_if_needed()
    shot(page, "supervision-03-case-clock-red")

    # Past its deadline the case is not extended after the fact (Art 42 extends a running limit): it stays
    # red, and the department records why it is overdue, which the case page then shows.
    with pytest.raises(errors.Conflict, match="past its deadline"):
        time_limits.extend(runtime.uow(), accepted, actor=HEAD, days=10, reason="需组织现场核查")
    overdue_reasons.record(runtime.uow(), accepted, actor=CLERK, reason="等待规划部门出具意见",
                           category="coordination")
    page.reload()
    expect(clock).to_have_attribute("data-level", "red")
    expect(clock.locator(".reason-category")).to_have_text("等待其他部门或层级")
    expect(clock).to_contain_text("等待规划部门出具意见")
    expect(clock.locator(".reason-missing")).to_have_count(0)
    clock.scroll_into_view_if_needed()
    shot(page, "supervision-04-case-clock-reason")


def test_a_clerk_is_refused_the_board_and_has_no_link_to_it(page: Any, accepted: int) -> None:
    log_in(page, "wang")
    expect(page.locator("nav.mainnav")).not_to_contain_text("电子监察")
    response = page.goto("/supervision")
    assert response is not None and response.status == 403
    expect(page.locator("main")).to_contain_text("您无权执行此操作。")
    shot(page, "supervision-05-clerk-refused")


NARROW = {"width": 390, "height": 844}  # a phone held upright


def test_at_390_px_the_pages_fit_the_screen_and_the_navigation_wraps_by_links(page: Any, accepted: int) -> None:
    """Nothing widens the page sideways: a wide table scrolls in its own box, the case page's columns stack,
    a long case-data key wraps inside its column, and each navigation link stays on one line."""
    log_in(page, "zhou")
    page.set_viewport_size(NARROW)
    problems = []  # every page's, so that one run shows them all
    for path, name in (("/queue", "queue"), ("/supervision?level=all", "board"), (f"/cases/{accepted}", "case")):
        page.goto(path)
        expect(page.locator("nav.mainnav a").first).to_be_visible()
        shot(page, f"supervision-06-narrow-{name}", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > NARROW["width"]:
            problems.append(f"{path} is {width} px wide")
        links = page.evaluate("""[...document.querySelectorAll('nav.mainnav a')].map(a => {
            const style = getComputedStyle(a);
            return [a.textContent.trim(), a.getBoundingClientRect().height, parseFloat(style.lineHeight),
                    parseFloat(style.paddingTop) + parseFloat(style.paddingBottom)];
        })""")
        assert len(links) >= 3
        problems += [f"{path}: the link {text!r} takes more than one line" for text, height, line, padding in links
                     if height - padding > 2 * line - 1]
    page.evaluate("document.querySelectorAll('details.process-data').forEach(d => { d.open = true; })")
    expect(page.locator("dl.facts.data dt", has_text="acceptance_decision")).to_have_count(1)  # wider than 120 px
    problems += page.evaluate("""[...document.querySelectorAll('dl.facts dt, dl.facts dd')]
        .filter(e => e.scrollWidth > e.clientWidth).map(e => `${e.textContent} overflows its column`)""")
    assert not problems, "\n".join(problems)


def test_on_a_phone_each_board_row_is_a_card_with_its_days_left_on_screen(page: Any, accepted: int) -> None:
    log_in(page, "zhou")
    page.set_viewport_size(NARROW)
    page.goto("/supervision?level=all")
    row = page.locator(f'tr.case-row[data-instance="{accepted}"]')
    remaining = row.locator("td.remaining")
    expect(remaining).to_be_visible()
    box = remaining.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"]
    # Each figure says what it is, as the column heading would (hidden on a phone).
    label = remaining.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"剩余"'
    expect(page.locator("table.supervised thead")).to_be_hidden()
    shot(page, "supervision-10-phone-board-cards", full_page=True)


def test_a_clerk_records_why_a_red_case_is_overdue_from_its_case_page(page: Any, runtime: Runtime,
                                                                      accepted: int) -> None:
    """The window clerk who accepted the case opens it once red: the clock asks for the reason, with the
    engine's categories; recorded, the reason stands where 未说明原因 stood, and in the case's history."""
    move_clock_back(runtime, accepted, timedelta(days=21))
    log_in(page, "wang")
    page.goto(f"/cases/{accepted}")
    clock = page.locator("#clock")
    expect(clock).to_have_attribute("data-level", "red")
    expect(clock.locator(".reason-missing")).to_have_text("未说明原因")
    expect(clock.locator(".extend-form")).to_have_count(0)  # a supervisor's, and the deadline has passed
    form = clock.locator("form.overdue-reason-form")
    expect(form).to_be_visible()  # open at once: the case waits for it
    expect(form.locator("select[name=category] option")).to_have_count(1 + len(overdue_reasons.CATEGORIES))
    form.locator("select[name=category]").select_option(label="等待其他部门或层级")
    form.locator("textarea[name=reason]").fill("等待规划部门出具意见")
    clock.scroll_into_view_if_needed()
    shot(page, "supervision-07-case-overdue-reason-form")
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"/cases/{accepted}$"))
    expect(page.locator(".flash-success")).to_have_text("已记录超期原因。")
    shot(page, "supervision-08-case-overdue-reason-recorded")
    expect(clock.locator(".reason-category")).to_have_text("等待其他部门或层级")
    expect(clock.locator(".reason")).to_contain_text("等待规划部门出具意见")
    expect(clock.locator(".reason-missing")).to_have_count(0)
    expect(page.locator('table.timeline tr[data-event="supervision.overdue_reason"]')).to_contain_text(
        "说明超期原因（等待其他部门或层级）：等待规划部门出具意见")
    with runtime.uow() as uow:
        recorded = overdue_reasons.latest(uow, [accepted])[accepted]
    assert (recorded.category, recorded.recorded_by) == ("coordination", "wang")
    expect(clock.locator("details.explain > summary")).to_have_text("更改超期原因")  # folded away now
    expect(form).to_be_hidden()
    clock.scroll_into_view_if_needed()
    shot(page, "supervision-09-case-overdue-reason-shown")
