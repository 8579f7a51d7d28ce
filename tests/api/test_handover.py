"""A clerk hands the task they hold to a colleague (转办): who may, to whom, racing other commands, and the
task page's 转交 form."""
from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import event

from engine import Runtime, tasks, users
from engine.errors import Forbidden
from engine.users import Actor
from tests.api.test_pages import PASSWORD, Browser
from tests.rival import Rival


def _routed(api, **variables: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """One case of routed_task.bpmn: its one task takes group, users and assignee from the variables."""
    body = {"group": None, "users": None, "assignee": None, "due": None, "priority": None, **variables}
    [task] = api.start("routed_task", variables=body)["tasks"]
    return task


def _assign(api, user: str, task: dict[str, Any], assignee: str | None) -> Any:  # type: ignore[no-untyped-def]
    return api.as_(user).post(f"/api/tasks/{task['id']}/assign", json={"assignee": assignee})


def _assigned(api, task: dict[str, Any]) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    events = api.as_("supervisor").get(f"/api/process-instances/{task['process_instance_id']}/history").get_json()
    return [e for e in events if e.get("task_id") == task["id"] and e["event"] == "task.assigned"]


def _holder(api, task: dict[str, Any]) -> str | None:  # type: ignore[no-untyped-def]
    return api.as_("supervisor").get(f"/api/tasks/{task['id']}").get_json()["assignee"]


def _clerk(name: str, *groups: str) -> Actor:
    return Actor(name, frozenset(groups), frozenset({"clerk"}))


@pytest.fixture
def routed(api):  # type: ignore[no-untyped-def]
    api.deploy("routed_task.bpmn")
    for name in ("admin", "window_clerk", "window_clerk2", "office_clerk", "supervisor", "analyst", "integrator"):
        api.token(name)  # the cast exists before any task names them
    return api


@pytest.fixture
def held(routed):  # type: ignore[no-untyped-def]
    """A window task window_clerk has claimed."""
    task = _routed(routed, group="window")
    assert routed.as_("window_clerk").post(f"/api/tasks/{task['id']}/claim").status_code == 200
    return routed, task


# ---- who may hand a task over, and to whom --------------------------------------------------------

def test_the_clerk_holding_a_task_hands_it_to_a_colleague_of_its_group(held):
    api, task = held
    handed = _assign(api, "window_clerk", task, "window_clerk2")
    assert handed.status_code == 200, handed.get_json()
    assert handed.get_json()["assignee"] == "window_clerk2"
    [logged] = _assigned(api, task)
    assert logged["actor"] == "window_clerk"
    assert (logged["data"]["assignee"], logged["data"]["previous"]) == ("window_clerk2", "window_clerk")
    # The colleague works it from now on; the former holder no longer may.
    assert api.as_("window_clerk").post(f"/api/tasks/{task['id']}/complete", json={"variables": {}}).status_code == 409
    done = api.as_("window_clerk2").post(f"/api/tasks/{task['id']}/complete", json={"variables": {}})
    assert done.status_code == 200, done.get_json()


@pytest.mark.parametrize(("variables", "holder", "colleague"), [
    ({"users": ["window_clerk2", "office_clerk"]}, "window_clerk2", "office_clerk"),  # a named candidate user
    ({}, "window_clerk", "office_clerk"),  # a task naming nobody is every clerk's
])
def test_a_holder_hands_a_task_to_any_of_its_candidates(routed, variables, holder, colleague):
    task = _routed(routed, **variables)
    assert routed.as_(holder).post(f"/api/tasks/{task['id']}/claim").status_code == 200
    handed = _assign(routed, holder, task, colleague)
    assert handed.status_code == 200, handed.get_json()
    assert _holder(routed, task) == colleague


def test_a_holder_may_not_hand_a_task_to_someone_who_may_not_work_it(held):
    """Not a candidate, a leaver, a user without the clerk role, nobody or themselves: refused by name, and the
    task stays theirs. Giving it back to the queue is unclaim's job."""
    api, task = held
    users.add_user(api.runtime.uow(), "leaver", groups=["window"], roles=["clerk"], actor=users.SYSTEM)
    users.set_active(api.runtime.uow(), "leaver", False, actor=users.SYSTEM)
    users.add_user(api.runtime.uow(), "designer", groups=["window"], roles=["analyst"], actor=users.SYSTEM)
    for assignee, says in (("office_clerk", "not a candidate"), ("leaver", "deactivated"),
                           ("designer", "needs role clerk"), (None, "unclaim"), ("window_clerk", "unclaim")):
        refused = _assign(api, "window_clerk", task, assignee)
        assert refused.status_code == 422, (assignee, refused.get_json())
        error = refused.get_json()["error"]
        assert says in error["message"] and error["details"][0]["field"] == "assignee", (assignee, error)
    unknown = _assign(api, "window_clerk", task, "nobody")
    assert unknown.status_code == 422 and "'nobody'" in unknown.get_json()["error"]["message"]
    assert unknown.get_json()["error"]["details"][0]["field"] == "assignee"
    assert _holder(api, task) == "window_clerk" and _assigned(api, task) == []


def test_only_the_holder_or_a_supervisor_may_assign(held):
    api, task = held
    for user, status in (("window_clerk2", 403), ("analyst", 403), ("integrator", 403), ("office_clerk", 404)):
        assert _assign(api, user, task, "window_clerk2").status_code == status, user
    unheld = _routed(api, group="window")  # a candidate who has not claimed it holds nothing to hand over
    assert _assign(api, "window_clerk", unheld, "window_clerk2").status_code == 403
    # Supervisors keep giving a task to anyone with the role, a candidate or not.
    by_supervisor = _assign(api, "supervisor", task, "office_clerk")
    assert by_supervisor.status_code == 200 and by_supervisor.get_json()["assignee"] == "office_clerk"
    assert _assign(api, "window_clerk", task, "window_clerk2").status_code == 403  # no longer theirs


def test_a_note_goes_to_history_and_a_long_one_is_refused(held):
    from engine.errors import ValidationFailed

    api, task = held
    window_clerk = _clerk("window_clerk", "window")
    with pytest.raises(ValidationFailed, match="at most 500"):
        tasks.assign(api.runtime.uow(), task["id"], actor=window_clerk, assignee="window_clerk2", note="长" * 501)
    tasks.assign(api.runtime.uow(), task["id"], actor=window_clerk, assignee="window_clerk2", note="  休假，交同事办理 ")
    [logged] = _assigned(api, task)
    assert logged["data"]["note"] == "休假，交同事办理"


def test_who_may_take_a_task_is_read_in_one_query_its_active_candidates_but_its_holder(held):
    api, task = held
    users.add_user(api.runtime.uow(), "leaver", groups=["window"], roles=["clerk"], actor=users.SYSTEM)
    users.set_active(api.runtime.uow(), "leaver", False, actor=users.SYSTEM)
    users.add_user(api.runtime.uow(), "designer", groups=["window"], roles=["analyst"], actor=users.SYSTEM)
    users.add_user(api.runtime.uow(), "li", groups=["window"], roles=["clerk"], display_name="李四", actor=users.SYSTEM)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(api.runtime.engine, "after_cursor_execute", count)
    try:
        taking = tasks.colleagues(api.runtime.uow(), task["id"], actor=_clerk("window_clerk", "window"))
    finally:
        event.remove(api.runtime.engine, "after_cursor_execute", count)
    # office_clerk, leaver, designer and the holder may not work it; admin may (engine.tasks.may_work) but is
    # no window colleague of a clerk's: only a supervisor assigns to them
    assert [(c.name, c.display_name) for c in taking] == [("li", "李四"), ("window_clerk2", None)]
    assert len([s for s in statements if "FROM users" in s]) == 1  # one query, not one per user
    assert [c.name for c in tasks.colleagues(api.runtime.uow(), task["id"], actor=Actor(
        "supervisor", roles=frozenset({"supervisor"})))] == ["admin", "li", "window_clerk2"]
    with pytest.raises(Forbidden):
        tasks.colleagues(api.runtime.uow(), task["id"], actor=_clerk("window_clerk2", "window"))


# ---- racing other commands ------------------------------------------------------------------------

def _meanwhile(monkeypatch: Any, rival: Any) -> None:
    """Run ``rival`` (committed on its own connection) once the assignment has read the task and the user,
    right before it takes the case's lock and writes."""
    queue = tasks._queue_behind_case_commands

    def then_queue(uow: Any, instance_id: int) -> None:
        monkeypatch.setattr(tasks, "_queue_behind_case_commands", queue)
        rival()
        queue(uow, instance_id)

    monkeypatch.setattr(tasks, "_queue_behind_case_commands", then_queue)


def test_a_handover_racing_the_holders_completion_is_refused(held, monkeypatch):
    api, task = held
    holder = _clerk("window_clerk", "window")
    _meanwhile(monkeypatch, lambda: tasks.complete(api.runtime.uow(), task["id"], actor=holder))
    refused = _assign(api, "window_clerk", task, "window_clerk2")
    assert refused.status_code == 409, refused.get_json()
    done = api.as_("supervisor").get(f"/api/tasks/{task['id']}").get_json()
    assert (done["state"], done["assignee"]) == ("COMPLETED", "window_clerk") and _assigned(api, task) == []


@pytest.mark.parametrize("first", ["supervisor", "window_clerk"])
def test_of_two_assignments_racing_one_wins_and_the_other_is_refused(held, monkeypatch, first):
    """Each read the task held by window_clerk; the one writing second finds it changed hands."""
    api, task = held
    winner = Actor(first, frozenset({"window"}), frozenset({"supervisor" if first == "supervisor" else "clerk"}))
    _meanwhile(monkeypatch, lambda: tasks.assign(api.runtime.uow(), task["id"], actor=winner, assignee="window_clerk2"))
    refused = _assign(api, "supervisor", task, "office_clerk")
    assert refused.status_code == 409, refused.get_json()
    [logged] = _assigned(api, task)
    assert _holder(api, task) == "window_clerk2" and logged["actor"] == first


def test_a_colleague_deactivated_before_the_handover_reads_them_is_refused(held, monkeypatch):
    api, task = held
    users.add_user(api.runtime.uow(), "li", groups=["window"], roles=["clerk"], actor=users.SYSTEM)
    rights = tasks.may_assign

    def deactivated_meanwhile(actor: Actor, task_row: Any) -> bool:
        users.set_active(api.runtime.uow(), "li", False, actor=users.SYSTEM)
        return rights(actor, task_row)

    monkeypatch.setattr(tasks, "may_assign", deactivated_meanwhile)
    refused = _assign(api, "window_clerk", task, "li")
    assert refused.status_code == 422 and "deactivated" in refused.get_json()["error"]["message"]
    assert _holder(api, task) == "window_clerk"


def test_a_deactivation_under_way_waits_for_the_handover_then_releases_the_task(held):
    """On PostgreSQL: the handover holds the colleague's row (for share) when their deactivation starts; the
    deactivation waits for it to commit, then gives the task back to its queue, as for any task they held."""
    api, task = held
    if api.runtime.engine.dialect.name != "postgresql":
        pytest.skip("a race between two connections: PostgreSQL only")
    users.add_user(api.runtime.uow(), "li", groups=["window"], roles=["clerk"], actor=users.SYSTEM)
    with Rival(api.runtime, lambda s: "FROM users" in s and "FOR SHARE" in s,
               lambda: users.set_active(api.runtime.uow(), "li", False, actor=users.SYSTEM)) as rival:
        handed = _assign(api, "window_clerk", task, "li")
    assert handed.status_code == 200, handed.get_json()
    assert [t.id for t in rival.outcome.tasks] == [task["id"]] and _holder(api, task) is None


# ---- the task page's 转交 form ---------------------------------------------------------------------

@pytest.fixture
def desk(runtime: Runtime, app: Any, routed) -> tuple[Browser, str]:  # type: ignore[no-untyped-def]
    """wang, logged in to the pages, holds a window task; li and zhao are window colleagues, zhou is in the
    office."""
    for name, groups, shown in (("wang", ["window"], "王五"), ("li", ["window"], "李四"), ("zhao", ["window"], None),
                                ("zhou", ["office"], None)):
        users.add_user(runtime.uow(), name, groups=groups, roles=["clerk"], display_name=shown, actor=users.SYSTEM)
    users.set_password(runtime.uow(), "wang", PASSWORD, actor=users.SYSTEM)
    task = _routed(routed, group="window")
    tasks.claim(runtime.uow(), task["id"], actor=_clerk("wang", "window"))
    browser = Browser(app.test_client())
    assert browser.log_in("wang").status_code == 302
    return browser, task["id"]


def _offered(page: str) -> list[str]:
    form = re.search(r'<form[^>]*id="handover-form".*?</form>', page, re.DOTALL)
    assert form, "no handover form"
    return re.findall(r'<option value="([^"]+)"', form.group(0))


def test_the_holder_s_task_page_offers_the_colleagues_who_may_take_it(desk):
    browser, task_id = desk
    page = browser.get(f"/tasks/{task_id}").text
    assert _offered(page) == ["li", "window_clerk", "window_clerk2", "zhao"]  # no admin: no window colleague
    assert "李四 (li)" in page and "转交" in page and 'name="note"' in page


def test_the_page_hands_the_task_over_with_a_note_and_goes_back_to_the_queue(desk, runtime):
    from engine import instances
    from engine.users import SYSTEM

    browser, task_id = desk
    response = browser.post(f"/tasks/{task_id}/handover", {"assignee": "li", "note": "本人休假，请李四接办"},
                            token_from=f"/tasks/{task_id}")
    assert response.status_code == 302 and response.headers["Location"] == "/queue"
    assert "已转交 li：办理" in browser.get("/queue").text
    task = tasks.get_task(runtime.uow(), task_id, actor=SYSTEM)
    [logged] = [e for e in instances.history(runtime.uow(), task.instance_id, actor=SYSTEM)
                if e.event == "task.assigned"]
    assert logged.actor == "wang"
    assert logged.data == {"assignee": "li", "previous": "wang", "note": "本人休假，请李四接办"}
    assert task.assignee == "li"
    page = browser.get(f"/tasks/{task_id}").text  # still one of wang's group's tasks, no longer theirs
    assert "该任务由 li 办理。" in page and 'id="handover-form"' not in page


def test_a_colleague_who_left_since_the_page_was_shown_is_refused_on_the_task_page(desk, runtime):
    browser, task_id = desk
    token = browser.csrf(f"/tasks/{task_id}")
    users.set_active(runtime.uow(), "li", False, actor=users.SYSTEM)
    response = browser.client.post(f"/tasks/{task_id}/handover", data={"assignee": "li", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == f"/tasks/{task_id}"
    page = browser.get(f"/tasks/{task_id}").text
    assert "未能转交：li 不能办理此任务" in page and "li" not in _offered(page)
    empty = browser.post(f"/tasks/{task_id}/handover", {"assignee": ""}, token_from=f"/tasks/{task_id}")
    assert empty.headers["Location"] == f"/tasks/{task_id}"
    assert "请选择转交给哪位同事。" in browser.get(f"/tasks/{task_id}").text
    assert tasks.get_task(runtime.uow(), task_id, actor=_clerk("wang", "window")).assignee == "wang"


def test_only_the_holder_and_supervisors_see_the_form(desk, runtime, app):
    _, task_id = desk
    users.set_password(runtime.uow(), "zhao", PASSWORD, actor=users.SYSTEM)
    colleague = Browser(app.test_client())
    assert colleague.log_in("zhao").status_code == 302
    page = colleague.get(f"/tasks/{task_id}").text
    assert "该任务由 wang 办理。" in page and 'id="handover-form"' not in page
    users.add_user(runtime.uow(), "boss", roles=["supervisor"], actor=users.SYSTEM)
    users.set_password(runtime.uow(), "boss", PASSWORD, actor=users.SYSTEM)
    supervisor = Browser(app.test_client())
    assert supervisor.log_in("boss").status_code == 302
    assert "wang" not in _offered(supervisor.get(f"/tasks/{task_id}").text)  # the holder left out


def test_the_form_is_in_english_for_english_readers(desk):
    browser, task_id = desk
    page = browser.get(f"/tasks/{task_id}", headers={"Accept-Language": "en"}).text
    assert "Hand over to" in page and ">Hand over</button>" in page and "Note (optional)" in page
