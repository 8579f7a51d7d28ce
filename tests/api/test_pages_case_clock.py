"""Acting on a case's clock from its case page: the overdue reason, an extension, a special procedure paused
and resumed by hand, each a form on the clock panel posting to one engine command. Each form shows only to
whom its command takes, and a refusal comes back to the clock flashed in the engine's words. The food
licences of tests/api/test_supervision.py, on Wednesday 18 March 2026: red (deadline 16 March), green
(deadline 24 March) and one decided on time."""
from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import pytest

from engine import overdue_reasons, supervision_board, time_limits
from engine.users import Actor
from tests.api.test_pages import Browser
from tests.api.test_pages_supervision import timeline_lines
from tests.api.test_supervision import cases
from tests.case_pages import clock_form, clock_of, flashed, post, refused, signed_in
from tests.heads import set_up_departments
from tests.helpers import at, open_task

WEDNESDAY = at(date(2026, 3, 18))
SUPERVISOR = Actor("zhou", roles=frozenset({"supervisor"}))


@pytest.fixture
def wednesday(cases: dict[str, int], now: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """The cases, with every clock command and the case page running on Wednesday 18 March."""
    now(date(2026, 3, 18))
    monkeypatch.setattr(overdue_reasons, "utcnow", lambda: WEDNESDAY)
    monkeypatch.setattr(supervision_board, "utcnow", lambda: WEDNESDAY)
    return cases


@pytest.fixture
def supervisor(app: Any, runtime: Any) -> Browser:
    return signed_in(app, runtime, "zhou", roles=["supervisor"])


@pytest.fixture
def head(app: Any, runtime: Any, wednesday: dict[str, int]) -> Browser:
    """The agency head (机关负责人) of the market regulator, whose food review section handles the licences:
    set up after they were accepted, the regulator leads them (tests.heads)."""
    set_up_departments(runtime)
    return signed_in(app, runtime, "wang", roles=["head"], groups=["food_review"])


@pytest.fixture
def reviewer(app: Any, runtime: Any) -> Browser:
    """A clerk of the food review section: the open 审查 task of each running food licence is offered to them."""
    return signed_in(app, runtime, "li", roles=["clerk"], groups=["food_review"])


def forms_on(page: str) -> set[str]:
    """The clock panel's forms on a case page, by their class."""
    return set(re.findall(r'class="stacked ([\w-]+-form)"', clock_of(page)))


def submit(browser: Browser, case_id: int, form: str, **fields: Any) -> Any:
    """Fill in and post one of the clock panel's forms as a browser would: its action, its hidden fields
    (CSRF token, where to come back) and the fields given; the answer after the redirect."""
    found = re.search(rf'<form method="post" action="([^"]+)" class="stacked {form}">(.*?)</form>',
                      browser.get(f"/cases/{case_id}").text, re.DOTALL)
    assert found, f"no {form} on the case page"
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', found.group(2)))
    posted = browser.client.post(html.unescape(found.group(1)), data={**hidden, **fields})
    assert posted.status_code == 302, posted.text
    assert posted.location.endswith(f"/cases/{case_id}"), posted.location
    return browser.get(f"/cases/{case_id}")


# ---- 说明超期原因 ------------------------------------------------------------------------------------

def test_a_clerk_of_a_red_case_records_and_replaces_its_overdue_reason(runtime: Any, reviewer: Browser,
                                                                       wednesday: dict[str, int]) -> None:
    red = wednesday["red"]
    page = reviewer.get(f"/cases/{red}").text
    assert "reason-missing" in clock_of(page)
    assert forms_on(page) == {"overdue-reason-form", "pause-form"}  # no extension: past due
    form = clock_form(page, "overdue-reason-form")
    assert re.findall(r'<option value="(\w+)">', form) == list(overdue_reasons.CATEGORIES)
    assert '<option value="coordination">等待其他部门或层级</option>' in form
    assert "填写超期原因" in clock_of(page)

    after = submit(reviewer, red, "overdue-reason-form", category="coordination", reason="等待规划部门出具意见")
    assert "已记录超期原因。" in flashed(after)
    clock = clock_of(after.text)
    assert 'data-category="coordination">等待其他部门或层级</span> 等待规划部门出具意见' in clock
    assert "reason-missing" not in clock and "（li " in clock
    assert ("supervision.overdue_reason", "说明超期原因（等待其他部门或层级）：等待规划部门出具意见") in \
        timeline_lines(after.text)

    # The engine takes a later reason in place of the earlier one: the form stays, to change it.
    assert "更改超期原因" in clock and "再次记录将取代原有的超期原因。" in clock
    again = submit(reviewer, red, "overdue-reason-form", category="applicant", reason="申请人补正材料延迟")
    assert "申请人补正材料延迟" in clock_of(again.text) and "等待规划部门出具意见" not in clock_of(again.text)
    with runtime.uow() as uow:
        assert overdue_reasons.latest(uow, [red])[red].category == "applicant"


def test_a_refused_overdue_reason_flashes_the_reason_in_the_page_s_words(runtime: Any, reviewer: Browser,
                                                              wednesday: dict[str, int]) -> None:
    green = wednesday["green"]
    assert "overdue-reason-form" not in forms_on(reviewer.get(f"/cases/{green}").text)  # not past its deadline
    said = refused(reviewer, post(reviewer, green, "overdue-reason", category="other", reason="提前说明"), green)
    assert said == "操作未完成：办件未超期：超过办结期限后（计时中，或超期办结后）才记录超期原因。"
    red = wednesday["red"]
    said = refused(reviewer, post(reviewer, red, "overdue-reason", category="other", reason="  "), red)
    assert said == "操作未完成：请填写超期原因（不超过 2000 字）。"
    said = refused(reviewer, post(reviewer, red, "overdue-reason", category="weather", reason="暴雨"), red)
    assert said == "操作未完成：请从列表中选择超期原因的类别。"
    with runtime.uow() as uow:
        assert overdue_reasons.latest(uow, [green, red]) == {}


def test_supervisors_get_no_overdue_reason_form_as_the_engine_takes_none_from_them(
        runtime: Any, supervisor: Browser, wednesday: dict[str, int]) -> None:
    """engine.overdue_reasons: clerks of the case and admins explain a delay; supervision reads it."""
    red = wednesday["red"]
    page = supervisor.get(f"/cases/{red}").text
    assert "reason-missing" in clock_of(page) and "overdue-reason-form" not in forms_on(page)
    response = post(supervisor, red, "overdue-reason", category="other", reason="督办代填")
    assert response.status_code == 403 and "您无权执行此操作。" in response.text
    with runtime.uow() as uow:
        assert overdue_reasons.latest(uow, [red]) == {}


# ---- 延长审批 ---------------------------------------------------------------------------------------

def test_the_agency_head_approves_an_extension_within_what_remains(runtime: Any, head: Browser,
                                                                   wednesday: dict[str, int]) -> None:
    """行政许可法第四十二条: 经本行政机关负责人批准 -- the head of the department handling the case."""
    green = wednesday["green"]
    page = head.get(f"/cases/{green}").text
    assert forms_on(page) == {"extend-form"}
    form = clock_form(page, "extend-form")
    assert "可再延长 10 个工作日" in form and "行政许可法第四十二条第一款" in form  # what remains, and why
    assert 'name="days" min="1" max="10"' in form

    after = submit(head, green, "extend-form", days="3", reason="需组织现场核查（行政许可法第四十二条）")
    # Deadline 24 March, three working days later: 27 March.
    assert "已批准延长 3 个工作日，办结期限 2026-03-27。" in flashed(after)
    clock = clock_of(after.text)
    assert "2026-03-27" in clock and 'class="extension-left">7 个工作日' in clock
    extension = clock.split('<tr data-kind="extension">')[1].split("</tr>")[0]
    assert "需组织现场核查" in extension and "已批准" in extension
    assert ("clock.extended", "延长 3 个工作日，办结期限 2026-03-27（需组织现场核查（行政许可法第四十二条））") in \
        timeline_lines(after.text)
    assert 'max="7"' in clock.split('class="stacked extend-form"')[1]

    # Beyond what remains, or not a number of days: refused in the page's words, nothing changes, and the
    # form stays open holding what was typed.
    beyond = post(head, green, "extend", days="8", reason="需再次组织专家论证（第四十二条）")
    said = refused(head, beyond, green)
    kept = beyond.text.split('class="clock-action extend"')[1].split("</details>")[0]
    assert kept.startswith(" open>") and 'value="8"' in kept and ">需再次组织专家论证（第四十二条）</textarea>" in kept
    assert said == "操作未完成：最多还可延长 7 个工作日（法定可延长 10 个工作日，其余已批准）。"
    said = refused(head, post(head, green, "extend", days="三", reason="再延长"), green)
    assert said == "操作未完成：延长天数须为不小于 1 的整数（工作日）。"
    said = refused(head, post(head, green, "extend", days="2", reason=""), green)
    assert said == "操作未完成：请填写理由（不超过 2000 字）。"
    view = time_limits.get(runtime.uow(), green, actor=SUPERVISOR)
    assert (view.extension_days, view.deadline_date) == (3, date(2026, 3, 27))


def test_no_extension_form_past_the_deadline_or_once_decided(head: Browser, wednesday: dict[str, int]) -> None:
    red = wednesday["red"]
    assert "extend-form" not in forms_on(head.get(f"/cases/{red}").text)  # Art 42: before the limit runs out
    said = refused(head, post(head, red, "extend", days="2", reason="补办延长"), red)
    assert said == "操作未完成：已超过办结期限（2026-03-16），不能再延长：请说明超期原因。"
    decided = head.get(f"/cases/{wednesday['decided']}").text
    assert 'data-state="stopped"' in decided and "clock-actions" not in decided  # nothing to act on


def test_a_clerk_requests_an_extension_and_approves_none(reviewer: Browser, wednesday: dict[str, int]) -> None:
    green = wednesday["green"]
    page = reviewer.get(f"/cases/{green}").text
    assert 'class="extension-left">10 个工作日' in page  # the clock still says what remains
    # A clerk of the case starts special procedures and asks the head for an extension; approves none.
    assert forms_on(page) == {"pause-form", "request-extension-form"}
    response = post(reviewer, green, "extend", days="2", reason="自行延长")
    assert response.status_code == 403 and "您无权执行此操作。" in response.text


def test_a_supervisor_extends_nothing_any_more(supervisor: Browser, wednesday: dict[str, int]) -> None:
    """电子监察 watches the time limits; the agency head extends them."""
    green = wednesday["green"]
    assert "extend-form" not in forms_on(supervisor.get(f"/cases/{green}").text)
    response = post(supervisor, green, "extend", days="2", reason="督办延长")
    assert response.status_code == 403 and "您无权执行此操作。" in response.text


def test_a_task_after_the_decision_says_how_early_the_case_was_decided(app: Any, runtime: Any, api: Any,
                                                                        wednesday: dict[str, int]) -> None:
    """制证 after 审批决定: the clock stopped at the decision, 6 working days used of 10."""
    maker = signed_in(app, runtime, "zhang", roles=["clerk"], groups=["certificate"])
    task = open_task(api, wednesday["decided"], "certify")
    page = maker.get(f"/tasks/{task['id']}").text
    assert 'data-clock-state="stopped"' in page and "<dt>剩余</dt>" not in page
    assert re.search(r'<dt>办结时效</dt>\s*<dd class="clock-remaining">提前 4 个工作日办结</dd>', page)


def test_a_case_terminated_after_its_decision_says_no_time_it_concluded_on_any_page(
        app: Any, runtime: Any, api: Any, supervisor: Browser, wednesday: dict[str, int]) -> None:
    """The case, task and progress pages read one rule: only a decided case says how early it concluded; one
    withdrawn or terminated (here during 制证, its clock stopped at the decision) did not conclude."""
    from engine import instances

    maker = signed_in(app, runtime, "zhang", roles=["clerk"], groups=["certificate"])
    task = open_task(api, wednesday["decided"], "certify")
    instances.terminate(runtime.uow(), wednesday["decided"], actor=SUPERVISOR, reason="许可证件制作前撤销")
    case_page = supervisor.get(f"/cases/{wednesday['decided']}").text
    assert 'data-state="stopped"' in clock_of(case_page) and "办结时效" not in clock_of(case_page)
    task_page = maker.get(f"/tasks/{task['id']}")
    assert task_page.status_code == 200 and 'data-clock-state="stopped"' in task_page.text
    assert "办结时效" not in task_page.text


def test_readers_the_clock_commands_do_not_take_get_no_forms(app: Any, runtime: Any,
                                                             wednesday: dict[str, int]) -> None:
    portal = signed_in(app, runtime, "portal", roles=["integrator"])  # reads every case, acts on no clock
    red = wednesday["red"]
    page = portal.get(f"/cases/{red}")
    assert page.status_code == 200 and 'id="clock"' in page.text and "clock-actions" not in page.text
    response = post(portal, red, "pause", kind="hearing", reason="听证")
    assert response.status_code == 403 and "您无权执行此操作。" in response.text


# ---- 特别程序: pause and resume ----------------------------------------------------------------------

def test_a_clerk_of_the_case_pauses_for_a_special_procedure_and_resumes_after_it(
        runtime: Any, now: Any, reviewer: Browser, wednesday: dict[str, int]) -> None:
    green = wednesday["green"]
    form = clock_form(reviewer.get(f"/cases/{green}").text, "pause-form")
    # The engine's excluded kinds, in the words of 行政许可法 Art 45.
    assert re.findall(r'<option value="(\w+)">', form) == list(time_limits.EXCLUDED_KINDS)
    assert '<option value="expert_review">专家评审</option>' in form and "第四十五条" in form

    paused = submit(reviewer, green, "pause-form", kind="expert_review", reason="组织专家评审")
    assert "特别程序已开始，暂停计时。" in flashed(paused)
    clock = clock_of(paused.text)
    assert 'data-state="paused"' in clock and "暂停计时" in clock
    review = clock.split('<tr data-kind="expert_review">')[1].split("</tr>")[0]
    assert "组织专家评审" in review and "进行中" in review
    assert ("clock.paused", "暂停计时：专家评审（组织专家评审）") in timeline_lines(paused.text)
    # paused: nothing to pause again (an extension may still be asked for: the limit still runs out)
    assert forms_on(paused.text) == {"resume-form", "request-extension-form"}
    assert '<li data-kind="expert_review">专家评审：组织专家评审</li>' in clock
    said = refused(reviewer, post(reviewer, green, "pause", kind="testing", reason="再送检"), green)
    assert said == "操作未完成：特别程序正在进行，计时已暂停：先结束它，再开始新的特别程序。"

    now(date(2026, 3, 20))  # Friday: 19 and 20 March are not counted, the deadline moves from 24 to 26 March
    resumed = submit(reviewer, green, "resume-form", result="评审通过", opinion="同意")
    assert "特别程序已结束，恢复计时，办结期限 2026-03-26。" in flashed(resumed)
    clock = clock_of(resumed.text)
    assert 'data-state="running"' in clock and "2026-03-26" in clock
    review = clock.split('<tr data-kind="expert_review">')[1].split("</tr>")[0]
    assert "评审通过" in review and "同意" in review and "进行中" not in review
    assert ("clock.resumed", "恢复计时：专家评审结束，2 个工作日不计时，办结期限 2026-03-26") in \
        timeline_lines(resumed.text)
    assert forms_on(resumed.text) == {"pause-form", "request-extension-form"}
    said = refused(reviewer, post(reviewer, green, "resume", result="再结束一次"), green)
    assert said == "操作未完成：没有手动开始、尚未结束的特别程序；流程中的特别程序随其环节结束。"


def test_a_refused_pause_flashes_the_reason_in_the_page_s_words(runtime: Any, supervisor: Browser,
                                                     wednesday: dict[str, int]) -> None:
    green = wednesday["green"]
    said = refused(supervisor, post(supervisor, green, "pause", kind="holiday", reason="放假"), green)
    assert said == "操作未完成：请从列表中选择特别程序的种类。"
    said = refused(supervisor, post(supervisor, green, "pause", kind="hearing", reason=""), green)
    assert said == "操作未完成：请填写理由（不超过 2000 字）。"
    decided = wednesday["decided"]
    said = refused(supervisor, post(supervisor, decided, "pause", kind="hearing", reason="听证"), decided)
    assert said == "操作未完成：办件已作出决定，计时已停止。"
    assert supervisor.get(f"/lang/en?next=/cases/{decided}").status_code == 302
    said = refused(supervisor, post(supervisor, decided, "pause", kind="hearing", reason="听证"), decided)
    assert said.endswith("The case has been decided: its clock has stopped.")
    assert time_limits.get(runtime.uow(), green, actor=SUPERVISOR).state == "running"
