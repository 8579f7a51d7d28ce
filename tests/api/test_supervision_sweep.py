"""The supervision sweep: reminders, overdue cases and overrun steps become events exactly once, each with
its outbox event and history item; supervisors page through them."""
from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select, text

from engine import diagram_functions, execution, supervision_sweep
from engine.models import OutboxEvent, SupervisionEvent
from engine.supervision_sweep import DELIVERY_OVERDUE, OVERDUE, PROCEDURE_OVERRUN, REMINDER, STEP_OVERRUN
from tests.api.test_time_limits import food
from tests.heads import head_of
from tests.helpers import at, complete_open_task
from tests.integration.test_timer_refresh import freeze_spiff_clock
from tests.service_items import supply_materials

KEY = "food_business_licence"


@pytest.fixture
def day(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Set the moment cases are saved at, diagrams count ``workdays(n)`` from and timers compare with."""
    def set_day(value: date, hour: int = 10) -> Any:
        moment = at(value, hour)
        monkeypatch.setattr(execution, "utcnow", lambda: moment)
        monkeypatch.setattr(diagram_functions, "utcnow", lambda: moment)
        freeze_spiff_clock(monkeypatch, moment)
        return moment
    return set_day


def accepted(api: Any, day: Any, on: date, *, guide: bool = False) -> int:
    """A food licence case accepted ``on`` that day; with its ``guide`` deployed, its materials received first
    (acceptance needs them)."""
    day(on)
    case = api.start(KEY, variables={"applicant_name": "张三"})
    if guide:
        supply_materials(api, case["id"], "SCJG-XK-0001")
    # the clock starts, review due in 5
    complete_open_task(api, case["id"], "acceptance_check", reader="admin", acceptance_decision="accept")
    return case["id"]


def sweep(api: Any, on: date, hour: int = 10) -> dict[str, int]:
    return supervision_sweep.sweep(api.runtime.uow(), now=at(on, hour))


def outbox_events(api: Any, instance_id: int) -> list[str]:
    with api.runtime.uow() as uow:
        return [e.event for e in uow.session.scalars(select(OutboxEvent).where(
            OutboxEvent.instance_id == instance_id, OutboxEvent.event.like("supervision.%")).order_by(OutboxEvent.id))]


def test_each_event_is_emitted_once_as_the_case_moves_towards_its_deadline(food, day):
    case_id = accepted(food, day, date(2026, 3, 2))  # Monday: deadline 16 March, review due 9 March
    none = dict.fromkeys(supervision_sweep.KINDS, 0)

    assert sweep(food, date(2026, 3, 3)) == none
    assert sweep(food, date(2026, 3, 10)) == {**none, STEP_OVERRUN: 1}  # the review is past its due date
    assert sweep(food, date(2026, 3, 10), hour=15) == none  # swept again: nothing new
    assert sweep(food, date(2026, 3, 13)) == {**none, REMINDER: 1}  # one working day left: yellow
    assert sweep(food, date(2026, 3, 16)) == none  # the deadline day: still yellow, already reminded
    assert sweep(food, date(2026, 3, 17)) == {**none, OVERDUE: 1}  # the deadline passed: red
    assert sweep(food, date(2026, 3, 18)) == none

    assert outbox_events(food, case_id) == ["supervision.step_overrun", "supervision.reminder",
                                            "supervision.overdue"]
    history = [e for e in food.get(f"/api/process-instances/{case_id}/history").get_json()
               if e["event"].startswith("supervision.")]
    assert [(e["event"], e["element_id"]) for e in history] == [
        ("supervision.step_overrun", "review"), ("supervision.reminder", None), ("supervision.overdue", None)]

    page = food.as_("supervisor").get(f"/api/supervision/events?process_instance_id={case_id}")
    assert page.status_code == 200, page.get_json()
    body = page.get_json()
    assert body["total"] == 3 and [e["kind"] for e in body["items"]] == [OVERDUE, REMINDER, STEP_OVERRUN]
    overdue, reminder, overrun = body["items"]
    assert overdue["task_id"] is None and overdue["data"]["deadline_date"] == "2026-03-16"
    assert reminder["data"]["remaining_working_days"] == 1 and reminder["data"]["remind_days"] == 1
    assert overrun["task_id"] and overrun["data"]["bpmn_id"] == "review"
    assert overrun["data"]["candidate_groups"] == ["food_review"]


def test_an_extension_makes_the_case_due_for_another_reminder(food, day):
    """Extended when yellow (延长审批), the case is green again; as its new deadline comes near, the clerks
    and supervisors are reminded again, once per extension."""
    case_id = accepted(food, day, date(2026, 3, 2))  # deadline 16 March
    assert sweep(food, date(2026, 3, 13))[REMINDER] == 1
    with pytest.MonkeyPatch.context() as patch:
        from engine import time_limits
        patch.setattr(time_limits, "utcnow", lambda: at(date(2026, 3, 13), 11))
        extended = head_of(food, case_id).post(f"/api/process-instances/{case_id}/clock/extend",
                                               json={"days": 3, "reason": "情况复杂，经负责人批准"})
        assert extended.status_code == 200, extended.get_json()
    assert extended.get_json()["deadline_date"] == "2026-03-19"
    assert sweep(food, date(2026, 3, 16))[REMINDER] == 0  # three working days left: green
    assert sweep(food, date(2026, 3, 18))[REMINDER] == 1  # one left: yellow again
    assert sweep(food, date(2026, 3, 18), hour=15)[REMINDER] == 0
    assert sweep(food, date(2026, 3, 20))[OVERDUE] == 1

    with food.runtime.uow() as uow:
        reminders = list(uow.session.scalars(select(SupervisionEvent).where(
            SupervisionEvent.instance_id == case_id, SupervisionEvent.kind == REMINDER).order_by(SupervisionEvent.id)))
    assert [(e.data["deadline_date"], e.data["extension_days"]) for e in reminders] == [
        ("2026-03-16", 0), ("2026-03-19", 3)]
    assert outbox_events(food, case_id).count("supervision.reminder") == 2


def test_migration_0019_keeps_the_recorded_events_once_only_both_ways(food, day):
    """Upgrading keys the recorded reminders by extension 0, so none is emitted twice; downgrading keeps
    the first event of each case and kind, as the older key allowed."""
    from engine import schema
    from tests.integration.test_one_lead_per_case import migrate_to

    case_id = accepted(food, day, date(2026, 3, 2))  # deadline 16 March
    assert sweep(food, date(2026, 3, 13))[REMINDER] == 1
    migrate_to(food.runtime, "0018")
    try:
        with food.runtime.engine.connect() as connection:
            assert "extension_days" not in connection.execute(text("SELECT * FROM supervision_events")).keys()
    finally:
        schema.upgrade(food.runtime.engine)
    assert sweep(food, date(2026, 3, 13), hour=15)[REMINDER] == 0
    with pytest.MonkeyPatch.context() as patch:
        from engine import time_limits
        patch.setattr(time_limits, "utcnow", lambda: at(date(2026, 3, 13), 16))
        assert head_of(food, case_id).post(f"/api/process-instances/{case_id}/clock/extend",
                                           json={"days": 1, "reason": "情况复杂"}).status_code == 200
    assert sweep(food, date(2026, 3, 16))[REMINDER] == 1  # the new deadline, 17 March, is a day away

    migrate_to(food.runtime, "0018")
    schema.upgrade(food.runtime.engine)
    with food.runtime.uow() as uow:
        kept = list(uow.session.scalars(select(SupervisionEvent).order_by(SupervisionEvent.kind)))
    assert [(e.kind, e.extension_days) for e in kept] == [(REMINDER, 0), (STEP_OVERRUN, 0)]
    assert kept[0].data["deadline_date"] == "2026-03-16"


def test_events_filter_by_kind_and_time_and_page(food, day):
    first = accepted(food, day, date(2026, 3, 2))
    second = accepted(food, day, date(2026, 3, 3))  # deadline 17 March
    sweep(food, date(2026, 3, 13))  # both reviews overrun; the first case is yellow, the second green
    sweep(food, date(2026, 3, 17))  # the first red; the second yellow on its deadline day
    supervisor = food.as_("supervisor")

    assert supervisor.get("/api/supervision/events").get_json()["total"] == 5
    reminders = supervisor.get("/api/supervision/events?kind=reminder").get_json()["items"]
    assert sorted(e["process_instance_id"] for e in reminders) == [first, second]
    since = at(date(2026, 3, 17), 9).isoformat()
    later = supervisor.get("/api/supervision/events", query_string={"since": since}).get_json()["items"]
    assert sorted((e["process_instance_id"], e["kind"]) for e in later) == [(first, OVERDUE), (second, REMINDER)]
    paged = supervisor.get("/api/supervision/events?limit=3&offset=3").get_json()
    assert (paged["total"], len(paged["items"]), paged["limit"], paged["offset"]) == (5, 2, 3, 3)
    assert [e["kind"] for e in paged["items"]] == [STEP_OVERRUN, REMINDER]  # newest first, 13 March last
    assert supervisor.get("/api/supervision/events?kind=late").status_code == 422
    assert food.as_("window_clerk").get("/api/supervision/events").status_code == 403


def test_two_sweepers_at_the_same_moment_record_and_emit_each_event_once(food, day):
    case_id = accepted(food, day, date(2026, 3, 2))
    barrier, results = threading.Barrier(2), []

    def sweeper() -> None:
        barrier.wait()
        results.append(sweep(food, date(2026, 3, 17)))

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2
    assert sum(r[OVERDUE] for r in results) == 1 and sum(r[STEP_OVERRUN] for r in results) == 1
    assert sum(r[REMINDER] for r in results) == 0  # it went straight to red: no reminder after the fact
    with food.runtime.uow() as uow:
        kinds = sorted(e.kind for e in uow.session.scalars(select(SupervisionEvent)))
    assert kinds == [OVERDUE, STEP_OVERRUN]
    assert sorted(outbox_events(food, case_id)) == ["supervision.overdue", "supervision.step_overrun"]


def test_a_paused_case_is_never_swept_red_and_a_decided_one_only_for_its_steps(food, day):
    paused = accepted(food, day, date(2026, 3, 2))
    decided = accepted(food, day, date(2026, 3, 2))
    day(date(2026, 3, 4))
    complete_open_task(food, decided, "review", reader="admin")
    complete_open_task(food, decided, "decide", reader="admin", decision="grant")  # the clock stops on time
    supervisor = food.as_("supervisor")
    with pytest.MonkeyPatch.context() as patch:
        from engine import time_limits
        patch.setattr(time_limits, "utcnow", lambda: at(date(2026, 3, 5)))
        assert supervisor.post(f"/api/process-instances/{paused}/clock/pause",
                               json={"kind": "testing", "reason": "检验检测"}).status_code == 200
    sweep(food, date(2026, 3, 30))
    with food.runtime.uow() as uow:
        found = sorted((e.instance_id, e.kind) for e in uow.session.scalars(select(SupervisionEvent)))
    # Paused on the 5th, the clock keeps its 8 remaining working days: neither yellow nor red, but the
    # review step's own due date still passed. The decided case's clock stopped: no reminder, no overdue;
    # its certificate step (制证, due two working days after the decision) overran, and its result, due to
    # be delivered by 18 March (Art 44), is not.
    assert found == [(paused, STEP_OVERRUN), (decided, DELIVERY_OVERDUE), (decided, STEP_OVERRUN)]
    with food.runtime.uow() as uow:
        [certify] = uow.session.scalars(select(SupervisionEvent).where(SupervisionEvent.instance_id == decided,
                                                                       SupervisionEvent.kind == STEP_OVERRUN))
    assert certify.data["bpmn_id"] == "certify"


def test_rules_decide_the_reminder_threshold_and_whether_steps_are_flagged(food, day):
    case_id = accepted(food, day, date(2026, 3, 2))
    supervisor = food.as_("supervisor")
    assert supervisor.put(f"/api/supervision/rules/{KEY}",
                          json={"remind_days": 5, "step_overrun": False}).status_code == 200
    # 10 March: the review is overrun but the item does not flag steps; 4 working days left <= 5: yellow.
    assert sweep(food, date(2026, 3, 10)) == {REMINDER: 1, OVERDUE: 0, STEP_OVERRUN: 0, PROCEDURE_OVERRUN: 0, DELIVERY_OVERDUE: 0}
    with food.runtime.uow() as uow:
        [event] = uow.session.scalars(select(SupervisionEvent).where(SupervisionEvent.instance_id == case_id))
    assert (event.kind, event.data["remind_days"], event.data["remaining_working_days"]) == (REMINDER, 5, 4)


def test_a_case_paused_past_its_stored_deadline_is_still_reminded(food, day):
    case_id = accepted(food, day, date(2026, 3, 2))  # deadline 16 March
    supervisor = food.as_("supervisor")
    assert supervisor.put(f"/api/supervision/rules/{KEY}", json={"remind_days": 10}).status_code == 200
    with pytest.MonkeyPatch.context() as patch:
        from engine import time_limits
        patch.setattr(time_limits, "utcnow", lambda: at(date(2026, 3, 5)))
        assert supervisor.post(f"/api/process-instances/{case_id}/clock/pause",
                               json={"kind": "testing", "reason": "检验检测"}).status_code == 200
    # Paused on the 5th with 7 working days left: the stored deadline (16 March) passed long ago, the one
    # shown moves on with the pause. 7 <= 10 is yellow, never red.
    assert sweep(food, date(2026, 4, 20))[REMINDER] == 1
    with food.runtime.uow() as uow:
        [event] = uow.session.scalars(select(SupervisionEvent).where(SupervisionEvent.kind == REMINDER))
    assert (event.instance_id, event.data["remaining_working_days"]) == (case_id, 7)


def test_a_case_paused_after_its_deadline_is_swept_overdue(food, day):
    """No sweep ran between the deadline and the pause (the service was down, say): the case is red on the
    board, paused or not, and the sweep says so once."""
    case_id = accepted(food, day, date(2026, 3, 2))  # deadline 16 March
    with pytest.MonkeyPatch.context() as patch:
        from engine import time_limits
        patch.setattr(time_limits, "utcnow", lambda: at(date(2026, 3, 17), 8))
        assert food.as_("supervisor").post(f"/api/process-instances/{case_id}/clock/pause",
                                           json={"kind": "testing", "reason": "检验检测"}).status_code == 200
    assert sweep(food, date(2026, 3, 18))[OVERDUE] == 1
    assert sweep(food, date(2026, 3, 19))[OVERDUE] == 0
    assert outbox_events(food, case_id).count("supervision.overdue") == 1


def test_a_sweep_with_nothing_new_views_no_clock(food, day, monkeypatch):
    """Recorded events and clocks far from their deadline stay in the database: a pass over a large one
    with nothing new reads next to nothing into Python."""
    red = accepted(food, day, date(2026, 3, 2))  # deadline 16 March
    accepted(food, day, date(2026, 3, 16))  # deadline 30 March: green on the 17th
    assert sweep(food, date(2026, 3, 17)) == {REMINDER: 0, OVERDUE: 1, STEP_OVERRUN: 1, PROCEDURE_OVERRUN: 0, DELIVERY_OVERDUE: 0}
    viewed: list[int] = []
    real_view = supervision_sweep.clock_view
    monkeypatch.setattr(supervision_sweep, "clock_view",
                        lambda uow, clock, *args: viewed.append(clock.instance_id) or real_view(uow, clock, *args))
    assert sweep(food, date(2026, 3, 17), hour=15) == dict.fromkeys(supervision_sweep.KINDS, 0)
    assert viewed == []
    assert sweep(food, date(2026, 3, 27)) == {REMINDER: 1, OVERDUE: 0, STEP_OVERRUN: 1,
                                             PROCEDURE_OVERRUN: 0, DELIVERY_OVERDUE: 0}  # the second case nears
    assert red not in viewed and len(viewed) == 1


def test_every_worker_sweeps_on_its_scheduler_at_the_configured_interval(runtime):
    from dataclasses import replace
    from datetime import timedelta

    from engine import Runtime, worker

    configured = Runtime(replace(runtime.settings, supervision_sweep_seconds=15), engine=runtime.engine)
    scheduler, _poller = worker.make_scheduler(configured)
    job = scheduler.get_job("govflow-supervision")
    assert job is not None and job.trigger.interval == timedelta(seconds=15)
    job.func()  # one sweep over the empty database: nothing to emit, and no error
    with runtime.uow() as uow:
        assert uow.session.scalars(select(SupervisionEvent)).all() == []


def test_a_command_on_the_case_during_a_sweep_never_delivers_before_the_sweep_s_event(food, day):
    """PostgreSQL: outbox ids are taken at insert, deliveries go in id order per case. A completion on the
    case while the sweep's transaction is open would commit later ids first, and a worker could deliver them
    before the sweep's event. The sweep holds the case's row lock, as commands take it, until it commits."""
    from sqlalchemy import text

    from engine import tasks
    from engine.users import Actor
    from tests.helpers import open_task
    from tests.rival import Rival

    if food.runtime.engine.dialect.name != "postgresql":
        pytest.skip("a race between two connections: PostgreSQL only")
    case_id = accepted(food, day, date(2026, 3, 2))  # deadline 16 March; the review waits
    review = open_task(food, case_id, "review", reader="admin")["id"]
    admin = Actor("admin", roles=frozenset({"admin"}))

    def complete_meanwhile() -> list[int]:
        tasks.complete(food.runtime.uow(), review, actor=admin, variables={})
        with food.runtime.engine.connect() as connection:  # what a delivery worker would see now
            return list(connection.scalars(text("SELECT id FROM outbox WHERE instance_id = :i ORDER BY id"),
                                           {"i": case_id}))

    with Rival(food.runtime, lambda s: s.startswith("INSERT INTO outbox"), complete_meanwhile) as rival:
        assert sweep(food, date(2026, 3, 17))[OVERDUE] == 1
    seen = rival.outcome
    with food.runtime.engine.connect() as connection:
        final = list(connection.scalars(text("SELECT id FROM outbox WHERE instance_id = :i ORDER BY id"),
                                        {"i": case_id}))
    assert seen == [i for i in final if i <= max(seen)]  # no earlier event was still missing


def test_a_special_procedure_open_longer_than_the_guide_allows_is_flagged_once_per_pause(food, day):
    """The food licence's guide allows 10 working days of inspection (现场核查). A pause past them is
    flagged once, at the sweep after the tenth working day; a second pause is flagged on its own; a kind the
    guide sets no limit for (started before the guide was deployed: it lists no testing) never is."""
    from tests.api.test_time_limits import ROOT

    tested = accepted(food, day, date(2026, 3, 2))
    supervisor = food.as_("supervisor")
    assert supervisor.post(f"/api/process-instances/{tested}/clock/pause",
                           json={"kind": "testing", "reason": "抽样检验"}).status_code == 200
    food.deploy(ROOT / "bpmn" / "SCJG-XK-0001" / "guide.json")
    inspected = accepted(food, day, date(2026, 3, 2), guide=True)

    def pause(case_id: int, on: date, kind: str) -> None:
        with pytest.MonkeyPatch.context() as patch:
            from engine import time_limits
            patch.setattr(time_limits, "utcnow", lambda: at(on))
            response = supervisor.post(f"/api/process-instances/{case_id}/clock/pause",
                                       json={"kind": kind, "reason": "现场核查（第45条）"})
            assert response.status_code == 200, response.get_json()

    pause(inspected, date(2026, 3, 3), "inspection")
    assert sweep(food, date(2026, 3, 17))[PROCEDURE_OVERRUN] == 0  # the tenth working day of the inspection
    assert sweep(food, date(2026, 3, 18))[PROCEDURE_OVERRUN] == 1
    assert sweep(food, date(2026, 3, 18), hour=15)[PROCEDURE_OVERRUN] == 0
    with pytest.MonkeyPatch.context() as patch:
        from engine import time_limits
        patch.setattr(time_limits, "utcnow", lambda: at(date(2026, 3, 19)))
        assert supervisor.post(f"/api/process-instances/{inspected}/clock/resume",
                               json={"result": "核查完毕"}).status_code == 200
    pause(inspected, date(2026, 3, 19), "inspection")
    assert sweep(food, date(2026, 3, 20))[PROCEDURE_OVERRUN] == 0
    assert sweep(food, date(2026, 4, 20))[PROCEDURE_OVERRUN] == 1  # the second pause, on its own

    page = supervisor.get("/api/supervision/events?kind=procedure_overrun").get_json()
    assert page["total"] == 2 and {e["process_instance_id"] for e in page["items"]} == {inspected}
    second, first = page["items"]
    assert first["task_id"] is None and first["due_at"] == at(date(2026, 3, 17), 23).replace(
        minute=59, second=59).isoformat()
    assert {k: first["data"][k] for k in ("kind", "max_days", "elapsed_working_days", "started_by")} == {
        "kind": "inspection", "max_days": 10, "elapsed_working_days": 11, "started_by": "supervisor"}
    assert second["data"]["procedure_id"] != first["data"]["procedure_id"]
    assert outbox_events(food, inspected).count("supervision.procedure_overrun") == 2
    assert "supervision.procedure_overrun" not in outbox_events(food, tested)
    history = food.get(f"/api/process-instances/{inspected}/history").get_json()
    assert [e["data"]["max_days"] for e in history if e["event"] == "supervision.procedure_overrun"] == [10, 10]
