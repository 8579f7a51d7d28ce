"""Messages to cases: "materials supplemented", "payment received", ... from integrators; a clerk records
one their case waits for (the applicant brought the supplement to the window)."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView

from engine import instances

from .context import actor, runtime, uow
from .json_body import Blueprint
from .schemas import ApiErrorSchema, MessageResultSchema, MessageSchema

blp = Blueprint("messages", __name__, url_prefix="/api/messages", description="Correlate messages to cases")


@blp.route("")
class Messages(MethodView):
    form_values = "variables"  # a form's field is named under it in a 422 (api.errors.in_body)

    @blp.arguments(MessageSchema)
    @blp.response(200, MessageResultSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description=(
        "nothing waits for the message; `reason` says why: `unknown_message` (no deployed process waits for or "
        "starts on the name: a typo), `no_such_case` (no case has the business key or id) or `not_waiting` "
        "(the case does not wait for it now)"))
    @blp.alt_response(202, schema=MessageResultSchema, description="nothing waits yet: the message is buffered")
    @blp.alt_response(409, schema=ApiErrorSchema, description="several cases wait; name one or send to all")
    @blp.alt_response(403, schema=ApiErrorSchema, description="neither integrator nor clerk; a clerk naming no case, "
                                                              "sending variables, or recording a message the "
                                                              "waiting step does not mark govflow.recordable")
    def post(self, body: dict[str, Any]) -> Any:
        """Deliver a message by name to the case(s) waiting for it (by business key, case id or
        correlation values), or start a case whose start event catches it; with ``buffer_seconds``,
        keep a message nothing waits for yet until a matching case starts waiting for it.

        A clerk records a message a case of theirs waits for now (named by ``business_key`` or
        ``process_instance_id``, without variables) where the waiting step is marked
        ``govflow.recordable`` (the applicant's supplement brought to the window); a system's answer is
        sent by an integrator. The history names the sender."""
        outcome = instances.send_message(
            uow(), body["name"], actor=actor(), business_key=body.get("business_key"),
            instance_id=body.get("process_instance_id"), correlations=body["correlations"],
            variables=body["variables"], all_matches=body["all"], buffer_seconds=body["buffer_seconds"])
        if outcome.buffered is None:
            return {"process_instances": outcome.instances}
        held = outcome.buffered
        longest = runtime().settings.message_buffer_max_seconds
        capped = (f" ({body['buffer_seconds']} seconds were asked; this server keeps a message at most {longest}: "
                  "GOVFLOW_MESSAGE_BUFFER_MAX_SECONDS)") if body["buffer_seconds"] > longest else ""
        return {"process_instances": [], "buffered": held, "message": (
            f"no case waits for message {held.message_name!r} yet; it is buffered until "
            f"{held.expires_at.isoformat()}{capped} and goes to the first matching case that waits for it")}, 202
