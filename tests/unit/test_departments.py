"""Departments without Flask: setting them up, and the departments a case's tasks bring into it."""
from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import event, select, text

from engine import Actor, case_access, definitions, departments, instances, tasks, users
from engine.clock import utcnow
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.models import CaseDepartment
from engine.users import SYSTEM
from tests.helpers import FIXTURES, statements
from tests.rival import Rival

INTEGRATOR = Actor("integrator", roles=frozenset({"integrator"}))
WINDOW = Actor("wang", groups=frozenset({"window"}), roles=frozenset({"clerk"}))
OFFICE = Actor("li", groups=frozenset({"office"}), roles=frozenset({"clerk"}))


def setup_departments(runtime) -> None:  # type: ignore[no-untyped-def]
    departments.put_department(runtime.uow(), "ZWFW", actor=SYSTEM, name="政务服务中心", groups=["window"])
    departments.put_department(runtime.uow(), "SCJG", actor=SYSTEM, name="市场监督管理局", groups=["office", "review"])


def deploy(runtime, *names: str) -> None:  # type: ignore[no-untyped-def]
    definitions.deploy(runtime.uow(), [(n, (FIXTURES / n).read_bytes()) for n in names], actor=SYSTEM)


def participation(runtime, instance_id: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(r.department_code, r.role)
            for r in departments.departments_of_case(runtime.uow(), instance_id, actor=SYSTEM)]


def test_a_department_is_created_listed_and_its_groups_replaced(runtime):
    view, created = departments.put_department(runtime.uow(), "SCJG", actor=SYSTEM, name=" 市场监督管理局 ",
                                               groups=["review", "chief", "review", " "])
    assert created and (view.code, view.name, view.groups) == ("SCJG", "市场监督管理局", ["chief", "review"])
    departments.put_department(runtime.uow(), "SCJG-SPK", actor=SYSTEM, name="审批科", parent_code="SCJG")
    view, created = departments.put_department(runtime.uow(), "SCJG", actor=SYSTEM, name="市场监管局",
                                               groups=["food_review", "chief"])
    assert not created and view.groups == ["chief", "food_review"] and view.updated_at >= view.created_at
    listed = departments.list_departments(runtime.uow())
    assert [(d.code, d.name, d.parent_code, d.groups) for d in listed] == [
        ("SCJG", "市场监管局", None, ["chief", "food_review"]), ("SCJG-SPK", "审批科", "SCJG", [])]
    assert departments.get_department(runtime.uow(), "SCJG-SPK").parent_code == "SCJG"
    with runtime.uow() as uow:
        assert departments.department_of_groups(uow, {"chief", "review", "window"}) == {"chief": "SCJG"}


def test_a_put_read_before_another_change_is_refused_and_changes_nothing(runtime):
    """A page re-reads the department and puts its groups back: a change between its read and its write
    (``unchanged_since``) is a Conflict, not undone."""
    read, _ = departments.put_department(runtime.uow(), "ZWFW", actor=SYSTEM, name="政务服务中心", groups=["window"])
    departments.put_department(runtime.uow(), "ZWFW", actor=SYSTEM, name="政务服务中心",
                               groups=["window", "zwfw_review"])  # another admin, meanwhile
    with pytest.raises(Conflict) as refused:
        departments.put_department(runtime.uow(), "ZWFW", actor=SYSTEM, name="市政务服务管理局",
                                   groups=read.groups, unchanged_since=read.updated_at)
    assert "updated_at" in refused.value.context
    now = departments.get_department(runtime.uow(), "ZWFW")
    assert (now.name, sorted(now.groups)) == ("政务服务中心", ["window", "zwfw_review"])
    renamed, _ = departments.put_department(runtime.uow(), "ZWFW", actor=SYSTEM, name="市政务服务管理局",
                                            groups=now.groups, unchanged_since=now.updated_at)
    assert (renamed.name, sorted(renamed.groups)) == ("市政务服务管理局", ["window", "zwfw_review"])


def test_a_group_belongs_to_one_department_only(runtime):
    setup_departments(runtime)
    with pytest.raises(Conflict, match="'window' belongs to department 'ZWFW'") as raised:
        departments.put_department(runtime.uow(), "SCJG", actor=SYSTEM, name="市场监督管理局",
                                   groups=["review", "window"])
    assert raised.value.details == [{"field": "groups", "group": "window", "department": "ZWFW"}]
    assert departments.get_department(runtime.uow(), "SCJG").groups == ["office", "review"]  # nothing changed


def test_bad_codes_names_parents_and_callers_are_refused(runtime):
    setup_departments(runtime)
    with pytest.raises(ValidationFailed) as raised:
        departments.put_department(runtime.uow(), "市场 局", actor=SYSTEM, name=" ")
    assert [d["field"] for d in raised.value.details] == ["code", "name"]
    with pytest.raises(ValidationFailed) as raised:
        departments.put_department(runtime.uow(), "X", actor=SYSTEM, name="某局", groups=["window,review", "ok"])
    assert raised.value.details == [{"field": "groups", "message": "'window,review': one word of 1 to 100 characters, "
                                                                   "without spaces, commas, semicolons, control "
                                                                   "characters or text-direction marks"}]
    with pytest.raises(ValidationFailed, match="parent department 'NOPE'"):
        departments.put_department(runtime.uow(), "X", actor=SYSTEM, name="某局", parent_code="NOPE")
    departments.put_department(runtime.uow(), "SCJG-SPK", actor=SYSTEM, name="审批科", parent_code="SCJG")
    with pytest.raises(Conflict, match="under itself"):
        departments.put_department(runtime.uow(), "SCJG", actor=SYSTEM, name="市场监督管理局", parent_code="SCJG-SPK")
    with pytest.raises(ValidationFailed, match="its own parent"):
        departments.put_department(runtime.uow(), "SCJG", actor=SYSTEM, name="市场监督管理局", parent_code="SCJG")
    with pytest.raises(Conflict, match="exists already") as taken:
        departments.put_department(runtime.uow(), "SCJG", actor=SYSTEM, name="市场监督管理局", only_new=True)
    assert taken.value.context["reason"] == departments.CODE_TAKEN  # what the admin page words
    with pytest.raises(Forbidden):
        departments.put_department(runtime.uow(), "WJW", actor=Actor("sup", roles=frozenset({"supervisor"})),
                                   name="卫生健康委员会")
    with pytest.raises(NotFound):
        departments.get_department(runtime.uow(), "WJW")


def test_the_first_tasks_department_leads_and_later_ones_take_part(runtime):
    setup_departments(runtime)
    deploy(runtime, "simple_approval.bpmn")
    case, _ = instances.start(runtime.uow(), "simple_approval", actor=INTEGRATOR, variables={"reviewGroup": "office"})
    assert participation(runtime, case.id) == [("ZWFW", "lead")]
    after = tasks.complete(runtime.uow(), case.tasks[0].id, actor=WINDOW, variables={"accepted": True, "amount": 5})
    assert after.tasks[0].candidate_groups == ["office"]
    assert participation(runtime, case.id) == [("ZWFW", "lead"), ("SCJG", "participant")]
    with runtime.uow() as uow:
        rows = {r.department_code: r for r in uow.session.scalars(select(CaseDepartment))}
    assert rows["ZWFW"].since <= rows["SCJG"].since == after.tasks[0].created_at


def test_an_assignees_groups_bring_their_department_in(runtime):
    setup_departments(runtime)
    users.add_user(runtime.uow(), "zhao", groups=["review"], roles=["clerk"], actor=users.SYSTEM)
    deploy(runtime, "routed_task.bpmn")
    case, _ = instances.start(runtime.uow(), "routed_task", actor=INTEGRATOR, variables={
        "group": "nobody_maps_this", "users": "", "assignee": "zhao", "due": "", "priority": 50})
    assert case.tasks[0].assignee == "zhao"
    assert participation(runtime, case.id) == [("SCJG", "lead")]


def test_cases_before_any_department_record_nothing_until_their_groups_get_one(runtime):
    deploy(runtime, "simple_approval.bpmn")
    case, _ = instances.start(runtime.uow(), "simple_approval", actor=INTEGRATOR, variables={"reviewGroup": "office"})
    assert participation(runtime, case.id) == []
    setup_departments(runtime)  # set up later: the window's department joins the case it already worked on
    assert participation(runtime, case.id) == [("ZWFW", "lead")]
    tasks.complete(runtime.uow(), case.tasks[0].id, actor=WINDOW, variables={"accepted": True, "amount": 5})
    assert participation(runtime, case.id) == [("ZWFW", "lead"), ("SCJG", "participant")]


def test_the_guides_department_leads_and_its_co_departments_take_part_from_the_start(runtime):
    setup_departments(runtime)
    departments.put_department(runtime.uow(), "WJW", actor=SYSTEM, name="卫生健康委员会", groups=["health"])
    guide = {"code": "SCJG-XK-9001", "name": "简易审批事项", "type": "01", "case_type": "2", "level": "city",
             "process": "simple_approval", "department": {"code": "SCJG", "name": "市场监督管理局"},
             "co_departments": [{"code": "WJW", "name": "卫生健康委员会"}, {"code": "XFJ", "name": "消防救援局"}],
             "legal_basis": ["《中华人民共和国行政许可法》"], "promised_days": 5,
             "statutory_days": 20, "calendar": "CN", "acceptance_conditions": ["申请人具备主体资格"],
             "materials": [{"name": "申请书", "form": "original", "copies": 1, "electronic": True, "key": True,
                            "departments": ["SCJG"], "sample": "申请书示范文本"}],
             "fees": [], "delivery_methods": ["window"], "excluded_periods": [],
             "channels": {"consultation": "12345", "complaint": "12345"}}
    definitions.deploy(runtime.uow(), [("simple_approval.bpmn", (FIXTURES / "simple_approval.bpmn").read_bytes()),
                                       ("SCJG-XK-9001/guide.json", json.dumps(guide, ensure_ascii=False).encode())],
                       actor=SYSTEM)
    case, _ = instances.start(runtime.uow(), "simple_approval", actor=INTEGRATOR, variables={"reviewGroup": "office"})
    # XFJ is not set up here: named by the guide, but no department to take part.
    assert participation(runtime, case.id) == [("SCJG", "lead"), ("WJW", "participant"), ("ZWFW", "participant")]


def test_a_save_that_creates_no_task_reads_no_department_table(runtime):
    setup_departments(runtime)
    deploy(runtime, "simple_approval.bpmn")
    case, _ = instances.start(runtime.uow(), "simple_approval", actor=INTEGRATOR, variables={"reviewGroup": "office"})
    with statements(runtime) as seen:  # rejected at acceptance: the case ends, no new task
        after = tasks.complete(runtime.uow(), case.tasks[0].id, actor=WINDOW, variables={"accepted": False})
    assert after.state == "completed" and seen
    assert not [s for s in seen if "department" in s]
    with statements(runtime) as seen:  # a new task of a department already in the case: one read, no insert
        second, _ = instances.start(runtime.uow(), "simple_approval", actor=INTEGRATOR,
                                    variables={"reviewGroup": "window"})
        tasks.complete(runtime.uow(), second.tasks[0].id, actor=WINDOW, variables={"accepted": True, "amount": 1})
    assert len([s for s in seen if "INSERT INTO case_departments" in s]) == 1  # the lead, at start
    assert participation(runtime, second.id) == [("ZWFW", "lead")]


def test_every_clerk_is_scoped_to_their_departments_and_their_own_cases(runtime):
    setup_departments(runtime)
    both = Actor("sun", groups=frozenset({"window", "office", "archive"}), roles=frozenset({"clerk"}))
    with runtime.uow() as uow:
        assert case_access.scope_of(uow, both).departments == {"ZWFW", "SCJG"}
        alone = case_access.scope_of(uow, Actor("zhou", frozenset({"archive"}), frozenset({"clerk"})))
        assert alone.departments == frozenset() and alone.limited  # their own cases only
        for roles in ({"clerk", "supervisor"}, {"clerk", "integrator"}, {"admin"}, {"analyst", "supervisor"}):
            assert not case_access.scope_of(uow, Actor("wu", frozenset({"window"}), frozenset(roles))).limited
        # An analyst reads no case at all; with clerk too, as the clerk does (scoped here)
        with pytest.raises(Forbidden):
            case_access.scope_of(uow, Actor("wu", frozenset({"window"}), frozenset({"analyst"})))
        assert case_access.scope_of(uow, Actor("wu", frozenset({"window"}), frozenset({"analyst", "clerk"}))
                                    ).departments == {"ZWFW"}


# ---- deleting a department ----------------------------------------------------------------------

def guide_naming(code: str, lead: str, *co: str) -> tuple[str, bytes]:
    """An item's guide for simple_approval naming ``lead`` and the co-departments ``co``."""
    guide = {"code": code, "name": "简易审批事项", "type": "01", "case_type": "2", "level": "city",
             "process": "simple_approval", "department": {"code": lead, "name": "某局"},
             "co_departments": [{"code": c, "name": "某局"} for c in co],
             "legal_basis": ["《中华人民共和国行政许可法》"], "promised_days": 5, "statutory_days": 20, "calendar": "CN",
             "acceptance_conditions": ["申请人具备主体资格"],
             "materials": [{"name": "申请书", "form": "original", "copies": 1, "electronic": True, "key": True,
                            "departments": [lead], "sample": "申请书示范文本"}],
             "fees": [], "delivery_methods": ["window"], "excluded_periods": [],
             "channels": {"consultation": "12345", "complaint": "12345"}}
    return f"{code}/guide.json", json.dumps(guide, ensure_ascii=False).encode()


def deploy_guide(runtime, code: str, lead: str, *co: str) -> None:  # type: ignore[no-untyped-def]
    definitions.deploy(runtime.uow(), [("simple_approval.bpmn", (FIXTURES / "simple_approval.bpmn").read_bytes()),
                                       guide_naming(code, lead, *co)], actor=SYSTEM)


def refusal(runtime, code: str) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    with pytest.raises(Conflict) as raised:
        departments.delete_department(runtime.uow(), code, actor=SYSTEM)
    return raised.value.details


def test_a_department_named_by_a_deployed_guide_is_kept_until_the_guide_names_it_no_more(runtime):
    """A mistyped code a guide once named (SCGJ) goes once the item's new version names the right one; a
    co-department named by a guide is held as the lead is."""
    for code, name in (("SCGJ", "市场监管局（误）"), ("SCJG", "市场监督管理局"), ("WJW", "卫生健康委员会")):
        departments.put_department(runtime.uow(), code, actor=SYSTEM, name=name)
    deploy_guide(runtime, "SCJG-XK-9001", "SCGJ", "WJW")
    assert [(d["field"], d["guides"]) for d in refusal(runtime, "SCGJ")] == [("guides", ["SCJG-XK-9001"])]
    assert refusal(runtime, "WJW")[0]["guides"] == ["SCJG-XK-9001"]
    deploy_guide(runtime, "SCJG-XK-9001", "SCJG", "WJW")  # version 2: the right code
    gone = departments.delete_department(runtime.uow(), "SCGJ", actor=SYSTEM)
    assert (gone.code, gone.name) == ("SCGJ", "市场监管局（误）")
    assert [d.code for d in departments.list_departments(runtime.uow())] == ["SCJG", "WJW"]
    assert refusal(runtime, "SCJG")[0]["field"] == "guides"


def test_a_department_is_deleted_only_by_an_admin_and_only_when_it_exists(runtime):
    departments.put_department(runtime.uow(), "SCJG", actor=SYSTEM, name="市场监督管理局")
    with pytest.raises(Forbidden):
        departments.delete_department(runtime.uow(), "SCJG", actor=Actor("sup", roles=frozenset({"supervisor"})))
    with pytest.raises(NotFound, match="'NOPE'"):
        departments.delete_department(runtime.uow(), "NOPE", actor=SYSTEM)
    departments.delete_department(runtime.uow(), "SCJG", actor=SYSTEM)
    with pytest.raises(NotFound):
        departments.delete_department(runtime.uow(), "SCJG", actor=SYSTEM)


def test_a_case_command_that_read_a_department_deleted_since_goes_on_without_it(runtime):
    """The review task's group (office) led to SCJG; before the case's departments are written, office
    moves to another department and SCJG is deleted (on the same connection here: what a concurrent admin
    would have committed). The foreign key used to fail the clerk's completion."""
    setup_departments(runtime)
    deploy(runtime, "simple_approval.bpmn")
    case, _ = instances.start(runtime.uow(), "simple_approval", actor=INTEGRATOR, variables={"reviewGroup": "office"})
    moved: list[bool] = []

    def meanwhile(conn, _cursor, statement, *_):  # type: ignore[no-untyped-def]
        if not moved and "has_lead" in statement:
            moved.append(True)
            conn.execute(text("DELETE FROM department_groups WHERE department_code = 'SCJG'"))
            conn.execute(text("DELETE FROM departments WHERE code = 'SCJG'"))
    event.listen(runtime.engine, "after_cursor_execute", meanwhile)
    try:
        after = tasks.complete(runtime.uow(), case.tasks[0].id, actor=WINDOW, variables={"accepted": True, "amount": 5})
    finally:
        event.remove(runtime.engine, "after_cursor_execute", meanwhile)
    assert moved and after.tasks[0].candidate_groups == ["office"]
    assert participation(runtime, case.id) == [("ZWFW", "lead")]


def test_a_change_and_a_delete_of_one_department_at_once_never_leave_a_group_without_it(runtime):
    """The admin gives SCJG a group while another deletes it, the delete coming right after the change read
    the department. PostgreSQL: the change holds the row, the delete waits and is refused for the group.
    SQLite: that read took no lock, the delete goes through, and the change is a Conflict (it was a 500)."""
    departments.put_department(runtime.uow(), "SCJG", actor=SYSTEM, name="市场监督管理局")
    rival = Rival(runtime, lambda s: s.startswith("SELECT departments.code"),
                  lambda: departments.delete_department(runtime.uow(), "SCJG", actor=SYSTEM),
                  seconds=1.0, expected=(Conflict,))
    changed: object
    with rival:
        try:
            changed = departments.put_department(runtime.uow(), "SCJG", actor=SYSTEM, name="市场监督管理局",
                                                 groups=["office"])
        except Conflict as exc:
            changed = exc
    if isinstance(changed, Conflict):  # the delete went first
        assert "changed meanwhile" in changed.message and rival.outcome.code == "SCJG"
        assert departments.list_departments(runtime.uow()) == []
    else:  # the change went first: the delete saw its group
        assert isinstance(rival.outcome, Conflict) and rival.outcome.details[0]["groups"] == ["office"]
        assert departments.get_department(runtime.uow(), "SCJG").groups == ["office"]


def test_a_group_given_while_a_delete_checks_the_department_waits_for_the_delete(runtime):
    """The group comes after the delete found none and before it deletes: it must not be deleted with the
    department (its row cascades). PostgreSQL: the change waits for the row, then sets the department up
    anew. SQLite: it waits for the write lock, then finds the department gone (a Conflict)."""
    departments.put_department(runtime.uow(), "SCJG", actor=SYSTEM, name="市场监督管理局")
    rival = Rival(runtime, lambda s: "FROM guides" in s,
                  lambda: departments.put_department(runtime.uow(), "SCJG", actor=SYSTEM, name="市场监管局",
                                                     groups=["office"]), seconds=1.0, expected=(Conflict,))
    with rival:
        departments.delete_department(runtime.uow(), "SCJG", actor=SYSTEM)
    if isinstance(rival.outcome, Conflict):
        assert departments.list_departments(runtime.uow()) == []
    else:
        _, created = rival.outcome
        assert created and departments.get_department(runtime.uow(), "SCJG").groups == ["office"]


# ---- deleting at once with other commands (PostgreSQL: SQLite's writers take turns) ----------------

def test_a_change_waits_for_a_delete_holding_the_department_then_sets_it_up_anew(pg):
    departments.put_department(pg.uow(), "SCJG", actor=SYSTEM, name="市场监督管理局")
    rival = Rival(pg, lambda s: "FOR UPDATE" in s,
                  lambda: departments.put_department(pg.uow(), "SCJG", actor=SYSTEM, name="市场监管局",
                                                     groups=["office"]), seconds=1.0)
    with rival:
        departments.delete_department(pg.uow(), "SCJG", actor=SYSTEM)
    view, created = rival.outcome
    assert created and (view.name, view.groups) == ("市场监管局", ["office"])


def test_a_case_joining_a_department_deleted_meanwhile_goes_on_without_it(pg):
    """The clerk's completion read that office belongs to SCJG; meanwhile an admin moves SCJG's groups to
    XZSP and deletes SCJG, which no case had joined yet. The completion goes on; SCJG is not written for the case."""
    setup_departments(pg)
    deploy(pg, "simple_approval.bpmn")
    case, _ = instances.start(pg.uow(), "simple_approval", actor=INTEGRATOR, variables={"reviewGroup": "office"})

    def reorganise() -> None:
        departments.put_department(pg.uow(), "XZSP", actor=SYSTEM, name="行政审批局", groups=["office", "review"],
                                   move_groups=True)
        departments.delete_department(pg.uow(), "SCJG", actor=SYSTEM)
    with Rival(pg, lambda s: "has_lead" in s, reorganise, seconds=5.0, must_not_wait=True):
        after = tasks.complete(pg.uow(), case.tasks[0].id, actor=WINDOW, variables={"accepted": True, "amount": 5})
    assert after.tasks[0].candidate_groups == ["office"]
    assert participation(pg, case.id)[0] == ("ZWFW", "lead") and "SCJG" not in dict(participation(pg, case.id))
    assert [d.code for d in departments.list_departments(pg.uow())] == ["XZSP", "ZWFW"]


def test_a_delete_waits_for_a_case_joining_the_department_and_is_refused(pg):
    """The case's command holds SCJG (FOR KEY SHARE) from writing it into the case to its commit: a delete
    coming then waits, and sees the case."""
    setup_departments(pg)
    deploy(pg, "simple_approval.bpmn")
    case, _ = instances.start(pg.uow(), "simple_approval", actor=INTEGRATOR, variables={"reviewGroup": "office"})
    departments.put_department(pg.uow(), "SCJG", actor=SYSTEM, name="市场监督管理局")  # office: no department now
    departments.put_department(pg.uow(), "XZSP", actor=SYSTEM, name="行政审批局", groups=["office"])
    outcome: list[object] = []
    waiting = threading.Thread(target=lambda: outcome.append(_delete_or_conflict(pg, "SCJG")))
    with pg.uow() as uow:  # a command bringing SCJG into the case, not committed yet
        departments._insert(uow.session, [{"case_id": case.id, "department_code": "SCJG", "role": "participant",
                                           "since": utcnow()}])
        waiting.start()
        waiting.join(1.0)
        assert waiting.is_alive(), "the delete did not wait for the case's command"
        uow.commit()
    waiting.join(10)
    assert isinstance(outcome[0], Conflict) and outcome[0].details[0]["field"] == "cases"
    assert ("SCJG", "participant") in participation(pg, case.id)


def _delete_or_conflict(runtime, code: str) -> object:  # type: ignore[no-untyped-def]
    try:
        return departments.delete_department(runtime.uow(), code, actor=SYSTEM)
    except Conflict as exc:
        return exc
