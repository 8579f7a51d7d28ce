"""Incidents: timers that failed after their last retry, for supervisors to retry or resolve."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from engine import jobs

from .context import actor, uow
from .json_body import Blueprint
from .schemas import ApiErrorSchema

blp = Blueprint("incidents", __name__, url_prefix="/api/incidents",
                description="Failed timers (incidents): list, retry, resolve")


class IncidentSchema(Schema):
    id = fields.Integer(metadata={"description": "the job's id"})
    process_instance_id = fields.Integer(attribute="instance_id")
    business_key = fields.String()
    process_key = fields.String(attribute="definition_key")
    kind = fields.String()
    element_id = fields.String(attribute="bpmn_id")
    task_id = fields.String()
    state = fields.String(metadata={"description": "failed; pending after a retry; cancelled when resolved"})
    due_at = fields.DateTime()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()


class ResolveSchema(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))


@blp.route("")
class Incidents(MethodView):
    @blp.response(200, IncidentSchema(many=True))
    @blp.alt_response(403, schema=ApiErrorSchema)
    def get(self) -> Any:
        """Failed timers, oldest due first (supervisors and admins)."""
        return jobs.list_incidents(uow(), actor=actor())


@blp.route("/<int:job_id>/retry")
class Retry(MethodView):
    @blp.response(200, IncidentSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="the job is not an incident")
    def post(self, job_id: int) -> Any:
        """Fire the timer again at once, one attempt: failing again, it is an incident again."""
        return jobs.retry_incident(uow(), job_id, actor=actor())


@blp.route("/<int:job_id>/resolve")
class Resolve(MethodView):
    @blp.arguments(ResolveSchema)
    @blp.response(200, IncidentSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="the job is not an incident")
    def post(self, body: dict[str, Any], job_id: int) -> Any:
        """Close the incident without firing the timer; the note goes to the case's history."""
        return jobs.resolve_incident(uow(), job_id, actor=actor(), note=body["note"])
