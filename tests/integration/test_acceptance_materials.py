"""The acceptance step keeps the materials rule (engine.acceptance through engine.tasks.complete): 受理 only
with every material of the guide received (uploaded, its paper original checked at the window, or a
conditional one not applicable), 容缺受理 only with every key one, and 不予受理 and 一次性告知补正 always;
with the window's marks (engine.materials.record) kept on the case with who and when. Engine calls on the
database, SQLite and PostgreSQL alike; the item is 建筑工程施工许可证核发 (ZJJ-XK-0012), whose acceptance
decides all four ways."""
from __future__ import annotations

import io
import json
from typing import Any

import pytest
from sqlalchemy import select

from engine import Runtime, acceptance, definitions, instances, materials, tasks
from engine.errors import Conflict, Forbidden, MaterialsMissing, NotFound, ValidationFailed
from engine.models import Document, HistoryEvent, MaterialMark
from engine.users import SYSTEM, Actor
from tests.helpers import ROOT, seed_national_calendar
from tests.rival import Rival
from tests.service_items import guide, item_files

CODE, KEY = "ZJJ-XK-0012", "construction_work_permit"
WINDOW = Actor("wang", frozenset({"window"}), frozenset({"clerk"}))
PORTAL = Actor("portal", roles=frozenset({"integrator"}))
PDF = b"%PDF-1.4\n% a scanned page\n"
MATERIALS = guide(CODE)["materials"]
KEYS = [m["name"] for m in MATERIALS if m["key"]]
NON_KEYS = [m["name"] for m in MATERIALS if not m["key"]]
CONDITIONAL_KEY = "中标通知书"  # 依法必须招标的工程提交
# What the acceptance form sends for each way it decides (forms/tolerant-acceptance.form).
DECISIONS = {
    "accept": {"acceptance_decision": "accept"},
    "tolerant": {"acceptance_decision": "tolerant", "tolerated_materials": NON_KEYS[:1]},
    "reject": {"acceptance_decision": "reject", "reject_reason": "不属于本机关受理范围"},
    "supplement": {"acceptance_decision": "incomplete", "missing_materials": KEYS[:1]},
}


@pytest.fixture
def item(runtime: Runtime) -> Runtime:
    seed_national_calendar(runtime)
    definitions.deploy(runtime.uow(), item_files(CODE), actor=SYSTEM)
    return runtime


def received(runtime: Runtime, number: str, *, missing: tuple[str, ...] = (), paper: tuple[str, ...] = (),
             not_applicable: tuple[str, ...] = ()) -> int:
    """A case received at the window: every listed material uploaded but ``missing``, ``paper`` (its paper
    original checked) and ``not_applicable``."""
    view, _ = instances.start(runtime.uow(), KEY, actor=PORTAL, business_key=number,
                              variables={"applicant_name": "洛阳某置业有限公司", "project_name": "滨河花园3号楼"})
    for name in KEYS + NON_KEYS:
        if name not in missing + paper + not_applicable:
            materials.upload(runtime.uow(), view.id, actor=PORTAL, name=name, filename="scan.pdf",
                             stream=io.BytesIO(PDF))
    marks = [materials.NewMark(name, materials.PAPER_CHECKED) for name in paper]
    marks += [materials.NewMark(name, materials.NOT_APPLICABLE) for name in not_applicable]
    if marks:
        materials.record(runtime.uow(), view.id, actor=WINDOW, marks=marks)
    return view.id


def decide(runtime: Runtime, case_id: int, how: str) -> Any:
    [task] = [t for t in instances.get(runtime.uow(), case_id, actor=PORTAL).tasks
              if t.bpmn_id == "acceptance_check"]
    return tasks.complete(runtime.uow(), task.id, actor=WINDOW, variables=DECISIONS[how])


# (how the clerk decides, what is missing, what was checked on paper) -> refused?
MATRIX = [
    ("accept", (), (), False),
    ("accept", (NON_KEYS[0],), (), True),
    ("accept", (KEYS[0],), (), True),
    ("accept", (), (KEYS[0], NON_KEYS[0]), False),
    ("tolerant", (NON_KEYS[0],), (), False),
    ("tolerant", (KEYS[0],), (), True),
    ("tolerant", (NON_KEYS[0],), (KEYS[0],), False),
    ("reject", (KEYS[0], NON_KEYS[0]), (), False),
    ("supplement", (KEYS[0], NON_KEYS[0]), (), False),
]


@pytest.mark.parametrize(("how", "missing", "paper", "refused"), MATRIX)
def test_what_each_decision_needs_of_the_materials(item: Runtime, how: str, missing: tuple[str, ...],
                                                   paper: tuple[str, ...], refused: bool) -> None:
    case_id = received(item, f"ZJ-M-{MATRIX.index((how, missing, paper, refused))}", missing=missing, paper=paper)
    if not refused:
        after = decide(item, case_id, how)
        assert [t.bpmn_id for t in after.tasks] != ["acceptance_check"]
        return
    with pytest.raises(MaterialsMissing) as caught:
        decide(item, case_id, how)
    assert [d["material"] for d in caught.value.details] == list(missing)
    assert caught.value.context["outcome"] == how


def test_a_refused_acceptance_changes_nothing_and_says_which_key_materials_are_missing(item: Runtime) -> None:
    case_id = received(item, "ZJ-M-REFUSED", missing=(KEYS[1], NON_KEYS[2]))
    with pytest.raises(MaterialsMissing) as caught:
        decide(item, case_id, "tolerant")
    # Tolerant acceptance waives the non-key one: only the key one is named.
    assert caught.value.details == [{"field": "materials", "material": KEYS[1], "key": True,
                                     "message": f"key material {KEYS[1]} is missing"}]
    assert "容缺受理" in caught.value.message and KEYS[1] in caught.value.message
    case = instances.get(item.uow(), case_id, actor=PORTAL)
    assert [t.bpmn_id for t in case.tasks] == ["acceptance_check"] and case.state == "running"
    with item.uow() as uow:
        events = list(uow.session.scalars(select(HistoryEvent.event).where(HistoryEvent.instance_id == case_id)))
        assert "task.completed" not in events and "clock.started" not in events
        assert uow.session.scalars(select(Document).where(Document.instance_id == case_id)).all() == []
    with pytest.raises(MaterialsMissing) as plain:  # in full it needs the non-key one too
        decide(item, case_id, "accept")
    assert [d["material"] for d in plain.value.details] == [KEYS[1], NON_KEYS[2]]
    assert "受理" in plain.value.message and "容缺受理" in plain.value.message  # which the item allows


def test_a_conditional_material_marked_not_applicable_counts_as_received(item: Runtime) -> None:
    case_id = received(item, "ZJ-M-NA", not_applicable=(CONDITIONAL_KEY,))
    assert [t.bpmn_id for t in decide(item, case_id, "accept").tasks] == ["review"]


def test_the_mark_is_kept_on_the_case_with_who_and_when_and_in_its_history(item: Runtime) -> None:
    case_id = received(item, "ZJ-M-PAPER", missing=(KEYS[0],))
    [mark] = materials.record(item.uow(), case_id, actor=WINDOW,
                              marks=[materials.NewMark(KEYS[0], materials.PAPER_CHECKED, "原件与复印件一致")])
    assert (mark.name, mark.kind, mark.recorded_by, mark.note) == (KEYS[0], "paper_checked", "wang", "原件与复印件一致")
    entry = next(i for i in materials.checklist(item.uow(), case_id, actor=WINDOW).items if i.name == KEYS[0])
    assert entry.status == materials.PAPER_CHECKED and entry.mark is not None and entry.mark.recorded_at is not None
    with item.uow() as uow:
        [event] = uow.session.scalars(select(HistoryEvent).where(HistoryEvent.instance_id == case_id,
                                                                 HistoryEvent.event == "material.recorded"))
        assert (event.actor, event.data) == ("wang", {"name": KEYS[0], "kind": "paper_checked",
                                                      "note": "原件与复印件一致"})
    # Recorded again as it is: nothing new; taken back: missing again, and the acceptance refused.
    materials.record(item.uow(), case_id, actor=WINDOW, marks=[materials.NewMark(KEYS[0], materials.PAPER_CHECKED)])
    materials.withdraw(item.uow(), case_id, mark.id, actor=WINDOW)
    with pytest.raises(MaterialsMissing):
        decide(item, case_id, "accept")
    with item.uow() as uow:
        events = list(uow.session.scalars(select(HistoryEvent.event).where(
            HistoryEvent.instance_id == case_id, HistoryEvent.event.like("material.%"),
            HistoryEvent.event != "material.uploaded")))
        assert events == ["material.recorded", "material.withdrawn"]
        assert uow.session.scalars(select(MaterialMark)).all() == []


def test_what_may_be_recorded_and_by_whom(item: Runtime) -> None:
    case_id = received(item, "ZJ-M-RULES", missing=(KEYS[0],))
    with pytest.raises(ValidationFailed) as caught:
        materials.record(item.uow(), case_id, actor=WINDOW, marks=[
            materials.NewMark("其他材料", materials.PAPER_CHECKED),  # not on the guide's list
            materials.NewMark(KEYS[0], materials.NOT_APPLICABLE),  # a key material every applicant brings
            materials.NewMark(KEYS[1], "scanned")])
    assert [d["field"] for d in caught.value.details] == ["marks.0.name", "marks.1.kind", "marks.2.kind"]
    with pytest.raises(Forbidden):  # an integration did not see the paper
        materials.record(item.uow(), case_id, actor=PORTAL, marks=[materials.NewMark(KEYS[0], "paper_checked")])
    with pytest.raises(NotFound):  # a clerk of another group, with no task in the case: not theirs to read
        materials.record(item.uow(), case_id, actor=Actor("li", frozenset({"office"}), frozenset({"clerk"})),
                         marks=[materials.NewMark(KEYS[0], materials.PAPER_CHECKED)])
    with pytest.raises(NotFound):
        materials.withdraw(item.uow(), case_id, 999999, actor=WINDOW)
    # The clerk who received the application records, though another group works its first step.
    receiver = Actor("zhao", frozenset({"intake"}), frozenset({"clerk"}))
    view, _ = instances.start(item.uow(), KEY, actor=receiver, business_key="ZJ-M-DESK",
                              variables={"applicant_name": "某公司"})
    materials.record(item.uow(), view.id, actor=receiver, marks=[materials.NewMark(KEYS[0], "paper_checked")])


def test_an_ended_case_takes_no_marks(item: Runtime) -> None:
    case_id = received(item, "ZJ-M-ENDED", missing=(KEYS[0],))
    decide(item, case_id, "reject")
    with pytest.raises(Conflict):
        materials.record(item.uow(), case_id, actor=WINDOW, marks=[materials.NewMark(KEYS[0], "paper_checked")])


def test_items_without_a_guide_or_without_materials_are_not_held_back(runtime: Runtime) -> None:
    seed_national_calendar(runtime)
    window = ROOT / "bpmn" / "window-acceptance"
    forms = [(p.name, p.read_bytes()) for p in sorted((ROOT / "forms").glob("window-*.form"))]
    diagram = [("window_acceptance.bpmn", (window / "window_acceptance.bpmn").read_bytes())]
    definitions.deploy(runtime.uow(), diagram + forms, actor=SYSTEM)  # no guide

    def accept(number: str) -> list[str]:
        view, _ = instances.start(runtime.uow(), "window_acceptance", actor=PORTAL, business_key=number,
                                  variables={"applicant_name": "张三"})
        return [t.bpmn_id for t in tasks.complete(runtime.uow(), view.tasks[0].id, actor=WINDOW,
                                                  variables={"decision": "accept", "materials_complete": True}).tasks]
    assert accept("W-1") == ["review"]
    listless = {**json.loads((window / "guide.json").read_text(encoding="utf-8")), "materials": []}
    definitions.deploy(runtime.uow(), [("window-acceptance/guide.json", json.dumps(listless).encode())],
                       actor=SYSTEM)
    assert accept("W-2") == ["review"]


def test_the_acceptance_steps_of_the_library_as_the_engine_reads_them(item: Runtime) -> None:
    with item.uow() as uow:
        definition = definitions.get_definition(uow, KEY)
        [step] = acceptance.steps_of(definition).values()
    assert (step.task, step.gateway) == ("acceptance_check", "outcome")
    assert {r.flow: r.outcome for r in step.routes} == {
        "to_accept": "accept", "to_tolerance_check": "tolerant", "to_reject": "reject",
        "to_incomplete": "supplement"}


def test_a_mark_taken_back_while_the_acceptance_reads_the_marks_waits_for_it(pg: Runtime) -> None:
    """PostgreSQL: the acceptance holds the case's lock from its read of the marks to its commit, so a mark
    taken back meanwhile waits for it, and is then refused: the case was accepted on it."""
    seed_national_calendar(pg)
    definitions.deploy(pg.uow(), item_files(CODE), actor=SYSTEM)
    case_id = received(pg, "ZJ-M-RACE", paper=(KEYS[0],))
    with pg.uow() as uow:
        [mark_id] = uow.session.scalars(select(MaterialMark.id)).all()
    with Rival(pg, lambda s: "FROM material_marks" in s,
               lambda: materials.withdraw(pg.uow(), case_id, mark_id, actor=WINDOW), expected=(Conflict,)) as rival:
        decide(pg, case_id, "accept")
    assert isinstance(rival.outcome, Conflict) and "accepted" in rival.outcome.message
    with pg.uow() as uow:
        events = list(uow.session.scalars(select(HistoryEvent.event).where(HistoryEvent.instance_id == case_id)))
        assert "task.completed" in events and "material.withdrawn" not in events
        assert uow.session.get(MaterialMark, mark_id) is not None


# ---- who records, and marks recorded with the command they belong to ------------------------------------

REVIEWER = Actor("qian", frozenset({"construction_permit"}), frozenset({"clerk"}))  # works the step after 受理
ADMIN = Actor("root", roles=frozenset({"admin"}))


def marks_of(runtime: Runtime, case_id: int) -> dict[str, tuple[str, str | None]]:
    with runtime.uow() as uow:
        return {m.name: (m.kind, m.note) for m in uow.session.scalars(
            select(MaterialMark).where(MaterialMark.instance_id == case_id))}


def test_a_clerk_of_a_later_step_records_no_marks_and_an_accepted_case_keeps_its_marks(item: Runtime) -> None:
    case_id = received(item, "ZJ-M-WHO", paper=(KEYS[0],))
    decide(item, case_id, "accept")  # the review department's clerk now works the case
    [mark_id] = [i.mark.id for i in materials.checklist(item.uow(), case_id, actor=WINDOW).items if i.mark]
    with pytest.raises(Forbidden):  # reads the case, did not see the paper
        materials.record(item.uow(), case_id, actor=REVIEWER, marks=[materials.NewMark(KEYS[1], "paper_checked")])
    with pytest.raises(Forbidden):
        materials.withdraw(item.uow(), case_id, mark_id, actor=REVIEWER)
    # The acceptance read the marks: they stay, for the window and an admin alike, with a clear answer.
    for who in (WINDOW, ADMIN):
        with pytest.raises(Conflict) as caught:
            materials.withdraw(item.uow(), case_id, mark_id, actor=who)
        assert "accepted" in caught.value.message
    assert marks_of(item, case_id) == {KEYS[0]: ("paper_checked", None)}
    # The acceptance step's clerk still adds what came on paper afterwards.
    materials.record(item.uow(), case_id, actor=WINDOW, marks=[materials.NewMark(KEYS[1], "paper_checked")])
    assert set(marks_of(item, case_id)) == {KEYS[0], KEYS[1]}


def test_the_marks_of_a_refused_completion_are_not_recorded(item: Runtime) -> None:
    case_id = received(item, "ZJ-M-ONE", missing=(KEYS[0], KEYS[1]))
    [task] = [t for t in instances.get(item.uow(), case_id, actor=PORTAL).tasks if t.bpmn_id == "acceptance_check"]
    one = [materials.NewMark(KEYS[0], materials.PAPER_CHECKED)]
    with pytest.raises(MaterialsMissing):  # the other is still missing: nothing recorded either
        tasks.complete(item.uow(), task.id, actor=WINDOW, variables=DECISIONS["accept"], marks=one)
    with pytest.raises(ValidationFailed):  # the form refused
        tasks.complete(item.uow(), task.id, actor=WINDOW, variables={"acceptance_decision": "maybe"}, marks=one)
    with pytest.raises(ValidationFailed) as caught:  # a mark refused: the completion with it
        tasks.complete(item.uow(), task.id, actor=WINDOW, variables=DECISIONS["reject"],
                       marks=[materials.NewMark(KEYS[0], materials.NOT_APPLICABLE)])
    assert [(d["field"], d["rule"]) for d in caught.value.details] == [("marks.0.kind", "not_conditional")]
    assert marks_of(item, case_id) == {}
    # Both marked with the completion: the acceptance sees them, in one transaction.
    both = one + [materials.NewMark(KEYS[1], materials.PAPER_CHECKED, "原件已核")]
    assert [t.bpmn_id for t in tasks.complete(item.uow(), task.id, actor=WINDOW, variables=DECISIONS["accept"],
                                              marks=both).tasks] == ["review"]
    assert marks_of(item, case_id) == {KEYS[0]: ("paper_checked", None), KEYS[1]: ("paper_checked", "原件已核")}


def test_a_start_records_the_window_s_marks_with_it_or_starts_nothing(item: Runtime) -> None:
    def start(number: str, actor: Actor, marks: list[materials.NewMark]) -> int:
        view, _ = instances.start(item.uow(), KEY, actor=actor, business_key=number,
                                  variables={"applicant_name": "某公司"}, marks=marks)
        return view.id

    with pytest.raises(ValidationFailed):
        start("ZJ-M-S1", WINDOW, [materials.NewMark(KEYS[0], materials.NOT_APPLICABLE)])
    with pytest.raises(Forbidden):  # an integration did not see the paper
        start("ZJ-M-S1", PORTAL, [materials.NewMark(KEYS[0], materials.PAPER_CHECKED)])
    with item.uow() as uow:
        assert uow.session.scalars(select(HistoryEvent).where(HistoryEvent.event == "instance.started")).all() == []
    case_id = start("ZJ-M-S1", WINDOW, [materials.NewMark(KEYS[0], materials.PAPER_CHECKED),
                                        materials.NewMark(CONDITIONAL_KEY, materials.NOT_APPLICABLE)])
    assert marks_of(item, case_id) == {KEYS[0]: ("paper_checked", None), CONDITIONAL_KEY: ("not_applicable", None)}


def test_recording_a_mark_again_with_another_note_replaces_the_note_and_says_so(item: Runtime) -> None:
    case_id = received(item, "ZJ-M-NOTE", paper=(KEYS[0],))
    [mark] = materials.record(item.uow(), case_id, actor=WINDOW,
                              marks=[materials.NewMark(KEYS[0], materials.PAPER_CHECKED, "原件与复印件一致")])
    assert mark.note == "原件与复印件一致"
    # Without a note: as it is, nothing new.
    materials.record(item.uow(), case_id, actor=WINDOW, marks=[materials.NewMark(KEYS[0], materials.PAPER_CHECKED)])
    assert marks_of(item, case_id) == {KEYS[0]: ("paper_checked", "原件与复印件一致")}
    with item.uow() as uow:
        recorded = [e.data for e in uow.session.scalars(select(HistoryEvent).where(
            HistoryEvent.instance_id == case_id, HistoryEvent.event == "material.recorded").order_by(HistoryEvent.id))]
    assert recorded == [{"name": KEYS[0], "kind": "paper_checked"},
                        {"name": KEYS[0], "kind": "paper_checked", "note": "原件与复印件一致", "previous_note": None}]


def test_a_mark_on_a_case_ended_meanwhile_is_refused_never_recorded_after_the_end(pg: Runtime) -> None:
    """PostgreSQL: the case's row is read behind its lock, so a case terminated while a mark is being
    recorded is either ended before the mark is read (a Conflict) or after it is recorded."""
    seed_national_calendar(pg)
    definitions.deploy(pg.uow(), item_files(CODE), actor=SYSTEM)
    case_id = received(pg, "ZJ-M-ENDING", missing=(KEYS[0],))
    with Rival(pg, lambda s: "FROM process_instances" in s and "FOR UPDATE" not in s,
               lambda: instances.terminate(pg.uow(), case_id, actor=ADMIN, reason="申请人撤回申请")):
        try:
            materials.record(pg.uow(), case_id, actor=WINDOW, marks=[materials.NewMark(KEYS[0], "paper_checked")])
        except Conflict:
            return
    with pg.uow() as uow:
        events = list(uow.session.scalars(select(HistoryEvent.event).where(HistoryEvent.instance_id == case_id)
                                          .order_by(HistoryEvent.id)))
    assert events.index("material.recorded") < events.index("instance.terminated")
