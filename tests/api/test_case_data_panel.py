"""The case page's 案件数据: each value under the label of the form that asked it, options by their labels,
yes or no for a tick, Chinese as written; what no form asks under its name."""
from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path

from engine.clock import LOCAL_TZ
from tests.api.test_pages_intake import Browser
from tests.helpers import ApiClient, complete_open_task
from tests.service_items import case, deploy_item, send_message, supply_materials

CODE, KEY = "window-acceptance", "window_acceptance"


def data_rows(page: str, panel_id: str = "") -> list[tuple[str, str, str]]:
    """(label, name, value) of the 案件数据 panel: what forms asked (``case-data``), then what the process keeps
    (``process-data``, folded away); one of them with ``panel_id``."""
    panels = re.findall(r'<dl class="facts data" id="([a-z-]+)">(.*?)</dl>', page, re.DOTALL)
    assert panels, "no case data on the page"
    return [(html.unescape(label), html.unescape(name), html.unescape(value)) for found, panel in panels
            if panel_id in ("", found)
            for name, label, value in re.findall(r'<dt title="([^"]*)"[^>]*>(.*?)</dt><dd>(.*?)</dd>', panel, re.DOTALL)]


def test_the_case_data_reads_as_the_forms_asked_it(api: ApiClient) -> None:
    deploy_item(api, CODE)
    case_id = int(api.start(KEY, business_key="SX-2026-000901", variables={
        "applicant_name": "张三", "portal_ref": {"渠道": "网上办事大厅", "编号": 7}})["id"])
    supply_materials(api, case_id, CODE)
    complete_open_task(api, case_id, "accept", user="window_clerk", decision="accept", materials_complete=True,
                       opinion="材料齐全")
    rows = data_rows(Browser(api, "window_clerk").get(f"/cases/{case_id}").text)
    by_name = {name: (label, value) for label, name, value in rows}
    assert by_name["decision"] == ("受理决定", "受理")  # the option's label, not its value
    assert by_name["materials_complete"] == ("材料齐全、符合法定形式", "是")
    assert by_name["applicant_name"] == ("申请人", "张三")
    # What no form asks keeps its name, after the labelled ones, and reads as written.
    assert by_name["portal_ref"] == ("portal_ref", '{"渠道": "网上办事大厅", "编号": 7}')
    names = [name for _, name, _ in rows]
    assert names.index("portal_ref") > names.index("decision")
    page = Browser(api, "window_clerk").get(f"/cases/{case_id}").text
    assert "portal_ref" in {name for _, name, _ in data_rows(page, "process-data")}  # folded away
    assert "portal_ref" not in {name for _, name, _ in data_rows(page, "case-data")}
    assert "流程数据（" in page and "<details class=\"process-data\">" in page


def timeline_texts(page: str, event: str) -> list[str]:
    """The 事件 cell of each timeline row of ``event``."""
    rows = re.findall(rf'<tr data-event="{re.escape(event)}"[^>]*>\s*<td[^>]*>.*?</td>\s*<td>(.*?)</td>', page,
                      re.DOTALL)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in rows]


def test_the_intake_s_applicant_details_read_under_their_labels_and_instants_in_local_time(api: ApiClient) -> None:
    """ZJJ-XK-0012 has no start form: the intake page asks the applicant's details field by field."""
    from tests.api.test_item_tolerant_acceptance import NON_KEY

    deploy_item(api, "ZJJ-XK-0012")
    case_id = int(api.start("construction_work_permit", business_key="ZJ-2026-0901", variables={
        "applicant_name": "洛阳某置业有限公司", "applicant_id_number": "91410300MA44XXXX0X",
        "applicant_phone": "13800138000", "project_name": "滨河花园3号楼"})["id"])
    supply_materials(api, case_id, "ZJJ-XK-0012", leave_out=tuple(NON_KEY))
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", acceptance_decision="tolerant",
                       tolerated_materials=NON_KEY, defect_note="三日内补齐")
    deadline = case(api, case_id)["variables"]["supplement_deadline"]
    browser = Browser(api, "window_clerk")
    rows = data_rows(browser.get(f"/cases/{case_id}").text)
    by_name = {name: (label, value) for label, name, value in rows}
    assert by_name["applicant_name"] == ("申请人", "洛阳某置业有限公司")
    assert by_name["applicant_id_number"] == ("证件号码", "91410300MA44XXXX0X")
    assert by_name["applicant_phone"] == ("联系电话", "13800138000")
    assert by_name["project_name"] == ("项目名称", "滨河花园3号楼")
    # An instant a script kept in UTC reads as the local time it is; a form's values keep their labels.
    local = datetime.fromisoformat(deadline).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    assert by_name["supplement_deadline"] == ("supplement_deadline", local) and local.endswith("23:59")
    assert by_name["tolerated_materials"] == ("容缺材料（仅非关键材料可容缺）", "、".join(NON_KEY))
    english = {name: label for label, name, _ in data_rows(
        browser.client.get(f"/cases/{case_id}", headers={"Accept-Language": "en"}).text)}
    assert english["applicant_phone"] == "Phone"


def test_a_received_message_is_named_after_the_step_that_took_it(api: ApiClient) -> None:
    from tests.api.test_item_tolerant_acceptance import NON_KEY, supply_tolerated

    deploy_item(api, "ZJJ-XK-0012")
    case_id = int(api.start("construction_work_permit", business_key="ZJ-2026-0902")["id"])
    supply_materials(api, case_id, "ZJJ-XK-0012", leave_out=tuple(NON_KEY))
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", acceptance_decision="tolerant",
                       tolerated_materials=NON_KEY, defect_note="三日内补齐")
    supply_tolerated(api, case_id)
    send_message(api, "materials_supplemented", "ZJ-2026-0902")
    page = Browser(api, "window_clerk").get(f"/cases/{case_id}").text
    assert timeline_texts(page, "message.received") == ["收到消息：申请人补齐容缺材料"]


def test_a_message_whose_catching_step_has_no_name_keeps_the_message_s_name(api: ApiClient, tmp_path: Path) -> None:
    diagram = tmp_path / "unnamed_catch.bpmn"
    diagram.write_text(UNNAMED_CATCH, encoding="utf-8")
    api.deploy(diagram)
    case_id = int(api.start("unnamed_catch", business_key="UC-2026-0001")["id"])
    send_message(api, "fee_paid", "UC-2026-0001")
    page = Browser(api, "supervisor").get(f"/cases/{case_id}").text
    assert timeline_texts(page, "message.received") == ["收到消息：fee_paid"]


UNNAMED_CATCH = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_unnamed"
    targetNamespace="http://govflow.example/bpmn">
  <bpmn:message id="Msg_fee" name="fee_paid" />
  <bpmn:process id="unnamed_catch" name="未命名等待" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="paid" />
    <bpmn:intermediateCatchEvent id="paid">
      <bpmn:messageEventDefinition id="paid_message" messageRef="Msg_fee" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="paid" targetRef="office" />
    <bpmn:userTask id="office" name="办理" camunda:candidateGroups="office" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" />
    <bpmn:sequenceFlow id="f2" sourceRef="office" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>
</bpmn:definitions>
"""
