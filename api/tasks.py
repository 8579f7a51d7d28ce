"""Tasks: queues, claim, unclaim, assign, save (暂存), complete; for external tasks also a worker's lock, failure and
BPMN error, and a supervisor's retry."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from engine import tasks
from engine.tasks import MAX_LOCK_SECONDS, TaskFilter

from .context import actor, uow
from .json_body import Blueprint
from .schemas import (
    ApiErrorSchema,
    AssignSchema,
    CompleteSchema,
    InstanceSchema,
    SaveSchema,
    TaskFormSchema,
    TaskPageSchema,
    TaskQuerySchema,
    TaskSchema,
    Variables,
)

blp = Blueprint("tasks", __name__, url_prefix="/api/tasks", description="Task queues (the inbox)")


class ClaimSchema(Schema):
    lock_seconds = fields.Integer(validate=validate.Range(min=1, max=MAX_LOCK_SECONDS), metadata={
        "description": "external tasks: hold the task this long; unless completed by then it goes back to its "
                       "topic's queue. Sent again by the holder, it extends the lock from now"})


class FailureSchema(Schema):
    message = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    details = fields.String(validate=validate.Length(max=20000), metadata={
        "description": "e.g. the worker's stack trace: kept in the case's history"})


class BpmnErrorSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=255),
                         metadata={"description": "the error code an error boundary event on the task catches"})
    message = fields.String(validate=validate.Length(max=2000))
    variables = Variables


@blp.route("")
class Tasks(MethodView):
    @blp.arguments(TaskQuerySchema, location="query")
    @blp.response(200, TaskPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Tasks the caller may see, filtered and sorted (default: open, by due date).

        A queue, not a case reader: a clerk sees the tasks assigned or offered to them (and those they
        completed), an integrator the external tasks its systems work (`kind=external`) and those it
        completed; supervisors see all. A case's open user tasks are in the case
        (`GET /api/process-instances/ID`, `tasks`), which integrators read for every case."""
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
    @blp.arguments(ClaimSchema)
    @blp.response(200, TaskSchema)
    @blp.alt_response(400, schema=ApiErrorSchema, description="lock_seconds for a task that is not external")
    @blp.alt_response(409, schema=ApiErrorSchema, description="claimed by someone else, failed, or no longer open")
    def post(self, body: dict[str, Any], task_id: str) -> Any:
        """Take the task; of several concurrent claims exactly one wins. With lock_seconds (external tasks),
        the claim lapses after that long unless the task is completed."""
        if body.get("lock_seconds") is not None:
            return tasks.lock(uow(), task_id, actor=actor(), lock_seconds=body["lock_seconds"])
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
    @blp.alt_response(403, schema=ApiErrorSchema, description="neither a supervisor nor the clerk holding the task")
    @blp.alt_response(404, schema=ApiErrorSchema, description="no such task (or none the caller may see)")
    @blp.alt_response(409, schema=ApiErrorSchema,
                      description="completed, cancelled or failed, or completed or given to someone else meanwhile")
    @blp.alt_response(422, schema=ApiErrorSchema,
                      description="no such user, or the user is deactivated or cannot work the task; for the holder, "
                                  "the user is "
                                  "not among its candidates, or is the holder or nobody (unclaim gives it back)")
    def post(self, body: dict[str, Any], task_id: str) -> Any:
        """Give the task to a user, or hand it to a colleague (转办).

        Supervisors and admins give it to anyone with the role to work it (or to nobody); the clerk holding it,
        to another active user among its candidates: a member of a candidate group, a candidate user, or any
        clerk for a task naming none. History records it as task.assigned, with the previous holder."""
        return tasks.assign(uow(), task_id, actor=actor(), assignee=body["assignee"], note=body.get("note"))


@blp.route("/<task_id>/save")
class Save(MethodView):
    form_values = "variables"  # a form's field is named under it in a 422 (api.errors.in_body)

    @blp.arguments(SaveSchema)
    @blp.response(200, TaskSchema)
    @blp.alt_response(403, schema=ApiErrorSchema, description="not a candidate for the task")
    @blp.alt_response(404, schema=ApiErrorSchema, description="no such task (or none the caller may see)")
    @blp.alt_response(409, schema=ApiErrorSchema,
                      description="completed, cancelled, failed or someone else's task, or the case is not running")
    @blp.alt_response(413, schema=ApiErrorSchema, description="the body is over GOVFLOW_MAX_BODY_BYTES")
    @blp.alt_response(422, schema=ApiErrorSchema, description="invalid variables, or a name the task's form lacks")
    def post(self, body: dict[str, Any], task_id: str) -> Any:
        """Save the form's values with the task without completing it (暂存).

        Whoever may complete the task may save it. Its form (GET /api/tasks/ID/form) is prefilled with the
        saved values from then on, for whoever holds it, a colleague it is handed to too; each save replaces
        the last, and the completion stores what it is sent. The form's required and other rules are checked
        at completion, not here. History records task.saved with the names of the fields changed, not their
        values."""
        return tasks.save(uow(), task_id, actor=actor(), variables=body["variables"])


@blp.route("/<task_id>/complete")
class Complete(MethodView):
    form_values = "variables"  # a form's field is named under it in a 422 (api.errors.in_body)

    @blp.arguments(CompleteSchema)
    @blp.response(200, InstanceSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="completed, cancelled, or someone else's task")
    @blp.alt_response(422, schema=ApiErrorSchema, description="invalid variables, or a following step failed")
    def post(self, body: dict[str, Any], task_id: str) -> Any:
        """Complete the task with variables; returns the case as it then stands."""
        return tasks.complete(uow(), task_id, actor=actor(), variables=body["variables"])


@blp.route("/<task_id>/failure")
class Failure(MethodView):
    @blp.arguments(FailureSchema)
    @blp.response(200, TaskSchema)
    @blp.alt_response(400, schema=ApiErrorSchema, description="not an external task")
    @blp.alt_response(409, schema=ApiErrorSchema, description="claimed by someone else, failed, or no longer open")
    def post(self, body: dict[str, Any], task_id: str) -> Any:
        """A worker reports that an external task's work failed: the task is released and marked failed, kept
        from workers and listed for supervisors (GET /api/tasks?failed=true) until one retries it."""
        return tasks.report_failure(uow(), task_id, actor=actor(), message=body["message"],
                                    details=body.get("details"))


@blp.route("/<task_id>/retry")
class Retry(MethodView):
    @blp.response(200, TaskSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="the task has not failed, or is no longer open")
    def post(self, task_id: str) -> Any:
        """Offer a failed external task to workers again (supervisors and admins)."""
        return tasks.retry(uow(), task_id, actor=actor())


@blp.route("/<task_id>/bpmn-error")
class BpmnError(MethodView):
    form_values = "variables"  # a form's field is named under it in a 422 (api.errors.in_body)

    @blp.arguments(BpmnErrorSchema)
    @blp.response(200, InstanceSchema)
    @blp.alt_response(400, schema=ApiErrorSchema,
                      description="neither an external task nor a user task whose catching event names the "
                                  "actor's groups in govflow.thrownBy")
    @blp.alt_response(409, schema=ApiErrorSchema, description="claimed by someone else, failed, or no longer open")
    @blp.alt_response(422, schema=ApiErrorSchema,
                      description="no error boundary event on the task or on a subprocess or call activity "
                                  "around it catches the code (nothing changed), invalid variables, or a "
                                  "following step failed")
    def post(self, body: dict[str, Any], task_id: str) -> Any:
        """Throw a BPMN error from an external task, or from a user task whose catching error boundary event
        names the actor's groups in ``govflow.thrownBy`` (a reason in ``message``, no variables: the centre
        recording a meeting member absent). It goes outward until an error boundary event catches
        the code (within a scope, one naming it before one catching every error): the task's own, then
        those on each enclosing subprocess, then on the call activity in the calling process. The event
        ends what it is attached to, with every task open inside it, and the case follows the event's path
        with the variables (and the code and message under the event's camunda:errorCodeVariable and
        errorMessageVariable). Event subprocesses do not catch it."""
        return tasks.throw_error(uow(), task_id, actor=actor(), code=body["code"], message=body.get("message"),
                                 variables=body["variables"])
