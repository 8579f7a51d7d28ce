"""The supervision board and the case clock, server side: who may see the board, what its rows, filters,
statistics and chart say for red, yellow and green food licences on Wednesday 18 March 2026, and the
clock with its warning level on the case page. The browser test (tests/e2e/test_pages_supervisor.py)
moves a live server's case into red."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import update

from api.pages.charts import percent, rate_chart
from engine import (
    departments,
    overdue_reasons,
    supervision,
    supervision_board,
    supervision_sweep,
    time_limits,
)
from engine.errors import ValidationFailed
from engine.models import Task
from engine.users import SYSTEM, Actor
from tests.api.test_incidents import make_incident, timer_jobs
from tests.api.test_pages import Browser, person
from tests.api.test_supervision import KEY, cases
from tests.api.test_time_limits import FOOD, accepted_food_case
from tests.heads import head_actor
from tests.helpers import at, complete_open_task, statements

SUPERVISOR = Actor("zhou", roles=frozenset({"supervisor"}))
WEDNESDAY = at(date(2026, 3, 18))


@pytest.fixture
def board_cases(cases: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """The four cases of tests/api/test_supervision.py, looked at on the board that same Wednesday."""
    monkeypatch.setattr(supervision_board, "utcnow", lambda: WEDNESDAY)
    return cases


@pytest.fixture
def supervisor(app: Any, runtime: Any) -> Browser:
    browser = Browser(app.test_client())
    person(runtime, "zhou", roles=["supervisor"])
    assert browser.log_in("zhou").status_code == 302
    return browser


def rows(html: str) -> list[tuple[str, str]]:
    """(instance id, level) of each board row, in order."""
    return re.findall(r'<tr class="case-row level-\w+" data-instance="(\d+)" data-level="(\w+)"', html)


def test_the_board_lists_red_then_yellow_cases_with_item_deadline_days_and_step(
        supervisor: Browser, board_cases: dict[str, int]) -> None:
    page = supervisor.get("/supervision")
    assert page.status_code == 200
    assert rows(page.text) == [(str(board_cases["red"]), "red"), (str(board_cases["yellow"]), "yellow")]
    red = page.text.split(f'data-instance="{board_cases["red"]}"')[1].split("</tr>")[0]
    # Accepted 2 March, 10 working days promised: deadline 16 March, 12 used by the 18th, 2 over.
    assert "食品经营许可" in red and "2026-03-16" in red and ">12<" in red and "超 2" in red
    assert "审查（业务科室）" in red  # where the case waits
    assert 'href="/supervision"' in page.text and 'class="current"' in page.text  # in the navigation


def test_a_suspended_case_reads_as_suspended_on_the_board(api: Any, supervisor: Browser,
                                                        board_cases: dict[str, int]) -> None:
    assert api.as_("supervisor").post(f"/api/process-instances/{board_cases['red']}/suspend",
                                      json={"reason": "等待上级部门答复"}).status_code == 200
    page = supervisor.get("/supervision").text
    red = page.split(f'data-instance="{board_cases["red"]}"')[1].split("</tr>")[0]
    yellow = page.split(f'data-instance="{board_cases["yellow"]}"')[1].split("</tr>")[0]
    assert "case-suspended" in red and "挂起" in red and "case-suspended" not in yellow


def test_a_step_past_its_own_due_date_says_so_with_who_holds_it(api: Any, supervisor: Browser,
                                                               board_cases: dict[str, int]) -> None:
    [task] = api.as_("admin").get(f"/api/tasks?process_instance_id={board_cases['red']}").get_json()["items"]
    with api.runtime.uow() as uow:  # 审查 due five working days after its acceptance on 2 March
        uow.session.execute(update(Task).where(Task.id == task["id"]).values(due_at=at(date(2026, 3, 9))))
        uow.commit()
    assert api.as_("admin").post(f"/api/tasks/{task['id']}/claim").status_code == 200
    page = supervisor.get("/supervision").text
    red = page.split(f'data-instance="{board_cases["red"]}"')[1].split("</tr>")[0]
    step = red.split('<td class="steps"')[1].split("</td>")[0]
    assert "审查（业务科室）" in step and "（admin）" in step and "环节超时" in step
    yellow = page.split(f'data-instance="{board_cases["yellow"]}"')[1].split("</tr>")[0]
    assert "环节超时" not in yellow  # its step is within its own time


@pytest.fixture
def food_department(runtime: Any) -> None:
    """The market regulator owns the window: it leads the food licences started after this."""
    departments.put_department(runtime.uow(), "SCJG", actor=SYSTEM, name="市场监督管理局", groups=["window"])


def test_lead_departments_and_overdue_reasons_show_once_known(runtime: Any, food_department: None,
                                                                supervisor: Browser,
                                                                board_cases: dict[str, int]) -> None:
    page = supervisor.get("/supervision").text
    red = page.split(f'data-instance="{board_cases["red"]}"')[1].split("</tr>")[0]
    assert re.search(r'<td class="department"[^>]*>市场监督管理局</td>', red)
    assert "未说明原因" in red  # red, and nobody said why yet
    assert rows(supervisor.get("/supervision?level=unexplained").text) == [(str(board_cases["red"]), "red")]
    overdue_reasons.record(runtime.uow(), board_cases["red"], actor=SYSTEM, reason="申请人补充材料延迟",
                           category="applicant", now=WEDNESDAY)
    page = supervisor.get("/supervision").text
    red = page.split(f'data-instance="{board_cases["red"]}"')[1].split("</tr>")[0]
    assert "申请人原因" in red and "申请人补充材料延迟" in red and "未说明原因" not in red
    assert rows(supervisor.get("/supervision?level=unexplained").text) == []  # explained now
    clock = supervisor.get(f"/cases/{board_cases['red']}").text.split('id="clock"')[1]
    assert "超期原因" in clock and "申请人补充材料延迟" in clock
    # Statistics per lead department, with their own chart.
    department = page.split('<tr data-department="SCJG">')[1].split("</tr>")[0]
    assert "市场监督管理局" in department and '<td class="num">4</td>' in department
    assert '<svg class="bar-chart" id="department-rate-chart"' in page


def test_without_departments_or_red_cases_those_columns_stay_away(supervisor: Browser,
                                                                  board_cases: dict[str, int]) -> None:
    page = supervisor.get("/supervision?level=yellow").text
    assert "<th>部门</th>" not in page and "<th>超期原因</th>" not in page
    assert "按牵头部门统计" not in page
    assert "<th>超期原因</th>" in supervisor.get("/supervision").text


def test_the_board_pages_its_cases_in_supervision_order(supervisor: Browser, board_cases: dict[str, int],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from api.pages import supervision as board_page

    monkeypatch.setattr(board_page, "PAGE_SIZE", 2)
    everything = rows(supervisor.get("/supervision?level=all").text)
    assert len(everything) == 2  # of 3 open cases: red, yellow, green
    first = supervisor.get("/supervision?level=all")
    assert "共 3 条" in first.text and '<nav class="pager">' in first.text and "1 / 2" in first.text
    second = supervisor.get("/supervision?level=all&page=2")
    assert rows(second.text) == [(str(board_cases["green"]), "green")] and "2 / 2" in second.text
    assert everything + rows(second.text) == [(str(board_cases[k]), k) for k in ("red", "yellow", "green")]
    assert "上一页" in second.text and "下一页" not in second.text
    assert 'level=all' in second.text.split('<nav class="pager">')[1].split("</nav>")[0]  # the filter stays
    assert supervisor.get("/supervision?page=-4").status_code == 200  # read as the first page
    beyond = supervisor.get("/supervision?level=all&page=5")  # a stale link: the last page, its filter kept
    assert beyond.status_code == 302 and beyond.headers["Location"] == "/supervision?level=all&page=2"


def test_the_board_refuses_a_page_out_of_range(api: Any, board_cases: dict[str, int]) -> None:
    with pytest.raises(ValidationFailed):
        supervision_board.board(api.runtime.uow(), actor=SUPERVISOR, limit=0)
    with pytest.raises(ValidationFailed):
        supervision_board.board(api.runtime.uow(), actor=SUPERVISOR, offset=-1)
    page = supervision_board.board(api.runtime.uow(), actor=SUPERVISOR, level="all", limit=1, offset=1)
    assert (page.total, [c.case.instance_id for c in page.cases]) == (3, [board_cases["yellow"]])


def test_the_board_filters_by_level_and_item(supervisor: Browser, board_cases: dict[str, int]) -> None:
    assert rows(supervisor.get("/supervision?level=red").text) == [(str(board_cases["red"]), "red")]
    assert rows(supervisor.get("/supervision?level=green").text) == [(str(board_cases["green"]), "green")]
    assert [i for i, _ in rows(supervisor.get("/supervision?level=all").text)] == \
        [str(board_cases[k]) for k in ("red", "yellow", "green")]
    assert len(rows(supervisor.get(f"/supervision?item={KEY}").text)) == 2
    other = supervisor.get("/supervision?item=another_item")
    assert rows(other.text) == [] and "没有符合条件的在办件。" in other.text
    purple = supervisor.get("/supervision?level=purple")  # an address typed: the default, the warned cases
    assert purple.status_code == 200 and [i for i, _ in rows(purple.text)] == \
        [str(board_cases[k]) for k in ("red", "yellow")]


def test_the_statistics_per_item_come_with_an_accessible_bar_chart(supervisor: Browser,
                                                                   board_cases: dict[str, int]) -> None:
    page = supervisor.get("/supervision").text
    stats = page.split(f'<tr data-item="{KEY}">')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="num[^"]*">(.*?)</td>', stats)
    # 4 with a clock, 1 finished and on time in 6 working days, none withdrawn, 3 open: one yellow, one red.
    assert cells[:7] == ["4", "1", "0", "100%", "6.0", "3", '<span class="badge badge-yellow">1</span>']
    assert cells[7] == '<span class="badge badge-red">1</span>'
    # What the first figure counts is said: the cases accepted (with a clock), not every case received.
    assert re.search(r'<th class="num" title="受理后开始计时的办件；未受理、不予受理的办件不计入">受理量</th>', page)
    assert "统计自受理（开始计时）起：未受理、不予受理的办件不计入。" in page
    chart = page.split('<svg class="bar-chart"')[1].split("</svg>")[0]
    assert 'role="img"' in chart and 'aria-labelledby="rate-chart-title rate-chart-desc"' in chart
    assert '<title id="rate-chart-title">各事项按期办结率</title>' in chart
    assert "食品经营许可：100%。" in chart  # the values in words for screen readers
    assert re.search(r'<rect class="chart-fill" x="150" y="8" width="300\.0"', chart)  # a full bar


def test_clerks_get_no_board_and_no_link(app: Any, runtime: Any, board_cases: dict[str, int]) -> None:
    clerk = Browser(app.test_client())
    person(runtime, "wang", roles=["clerk"], groups=["window"])
    clerk.log_in("wang")
    response = clerk.get("/supervision")
    assert response.status_code == 403 and "您无权执行此操作。" in response.text
    assert 'href="/supervision"' not in clerk.get("/cases").text


def test_the_case_page_shows_the_clock_and_the_warning_level(supervisor: Browser,
                                                             board_cases: dict[str, int]) -> None:
    page = supervisor.get(f"/cases/{board_cases['red']}").text
    clock = page.split('id="clock"')[1].split("</section>")[0]
    assert 'data-state="running" data-level="red"' in clock and "红色预警" in clock
    # promised and statutory (《食品经营许可和备案管理办法》 art 21); past its deadline it may not be extended
    assert clock.count("<dd>10 个工作日</dd>") == 2 and 'class="extension-left">0 个工作日' in clock
    assert "2026-03-16" in clock and "超期 2 个工作日" in clock
    assert 'class="used">12 个工作日' in clock
    assert "红色预警" in page.split('id="clock"')[0]  # in the page head too

    yellow = supervisor.get(f"/cases/{board_cases['yellow']}").text
    assert 'data-level="yellow"' in yellow and 'class="remaining">1 个工作日' in yellow
    decided = supervisor.get(f"/cases/{board_cases['decided']}").text
    assert 'data-state="stopped" data-level=""' in decided and "按期办结" in decided
    assert "可再延长" not in decided  # a decided case extends no more
    # 6 working days used of 10: not "4 left" once decided, but how early
    decided_clock = decided.split('id="clock"')[1].split("</section>")[0]
    assert "<dt>剩余</dt>" not in decided_clock
    assert '<dt>办结时效</dt><dd class="remaining">提前 4 个工作日办结</dd>' in decided_clock


def test_the_case_page_lists_pauses_and_extensions_with_their_reasons(runtime: Any, supervisor: Browser,
                                                                      board_cases: dict[str, int]) -> None:
    case_id = board_cases["green"]  # accepted 10 March, deadline 24 March
    time_limits.extend(runtime.uow(), case_id, actor=head_actor(runtime, case_id), days=5, reason="需补充现场核查",
                       now=at(date(2026, 3, 12)))
    time_limits.pause(runtime.uow(), case_id, actor=SUPERVISOR, kind="expert_review",
                      reason="组织专家评审", now=at(date(2026, 3, 16)))
    page = supervisor.get(f"/cases/{case_id}").text
    clock = page.split('id="clock"')[1].split("</section>")[0]
    assert 'data-state="paused"' in clock and "暂停计时" in clock
    assert "已延长" in clock and "5 个工作日" in clock
    # What Art 42 still allows, with its basis on hover, in the page's words (it read "(Art 42 ¶1): 10 working
    # days in all")
    assert re.search(r'<div title="依据行政许可法第四十二条第一款，共可延长 10 个工作日"><dt>可再延长</dt>'
                     r'<dd class="extension-left">5 个工作日', clock)
    assert "working days" not in page
    # Paused Monday 16 March, looked at on Wednesday: 17 and 18 March are not counted.
    assert re.search(r"不计时</dt><dd>2 个工作日", clock)
    extension, review = re.findall(r'<tr data-kind="(\w+)">(.*?)</tr>', clock, re.DOTALL)
    assert extension[0] == "extension" and "延长审批" in extension[1] and "需补充现场核查" in extension[1]
    assert "已批准" in extension[1]
    assert review[0] == "expert_review" and "专家评审" in review[1] and "组织专家评审" in review[1]
    assert "进行中" in review[1]  # still open


def test_a_case_without_a_clock_has_no_clock_panel(api: Any, supervisor: Browser,
                                                   now: Any) -> None:
    api.deploy(FOOD)
    case = api.start(KEY, variables={"applicant_name": "李四"})  # received, not accepted yet
    page = supervisor.get(f"/cases/{case['id']}")
    assert page.status_code == 200 and 'id="clock"' not in page.text
    assert supervisor.get("/cases/999999").status_code == 404


def test_the_case_level_is_the_board_level(api: Any, board_cases: dict[str, int]) -> None:
    listed = supervision.list_cases(api.runtime.uow(), actor=SUPERVISOR, now=WEDNESDAY)
    assert len(listed) == 3
    for case in listed:
        panel = supervision_board.case_clock(api.runtime.uow(), case.instance_id, actor=SUPERVISOR,
                                             now=WEDNESDAY)
        assert panel is not None and panel.level == case.level


def clock_reads(seen: list[str]) -> tuple[int, int]:
    """(statements reading clock rows, statements counting clocks)."""
    return (sum("case_clocks.promised_days" in statement for statement in seen),
            sum("count(*)" in statement and " FROM case_clocks" in statement for statement in seen))


def test_one_board_request_reads_the_clocks_once(api: Any, runtime: Any, supervisor: Browser,
                                                 board_cases: dict[str, int]) -> None:
    """Red and yellow running, green paused, one decided, one not accepted yet: the list and both statistics
    share one reading of the open clocks and one count of all of them (each with its lead department), on
    the page and in each API view."""
    time_limits.pause(runtime.uow(), board_cases["green"], actor=SUPERVISOR, kind="expert_review",
                      reason="组织专家评审", now=at(date(2026, 3, 16)))
    api.start(KEY, variables={"applicant_name": "李四"})  # received: no clock yet
    for url in ("/supervision", "/supervision?level=all", "/supervision?level=unexplained",
                f"/supervision?item={KEY}"):
        with statements(runtime) as seen:
            page = supervisor.get(url)
        assert page.status_code == 200 and f'<tr data-item="{KEY}">' in page.text
        assert clock_reads(seen) == (1, 1), url
        # One calendar, checked once (its version), not once per clock.
        assert len([s for s in seen if "calendars.version FROM calendars" in s]) == 1, url
        # The lead departments come with the clocks, for the statistics and the listed cases alike.
        assert not [s for s in seen if "case_departments" in s and " FROM case_clocks" not in s], url
    assert rows(supervisor.get("/supervision?level=all").text) == [
        (str(board_cases["red"]), "red"), (str(board_cases["yellow"]), "yellow"),
        (str(board_cases["green"]), "green")]
    for url in ("/api/supervision/cases", "/api/supervision/stats", "/api/supervision/stats?by=department"):
        with statements(runtime) as seen:
            assert api.as_("supervisor").get(url).status_code == 200
        assert clock_reads(seen) == (1, 0 if url.endswith("/cases") else 1), url


def test_the_chart_lays_out_one_bar_per_row_with_its_rate_in_words() -> None:
    chart = rate_chart([("食品经营许可", 0.8667), ("一个名称很长很长很长的政务服务事项", None), ("药品", 1.2)],
                       empty_text="暂无办结")
    first, long, full = chart.bars
    assert (first.text, first.width, first.y) == ("86.7%", 260.0, 8)
    assert (long.value, long.width, long.text) == (None, 0.0, "暂无办结")
    assert long.short_label == "一个名称很长很长很…" and long.label.endswith("事项")  # the full name in its title
    assert (full.value, full.text, full.y - long.y) == (1.0, "100%", 30)  # clamped to 100%
    assert chart.height == 8 + 3 * 30 + 22
    assert [t for _, t in chart.ticks] == ["0%", "25%", "50%", "75%", "100%"]
    assert (percent(0.0), percent(0.5), percent(0.12345)) == ("0%", "50%", "12.3%")


def timeline_lines(html: str) -> list[tuple[str, str]]:
    """(event, text without tags) of each timeline row, in order."""
    body = html.split('<table class="grid timeline">')[1].split("</table>")[0]
    found = re.findall(r'<tr data-event="([\w.]+)"[^>]*>\s*<td[^>]*>.*?</td>\s*<td>(.*?)</td>', body, re.DOTALL)
    return [(event, " ".join(re.sub(r"<[^>]+>", "", text).split())) for event, text in found]


def test_the_timeline_says_what_the_clock_and_supervision_did(api: Any, runtime: Any, now: Any,
                                                               supervisor: Browser,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Accepted Monday 2 March (deadline 16 March); testing 4-9 March moves it to the 19th, an extension of
    3 working days to the 24th; a reminder on the 23rd, red on the 26th with a reason, decided on the 27th."""
    case_id = accepted_food_case(api, now)
    time_limits.pause(runtime.uow(), case_id, actor=SUPERVISOR, kind="testing", reason="抽样检验",
                      now=at(date(2026, 3, 4)))
    time_limits.resume(runtime.uow(), case_id, actor=SUPERVISOR, result="合格", now=at(date(2026, 3, 9)))
    time_limits.extend(runtime.uow(), case_id, actor=head_actor(runtime, case_id), days=3, reason="需现场核查",
                       now=at(date(2026, 3, 10)))
    assert supervision_sweep.sweep(runtime.uow(), now=at(date(2026, 3, 23)))["reminder"] == 1
    red_day = at(date(2026, 3, 26))
    assert supervision_sweep.sweep(runtime.uow(), now=red_day)["overdue"] == 1
    overdue_reasons.record(runtime.uow(), case_id, actor=SYSTEM, reason="检验机构延迟出具报告",
                           category="coordination", now=red_day)

    # While red, the clock panel gives the reason with its category, in both languages.
    monkeypatch.setattr(supervision_board, "utcnow", lambda: red_day)
    clock = supervisor.get(f"/cases/{case_id}").text.split('id="clock"')[1].split("</section>")[0]
    reason = clock.split('<div class="reason">')[1].split("</div>")[0]
    assert 'data-category="coordination">等待其他部门或层级</span> 检验机构延迟出具报告' in reason
    english = supervisor.get(f"/cases/{case_id}", headers={"Accept-Language": "en"}).text
    reason = english.split('id="clock"')[1].split('<div class="reason">')[1].split("</div>")[0]
    assert ">Waiting for another department or level</span> 检验机构延迟出具报告" in reason

    now(date(2026, 3, 27))
    complete_open_task(api, case_id, "review", reader="admin")
    complete_open_task(api, case_id, "decide", reader="admin", decision="grant")
    zh = timeline_lines(supervisor.get(f"/cases/{case_id}").text)
    en = timeline_lines(supervisor.get(f"/cases/{case_id}", headers={"Accept-Language": "en"}).text)
    assert [event for event, _ in zh] == [event for event, _ in en]
    clock_and_supervision = [(e, t) for e, t in zh if e.startswith(("clock.", "supervision."))]
    assert clock_and_supervision == [
        ("clock.started", "开始计时：承诺 10 个工作日，办结期限 2026-03-16"),
        ("clock.paused", "暂停计时：检验检测（抽样检验）"),
        ("clock.resumed", "恢复计时：检验检测结束，3 个工作日不计时，办结期限 2026-03-19"),
        ("clock.extended", "延长 3 个工作日，办结期限 2026-03-24（需现场核查）"),
        ("supervision.reminder", "黄色预警：剩余 1 个工作日，办结期限 2026-03-24"),
        ("supervision.overdue", "红色预警：已超期，办结期限 2026-03-24"),
        ("supervision.overdue_reason", "说明超期原因（等待其他部门或层级）：检验机构延迟出具报告"),
        ("clock.stopped", "停止计时：超期办结，用时 16 个工作日"),
    ]
    assert [(e, t) for e, t in en if e.startswith(("clock.", "supervision."))] == [
        ("clock.started", "Clock started: 10 working days promised, deadline 2026-03-16"),
        ("clock.paused", "Clock paused: Testing (抽样检验)"),
        ("clock.resumed", "Clock resumed: Testing ended, 3 working days not counted, deadline 2026-03-19"),
        ("clock.extended", "Extended 3 working days, deadline 2026-03-24 (需现场核查)"),
        ("supervision.reminder", "Yellow warning: deadline 2026-03-24, working days left: 1"),
        ("supervision.overdue", "Red warning: overdue, deadline 2026-03-24"),
        ("supervision.overdue_reason",
         "Overdue reason recorded (Waiting for another department or level): 检验机构延迟出具报告"),
        ("clock.stopped", "Clock stopped: decided late, 16 working days used"),
    ]
    # No line is a bare "reached" without a step.
    assert all(t.strip() not in ("到达：", "Reached:") and t.strip() for _, t in zh + en)


# ---- incidents: failed timers, retried or closed from the page --------------------------------------

def _incident_row(html: str, job_id: int) -> str:
    return html.split(f'data-job="{job_id}"')[1].split("</tr>")[0]


def test_a_supervisor_retries_and_closes_failed_timers_from_the_page(
        api: Any, runtime: Any, supervisor: Browser) -> None:
    first, second = make_incident(api, runtime), make_incident(api, runtime)
    assert 'href="/supervision/incidents"' in supervisor.get("/supervision").text

    page = supervisor.get("/supervision/incidents")
    assert page.status_code == 200
    row = _incident_row(page.text, first["job_id"])
    assert first["case"]["business_key"] in row and "timer_then_script" in row and "registry" in row

    retried = supervisor.post(f"/supervision/incidents/{first['job_id']}/retry", token_from="/supervision/incidents")
    assert retried.status_code == 302 and retried.location.endswith("/supervision/incidents")
    assert [j.state for j in timer_jobs(runtime, first["case"]["id"])] == ["pending"]
    unnoted = supervisor.post(f"/supervision/incidents/{second['job_id']}/resolve", {"note": " "},
                              token_from="/supervision/incidents")
    assert unnoted.status_code == 302 and [j.state for j in timer_jobs(runtime, second["case"]["id"])] == ["failed"]
    closed = supervisor.post(f"/supervision/incidents/{second['job_id']}/resolve", {"note": "已人工送达"},
                             token_from="/supervision/incidents")
    assert closed.status_code == 302
    assert [j.state for j in timer_jobs(runtime, second["case"]["id"])] == ["cancelled"]
    after = supervisor.get("/supervision/incidents").text
    assert f'data-job="{first["job_id"]}"' not in after and f'data-job="{second["job_id"]}"' not in after
    assert "没有出错的定时作业" in after


def test_clerks_may_not_open_the_incident_page(app: Any, runtime: Any) -> None:
    browser = Browser(app.test_client())
    person(runtime, "li", roles=["clerk"], groups=["window"])
    assert browser.log_in("li").status_code == 302
    assert browser.get("/supervision/incidents").status_code == 403


def test_the_results_to_deliver_page_lists_decided_cases_by_their_delivery_limit(
        app: Any, runtime: Any, supervisor: Browser, board_cases: dict[str, int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The case decided on 10 March is to be delivered by 24 March (行政许可法 Art 44), 4 working days
    after Wednesday the 18th; the board links the page, clerks may not open it."""
    from engine import supervision_delivery

    monkeypatch.setattr(supervision_delivery, "utcnow", lambda: WEDNESDAY)
    assert 'href="/supervision/deliveries"' in supervisor.get("/supervision").text
    page = supervisor.get("/supervision/deliveries")
    assert page.status_code == 200 and "第四十四条" in page.text
    assert re.findall(r'<tr class="delivery-row level-\w+" data-instance="(\d+)" data-level="(\w+)"',
                      page.text) == [(str(board_cases["decided"]), "green")]
    row = page.text.split('class="delivery-row')[1].split("</tr>")[0]
    assert "食品经营许可" in row and "2026-03-24" in row and ">4<" in row and "2026-03-10" in row
    assert "没有待送达的结果。" in supervisor.get("/supervision/deliveries?level=red").text
    assert 'value="red" selected' in supervisor.get("/supervision/deliveries?level=red").text
    clerk = Browser(app.test_client())
    person(runtime, "wang", roles=["clerk"], groups=["window"])
    clerk.log_in("wang")
    assert clerk.get("/supervision/deliveries").status_code == 403
