"""暂存: a clerk saves a task's form without completing it (POST /api/tasks/ID/save, the task page's 暂存
button); whoever opens the task next finds the values in its form, the colleague it is handed to (转交) too;
the completion takes what it is sent; history says who saved which fields, never the values."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from engine import tasks, users
from engine.users import Actor
from tests.api.test_corpus_fixes import flow, write
from tests.api.test_pages import PASSWORD, Browser

ITEM = f"""
<bpmn:process id="draft_item" isExecutable="true">
  <bpmn:extensionElements><camunda:properties>
    <camunda:property name="govflow.confidential" value="phone"/>
  </camunda:properties></bpmn:extensionElements>
  <bpmn:startEvent id="start"/>
  <bpmn:userTask id="accept" name="受理审查" camunda:candidateGroups="window" camunda:formKey="draft-accept.form"/>
  <bpmn:endEvent id="end"/>
  {flow("start", "accept", "end")}
</bpmn:process>"""
FORM = {
    "type": "default", "id": "draft_accept", "schemaVersion": 16,
    "components": [
        {"type": "textfield", "id": "applicantName", "key": "applicantName", "label": "申请人", "readonly": True},
        {"type": "radio", "id": "decision", "key": "decision", "label": "受理决定", "validate": {"required": True},
         "values": [{"label": "受理", "value": "accept"}, {"label": "不予受理", "value": "reject"}]},
        {"type": "textarea", "id": "opinion", "key": "opinion", "label": "受理意见"},
        {"type": "textfield", "id": "phone", "key": "phone", "label": "联系电话"},
    ],
}
PHONE = "13812345678"
OPINION = "材料齐全，予以受理。"


@pytest.fixture
def held(api, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A draft_item case whose acceptance task window_clerk holds."""
    form = tmp_path / "draft-accept.form"
    form.write_text(json.dumps(FORM, ensure_ascii=False))
    api.deploy(write(tmp_path, "draft_item.bpmn", ITEM), form)
    for name in ("window_clerk", "window_clerk2", "office_clerk", "supervisor"):
        api.token(name)
    case = api.start("draft_item", variables={"applicantName": "张三", "phone": ""})
    [task] = case["tasks"]
    assert api.as_("window_clerk").post(f"/api/tasks/{task['id']}/claim").status_code == 200
    return api, task


def _save(api, user: str, task: dict[str, Any], variables: Any) -> Any:  # type: ignore[no-untyped-def]
    return api.as_(user).post(f"/api/tasks/{task['id']}/save", json={"variables": variables})


def _form_data(api, user: str, task: dict[str, Any]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = api.as_(user).get(f"/api/tasks/{task['id']}/form")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["data"]


def _history(api, task: dict[str, Any]) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    answer = api.as_("supervisor").get(f"/api/process-instances/{task['process_instance_id']}/history")
    return answer.get_json()


# ---- the API ---------------------------------------------------------------------------------------

def test_saved_values_prefill_the_form_for_its_holder_and_the_colleague_it_is_handed_to(held):
    api, task = held
    saved = _save(api, "window_clerk", task, {"decision": "accept", "opinion": OPINION})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["state"] == "READY" and saved.get_json()["assignee"] == "window_clerk"
    assert _form_data(api, "window_clerk", task) == {"applicantName": "张三", "decision": "accept",
                                                     "opinion": OPINION, "phone": ""}
    # The task's, not the case's: the case's variables do not hold them.
    variables = api.as_("supervisor").get(f"/api/process-instances/{task['process_instance_id']}").get_json()
    assert "opinion" not in variables["variables"] and "decision" not in variables["variables"]
    assert api.as_("window_clerk").post(f"/api/tasks/{task['id']}/assign",
                                        json={"assignee": "window_clerk2"}).status_code == 200
    assert _form_data(api, "window_clerk2", task)["opinion"] == OPINION
    # A later save replaces the last one.
    assert _save(api, "window_clerk2", task, {"opinion": "补正后受理"}).status_code == 200
    data = _form_data(api, "window_clerk2", task)
    assert data["opinion"] == "补正后受理" and "decision" not in data


def test_the_completion_takes_what_it_is_sent_not_what_was_saved(held):
    api, task = held
    assert _save(api, "window_clerk", task, {"decision": "reject", "opinion": OPINION}).status_code == 200
    done = api.as_("window_clerk").post(f"/api/tasks/{task['id']}/complete",
                                        json={"variables": {"decision": "accept"}})
    assert done.status_code == 200, done.get_json()
    variables = api.as_("supervisor").get(f"/api/process-instances/{task['process_instance_id']}").get_json()["variables"]
    assert variables["decision"] == "accept" and "opinion" not in variables  # not sent: not the case's


def test_a_draft_may_be_incomplete_but_its_values_are_checked_as_variables_are(held):
    api, task = held
    assert _save(api, "window_clerk", task, {}).status_code == 200  # the required decision left out
    for variables, field in (({"_opinion": "x"}, "variables._opinion"), ({"remark": "x"}, "variables.remark"),
                             ({"opinion": {"typename": "x"}}, "variables.opinion.typename"), ([1], "variables")):
        refused = _save(api, "window_clerk", task, variables)
        assert refused.status_code == 422, (variables, refused.get_json())
        assert refused.get_json()["error"]["details"][0]["field"] == field, refused.get_json()
    # A readonly field keeps the case's value: what was sent for it is dropped.
    assert _save(api, "window_clerk", task, {"applicantName": "李四", "opinion": "x"}).status_code == 200
    assert _form_data(api, "window_clerk", task)["applicantName"] == "张三"
    big = api.as_("window_clerk").post(f"/api/tasks/{task['id']}/save",
                                       json={"variables": {"opinion": "长" * (1024 * 1024)}})
    assert big.status_code == 413 and big.get_json()["error"]["code"]


def test_only_whoever_may_complete_the_task_may_save_it(held):
    api, task = held
    body = {"opinion": OPINION}
    assert _save(api, "window_clerk2", task, body).status_code == 409  # claimed by window_clerk
    assert _save(api, "office_clerk", task, body).status_code == 404  # not theirs to see
    assert _save(api, "supervisor", task, body).status_code == 403  # reads, does not work tasks
    unheld = api.start("draft_item", variables={"applicantName": "王五"})["tasks"][0]
    assert _save(api, "window_clerk2", unheld, body).status_code == 200  # a candidate, as a completion may
    suspended = api.as_("supervisor").post(f"/api/process-instances/{task['process_instance_id']}/suspend")
    assert suspended.status_code == 200, suspended.get_json()
    assert _save(api, "window_clerk", task, body).status_code == 409
    api.as_("supervisor").post(f"/api/process-instances/{task['process_instance_id']}/resume")
    assert api.as_("window_clerk").post(f"/api/tasks/{task['id']}/complete",
                                        json={"variables": {"decision": "accept"}}).status_code == 200
    late = _save(api, "window_clerk", task, body)
    assert late.status_code == 409 and late.get_json()["error"]["code"]


def test_history_says_who_saved_which_fields_never_the_confidential_values(held):
    api, task = held
    before = len(_history(api, task))
    assert _save(api, "window_clerk", task, {"opinion": OPINION, "phone": PHONE}).status_code == 200
    assert [e["event"] for e in _history(api, task)[before:]] == ["task.saved"]  # nothing else ran
    assert _save(api, "window_clerk", task, {"opinion": OPINION, "phone": PHONE, "decision": "accept"}
                 ).status_code == 200
    saves = [e for e in _history(api, task) if e["event"] == "task.saved"]
    assert [(e["actor"], e["task_id"], e["data"]) for e in saves] == [
        ("window_clerk", task["id"], {"fields": ["opinion", "phone"]}),
        ("window_clerk", task["id"], {"fields": ["decision"]})]
    assert all(e["at"] for e in saves)
    assert PHONE not in json.dumps(_history(api, task), ensure_ascii=False)
    # The form still shows the confidential field to the task's worker: it lists it.
    assert _form_data(api, "window_clerk", task)["phone"] == PHONE


def test_the_api_documents_the_save(api):
    spec = api.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/tasks/{task_id}/save"]["post"]
    assert {"200", "409", "422"} <= set(operation["responses"])


# ---- the task page ---------------------------------------------------------------------------------

@pytest.fixture
def desk(runtime, app, held):  # type: ignore[no-untyped-def]
    """wang, logged in to the pages, holds the acceptance task; li is a window colleague."""
    api, _ = held
    for name in ("wang", "li"):
        users.add_user(runtime.uow(), name, groups=["window"], roles=["clerk"], actor=users.SYSTEM)
        users.set_password(runtime.uow(), name, PASSWORD, actor=users.SYSTEM)
    task = api.start("draft_item", variables={"applicantName": "张三"})["tasks"][0]
    tasks.claim(runtime.uow(), task["id"], actor=Actor("wang", frozenset({"window"}), frozenset({"clerk"})))
    browser = Browser(app.test_client())
    assert browser.log_in("wang").status_code == 302
    return browser, task["id"]


def _prefill(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="form-data">(.*?)</script>', page, re.DOTALL)
    assert found, "no form data"
    return json.loads(found.group(1))


def test_the_page_s_save_keeps_the_values_and_shows_them_again(desk):
    browser, task_id = desk
    page = browser.get(f"/tasks/{task_id}").text
    assert 'id="save-button"' in page and ">暂存</button>" in page and 'id="handover-data"' in page
    data = json.dumps({"decision": "accept", "opinion": OPINION}, ensure_ascii=False)
    response = browser.post(f"/tasks/{task_id}/save", {"data": data}, token_from=f"/tasks/{task_id}")
    assert response.status_code == 302 and response.headers["Location"] == f"/tasks/{task_id}"
    page = browser.get(f"/tasks/{task_id}").text
    assert "已暂存，任务尚未完成。" in page
    assert _prefill(page) == {"applicantName": "张三", "decision": "accept", "opinion": OPINION}
    case_id = re.search(r'href="/cases/(\d+)"', page).group(1)
    assert "暂存：受理审查" in browser.get(f"/cases/{case_id}").text  # the case's timeline says who saved when
    refused = browser.post(f"/tasks/{task_id}/save", {"data": json.dumps({"remark": "x"})},
                           token_from=f"/tasks/{task_id}")
    assert refused.status_code == 422 and "不是该表单的字段" in refused.text


def test_the_page_s_handover_takes_the_values_along_to_the_colleague(desk, app):
    browser, task_id = desk
    data = json.dumps({"decision": "accept", "opinion": OPINION}, ensure_ascii=False)
    response = browser.post(f"/tasks/{task_id}/handover", {"assignee": "li", "data": data},
                            token_from=f"/tasks/{task_id}")
    assert response.status_code == 302 and response.headers["Location"] == "/queue"
    queue = browser.get("/queue").text
    assert "已转交 li：受理审查" in queue and "已填写的内容已随任务转交，li 打开任务即可看到。" in queue
    colleague = Browser(app.test_client())
    assert colleague.log_in("li").status_code == 302
    page = colleague.get(f"/tasks/{task_id}").text
    assert _prefill(page)["opinion"] == OPINION and _prefill(page)["decision"] == "accept"
    assert 'id="save-button"' in page  # li holds it now


def test_a_handover_whose_values_are_refused_does_not_hand_the_task_over(desk):
    browser, task_id = desk
    response = browser.post(f"/tasks/{task_id}/handover", {"assignee": "li", "data": json.dumps({"remark": "x"})},
                            token_from=f"/tasks/{task_id}")
    assert response.status_code == 302 and response.headers["Location"] == f"/tasks/{task_id}"
    page = browser.get(f"/tasks/{task_id}").text
    assert "未能转交：填写的内容未能暂存" in page and 'id="handover-form"' in page


def test_values_saved_with_a_task_that_ends_uncompleted_are_not_kept(held):
    """A termination (or a boundary event) ends the task: nobody reads its saved values again, and they may
    hold confidential ones, so the stored case keeps none."""
    from sqlalchemy import select

    from engine.models import ProcessInstance

    api, task = held
    assert _save(api, "window_clerk", task, {"opinion": OPINION, "phone": PHONE}).status_code == 200
    with api.runtime.uow() as uow:
        stored = uow.session.scalar(select(ProcessInstance.workflow).where(ProcessInstance.id == task["process_instance_id"]))
    assert PHONE.encode() in stored  # kept while the task is open
    ended = api.as_("supervisor").post(f"/api/process-instances/{task['process_instance_id']}/terminate",
                                       json={"reason": "申请人撤回申请"})
    assert ended.status_code == 200
    with api.runtime.uow() as uow:
        stored = uow.session.scalar(select(ProcessInstance.workflow).where(ProcessInstance.id == task["process_instance_id"]))
    assert PHONE.encode() not in stored and OPINION.encode() not in stored


def test_a_clerk_may_not_hand_a_task_to_an_admin_through_the_api_either(held):
    api, task = held
    api.token("admin")
    refused = api.as_("window_clerk").post(f"/api/tasks/{task['id']}/assign", json={"assignee": "admin"})
    assert refused.status_code == 422 and refused.get_json()["error"]["details"][0]["field"] == "assignee"
    assert api.as_("supervisor").post(f"/api/tasks/{task['id']}/assign", json={"assignee": "admin"}).status_code == 200


def test_a_task_without_a_form_saves_nothing(api, tmp_path: Path):  # type: ignore[no-untyped-def]
    bare = ITEM.replace(' camunda:formKey="draft-accept.form"', "").replace("draft_item", "bare_item")
    api.deploy(write(tmp_path, "bare_item.bpmn", bare))
    [task] = api.start("bare_item")["tasks"]
    assert api.as_("window_clerk").post(f"/api/tasks/{task['id']}/claim").status_code == 200
    refused = _save(api, "window_clerk", task, {"opinion": OPINION})
    assert refused.status_code == 422 and refused.get_json()["error"]["details"][0]["field"] == "variables"
