"""Loading a calendar year moves what diagrams counted with ``workdays(n)`` on the days it changed: open tasks'
due dates and waiting timers (their job and the due time kept in the case's workflow state), as it moves
the case clocks' deadlines."""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from engine import _spiff, calendar, diagram_functions, execution, time_limits
from engine.clock import LOCAL_TZ
from engine.errors import Conflict
from engine.models import HistoryEvent, Job, ProcessInstance
from engine.users import Actor
from tests.helpers import complete_open_task, seed_national_calendar

ADMIN = Actor("admin", roles=frozenset({"admin"}))

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    id="Defs_recount" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="recount" name="工作日重算" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="审查" camunda:candidateGroups="window" camunda:dueDate="${workdays(30)}" />
    <bpmn:boundaryEvent id="limit" name="期限届满" cancelActivity="true" attachedToRef="review">
      <bpmn:timerEventDefinition id="limit_timer">
        <bpmn:timeDate xsi:type="bpmn:tFormalExpression">${workdays(30)}</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="done" />
    <bpmn:sequenceFlow id="f3" sourceRef="limit" targetRef="expired" />
    <bpmn:endEvent id="done" />
    <bpmn:endEvent id="expired" />
  </bpmn:process>
</bpmn:definitions>
"""


def local(moment: str | datetime) -> date:
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value.astimezone(LOCAL_TZ).date()


@pytest.fixture
def recount(api: Any, tmp_path: Path) -> Any:
    seed_national_calendar(api.runtime)
    path = tmp_path / "recount.bpmn"
    path.write_text(DIAGRAM, encoding="utf-8")
    api.deploy(path)
    return api


def pending_job(api: Any, case_id: int) -> Job:
    with api.runtime.uow() as uow:
        [job] = uow.session.scalars(select(Job).where(Job.instance_id == case_id, Job.state == "pending"))
        return job


def stored_timer(api: Any, case_id: int, task_id: str) -> str:
    with api.runtime.uow() as uow:
        case = execution.open_case(uow, case_id)
        return _spiff.task_by_id(case.workflow, task_id).internal_data["event_value"]


def test_a_task_due_in_working_days_moves_when_its_year_is_loaded(recount, monkeypatch):
    """The QA example: started Monday 23 November 2026, due workdays(30) = Monday 4 January 2027 counting
    weekdays only; 2027 is loaded with New Year's Day off, so the 30th working day is Tuesday 5 January."""
    moment = datetime(2026, 11, 23, 10, tzinfo=LOCAL_TZ).astimezone(UTC)
    for module in (execution, diagram_functions, time_limits):
        monkeypatch.setattr(module, "utcnow", lambda: moment)
    case = recount.start("recount")
    [task] = case["tasks"]
    assert local(task["due_at"]) == date(2027, 1, 4)

    calendar.replace_year(recount.runtime.uow(), 2027, holidays=[{"date": "2027-01-01", "name": "元旦"}],
                          workdays=[], actor=ADMIN)
    shown = recount.as_("supervisor").get(f"/api/tasks/{task['id']}").get_json()
    assert local(shown["due_at"]) == date(2027, 1, 5)
    assert datetime.fromisoformat(shown["due_at"]).astimezone(LOCAL_TZ).time().hour == 23

    # Loaded again without the holiday: back to the weekday count.
    calendar.import_file(recount.runtime.uow(), "2027.csv", "date,kind,name\n2027-02-11,holiday,春节\n",
                         actor=ADMIN)
    assert local(recount.as_("supervisor").get(f"/api/tasks/{task['id']}").get_json()["due_at"]) == date(2027, 1, 4)


def a_working_day_off(api: Any, after: datetime) -> date:
    """Make the first working day after ``after`` a holiday, keeping the rest of its year as loaded."""
    day = calendar.for_runtime(api.runtime).add_working_days(after, 1).date
    year = calendar.get_year(api.runtime.uow(), day.year)
    holidays = [{"date": d.date, "name": d.name} for d in year.holidays] + [{"date": day, "name": "临时"}]
    workdays = [{"date": d.date, "name": d.name} for d in year.workdays if d.date != day]
    calendar.replace_year(api.runtime.uow(), day.year, holidays=holidays, workdays=workdays, actor=ADMIN)
    return day


def test_a_waiting_timer_counted_in_working_days_moves_in_the_case_state_and_its_job(recount):
    case = recount.start("recount")
    [task] = case["tasks"]
    job = pending_job(recount, case["id"])
    assert job.due_at == datetime.fromisoformat(task["due_at"])  # both workdays(30) from the same moment
    with recount.runtime.uow() as uow:
        version = uow.session.get(ProcessInstance, case["id"]).version

    a_working_day_off(recount, job.created_at)
    expected = calendar.for_runtime(recount.runtime).deadline_at(job.created_at, 30).at
    assert expected > job.due_at

    moved = pending_job(recount, case["id"])
    assert (moved.id, moved.due_at) == (job.id, expected)
    assert datetime.fromisoformat(stored_timer(recount, case["id"], job.task_id)) == expected
    assert datetime.fromisoformat(recount.as_("supervisor").get(f"/api/tasks/{task['id']}").get_json()["due_at"]) \
        == expected
    with recount.runtime.uow() as uow:
        assert uow.session.get(ProcessInstance, case["id"]).version == version + 1
        [item] = uow.session.scalars(select(HistoryEvent).where(HistoryEvent.instance_id == case["id"],
                                                                HistoryEvent.event == "timer.moved"))
    assert (item.element_id, item.data["from"], item.data["to"]) == ("limit", job.due_at.isoformat(),
                                                                       expected.isoformat())

    # The case goes on from the stored state: completing the task cancels the moved timer, nothing fired.
    complete_open_task(recount, case["id"], "review", reader="admin")
    with recount.runtime.uow() as uow:
        assert uow.session.get(Job, job.id).state == "cancelled"
        events = [e.event for e in uow.session.scalars(select(HistoryEvent).where(
            HistoryEvent.instance_id == case["id"]))]
    assert "timer.fired" not in events


def test_a_command_that_read_the_case_before_the_timer_moved_gets_a_conflict(recount):
    case = recount.start("recount")
    job = pending_job(recount, case["id"])
    with recount.runtime.uow() as uow:
        before = uow.session.get(ProcessInstance, case["id"]).version

    a_working_day_off(recount, job.created_at)
    with recount.runtime.uow() as uow:  # a command holding the case as it was before the load
        stale = execution.open_case(uow, case["id"])
        set_committed_value(stale.row, "version", before)
        with pytest.raises(Conflict):
            execution.save(uow, stale)


def test_a_due_date_not_counted_in_the_loaded_year_stays(recount):
    """A year far from any count moves nothing, and the case is not saved again."""
    case = recount.start("recount")
    job = pending_job(recount, case["id"])
    with recount.runtime.uow() as uow:
        version = uow.session.get(ProcessInstance, case["id"]).version
    calendar.replace_year(recount.runtime.uow(), 2040, holidays=[{"date": "2040-01-02", "name": "元旦"}],
                          workdays=[], actor=ADMIN)
    assert pending_job(recount, case["id"]).due_at == job.due_at
    with recount.runtime.uow() as uow:
        assert uow.session.get(ProcessInstance, case["id"]).version == version


def test_a_load_opens_only_the_cases_whose_diagram_counts_with_workdays(recount, tmp_path, monkeypatch):
    """A year's load must not open (and lock) every open case due in it: only those that can have counted
    with workdays(). A case due in calendar days (P40D) is left as it is."""
    moment = datetime(2026, 11, 23, 10, tzinfo=LOCAL_TZ).astimezone(UTC)
    for module in (execution, diagram_functions, time_limits):
        monkeypatch.setattr(module, "utcnow", lambda: moment)
    fixed = tmp_path / "fixed.bpmn"
    fixed.write_text(DIAGRAM.replace('id="recount" name="工作日重算"', 'id="fixed" name="自然日期限"')
                     .replace('<bpmn:timeDate xsi:type="bpmn:tFormalExpression">${workdays(30)}</bpmn:timeDate>',
                              '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P40D</bpmn:timeDuration>')
                     .replace("${workdays(30)}", "P40D"), encoding="utf-8")
    recount.deploy(fixed)
    counted, calendar_days = recount.start("recount"), recount.start("fixed")
    opened: list[int] = []
    real_open = execution.open_case
    monkeypatch.setattr(execution, "open_case", lambda uow, instance_id: opened.append(instance_id)
                        or real_open(uow, instance_id))
    calendar.replace_year(recount.runtime.uow(), 2027, holidays=[{"date": "2027-01-01", "name": "元旦"}],
                          workdays=[], actor=ADMIN)
    assert opened == [counted["id"]]
    due = recount.as_("supervisor").get(f"/api/tasks/{calendar_days['tasks'][0]['id']}").get_json()["due_at"]
    assert due == calendar_days["tasks"][0]["due_at"]
