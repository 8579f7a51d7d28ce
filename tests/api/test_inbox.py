"""The inbox: queue filters, sorting and paging, who sees what, assign and unclaim."""
from __future__ import annotations

import pytest

# One open task per case of routed_task.bpmn, its attributes taken from the start variables.
CASES = {
    "A": {"group": "window", "users": None, "assignee": None, "due": "2030-01-01T00:00:00+00:00", "priority": 10},
    "B": {"group": "window", "users": None, "assignee": "window_clerk", "due": "2029-06-01T00:00:00+00:00",
          "priority": 90},
    "C": {"group": "office", "users": None, "assignee": None, "due": None, "priority": 50},
    "D": {"group": None, "users": ["window_clerk2"], "assignee": None, "due": "2029-01-01T00:00:00+00:00",
          "priority": 30},
    "E": {"group": "window", "users": None, "assignee": "window_clerk2", "due": "2031-01-01T00:00:00+00:00",
          "priority": 70},
}


@pytest.fixture
def inbox(api) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Task id per case letter; plus one simple_approval task (window) that process_key filters out."""
    api.deploy("routed_task.bpmn", "simple_approval.bpmn")
    ids = {letter: api.start("routed_task", business_key=f"INBOX-{letter}", variables=variables)["tasks"][0]["id"]
           for letter, variables in CASES.items()}
    ids["other"] = api.start("simple_approval", variables={"reviewGroup": "office"})["tasks"][0]["id"]
    return ids


def _letters(api, user: str, query: str, inbox: dict[str, str]) -> list[str]:  # type: ignore[no-untyped-def]
    response = api.as_(user).get(f"/api/tasks?{query}")
    assert response.status_code == 200, response.get_json()
    by_id = {task_id: letter for letter, task_id in inbox.items()}
    return [by_id[task["id"]] for task in response.get_json()["items"]]


@pytest.mark.parametrize(("query", "expected"), [
    ("process_key=routed_task&candidate_group=window&sort=created", ["A", "B", "E"]),
    ("candidate_user=window_clerk2", ["D"]),
    ("assignee=window_clerk", ["B"]),
    ("process_key=routed_task&unassigned=true&sort=created", ["A", "C", "D"]),
    ("business_key=INBOX-C", ["C"]),
    ("process_key=routed_task&due_before=2029-12-31T00:00:00Z", ["D", "B"]),
    # a date alone is the start of that day in the service's time zone (+08:00): B is due 08:00 on 06-01
    ("process_key=routed_task&due_before=2029-06-02", ["D", "B"]),
    ("process_key=routed_task&due_before=2029-06-01", ["D"]),
    ("process_key=routed_task&sort=due", ["D", "B", "A", "E", "C"]),
    ("process_key=routed_task&sort=priority", ["B", "E", "C", "D", "A"]),
    ("process_key=routed_task&sort=created", ["A", "B", "C", "D", "E"]),
    ("process_key=routed_task&sort=-created", ["E", "D", "C", "B", "A"]),
])
def test_queue_filters_and_sorts_for_a_supervisor(api, inbox, query, expected):
    assert _letters(api, "supervisor", query, inbox) == expected


def test_a_date_that_does_not_exist_is_refused_by_name(api):
    refused = api.as_("supervisor").get("/api/tasks?due_before=2029-02-30")
    assert refused.status_code == 422
    assert "2029-02-30 is not a date" in str(refused.get_json()["error"]["details"])


def test_limit_and_offset_page_through_with_the_total(api, inbox):
    page = api.as_("supervisor").get("/api/tasks?process_key=routed_task&sort=due&limit=2&offset=1").get_json()
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 1)
    assert [t["business_key"] for t in page["items"]] == ["INBOX-B", "INBOX-A"]
    assert api.as_("supervisor").get("/api/tasks").get_json()["total"] == 6


@pytest.mark.parametrize(("user", "expected"), [
    ("window_clerk", ["B", "A"]),
    ("window_clerk2", ["D", "A", "E"]),
    ("office_clerk", ["C"]),
])
def test_mine_is_assigned_to_me_or_claimable_by_my_groups(api, inbox, user, expected):
    assert _letters(api, user, "mine=true&process_key=routed_task", inbox) == expected


def test_a_clerk_never_sees_another_groups_tasks(api, inbox):
    assert _letters(api, "office_clerk", "process_key=routed_task", inbox) == ["C"]
    assert _letters(api, "office_clerk", "candidate_group=window", inbox) == []
    assert set(_letters(api, "window_clerk", "", inbox)) == {"A", "B", "E", "other"}
    hidden = api.as_("window_clerk").get(f"/api/tasks/{inbox['C']}")
    assert hidden.status_code == 404 and hidden.get_json()["error"]["code"] == "not_found"
    assert api.as_("office_clerk").post(f"/api/tasks/{inbox['A']}/claim").status_code == 404
    assert api.as_("integrator").get("/api/tasks").get_json()["total"] == 0


def test_a_supervisor_sees_every_task_and_reads_any(api, inbox):
    assert set(_letters(api, "supervisor", "", inbox)) == set(inbox)
    task = api.as_("supervisor").get(f"/api/tasks/{inbox['C']}").get_json()
    assert (task["business_key"], task["candidate_groups"], task["priority"]) == ("INBOX-C", ["office"], 50)
    assert {"id", "name", "bpmn_id", "process_instance_id", "business_key", "candidate_groups", "assignee",
            "due_at", "priority", "form_key", "state"} <= set(task)


def test_a_supervisor_assigns_a_task_and_the_assignee_may_then_complete_it(api, inbox):
    api.token("office_clerk")  # the cast is created on first use; assign needs an existing user
    assigned = api.as_("supervisor").post(f"/api/tasks/{inbox['A']}/assign", json={"assignee": "office_clerk"})
    assert assigned.status_code == 200 and assigned.get_json()["assignee"] == "office_clerk"
    assert _letters(api, "office_clerk", "mine=true", inbox) == ["A", "C"]
    assert api.as_("window_clerk").post(f"/api/tasks/{inbox['A']}/claim").status_code == 409
    done = api.as_("office_clerk").post(f"/api/tasks/{inbox['A']}/complete", json={"variables": {}})
    assert done.status_code == 200 and done.get_json()["state"] == "completed"
    events = [e["event"] for e in api.get(f"/api/process-instances/{done.get_json()['id']}/history").get_json()]
    assert "task.assigned" in events


def test_assigning_needs_a_supervisor_and_a_known_user(api, inbox):
    refused = api.as_("window_clerk").post(f"/api/tasks/{inbox['A']}/assign", json={"assignee": "window_clerk"})
    assert refused.status_code == 403
    unknown = api.as_("supervisor").post(f"/api/tasks/{inbox['A']}/assign", json={"assignee": "nobody"})
    assert unknown.status_code == 422 and "'nobody'" in unknown.get_json()["error"]["message"]
    cleared = api.as_("supervisor").post(f"/api/tasks/{inbox['B']}/assign", json={"assignee": None})
    assert cleared.status_code == 200 and cleared.get_json()["assignee"] is None


def test_a_task_is_assigned_only_to_someone_who_can_work_it(api, inbox):
    """Given to a leaver or to an analyst, the task would leave its queue and nobody could complete it."""
    from engine import users

    users.add_user(api.runtime.uow(), "designer", groups=[], roles=["analyst"], actor=users.SYSTEM)
    users.add_user(api.runtime.uow(), "leaver", groups=["window"], roles=["clerk"], actor=users.SYSTEM)
    users.set_active(api.runtime.uow(), "leaver", False, actor=users.SYSTEM)
    for assignee, says in (("designer", "needs role clerk"), ("leaver", "deactivated")):
        refused = api.as_("supervisor").post(f"/api/tasks/{inbox['A']}/assign", json={"assignee": assignee})
        assert refused.status_code == 422 and says in refused.get_json()["error"]["message"], assignee
        assert refused.get_json()["error"]["details"][0]["field"] == "assignee"
    assert api.as_("supervisor").get(f"/api/tasks/{inbox['A']}").get_json()["assignee"] is None


def test_only_the_claimer_or_a_supervisor_may_unclaim(api, inbox):
    clerk, colleague = api.as_("window_clerk"), api.as_("window_clerk2")
    assert clerk.post(f"/api/tasks/{inbox['A']}/claim").get_json()["assignee"] == "window_clerk"
    refused = colleague.post(f"/api/tasks/{inbox['A']}/unclaim")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    released = clerk.post(f"/api/tasks/{inbox['A']}/unclaim")
    assert released.status_code == 200 and released.get_json()["assignee"] is None
    assert colleague.post(f"/api/tasks/{inbox['A']}/claim").get_json()["assignee"] == "window_clerk2"
    by_supervisor = api.as_("supervisor").post(f"/api/tasks/{inbox['A']}/unclaim")
    assert by_supervisor.status_code == 200 and by_supervisor.get_json()["assignee"] is None


def test_a_finished_task_cannot_be_unclaimed(api, inbox):
    clerk = api.as_("window_clerk")
    assert clerk.post(f"/api/tasks/{inbox['B']}/complete", json={"variables": {}}).status_code == 200
    gone = clerk.post(f"/api/tasks/{inbox['B']}/unclaim")
    assert gone.status_code == 409 and gone.get_json()["error"]["state"] == "COMPLETED"


def test_bad_queue_parameters_are_refused_by_name(api, inbox):
    response = api.as_("supervisor").get("/api/tasks?sort=fastest&limit=0")
    assert response.status_code == 422
    assert {d["field"] for d in response.get_json()["error"]["details"]} == {"sort", "limit"}


def test_queues_agree_with_who_may_work_a_task_named_to_a_group_a_user_or_nobody(api, tmp_path):
    """The queue queries decide in SQL what engine.tasks.may_work decides per task: a group's task, a task
    named to one user, and a task naming nobody (every clerk's)."""
    from engine import inbox as inboxes
    from engine import users
    from engine.users import Actor
    from tests.api.test_corpus_fixes import write

    api.deploy(write(tmp_path, "three.bpmn", """
<bpmn:process id="three" isExecutable="true">
  <bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>
  <bpmn:userTask id="grouped" camunda:candidateGroups="window"/>
  <bpmn:userTask id="named" camunda:candidateUsers="li"/>
  <bpmn:userTask id="anyone"/>
  <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="fork"/>
  <bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="grouped"/>
  <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="named"/>
  <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="anyone"/>
</bpmn:process>"""))
    api.start("three")
    clerks = {"wang": ("window",), "li": ("office",), "zhao": ()}
    for name, groups in clerks.items():
        api.tokens[name] = users.add_user(api.runtime.uow(), name, groups=list(groups), roles=["clerk"],
                                          actor=users.SYSTEM)[1]
    expected = {"wang": {"grouped", "anyone"}, "li": {"named", "anyone"}, "zhao": {"anyone"}}
    for name, groups in clerks.items():
        listed = {t["bpmn_id"] for t in api.as_(name).get("/api/tasks").get_json()["items"]}
        assert listed == expected[name], name
        actor = Actor(name, frozenset(groups), frozenset({"clerk"}))
        offered = inboxes.inbox(api.runtime.uow(), actor=actor, query=inboxes.InboxQuery(queue="offered"))
        assert {row.task.bpmn_id for row in offered.rows} == expected[name] - {"grouped"}, name
        # mine: assigned to me or mine to claim, the task every clerk may claim included
        mine = {t["bpmn_id"] for t in api.as_(name).get("/api/tasks?mine=true").get_json()["items"]}
        assert mine == expected[name], name


def test_an_ended_task_naming_nobody_is_no_longer_every_clerk_s(api, tmp_path):
    """Open, a task naming nobody is every clerk's, and so is its case; once the case ended (or while it is
    held) the task is its completer's and supervision's, as its case is."""
    from tests.api.test_corpus_fixes import write

    api.deploy(write(tmp_path, "anyone.bpmn", """
<bpmn:process id="anyone_task" isExecutable="true">
  <bpmn:startEvent id="s"/><bpmn:userTask id="anyone"/><bpmn:endEvent id="e"/>
  <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="anyone"/><bpmn:sequenceFlow id="f1" sourceRef="anyone" targetRef="e"/>
</bpmn:process>"""))
    ended, held = api.start("anyone_task"), api.start("anyone_task")
    clerk = api.as_("window_clerk")
    for case in (ended, held):
        assert clerk.get(f"/api/tasks/{case['tasks'][0]['id']}").status_code == 200
    supervisor = api.as_("supervisor")
    assert supervisor.post(f"/api/process-instances/{ended['id']}/terminate", json={"reason": "撤件"}).status_code == 200
    assert supervisor.post(f"/api/process-instances/{held['id']}/suspend", json={"reason": "核查"}).status_code == 200
    for case in (ended, held):
        assert clerk.get(f"/api/tasks/{case['tasks'][0]['id']}").status_code == 404
        assert clerk.get(f"/api/process-instances/{case['id']}").status_code == 404
    assert clerk.get("/api/tasks?state=all").get_json()["total"] == 0
    assert supervisor.get(f"/api/tasks/{ended['tasks'][0]['id']}").status_code == 200


def test_pages_of_tasks_with_equal_sort_keys_hold_each_task_once(api, tmp_path):
    """Parallel steps share due dates, priorities and creation times: each sort ends on the task id."""
    from tests.api.test_corpus_fixes import write

    branches = "".join(f'<bpmn:userTask id="t{i}" camunda:candidateGroups="window"/>'
                       f'<bpmn:sequenceFlow id="f{i}" sourceRef="fork" targetRef="t{i}"/>' for i in range(30))
    api.deploy(write(tmp_path, "wide.bpmn", f"""
<bpmn:process id="wide" isExecutable="true">
  <bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="fork"/>
  {branches}
</bpmn:process>"""))
    api.start("wide")
    api.start("wide")
    for sort in ("due", "-due", "priority", "created", "-created"):
        seen = [t["id"] for offset in range(0, 60, 7) for t in api.as_("window_clerk").get(
            f"/api/tasks?sort={sort}&limit=7&offset={offset}").get_json()["items"]]
        assert len(seen) == len(set(seen)) == 60, sort


def test_the_inbox_counts_all_its_queues_in_one_statement_however_many_groups(api):
    from engine import inbox as inboxes
    from engine.users import Actor
    from tests.helpers import statements

    def counted(*groups: str) -> tuple[int, list[str]]:
        actor = Actor("wang", frozenset(groups), frozenset({"clerk"}))
        with statements(api.runtime) as seen:
            page = inboxes.inbox(api.runtime.uow(), actor=actor, query=inboxes.InboxQuery())
        assert {q.key for q in page.queues} >= {"all", "mine", *(f"group:{g}" for g in groups)}
        return len(seen), [s for s in seen if "count(" in s.lower()]

    one, three = counted("window"), counted("window", "office", "review")
    assert one[0] == three[0] and len(three[1]) == 2  # the queues' counts, and the page's total
