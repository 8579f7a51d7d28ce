"""A one-thing bundle (开办餐饮店一件事) some of whose member items were denied: no standard case state says
"partly" (DOMAIN.md lists 办结(通过), 办结(容缺通过), 办结(不通过)), so the bundle reads 办结(通过) while one
item was granted and 办结(不通过) once every item was denied, and the applicant's progress and supervision
name the member items denied, each read from its own diagram's case states (engine.case_state.members)."""
from __future__ import annotations

from typing import Any

from engine import case_state, progress, supervision
from engine.models import ProcessInstance
from engine.users import Actor
from tests.api.test_one_thing_bundle import REVIEWS, accepted_case, deployed  # noqa: F401  (a fixture)
from tests.api.test_pages import Browser
from tests.api.test_pages_public import lookup
from tests.case_pages import signed_in
from tests.helpers import complete_open_task

SUPERVISOR = Actor("supervisor", roles=frozenset({"supervisor"}))
ITEMS = {"registration_review": "营业执照（设立登记）", "food_licence_review": "食品经营许可",
         "signboard_review": "户外招牌设置许可"}


def review(api: Any, case: dict[str, Any], bpmn_id: str, result: str) -> None:
    clerk, verdict = REVIEWS[bpmn_id]
    complete_open_task(api, case, bpmn_id, user=clerk, **{verdict: {"result": result, "opinion": "意见"}})


def applicant_reads(api: Any, case: dict[str, Any]) -> progress.Progress:
    return progress.public_progress(api.runtime.uow(), case["business_key"], case["query_code"])


def supervisor_reads(api: Any, case: dict[str, Any]) -> list[str]:
    [listed] = [c for c in supervision.list_cases(api.runtime.uow(), actor=SUPERVISOR)
                if c.instance_id == case["id"]]
    return listed.denied_items


def members(api: Any, case: dict[str, Any]) -> list[tuple[str, str | None]]:
    with api.runtime.uow() as uow:
        row = uow.session.get(ProcessInstance, case["id"])
        return [(m.name, m.state) for m in case_state.members(uow, [row])[case["id"]]]


def test_a_bundle_names_the_items_denied_and_reads_passed_while_one_was_granted(api, app, deployed):  # noqa: F811
    case = accepted_case(api, "YJS-2026-0101")
    assert applicant_reads(api, case).denied_items == [] and supervisor_reads(api, case) == []
    review(api, case, "signboard_review", "deny")
    # Denied while the others are still reviewed: the clock runs on, and supervision sees which.
    assert members(api, case) == [("营业执照（设立登记）", "部门开始办理"), ("食品经营许可", "部门开始办理"),
                                  ("户外招牌设置许可", "办结(不通过)")]
    assert supervisor_reads(api, case) == ["户外招牌设置许可"]
    assert applicant_reads(api, case).denied_items == ["户外招牌设置许可"]
    [listed] = [c for c in api.as_("supervisor").get("/api/supervision/cases").get_json()
                if c["business_key"] == "YJS-2026-0101"]
    assert listed["denied_items"] == ["户外招牌设置许可"]
    board = signed_in(app, api.runtime, "board_reader", roles=["supervisor"]).get("/supervision?level=all").text
    assert "未获准：户外招牌设置许可" in board
    review(api, case, "registration_review", "grant")
    review(api, case, "food_licence_review", "grant")
    complete_open_task(api, case, "deliver_package", user="window_clerk", delivery={"method": "window"})
    shown = applicant_reads(api, case)
    assert (shown.case_state, shown.denied_items) == ("办结(通过)", ["户外招牌设置许可"])
    public = api.client.get(f"/api/public/progress/{case['business_key']}", query_string={"code": case["query_code"]})
    assert public.get_json()["denied_items"] == ["户外招牌设置许可"]
    page = lookup(Browser(app.test_client()), case["business_key"], case["query_code"]).text
    assert '<dd class="denied-items">户外招牌设置许可</dd>' in page
    assert [state for _, state in members(api, case)] == ["办结(通过)", "办结(通过)", "办结(不通过)"]


def test_a_bundle_every_item_of_which_was_denied_reads_not_passed_and_names_them_all(api, deployed):  # noqa: F811
    case = accepted_case(api, "YJS-2026-0102")
    for bpmn_id in ITEMS:
        review(api, case, bpmn_id, "deny")
    complete_open_task(api, case, "deliver_package", user="window_clerk", delivery={"method": "window"})
    shown = applicant_reads(api, case)
    assert (shown.case_state, shown.denied_items) == ("办结(不通过)", list(ITEMS.values()))
    assert api.as_("supervisor").get(f"/api/process-instances/{case['id']}").get_json()["case_state"] == "办结(不通过)"


def test_a_case_that_calls_nothing_has_no_members(api):
    api.deploy("simple_approval.bpmn")
    case = api.start("simple_approval", variables={"reviewGroup": "office"})
    with api.runtime.uow() as uow:
        assert case_state.members(uow, [uow.session.get(ProcessInstance, case["id"])]) == {}


TWICE = """
<bpmn:process id="member_check" isExecutable="true">
  <bpmn:startEvent id="m_start"/><bpmn:userTask id="m_review" camunda:candidateGroups="office"/>
  <bpmn:exclusiveGateway id="m_how" default="m_to_granted"/>
  <bpmn:endEvent id="m_denied"><bpmn:extensionElements><camunda:properties>
    <camunda:property name="govflow.caseState" value="办结(不通过)"/></camunda:properties></bpmn:extensionElements></bpmn:endEvent>
  <bpmn:endEvent id="m_granted"/>
  <bpmn:sequenceFlow id="m1" sourceRef="m_start" targetRef="m_review"/>
  <bpmn:sequenceFlow id="m2" sourceRef="m_review" targetRef="m_how"/>
  <bpmn:sequenceFlow id="m_to_denied" sourceRef="m_how" targetRef="m_denied">
    <bpmn:conditionExpression>verdict == 'deny'</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="m_to_granted" sourceRef="m_how" targetRef="m_granted"/>
</bpmn:process>
<bpmn:process id="checked_twice" isExecutable="true">
  <bpmn:startEvent id="t_start"/>
  <bpmn:callActivity id="first_check" name="第一次核查" calledElement="member_check"/>
  <bpmn:callActivity id="second_check" name="第二次核查" calledElement="member_check"/>
  <bpmn:endEvent id="t_end"/>
  <bpmn:sequenceFlow id="t1" sourceRef="t_start" targetRef="first_check"/>
  <bpmn:sequenceFlow id="t2" sourceRef="first_check" targetRef="second_check"/>
  <bpmn:sequenceFlow id="t3" sourceRef="second_check" targetRef="t_end"/>
</bpmn:process>"""


def test_a_process_called_twice_names_neither_call_for_the_others_outcome(api, tmp_path):
    """The two calls share every element id: history cannot say which call a step was of, so neither is
    named (the first one's denial is not the second's)."""
    from tests.api.test_corpus_fixes import write
    from tests.helpers import complete_task

    api.deploy(write(tmp_path, "twice.bpmn", TWICE))
    case = api.start("checked_twice")
    complete_task(api, case["tasks"][0], user="admin", verdict="deny")
    assert members(api, case) == [("第一次核查", None), ("第二次核查", None)]


def test_the_members_of_a_page_of_bundles_read_their_called_diagrams_in_one_query(api, deployed):  # noqa: F811
    """A supervision page of bundles reads every called version at once, not one query per case and item."""
    from tests.helpers import statements

    cases = [accepted_case(api, f"YJS-2026-011{n}") for n in range(3)]
    for warm in (True, False):  # the second time with each diagram's outline cached, as in a running server
        with api.runtime.uow() as uow:
            rows = [uow.session.get(ProcessInstance, case["id"]) for case in cases]
            with statements(api.runtime) as seen:
                found = case_state.members(uow, rows)
    assert [len(found[case["id"]]) for case in cases] == [3, 3, 3]
    # The three members' diagrams in one query (the bundle's own is the rows' loaded definition).
    assert len([s for s in seen if "FROM process_definitions" in s]) == 1
