"""Statutory time limits (限时办结): the clock starts at acceptance, pauses for special procedures, moves
with extensions within Art 42's allowance, stops at the decision, and provisional deadlines follow a year
imported later."""
from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from engine import calendar, execution, time_limits, timeline
from engine.clock import LOCAL_TZ
from engine.models import CaseClock, HistoryEvent, OutboxEvent, SpecialProcedure
from engine.users import Actor
from tests.heads import head_of
from tests.helpers import ROOT, at, complete_open_task, seed_national_calendar
from tests.service_items import supply_materials

FOOD = ROOT / "bpmn" / "SCJG-XK-0001" / "food_business_licence.bpmn"
CLERK = Actor("window_clerk", frozenset({"window"}), frozenset({"clerk"}))


@pytest.fixture
def food(api: Any) -> Any:
    """The food licence deployed, on the national calendar."""
    seed_national_calendar(api.runtime)
    api.deploy(FOOD)
    return api


def accepted_food_case(api: Any, now: Any, day: date = date(2026, 3, 2)) -> int:
    seed_national_calendar(api.runtime)
    api.deploy(FOOD)
    now(day)
    case = api.start("food_business_licence", variables={"applicant_name": "张三"})
    # 受理: the clock starts
    complete_open_task(api, case["id"], "acceptance_check", reader="admin", acceptance_decision="accept")
    return case["id"]


def clock_row(api: Any, instance_id: int) -> CaseClock:
    with api.runtime.uow() as uow:
        return uow.session.get(CaseClock, instance_id)


def test_acceptance_starts_the_clock_with_the_promised_limit_as_deadline(api, now):
    case_id = accepted_food_case(api, now)  # accepted Monday 2 March 2026

    clock = api.get(f"/api/process-instances/{case_id}/clock").get_json()
    assert clock["state"] == "running" and clock["promised_days"] == 10 and clock["statutory_days"] == 10
    # The acceptance day is not counted: 3-6 March (4) + 9-13 March (5) + 16 March = 10 working days.
    assert clock["deadline_date"] == "2026-03-16" and clock["provisional"] is False
    deadline = datetime.fromisoformat(clock["deadline_at"]).astimezone(LOCAL_TZ)
    assert (deadline.date(), deadline.hour, deadline.minute) == (date(2026, 3, 16), 23, 59)
    assert clock["procedures"] == []
    events = [e["event"] for e in api.get(f"/api/process-instances/{case_id}/history").get_json()]
    assert "clock.started" in events


def test_a_manual_pause_moves_the_deadline_by_the_working_days_it_lasted(api, now):
    case_id = accepted_food_case(api, now)
    paused = time_limits.pause(api.runtime.uow(), case_id, actor=CLERK, kind="testing", reason="检验检测（第45条）",
                               now=at(date(2026, 3, 4)))
    assert paused.state == "paused"

    # Resumed the next Monday: 5, 6 and 9 March were not counted, so the deadline moves three working days.
    resumed = time_limits.resume(api.runtime.uow(), case_id, actor=CLERK, result="合格", opinion="检测通过",
                                 now=at(date(2026, 3, 9)))
    assert resumed.state == "running" and resumed.paused_working_days == 3
    assert resumed.deadline_date == date(2026, 3, 19)
    assert clock_row(api, case_id).deadline_at == at(date(2026, 3, 19), 23).replace(minute=59, second=59)
    [procedure] = resumed.procedures
    assert (procedure.kind, procedure.reason_or_basis, procedure.result, procedure.opinion, procedure.days,
            procedure.element_id, procedure.created_by) == \
        ("testing", "检验检测（第45条）", "合格", "检测通过", 3, None, "window_clerk")
    # Used days leave out the pause: 3 and 4 March, then 10 March.
    used = time_limits.get(api.runtime.uow(), case_id, actor=CLERK, now=at(date(2026, 3, 10)))
    assert (used.used_working_days, used.remaining_working_days, used.overdue) == (3, 7, False)
    events = [e["event"] for e in api.get(f"/api/process-instances/{case_id}/history").get_json()]
    # The applicant's notice of it follows the pause: here its template is not deployed (engine.documents).
    assert events[-3:] == ["clock.paused", "document.missing", "clock.resumed"]


def test_pausing_over_the_api_checks_kind_state_and_who_asks(api, now):
    case_id = accepted_food_case(api, now)
    url = f"/api/process-instances/{case_id}/clock"
    clerk = api.as_("window_clerk")
    assert clerk.post(f"{url}/resume", json={}).status_code == 409  # nothing to resume
    assert clerk.post(f"{url}/pause", json={"kind": "lunch", "reason": "x"}).status_code == 422
    assert clerk.post(f"{url}/pause", json={"kind": "hearing"}).status_code == 422  # no reason
    assert api.as_("office_clerk").post(f"{url}/pause", json={"kind": "hearing", "reason": "听证"}).status_code == 403
    first = clerk.post(f"{url}/pause", json={"kind": "hearing", "reason": "依申请举行听证"})
    assert first.status_code == 200 and first.get_json()["state"] == "paused"
    assert clerk.post(f"{url}/pause", json={"kind": "hearing", "reason": "again"}).status_code == 409
    done = api.as_("supervisor").post(f"{url}/resume", json={"result": "听证结束"})
    assert done.status_code == 200 and done.get_json()["state"] == "running"
    assert done.get_json()["procedures"][0]["result"] == "听证结束"


def extended_by_ten(api: Any, response: Any) -> dict[str, Any]:
    """The clock an extension answered with, once it adds up to 10 days on the case accepted 2 March."""
    assert response.status_code == 200, response.get_json()
    clock: dict[str, Any] = response.get_json()
    expected = calendar.for_runtime(api.runtime).add_working_days(date(2026, 3, 2), 20).date
    assert clock["extension_days"] == 10 and clock["deadline_date"] == expected.isoformat()
    return clock


def test_an_extension_adds_working_days_and_tells_the_integrators(api, now):
    case_id = accepted_food_case(api, now)
    url = f"/api/process-instances/{case_id}/clock/extend"
    head = head_of(api, case_id)  # 行政许可法第四十二条: 经本行政机关负责人批准
    assert api.as_("window_clerk").post(url, json={"days": 10, "reason": "情况复杂"}).status_code == 403
    # Supervision (电子监察) watches the time limits; it no longer extends them.
    assert api.as_("supervisor").post(url, json={"days": 10, "reason": "情况复杂"}).status_code == 403
    assert head.post(url, json={"days": 0, "reason": "情况复杂"}).status_code == 422
    assert head.post(url, json={"days": 2.5, "reason": "情况复杂"}).status_code == 422

    response = head.post(url, json={"days": 10, "reason": "情况复杂，经负责人批准延长十日"})
    clock = extended_by_ten(api, response)
    [extension] = clock["procedures"]
    assert (extension["kind"], extension["days"], extension["created_by"]) == ("extension", 10, head.user)
    assert (clock["extension_allowance_days"], clock["extension_remaining_days"]) == (10, 0)
    with api.runtime.uow() as uow:
        [event] = uow.session.scalars(select(OutboxEvent).where(OutboxEvent.event == "extended"))
        assert event.instance_id == case_id and event.data["days"] == 10
        assert event.data["extension_remaining_days"] == 0


def extension_state(api: Any, case_id: int) -> dict[str, Any]:
    """Everything an extension changes: the clock, the case's history, special procedures and events."""
    with api.runtime.uow() as uow:
        procedures = list(uow.session.scalars(select(SpecialProcedure.id).where(
            SpecialProcedure.instance_id == case_id).order_by(SpecialProcedure.id)))
        outbox = list(uow.session.scalars(select(OutboxEvent.id).where(OutboxEvent.instance_id == case_id)))
    return {"clock": api.get(f"/api/process-instances/{case_id}/clock").get_json(),
            "history": api.get(f"/api/process-instances/{case_id}/history").get_json(),
            "procedures": procedures, "outbox": outbox}


def test_extensions_together_stay_within_the_ten_days_of_art_42(api, now):
    # The QA finding: two extensions of 10 days on one case. The second exceeds the law's 10 in all.
    case_id = accepted_food_case(api, now)
    url = f"/api/process-instances/{case_id}/clock/extend"
    fresh = api.get(f"/api/process-instances/{case_id}/clock").get_json()
    assert (fresh["extension_allowance_days"], fresh["extension_remaining_days"]) == (10, 10)
    assert "第四十二条第一款" in fresh["extension_basis"]
    head = head_of(api, case_id)

    first = head.post(url, json={"days": 4, "reason": "需征求相关部门意见"})
    assert first.status_code == 200, first.get_json()
    assert (first.get_json()["extension_days"], first.get_json()["extension_remaining_days"]) == (4, 6)

    before = extension_state(api, case_id)
    refused = head.post(url, json={"days": 7, "reason": "情况复杂"})
    assert refused.status_code == 409, refused.get_json()
    error = refused.get_json()["error"]
    assert error["code"] == "conflict"
    assert "at most 6 more working days" in error["message"] and "4 of the 10" in error["message"]
    assert "行政许可法第四十二条第一款" in error["message"]
    assert (error["extension_remaining_days"], error["extension_allowance_days"]) == (6, 10)
    assert extension_state(api, case_id) == before  # deadline, history, procedures, events: nothing moved
    assert head.post(url, json={"days": 60, "reason": "情况复杂"}).status_code == 409

    clock = extended_by_ten(api, head.post(url, json={"days": 6, "reason": "仍需组织专家论证"}))
    assert clock["extension_remaining_days"] == 0
    assert [(p["kind"], p["days"]) for p in clock["procedures"]] == [("extension", 4), ("extension", 6)]
    spent = head.post(url, json={"days": 1, "reason": "再次延长"})
    assert spent.status_code == 409 and "at most 0 more working days" in spent.get_json()["error"]["message"]
    assert api.get(f"/api/process-instances/{case_id}/clock").get_json()["extension_days"] == 10


def test_joint_handling_with_the_45_day_limit_may_extend_by_15(api, now):
    # 联合审批会议 (ZWFW-LH-0001): its guide's statutory limit is Art 42 ¶2's 45 days; the clock starts
    # when the centre accepts the application (the meeting's members are then chosen among the departments).
    seed_national_calendar(api.runtime)
    assert api.as_("admin").put("/api/departments/FGW", json={"name": "市发展和改革委员会", "groups": ["fgw"]}
                                ).status_code == 201
    item = ROOT / "bpmn" / "ZWFW-LH-0001"
    forms = [ROOT / "forms" / f"joint-review-{name}.form" for name in ("acceptance", "convene", "vote", "chair")]
    api.deploy(item / "joint_review_meeting.bpmn", item / "guide.json", *forms)
    now(date(2026, 3, 2))
    case = api.start("joint_review_meeting", business_key="LH-2026-0099", variables={"project_name": "市民中心二期"})
    supply_materials(api, case["id"], "ZWFW-LH-0001")
    complete_open_task(api, case, "acceptance", user="zwfw_clerk", acceptance={"decision": "accept"})
    url = f"/api/process-instances/{case['id']}/clock"
    fresh = api.get(url).get_json()
    assert fresh["statutory_days"] == 45
    assert (fresh["extension_allowance_days"], fresh["extension_remaining_days"]) == (15, 15)
    assert "第四十二条第二款" in fresh["extension_basis"]
    head = head_of(api, case["id"])

    first = head.post(f"{url}/extend", json={"days": 10, "reason": "成员单位意见分歧"})
    assert first.status_code == 200 and first.get_json()["extension_remaining_days"] == 5
    before = extension_state(api, case["id"])
    refused = head.post(f"{url}/extend", json={"days": 6, "reason": "再次延长"})
    assert refused.status_code == 409
    message = refused.get_json()["error"]["message"]
    assert "at most 5 more working days" in message and "行政许可法第四十二条第二款" in message
    assert extension_state(api, case["id"]) == before
    last = head.post(f"{url}/extend", json={"days": 5, "reason": "再次延长"})
    assert last.status_code == 200
    assert (last.get_json()["extension_days"], last.get_json()["extension_remaining_days"]) == (15, 0)


def test_an_items_guide_sets_the_allowance_a_special_law_gives(api, now, tmp_path):
    """行政许可法 Art 42: "法律、法规另有规定的，依照其规定". The food licence's guide says 5 days, by the
    regulation that sets them; the clock keeps what the guide said when it started."""
    seed_national_calendar(api.runtime)
    item = ROOT / "bpmn" / "SCJG-XK-0001"
    api.deploy(FOOD, item / "guide.json")
    now(date(2026, 3, 2))
    case = api.start("food_business_licence", variables={"applicant_name": "张三"})
    supply_materials(api, case["id"], "SCJG-XK-0001")
    complete_open_task(api, case["id"], "acceptance_check", reader="admin", acceptance_decision="accept")
    url = f"/api/process-instances/{case['id']}/clock"
    fresh = api.get(url).get_json()
    assert (fresh["extension_allowance_days"], fresh["extension_remaining_days"]) == (5, 5)
    assert fresh["extension_basis"] == "《食品经营许可和备案管理办法》第二十一条: 5 working days in all"
    before = extension_state(api, case["id"])
    head = head_of(api, case["id"])
    refused = head.post(f"{url}/extend", json={"days": 6, "reason": "情况复杂"})
    assert refused.status_code == 409 and "《食品经营许可和备案管理办法》第二十一条" in refused.get_json()["error"]["message"]
    assert extension_state(api, case["id"]) == before
    guide = json.loads((item / "guide.json").read_text(encoding="utf-8"))
    guide["extension"]["days"] = 3  # a later guide version: this case keeps the allowance it started with
    later = tmp_path / "guide.json"
    later.write_text(json.dumps(guide, ensure_ascii=False), encoding="utf-8")
    api.deploy(later)
    done = head.post(f"{url}/extend", json={"days": 5, "reason": "需补充现场核查"})
    assert done.status_code == 200 and done.get_json()["extension_remaining_days"] == 0


def test_a_case_past_its_deadline_is_not_extended_after_the_fact(api, now):
    """Supervision keeps its overdue cases: an extension comes before the deadline, not after it."""
    case_id = accepted_food_case(api, now)  # accepted 2 March: 10 working days, due 16 March
    url = f"/api/process-instances/{case_id}/clock/extend"
    now(date(2026, 3, 17))
    head = head_of(api, case_id)
    before = extension_state(api, case_id)
    refused = head.post(url, json={"days": 3, "reason": "情况复杂"})
    assert refused.status_code == 409, refused.get_json()
    error = refused.get_json()["error"]
    assert "past its deadline (2026-03-16)" in error["message"] and error["deadline_date"] == "2026-03-16"
    assert extension_state(api, case_id) == before
    assert before["clock"]["extension_remaining_days"] == 0  # the clock offers none either
    now(date(2026, 3, 16), hour=17)  # on its last day it still may
    assert head.post(url, json={"days": 3, "reason": "情况复杂"}).status_code == 200


def test_the_openapi_document_describes_the_extension_allowance(api):
    spec = api.get("/api/openapi.json").get_json()
    extend = spec["paths"]["/api/process-instances/{instance_id}/clock/extend"]["post"]
    assert extend["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/ApiError")
    assert "past its deadline" in extend["description"] and "guide" in extend["description"]
    clock = spec["components"]["schemas"]["Clock"]["properties"]
    assert (clock["extension_allowance_days"]["type"], clock["extension_remaining_days"]["type"],
            clock["extension_basis"]["type"]) == ("integer", "integer", "string")


def test_the_decision_stops_the_clock_and_it_then_refuses_changes(api, now):
    case_id = accepted_food_case(api, now)
    now(date(2026, 3, 5))
    complete_open_task(api, case_id, "review", reader="admin")
    now(date(2026, 3, 10))
    complete_open_task(api, case_id, "decide", reader="admin", decision="grant")

    clock = time_limits.get(api.runtime.uow(), case_id, actor=CLERK, now=at(date(2026, 12, 1)))
    assert clock.state == "stopped" and clock.stopped_at == at(date(2026, 3, 10))
    # Counted to the decision, not to "now": 3-6 and 9-10 March.
    assert (clock.used_working_days, clock.remaining_working_days, clock.overdue) == (6, 4, False)
    assert (clock.extension_allowance_days, clock.extension_remaining_days) == (10, 0)  # nothing more to extend
    url = f"/api/process-instances/{case_id}/clock"
    assert api.as_("supervisor").post(f"{url}/pause", json={"kind": "other", "reason": "x"}).status_code == 409
    assert head_of(api, case_id).post(f"{url}/extend", json={"days": 1, "reason": "x"}).status_code == 409
    with api.runtime.uow() as uow:
        stopped = uow.session.scalars(select(HistoryEvent).where(
            HistoryEvent.instance_id == case_id, HistoryEvent.event == "clock.stopped")).one()
        assert stopped.element_id == "decide" and stopped.data["on_time"] is True


def test_an_excluded_subprocess_pauses_on_entry_and_resumes_on_exit(api, now):
    seed_national_calendar(api.runtime)
    api.deploy("excluded_inspection.bpmn")
    now(date(2026, 3, 2))
    case = api.start("excluded_inspection")
    complete_open_task(api, case["id"], "accept", reader="admin")  # accepted and straight into the inspection, same day

    paused = time_limits.get(api.runtime.uow(), case["id"], actor=CLERK, now=at(date(2026, 3, 4)))
    assert paused.state == "paused"
    [procedure] = paused.procedures
    assert (procedure.kind, procedure.element_id, procedure.ended_at) == ("inspection", "inspection", None)
    assert api.as_("supervisor").post(f"/api/process-instances/{case['id']}/clock/resume",
                                      json={}).status_code == 409  # the diagram's step ends it, not a hand

    now(date(2026, 3, 5))
    complete_open_task(api, case["id"], "inspect", reader="admin")
    clock = time_limits.get(api.runtime.uow(), case["id"], actor=CLERK, now=at(date(2026, 3, 5)))
    # Paused 2 March, resumed 5 March: three working days not counted, 5 + 3 from 2 March.
    assert (clock.state, clock.paused_working_days, clock.deadline_date) == ("running", 3, date(2026, 3, 12))
    assert clock.procedures[0].days == 3 and clock.procedures[0].result == "completed"
    with api.runtime.uow() as uow:
        events = list(uow.session.scalars(select(HistoryEvent.event).where(
            HistoryEvent.instance_id == case["id"], HistoryEvent.event.like("clock.%")).order_by(HistoryEvent.id)))
    assert events == ["clock.started", "clock.paused", "clock.resumed"]
    with api.runtime.uow() as uow:  # the case file shows the special procedure in reporting terms
        rows = list(uow.session.scalars(select(HistoryEvent).where(HistoryEvent.instance_id == case["id"])
                                        .order_by(HistoryEvent.id)))
    states = [e.case_state for e in timeline.build_timeline(rows, {})]
    assert "特别程序(开始)" in states and "特别程序(结束)" in states


def test_a_provisional_deadline_is_recomputed_when_its_year_is_imported(api, now):
    # Accepted on Christmas Eve 2026; ten working days reach into 2027, which has no data yet.
    case_id = accepted_food_case(api, now, day=date(2026, 12, 24))
    clock = clock_row(api, case_id)
    # Weekdays only: 25, 28-31 December, then 1 and 4-7 January (New Year's Day counted as a weekday).
    assert clock.provisional is True
    assert clock.deadline_at.astimezone(LOCAL_TZ).date() == date(2027, 1, 7)

    calendar.replace_year(api.runtime.uow(), 2027, holidays=[{"date": "2027-01-01", "name": "元旦"}],
                          workdays=[], actor=Actor("admin", roles=frozenset({"admin"})))
    clock = clock_row(api, case_id)
    assert clock.provisional is False
    assert clock.deadline_at.astimezone(LOCAL_TZ).date() == date(2027, 1, 8)


def test_the_board_says_in_words_what_a_provisional_deadline_s_star_means(api, now):
    """A phone shows no tooltip: the note under the table says it, when a listed deadline is provisional."""
    from tests.api.test_pages_intake import Browser

    case_id = accepted_food_case(api, now, day=date(2026, 12, 24))
    note = "* 该期限所在年度的节假日安排尚未载入，暂按周一至周五计算；载入后自动重算。"
    supervisor = Browser(api, "supervisor")
    page = supervisor.get("/supervision?level=all").text
    assert f'data-instance="{case_id}"' in page and note in page
    calendar.replace_year(api.runtime.uow(), 2027, holidays=[{"date": "2027-01-01", "name": "元旦"}],
                          workdays=[], actor=Actor("admin", roles=frozenset({"admin"})))
    assert note not in supervisor.get("/supervision?level=all").text


def test_a_case_decided_on_a_provisional_deadline_is_counted_again_when_its_year_is_imported(api, now):
    """Decided on 8 January against a weekdays-only deadline of 7 January (late), then the year's holidays
    are announced: New Year's Day was off, the deadline was 8 January, and the case was on time."""
    case_id = accepted_food_case(api, now, day=date(2026, 12, 24))
    now(date(2027, 1, 8))
    complete_open_task(api, case_id, "review", reader="admin")
    complete_open_task(api, case_id, "decide", reader="admin", decision="grant")
    before = clock_row(api, case_id)
    assert (before.state, before.provisional, before.used_working_days) == ("stopped", True, 11)
    supervisor = api.as_("supervisor")
    assert supervisor.get("/api/supervision/stats").get_json()[0]["finished_on_time"] == 0

    calendar.replace_year(api.runtime.uow(), 2027, holidays=[{"date": "2027-01-01", "name": "元旦"}],
                          workdays=[], actor=Actor("admin", roles=frozenset({"admin"})))
    after = clock_row(api, case_id)
    assert after.provisional is False and after.deadline_at.astimezone(LOCAL_TZ).date() == date(2027, 1, 8)
    assert after.used_working_days == 10
    shown = supervisor.get(f"/api/process-instances/{case_id}/clock").get_json()
    assert (shown["provisional"], shown["overdue"], shown["used_working_days"]) == (False, False, 10)
    assert supervisor.get("/api/supervision/stats").get_json()[0]["finished_on_time"] == 1


def test_past_the_deadline_the_days_left_are_negative_before_the_next_working_day(api, now):
    """Deadline Friday 20 March: on Saturday the case is overdue though no working day has passed since."""
    case_id = accepted_food_case(api, now, day=date(2026, 3, 6))
    with api.runtime.uow() as uow:
        clock = uow.session.get(CaseClock, case_id)
        assert clock is not None
        friday = time_limits.clock_view(uow, clock, [], at(date(2026, 3, 20), 20))
        saturday = time_limits.clock_view(uow, clock, [], at(date(2026, 3, 21)))
        tuesday = time_limits.clock_view(uow, clock, [], at(date(2026, 3, 24)))
    assert friday.deadline_date == date(2026, 3, 20) and friday.remaining_working_days == 0
    assert (saturday.overdue, saturday.remaining_working_days) == (True, -1)
    assert tuesday.remaining_working_days == -2


def test_a_diagram_without_time_limits_gets_no_clock(api):
    api.deploy("simple_approval.bpmn")
    case = api.start("simple_approval")
    assert api.get(f"/api/process-instances/{case['id']}/clock").status_code == 404
    assert api.get("/api/process-instances/999999/clock").status_code == 404
    with api.runtime.uow() as uow:
        assert uow.session.scalars(select(CaseClock)).first() is None
        assert uow.session.scalars(select(SpecialProcedure)).first() is None


# ---- deemed acceptance (视为受理) counts from the receipt of the materials --------------------------------

@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Set the moment cases are saved at, diagrams count ``workdays(n)`` from and timers compare with."""
    from engine import diagram_functions
    from tests.integration.test_timer_refresh import freeze_spiff_clock

    def set_moment(moment: datetime) -> datetime:
        monkeypatch.setattr(execution, "utcnow", lambda: moment)
        monkeypatch.setattr(diagram_functions, "utcnow", lambda: moment)
        monkeypatch.setattr(time_limits, "utcnow", lambda: moment)
        freeze_spiff_clock(monkeypatch, moment)
        return moment
    return set_moment


def deem_accepted(api: Any, frozen: Any, case_id: int) -> datetime:
    """Let the 5-working-day notice deadline (行政许可法 Art 32) pass: the worker's timer deems the case
    accepted. Returns when it fired."""
    from datetime import timedelta

    from engine import jobs
    from tests.service_items import pending_timer

    job = pending_timer(api, case_id, "notice_deadline")
    fired = frozen(job.due_at + timedelta(seconds=1))
    assert jobs.run_due(api.runtime, worker_id="w1", now=fired) == 1
    return fired


def test_a_deemed_acceptance_counts_from_the_day_the_materials_were_received(api, frozen):
    """行政许可法 Art 32(1)(4): not told within 5 working days, the application counts as accepted from the
    day the materials arrived. Received Monday 2 March, deemed accepted when the timer fires on the night of
    9 March: the clock counts from 2 March (deadline 16 March, as for an acceptance that day), and the
    acceptance notice names that deadline."""
    from tests.service_items import case_states, deploy_item, documents, food_application

    deploy_item(api, "SCJG-XK-0001")
    received = frozen(at(date(2026, 3, 2)))
    case = api.start("food_business_licence", variables=food_application(applicant_name="张三"))
    fired = deem_accepted(api, frozen, case["id"])
    assert fired.astimezone(LOCAL_TZ).date() == date(2026, 3, 10)  # just after the end of 9 March

    clock = api.get(f"/api/process-instances/{case['id']}/clock").get_json()
    assert clock["state"] == "running"
    assert datetime.fromisoformat(clock["started_at"]) == received
    assert clock["deadline_date"] == "2026-03-16"  # not 23 March, five working days too late
    with api.runtime.uow() as uow:
        started = uow.session.scalars(select(HistoryEvent).where(
            HistoryEvent.instance_id == case["id"], HistoryEvent.event == "clock.started")).one()
    assert started.element_id == "deemed_accepted"
    assert started.data["counted_from"] == {"at": received.isoformat(), "elements": ["received", "supplemented"]}
    notice = documents(api, case["id"])["acceptance_notice"]
    assert "自收到申请材料之日起即为受理" in notice and "2026年3月16日前" in notice
    assert "<td>2026年3月2日</td>" in notice.split("受理日期")[1]
    # Deemed accepted, then the notice of it: one acceptance in the case's states, not two.
    assert case_states(api, case["id"]) == ["已接件", "已受理", "部门开始办理"]


def test_a_deemed_acceptance_after_a_supplement_counts_from_the_supplement(api, frozen):
    """Told in time what to supplement, the applicant supplements on 10 March; nobody answers within 5
    working days: accepted from 10 March, when the (now complete) materials arrived."""
    from tests.service_items import deploy_item, food_application, send_message

    deploy_item(api, "SCJG-XK-0001")
    frozen(at(date(2026, 3, 2)))
    case = api.start("food_business_licence", variables=food_application(applicant_name="张三"))
    frozen(at(date(2026, 3, 3)))
    complete_open_task(api, case["id"], "acceptance_check", reader="admin", acceptance_decision="incomplete",
                       missing_materials="营业执照或者其他主体资格证明文件复印件：未提供")
    supplemented = frozen(at(date(2026, 3, 10)))
    send_message(api, "materials_supplemented", case["business_key"])
    deem_accepted(api, frozen, case["id"])  # due at the end of 17 March

    clock = api.get(f"/api/process-instances/{case['id']}/clock").get_json()
    assert datetime.fromisoformat(clock["started_at"]) == supplemented
    assert clock["deadline_date"] == "2026-03-24"



@pytest.mark.parametrize("code, key", [("window-acceptance", "window_acceptance"),
                                       ("ZJJ-XK-0012", "construction_work_permit"),
                                       ("ZRZY-XK-0003", "construction_planning_permit"),
                                       ("WJW-XK-0005", "public_venue_hygiene_licence"),
                                       ("SCJG-YJS-0001", "restaurant_opening")])
def test_every_licence_item_deems_an_application_nobody_answered_accepted(api, frozen, code, key):
    """Each licence item of the library, not only the food licence: an application left unanswered at the
    acceptance step for 5 working days (行政许可法 Art 32) is accepted from its receipt, with its notice."""
    from tests.api.test_one_thing_bundle import APPLICATION
    from tests.service_items import completed_elements, deploy_item, documents, send_message

    deploy_item(api, code)
    received = frozen(at(date(2026, 3, 2)))
    case = api.start(key, variables=APPLICATION if key == "restaurant_opening" else {"applicant_name": "张三"})
    if key == "public_venue_hygiene_licence":  # the credit platform answers before the window sees the case
        send_message(api, "credit_checked", case["business_key"], credit_status="good")
    fired = deem_accepted(api, frozen, case["id"])
    assert fired.astimezone(LOCAL_TZ).date() == date(2026, 3, 10)

    clock = api.get(f"/api/process-instances/{case['id']}/clock").get_json()
    assert clock["state"] == "running" and datetime.fromisoformat(clock["started_at"]) == received
    assert {"deemed_accepted", "acceptance_notice"} <= set(completed_elements(api, case["id"]))
    assert "自收到申请材料之日起即为受理" in documents(api, case["id"])["acceptance_notice"]


def test_an_acceptance_at_the_window_still_counts_from_the_acceptance(api, now):
    """The receipt rule is the deemed path's alone: accepted on Wednesday 4 March after receipt on Monday,
    the clock counts from Wednesday."""
    seed_national_calendar(api.runtime)
    api.deploy(FOOD)
    now(date(2026, 3, 2))
    case = api.start("food_business_licence", variables={"applicant_name": "张三"})
    accepted = now(date(2026, 3, 4))
    complete_open_task(api, case["id"], "acceptance_check", reader="admin", acceptance_decision="accept")
    clock = api.get(f"/api/process-instances/{case['id']}/clock").get_json()
    assert datetime.fromisoformat(clock["started_at"]) == accepted and clock["deadline_date"] == "2026-03-18"


# ---- called processes: whose markers move the case's clock -------------------------------------------

def test_a_called_items_decision_does_not_stop_the_callers_clock(api, now):
    """clock_parent (10 working days) calls clock_child, an item with its own clock markers. The child's
    decision is a step of the parent's case: the parent's clock runs on until the parent decides."""
    seed_national_calendar(api.runtime)
    api.deploy("clock_child.bpmn", "clock_parent.bpmn")
    now(date(2026, 3, 2))
    case = api.start("clock_parent")
    complete_open_task(api, case["id"], "accept", reader="admin")  # the parent's clock starts
    now(date(2026, 3, 3))
    complete_open_task(api, case["id"], "child_accept", reader="admin")  # the child's start: no second start
    now(date(2026, 3, 4))
    complete_open_task(api, case["id"], "child_decide", reader="admin")  # the child's stop

    clock = time_limits.get(api.runtime.uow(), case["id"], actor=CLERK, now=at(date(2026, 3, 5)))
    assert (clock.state, clock.promised_days, clock.started_at) == ("running", 10, at(date(2026, 3, 2)))
    assert clock.deadline_date == date(2026, 3, 16)
    now(date(2026, 3, 6))
    complete_open_task(api, case["id"], "decide", reader="admin")
    clock = time_limits.get(api.runtime.uow(), case["id"], actor=CLERK, now=at(date(2026, 3, 9)))
    assert (clock.state, clock.stopped_at, clock.used_working_days) == ("stopped", at(date(2026, 3, 6)), 4)
    with api.runtime.uow() as uow:
        events = [(e.event, e.element_id) for e in uow.session.scalars(select(HistoryEvent).where(
            HistoryEvent.instance_id == case["id"], HistoryEvent.event.like("clock.%")).order_by(HistoryEvent.id))]
    assert events == [("clock.started", "accept"), ("clock.stopped", "decide")]


def test_a_called_item_owns_the_clock_of_a_case_that_has_none(api, now):
    """clock_wrapper marks no clock: the item it calls does, so the case's clock is the item's, started and
    stopped by the item's markers, with the item's limit."""
    seed_national_calendar(api.runtime)
    api.deploy("clock_child.bpmn", "clock_wrapper.bpmn")
    now(date(2026, 3, 2))
    case = api.start("clock_wrapper")
    assert api.get(f"/api/process-instances/{case['id']}/clock").status_code == 404  # not accepted yet
    complete_open_task(api, case["id"], "child_accept", reader="admin")
    clock = time_limits.get(api.runtime.uow(), case["id"], actor=CLERK, now=at(date(2026, 3, 3)))
    assert (clock.state, clock.promised_days, clock.deadline_date) == ("running", 5, date(2026, 3, 9))
    now(date(2026, 3, 4))
    complete_open_task(api, case["id"], "child_decide", reader="admin")
    clock = time_limits.get(api.runtime.uow(), case["id"], actor=CLERK, now=at(date(2026, 3, 5)))
    assert (clock.state, clock.stopped_at, clock.used_working_days) == ("stopped", at(date(2026, 3, 4)), 2)
