"""What an integrator learns of where a case stands: the case state in approval systems' terms (不予受理,
办结(通过), 撤回 ...) and how an ended case ended, in the case's view and in its events, read by the same
derivation as the applicant's progress."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from engine import Runtime, delivery
from engine.clock import utcnow
from tests.api.test_webhooks import runtime_settings  # noqa: F401 - the webhook tests' settings
from tests.helpers import ApiClient, complete_task
from tests.reviewed_item import reviewed_item_bpmn

# An item whose diagram names its case states: accepted, then approved or deemed withdrawn (逾期未补正).
EXPLICIT = reviewed_item_bpmn("stated_item", "标明办件状态的事项",
                              withdrawn_end=("withdrawn", "逾期未补正，视为撤回申请"))


@pytest.fixture
def stated(api: ApiClient, tmp_path: Path) -> ApiClient:
    (tmp_path / "stated_item.bpmn").write_text(EXPLICIT, encoding="utf-8")
    api.deploy(tmp_path / "stated_item.bpmn")
    return api


def subscribe(api: ApiClient, url: str, **body: Any) -> dict[str, Any]:
    response = api.as_("integrator").post("/api/webhooks", json={"url": url, **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def deliver(runtime: Runtime) -> int:
    return delivery.run_due(runtime, worker_id="test-worker", now=utcnow() + timedelta(seconds=1))


def view(api: ApiClient, case_id: int) -> dict[str, Any]:
    response = api.as_("integrator").get(f"/api/process-instances/{case_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def progress(api: ApiClient, case: dict[str, Any]) -> dict[str, Any]:
    response = api.client.get(f"/api/public/progress/{case['business_key']}",
                              query_string={"code": case["query_code"]})
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def run_stated(api: ApiClient, *, lapsed: bool) -> dict[str, Any]:
    case = api.start("stated_item")
    [accept] = case["tasks"]
    [review] = complete_task(api, accept, user="window_clerk")["tasks"]
    assert complete_task(api, review, user="office_clerk", lapsed=lapsed)["state"] == "completed"
    return case  # type: ignore[no-any-return]


def test_a_rejected_case_reads_不予受理_in_its_view_and_its_completion_event(api, runtime, receiver):
    """The integrator's report: a case rejected at acceptance read ``completed`` and nothing more, and its
    ``instance.completed`` said ``{}``; only the applicant's progress knew 不予受理."""
    subscribe(api, receiver.url, events=["instance.completed"])
    api.deploy("simple_approval.bpmn")
    case = api.start("simple_approval", variables={"reviewGroup": "office"})
    assert complete_task(api, case["tasks"][0], user="window_clerk", accepted=False, amount=5)["state"] == "completed"

    shown = view(api, case["id"])
    assert (shown["state"], shown["case_state"], shown["end_kind"], shown["end_reason"]) == \
        ("completed", "不予受理", None, None)
    assert shown["case_state"] == progress(api, case)["case_state"]
    deliver(runtime)
    [completed] = [r.json for r in receiver.received]
    assert completed["event"] == "instance.completed"
    assert (completed["data"]["case_state"], completed["data"]["end_kind"], completed["data"]["end_reason"]) == \
        ("不予受理", None, None)


def test_each_case_event_says_where_it_left_the_case(stated, runtime, receiver):
    """As of the event, not of the command that made it: completing 受理 sends task.completed at 已接件, then
    accepted and the next step's task.created at 已受理."""
    subscribe(stated, receiver.url, events=["instance.started", "task.created", "task.completed", "accepted",
                                            "instance.completed"])
    case = run_stated(stated, lapsed=False)
    deliver(runtime)
    said = [(r.event, r.json["data"].get("case_state")) for r in receiver.received]
    assert said == [("instance.started", "已接件"), ("task.created", "已接件"), ("task.completed", "已接件"),
                    ("accepted", "已受理"), ("task.created", "已受理"), ("task.completed", "已受理"),
                    ("instance.completed", "办结(通过)")]
    assert view(stated, case["id"])["case_state"] == "办结(通过)"
    assert receiver.received[-1].json["data"]["end_kind"] is None


def test_a_case_deemed_withdrawn_says_so_in_the_words_of_its_end(stated, runtime, receiver):
    subscribe(stated, receiver.url, events=["instance.completed"])
    case = run_stated(stated, lapsed=True)
    shown = view(stated, case["id"])
    assert (shown["case_state"], shown["end_kind"], shown["end_reason"]) == \
        ("撤回", "withdrawn", "逾期未补正，视为撤回申请")
    public = progress(stated, case)
    assert (public["case_state"], public["end_kind"], public["end_reason"]) == \
        (shown["case_state"], shown["end_kind"], shown["end_reason"])
    deliver(runtime)
    [completed] = [r.json["data"] for r in receiver.received]
    assert (completed["case_state"], completed["end_kind"], completed["end_reason"]) == \
        ("撤回", "withdrawn", "逾期未补正，视为撤回申请")


def test_a_terminated_case_says_whether_the_applicant_withdrew_and_staff_read_the_reason(api, runtime, receiver):
    """Staff and integrators read the recorded reason (the applicant reads only who ended it)."""
    subscribe(api, receiver.url, events=["instance.terminated"])
    api.deploy("simple_approval.bpmn")
    ended = {}
    for key, reason in (("withdrew", "应申请人要求撤回申请"), ("office", "材料涉嫌伪造，移交稽查")):
        case = api.start("simple_approval", business_key=key, variables={"reviewGroup": "office"})
        answer = api.as_("supervisor").post(f"/api/process-instances/{case['id']}/terminate", json={"reason": reason})
        assert answer.status_code == 200, answer.get_json()
        ended[key] = view(api, case["id"])
        assert answer.get_json()["case_state"] == ended[key]["case_state"]  # the command's answer is the case's view
    assert (ended["withdrew"]["case_state"], ended["withdrew"]["end_kind"], ended["withdrew"]["end_reason"]) == \
        ("已撤件", "withdrawn", "应申请人要求撤回申请")
    assert (ended["office"]["case_state"], ended["office"]["end_kind"], ended["office"]["end_reason"]) == \
        ("已终止", "terminated", "材料涉嫌伪造，移交稽查")  # not 已撤件: the applicant withdrew nothing
    deliver(runtime)
    said = {r.json["business_key"]: r.json["data"] for r in receiver.received}
    assert (said["withdrew"]["case_state"], said["withdrew"]["end_kind"]) == ("已撤件", "withdrawn")
    assert (said["office"]["case_state"], said["office"]["end_kind"], said["office"]["end_reason"]) == \
        ("已终止", "terminated", "材料涉嫌伪造，移交稽查")


def test_the_terminating_call_says_whether_the_applicant_withdrew_whatever_the_reason_s_wording(api, runtime,
                                                                                                receiver):
    """``withdrawn`` decides over the reason's wording, in the case's view, the case list, the applicant's
    progress and the event webhooks receive."""
    subscribe(api, receiver.url, events=["instance.terminated"])
    api.deploy("simple_approval.bpmn")
    said = {"withdrew": ("依申请人申请撤回", True), "office": ("申请人撤回的说法不实，依法终止", False)}
    for key, (reason, withdrawn) in said.items():
        case = api.start("simple_approval", business_key=key, variables={"reviewGroup": "office"})
        answer = api.as_("supervisor").post(f"/api/process-instances/{case['id']}/terminate",
                                            json={"reason": reason, "withdrawn": withdrawn})
        assert answer.status_code == 200, answer.get_json()
        assert (answer.get_json()["case_state"], answer.get_json()["end_kind"]) == \
            (("已撤件", "withdrawn") if withdrawn else ("已终止", "terminated"))
        assert view(api, case["id"])["end_kind"] == answer.get_json()["end_kind"]
        assert progress(api, case)["end_kind"] == answer.get_json()["end_kind"]
    listed = {c["business_key"]: c["end_kind"] for c in api.as_("supervisor").get("/api/process-instances").get_json()["items"]}
    assert listed == {"withdrew": "withdrawn", "office": "terminated"}
    deliver(runtime)
    sent = {r.json["business_key"]: r.json["data"]["end_kind"] for r in receiver.received}
    assert sent == {"withdrew": "withdrawn", "office": "terminated"}
    refused = api.as_("supervisor").post("/api/process-instances/1/terminate", json={"reason": "x", "withdrawn": "yes"})
    assert refused.status_code == 422


def test_events_carry_no_case_state_work_when_no_webhook_listens(api, monkeypatch):
    """Reading the history for a case state costs a query: only a webhook's delivery reads it."""
    from engine import case_state

    asked: list[int] = []
    real = case_state.as_of

    def as_of(*args: Any, **kwargs: Any) -> Any:
        asked.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(case_state, "as_of", as_of)
    api.deploy("simple_approval.bpmn")
    api.start("simple_approval", variables={"reviewGroup": "office"})
    assert asked == []


def test_the_case_schema_documents_the_case_state(api):
    spec = api.client.get("/api/openapi.json").get_json()
    properties = spec["components"]["schemas"]["Instance"]["properties"]
    assert {"case_state", "end_kind", "end_reason"} <= set(properties)
    assert "不予受理" in properties["case_state"]["description"]


PLAIN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_plain" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="plain_payment" name="Payment check" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:userTask id="check" name="Check payment" camunda:candidateGroups="office" />
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end" />
    <bpmn:endEvent id="end" name="Payment checked" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_case_whose_diagram_names_no_end_state_reads_concluded_once_completed(api: ApiClient,
                                                                                 tmp_path: Path) -> None:
    (tmp_path / "plain_payment.bpmn").write_text(PLAIN, encoding="utf-8")
    api.deploy(tmp_path / "plain_payment.bpmn")
    case = api.start("plain_payment", business_key="INS-1")
    assert view(api, case["id"])["case_state"] == "已接件"
    complete_task(api, case["tasks"][0], user="office_clerk")
    shown = view(api, case["id"])
    assert (shown["state"], shown["case_state"]) == ("completed", "办结")  # not 已接件, as if still waiting
    from engine import instances
    from engine.users import SYSTEM

    listed, _ = instances.case_list(api.runtime.uow(), actor=SYSTEM, state="completed")  # the case list's outcome
    assert [(c.case.business_key, c.outcome) for c in listed] == [("INS-1", "办结")]
