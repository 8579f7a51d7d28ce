"""延期审批 in the pages: a clerk of the case asks on the case page (申请延期), the agency head approves or
refuses with an opinion there or on the list of requests (/extensions), supervision reads both. The green food
licence of tests/api/test_pages_case_clock.py: deadline 24 March, on Wednesday 18 March 2026."""
from __future__ import annotations

import re
from typing import Any

import pytest

from engine import extensions, time_limits
from tests.api.test_pages import Browser
from tests.api.test_pages_case_clock import (
    WEDNESDAY,
    forms_on,
    head,
    reviewer,
    submit,
    supervisor,
    wednesday,
)
from tests.api.test_pages_supervision import timeline_lines
from tests.api.test_supervision import cases
from tests.case_pages import clock_of, flashed, post, refused, signed_in


@pytest.fixture
def green(wednesday: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(extensions, "utcnow", lambda: WEDNESDAY)
    return wednesday["green"]


def decide(browser: Browser, case_id: int, request_id: int, decision: str, opinion: str = "") -> Any:
    return browser.post(f"/cases/{case_id}/extension-requests/{request_id}/{decision}",
                        {"next": f"/cases/{case_id}", "opinion": opinion}, token_from=f"/cases/{case_id}")


def pending_id(page: str) -> int:
    return int(clock_of(page).split('data-state="pending"')[0].rsplit('data-request="', 1)[1].split('"')[0])


def test_a_clerk_requests_and_the_head_approves_on_the_case_page(head: Browser, reviewer: Browser,
                                                                 supervisor: Browser, green: int) -> None:
    asked = submit(reviewer, green, "request-extension-form", days="3", reason="需组织现场核查")
    assert "已申请延期 3 个工作日，待机关负责人审批。" in flashed(asked)
    clock = clock_of(asked.text)
    assert 'data-state="pending"' in clock and "待审批" in clock and "需组织现场核查" in clock
    assert forms_on(asked.text) == {"pause-form"}  # one request at a time
    assert ("clock.extension_requested", "申请延期 3 个工作日（需组织现场核查）") in timeline_lines(asked.text)

    watched = supervisor.get(f"/cases/{green}").text  # supervision reads the request, decides nothing
    assert 'data-state="pending"' in clock_of(watched) and "decide-extension-form" not in watched

    page = head.get(f"/cases/{green}").text
    # The request is decided, not extended around (time_limits.extend refuses while it is pending).
    assert forms_on(page) == {"decide-extension-form"}
    assert "li 申请延长 3 个工作日：需组织现场核查" in clock_of(page)
    assert 'name="days" min="1" max="3" step="1" required value="3"' in clock_of(page)  # all asked, or fewer
    request_id = pending_id(page)
    approved = decide(head, green, request_id, "approve", "同意延长")
    assert approved.status_code == 302
    after = head.get(f"/cases/{green}")
    assert "已批准延长 3 个工作日，办结期限 2026-03-27。" in flashed(after)
    clock = clock_of(after.text)
    assert 'data-state="approved"' in clock and "同意延长" in clock and "2026-03-27" in clock
    assert ("clock.extended", "延长 3 个工作日，办结期限 2026-03-27（需组织现场核查）") in timeline_lines(after.text)
    assert "decide-extension-form" not in forms_on(after.text)


def test_a_refusal_needs_an_opinion_and_the_clerk_may_ask_again(head: Browser, reviewer: Browser,
                                                                green: int) -> None:
    request_id = pending_id(submit(reviewer, green, "request-extension-form", days="2", reason="补充材料").text)
    said = refused(head, decide(head, green, request_id, "refuse"), green)
    assert said == "操作未完成：不予批准须填写意见（不超过 2000 字）。"
    decide(head, green, request_id, "refuse", "现有材料足以作出决定")
    after = reviewer.get(f"/cases/{green}").text
    assert 'data-state="refused"' in clock_of(after) and "现有材料足以作出决定" in clock_of(after)
    assert ("clock.extension_refused", "不予批准延期 2 个工作日（现有材料足以作出决定）") in timeline_lines(after)
    assert "request-extension-form" in forms_on(after)
    # Decided already: said in the page's words.
    assert refused(head, decide(head, green, request_id, "approve"), green) == "操作未完成：该延期申请已审批。"
    beyond = refused(reviewer, post(reviewer, green, "extension-requests", days="11", reason="再申请"), green)
    assert beyond == "操作未完成：最多可延长 10 个工作日（法定可延长的期限）。"  # none approved: none "of the rest"


def test_the_head_s_list_of_requests_and_its_link(app: Any, runtime: Any, head: Browser,
                                                   reviewer: Browser, supervisor: Browser,
                                                   green: int) -> None:
    submit(reviewer, green, "request-extension-form", days="2", reason="需征求意见")
    home = head.client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/extensions")
    listed = head.get("/extensions")
    assert listed.status_code == 200 and 'href="/extensions" class="current"' in listed.text  # 延期审批 in the nav
    assert "需征求意见" in listed.text and "decide-extension-form" in listed.text
    assert '<a class="tab current" href="/extensions?state=pending" aria-current="page">待审批</a>' in listed.text
    # The refused ones' tab is named by their state, not by the button that refuses (不予批准: Refuse)
    assert '<a class="tab" href="/extensions?state=refused">未予批准</a>' in listed.text
    request_id = int(listed.text.split('data-request="')[1].split('"')[0])
    approved = head.post(f"/cases/{green}/extension-requests/{request_id}/approve",
                         {"next": "/extensions", "opinion": ""}, token_from="/extensions")
    assert approved.status_code == 302 and approved.headers["Location"].endswith("/extensions")
    assert "没有待审批的延期申请。" in head.get("/extensions").text
    assert "需征求意见" in head.get("/extensions?state=approved").text
    # A state typed into the address that is none goes to the pending ones, the address then saying so.
    typed = head.client.get("/extensions?state=bogus&page=1")
    assert typed.status_code == 302 and typed.headers["Location"] == "/extensions?page=1"
    assert head.client.get("/extensions?state=bogus").headers["Location"] == "/extensions"
    view = time_limits.get(runtime.uow(), green, actor=extensions_reader())
    assert view.extension_days == 2
    # Supervision reads the list without forms; a clerk has none, nor a head of another department.
    seen = supervisor.get("/extensions?state=approved")
    assert seen.status_code == 200 and "需征求意见" in seen.text and "decide-extension-form" not in seen.text
    assert 'href="/extensions"' in supervisor.get("/supervision").text  # the list in the nav, read-only
    assert reviewer.client.get("/extensions").status_code == 403
    other = signed_in(app, runtime, "zhao", roles=["head"], groups=["office"])
    assert "需征求意见" not in other.get("/extensions?state=approved").text


def extensions_reader() -> Any:
    from engine.users import Actor

    return Actor("zhou", roles=frozenset({"supervisor"}))


def test_the_english_page_names_the_request(head: Browser, reviewer: Browser, green: int) -> None:
    submit(reviewer, green, "request-extension-form", days="2", reason="需征求意见")
    head.client.get("/lang/en")
    page = head.get(f"/cases/{green}").text
    assert "Extension request" in page and "Awaiting approval" in page and "Approve" in page


def test_the_head_grants_fewer_days_on_the_list_and_the_procedure_shows_when(head: Browser,
                                                                              reviewer: Browser, green: int) -> None:
    submit(reviewer, green, "request-extension-form", days="4", reason="需专家论证")
    listed = head.get("/extensions").text
    assert 'name="days" min="1" max="4" step="1" required value="4"' in listed
    request_id = int(listed.split('data-request="')[1].split('"')[0])
    approved = head.post(f"/cases/{green}/extension-requests/{request_id}/approve",
                         {"next": "/extensions", "opinion": "同意延长 2 日", "days": "2"}, token_from="/extensions")
    assert approved.status_code == 302
    # 24 March + 2 working days: 26 March.
    assert "已批准延长 2 个工作日，办结期限 2026-03-26。" in flashed(head.get("/extensions"))
    assert "批准 2 个工作日" in head.get("/extensions?state=approved").text
    clock = clock_of(head.get(f"/cases/{green}").text)
    # The extension's row in 特别程序 ends when it was approved, as it began.
    row = clock.split('<tr data-kind="extension">')[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
    assert cells[2] == cells[1] and cells[2].startswith("2026-03-18") and cells[3] == "2"
    again = decide(head, green, request_id, "approve")
    assert refused(head, again, green) == "操作未完成：该延期申请已审批。"


def test_more_days_than_asked_are_refused_in_the_page_s_words(head: Browser, reviewer: Browser,
                                                              green: int) -> None:
    request_id = pending_id(submit(reviewer, green, "request-extension-form", days="2", reason="补充材料").text)
    response = head.post(f"/cases/{green}/extension-requests/{request_id}/approve",
                         {"next": f"/cases/{green}", "opinion": "", "days": "3"}, token_from=f"/cases/{green}")
    assert refused(head, response, green) == "操作未完成：批准延长的工作日数须为 1 至 2 的整数（申请为 2 个工作日）。"
    # Decided on the list of requests, a refusal returns to the list, saying why.
    on_list = head.post(f"/cases/{green}/extension-requests/{request_id}/approve",
                        {"next": "/extensions", "opinion": "", "days": "3"}, token_from="/extensions")
    assert on_list.status_code == 303 and on_list.headers["Location"].endswith("/extensions")
    assert "操作未完成：批准延长的工作日数须为 1 至 2 的整数（申请为 2 个工作日）。" in flashed(head.get("/extensions"))
    not_said = head.post(f"/cases/{green}/extension-requests/{request_id}/refuse",
                         {"next": "/extensions", "opinion": ""}, token_from="/extensions")
    assert not_said.status_code == 303
    assert "操作未完成：不予批准须填写意见（不超过 2000 字）。" in flashed(head.get("/extensions"))
    # Extending on one's own while the request waits is refused too, naming what to do instead.
    said = refused(head, post(head, green, "extend", days="1", reason="自行延长"), green)
    assert said.startswith("操作未完成：该办件有待审批的延期申请：请批准")


def test_a_withdrawn_case_s_request_lapses_and_the_pages_say_why(runtime: Any, head: Browser,
                                                                  reviewer: Browser, green: int) -> None:
    from engine import instances
    from engine.users import SYSTEM

    request_id = pending_id(submit(reviewer, green, "request-extension-form", days="2", reason="需征求意见").text)
    instances.terminate(runtime.uow(), green, actor=SYSTEM, reason="申请人撤回申请", withdrawn=True)
    assert "没有待审批的延期申请。" in head.get("/extensions").text
    lapsed = head.get("/extensions?state=lapsed").text
    assert "需征求意见" in lapsed and "申请人已撤回申请（撤件），计时已停止，申请随之失效" in lapsed
    said = refused(head, decide(head, green, request_id, "approve", "同意"), green)
    assert said == "操作未完成：该延期申请已失效：申请人已撤回申请（撤件），计时已停止，无需审批。"
    assert "办件已作出决定" not in said
    extended = refused(head, post(head, green, "extend", days="1", reason="补办"), green)
    assert extended == "操作未完成：申请人已撤回申请（撤件），计时已停止。"
    clock = clock_of(head.get(f"/cases/{green}").text)
    assert 'data-state="lapsed"' in clock and "已失效" in clock


def test_a_request_past_its_deadline_can_only_be_refused(head: Browser, reviewer: Browser, green: int,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date

    from tests.helpers import at

    request_id = pending_id(submit(reviewer, green, "request-extension-form", days="2", reason="需征求意见").text)
    monkeypatch.setattr(extensions, "utcnow", lambda: at(date(2026, 3, 25)))  # the deadline was 24 March
    listed = head.get("/extensions").text
    assert "已超过办结期限，只能不予批准" in listed
    assert 'class="small approve"' not in listed and 'class="small refuse"' in listed
    assert f'data-request="{request_id}"' in listed
