"""Reading cases: filters and pages over the list, one case with variables and tasks, its timeline."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine import execution


@pytest.fixture
def cases(api) -> dict[str, dict]:  # type: ignore[no-untyped-def, type-arg]
    api.deploy("simple_approval.bpmn", "supplement.bpmn")
    started = {key: api.start("simple_approval", business_key=key, variables={"reviewGroup": "office"})
               for key in ("SA-1", "SA-2", "SA-3")}
    started["SU-1"] = api.start("supplement", business_key="SU-1")
    api.as_("supervisor").post(f"/api/process-instances/{started['SA-2']['id']}/suspend")
    return started


def _keys(api, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = api.as_("supervisor").get(f"/api/process-instances?{query}")
    assert response.status_code == 200, response.get_json()
    return [case["business_key"] for case in response.get_json()["items"]]


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["SU-1", "SA-3", "SA-2", "SA-1"]),
    ("process_key=simple_approval", ["SA-3", "SA-2", "SA-1"]),
    ("state=suspended", ["SA-2"]),
    ("state=running&process_key=simple_approval", ["SA-3", "SA-1"]),
    ("business_key=SU-1", ["SU-1"]),
    ("limit=2&offset=1", ["SA-3", "SA-2"]),
])
def test_cases_are_listed_newest_first_with_filters_and_pages(api, cases, query, expected):
    assert _keys(api, query) == expected


def test_the_page_reports_the_total_and_refuses_unknown_states(api, cases):
    page = api.as_("supervisor").get("/api/process-instances?limit=1").get_json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (4, 1, 0, 1)
    bad = api.as_("supervisor").get("/api/process-instances?state=sleeping")
    assert bad.status_code == 422 and bad.get_json()["error"]["details"][0]["field"] == "state"


def test_a_case_shows_its_state_variables_and_open_tasks(api, cases):
    case = api.as_("supervisor").get(f"/api/process-instances/{cases['SA-1']['id']}").get_json()
    assert (case["state"], case["definition_key"], case["definition_version"]) == ("running", "simple_approval", 1)
    assert case["variables"] == {"reviewGroup": "office"}
    [task] = case["tasks"]
    assert (task["bpmn_id"], task["state"], task["process_instance_id"]) == ("accept", "READY", case["id"])


def test_the_timeline_records_who_did_what_to_which_element_oldest_first(api, cases):
    task_id = cases["SA-1"]["tasks"][0]["id"]
    api.as_("window_clerk").post(f"/api/tasks/{task_id}/complete",
                                 json={"variables": {"accepted": True, "amount": 7}})
    events = api.get(f"/api/process-instances/{cases['SA-1']['id']}/history").get_json()
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert (events[0]["event"], events[0]["actor"]) == ("instance.started", "integrator")
    [completed] = [e for e in events if e["event"] == "task.completed"]
    assert (completed["actor"], completed["element_id"], completed["element_name"]) == ("window_clerk", "accept", "受理")
    assert completed["data"]["variables"] == {"accepted": True, "amount": 7}
    created = [e["element_id"] for e in events if e["event"] == "task.created"]
    assert created == ["accept", "review"]
    assert api.get("/api/process-instances/999999/history").status_code == 404


def test_the_timeline_pages_and_reads_what_is_new_after_an_event(api, cases):
    url = f"/api/process-instances/{cases['SA-1']['id']}/history"
    whole = api.get(url)
    events = whole.get_json()
    assert whole.headers["X-Total-Count"] == str(len(events)) and len(events) >= 3
    page = api.get(f"{url}?limit=2&offset=1")
    assert [e["id"] for e in page.get_json()] == [e["id"] for e in events[1:3]]
    assert page.headers["X-Total-Count"] == str(len(events))
    last_read = events[-1]["id"]
    assert api.get(f"{url}?after={last_read}").get_json() == []  # nothing new yet
    api.as_("window_clerk").post(f"/api/tasks/{cases['SA-1']['tasks'][0]['id']}/complete",
                                 json={"variables": {"accepted": True, "amount": 7}})
    new = api.get(f"{url}?after={last_read}")
    assert new.get_json() and all(e["id"] > last_read for e in new.get_json())
    assert "task.completed" in {e["event"] for e in new.get_json()}
    assert new.headers["X-Total-Count"] == str(len(new.get_json()))
    for bad in ("limit=0", "limit=1001", "offset=-1", "after=x", "since=1"):
        assert api.get(f"{url}?{bad}").status_code == 422, bad


def test_a_generated_case_number_carries_the_beijing_date(api, monkeypatch):
    """At 02:31 in Beijing on 23 November it is still the 22nd in UTC: the number says the 23rd."""
    api.deploy("simple_approval.bpmn")
    monkeypatch.setattr(execution, "utcnow", lambda: datetime(2026, 11, 22, 18, 31, tzinfo=UTC))
    number = api.start("simple_approval", variables={"reviewGroup": "office"})["business_key"]
    assert number.startswith("20261123") and len(number) == 18


def test_the_case_list_reads_a_fixed_number_of_statements_and_no_workflow_state(api, cases):
    """One query for the count, one for the page, one for all its open tasks: not one more per case (the
    list showed 50 cases with 50 more queries), and the cases' workflow state (kilobytes each) stays unread."""
    from tests.helpers import statements

    def listed(limit: int) -> list[str]:
        with statements(api.runtime) as seen:
            page = api.as_("supervisor").get("/api/process-instances", query_string={"limit": limit}).get_json()
        assert len(page["items"]) == limit
        return [s for s in seen if " FROM process_instances" in s or " FROM tasks" in s or " FROM history" in s]

    one, four = listed(1), listed(4)  # SA-1..3 wait at a task
    assert len(one) == len(four) == 4  # and one for the page's histories (where each case stands)
    assert not any("process_instances.workflow" in s for s in four)
    page = api.as_("supervisor").get("/api/process-instances").get_json()["items"]
    assert [c["business_key"] for c in page] == ["SU-1", "SA-3", "SA-2", "SA-1"]
    assert [[t["bpmn_id"] for t in c["tasks"]] for c in page] == \
        [[t["bpmn_id"] for t in api.as_("supervisor").get(f"/api/process-instances/{c['id']}").get_json()["tasks"]]
         for c in page]


def test_a_case_s_view_and_the_list_say_where_it_stands(api, cases):
    """A diagram that names no case states gets those its element names make plain: a completed 受理 step
    that work follows is 已受理 (engine.timeline), in a task completion's answer as in the case's view; a list
    page reads its cases' in one query."""
    supervisor = api.as_("supervisor")
    case_id = cases["SA-1"]["id"]
    assert supervisor.get(f"/api/process-instances/{case_id}").get_json()["case_state"] == "已接件"
    answer = api.as_("window_clerk").post(f"/api/tasks/{cases['SA-1']['tasks'][0]['id']}/complete",
                                          json={"variables": {"accepted": True, "amount": 7}}).get_json()
    assert (answer["state"], answer["case_state"]) == ("running", "已受理")
    assert supervisor.get(f"/api/process-instances/{case_id}").get_json()["case_state"] == "已受理"
    listed = supervisor.get("/api/process-instances?business_key=SA-1").get_json()["items"]
    assert [(c["id"], c["case_state"], c["end_kind"]) for c in listed] == [(case_id, "已受理", None)]

    withdrawn = cases["SA-2"]["id"]
    assert api.as_("integrator").post(f"/api/process-instances/{withdrawn}/terminate",
                                      json={"reason": "申请人撤回申请"}).status_code == 200
    page = {c["id"]: c for c in supervisor.get("/api/process-instances").get_json()["items"]}
    for listed_case in page.values():  # the list says what each case's own view says
        view = supervisor.get(f"/api/process-instances/{listed_case['id']}").get_json()
        assert (listed_case["case_state"], listed_case["end_kind"], listed_case["end_reason"]) == \
            (view["case_state"], view["end_kind"], view["end_reason"])
    assert page[withdrawn]["end_kind"] == "withdrawn" and page[case_id]["case_state"] == "已受理"


def test_a_case_starts_at_the_moment_its_first_steps_are_stamped_with(api):
    """started_at was the insert's moment, after the run: a case ending at once ended before it started,
    and its first task was created before it."""
    api.deploy("simple_approval.bpmn")
    case = api.start("simple_approval", variables={"reviewGroup": "office"})
    [task] = case["tasks"]
    assert case["started_at"] == task["created_at"]
    events = api.as_("supervisor").get(f"/api/process-instances/{case['id']}/history").get_json()
    assert events[0]["event"] == "instance.started" and events[0]["at"] == case["started_at"]


def test_a_case_number_is_stored_as_an_applicant_types_it_and_invisible_characters_are_refused(api):
    """Full-width forms read as half-width, so a retry typed with a Chinese input method finds the case, and
    the applicant's progress lookup (which reads what they type so) finds it too; a zero-width space or a
    byte-order mark would make a second case that looks like the first."""
    api.deploy("simple_approval.bpmn")
    first = api.start("simple_approval", business_key="FW-2026-1", variables={"reviewGroup": "office"})
    again = api.start("simple_approval", expect=200, business_key="ＦＷ－２０２６－１", variables={"reviewGroup": "office"})
    assert again["id"] == first["id"] and again["business_key"] == "FW-2026-1"
    for key in ("\u200b", "\u200bFW-2026-1", "\ufeffFW-2026-1", "FW\u200d-2026-1", "FW-2026\u2028-1"):
        refused = api.as_("integrator").post("/api/process-definitions/simple_approval/start",
                                             json={"business_key": key, "variables": {"reviewGroup": "office"}})
        assert refused.status_code == 422, key
        assert refused.get_json()["error"]["details"][0]["field"] == "business_key"


def test_a_full_width_number_finds_its_case_in_the_lists_and_a_case_stored_as_typed_before_is_still_found(api):
    from sqlalchemy import update

    from engine.models import ProcessInstance, Task

    api.deploy("simple_approval.bpmn")
    first = api.start("simple_approval", business_key="FW-2026-2", variables={"reviewGroup": "office"})
    for url in ("/api/process-instances", "/api/tasks"):
        found = api.as_("supervisor").get(url, query_string={"business_key": "ＦＷ－２０２６－２"}).get_json()
        assert [item.get("process_instance_id", item["id"]) for item in found["items"]] == [first["id"]], url
    legacy = api.start("simple_approval", business_key="FW-2026-3", variables={"reviewGroup": "office"})
    with api.runtime.uow() as uow:  # stored as typed, before case numbers were stored normalised
        uow.session.execute(update(ProcessInstance).where(ProcessInstance.id == legacy["id"])
                            .values(business_key="ＦＷ－２０２６－３"))
        uow.session.execute(update(Task).where(Task.instance_id == legacy["id"]).values(business_key="ＦＷ－２０２６－３"))
        uow.commit()
    again = api.start("simple_approval", expect=200, business_key="ＦＷ－２０２６－３", variables={"reviewGroup": "office"})
    assert again["id"] == legacy["id"]


def test_an_empty_case_number_or_item_filter_is_refused_not_read_as_no_filter(api):
    for url in ("/api/process-instances", "/api/tasks"):
        for name, value in (("business_key", ""), ("business_key", "   "), ("process_key", "")):
            refused = api.as_("supervisor").get(url, query_string={name: value})
            assert refused.status_code == 422, (url, name, value)
            assert refused.get_json()["error"]["details"][0]["field"] == name


def test_a_start_needs_no_body_and_the_openapi_document_says_so(api):
    spec = api.get("/api/openapi.json").get_json()
    assert spec["paths"]["/api/process-definitions/{key}/start"]["post"]["requestBody"]["required"] is False
    api.deploy("simple_approval.bpmn")
    started = api.as_("integrator").post("/api/process-definitions/simple_approval/start")
    assert started.status_code == 201 and started.get_json()["business_key"]
