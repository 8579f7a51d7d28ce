"""govflow's workflow engine: government service items as BPMN, on SpiffWorkflow.

Services are modules named for their lifecycle (Camunda's split): ``definitions`` (repository),
``instances`` (runtime), ``tasks``, ``users``; plus ``schema`` for migrations. Each public function is
one command in one transaction over a unit of work. Nothing here imports Flask.
"""
# Grouped by area, and calendar first: it loads the unit of work before the SpiffWorkflow glue needs it.
from . import calendar, definitions, errors, forms, instances, jobs, schema, tasks, users  # noqa: I001
from . import acceptance, archive, delivery, idempotency, materials, message_buffer, notify, outbox, storage
from . import webhooks
from . import inbox, time_limits, timeline, versions, worksheet
from . import case_access, departments
from . import complaints, progress, query_codes, ratings
from . import overdue_reasons, supervision, supervision_delivery, supervision_rules, supervision_sweep
from .settings import Settings
from .unit_of_work import Runtime, UnitOfWork
from .users import Actor

__all__ = ["Actor", "Runtime", "Settings", "UnitOfWork", "calendar", "definitions", "errors", "forms", "instances",
           "jobs", "schema", "tasks", "users",
           # integrations: materials (and the acceptance step's rule on them) and the archive, outbox and
           # webhooks, notices, idempotency, buffered messages
           "acceptance", "archive", "delivery", "idempotency", "materials", "message_buffer", "notify", "outbox",
           "storage", "webhooks",
           # what the pages show: queues with counts, the task sheet, the case timeline, definition versions
           "inbox", "timeline", "versions", "worksheet",
           # statutory time limits: the case clock, special procedures, extensions
           "time_limits",
           # departments, the departments of each case, and which cases a user may read
           "case_access", "departments",
           # applicants: query codes, public progress, ratings (好差评) and their rectification, complaints
           "complaints", "progress", "query_codes", "ratings",
           # supervision (电子监察): the board, its rules, the sweep's events, overdue reasons, deliveries due
           "overdue_reasons", "supervision", "supervision_delivery", "supervision_rules", "supervision_sweep"]
