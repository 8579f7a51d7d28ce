"""Extension requests (延长审批, 行政许可法 Art 42): a clerk of the case asks, the agency head decides."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask.views import MethodView

from engine import extensions
from engine.extensions import ExtensionRequestView

from .context import actor, uow
from .json_body import Blueprint
from .schemas import (
    ApiErrorSchema,
    ExtensionDecisionSchema,
    ExtensionRefusalSchema,
    ExtensionRequestCreateSchema,
    ExtensionRequestQuerySchema,
    ExtensionRequestSchema,
    page_of,
)

blp = Blueprint("extension-requests", __name__, url_prefix="/api",
                description="Extension requests (延长审批): clerks of a case request, agency heads (head) decide")


@dataclass
class ExtensionRequestPage:
    items: list[ExtensionRequestView]
    total: int
    limit: int
    offset: int


@blp.route("/process-instances/<int:instance_id>/clock/extension-requests")
class CaseRequests(MethodView):
    @blp.arguments(ExtensionRequestCreateSchema)
    @blp.response(201, ExtensionRequestSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    def post(self, body: dict[str, Any], instance_id: int) -> Any:
        """Request an extension of some working days with a reason (clerks of the case's lead department).

        Checked at once as the approval would be: a stopped clock, a case past its deadline or more days than
        the allowance has left is 409 (the context of ``.../clock/extend``'s refusals). One request per case
        is pending at a time: a second is 409 with ``pending_request_id``.
        """
        return extensions.request(uow(), instance_id, actor=actor(), days=body["days"], reason=body["reason"])


@blp.route("/extension-requests")
class Requests(MethodView):
    @blp.arguments(ExtensionRequestQuerySchema, location="query")
    @blp.response(200, page_of(ExtensionRequestSchema, name="ExtensionRequestPage"))
    def get(self, query: dict[str, Any]) -> Any:
        """Requests by state, pending ones oldest first, others latest first: an agency head reads those of
        the cases their departments lead, supervisors and admins every one. A pending request the case's
        clock stopped under lapses (``lapsed``, with ``lapsed_because``) and is no longer pending."""
        items, total = extensions.list_requests(uow(), actor=actor(), state=query.get("state"),
                                                limit=query["limit"], offset=query["offset"])
        return ExtensionRequestPage(items=items, total=total, limit=query["limit"], offset=query["offset"])


@blp.route("/extension-requests/<int:request_id>/approve")
class Approve(MethodView):
    @blp.arguments(ExtensionDecisionSchema)
    @blp.response(200, ExtensionRequestSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    def post(self, body: dict[str, Any], request_id: int) -> Any:
        """Approve a pending request (agency heads of the case's lead department, admins): the time limit is
        extended as ``.../clock/extend`` extends it, by the days requested or the fewer ``days`` granted.
        Checked again now: a request that can no longer be approved (the deadline passed meanwhile) is 409
        and stays pending, to be refused; one decided already, or lapsed as its case's clock stopped, is 409
        too."""
        return extensions.approve(uow(), request_id, actor=actor(), opinion=body.get("opinion"),
                                  days=body.get("days"))


@blp.route("/extension-requests/<int:request_id>/refuse")
class Refuse(MethodView):
    @blp.arguments(ExtensionRefusalSchema)
    @blp.response(200, ExtensionRequestSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    def post(self, body: dict[str, Any], request_id: int) -> Any:
        """Refuse a pending request with an opinion (required): the time limit stays as it was."""
        return extensions.refuse(uow(), request_id, actor=actor(), opinion=body["opinion"])
