"""Diagrams count in working days: ``workdays(n)`` in due dates and timers uses the case's calendar."""
from __future__ import annotations

from datetime import datetime

from engine import calendar
from engine.clock import LOCAL_TZ
from tests.helpers import ROOT, seed_national_calendar


def test_a_due_date_written_as_workdays_lands_on_the_end_of_a_working_day(api):
    seed_national_calendar(api.runtime)
    api.deploy(ROOT / "bpmn" / "SCJG-XK-0001" / "food_business_licence.bpmn")
    case = api.start("food_business_licence", variables={"applicant_name": "张三"})
    [task] = case["tasks"]
    due = datetime.fromisoformat(task["due_at"]).astimezone(LOCAL_TZ)
    assert (due.hour, due.minute) == (23, 59)
    expected = calendar.for_runtime(api.runtime).add_working_days(datetime.now(LOCAL_TZ).date(), 5)
    assert due.date() == expected.date
    # The 5-working-day notice deadline (行政许可法 Art 32) is a timer job due at the same moment.
    with api.runtime.uow() as uow:
        from sqlalchemy import select

        from engine.models import Job
        [job] = uow.session.scalars(select(Job).where(Job.instance_id == case["id"], Job.state == "pending"))
        assert job.bpmn_id == "notice_deadline" and job.due_at == datetime.fromisoformat(task["due_at"])
