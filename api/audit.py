"""The audit log: who changed users, tokens, departments, webhooks, calendars and supervision rules, and
what changed (supervisors and admins read it; nobody writes it but the changes themselves)."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from engine import audit

from .context import actor, uow
from .json_body import Blueprint
from .schemas import Instant, PageQuerySchema, page_of

blp = Blueprint("audit", __name__, url_prefix="/api/audit",
                description="The audit log of administration: who changed users, tokens, departments, webhooks, "
                            "calendars and supervision rules, when, and what changed")


class AuditQuerySchema(PageQuerySchema):
    actor = fields.String(validate=validate.Length(min=1, max=100), metadata={
        "description": "who made the change: a user's name, `system`, or `cli:<OS user>` for the command line"})
    action = fields.String(validate=validate.OneOf(audit.ACTIONS))
    target_kind = fields.String(validate=validate.OneOf(audit.TARGET_KINDS))
    target_key = fields.String(validate=validate.Length(min=1, max=255), metadata={
        "description": "the user's name, the department's code, the webhook's id, the calendar's name or the "
                       "rule's scope"})
    since = Instant(metadata={"description": "made at or after"})
    until = Instant(through_day=True, metadata={"description": "made before (a date alone: through that day)"})


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    action = fields.String(metadata={"description": ", ".join(audit.ACTIONS)})
    target_kind = fields.String(metadata={"description": ", ".join(audit.TARGET_KINDS)})
    target_key = fields.String()
    change = fields.Dict(metadata={
        "description": "`before` and `after`: the fields that changed with their values (a field on one side only "
                       "was added or removed; both empty: the call changed nothing), and what the action concerns "
                       "besides, e.g. `tokens` revoked, `years` loaded, `released_tasks`. Never a token, password "
                       "or webhook secret; a webhook URL's query values are masked"})


@blp.route("")
class AuditLog(MethodView):
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, page_of(AuditEntrySchema, name="AuditPage"))
    def get(self, query: dict[str, Any]) -> Any:
        """Entries newest first, narrowed by actor, action, target and time (supervisors and admins)."""
        return audit.list_entries(uow(), actor=actor(), by=query.get("actor"), action=query.get("action"),
                                  target_kind=query.get("target_kind"), target_key=query.get("target_key"),
                                  since=query.get("since"), until=query.get("until"), limit=query["limit"],
                                  offset=query["offset"])
