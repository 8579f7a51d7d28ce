"""Tasks: queues, claim, unclaim, assign, complete."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView

from engine import tasks
from engine.tasks import TaskFilter

from .context import actor, uow
from .json_body import Blueprint
from .schemas import (
    ApiErrorSchema,
    AssignSchema,
    CompleteSchema,
    InstanceSchema,
    TaskFormSchema,
    TaskPageSchema,
    TaskQuerySchema,
    TaskSchema,
)

blp = Blueprint("tasks", __name__, url_prefix="/api/tasks", description="Task queues (the inbox)")


@blp.route("")
class Tasks(MethodView):
    @blp.arguments(TaskQuerySchema, location="query")
    @blp.response(200, TaskPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Tasks the caller may see, filtered and sorted (default: open, by due date)."""
        items, total = tasks.list_tasks(uow(), actor=actor(), where=TaskFilter(**query))
        return {"items": items, "total": total, "limit": query["limit"], "offset": query["offset"]}


@blp.route("/<task_id>")
class Task(MethodView):
    @blp.response(200, TaskSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, task_id: str) -> Any:
        """One task."""
        return tasks.get_task(uow(), task_id, actor=actor())


@blp.route("/<task_id>/form")
class Form(MethodView):
    @blp.response(200, TaskFormSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="no such task, the task has no form, or it is not deployed")
    def get(self, task_id: str) -> Any:
        """The task's form-js schema and the current values of its fields (embedded forms: schema null)."""
        return tasks.task_form(uow(), task_id, actor=actor())


@blp.route("/<task_id>/claim")
class Claim(MethodView):
    @blp.response(200, TaskSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="claimed by someone else, or no longer open")
    def post(self, task_id: str) -> Any:
        """Take the task; of several concurrent claims exactly one wins."""
        return tasks.claim(uow(), task_id, actor=actor())


@blp.route("/<task_id>/unclaim")
class Unclaim(MethodView):
    @blp.response(200, TaskSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    def post(self, task_id: str) -> Any:
        """Give the task back to its queue."""
        return tasks.unclaim(uow(), task_id, actor=actor())


@blp.route("/<task_id>/assign")
class Assign(MethodView):
    @blp.arguments(AssignSchema)
    @blp.response(200, TaskSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    def post(self, body: dict[str, Any], task_id: str) -> Any:
        """Give the task to a user (supervisors and admins)."""
        return tasks.assign(uow(), task_id, actor=actor(), assignee=body["assignee"])


@blp.route("/<task_id>/complete")
class Complete(MethodView):
    @blp.arguments(CompleteSchema)
    @blp.response(200, InstanceSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="completed, cancelled, or someone else's task")
    @blp.alt_response(422, schema=ApiErrorSchema, description="invalid variables, or a following step failed")
    def post(self, body: dict[str, Any], task_id: str) -> Any:
        """Complete the task with variables; returns the case as it then stands."""
        return tasks.complete(uow(), task_id, actor=actor(), variables=body["variables"])
