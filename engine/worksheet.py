"""A task as a clerk works it: the task, its form prefilled, and the case summary beside it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from . import calendar, confidential, forms
from .clock import utcnow
from .errors import NotFound
from .inbox import due_soon, urgency
from .materials import bundle_ids
from .models import Material, ProcessInstance, Task
from .tasks import _read
from .unit_of_work import UnitOfWork
from .users import Actor

# Variable names under which integrators and forms commonly store the applicant (申请人).
APPLICANT_KEYS = ("applicant", "applicantName", "applicant_name", "申请人")


@dataclass
class CaseSummary:
    instance_id: int
    business_key: str
    item_key: str
    item_name: str
    item_version: int
    state: str
    started_at: datetime
    started_by: str | None
    applicant: str | None
    working_days_used: int  # working days since the case started (the start day not counted)
    provisional: bool  # counted in a year without calendar data (weekdays only)


@dataclass
class TaskSheet:
    task: Task
    form: forms.TaskForm | None  # None: the task has no form, or its form is not deployed
    form_missing: bool  # a formKey is set but no such form is deployed
    case: CaseSummary
    urgency: str | None  # overdue | due_soon | None
    working_days_left: int | None  # to the task's due date; negative when overdue
    materials: list[Material]  # submitted to the case, so nobody asks for them twice (SX32)


def task_sheet(uow: UnitOfWork, task_id: str, *, actor: Actor) -> TaskSheet:
    """Raises NotFound (no such task, or not visible to the actor); ProcessError (a broken form)."""
    with uow:
        task, definition, data, hidden = _read(uow, task_id, actor)
        form, missing = None, False
        if task.form_key:
            try:
                form = forms.describe(uow, task.form_key, definition, data)
            except NotFound:
                missing = True  # the task can still be completed; the page says the form is missing
        row = uow.session.get(ProcessInstance, task.instance_id)
        assert row is not None  # a task row never outlives its case
        now = utcnow()
        days = calendar.for_runtime(uow)
        used = days.working_days_between(row.started_at, now)
        left = None
        if task.due_at is not None:
            left = days.working_days_between(now, task.due_at).days if task.due_at > now \
                else -days.working_days_between(task.due_at, now).days
        soon = due_soon(uow, now, [task.definition_key]).until(task.definition_key)
        shown = confidential.for_reader(data, hidden, actor)  # the form shows what it lists
        applicant = next((str(shown[k]) for k in APPLICANT_KEYS if shown.get(k) not in (None, "")), None)
        summary = CaseSummary(
            instance_id=row.id, business_key=row.business_key, item_key=row.definition_key,
            item_name=row.definition.name or row.definition_key, item_version=row.definition.version,
            state=row.state, started_at=row.started_at, started_by=row.started_by, applicant=applicant,
            working_days_used=used.days, provisional=used.provisional)
        # Whoever may see one of the case's tasks may see its materials (engine.materials.require_access).
        submitted = list(uow.session.scalars(select(Material).where(
            Material.instance_id.in_(bundle_ids(uow, row.id))).order_by(Material.id)))
        return TaskSheet(task=task, form=form, form_missing=missing, case=summary,
                         urgency=urgency(task.due_at, now, soon), working_days_left=left, materials=submitted)
