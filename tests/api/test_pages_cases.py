"""The case pages as a clerk reads them: what a waiting case awaits (messages by the diagram's names,
timers with their due time), recording a message it waits for from the case page (the supplement the
applicant brought to the window), and the case list with each case's item, outcome and deadline."""
from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest

from engine.clock import LOCAL_TZ
from engine.models import CaseClock
from tests.helpers import ApiClient, complete_open_task, open_steps, seed_national_calendar, statements
from tests.service_items import fire_timer, history_events, pending_timer


class Browser:
    """A test client logged in with a user's API token; posts carry the page's CSRF token."""

    def __init__(self, api: ApiClient, name: str) -> None:
        self.client = api.client.application.test_client()
        token = self.csrf("/login")
        response = self.client.post("/login", data={"name": name, "secret": api.token(name), "csrf_token": token})
        assert response.status_code == 302, response.text

    def csrf(self, url: str) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.client.get(url).text)
        assert found, f"no CSRF token on {url}"
        return found.group(1)

    def get(self, url: str) -> Any:
        return self.client.get(url)

    def post(self, url: str, data: dict[str, Any], *, token_from: str) -> Any:
        return self.client.post(url, data={"csrf_token": self.csrf(token_from), **data})


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


# ---- the item: accepted, rejected, or sent for a supplement; decided, or stopped -------------------

# As the library's items draw it (bpmn/*/): a one-time notice (一次性告知) makes the case wait for the
# applicant's supplement (the message materials_supplemented) or for its deadline, after which the
# application counts as withdrawn; the time-limit clock runs from acceptance to the decision.
ITEM = "licence_item"
ITEM_NAME = "某某许可（测试事项）"
ITEM_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    id="Defs_licence_item" targetNamespace="http://govflow.example/bpmn">
  <bpmn:message id="Msg_materials_supplemented" name="materials_supplemented" />
  <bpmn:process id="{ITEM}" name="{ITEM_NAME}" isExecutable="true">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="govflow.promisedDays" value="10" />
    </camunda:properties></bpmn:extensionElements>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="accept" />
    <bpmn:userTask id="accept" name="受理审查" camunda:candidateGroups="window" />
    <bpmn:sequenceFlow id="f2" sourceRef="accept" targetRef="outcome" />
    <bpmn:exclusiveGateway id="outcome" default="to_reject" />
    <bpmn:sequenceFlow id="to_accept" sourceRef="outcome" targetRef="accepted">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${{decision == 'accept'}}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_supplement" sourceRef="outcome" targetRef="supplement_notice">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${{decision == 'incomplete'}}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_reject" sourceRef="outcome" targetRef="rejection_notice" />
    <bpmn:intermediateThrowEvent id="rejection_notice" name="出具不予受理通知书">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="govflow.caseState" value="不予受理" />
      </camunda:properties></bpmn:extensionElements>
    </bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f_rejected" sourceRef="rejection_notice" targetRef="rejected" />
    <bpmn:endEvent id="rejected" name="不予受理" />
    <bpmn:intermediateThrowEvent id="supplement_notice" name="出具一次性告知通知书">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="govflow.caseState" value="补正(开始)" />
      </camunda:properties></bpmn:extensionElements>
    </bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f_wait" sourceRef="supplement_notice" targetRef="wait_supplement" />
    <bpmn:eventBasedGateway id="wait_supplement" name="等待补正" />
    <bpmn:sequenceFlow id="f_supplemented" sourceRef="wait_supplement" targetRef="supplemented" />
    <bpmn:sequenceFlow id="f_expired" sourceRef="wait_supplement" targetRef="supplement_expired" />
    <bpmn:intermediateCatchEvent id="supplemented" name="申请人补正材料">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="govflow.caseState" value="补正(结束)" />
        <camunda:property name="govflow.recordable" value="true" />
      </camunda:properties></bpmn:extensionElements>
      <bpmn:messageEventDefinition id="supplemented_message" messageRef="Msg_materials_supplemented" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f_resubmitted" sourceRef="supplemented" targetRef="accept" />
    <bpmn:intermediateCatchEvent id="supplement_expired" name="补正期限届满">
      <bpmn:timerEventDefinition id="supplement_expired_timer">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P20D</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f_withdrawn" sourceRef="supplement_expired" targetRef="withdrawn" />
    <bpmn:endEvent id="withdrawn" name="逾期未补正，视为撤回申请">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="govflow.caseState" value="撤回" />
      </camunda:properties></bpmn:extensionElements>
    </bpmn:endEvent>
    <bpmn:intermediateThrowEvent id="accepted" name="出具受理通知书">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="govflow.clock" value="start" />
        <camunda:property name="govflow.caseState" value="已受理" />
      </camunda:properties></bpmn:extensionElements>
    </bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f_review" sourceRef="accepted" targetRef="review" />
    <bpmn:userTask id="review" name="审查决定" camunda:candidateGroups="window">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="govflow.clock" value="stop" />
      </camunda:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f_decided" sourceRef="review" targetRef="decided" />
    <bpmn:exclusiveGateway id="decided" default="to_grant" />
    <bpmn:sequenceFlow id="to_grant" sourceRef="decided" targetRef="granted" />
    <bpmn:sequenceFlow id="to_stop" sourceRef="decided" targetRef="stopped">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${{result == 'stop'}}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="granted" name="办结（准予许可）">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="govflow.caseState" value="办结(通过)" />
      </camunda:properties></bpmn:extensionElements>
    </bpmn:endEvent>
    <bpmn:endEvent id="stopped" name="中止审批，视为撤回申请">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="govflow.caseState" value="撤回" />
      </camunda:properties></bpmn:extensionElements>
    </bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""
# A diagram that marks no case states: its ends' names say how a case ended (engine.timeline).
PLAIN = "plain_item"
PLAIN_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_plain_item" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="{PLAIN}" name="简易事项" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:userTask id="decide" name="审批" camunda:candidateGroups="window" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="denied" />
    <bpmn:endEvent id="denied" name="办结（不予许可）" />
  </bpmn:process>
</bpmn:definitions>
"""


def deploy(api: ApiClient) -> None:
    seed_national_calendar(api.runtime)
    files = [(io.BytesIO(content.encode()), name) for name, content in
             (("licence_item.bpmn", ITEM_BPMN), ("plain_item.bpmn", PLAIN_BPMN))]
    analyst = api.as_("analyst")
    response = analyst.client.post("/api/deployments", data={"files": files}, headers=analyst.headers(),
                                   content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()


def start(api: ApiClient, number: str, key: str = ITEM) -> int:
    return api.start(key, business_key=number, variables={"applicant_name": "洛阳某酒店管理有限公司"})["id"]


def decide(api: ApiClient, case_id: int, step: str, **variables: Any) -> None:
    complete_open_task(api, case_id, step, user="window_clerk", **variables)


def awaiting_supplement(api: ApiClient, number: str = "XK-2026-0201") -> int:
    """A case the window found incomplete: it waits for the applicant's supplement (补正), or its deadline."""
    case_id = start(api, number)
    decide(api, case_id, "accept", decision="incomplete")
    assert open_steps(api, case_id) == []
    return case_id


# ---- what a waiting case awaits, and recording it ---------------------------------------------------

def waits_panel(page: str) -> str:
    found = re.search(r'<section class="panel waits-panel">.*?</section>', page, re.DOTALL)
    return found.group(0) if found else ""


@pytest.fixture
def waiting(api: ApiClient) -> int:
    deploy(api)
    return awaiting_supplement(api)


def test_the_case_page_says_what_the_case_waits_for_by_the_diagram_s_names_and_when_its_deadline_falls(
        api: ApiClient, waiting: int) -> None:
    panel = waits_panel(Browser(api, "window_clerk").get(f"/cases/{waiting}").text)
    assert panel, "the case page says nothing of what the case waits for"
    due = pending_timer(api, waiting, "wait_supplement").due_at.astimezone(LOCAL_TZ)
    [message] = re.findall(r'<tr class="wait-row wait-message".*?</tr>', panel, re.DOTALL)
    [timer] = re.findall(r'<tr class="wait-row wait-timer".*?</tr>', panel, re.DOTALL)
    # The step as the diagram draws it (the message's name a hover: the clerk records it by the step), and the
    # button named after the step; the message's name beside it for an integrator, who sends it.
    assert text(message).startswith("申请人补正材料 等待消息") and 'title="materials_supplemented"' in message
    integrator = waits_panel(Browser(api, "integrator").get(f"/cases/{waiting}").text)
    assert "申请人补正材料 materials_supplemented 等待消息" in text(integrator)
    assert 'data-message="materials_supplemented"' in message and "记录：申请人补正材料" in message
    assert text(timer) == f"补正期限届满 定时 到期时间 {due:%Y-%m-%d %H:%M}"


def test_a_supervisor_reads_the_waits_but_records_nothing(api: ApiClient, waiting: int) -> None:
    panel = waits_panel(Browser(api, "supervisor").get(f"/cases/{waiting}").text)
    assert "申请人补正材料" in panel and "record-message" not in panel


def test_the_window_clerk_records_the_supplement_with_a_note_and_the_case_moves_on(api: ApiClient,
                                                                                  waiting: int) -> None:
    clerk = Browser(api, "window_clerk")
    response = clerk.post(f"/cases/{waiting}/messages", {"message": "materials_supplemented",
                                                         "note": "申请人到窗口补交布局图"}, token_from=f"/cases/{waiting}")
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{waiting}"
    page = clerk.get(f"/cases/{waiting}").text
    assert "已记录：申请人补正材料" in page
    assert open_steps(api, waiting) == ["accept"]  # back at the window, not withdrawn
    [received] = [e for e in history_events(api, waiting) if e["event"] == "message.received"]
    assert received["actor"] == "window_clerk" and received["data"]["message"] == "materials_supplemented"
    assert received["data"]["note"] == "申请人到窗口补交布局图"
    assert "申请人到窗口补交布局图" in page  # the timeline shows the note
    assert waits_panel(page) == ""  # neither the message nor its deadline is awaited any more


def test_a_wait_recorded_meanwhile_is_said_and_not_recorded_twice(api: ApiClient, waiting: int) -> None:
    clerk = Browser(api, "window_clerk")
    form = {"message": "materials_supplemented"}
    clerk.post(f"/cases/{waiting}/messages", form, token_from=f"/cases/{waiting}")
    again = clerk.post(f"/cases/{waiting}/messages", form, token_from=f"/cases/{waiting}")
    assert again.status_code == 302
    assert "办件已不在等待此消息，未作记录。" in clerk.get(f"/cases/{waiting}").text
    assert [e["event"] for e in history_events(api, waiting)].count("message.received") == 1


def test_a_clerk_outside_the_case_can_neither_read_nor_record_it(api: ApiClient, waiting: int) -> None:
    office = Browser(api, "office_clerk")
    assert office.get(f"/cases/{waiting}").status_code == 404
    refused = office.post(f"/cases/{waiting}/messages", {"message": "materials_supplemented"}, token_from="/cases")
    assert refused.status_code == 404
    assert open_steps(api, waiting) == []


def test_the_case_page_offers_to_record_only_what_the_diagram_marks_recordable(api: ApiClient, tmp_path: Any) -> None:
    """The caller waits for the payment platform (not recordable), the process it calls for the applicant's
    supplement (recordable, named in the called diagram): the clerk gets a button for the supplement only,
    and the fee says who sends it; an admin, who may send any message, gets both."""
    from tests.api.test_messages import joint_case

    case_id = joint_case(api, tmp_path, "LB-2026-0101")
    clerk = Browser(api, "window_clerk")
    rows = re.findall(r'<tr class="wait-row wait-message".*?</tr>', waits_panel(clerk.get(f"/cases/{case_id}").text),
                      re.DOTALL)
    by_message = {re.search(r'data-message="([^"]+)"', row).group(1): row for row in rows}  # type: ignore[union-attr]
    supplement, fee = by_message["materials_supplemented"], by_message["fee_paid"]
    assert "record-message" in supplement and "记录：申请人补交分项材料" in supplement
    assert "由系统对接发送" not in supplement
    assert "record-message" not in fee and "由系统对接发送" in text(fee)
    assert text(fee).startswith("缴费确认（非税支付平台） 等待消息") and 'title="fee_paid"' in fee
    admin_panel = waits_panel(Browser(api, "admin").get(f"/cases/{case_id}").text)
    assert admin_panel.count('class="record-message') == 2
    # A form made up for the fee is refused, and says why.
    clerk.post(f"/cases/{case_id}/messages", {"message": "fee_paid"}, token_from=f"/cases/{case_id}")
    assert "缴费确认（非税支付平台）由系统对接发送，不能在办件页记录。" in clerk.get(f"/cases/{case_id}").text
    assert [e for e in history_events(api, case_id) if e["event"] == "message.received"] == []
    clerk.post(f"/cases/{case_id}/messages", {"message": "materials_supplemented"}, token_from=f"/cases/{case_id}")
    assert [(e["actor"], e["data"]["message"]) for e in history_events(api, case_id)
            if e["event"] == "message.received"] == [("window_clerk", "materials_supplemented")]


def test_the_library_s_credit_check_is_the_platform_s_to_send_and_its_supplement_the_window_s(api: ApiClient) -> None:
    """公共场所卫生许可 (bpmn/WJW-XK-0005): the credit platform answers 信用核查; the applicant brings the
    supplement to the window."""
    from tests.service_items import deploy_item

    deploy_item(api, "WJW-XK-0005")
    clerk = Browser(api, "window_clerk")
    started = api.as_("window_clerk").post("/api/process-definitions/public_venue_hygiene_licence/start", json={
        "business_key": "WJ-2026-0301", "variables": {"applicant_name": "洛阳某酒店管理有限公司"}})
    case_id = started.get_json()["id"]
    panel = waits_panel(clerk.get(f"/cases/{case_id}").text)
    assert 'data-message="credit_checked"' in panel and "由系统对接发送" in panel and "record-message" not in panel
    response = api.as_("integrator").post("/api/messages", json={
        "name": "credit_checked", "process_instance_id": case_id, "variables": {"credit_status": "good"}})
    assert response.status_code == 200, response.get_json()
    decide(api, case_id, "accept_commitment", commitment_signed=True, acceptance_decision="incomplete",
           missing_materials="公共场所地址方位示意图、平面图和卫生设施平面布局图：未标注布草间位置")
    panel = waits_panel(clerk.get(f"/cases/{case_id}").text)
    assert "记录：申请人补正材料" in panel and "由系统对接发送" not in panel


# ---- the case list ------------------------------------------------------------------------------

def list_rows(browser: Browser, url: str = "/cases") -> dict[int, list[str]]:
    """Case id -> the text of each cell of its row."""
    page = browser.get(url).text
    return {int(case_id): [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
            for case_id, row in re.findall(r'<tr class="case-row" data-case="(\d+)">(.*?)</tr>', page, re.DOTALL)}


def test_the_case_list_names_the_item_and_how_each_case_ended_and_its_deadline(api: ApiClient) -> None:
    deploy(api)
    refused = start(api, "XK-2026-0301")
    decide(api, refused, "accept", decision="reject")
    expired = awaiting_supplement(api, "XK-2026-0302")
    fire_timer(api, expired, "wait_supplement")  # not supplemented in time: deemed withdrawn
    granted = start(api, "XK-2026-0303")
    decide(api, granted, "accept", decision="accept")
    decide(api, granted, "review", result="grant")
    stopped = start(api, "XK-2026-0304")
    decide(api, stopped, "accept", decision="accept")
    decide(api, stopped, "review", result="stop")
    running = start(api, "XK-2026-0305")
    decide(api, running, "accept", decision="accept")
    withdrawn = start(api, "XK-2026-0306")
    api.as_("supervisor").post(f"/api/process-instances/{withdrawn}/terminate", json={"reason": "申请人撤回申请"})
    denied = start(api, "XK-2026-0307", PLAIN)
    decide(api, denied, "decide")
    with api.runtime.uow() as uow:
        clock = uow.session.get(CaseClock, running)
        assert clock is not None
        deadline = clock.deadline_at.astimezone(LOCAL_TZ)

    rows = list_rows(Browser(api, "window_clerk"))
    # number, item, state or outcome, open tasks, deadline, started, ended
    items = {case_id: cells[1] for case_id, cells in rows.items()}
    assert items == {**dict.fromkeys([refused, expired, granted, stopped, running, withdrawn], ITEM_NAME),
                     denied: "简易事项"}
    assert rows[refused][2] == "不予受理"  # the state its notice reached; its end says no more
    assert rows[expired][2] == "撤回 逾期未补正，视为撤回申请"
    assert rows[granted][2] == "办结(通过) 办结（准予许可）"
    assert rows[stopped][2] == "撤回 中止审批，视为撤回申请"
    assert rows[withdrawn][2] == "已撤件 申请人撤回申请"
    assert rows[denied][2] == "办结(不通过) 办结（不予许可）"
    assert rows[running][2:5] == ["办理中", "审查决定", f"{deadline:%Y-%m-%d}"]
    assert rows[refused][4] == ""  # never accepted: no time limit ran


def test_the_case_list_reads_a_page_in_the_same_number_of_queries_whatever_its_cases(api: ApiClient) -> None:
    deploy(api)
    clerk = Browser(api, "window_clerk")

    def queries() -> int:
        with statements(api.runtime) as seen:
            assert clerk.get("/cases").status_code == 200
        return len(seen)

    def add(first: int, last: int) -> None:
        for n in range(first, last):
            decide(api, start(api, f"XK-2026-04{n:02d}"), "accept", decision="reject")
            decide(api, start(api, f"XK-2026-05{n:02d}"), "accept", decision="accept")

    add(0, 2)
    clerk.get("/cases")  # the diagram's metadata is read once per process
    few = queries()
    add(2, 6)
    assert len(list_rows(clerk)) == 12
    assert queries() == few


def test_a_paused_clock_is_not_listed_as_overdue_with_a_deadline_it_has_left(api: ApiClient) -> None:
    """A paused clock's stored deadline moves on at its resumption: the list says it is paused, not late."""
    from datetime import timedelta

    from engine.clock import utcnow

    deploy(api)
    paused = start(api, "XK-2026-0401")
    decide(api, paused, "accept", decision="accept")
    with api.runtime.uow() as uow:
        clock = uow.session.get(CaseClock, paused)
        assert clock is not None
        clock.state, clock.deadline_at = "paused", utcnow() - timedelta(days=30)
        uow.commit()

    cells = list_rows(Browser(api, "window_clerk"))[paused]
    assert "已超期" not in cells[4] and "暂停计时" in cells[4]


def test_the_case_list_filters_by_item_and_the_filter_keeps_its_choice(api: ApiClient) -> None:
    deploy(api)
    licence = start(api, "XK-2026-0601")
    plain = start(api, "XK-2026-0602", key=PLAIN)
    supervisor = Browser(api, "supervisor")
    assert set(list_rows(supervisor)) == {licence, plain}
    assert set(list_rows(supervisor, f"/cases?item={PLAIN}")) == {plain}
    assert re.search(rf'<option value="{PLAIN}" selected>', supervisor.get(f"/cases?item={PLAIN}").text)
    assert set(list_rows(supervisor, "/cases?item=no_such_item")) == {licence, plain}  # an address typed: all


def test_the_open_tasks_link_to_their_page_only_for_who_may_open_it(api: ApiClient) -> None:
    """The integrator that started a case reads it, but a clerk's task page is not theirs (it would be a 404)."""
    api.deploy("simple_approval.bpmn")
    case = api.as_("integrator").start("simple_approval", variables={"reviewGroup": "office"})
    task_id = case["tasks"][0]["id"]

    def open_tasks(name: str) -> str:
        page = Browser(api, name).get(f"/cases/{case['id']}").text
        return page.split('<ul class="open-tasks">', 1)[1].split("</ul>", 1)[0]

    assert f'href="/tasks/{task_id}"' in open_tasks("supervisor")
    listed = open_tasks("integrator")
    assert f"/tasks/{task_id}" not in listed and 'class="task-name"' in listed
    assert Browser(api, "integrator").get(f"/tasks/{task_id}").status_code == 404  # why it is not linked
