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
    verdict = fields.String(allow_none=True, metadata={
        "description": "a supervisor's verdict on this reason (SX45): justified, unjustified (the case is "
                       "reported), or null until judged"})
    verdict_opinion = fields.String(allow_none=True)
    verdict_by = fields.String(allow_none=True)
    verdict_at = fields.DateTime(allow_none=True)


class VerdictInSchema(Schema):
    verdict = fields.String(required=True, validate=validate.OneOf(overdue_reasons.VERDICTS),
                            metadata={"description": "justified or unjustified"})
    opinion = fields.String(validate=validate.Length(max=overdue_reasons.MAX_REASON), metadata={
        "description": "why; required when unjustified (what the report says)"})


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


@blp.route("/<int:instance_id>/overdue-reason/verdict")
class Verdict(MethodView):
    @blp.arguments(VerdictInSchema)
    @blp.response(200, OverdueReasonSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    def post(self, body: dict[str, Any], instance_id: int) -> Any:
        """A supervisor judges the case's current overdue reason (SX45): justified, or unjustified with an
        opinion, which reports the case (GET /api/supervision/unjustified). Judging again replaces the verdict."""
        return overdue_reasons.judge(uow(), instance_id, actor=actor(), verdict=body["verdict"],
                                     opinion=body.get("opinion"))
