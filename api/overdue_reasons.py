"""Overdue reasons (超期说明原因): a clerk of a red case records why its deadline passed."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from engine import overdue_reasons

from .context import actor, uow
from .json_body import Blueprint
from .schemas import ApiErrorSchema

blp = Blueprint("overdue-reasons", __name__, url_prefix="/api/process-instances",
                description="Supervision: the recorded reason of a case past its deadline (SX45, XA33)")


class OverdueReasonInSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=overdue_reasons.MAX_REASON))
    category = fields.String(validate=validate.OneOf(overdue_reasons.CATEGORIES),
                             metadata={"description": "applicant, department, coordination, force_majeure or other"})


class OverdueReasonSchema(Schema):
    process_instance_id = fields.Integer(attribute="instance_id")
    reason = fields.String()
    category = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = fields.DateTime()


@blp.route("/<int:instance_id>/overdue-reason")
class OverdueReason(MethodView):
    @blp.arguments(OverdueReasonInSchema)
    @blp.response(201, OverdueReasonSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    def post(self, body: dict[str, Any], instance_id: int) -> Any:
        """Record why the case is overdue (only while it is red); the latest record is the case's reason."""
        return overdue_reasons.record(uow(), instance_id, actor=actor(), reason=body["reason"],
                                      category=body.get("category"))
