"""A case state reached when a step starts (``govflow.caseStateOnStart``): 食品经营许可 (bpmn/SCJG-XK-0001)
reads 部门开始办理 from the moment its review (审查（业务科室）) reaches the department's queue, in the case, its
timeline and the applicant's progress, not only once the review is done."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from engine import timeline
from tests.api.test_pages import Browser as PublicBrowser
from tests.api.test_pages_intake import Browser
from tests.api.test_pages_public import lookup, text_of
from tests.helpers import FIXTURES, ApiClient, complete_open_task
from tests.service_items import (
    FOOD_APPLICATION,
    READER,
    case,
    deploy_item,
    history_events,
    send_message,
    supply_materials,
)

CODE, KEY, CASE_NO = "SCJG-XK-0001", "food_business_licence", "SCJG-2026-0801"
STARTED = "部门开始办理"


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def review_history(api: ApiClient, case_id: int, event: str) -> dict[str, Any]:
    [found] = [e for e in history_events(api, case_id) if e["event"] == event and e["element_id"] == "review"]
    return found


def progress(api: ApiClient, code: str) -> dict[str, Any]:
    shown = api.client.get(f"/api/public/progress/{CASE_NO}", query_string={"code": code})
    assert shown.status_code == 200, shown.get_json()
    return dict(shown.get_json())


def stamped(api: ApiClient, case_id: int) -> list[tuple[str, str | None, datetime]]:
    """The timeline's entries that reached 部门开始办理: (event, element, when)."""
    file = timeline.case_file(api.runtime.uow(), case_id, actor=READER)
    return [(e.event, e.element_id, e.at) for e in file.timeline if e.case_state == STARTED]


def test_the_department_started_handling_when_its_review_opened_not_when_it_was_done(app: Any, api: ApiClient
                                                                                     ) -> None:
    deploy_item(api, CODE)
    begun = api.start(KEY, business_key=CASE_NO, variables=FOOD_APPLICATION)
    supply_materials(api, begun["id"], CODE)
    complete_open_task(api, begun["id"], "acceptance_check", user="window_clerk", reader="admin",
                       acceptance_decision="accept")

    # The review is open, not done: the case already stands at 部门开始办理, dated when the review opened.
    opened = at(review_history(api, begun["id"], "task.created")["at"])
    assert [t["bpmn_id"] for t in case(api, begun["id"])["tasks"]] == ["review"]
    assert case(api, begun["id"])["case_state"] == STARTED
    assert stamped(api, begun["id"]) == [("task.created", "review", opened)]
    page = Browser(api, "admin").get(f"/cases/{begun['id']}").text
    assert '<tr data-event="task.created" data-element="review">' in page
    row = page.split('<tr data-event="task.created" data-element="review">')[1].split("</tr>")[0]
    assert f'<span class="badge badge-case">{STARTED}</span>' in row

    shown = progress(api, begun["query_code"])
    assert shown["case_state"] == STARTED
    assert [(s["name"], at(s["at"])) for s in shown["steps"] if s["case_state"] == STARTED] == \
        [("审查（业务科室）", opened)]
    public = lookup(PublicBrowser(app.test_client()), CASE_NO, begun["query_code"]).text
    assert "部门办理中" in text_of(public, "badge-case")

    # Done, the review reaches no state again: 部门开始办理 stays dated at its opening.
    complete_open_task(api, begun["id"], "review", reader="admin", review_opinion="经现场核查，符合条件",
                       conditions_met=True)
    done = at(review_history(api, begun["id"], "task.completed")["at"])
    assert done > opened
    assert stamped(api, begun["id"]) == [("task.created", "review", opened)]
    assert [at(s["at"]) for s in progress(api, begun["query_code"])["steps"] if s["case_state"] == STARTED] == \
        [opened]


def properties(**named: str) -> str:
    listed = "".join(f'<camunda:property name="{name}" value="{value}" />' for name, value in named.items())
    return f"<bpmn:extensionElements><camunda:properties>{listed}</camunda:properties></bpmn:extensionElements>"


def test_a_wait_reaches_its_state_when_it_begins_and_another_when_its_message_comes(api: ApiClient,
                                                                                  tmp_path: Path) -> None:
    """补正(开始) as the case begins to wait for the supplement, 补正(结束) as it comes (both on the catch
    event), then 部门开始办理 as the recheck opens."""
    diagram = (FIXTURES / "supplement.bpmn").read_text(encoding="utf-8").replace(
        '<bpmn:intermediateCatchEvent id="wait_materials" name="等待补正">',
        '<bpmn:intermediateCatchEvent id="wait_materials" name="等待补正">'
        + properties(**{"govflow.caseStateOnStart": "补正(开始)", "govflow.caseState": "补正(结束)"})).replace(
        '<bpmn:userTask id="recheck" name="复核" camunda:candidateGroups="window" />',
        '<bpmn:userTask id="recheck" name="复核" camunda:candidateGroups="window">'
        + properties(**{"govflow.caseStateOnStart": STARTED}) + "</bpmn:userTask>")
    (tmp_path / "supplement_states.bpmn").write_text(diagram, encoding="utf-8")
    api.deploy(tmp_path / "supplement_states.bpmn")
    begun = api.start("supplement", business_key="BZ-2026-0001")
    assert case(api, begun["id"])["case_state"] == "补正(开始)"

    send_message(api, "materials_supplemented", "BZ-2026-0001")
    assert case(api, begun["id"])["case_state"] == STARTED
    file = timeline.case_file(api.runtime.uow(), begun["id"], actor=READER)
    assert [(e.event, e.element_id, e.case_state) for e in file.timeline if e.case_state] == [
        ("instance.started", None, "已接件"), ("element.waiting", "wait_materials", "补正(开始)"),
        ("element.completed", "wait_materials", "补正(结束)"), ("task.created", "recheck", STARTED)]
