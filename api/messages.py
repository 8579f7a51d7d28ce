"""Messages from integrators: "materials supplemented", "payment received", ..."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from engine import instances

from .context import actor, uow
from .schemas import ApiErrorSchema, MessageResultSchema, MessageSchema

blp = Blueprint("messages", __name__, url_prefix="/api/messages", description="Correlate messages to cases")


@blp.route("")
class Messages(MethodView):
    @blp.arguments(MessageSchema)
    @blp.response(200, MessageResultSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="nothing waits for the message")
    @blp.alt_response(409, schema=ApiErrorSchema, description="several cases wait; name one or send to all")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Deliver a message by name to the case(s) waiting for it (by business key, case id or
        correlation values), or start a case whose start event catches it."""
        views = instances.correlate(
            uow(), body["name"], actor=actor(), business_key=body.get("business_key"),
            instance_id=body.get("process_instance_id"), correlations=body["correlations"],
            variables=body["variables"], all_matches=body["all"])
        return {"process_instances": views}
