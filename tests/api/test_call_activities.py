"""Call activities resolve against other deployments: latest version at call time, kept while running."""
from __future__ import annotations

from tests.helpers import complete_task


def test_a_parent_calls_a_child_deployed_separately_and_continues_after_it(api):
    api.deploy("call_child_v1.bpmn")
    api.deploy("call_parent.bpmn")
    case = api.start("permit_parent", business_key="CALL-1")
    [check] = case["tasks"]
    assert (check["bpmn_id"], check["name"], check["process_instance_id"]) == ("check", "核查 v1", case["id"])
    assert check["business_key"] == "CALL-1" and check["candidate_groups"] == ["window"]
    [countersign] = complete_task(api, check, user="window_clerk")["tasks"]
    [archive] = complete_task(api, countersign, user="window_clerk")["tasks"]
    assert archive["bpmn_id"] == "archive"
    assert complete_task(api, archive, user="office_clerk")["state"] == "completed"


def test_a_deploy_that_calls_an_unknown_process_succeeds_once_the_child_comes_along(api):
    error = api.deploy("call_parent.bpmn", expect=422)["error"]
    assert "'permit_child'" in error["details"][0]["message"]
    deployed = api.deploy("call_parent.bpmn", "call_child_v1.bpmn")
    assert {d["key"] for d in deployed["definitions"]} == {"permit_parent", "permit_child"}


def test_a_new_call_uses_the_latest_child_version_deployed_after_the_parent(api):
    api.deploy("call_child_v1.bpmn")
    api.deploy("call_parent.bpmn")
    assert api.deploy("call_child_v2.bpmn")["definitions"][0]["version"] == 2
    [check] = api.start("permit_parent")["tasks"]
    assert check["name"] == "核查 v2"
    [archive] = complete_task(api, check, user="window_clerk")["tasks"]
    assert archive["bpmn_id"] == "archive"


def test_a_running_call_keeps_its_child_version_when_a_new_one_is_deployed(api):
    api.deploy("call_child_v1.bpmn")
    api.deploy("call_parent.bpmn")
    case = api.start("permit_parent")
    api.deploy("call_child_v2.bpmn")
    [countersign] = complete_task(api, case["tasks"][0], user="window_clerk")["tasks"]
    assert (countersign["bpmn_id"], countersign["name"]) == ("countersign", "会签 v1")
    [archive] = complete_task(api, countersign, user="window_clerk")["tasks"]
    assert complete_task(api, archive, user="office_clerk")["state"] == "completed"


def test_terminating_the_parent_cancels_the_open_task_of_the_called_process(api):
    api.deploy("call_child_v1.bpmn")
    api.deploy("call_parent.bpmn")
    case = api.start("permit_parent")
    task_id = case["tasks"][0]["id"]
    ended = api.as_("supervisor").post(f"/api/process-instances/{case['id']}/terminate", json={"reason": "撤件"})
    assert ended.get_json()["state"] == "terminated"
    assert api.get(f"/api/tasks/{task_id}").get_json()["state"] == "CANCELLED"
