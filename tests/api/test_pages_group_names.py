"""Pages name a task's groups with the department each belongs to (window（市政务服务管理局）) on the task page,
and by their departments alone, each once, where a row says who a task is for (queue, case page, timeline),
so a clerk reads more than codes; a group of no department keeps its code."""
from __future__ import annotations

import re

import pytest

from engine import departments
from engine.users import SYSTEM
from tests.api.test_pages import start_routed
from tests.api.test_pages_intake import Browser
from tests.helpers import FIXTURES, ApiClient


@pytest.fixture
def clerk(api: ApiClient) -> Browser:
    api.deploy(FIXTURES / "routed_task.bpmn")
    return Browser(api, "window_clerk")


def test_a_task_s_groups_are_named_with_their_departments(api: ApiClient, clerk: Browser) -> None:
    departments.put_department(api.runtime.uow(), "ZWFW", actor=SYSTEM, name="市政务服务管理局", groups=["window"])
    view = start_routed(api.runtime, "SX-2026-0001", due=None)
    task = clerk.get(f"/tasks/{view.tasks[0].id}").text
    assert re.search(r"<dt>候选组</dt><dd>window（市政务服务管理局）</dd>", task)
    case = clerk.get(f"/cases/{view.id}").text
    assert re.search(r'<span class="muted">市政务服务管理局</span>', case)  # its open step
    assert re.search(r"生成待办：[^<]*<span class=\"muted\">（市政务服务管理局）</span>", case)  # the timeline
    queue = clerk.get("/queue").text
    assert "组：window（市政务服务管理局）" in queue and "· 市政务服务管理局</span>" in queue

    clerk.get("/lang/en?next=/queue")
    assert re.search(r"<dd>window \(市政务服务管理局\)</dd>", clerk.get(f"/tasks/{view.tasks[0].id}").text)


def test_a_group_of_no_department_keeps_its_code(api: ApiClient, clerk: Browser) -> None:
    view = start_routed(api.runtime, "SX-2026-0002", due=None)
    assert re.search(r"<dt>候选组</dt><dd>window</dd>", clerk.get(f"/tasks/{view.tasks[0].id}").text)


def test_several_groups_of_one_department_read_as_that_department_once(api: ApiClient, clerk: Browser) -> None:
    departments.put_department(api.runtime.uow(), "ZRZY", actor=SYSTEM, name="市自然资源和规划局",
                               groups=["zrzy", "planning_permit"])
    view = start_routed(api.runtime, "SX-2026-0003", due=None, group="window, zrzy, planning_permit")
    queue = clerk.get("/queue").text
    assert "· window、市自然资源和规划局</span>" in queue
    assert "zrzy" not in queue and "planning_permit" not in queue
    task = clerk.get(f"/tasks/{view.tasks[0].id}").text  # the task page keeps each group
    assert "zrzy（市自然资源和规划局）、planning_permit（市自然资源和规划局）" in task
