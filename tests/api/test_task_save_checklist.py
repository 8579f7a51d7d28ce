"""暂存 keeps the acceptance checklist's choices with the form's values: the task page shows them chosen
again (to the colleague a handover gives it to too), the completion records them, and a choice the
checklist does not allow is refused as recording it would be. Nothing is recorded by a save."""
from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select

from engine.models import MaterialMark
from tests.api.test_acceptance_pages import IDENTITY, PROXY, acceptance_task, window  # noqa: F401 - fixtures
from tests.api.test_pages_intake import Browser
from tests.helpers import ApiClient
from tests.service_items import history_events

ACCEPT = json.dumps({"decision": "accept", "materials_complete": True})


def chosen(page: str) -> dict[str, str]:
    """Material name -> the choice its radio group shows checked."""
    return {name: value for name, value in re.findall(r'name="mark:([^"]+)" value="(\w*)" form="complete-form" checked',
                                                      page)}


def marks(api: ApiClient, case_id: int) -> dict[str, str]:
    with api.runtime.uow() as uow:
        return {m.name: m.kind for m in uow.session.scalars(select(MaterialMark).where(
            MaterialMark.instance_id == case_id))}


def test_saved_choices_are_shown_again_recorded_by_the_completion_only(
        api: ApiClient, window: Browser, acceptance_task: dict[str, Any]) -> None:
    task_id, case_id = acceptance_task["task_id"], acceptance_task["case_id"]
    saved = window.post(f"/tasks/{task_id}/save", {"data": ACCEPT, f"mark:{IDENTITY}": "paper_checked",
                                                   f"mark:{PROXY}": "not_applicable"})
    assert saved.status_code == 302, saved.text
    page = window.get(f"/tasks/{task_id}").text
    assert chosen(page) == {IDENTITY: "paper_checked", PROXY: "not_applicable"}
    assert marks(api, case_id) == {}  # kept with the task, not recorded
    [event] = [e for e in history_events(api, case_id) if e["event"] == "task.saved"]
    assert event["data"]["marks"] == sorted([IDENTITY, PROXY])

    # Another save with a row back at 缺 forgets its choice; one without a checklist keeps them.
    window.post(f"/tasks/{task_id}/save", {"data": ACCEPT, f"mark:{IDENTITY}": "paper_checked",
                                           f"mark:{PROXY}": ""})
    assert chosen(window.get(f"/tasks/{task_id}").text) == {IDENTITY: "paper_checked", PROXY: ""}
    assert api.as_("window_clerk").post(f"/api/tasks/{task_id}/save",
                                        json={"variables": {"decision": "accept"}}).status_code == 200
    assert chosen(window.get(f"/tasks/{task_id}").text)[IDENTITY] == "paper_checked"

    done = window.post(f"/tasks/{task_id}", {"data": ACCEPT, f"mark:{IDENTITY}": "paper_checked",
                                             f"mark:{PROXY}": "not_applicable"})
    assert done.status_code == 302, done.text
    assert marks(api, case_id) == {IDENTITY: "paper_checked", PROXY: "not_applicable"}


def test_a_handover_takes_the_choices_to_the_colleague(api: ApiClient, window: Browser,
                                                       acceptance_task: dict[str, Any]) -> None:
    task_id = acceptance_task["task_id"]
    colleague = Browser(api, "window_clerk2")  # signed in once: a user the handover can choose
    handed = window.post(f"/tasks/{task_id}/handover", {"assignee": "window_clerk2", "data": ACCEPT,
                                                        f"mark:{IDENTITY}": "paper_checked"})
    assert handed.status_code == 302, handed.text
    assert chosen(colleague.get(f"/tasks/{task_id}").text) == {IDENTITY: "paper_checked", PROXY: ""}


def test_a_choice_the_checklist_does_not_allow_is_refused_and_nothing_is_saved(
        api: ApiClient, window: Browser, acceptance_task: dict[str, Any]) -> None:
    task_id = acceptance_task["task_id"]
    refused = window.post(f"/tasks/{task_id}/save", {"data": ACCEPT, f"mark:{IDENTITY}": "not_applicable"})
    assert refused.status_code == 422
    assert f"“{IDENTITY}”是每位申请人都须提交的材料，不能选择“不适用”。" in refused.text
    assert chosen(window.get(f"/tasks/{task_id}").text) == {IDENTITY: "", PROXY: ""}
    assert [e for e in history_events(api, acceptance_task["case_id"]) if e["event"] == "task.saved"] == []
