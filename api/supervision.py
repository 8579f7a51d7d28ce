"""Supervision (电子监察): read-only views over the case clocks for supervisors and admins."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine import supervision

from .context import actor, uow
from .schemas import ApiErrorSchema

blp = Blueprint("supervision", __name__, url_prefix="/api/supervision",
                description="Supervision (电子监察): warning levels of open cases, on-time statistics")


class SupervisionQuerySchema(Schema):
    level = fields.String(validate=validate.OneOf(supervision.LEVELS))
    remind_days = fields.Integer(load_default=supervision.DEFAULT_REMIND_DAYS,
                                 validate=validate.Range(min=0, max=supervision.MAX_REMIND_DAYS),
                                 metadata={"description": "yellow when the deadline is at most this many "
                                                          "working days away (default 1)"})


class SupervisedCaseSchema(Schema):
    process_instance_id = fields.Integer(attribute="instance_id")
    business_key = fields.String()
    process_key = fields.String()
    state = fields.String(metadata={"description": "running or paused"})
    deadline_at = fields.DateTime(metadata={"description": "end of the last working day (UTC); while paused, "
                                                           "as if the pause ended now"})
    deadline_date = fields.Date()
    remaining_working_days = fields.Integer(metadata={"description": "negative once overdue"})
    level = fields.String(metadata={"description": "green, yellow or red (overdue)"})
    provisional = fields.Boolean(metadata={"description": "counted through a year without calendar data"})


class ProcessStatsSchema(Schema):
    process_key = fields.String()
    total = fields.Integer(metadata={"description": "cases with a clock"})
    finished = fields.Integer(metadata={"description": "cases whose clock stopped (decided or ended)"})
    finished_on_time = fields.Integer()
    on_time_rate = fields.Float(allow_none=True)
    average_used_working_days = fields.Float(allow_none=True)
    open = fields.Integer()
    yellow = fields.Integer()
    red = fields.Integer()


@blp.route("/cases")
class Cases(MethodView):
    @blp.arguments(SupervisionQuerySchema, location="query")
    @blp.response(200, SupervisedCaseSchema(many=True))
    @blp.alt_response(403, schema=ApiErrorSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Open cases with their warning level, red first (supervisors and admins)."""
        return supervision.list_cases(uow(), actor=actor(), level=args.get("level"),
                                      remind_days=args["remind_days"])


@blp.route("/stats")
class Stats(MethodView):
    @blp.response(200, ProcessStatsSchema(many=True))
    @blp.alt_response(403, schema=ApiErrorSchema)
    def get(self) -> Any:
        """Per process: cases with a clock, finished on time, average working days used, open yellow and red."""
        return supervision.stats(uow(), actor=actor())
