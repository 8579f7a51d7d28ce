"""The delivery limit (行政许可法 Art 44): a decided case's result is due to reach the applicant within 10 working
days of the decision; supervisors see the results not delivered yet by their level."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from engine import supervision_delivery
from tests.api.test_supervision import KEY, accept
from tests.api.test_time_limits import FOOD
from tests.helpers import at, complete_open_task, seed_national_calendar


def undelivered(api: Any, monkeypatch: pytest.MonkeyPatch, day: date, **query: str) -> list[dict[str, Any]]:
    monkeypatch.setattr(supervision_delivery, "utcnow", lambda: at(day))
    answer = api.as_("supervisor").get("/api/supervision/deliveries", query_string=query)
    assert answer.status_code == 200, answer.get_json()
    return list(answer.get_json())


@pytest.fixture
def decided(api: Any, now: Any) -> int:
    """A food licence accepted on Monday 2 March 2026 and granted on Tuesday 10 March."""
    seed_national_calendar(api.runtime)
    api.deploy(FOOD)
    case_id = accept(api, now, date(2026, 3, 2))
    complete_open_task(api, case_id, "review", reader="admin")
    now(date(2026, 3, 10))
    complete_open_task(api, case_id, "decide", reader="admin", decision="grant")
    return case_id


def test_a_decided_case_is_due_to_deliver_within_ten_working_days_of_the_decision(api, now, monkeypatch, decided):
    clock = api.get(f"/api/process-instances/{decided}/clock").get_json()
    assert clock["state"] == "stopped" and clock["delivered_at"] is None
    assert clock["delivery_due_date"] == "2026-03-24"  # 11-13, 16-20, 23, 24 March

    [case] = undelivered(api, monkeypatch, date(2026, 3, 18))
    assert (case["process_instance_id"], case["process_key"], case["due_date"]) == (decided, KEY, "2026-03-24")
    assert (case["level"], case["remaining_working_days"], case["instance_state"]) == ("green", 4, "running")
    assert case["decided_at"] == at(date(2026, 3, 10)).isoformat()
    [case] = undelivered(api, monkeypatch, date(2026, 3, 24))
    assert (case["level"], case["remaining_working_days"]) == ("yellow", 0)  # the due day itself
    [case] = undelivered(api, monkeypatch, date(2026, 3, 25))
    assert (case["level"], case["remaining_working_days"]) == ("red", -1)
    assert undelivered(api, monkeypatch, date(2026, 3, 25), level="green") == []
    assert [c["process_instance_id"] for c in undelivered(api, monkeypatch, date(2026, 3, 25), level="red")] == [decided]


def test_the_delivery_step_takes_the_case_off_the_list(api, now, monkeypatch, decided):
    now(date(2026, 3, 12))
    complete_open_task(api, decided, "certify", reader="admin", certificate_no="JY14103020000001")
    now(date(2026, 3, 13))
    complete_open_task(api, decided, "deliver", reader="admin", delivery_method="window")
    clock = api.get(f"/api/process-instances/{decided}/clock").get_json()
    assert clock["delivered_at"] == at(date(2026, 3, 13)).isoformat()
    assert clock["delivery_due_date"] == "2026-03-24" and clock["delivery_overdue"] is False  # on time
    assert undelivered(api, monkeypatch, date(2026, 3, 25)) == []


def test_a_case_not_decided_yet_has_no_delivery_due(api, now, monkeypatch):
    seed_national_calendar(api.runtime)
    api.deploy(FOOD)
    case_id = accept(api, now, date(2026, 3, 2))
    clock = api.get(f"/api/process-instances/{case_id}/clock").get_json()
    assert (clock["delivery_due_at"], clock["delivery_due_date"]) == (None, None)
    assert undelivered(api, monkeypatch, date(2026, 5, 4)) == []


def test_only_supervisors_see_the_list_and_an_unknown_level_is_refused(api):
    assert api.as_("window_clerk").get("/api/supervision/deliveries").status_code == 403
    refused = api.as_("supervisor").get("/api/supervision/deliveries?level=orange")
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "validation_failed"


def test_the_case_page_says_by_when_the_result_is_delivered_and_when_it_was(app, runtime, api, now, monkeypatch,
                                                                            decided):
    from engine import supervision_board
    from tests.api.test_pages import Browser, person

    monkeypatch.setattr(supervision_board, "utcnow", lambda: at(date(2026, 3, 11)))

    browser = Browser(app.test_client())
    person(runtime, "zhou", roles=["supervisor"])
    assert browser.log_in("zhou").status_code == 302
    panel = browser.get(f"/cases/{decided}").text.split('<dl class="clock-figures">')[1].split("</dl>")[0]
    assert "送达期限" in panel and "2026-03-24" in panel and "已送达" not in panel
    assert "delivery-overdue" not in panel  # not due yet
    now(date(2026, 3, 12))
    complete_open_task(api, decided, "certify", reader="admin", certificate_no="JY14103020000001")
    now(date(2026, 3, 26))  # two working days late
    monkeypatch.setattr(supervision_board, "utcnow", lambda: at(date(2026, 3, 26)))
    panel = browser.get(f"/cases/{decided}").text.split('<dl class="clock-figures">')[1].split("</dl>")[0]
    assert "超期未送达" in panel and "delivered-late" not in panel
    assert api.get(f"/api/process-instances/{decided}/clock").get_json()["delivery_overdue"] is True
    complete_open_task(api, decided, "deliver", reader="admin", delivery_method="window")
    panel = browser.get(f"/cases/{decided}").text.split('<dl class="clock-figures">')[1].split("</dl>")[0]
    assert "已送达 2026-03-26" in panel and "delivered-late" in panel and "delivery-overdue" not in panel


def test_an_item_the_licensing_law_does_not_govern_has_no_delivery_limit(api, now, tmp_path):
    """A public service (type 20) with the same diagram: Art 44 does not hold, nothing is due."""
    from tests.api.test_catalogue import FOOD as FOOD_DIR
    from tests.api.test_catalogue import deploy, edited_guide

    seed_national_calendar(api.runtime)
    from tests.service_items import supply_materials

    deploy(api, FOOD, edited_guide(tmp_path, FOOD_DIR, type="20"))
    now(date(2026, 3, 2))
    case_id = api.start(KEY, variables={"applicant_name": "张三"})["id"]
    supply_materials(api, case_id, "SCJG-XK-0001")
    complete_open_task(api, case_id, "acceptance_check", reader="admin", acceptance_decision="accept")
    complete_open_task(api, case_id, "review", reader="admin")
    now(date(2026, 3, 10))
    complete_open_task(api, case_id, "decide", reader="admin", decision="grant")
    clock = api.get(f"/api/process-instances/{case_id}/clock").get_json()
    assert clock["state"] == "stopped" and clock["delivery_due_at"] is None


def test_a_delivery_due_in_a_year_without_holidays_is_recounted_when_the_year_is_loaded(api, now):
    """Decided on Christmas Eve 2026: ten working days reach into 2027, counted weekdays only (7 January)
    until the year's holidays are loaded (New Year's Day off: 8 January)."""
    from engine import calendar
    from engine.users import Actor
    from tests.api.test_time_limits import accepted_food_case

    case_id = accepted_food_case(api, now, day=date(2026, 12, 10))
    complete_open_task(api, case_id, "review", reader="admin")
    now(date(2026, 12, 24))
    complete_open_task(api, case_id, "decide", reader="admin", decision="grant")
    assert api.get(f"/api/process-instances/{case_id}/clock").get_json()["delivery_due_date"] == "2027-01-07"
    calendar.replace_year(api.runtime.uow(), 2027, holidays=[{"date": "2027-01-01", "name": "元旦"}],
                          workdays=[], actor=Actor("admin", roles=frozenset({"admin"})))
    assert api.get(f"/api/process-instances/{case_id}/clock").get_json()["delivery_due_date"] == "2027-01-08"


def test_the_sweep_reports_a_late_delivery_once(api, now, decided):
    """Past its due day the undelivered result is a supervision event (history, webhooks), recorded once."""
    from engine import supervision_sweep

    assert supervision_sweep.sweep(api.runtime.uow(), now=at(date(2026, 3, 24)))["delivery_overdue"] == 0
    late = supervision_sweep.sweep(api.runtime.uow(), now=at(date(2026, 3, 25)))
    assert late["delivery_overdue"] == 1
    assert supervision_sweep.sweep(api.runtime.uow(), now=at(date(2026, 3, 26)))["delivery_overdue"] == 0
    [event] = api.as_("supervisor").get("/api/supervision/events?kind=delivery_overdue").get_json()["items"]
    assert (event["process_instance_id"], event["data"]["delivery_due_date"]) == (decided, "2026-03-24")
    assert event["data"]["provisional"] is False  # 2026 is a year whose holidays are known
    history = api.get(f"/api/process-instances/{decided}/history").get_json()
    assert [e["data"]["decided_at"] for e in history if e["event"] == "supervision.delivery_overdue"] == [
        at(date(2026, 3, 10)).isoformat()]


def test_the_list_pages_with_its_total(api, now, monkeypatch, decided):
    second = accept(api, now, date(2026, 3, 2))
    complete_open_task(api, second, "review", reader="admin")
    now(date(2026, 3, 11))
    complete_open_task(api, second, "decide", reader="admin", decision="grant")
    monkeypatch.setattr(supervision_delivery, "utcnow", lambda: at(date(2026, 3, 18)))
    answer = api.as_("supervisor").get("/api/supervision/deliveries?limit=1&offset=1")
    assert answer.headers["X-Total-Count"] == "2"
    assert [c["process_instance_id"] for c in answer.get_json()] == [second]  # due a day later


def test_a_case_ended_after_its_decision_without_delivery_has_nothing_due(app, runtime, api, now, monkeypatch,
                                                                          decided):
    from tests.api.test_pages import Browser, person

    ended = api.as_("admin").post(f"/api/process-instances/{decided}/terminate", json={"reason": "申请人死亡"})
    assert ended.status_code == 200, ended.get_json()
    assert undelivered(api, monkeypatch, date(2026, 3, 25)) == []
    browser = Browser(app.test_client())
    person(runtime, "zhou", roles=["supervisor"])
    assert browser.log_in("zhou").status_code == 302
    assert "送达期限" not in browser.get(f"/cases/{decided}").text


def test_a_case_ended_after_its_decision_without_delivering_owes_no_delivery(api, now, decided):
    now(date(2026, 3, 12))
    ended = api.as_("admin").post(f"/api/process-instances/{decided}/terminate", json={"reason": "申请人撤回"})
    assert ended.status_code == 200, ended.get_json()
    now(date(2026, 3, 26))  # past the due day
    clock = api.get(f"/api/process-instances/{decided}/clock").get_json()
    assert clock["delivered_at"] is None and clock["delivery_overdue"] is False
