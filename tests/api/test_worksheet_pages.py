"""The task page as a clerk works it (engine.worksheet through the Flask test client): the case's statutory
clock beside the task, the opinions earlier steps gave, what a refused command says, and what a completion
issued."""
from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from engine.clock import utcnow
from engine.models import ProcessInstance
from tests.api.test_corpus_fixes import flow, write
from tests.api.test_pages import Browser
from tests.helpers import ApiClient, complete_open_task, open_task
from tests.service_items import FOOD_APPLICATION, deploy_item, fire_timer, send_message, supply_materials

JOINT, JOINT_KEY = "ZRZY-XK-0003", "construction_planning_permit"


def signed_in(app: Any, api: ApiClient, name: str) -> Browser:
    """A browser logged in as one of the test cast (with the API token: they have no password)."""
    browser = Browser(app.test_client())
    assert browser.log_in(name, api.token(name)).status_code == 302
    return browser


def task_page(browser: Browser, api: ApiClient, case_id: int, bpmn_id: str) -> str:
    task_id = open_task(api, case_id, bpmn_id)["id"]
    browser.post(f"/tasks/{task_id}/claim")
    page = browser.get(f"/tasks/{task_id}")
    assert page.status_code == 200
    return page.text


def facts(page: str) -> dict[str, str]:
    """The case summary beside the task: each <dt> with its <dd>'s text."""
    side = page[page.index('<aside class="panel side-col">'):]
    return {dt: " ".join(re.sub(r"<[^>]+>", " ", dd).split())
            for dt, dd in re.findall(r"<dt>([^<]+)</dt>\s*<dd[^>]*>(.*?)</dd>", side, re.DOTALL)}


def clock(api: ApiClient, case_id: int) -> dict[str, Any]:
    response = api.as_("supervisor").get(f"/api/process-instances/{case_id}/clock")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def received_weeks_ago(api: ApiClient, business_key: str) -> int:
    started = api.start(JOINT_KEY, business_key=business_key, variables={"applicant_name": "某房地产开发有限公司"})
    with api.runtime.uow() as uow:  # received three weeks ago: the clock starts at acceptance, not here
        uow.session.execute(update(ProcessInstance).where(ProcessInstance.id == started["id"])
                            .values(started_at=utcnow() - timedelta(days=21)))
        uow.commit()
    return int(started["id"])


# ---- the case clock ---------------------------------------------------------------------------------

def test_the_task_page_shows_the_case_clock_not_the_days_since_receipt(app: Any, api: ApiClient) -> None:
    deploy_item(api, JOINT)
    case_id = received_weeks_ago(api, "GH-CLOCK-1")
    window = signed_in(app, api, "window_clerk")
    before = facts(task_page(window, api, case_id, "acceptance_check"))
    assert before["办理时限"] == "受理后开始计算办理时限。" and "办结期限" not in before
    # In 补正 until today, accepted today: the clock has used nothing of its 10 working days.
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", acceptance_decision="incomplete",
                       missing_materials="建设工程设计方案（总平面图及建筑单体方案）：总平面图缺退界尺寸")
    send_message(api, "materials_supplemented", "GH-CLOCK-1")
    supply_materials(api, case_id, JOINT)
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", acceptance_decision="accept")

    lead = signed_in(app, api, "planning_clerk")
    shown, counted = facts(task_page(lead, api, case_id, "lead_review")), clock(api, case_id)
    assert (counted["used_working_days"], counted["remaining_working_days"]) == (0, 10)
    assert shown["办结期限"].startswith(counted["deadline_date"]) and "计时中" in shown["办结期限"]
    assert (shown["已用"], shown["剩余"]) == ("0 个工作日", "10 个工作日")
    assert "已用工作日" not in shown  # the days since receipt, which counted the supplement wait

    complete_open_task(api, case_id, "lead_review", user="planning_clerk", preliminary_opinion="提请联审",
                       inspection_days=5)
    paused = facts(task_page(lead, api, case_id, "inspect"))  # the site inspection is not counted
    assert clock(api, case_id)["state"] == "paused" and "暂停计时" in paused["办结期限"]


# ---- what earlier steps decided ----------------------------------------------------------------------

def opinions(page: str) -> dict[str, dict[str, str]]:
    """The 办理意见 panel: step name -> its values by label."""
    found = re.search(r'<section class="opinions" id="opinions".*?</section>', page, re.DOTALL)
    assert found, "no opinions panel"
    steps = {}
    for name, body in re.findall(r'<p class="opinion-step"><strong>([^<]+)</strong>.*?</p>(.*?)</div>',
                                 found.group(0), re.DOTALL):
        steps[name] = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>", body))
    return steps


def test_the_deciding_step_sees_the_opinions_the_sections_gave_under_their_labels(app: Any, api: ApiClient) -> None:
    deploy_item(api, JOINT)
    started = api.start(JOINT_KEY, business_key="GH-OPINION-1", variables={"applicant_name": "某公司"})
    case_id = started["id"]
    supply_materials(api, case_id, JOINT)
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", acceptance_decision="accept")
    complete_open_task(api, case_id, "lead_review", user="planning_clerk", preliminary_opinion="提请联审",
                       inspection_days=5)
    complete_open_task(api, case_id, "zoning_review", user="zoning_clerk", zoning_result="disagree",
                       zoning_opinion="容积率超出控规")
    complete_open_task(api, case_id, "municipal_review", user="municipal_clerk", municipal_result="agree",
                       municipal_opinion="交通市政条件满足")
    complete_open_task(api, case_id, "inspect", user="planning_clerk", inspection_date="2026-03-06",
                       site_conforms="no", inspection_record="北侧退界不足")

    page = task_page(signed_in(app, api, "planning_clerk"), api, case_id, "lead_decide")
    steps = opinions(page)
    assert list(steps) == ["受理审查", "主办科室初审并发起联审（规划许可科）", "控规符合性审查（详细规划科协办）",
                           "交通市政审查（市政交通规划科协办）", "现场踏勘（主办科室会同协办科室）"]
    assert steps["控规符合性审查（详细规划科协办）"] == {"协办结论": "不同意", "协办意见（详细规划科）": "容积率超出控规"}
    assert steps["现场踏勘（主办科室会同协办科室）"]["现场与申报图纸是否一致"] == "不一致"
    assert "zoning_result" not in page.split('id="opinions"')[1]  # labels, not the variables' names
    assert "zoning_clerk" in page  # who gave it


CONFIDENTIAL = f"""
<bpmn:process id="ws_report" name="举报核查" isExecutable="true">
  <bpmn:extensionElements><camunda:properties>
    <camunda:property name="govflow.confidential" value="reporter_phone"/>
  </camunda:properties></bpmn:extensionElements>
  <bpmn:startEvent id="start"/>
  <bpmn:userTask id="register" name="登记" camunda:candidateGroups="window"/>
  <bpmn:userTask id="check" name="核查" camunda:candidateGroups="window"/>
  <bpmn:endEvent id="end"/>
  {flow("start", "register", "check", "end")}
</bpmn:process>"""


def test_an_earlier_step_s_confidential_value_stays_concealed_and_a_step_without_a_form_shows_its_names(
        app: Any, api: ApiClient, tmp_path: Path) -> None:
    api.deploy(write(tmp_path, "ws_report.bpmn", CONFIDENTIAL))
    case_id = api.start("ws_report", variables={})["id"]
    complete_open_task(api, case_id, "register", user="window_clerk", reporter_phone="13800138000",
                       topic="占道经营", urgent=True)
    page = task_page(signed_in(app, api, "window_clerk"), api, case_id, "check")
    assert opinions(page)["登记"] == {"reporter_phone": "***", "topic": "占道经营", "urgent": "是"}
    assert "13800138000" not in page


# ---- a refused command, in the words of the task's state ---------------------------------------------

def flashes(browser: Browser) -> list[str]:
    page = browser.get("/queue").text
    return [" ".join(re.sub(r"<[^>]+>", "", m).split())
            for m in re.findall(r'<div class="flash flash-\w+" role="status">(.*?)</div>', page, re.DOTALL)]


def test_submitting_a_completed_task_again_says_it_is_done_not_who_claimed_it(app: Any, api: ApiClient) -> None:
    deploy_item(api, JOINT)
    case_id = api.start(JOINT_KEY, business_key="GH-TWICE-1", variables={})["id"]
    supply_materials(api, case_id, JOINT)
    window = signed_in(app, api, "window_clerk")
    task_id = open_task(api, case_id, "acceptance_check")["id"]
    window.post(f"/tasks/{task_id}/claim")
    data = {"data": json.dumps({"acceptance_decision": "accept"})}
    assert window.post(f"/tasks/{task_id}", data, token_from=f"/tasks/{task_id}").status_code == 302
    flashes(window)  # read: the first completion's messages
    again = window.post(f"/tasks/{task_id}", data, token_from="/queue")
    assert again.status_code == 302
    said = flashes(window)
    assert said == ["该任务已办结，无需再次提交。"] and not any("认领" in s for s in said)
    page = window.get(f"/tasks/{task_id}").text  # the task page says so too, and offers no submit
    assert "该任务已由 window_clerk 于" in page and "办结。" in page and 'id="complete-button"' not in page


def test_a_task_a_timer_ended_while_the_clerk_held_it_says_it_was_cancelled(app: Any, api: ApiClient) -> None:
    deploy_item(api, "SCJG-XK-0001")
    case_id = api.start("food_business_licence", business_key="SP-DEEMED-1", variables=FOOD_APPLICATION)["id"]
    window = signed_in(app, api, "window_clerk")
    task_id = open_task(api, case_id, "acceptance_check")["id"]
    window.post(f"/tasks/{task_id}/claim")
    fire_timer(api, case_id, "notice_deadline")  # 5 working days without a notice: deemed accepted
    response = window.post(f"/tasks/{task_id}", {"data": json.dumps({"acceptance_decision": "reject"})},
                           token_from="/queue")
    assert response.status_code == 302
    assert flashes(window) == ["该任务已取消（流程已转向其他环节）。"]
    page = window.get(f"/tasks/{task_id}").text
    assert "该任务已取消" in page and 'id="complete-button"' not in page


def test_a_task_someone_else_holds_still_names_them(app: Any, api: ApiClient) -> None:
    deploy_item(api, JOINT)
    case_id = api.start(JOINT_KEY, business_key="GH-HELD-1", variables={})["id"]
    task_id = open_task(api, case_id, "acceptance_check")["id"]
    assert api.as_("window_clerk2").post(f"/api/tasks/{task_id}/claim").status_code == 200
    window = signed_in(app, api, "window_clerk")
    window.post(f"/tasks/{task_id}", {"data": json.dumps({"acceptance_decision": "accept"})}, token_from="/queue")
    assert flashes(window) == ["该任务已由 window_clerk2 认领。"]


# ---- what a completion issued ----------------------------------------------------------------------

OVERRULED = f"""
<bpmn:process id="ws_overruled" name="窗口受理" isExecutable="true">
  <bpmn:startEvent id="start"/>
  <bpmn:userTask id="decide" name="受理审查" camunda:candidateGroups="window" camunda:formKey="ws-decide.form"/>
  <bpmn:scriptTask id="check" name="核验关键材料" scriptFormat="python">
    <bpmn:script>if opinion == '缺营业执照':
    decision = 'incomplete'</bpmn:script>
  </bpmn:scriptTask>
  <bpmn:intermediateThrowEvent id="notice" name="出具通知书">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="govflow.document" value="ws_notice"/>
    </camunda:properties></bpmn:extensionElements>
  </bpmn:intermediateThrowEvent>
  <bpmn:userTask id="follow" name="跟进" camunda:candidateGroups="window"/>
  <bpmn:endEvent id="end"/>
  {flow("start", "decide", "check", "notice", "follow", "end")}
</bpmn:process>"""
DECIDE_FORM = {"type": "default", "id": "ws-decide", "components": [
    {"type": "radio", "key": "decision", "label": "受理决定", "id": "f1", "validate": {"required": True},
     "values": [{"label": "予以受理", "value": "accept"}, {"label": "材料不全", "value": "incomplete"}]},
    {"type": "textfield", "key": "opinion", "label": "受理意见", "id": "f2"}]}
NOTICE = ("<html><head><title>{% if v.decision == 'incomplete' %}一次性告知通知书{% else %}受理通知书{% endif %}"
          "</title></head><body><p>{{ case.number }}</p></body></html>")


def test_a_completion_names_the_documents_it_issued_and_the_decision_a_script_overruled(
        app: Any, api: ApiClient, tmp_path: Path) -> None:
    (tmp_path / "ws-decide.form").write_text(json.dumps(DECIDE_FORM, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "ws_notice.html").write_text(NOTICE, encoding="utf-8")
    api.deploy(write(tmp_path, "ws_overruled.bpmn", OVERRULED), tmp_path / "ws-decide.form",
               tmp_path / "ws_notice.html")
    case_id = api.start("ws_overruled", business_key="WS-DOC-1", variables={})["id"]
    window = signed_in(app, api, "window_clerk")
    task_id = open_task(api, case_id, "decide")["id"]
    window.post(f"/tasks/{task_id}/claim")
    response = window.post(f"/tasks/{task_id}", {"data": json.dumps({"decision": "accept", "opinion": "缺营业执照"})},
                           token_from=f"/tasks/{task_id}")
    assert response.status_code == 302

    [document] = api.as_("supervisor").get(f"/api/process-instances/{case_id}/documents").get_json()
    page = window.get("/queue").text
    assert "任务已完成（办件 WS-DOC-1）" in page
    assert f'已出具文书：<a href="/cases/{case_id}/documents/{document["id"]}">一次性告知通知书</a>' in page
    assert "流程已将「受理决定」由「予以受理」改为「材料不全」，请核对办理结果。" in page
    assert window.get(f"/cases/{case_id}/documents/{document['id']}").status_code == 200  # the link opens it


def test_a_completion_that_issued_nothing_says_only_that_it_is_done(app: Any, api: ApiClient,
                                                                     tmp_path: Path) -> None:
    (tmp_path / "ws-decide.form").write_text(json.dumps(DECIDE_FORM, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "ws_notice.html").write_text(NOTICE, encoding="utf-8")
    api.deploy(write(tmp_path, "ws_overruled.bpmn", OVERRULED), tmp_path / "ws-decide.form",
               tmp_path / "ws_notice.html")
    case_id = api.start("ws_overruled", business_key="WS-DOC-2", variables={})["id"]
    complete_open_task(api, case_id, "decide", user="window_clerk", decision="accept", opinion="材料齐全")
    window = signed_in(app, api, "window_clerk")
    task_id = open_task(api, case_id, "follow")["id"]
    window.post(f"/tasks/{task_id}/claim")
    window.post(f"/tasks/{task_id}", {"data": "{}"}, token_from=f"/tasks/{task_id}")
    assert flashes(window) == ["任务已完成（办件 WS-DOC-2）"]


@pytest.mark.parametrize("language", ["en"])
def test_the_new_task_page_texts_read_in_english(app: Any, api: ApiClient, tmp_path: Path, language: str) -> None:
    api.deploy(write(tmp_path, "ws_report.bpmn", CONFIDENTIAL))
    case_id = api.start("ws_report", variables={})["id"]
    complete_open_task(api, case_id, "register", user="window_clerk", topic="x")
    window = signed_in(app, api, "window_clerk")
    window.get(f"/lang/{language}?next=/queue")
    assert "Opinions of earlier steps" in task_page(window, api, case_id, "check")
