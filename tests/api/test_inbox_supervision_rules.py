"""Queue marks follow the supervision rules: an item whose reminder starts earlier shows its tasks as
due soon (yellow) earlier than the global rule does."""
from __future__ import annotations

from pathlib import Path

from engine import inbox
from engine.inbox import InboxQuery
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


def test_an_items_longer_reminder_marks_its_tasks_due_soon(api, tmp_path: Path) -> None:
    for key in ("early_reminder", "usual_reminder"):
        (tmp_path / f"{key}.bpmn").write_text(DIAGRAM.format(key=key), encoding="utf-8")
    api.deploy(tmp_path / "early_reminder.bpmn", tmp_path / "usual_reminder.bpmn")
    api.start("early_reminder")
    api.start("usual_reminder")
    ruled = api.as_("supervisor").client.put(
        "/api/supervision/rules/early_reminder", json={"remind_days": 5},
        headers=api.as_("supervisor").headers())
    assert ruled.status_code == 200, ruled.get_json()

    queue = inbox.inbox(api.runtime.uow(), actor=CLERK, query=InboxQuery())
    marks = {row.task.definition_key: row.urgency for row in queue.rows}
    assert marks == {"early_reminder": "due_soon", "usual_reminder": None}  # due in 3 working days

    yellow = inbox.inbox(api.runtime.uow(), actor=CLERK, query=InboxQuery(urgency="due_soon"))
    assert [row.task.definition_key for row in yellow.rows] == ["early_reminder"]
    assert yellow.total == 1
