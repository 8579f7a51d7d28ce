"""Paths by which a confidential variable (``govflow.confidential``, engine.confidential) could reach readers
who are neither supervisors nor admins, outside a task form that lists it: called processes, task pages,
document titles, task names and metadata, error messages and incidents, and buffered messages. Each test
reads as a clerk, an integrator or a webhook would."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine import jobs, message_buffer
from engine.clock import utcnow
from engine.models import Job, OutboxEvent
from tests.api.test_corpus_fixes import flow, write
from tests.api.test_pages import Browser, person
from tests.helpers import complete_open_task, open_task

ID_NO = "110101199001011234"
NAME = "王五"
PHONE = "13912345678"
BIRTH_DATE = "1990年1月1日"  # typed as printed on the card, not ISO


def confidential(names: str) -> str:
    return (f'<bpmn:extensionElements><camunda:properties><camunda:property name="govflow.confidential" '
            f'value="{names}"/></camunda:properties></bpmn:extensionElements>')


def variables(api: Any, instance_id: int, reader: str) -> dict[str, Any]:
    response = api.as_(reader).get(f"/api/process-instances/{instance_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["variables"]


def history(api: Any, instance_id: int, reader: str) -> str:
    response = api.as_(reader).get(f"/api/process-instances/{instance_id}/history")
    assert response.status_code == 200, response.get_json()
    return json.dumps(response.get_json(), ensure_ascii=False)


def deploy_files(api: Any, files: dict[str, str]) -> None:
    analyst = api.as_("analyst")
    response = analyst.client.post(
        "/api/deployments", headers=analyst.headers(), content_type="multipart/form-data",
        data={"files": [(io.BytesIO(content.encode()), name) for name, content in files.items()]})
    assert response.status_code == 201, response.get_json()


# ---- call activities: the called process's own confidential variables --------------------------

VERIFIED_CHILD = f"""
<bpmn:process id="identity_check" isExecutable="true">
  {confidential("id_no")}
  <bpmn:startEvent id="cs"/>
  <bpmn:userTask id="verify" name="核验身份" camunda:candidateGroups="window"/>
  <bpmn:endEvent id="ce"/>
  {flow("cs", "verify", "ce")}
</bpmn:process>"""
CALLING_PARENT = f"""
<bpmn:process id="licence" isExecutable="true">
  <bpmn:startEvent id="ps"/>
  <bpmn:callActivity id="identity" name="身份核验" calledElement="identity_check"/>
  <bpmn:userTask id="archive" name="归档" camunda:candidateGroups="window"/>
  <bpmn:endEvent id="pe"/>
  {flow("ps", "identity", "archive", "pe")}
</bpmn:process>"""


def test_a_called_process_s_confidential_variable_is_concealed_from_case_readers_and_history(
        api, tmp_path: Path):
    """The child declares id_no confidential (a one-thing bundle's member item would): inside the parent's
    case it is neither concealed from readers nor kept out of history, because both read only the root
    definition's declaration."""
    api.deploy(write(tmp_path, "child.bpmn", VERIFIED_CHILD))
    api.deploy(write(tmp_path, "parent.bpmn", CALLING_PARENT))
    case = api.start("licence", variables={"topic": "证照办理"})
    complete_open_task(api, case["id"], "verify", user="window_clerk", id_no=ID_NO)

    seen = {f"variables as {reader}": json.dumps(variables(api, case["id"], reader)) for reader in
            ("window_clerk", "integrator")}
    seen["history"] = history(api, case["id"], "window_clerk")
    assert [where for where, text in seen.items() if ID_NO in text] == []


# ---- call activities: the parent's confidential applicant on a called task's page -----------------

PLAIN_CHILD = f"""
<bpmn:process id="site_check" isExecutable="true">
  <bpmn:startEvent id="cs"/>
  <bpmn:userTask id="inspect" name="现场核查" camunda:candidateGroups="office"/>
  <bpmn:endEvent id="ce"/>
  {flow("cs", "inspect", "ce")}
</bpmn:process>"""
PRIVATE_PARENT = f"""
<bpmn:process id="private_permit" isExecutable="true">
  {confidential("applicant_name")}
  <bpmn:startEvent id="ps"/>
  <bpmn:callActivity id="site" name="现场核查" calledElement="site_check"/>
  <bpmn:endEvent id="pe"/>
  {flow("ps", "site", "pe")}
</bpmn:process>"""


def test_the_task_page_of_a_called_process_conceals_the_parent_s_confidential_applicant(
        api, app, tmp_path: Path):
    """The task page's case summary shows the applicant concealed by the task's own definition's list:
    inside a call activity that is the child's, which does not repeat the parent's."""
    api.deploy(write(tmp_path, "site.bpmn", PLAIN_CHILD))
    api.deploy(write(tmp_path, "permit.bpmn", PRIVATE_PARENT))
    case = api.start("private_permit", variables={"applicant_name": NAME})
    assert variables(api, case["id"], "integrator")["applicant_name"] == "***"  # the case itself conceals it
    task = open_task(api, case["id"], "inspect")

    person(api.runtime, "site_inspector", roles=["clerk"], groups=["office"])
    browser = Browser(app.test_client())
    browser.log_in("site_inspector")
    page = browser.get(f"/tasks/{task['id']}")
    assert page.status_code == 200
    assert NAME not in page.text


# ---- documents rendered from templates ---------------------------------------------------------

REPLY = f"""
<bpmn:process id="tip_off" isExecutable="true">
  {confidential("reporter_name, reporter_phone")}
  <bpmn:startEvent id="s"/>
  <bpmn:userTask id="reply" name="答复举报人" camunda:candidateGroups="window">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="govflow.document" value="reply_letter"/>
    </camunda:properties></bpmn:extensionElements>
  </bpmn:userTask>
  <bpmn:userTask id="follow_up" name="跟踪整改" camunda:candidateGroups="office"/>
  <bpmn:endEvent id="e"/>
  {flow("s", "reply", "follow_up", "e")}
</bpmn:process>"""
REPLY_LETTER = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>答复函</title></head>
<body><p>{{ reporter_name }}（{{ reporter_phone }}）：</p><p>您反映的问题已办理。</p></body></html>"""


def reply_case(api: Any, tmp_path: Path, letter: str = REPLY_LETTER) -> dict[str, Any]:
    deploy_files(api, {"tip_off.bpmn": write(tmp_path, "tip_off.bpmn", REPLY).read_text(),
                       "documents/reply_letter.html": letter})
    case = api.start("tip_off", variables={"reporter_name": NAME, "reporter_phone": PHONE})
    complete_open_task(api, case["id"], "reply", user="window_clerk")
    return dict(case)


def test_a_document_holding_a_confidential_value_is_read_by_supervision_and_its_applicant_only(
        api, tmp_path: Path):
    """The reply letter must name the reporter; the responsible department (office) works the next step and
    reads the case, and every integrator reads all cases: for them the letter does not exist."""
    case = reply_case(api, tmp_path)
    case_id = case["id"]
    [issued] = api.as_("supervisor").get(f"/api/process-instances/{case_id}/documents").get_json()
    url = f"/api/process-instances/{case_id}/documents/{issued['id']}"
    letter = api.as_("supervisor").get(url, query_string={"format": "html"}).get_data(as_text=True)
    assert NAME in letter and PHONE in letter  # the letter itself must name the reporter
    for reader in ("office_clerk", "integrator"):
        assert api.as_(reader).get(f"/api/process-instances/{case_id}/documents").get_json() == []
        assert api.as_(reader).get(url, query_string={"format": "html"}).status_code == 404
        archive = zipfile.ZipFile(io.BytesIO(api.as_(reader).get(f"/api/process-instances/{case_id}/archive").data))
        assert not any(NAME in archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    public = f"/api/public/progress/{case['business_key']}"
    [mine] = api.client.get(public, query_string={"code": case["query_code"]}).get_json()["documents"]
    own = api.client.get(mine["download_url"], query_string={"code": case["query_code"], "format": "html"})
    assert own.status_code == 200 and NAME in own.get_data(as_text=True)  # the reporter reads their letter


def test_a_document_title_built_from_a_confidential_variable_reaches_history_concealed(api, runtime,
                                                                                     tmp_path: Path):
    """The title of an issued document goes into the document.issued history event and its outbox event,
    which webhooks carry: history is concealed by variable name, and a title is not one."""
    letter = REPLY_LETTER.replace("<title>答复函", "<title>致{{ reporter_name }}的答复函")
    case_id = reply_case(api, tmp_path, letter)["id"]
    assert NAME not in history(api, case_id, "office_clerk")
    with runtime.uow() as uow:
        events = uow.session.scalars(select(OutboxEvent.data).where(OutboxEvent.instance_id == case_id)).all()
    assert events and NAME not in json.dumps(events, ensure_ascii=False)


# ---- task names and task metadata evaluated from the case's data --------------------------------

NAMED_TASK = f"""
<bpmn:process id="named_check" isExecutable="true">
  {confidential("reporter_name")}
  <bpmn:startEvent id="s"/>
  <bpmn:userTask id="check" name="核查：${{reporter_name}}" camunda:candidateGroups="window">
    <bpmn:extensionElements><spiffworkflow:taskMetadataValues>
      <spiffworkflow:taskMetadataValue name="reported_by" value="reporter_name"/>
    </spiffworkflow:taskMetadataValues></bpmn:extensionElements>
  </bpmn:userTask>
  <bpmn:endEvent id="e"/>
  {flow("s", "check", "e")}
</bpmn:process>"""


def test_task_names_and_metadata_evaluated_from_a_confidential_variable_show_it_concealed(
        api, tmp_path: Path):
    """Task names (``name="${...}"``) and spiffworkflow:taskMetadataValues are evaluated on the raw data
    and stored on the task row: the queue, the task, history and webhooks all carry them."""
    api.deploy(write(tmp_path, "named.bpmn", NAMED_TASK))
    case = api.start("named_check", variables={"reporter_name": NAME})
    queue = api.as_("window_clerk").get("/api/tasks").get_json()["items"]
    assert [t for t in queue if t["process_instance_id"] == case["id"]]
    assert NAME not in json.dumps(queue, ensure_ascii=False)
    assert NAME not in history(api, case["id"], "window_clerk")


# ---- error messages quoting a value ------------------------------------------------------------

# Derives whether the applicant is a minor; it never copies the birth date anywhere.
AGE_SCRIPT = ('<bpmn:scriptTask id="minor" name="判断是否未成年" scriptFormat="python"><bpmn:script>'
              'minor = date.fromisoformat(birth_date) &gt; date(2008, 1, 1)</bpmn:script></bpmn:scriptTask>')
AGE_GATE = f"""
<bpmn:process id="minor_check" isExecutable="true">
  {confidential("birth_date")}
  <bpmn:startEvent id="s"/>
  <bpmn:userTask id="register" name="登记" camunda:candidateGroups="window"/>
  {AGE_SCRIPT}
  <bpmn:endEvent id="e"/>
  {flow("s", "register", "minor", "e")}
</bpmn:process>"""


def test_a_failing_script_s_error_does_not_quote_a_confidential_value_to_the_clerk(
        api, tmp_path: Path):
    """Python's own error texts quote the value they choked on (``Invalid isoformat string: '...'``);
    the ProcessError passes them to the clerk, whose form never listed the birth date."""
    api.deploy(write(tmp_path, "minor.bpmn", AGE_GATE))
    case = api.start("minor_check", variables={"birth_date": BIRTH_DATE})
    refused = complete_open_task(api, case["id"], "register", user="window_clerk", expect=422)
    assert "error" in refused
    assert BIRTH_DATE not in json.dumps(refused, ensure_ascii=False)


POST_SCRIPT_GATE = f"""
<bpmn:process id="post_minor_check" isExecutable="true">
  {confidential("birth_date")}
  <bpmn:startEvent id="s"/>
  <bpmn:userTask id="register" name="登记" camunda:candidateGroups="window">
    <bpmn:extensionElements><spiffworkflow:postScript>minor = date.fromisoformat(birth_date) &gt; date(2008, 1, 1)
    </spiffworkflow:postScript></bpmn:extensionElements>
  </bpmn:userTask>
  <bpmn:endEvent id="e"/>
  {flow("s", "register", "e")}
</bpmn:process>"""


def test_a_failing_post_script_s_error_does_not_quote_a_confidential_value_to_the_clerk(api, tmp_path: Path):
    """A user task's post-script (and Camunda output parameters, which become one) runs as the task
    completes, before the engine steps: its failure is answered to the clerk as well."""
    api.deploy(write(tmp_path, "post_minor.bpmn", POST_SCRIPT_GATE))
    case = api.start("post_minor_check", variables={"birth_date": BIRTH_DATE})
    refused = complete_open_task(api, case["id"], "register", user="window_clerk", expect=422)
    assert "error" in refused and BIRTH_DATE not in json.dumps(refused, ensure_ascii=False)


def test_a_termination_reason_quoting_a_confidential_value_reaches_history_and_webhooks_concealed(
        api, runtime, tmp_path: Path):
    api.deploy(write(tmp_path, "id_check.bpmn", CHECKED))
    case = api.start("id_check", variables={"id_no": ID_NO})
    ended = api.as_("supervisor").post(f"/api/process-instances/{case['id']}/terminate",
                                       json={"reason": f"身份证号 {ID_NO} 与户籍不符"})
    assert ended.status_code == 200, ended.get_json()
    assert ID_NO not in history(api, case["id"], "window_clerk")
    with runtime.uow() as uow:
        events = uow.session.scalars(select(OutboxEvent.data).where(OutboxEvent.instance_id == case["id"])).all()
    assert "与户籍不符" in json.dumps(events, ensure_ascii=False)  # the reason itself is kept
    assert ID_NO not in json.dumps(events, ensure_ascii=False)
    # The case's own end reason, in its answer and the case list, to every reader.
    for reader in ("integrator", "supervisor"):
        shown = api.as_(reader).get(f"/api/process-instances/{case['id']}").get_json()
        assert shown["end_reason"] == "身份证号 *** 与户籍不符", reader
    listed = api.as_("integrator").get("/api/process-instances").get_json()["items"]
    assert ID_NO not in json.dumps(listed, ensure_ascii=False)


TIMED_AGE_GATE = f"""
<bpmn:process id="timed_minor_check" isExecutable="true">
  {confidential("birth_date")}
  <bpmn:startEvent id="s"/>
  <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>
    <bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
  {AGE_SCRIPT}
  <bpmn:userTask id="side" name="登记维护" camunda:candidateGroups="window"/>
  <bpmn:parallelGateway id="fork"/>
  <bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>
  {flow("s", "fork", "wait", "minor", "e")}{flow("fork", "side", "e2")}
</bpmn:process>"""


def test_a_timer_incident_keeps_no_quoted_confidential_value_in_history(api, runtime, tmp_path: Path):
    """A timer whose next step fails becomes an incident; its error (quoting the value) goes into the
    ``incident.created`` history event that every reader of the case reads."""
    api.deploy(write(tmp_path, "timed.bpmn", TIMED_AGE_GATE))
    case = api.start("timed_minor_check", variables={"birth_date": BIRTH_DATE})
    with runtime.uow() as uow:
        [job] = uow.session.scalars(select(Job).where(Job.instance_id == case["id"]))
    now = job.due_at + timedelta(seconds=1)
    for delay in (*jobs.BACKOFF, 0):  # every retry fails alike, the last makes it an incident
        jobs.run_due(runtime, worker_id="test:1:0000", now=now)
        now += timedelta(seconds=delay + 1)
    seen = history(api, case["id"], "window_clerk")
    assert "incident.created" in seen
    assert BIRTH_DATE not in seen


# ---- history written beside execution.write_history ------------------------------------------------

# The registry's answer is awaited only after the check: one sent before is buffered, then expires.
CHECKED = f"""
<bpmn:message id="registry_answer" name="registry_answer"/>
<bpmn:process id="id_check" isExecutable="true">
  {confidential("id_no")}
  <bpmn:startEvent id="s"/>
  <bpmn:userTask id="check" name="核查" camunda:candidateGroups="window"/>
  <bpmn:intermediateCatchEvent id="answer"><bpmn:messageEventDefinition messageRef="registry_answer"/>
  </bpmn:intermediateCatchEvent>
  <bpmn:endEvent id="e"/>
  {flow("s", "check", "answer", "e")}
</bpmn:process>"""


def test_an_expired_buffered_message_keeps_no_confidential_correlation_value_in_history(
        api, runtime, tmp_path: Path):
    """An integrator's message correlated by id_no, buffered for a case that never takes it: its expiry note
    (``message.expired``, written straight to history, not through write_history) keeps the id_no for
    every reader of the case."""
    api.deploy(write(tmp_path, "id_check.bpmn", CHECKED))
    case = api.start("id_check", variables={"id_no": ID_NO})
    held = api.as_("integrator").post("/api/messages", json={
        "name": "registry_answer", "process_instance_id": case["id"], "correlations": {"id_no": ID_NO},
        "buffer_seconds": 60})
    assert held.status_code == 202, held.get_json()
    assert message_buffer.expire(runtime.uow(), now=utcnow() + timedelta(minutes=2)) == 1
    seen = history(api, case["id"], "window_clerk")
    assert "message.expired" in seen
    assert ID_NO not in seen


# ---- what callers write about a case ------------------------------------------------------------------

SMS = f"""
<bpmn:process id="sms_notice" isExecutable="true">
  {confidential("phone")}
  <bpmn:startEvent id="s"/>
  <bpmn:serviceTask id="send" name="发送短信" camunda:type="external" camunda:topic="sms"/>
  <bpmn:endEvent id="e"/>
  {flow("s", "send", "e")}
</bpmn:process>"""


def test_a_workers_failure_text_quoting_a_confidential_value_keeps_it_out(api, tmp_path: Path):
    """The SMS gateway's error quotes the number: history, the task's error and every reader get ***."""
    api.deploy(write(tmp_path, "sms.bpmn", SMS))
    case = api.start("sms_notice", variables={"phone": "13912345678"})
    [task] = case["tasks"]
    failed = api.as_("integrator").post(f"/api/tasks/{task['id']}/failure", json={
        "message": "SMS to 13912345678 refused", "details": "number 13912345678 blocked"})
    assert failed.status_code == 200, failed.get_json()
    assert "13912345678" not in failed.get_json()["error_message"]
    assert "13912345678" not in history(api, case["id"], "supervisor")


def test_a_restart_does_not_tell_a_right_guess_of_a_hidden_value_from_a_wrong_one(api, tmp_path: Path):
    api.deploy(write(tmp_path, "sms.bpmn", SMS))
    api.start("sms_notice", business_key="SMS-1", variables={"phone": "13912345678"})
    for guess in ("13912345678", "13800000000"):
        again = api.start("sms_notice", expect=200, business_key="SMS-1", variables={"phone": guess})
        assert again["differing_variables"] == []
