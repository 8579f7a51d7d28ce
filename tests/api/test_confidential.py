"""Confidential variables (``govflow.confidential``): concealed in every case view but supervision's, and
never written to history (engine.confidential)."""
from __future__ import annotations

import json
from pathlib import Path

from engine.confidential import CONCEALED, conceal
from tests.api.test_corpus_fixes import flow, write
from tests.helpers import complete_open_task

REPORT = f"""
<bpmn:process id="report" isExecutable="true">
  <bpmn:extensionElements><camunda:properties>
    <camunda:property name="govflow.confidential" value="id_no，reporter、 witness"/>
  </camunda:properties></bpmn:extensionElements>
  <bpmn:startEvent id="start"/>
  <bpmn:userTask id="check" name="核查" camunda:candidateGroups="window"/>
  <bpmn:endEvent id="end"/>
  {flow("start", "check", "end")}
</bpmn:process>"""
ID_NO, NEW_ID_NO = "110101199001011234", "110101199001015678"


def test_confidential_variables_are_concealed_from_case_readers_and_never_reach_history(api, tmp_path: Path):
    api.deploy(write(tmp_path, "report.bpmn", REPORT))
    started = api.start("report", variables={"id_no": ID_NO, "reporter": {"name": "王五"}, "witness": "",
                                             "topic": "占道经营"})
    assert started["variables"] == {"id_no": CONCEALED, "reporter": CONCEALED, "witness": "", "topic": "占道经营"}

    done = complete_open_task(api.as_("window_clerk"), started["id"], "check", id_no=NEW_ID_NO, note="已核实")
    assert done["state"] == "completed" and done["variables"]["id_no"] == CONCEALED
    assert done["variables"]["note"] == "已核实"
    whole = api.as_("supervisor").get(f"/api/process-instances/{started['id']}").get_json()["variables"]
    assert whole["id_no"] == NEW_ID_NO and whole["reporter"] == {"name": "王五"}

    history = json.dumps(api.as_("supervisor").get(f"/api/process-instances/{started['id']}/history").get_json(),
                         ensure_ascii=False)
    assert not any(secret in history for secret in (ID_NO, NEW_ID_NO, "王五"))
    assert "占道经营" in history and "已核实" in history  # only the named variables are kept out


def test_conceal_reaches_nested_data_and_leaves_empty_values_and_other_names():
    data = {"changed": {"id_no": "1", "note": "n"}, "items": [{"id_no": 2}], "id_no": None, "ok": "x"}
    assert conceal(data, frozenset({"id_no"})) == {
        "changed": {"id_no": CONCEALED, "note": "n"}, "items": [{"id_no": CONCEALED}], "id_no": None, "ok": "x"}
    assert conceal(data, frozenset()) is data
