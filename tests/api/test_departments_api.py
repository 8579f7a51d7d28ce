"""Departments over HTTP, and what they scope: a clerk reads the cases their departments take part in,
every other case is a 404; materials are read by every department of the case (SX32, LY47)."""
from __future__ import annotations

import io
import json
import threading
import time

import pytest
from sqlalchemy import text

from engine import users
from tests.helpers import FIXTURES, complete_task

PDF = b"%PDF-1.7\n" + b"0" * 200 + b"\n%%EOF\n"


def put(api, code: str, expect: int = 200, **body):  # type: ignore[no-untyped-def]
    response = api.client.put(f"/api/departments/{code}", json=body, headers=api.headers())
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def clerk(api, name: str, *groups: str):  # type: ignore[no-untyped-def]
    """A clerk with the given groups, signed in."""
    _, api.tokens[name] = users.add_user(api.runtime.uow(), name, groups=list(groups), roles=["clerk"],
                                         actor=users.SYSTEM)
    return api.as_(name)


def upload(api, user: str, instance_id: int) -> dict:  # type: ignore[no-untyped-def, type-arg]
    caller = api.as_(user)
    response = caller.client.post(f"/api/process-instances/{instance_id}/materials",
                                  data={"file": (io.BytesIO(PDF), "申请书.pdf"), "name": "申请书"},
                                  headers=caller.headers(), content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def centre(api):  # type: ignore[no-untyped-def]
    """政务服务中心 owns the window, 市场监督管理局 the office, 卫生健康委员会 the health section."""
    put(api, "ZWFW", 201, name="政务服务中心", groups=["window"])
    put(api, "SCJG", 201, name="市场监督管理局", groups=["office"])
    put(api, "WJW", 201, name="卫生健康委员会", groups=["health"])
    clerk(api, "health_clerk", "health")
    clerk(api, "archive_clerk", "archive")  # a group of no department
    api.deploy("simple_approval.bpmn")
    return api


def test_admins_set_up_departments_and_everyone_signed_in_reads_them(api):
    created = put(api, "SCJG", 201, name="市场监督管理局", groups=["review", "chief"])
    assert (created["code"], created["name"], created["parent_code"], created["groups"]) == (
        "SCJG", "市场监督管理局", None, ["chief", "review"])
    put(api, "SCJG-SPK", 201, name="审批科", parent_code="SCJG", groups=["food_review"])
    updated = put(api, "SCJG", name="市场监督管理局", groups=["chief", "certificate"])
    assert updated["groups"] == ["certificate", "chief"] and updated["created_at"] == created["created_at"]
    listed = api.as_("window_clerk").get("/api/departments").get_json()
    assert [(d["code"], d["parent_code"], d["groups"]) for d in listed] == [
        ("SCJG", None, ["certificate", "chief"]), ("SCJG-SPK", "SCJG", ["food_review"])]
    assert api.as_("window_clerk").get("/api/departments/SCJG-SPK").get_json()["name"] == "审批科"
    assert api.get("/api/departments/NOPE").status_code == 404
    assert api.client.get("/api/departments").status_code == 401


def test_setting_up_departments_is_refused_with_the_reason(api):
    put(api, "SCJG", 201, name="市场监督管理局", groups=["review"])
    taken = put(api, "WJW", 409, name="卫生健康委员会", groups=["health", "review"])["error"]
    assert taken["details"] == [{"field": "groups", "group": "review", "department": "SCJG"}]
    assert put(api.as_("supervisor"), "WJW", 403, name="卫生健康委员会")["error"]["code"] == "forbidden"
    missing = put(api, "WJW", 422, groups=["health"])["error"]
    assert missing["details"][0]["field"] == "name"
    assert put(api, "WJW", 422, name="卫健委", groups=[""])["error"]["code"] == "validation_failed"
    assert put(api, "bad code", 422, name="某局")["error"]["details"][0]["field"] == "code"
    missing = put(api, "WJW", 422, name="卫生健康委员会", parent_code="NOPE")["error"]
    assert missing["code"] == "validation_failed" and missing["details"][0]["field"] == "parent_code"
    assert [d["code"] for d in api.get("/api/departments").get_json()] == ["SCJG"]


def test_a_bad_title_of_a_group_listed_twice_names_the_entry_that_gave_it(api):
    def refused(*groups):  # type: ignore[no-untyped-def]
        error = put(api, "ZWFW", 422, name="市政务服务管理局", groups=list(groups))["error"]
        return [d["field"] for d in error["details"]]

    bad = {"name": "window", "title": "综合\u202e窗口"}  # the engine's check, not the schema's (its length)
    assert refused("zwfw", "window", bad) == ["groups.2.title"]
    assert refused(bad, "window") == ["groups.0.title"]
    assert refused({"name": "window", "title": "综合受理窗口"}, "zwfw", bad) == ["groups.2.title"]
    assert api.get("/api/departments/ZWFW").status_code == 404
    listed = put(api, "ZWFW", 201, name="市政务服务管理局", groups=["window", {"name": "window", "title": "综合受理窗口"}])
    assert listed["titles"] == {"window": "综合受理窗口"}


def test_a_clerk_of_another_department_gets_404_on_every_read_path_of_the_case(centre):
    api = centre
    case = api.start("simple_approval", variables={"reviewGroup": "office"})
    material = upload(api, "integrator", case["id"])
    base = f"/api/process-instances/{case['id']}"
    paths = [base, f"{base}/history", f"{base}/materials", f"{base}/materials/{material['id']}", f"{base}/archive",
             f"{base}/documents", f"{base}/departments"]
    assert [api.as_("window_clerk").get(p).status_code for p in paths] == [200] * len(paths)
    nowhere = api.as_("health_clerk").get("/api/process-instances/999999").get_json()
    for path in paths:
        hidden = api.as_("health_clerk").get(path)
        assert hidden.status_code == 404, path
        assert hidden.get_json()["error"]["message"] == \
            nowhere["error"]["message"].replace("999999", str(case["id"]))  # as if it did not exist
    assert api.as_("health_clerk").get(f"{base}/clock").status_code == 404
    for action in ("overdue-reason", "query-code"):  # acting on it is no different: 404, not 403
        acted = api.as_("health_clerk").post(f"{base}/{action}", json={"reason": "说明"} if action == "overdue-reason" else {})
        assert acted.status_code == 404, action
    assert api.as_("office_clerk").get(base).status_code == 404  # the office's turn has not come yet
    complete_task(api, case["tasks"][0]["id"], user="window_clerk", accepted=True, amount=10)
    assert [api.as_("office_clerk").get(p).status_code for p in paths] == [200] * len(paths)
    assert api.as_("office_clerk").get(f"{base}/departments").get_json() == [
        {"department_code": "ZWFW", "role": "lead", "since": case["tasks"][0]["created_at"]},
        {"department_code": "SCJG", "role": "participant",
         "since": api.as_("office_clerk").get(base).get_json()["tasks"][0]["created_at"]}]
    assert api.as_("health_clerk").get(base).status_code == 404


def test_clerks_list_their_departments_cases_supervisors_and_integrators_all(centre):
    api = centre
    office = api.start("simple_approval", business_key="SC-1", variables={"reviewGroup": "office"})
    health = api.start("simple_approval", business_key="WJ-1", variables={"reviewGroup": "health"})
    for case in (office, health):
        complete_task(api, case["tasks"][0]["id"], user="window_clerk", accepted=True, amount=10)
    api.start("simple_approval", business_key="ZW-1", variables={"reviewGroup": "office"})

    def listed(user: str, query: str = "") -> tuple[list[str], int]:
        page = api.as_(user).get(f"/api/process-instances?{query}").get_json()
        return [c["business_key"] for c in page["items"]], page["total"]
    assert listed("office_clerk") == (["SC-1"], 1)
    assert listed("health_clerk") == (["WJ-1"], 1)
    assert listed("health_clerk", "business_key=SC-1") == ([], 0)
    assert listed("window_clerk") == (["ZW-1", "WJ-1", "SC-1"], 3)
    assert listed("supervisor") == listed("integrator") == listed("admin") == (["ZW-1", "WJ-1", "SC-1"], 3)
    # A clerk whose groups belong to no department reads only the cases they have a task in: none here
    assert listed("archive_clerk") == ([], 0)


def test_a_clerk_of_no_department_reads_just_the_cases_they_have_a_task_in(centre):
    api = centre
    case = api.start("simple_approval", variables={"reviewGroup": "archive"})
    base = f"/api/process-instances/{case['id']}"
    for path in ("", "/materials", "/history"):  # no task of theirs yet: no such case, for them
        assert api.as_("archive_clerk").get(base + path).status_code == 404, path
    complete_task(api, case["tasks"][0]["id"], user="window_clerk", accepted=True, amount=10)
    for path in ("", "/materials", "/history"):
        assert api.as_("archive_clerk").get(base + path).status_code == 200, path


def test_a_clerk_reads_a_case_they_have_a_task_in_even_outside_their_departments(centre):
    api = centre
    case = api.start("simple_approval", variables={"reviewGroup": "unmapped"})
    complete_task(api, case["tasks"][0]["id"], user="window_clerk", accepted=True, amount=10)
    base = f"/api/process-instances/{case['id']}"
    assert api.as_("health_clerk").get(base).status_code == 404
    both = clerk(api, "two_hats", "health", "unmapped")  # the task's group is theirs, though no department's
    assert both.get(base).status_code == 200
    assert [c["id"] for c in both.get("/api/process-instances").get_json()["items"]] == [case["id"]]


def test_migration_0018_copies_each_candidate_task_s_case_and_the_scope_reads_it(centre):
    """The scope finds a clerk's candidate cases from the candidates alone; 0018 filled in the case of
    the candidates written before it."""
    from engine import schema
    from tests.integration.test_one_lead_per_case import migrate_to

    api = centre
    first = api.start("simple_approval", variables={"reviewGroup": "archive"})
    complete_task(api, first["tasks"][0]["id"], user="window_clerk", accepted=True, amount=10)
    second = api.start("simple_approval", variables={"reviewGroup": "archive"})
    migrate_to(api.runtime, "0017")
    try:
        with api.runtime.engine.connect() as connection:
            assert "instance_id" not in list(connection.execute(text("SELECT * FROM task_candidates")).keys())
    finally:
        schema.upgrade(api.runtime.engine)
    with api.runtime.engine.connect() as connection:
        copied = connection.execute(text(
            "SELECT count(*) FROM task_candidates JOIN tasks ON tasks.id = task_candidates.task_id"
            " WHERE task_candidates.instance_id = tasks.instance_id")).scalar()
        assert copied == connection.execute(text("SELECT count(*) FROM task_candidates")).scalar() == 3
    complete_task(api, second["tasks"][0]["id"], user="window_clerk", accepted=True, amount=10)
    listed = api.as_("archive_clerk").get("/api/process-instances").get_json()["items"]
    assert sorted(c["id"] for c in listed) == sorted([first["id"], second["id"]])


def test_a_start_retried_with_a_case_number_the_clerk_may_not_read_is_a_conflict_without_the_case(centre):
    """Case numbers are easy to guess: a retried start answers with the case only to whoever may read it."""
    api = centre
    case = api.as_("integrator").post("/api/process-definitions/simple_approval/start", json={
        "business_key": "SX-2026-7", "variables": {"applicant_name": "张三", "reviewGroup": "office"}})
    assert case.status_code == 201
    body = {"business_key": "SX-2026-7", "variables": {"reviewGroup": "health"}}
    refused = api.as_("health_clerk").post("/api/process-definitions/simple_approval/start", json=body)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "conflict"
    assert "张三" not in refused.get_data(as_text=True) and str(case.get_json()["id"]) not in refused.get_data(
        as_text=True)
    again = api.as_("window_clerk").post("/api/process-definitions/simple_approval/start", json=body)
    assert again.status_code == 200 and again.get_json()["variables"]["applicant_name"] == "张三"


def test_a_task_assigned_or_claimed_across_departments_brings_that_department_into_the_case(centre):
    api = centre
    case = api.start("simple_approval", variables={"reviewGroup": "office"})
    base = f"/api/process-instances/{case['id']}"
    review = complete_task(api, case["tasks"][0]["id"], user="window_clerk", accepted=True, amount=10)["tasks"][0]
    clerk(api, "health_colleague", "health")
    assert api.as_("health_colleague").get(base).status_code == 404  # WJW does not take part yet

    assigned = api.as_("supervisor").post(f"/api/tasks/{review['id']}/assign", json={"assignee": "health_clerk"})
    assert assigned.status_code == 200, assigned.get_json()
    roles = [(d["department_code"], d["role"]) for d in api.get(f"{base}/departments").get_json()]
    assert roles == [("ZWFW", "lead"), ("SCJG", "participant"), ("WJW", "participant")]
    assert api.as_("health_colleague").get(base).status_code == 200  # the assignee's colleagues read it now

    other = api.start("simple_approval", variables={"reviewGroup": "office"})
    claimable = complete_task(api, other["tasks"][0]["id"], user="window_clerk", accepted=True, amount=10)["tasks"][0]
    put(api, "DAJ", 201, name="档案局", groups=["archive"])
    clerk(api, "seconded", "office", "archive")  # works the office's queue, belongs to 档案局 too
    claimed = api.as_("seconded").post(f"/api/tasks/{claimable['id']}/claim")
    assert claimed.status_code == 200, claimed.get_json()
    codes = [d["department_code"] for d in api.get(f"/api/process-instances/{other['id']}/departments").get_json()]
    assert codes == ["ZWFW", "SCJG", "DAJ"]


def test_a_material_is_read_by_every_department_of_the_case_and_its_bundle(api):
    """A bundle's member items run as call activities inside the one case: a material submitted once
    is read by the window (the called item) and by the office (the calling item) alike."""
    put(api, "ZWFW", 201, name="政务服务中心", groups=["window"])
    put(api, "SCJG", 201, name="市场监督管理局", groups=["office"])
    put(api, "WJW", 201, name="卫生健康委员会", groups=["health"])
    clerk(api, "health_clerk", "health")
    api.deploy("call_child_v1.bpmn", "call_parent.bpmn")
    case = api.start("permit_parent")
    base = f"/api/process-instances/{case['id']}"
    material = upload(api, "integrator", case["id"])
    assert [m["id"] for m in api.as_("window_clerk").get(f"{base}/materials").get_json()] == [material["id"]]
    assert api.as_("office_clerk").get(f"{base}/materials").status_code == 404  # not its turn yet
    for _ in range(2):  # 核查, 会签 in the called item
        task = api.as_("window_clerk").get(f"/api/tasks?process_instance_id={case['id']}").get_json()["items"][0]
        after = complete_task(api, task["id"], user="window_clerk")
    assert after["tasks"][0]["candidate_groups"] == ["office"]
    office = api.as_("office_clerk")
    assert [m["id"] for m in office.get(f"{base}/materials").get_json()] == [material["id"]]
    assert office.get(f"{base}/materials/{material['id']}").data == PDF
    assert office.get(f"{base}/archive").status_code == 200
    assert [(d["department_code"], d["role"]) for d in office.get(f"{base}/departments").get_json()] == [
        ("ZWFW", "lead"), ("SCJG", "participant")]
    assert api.as_("health_clerk").get(f"{base}/materials").status_code == 404


# ---- a department set up after its groups worked on cases -----------------------------------------

def departments_of(api, case_id: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(d["department_code"], d["role"]) for d in api.get(f"/api/process-instances/{case_id}/departments")
            .get_json()]


def test_a_group_given_to_a_department_brings_it_into_the_running_and_completed_cases_it_worked_on(api):
    api.deploy("simple_approval.bpmn")  # no department exists yet: the cases record none
    running = api.start("simple_approval", business_key="RUN-1", variables={"reviewGroup": "office"})
    done = api.start("simple_approval", business_key="DONE-1", variables={"reviewGroup": "office"})
    assert complete_task(api, done["tasks"][0]["id"], user="window_clerk", accepted=False)["state"] == "completed"
    untouched = api.start("simple_approval", business_key="HEALTH-1", variables={"reviewGroup": "health"})
    review = complete_task(api, untouched["tasks"][0]["id"], user="window_clerk", accepted=True, amount=1)
    put(api, "WJW", 201, name="卫生健康委员会", groups=["health"])  # the health review: WJW leads that case only
    assert departments_of(api, untouched["id"]) == [("WJW", "lead")]
    assert departments_of(api, running["id"]) == departments_of(api, done["id"]) == []

    zwfw = put(api, "ZWFW", 201, name="政务服务中心", groups=["window"])
    assert departments_of(api, running["id"]) == departments_of(api, done["id"]) == [("ZWFW", "lead")]
    assert departments_of(api, untouched["id"]) == [("WJW", "lead"), ("ZWFW", "participant")]
    since = api.get(f"/api/process-instances/{running['id']}/departments").get_json()[0]["since"]
    assert since >= zwfw["created_at"] > review["tasks"][0]["created_at"]  # joined now, not when the task began

    complete_task(api, running["tasks"][0]["id"], user="window_clerk", accepted=True, amount=1)  # to the office
    put(api, "SCJG", 201, name="市场监督管理局", groups=["office"])
    assert departments_of(api, running["id"]) == [("ZWFW", "lead"), ("SCJG", "participant")]
    assert departments_of(api, done["id"]) == [("ZWFW", "lead")]  # the office never had a task of it


def test_a_group_given_again_or_taken_away_changes_no_case_department(centre):
    api = centre
    case = api.start("simple_approval", variables={"reviewGroup": "licensing"})  # a group of no department
    complete_task(api, case["tasks"][0]["id"], user="window_clerk", accepted=True, amount=1)
    base = f"/api/process-instances/{case['id']}/departments"
    put(api, "SCJG", name="市场监督管理局", groups=["office", "licensing"])
    joined = api.get(base).get_json()
    assert [(d["department_code"], d["role"]) for d in joined] == [("ZWFW", "lead"), ("SCJG", "participant")]
    put(api, "SCJG", name="市场监督管理局", groups=["office", "licensing"])  # the same again: no second row
    assert api.get(base).get_json() == joined
    put(api, "SCJG", name="市场监督管理局", groups=["office"])  # the group leaves: SCJG took part all the same
    assert api.get(base).get_json() == joined
    put(api, "SCJG", name="市场监督管理局", groups=["office", "licensing"])  # and comes back: still one, as it was
    assert api.get(base).get_json() == joined


def test_a_department_joins_the_cases_its_new_groups_users_were_assigned(centre):
    api = centre
    assigned = api.start("simple_approval", variables={"reviewGroup": "office"})
    review = complete_task(api, assigned["tasks"][0]["id"], user="window_clerk", accepted=True, amount=1)["tasks"][0]
    other = api.start("simple_approval", variables={"reviewGroup": "office"})
    complete_task(api, other["tasks"][0]["id"], user="window_clerk", accepted=True, amount=1)
    clerk(api, "records_clerk", "archive_desk")  # a group of no department, not a candidate of any task
    response = api.as_("supervisor").post(f"/api/tasks/{review['id']}/assign", json={"assignee": "records_clerk"})
    assert response.status_code == 200, response.get_json()
    assert departments_of(api, assigned["id"]) == [("ZWFW", "lead"), ("SCJG", "participant")]

    put(api, "DAJ", 201, name="档案局", groups=["archive_desk"])
    assert departments_of(api, assigned["id"]) == [("ZWFW", "lead"), ("SCJG", "participant"), ("DAJ", "participant")]
    assert departments_of(api, other["id"]) == [("ZWFW", "lead"), ("SCJG", "participant")]


def test_a_clerk_of_the_department_reads_the_cases_its_new_group_worked_on(centre):
    api = centre
    case = api.start("simple_approval", variables={"reviewGroup": "licensing"})
    complete_task(api, case["tasks"][0]["id"], user="window_clerk", accepted=True, amount=1)
    base = f"/api/process-instances/{case['id']}"
    office = api.as_("office_clerk")  # SCJG's, through the office: never a candidate of this case
    assert office.get(base).status_code == 404
    assert office.get("/api/process-instances").get_json()["total"] == 0
    put(api, "SCJG", name="市场监督管理局", groups=["office", "licensing"])
    assert office.get(base).status_code == 200
    assert [c["id"] for c in office.get("/api/process-instances").get_json()["items"]] == [case["id"]]
    assert api.as_("health_clerk").get(base).status_code == 404


def waiting(api) -> int:  # type: ignore[no-untyped-def]
    """Sessions of this database waiting for a lock (a fresh transaction: the activity view is a snapshot)."""
    with api.runtime.engine.connect() as probe:
        return int(probe.scalar(text("SELECT count(*) FROM pg_stat_activity "
                                     "WHERE datname = current_database() AND wait_event_type = 'Lock'")) or 0)


def test_a_case_department_written_meanwhile_is_kept_and_the_change_goes_through(centre):
    """On PostgreSQL a concurrent command may insert the same case department while the change runs: the
    change waits for it, keeps the other's row and succeeds, never a 409 or a 500. (SQLite runs one writer
    at a time.)"""
    api = centre
    if api.runtime.engine.dialect.name != "postgresql":
        pytest.skip("needs concurrent writers")
    case = api.start("simple_approval", variables={"reviewGroup": "licensing"})
    complete_task(api, case["tasks"][0]["id"], user="window_clerk", accepted=True, amount=1)
    answers: list[int] = []
    with api.runtime.engine.connect() as other:
        other.execute(text("INSERT INTO case_departments (case_id, department_code, role, since) "
                           "VALUES (:case_id, 'SCJG', 'participant', now())"), {"case_id": case["id"]})
        change = threading.Thread(target=lambda: answers.append(api.client.put(
            "/api/departments/SCJG", json={"name": "市场监督管理局", "groups": ["office", "licensing"]},
            headers=api.headers()).status_code))
        change.start()
        for _ in range(200):  # until the change waits on the row written but not committed yet
            if waiting(api):
                break
            time.sleep(0.05)
        else:
            pytest.fail("the change never waited on the concurrent row")
        other.commit()
        change.join(timeout=30)
    assert answers == [200]
    assert departments_of(api, case["id"]) == [("ZWFW", "lead"), ("SCJG", "participant")]
    assert api.get("/api/departments/SCJG").get_json()["groups"] == ["licensing", "office"]


def test_an_analyst_alone_reads_no_case_and_with_another_role_reads_as_that_role(centre):
    """Analysts draw and deploy processes; case data (applicants' personal data) is not theirs to read."""
    api = centre
    case = api.start("simple_approval", business_key="SX-AN-1", variables={"reviewGroup": "office"})
    material = upload(api, "integrator", case["id"])
    base = f"/api/process-instances/{case['id']}"
    paths = ["/api/process-instances", "/api/process-instances?business_key=SX-AN-1", base, f"{base}/history",
             f"{base}/clock", f"{base}/departments", f"{base}/materials", f"{base}/materials/checklist",
             f"{base}/materials/{material['id']}", f"{base}/archive", f"{base}/documents", f"{base}/documents/1"]
    for path in paths:
        refused = api.as_("analyst").get(path)
        assert refused.status_code == 403, path
        assert refused.get_json()["error"]["code"] == "forbidden" and "SX-AN-1" not in refused.text, path
    # Refused before the case is looked up: a number that does not exist gets the same answer
    for path in ("", "/history", "/clock", "/departments"):
        assert api.as_("analyst").get(f"/api/process-instances/999999{path}").get_json() == \
            api.as_("analyst").get(f"{base}{path}").get_json(), path
    _, api.tokens["nobody"] = users.add_user(api.runtime.uow(), "nobody", groups=["window"], roles=[],
                                             actor=users.SYSTEM)
    assert api.as_("nobody").get(base).status_code == 403  # no role at all reads nothing either

    # With another role, as that role: a supervisor reads everything, a clerk what their department may
    _, api.tokens["lead_analyst"] = users.add_user(api.runtime.uow(), "lead_analyst", roles=["analyst", "supervisor"],
                                                   actor=users.SYSTEM)
    _, api.tokens["window_analyst"] = users.add_user(api.runtime.uow(), "window_analyst", groups=["window"],
                                                     roles=["analyst", "clerk"], actor=users.SYSTEM)
    _, api.tokens["health_analyst"] = users.add_user(api.runtime.uow(), "health_analyst", groups=["health"],
                                                     roles=["analyst", "clerk"], actor=users.SYSTEM)
    read = [p for p in paths if not p.endswith(("/clock", "/documents/1"))]  # no clock, no document here
    assert [api.as_("lead_analyst").get(p).status_code for p in read] == [200] * len(read)
    assert api.as_("lead_analyst").get(base).get_json()["variables"]["reviewGroup"] == "office"
    assert [api.as_("lead_analyst").get(p).status_code for p in paths] == \
        [api.as_("supervisor").get(p).status_code for p in paths]
    assert [api.as_("window_analyst").get(p).status_code for p in read] == [200] * len(read)
    assert api.as_("health_analyst").get(base).status_code == 404  # outside a scoped clerk's departments
    assert api.as_("health_analyst").get("/api/process-instances").get_json()["total"] == 0

    # What analysts work with stays open to them
    assert api.as_("analyst").get("/api/process-definitions").status_code == 200
    assert api.as_("analyst").get("/api/process-definitions/simple_approval/xml").status_code == 200


OPEN_TO_ALL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="open_to_all" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="anyone" />
    <bpmn:userTask id="anyone" name="any clerk" />
    <bpmn:sequenceFlow id="f2" sourceRef="anyone" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>
</bpmn:definitions>"""


def test_a_clerk_reads_the_case_of_an_open_task_nobody_was_named_for(api):
    analyst = api.as_("analyst")
    deployed = analyst.client.post("/api/deployments", data={"files": [(io.BytesIO(OPEN_TO_ALL), "open.bpmn")]},
                                   headers=analyst.headers(), content_type="multipart/form-data")
    assert deployed.status_code == 201, deployed.get_json()
    case = api.start("open_to_all")
    clerk = api.as_("archive_clerk")  # a clerk in no department, named nowhere in this case
    for path in ("", "/materials", "/history"):  # the task is theirs to work: so is reading its case
        assert clerk.get(f"/api/process-instances/{case['id']}{path}").status_code == 200, path
    assert complete_task(api, case["tasks"][0]["id"], user="window_clerk")["state"] == "completed"
    assert clerk.get(f"/api/process-instances/{case['id']}").status_code == 404  # worked by someone else


def test_a_group_moved_to_a_new_department_brings_it_into_the_cases_the_group_worked_on(centre):
    """机构改革: the office's review moves from 市场监督管理局 to a new 行政审批局 in one PUT; the new department
    takes part in the cases the office worked on, and the old one keeps the part it had."""
    api = centre
    case = api.start("simple_approval", variables={"reviewGroup": "office"})
    complete_task(api, case["tasks"][0]["id"], user="window_clerk", accepted=True, amount=10)
    refused = api.as_("admin").put("/api/departments/XZSP", json={"name": "行政审批局", "groups": ["office"]})
    assert refused.status_code == 409 and refused.get_json()["error"]["details"][0]["department"] == "SCJG"
    moved = put(api, "XZSP", 201, name="行政审批局", groups=["office"], move_groups=True)
    assert moved["groups"] == ["office"]
    assert api.get("/api/departments/SCJG").get_json()["groups"] == []
    roles = {d["department_code"]: d["role"]
             for d in api.get(f"/api/process-instances/{case['id']}/departments").get_json()}
    assert roles == {"ZWFW": "lead", "SCJG": "participant", "XZSP": "participant"}


# ---- deleting a department ----------------------------------------------------------------------

def delete(api, code: str, expect: int):  # type: ignore[no-untyped-def]
    response = api.client.delete(f"/api/departments/{code}", headers=api.headers())
    assert response.status_code == expect, response.get_json()
    return response


def refused_for(api, code: str) -> list[tuple[str, object]]:  # type: ignore[no-untyped-def]
    """The reasons a delete is refused, each with what it names; the department is still there."""
    error = delete(api, code, 409).get_json()["error"]
    assert error["code"] == "conflict" and code in error["message"]
    assert api.get(f"/api/departments/{code}").status_code == 200
    named = {"groups": "groups", "children": "departments", "cases": "count", "guides": "guides"}
    return [(d["field"], d[named[d["field"]]]) for d in error["details"]]


def deploy_guide(api, code: str, lead: str, *co: str) -> None:  # type: ignore[no-untyped-def]
    """simple_approval with an item's guide naming ``lead`` and the co-departments ``co``."""
    guide = {"code": code, "name": "简易审批事项", "type": "01", "case_type": "2", "level": "city",
             "process": "simple_approval", "department": {"code": lead, "name": "某局"},
             "co_departments": [{"code": c, "name": "某局"} for c in co],
             "legal_basis": ["《中华人民共和国行政许可法》"], "promised_days": 5, "statutory_days": 20, "calendar": "CN",
             "acceptance_conditions": ["申请人具备主体资格"],
             "materials": [{"name": "申请书", "form": "original", "copies": 1, "electronic": True, "key": True,
                            "departments": [lead], "sample": "申请书示范文本"}],
             "fees": [], "delivery_methods": ["window"], "excluded_periods": [],
             "channels": {"consultation": "12345", "complaint": "12345"}}
    analyst = api.as_("analyst")
    files = [(io.BytesIO((FIXTURES / "simple_approval.bpmn").read_bytes()), "simple_approval.bpmn"),
             (io.BytesIO(json.dumps(guide, ensure_ascii=False).encode()), f"{code}/guide.json")]
    response = analyst.client.post("/api/deployments", data={"files": files}, headers=analyst.headers(),
                                   content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()


def test_an_admin_deletes_a_department_set_up_by_mistake(api):
    put(api, "SCGJ", 201, name="市场监督管理局")  # a typo for SCJG
    put(api, "SCJG", 201, name="市场监督管理局", groups=["office"])
    assert delete(api.as_("office_clerk"), "SCGJ", 403).get_json()["error"]["code"] == "forbidden"
    assert delete(api.as_("supervisor"), "SCGJ", 403).get_json()["error"]["code"] == "forbidden"
    gone = delete(api, "SCGJ", 204)
    assert gone.data == b""
    assert api.get("/api/departments/SCGJ").status_code == 404
    assert [d["code"] for d in api.get("/api/departments").get_json()] == ["SCJG"]
    assert delete(api, "SCGJ", 404).get_json()["error"]["code"] == "not_found"
    assert delete(api, "NOPE", 404).get_json()["error"]["message"] == "department 'NOPE' not found"
    assert api.client.delete("/api/departments/SCJG").status_code == 401


def test_a_department_still_referred_to_is_kept_with_each_reason(centre):
    api = centre
    assert refused_for(api, "ZWFW") == [("groups", ["window"])]
    assert api.get("/api/departments/ZWFW").get_json()["groups"] == ["window"]  # nothing cascaded away

    put(api, "SCJG-SPK", 201, name="审批科", parent_code="SCJG")
    put(api, "SCJG-ZFK", 201, name="执法科", parent_code="SCJG")
    put(api, "SCJG", name="市场监督管理局", groups=[])
    assert refused_for(api, "SCJG") == [("children", ["SCJG-SPK", "SCJG-ZFK"])]

    case = api.start("simple_approval", variables={"reviewGroup": "office"})  # the window's: ZWFW leads
    put(api, "XZFW", 201, name="行政服务中心", groups=["window"], move_groups=True)  # a reorganisation
    error = delete(api, "ZWFW", 409).get_json()["error"]
    assert error["details"] == [{"field": "cases", "count": 1, "lead": 1, "message": "it took part in 1 case(s), "
                                 "1 as lead: their history and supervision statistics name it"}]
    assert departments_of(api, case["id"]) == [("ZWFW", "lead"), ("XZFW", "participant")]

    put(api, "FGW", 201, name="发展和改革委员会")
    put(api, "ZRZY", 201, name="自然资源和规划局")
    deploy_guide(api, "FGW-XK-0001", "FGW", "ZRZY")
    assert refused_for(api, "FGW") == refused_for(api, "ZRZY") == [("guides", ["FGW-XK-0001"])]

    put(api, "ZWFW-1", 201, name="一窗", parent_code="ZWFW", groups=["window_1"])  # every reason at once
    deploy_guide(api, "ZWFW-XK-0001", "ZWFW")
    put(api, "ZWFW", name="政务服务中心", groups=["zwfw_desk"])
    assert refused_for(api, "ZWFW") == [("groups", ["zwfw_desk"]), ("children", ["ZWFW-1"]), ("cases", 1),
                                        ("guides", ["ZWFW-XK-0001"])]


def test_deleting_a_department_is_documented_with_its_answers(api):
    operation = api.client.get("/api/openapi.json").get_json()["paths"]["/api/departments/{code}"]["delete"]
    assert {"204", "401", "403", "404", "409"} <= set(operation["responses"])
    assert "groups" in operation["responses"]["409"]["description"]
    assert "requestBody" not in operation
