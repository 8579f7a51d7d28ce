"""GET /api/calendar/<year> for every signed-in user, PUT for admins."""
from __future__ import annotations

from datetime import date

import pytest

from engine import calendar
from engine.users import SYSTEM

SPRING_2027 = {"holidays": [{"date": f"2027-02-{d:02d}", "name": "春节"} for d in range(6, 14)],
               "workdays": [{"date": "2027-02-20", "name": "春节"}]}


@pytest.fixture
def cn(api):  # type: ignore[no-untyped-def]
    calendar.seed_national(api.runtime.uow())
    return api


def put(api, url, body):  # type: ignore[no-untyped-def]
    return api.client.put(url, json=body, headers=api.headers())


def test_any_signed_in_user_reads_a_year_with_its_holidays_and_make_up_days(cn):
    response = cn.as_("window_clerk").get("/api/calendar/2025")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["calendar"], body["year"], body["provisional"], body["working_days"]) == ("CN", 2025, False, 248)
    assert {"date": "2025-01-28", "name": "春节"} in body["holidays"]
    assert [d["date"] for d in body["workdays"]] == ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28",
                                                     "2025-10-11"]
    assert body["source"].startswith("chinese-calendar")


def test_a_year_without_data_reads_as_provisional(cn):
    body = cn.as_("window_clerk").get("/api/calendar/2027").get_json()
    assert (body["provisional"], body["holidays"], body["source"], body["working_days"]) == (True, [], None, 261)


def test_reading_needs_a_token(cn):
    assert cn.client.get("/api/calendar/2025").status_code == 401


def test_an_admin_loads_2027_and_it_stops_being_provisional(cn):
    response = put(cn.as_("admin"), "/api/calendar/2027", SPRING_2027)
    assert response.status_code == 200, response.get_json()
    body = cn.as_("window_clerk").get("/api/calendar/2027").get_json()
    assert (body["provisional"], len(body["holidays"]), body["loaded_by"], body["source"]) == (False, 8, "admin", "api")
    assert body["working_days"] == 261 - 5 + 1  # 8–12 February off, Saturday 20 February worked
    assert calendar.for_runtime(cn.runtime).add_working_days(date(2027, 2, 5), 1) == (date(2027, 2, 15), False)


def test_only_admins_may_replace_a_year(cn):
    response = put(cn.as_("supervisor"), "/api/calendar/2027", SPRING_2027)
    assert response.status_code == 403
    assert cn.get("/api/calendar/2027").get_json()["provisional"] is True


def test_invalid_days_give_422_with_each_field(cn):
    body = {"holidays": [{"date": "2027-02-30"}, {"date": "2026-12-31"}], "workdays": [{"date": "2027-02-10"}]}
    response = put(cn.as_("admin"), "/api/calendar/2027", body)
    assert response.status_code == 422
    assert [d["field"] for d in response.get_json()["error"]["details"]] == ["holidays.0.date"]
    body["holidays"] = body["holidays"][1:]
    details = put(cn.as_("admin"), "/api/calendar/2027", body).get_json()["error"]["details"]
    assert details == [
        {"field": "holidays.0.date", "message": "2026-12-31 is not in 2027: each year holds only its own days"},
        {"field": "workdays.0.date", "message": "2027-02-10 is a Wednesday, a working day anyway: a make-up "
                                               "working day (调休) falls on a Saturday or Sunday"}]
    assert cn.get("/api/calendar/2027").get_json()["provisional"] is True


def test_an_empty_national_year_is_refused_with_422_and_nothing_is_stored(cn):
    response = put(cn.as_("admin"), "/api/calendar/2027", {"holidays": [], "workdays": []})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["message"] == "invalid calendar data: 1 problem(s), nothing was loaded"
    assert error["details"] == [{"field": "holidays", "message": (
        "no days for CN 2027: list the year's announced holidays and make-up working days (an empty year "
        "would count every weekday as a working day, as if announced)")}]
    assert cn.get("/api/calendar/2027").get_json()["provisional"] is True


def test_a_regional_year_may_be_emptied(cn):
    calendar.create_calendar(cn.runtime.uow(), "SX-TY", actor=SYSTEM, extends="CN")
    assert put(cn.as_("admin"), "/api/calendar/2025?calendar=SX-TY", {"holidays": [], "workdays": []}).status_code == 200


def test_the_year_and_calendar_come_from_the_url_not_the_body(cn):
    response = put(cn.as_("admin"), "/api/calendar/2027", {**SPRING_2027, "calendar": "CN", "year": 2027})
    assert response.status_code == 422
    assert {d["field"] for d in response.get_json()["error"]["details"]} == {"calendar", "year"}


def test_an_unknown_calendar_is_404(cn):
    assert cn.get("/api/calendar/2025?calendar=NOWHERE").status_code == 404
    assert put(cn.as_("admin"), "/api/calendar/2027?calendar=NOWHERE", SPRING_2027).status_code == 404


def test_a_regional_calendar_is_read_and_written_by_name(cn):
    calendar.create_calendar(cn.runtime.uow(), "SX-TY", actor=SYSTEM, extends="CN")
    body = {"holidays": [{"date": "2025-03-12", "name": "地方节日"}]}
    assert put(cn.as_("admin"), "/api/calendar/2025?calendar=SX-TY", body).status_code == 200
    read = cn.get("/api/calendar/2025?calendar=SX-TY").get_json()
    assert (read["extends"], read["holidays"], read["working_days"]) == (
        "CN", [{"date": "2025-03-12", "name": "地方节日"}], 247)
    listed = {c["name"]: c for c in cn.get("/api/calendar").get_json()}
    assert listed["SX-TY"]["extends"] == "CN" and listed["CN"]["years"][-1] == 2026


def test_a_year_out_of_range_is_refused(cn):
    assert cn.get("/api/calendar/1800").status_code == 422
