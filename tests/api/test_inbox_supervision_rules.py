"""Queue marks follow the supervision rules: an item whose reminder starts earlier shows its tasks as
due soon (yellow) earlier than the global rule does; a step's reminder covers at most the second half of
its time, beyond the last 24 hours."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from engine import inbox
from engine.inbox import InboxQuery
from engine.models import Task
from engine.users import Actor

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_{key}" targetNamespace="http://govflow.test">
  <bpmn:process id="{key}" name="{key}" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="check" name="审查" camunda:candidateGroups="window" camunda:dueDate="${{workdays(3)}}">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""
CLERK = Actor("window_clerk", frozenset({"window"}), frozenset({"clerk"}))


def opened_days_ago(api, days: int) -> None:
    """Every open task as if it had opened ``days`` days ago (its due date unchanged)."""
    with api.runtime.uow() as uow:
        for task in uow.session.scalars(select(Task).where(Task.state == "READY")):
            task.created_at -= timedelta(days=days)
        uow.commit()


def marks(api) -> dict[str, str | None]:
    queue = inbox.inbox(api.runtime.uow(), actor=CLERK, query=InboxQuery())
    return {row.task.definition_key: row.urgency for row in queue.rows}


def yellow(api) -> list[str]:
    found = inbox.inbox(api.runtime.uow(), actor=CLERK, query=InboxQuery(urgency="due_soon"))
    assert found.total == len(found.rows)
    return [row.task.definition_key for row in found.rows]


def test_an_items_longer_reminder_marks_its_tasks_due_soon(api, tmp_path: Path) -> None:
    for key in ("early_reminder", "usual_reminder"):
        (tmp_path / f"{key}.bpmn").write_text(DIAGRAM.format(key=key), encoding="utf-8")
    api.deploy(tmp_path / "early_reminder.bpmn", tmp_path / "usual_reminder.bpmn")
    api.start("early_reminder")
    api.start("usual_reminder")
    opened_days_ago(api, 7)  # past half their time: only the reminder decides
    ruled = api.as_("supervisor").client.put(
        "/api/supervision/rules/early_reminder", json={"remind_days": 5},
        headers=api.as_("supervisor").headers())
    assert ruled.status_code == 200, ruled.get_json()

    assert marks(api) == {"early_reminder": "due_soon", "usual_reminder": None}  # due in 3 working days
    assert yellow(api) == ["early_reminder"]


def test_a_step_just_opened_is_not_due_soon_until_half_its_time_is_gone(api, tmp_path: Path) -> None:
    """A step whose whole time lies within the reminder is not yellow from the moment it opens: the mark
    would tell nothing. Once half its time is gone it is, in the row and in the filter alike."""
    (tmp_path / "early_reminder.bpmn").write_text(DIAGRAM.format(key="early_reminder"), encoding="utf-8")
    api.deploy(tmp_path / "early_reminder.bpmn")
    api.start("early_reminder")
    ruled = api.as_("supervisor").client.put(
        "/api/supervision/rules/early_reminder", json={"remind_days": 5},
        headers=api.as_("supervisor").headers())
    assert ruled.status_code == 200, ruled.get_json()
    assert marks(api) == {"early_reminder": None}
    assert yellow(api) == []

    opened_days_ago(api, 1)  # due in 3 working days: not yet half
    assert marks(api) == {"early_reminder": None}
    assert yellow(api) == []

    opened_days_ago(api, 6)  # opened 7 days ago, due in 3 working days (at most 5 days): past half
    assert marks(api) == {"early_reminder": "due_soon"}
    assert yellow(api) == ["early_reminder"]
