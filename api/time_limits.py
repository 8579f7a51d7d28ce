"""A case's time-limit clock (限时办结): read it, pause and resume it by hand, extend it."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView

from engine import time_limits

from .context import actor, uow
from .json_body import Blueprint
from .schemas import ApiErrorSchema, ClockExtendSchema, ClockPauseSchema, ClockResumeSchema, ClockSchema

blp = Blueprint("time-limits", __name__, url_prefix="/api/process-instances",
                description="Statutory time limits: the case clock, special procedures (特别程序), extensions")


@blp.route("/<int:instance_id>/clock")
class Clock(MethodView):
    @blp.response(200, ClockSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, instance_id: int) -> Any:
        """The deadline, working days used and remaining, and the special procedures of the case."""
        return time_limits.get(uow(), instance_id, actor=actor())


@blp.route("/<int:instance_id>/clock/pause")
class Pause(MethodView):
    @blp.arguments(ClockPauseSchema)
    @blp.response(200, ClockSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    def post(self, body: dict[str, Any], instance_id: int) -> Any:
        """Start a special procedure by hand (hearing, testing, expert review ...): the clock pauses.

        The kind is one the item's guide lists (``excluded_periods``, as the clock's ``procedure_kinds``
        give them); another is 422 naming those the guide lists, and an item whose guide lists none takes
        none. An item without a guide takes any kind of 行政许可法 Art 45.
        """
        return time_limits.pause(uow(), instance_id, actor=actor(), kind=body["kind"], reason=body["reason"])


@blp.route("/<int:instance_id>/clock/resume")
class Resume(MethodView):
    @blp.arguments(ClockResumeSchema)
    @blp.response(200, ClockSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    def post(self, body: dict[str, Any], instance_id: int) -> Any:
        """End the procedure started by hand, with its result and opinion: the deadline moves."""
        return time_limits.resume(uow(), instance_id, actor=actor(), result=body.get("result"),
                                  opinion=body.get("opinion"))


@blp.route("/<int:instance_id>/clock/extend")
class Extend(MethodView):
    @blp.arguments(ClockExtendSchema)
    @blp.response(200, ClockSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    def post(self, body: dict[str, Any], instance_id: int) -> Any:
        """Approve an extension (延长审批, 行政许可法 Art 42) of some working days, with a reason.

        All of a case's extensions together may add at most 10 working days, or 15 when its statutory limit
        is the 45 days of joint, unified or centralised handling (Art 42 ¶2), or what the item's guide sets
        with its legal basis (``extension``). Art 42 extends licences only: an item of another type (a
        complaint) whose guide sets no allowance has none, and every extension of it is 409. One beyond
        what remains is refused with 409 and nothing changes: the message gives the days remaining and the
        legal basis, and the error carries ``extension_remaining_days`` and ``extension_allowance_days``. A
        stopped clock is 409 too, and so is a case past its deadline (an extension comes before the time
        limit runs out; the error carries ``deadline_date``). The clock (``GET .../clock``) shows the
        allowance and what remains of it. Agency heads of the case's lead department (and admins) extend; while
        a clerk's request is pending it is 409 with ``pending_request_id``: the head decides the request.
        """
        return time_limits.extend(uow(), instance_id, actor=actor(), days=body["days"], reason=body["reason"])
