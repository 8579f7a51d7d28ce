"""Supervision (电子监察): warning levels, rules, events and statistics for supervisors and admins."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from engine import overdue_reasons, supervision, supervision_delivery, supervision_rules, supervision_sweep

from .context import actor, uow
from .json_body import Blueprint
from .overdue_reasons import OverdueReasonSchema
from .schemas import ROW_ID_MAX, ApiErrorSchema, Instant, PageQuerySchema, RowId, page_of

blp = Blueprint("supervision", __name__, url_prefix="/api/supervision",
                description="Supervision (电子监察): warning levels of open cases, rules, events, on-time statistics")
# The queries refuse a parameter they do not know (422) rather than answer as if it were honoured.


class AllOrPageSchema(Schema):
    """A list's paging: all of it unless ``limit`` asks for a page."""

    limit = fields.Integer(validate=validate.Range(min=1, max=500),
                           metadata={"description": "at most this many, in the list's order (default: all); "
                                                    "X-Total-Count says how many match"})
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=ROW_ID_MAX))


TOTAL_HEADER = {"X-Total-Count": {"description": "how many match, whatever the page", "schema": {"type": "integer"}}}


class SupervisionQuerySchema(AllOrPageSchema):
    level = fields.String(validate=validate.OneOf(supervision.LEVELS))
    remind_days = fields.Integer(validate=validate.Range(min=0, max=supervision_rules.MAX_REMIND_DAYS),
                                 metadata={"description": "yellow when the deadline is at most this many working "
                                                          "days away, for every case (default: each case's rule)"})
    reason_missing = fields.Boolean(metadata={"description": "true: red cases without an overdue reason, the "
                                                             "cases that ended after their deadline among them "
                                                             "(state stopped) until their reason is recorded; "
                                                             "false: open red cases with one"})
    process_key = fields.String(validate=validate.Length(min=1, max=255),
                                metadata={"description": "the cases of this item's process only"})


class SupervisedCaseSchema(Schema):
    process_instance_id = fields.Integer(attribute="instance_id")
    business_key = fields.String()
    process_key = fields.String()
    state = fields.String(metadata={"description": "the clock's: running, paused, or stopped (the case ended "
                                                   "after its deadline and its reason is still missing)"})
    instance_state = fields.String(metadata={"description": "the case's, as state in GET /api/process-instances/ID: "
                                                            "running, suspended (on hold: its clock runs on), "
                                                            "completed or terminated"})
    case_state = fields.String(allow_none=True, metadata={
        "description": "where the case stands in the terms approval systems report (已受理, 补正(开始), "
                       "特别程序(开始), 办结(通过) ...), as case_state in GET /api/process-instances/ID"})
    denied_items = fields.List(fields.String(), metadata={
        "description": "a one-thing bundle's (一件事) member items that ended 办结(不通过) or 不予受理, by their "
                       "names in its diagram: the bundle may read 办结(通过) for the others; empty otherwise"})
    deadline_at = fields.DateTime(metadata={"description": "end of the last working day (UTC); while paused, "
                                                           "as if the pause ended now"})
    deadline_date = fields.Date()
    remaining_working_days = fields.Integer(metadata={"description": "negative once overdue"})
    level = fields.String(metadata={"description": "green, yellow or red (overdue)"})
    provisional = fields.Boolean(metadata={"description": "counted through a year without calendar data"})
    remind_days = fields.Integer(metadata={"description": "the threshold the case was classified with"})
    overdue_reason = fields.String(allow_none=True, metadata={"description": "the latest reason recorded (red)"})
    overdue_reason_category = fields.String(allow_none=True)
    overdue_reason_by = fields.String(allow_none=True)
    overdue_reason_at = fields.DateTime(allow_none=True)
    overdue_reason_verdict = fields.String(allow_none=True, metadata={
        "description": "a supervisor's verdict on the reason (SX45): justified, unjustified, or null until judged"})
    reason_required = fields.Boolean(metadata={"description": "red and no overdue reason recorded yet"})


class StatsQuerySchema(Schema):
    by = fields.String(load_default="process", validate=validate.OneOf(("process", "department")),
                       metadata={"description": "process (default) or department (the lead department)"})
    since = Instant(metadata={"description": "only cases whose clock started (受理) at or after this moment (a "
                                             "date alone: its start, local time); every figure is then of that "
                                             "cohort, its open, yellow and red cases included"})
    until = Instant(through_day=True, metadata={
        "description": "only cases whose clock started before this moment (a date alone: through that day)"})


class ProcessStatsSchema(Schema):
    process_key = fields.String(metadata={"description": "by=process"})
    department_code = fields.String(allow_none=True, metadata={"description": "by=department: the lead department "
                                                                              "(null: none leads yet)"})
    department_name = fields.String(allow_none=True, metadata={"description": "by=department"})
    total = fields.Integer(metadata={"description": "cases with a clock"})
    finished = fields.Integer(metadata={"description": "cases finished (办结): the clock stopped, other than by a "
                                                       "withdrawal before the deadline (a case terminated after "
                                                       "its deadline finished overdue)"})
    withdrawn = fields.Integer(metadata={"description": "cases withdrawn after acceptance and before their deadline "
                                                        "(撤件, end_kind withdrawn: by the applicant, or deemed "
                                                        "withdrawn by the diagram): in neither finished, the on-time "
                                                        "rate nor the average; a case the office terminated is "
                                                        "finished"})
    finished_on_time = fields.Integer()
    on_time_rate = fields.Float(allow_none=True)
    average_used_working_days = fields.Float(allow_none=True)
    open = fields.Integer()
    yellow = fields.Integer()
    red = fields.Integer()
    warnings = fields.Integer(metadata={"description": "by=department: open yellow plus red"})


@blp.route("/cases")
class Cases(MethodView):
    @blp.arguments(SupervisionQuerySchema, location="query")
    @blp.response(200, SupervisedCaseSchema(many=True), headers=TOTAL_HEADER)
    @blp.alt_response(403, schema=ApiErrorSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Open cases with their warning level, red first (supervisors and admins); X-Total-Count says how many
        match when ``limit`` takes a page of them."""
        page, total = supervision.case_page(uow(), actor=actor(), level=args.get("level"),
                                            remind_days=args.get("remind_days"),
                                            reason_missing=args.get("reason_missing"),
                                            process_key=args.get("process_key"), limit=args.get("limit"),
                                            offset=args["offset"])
        return page, {"X-Total-Count": str(total)}



class DeliveryQuerySchema(AllOrPageSchema):
    level = fields.String(validate=validate.OneOf(supervision.LEVELS))


class UndeliveredCaseSchema(Schema):
    process_instance_id = fields.Integer(attribute="instance_id")
    business_key = fields.String()
    process_key = fields.String()
    item_name = fields.String(metadata={"description": "the item's process name, as its latest version gives it"})
    instance_state = fields.String(metadata={"description": "running, or suspended (on hold)"})
    decided_at = fields.DateTime(metadata={"description": "when the decision stopped the case's clock"})
    due_at = fields.DateTime(metadata={"description": "end of the 10th working day after the decision (UTC), by "
                                                      "which the result is to reach the applicant"})
    due_date = fields.Date()
    remaining_working_days = fields.Integer(metadata={"description": "negative once overdue"})
    level = fields.String(metadata={"description": "green, yellow or red (overdue)"})
    remind_days = fields.Integer(metadata={"description": "the threshold of the case's rule"})


@blp.route("/deliveries")
class Deliveries(MethodView):
    @blp.arguments(DeliveryQuerySchema, location="query")
    @blp.response(200, UndeliveredCaseSchema(many=True), headers=TOTAL_HEADER)
    @blp.alt_response(403, schema=ApiErrorSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Decided cases whose result has not reached the applicant yet (行政许可法 Art 44: within 10 working
        days of the decision), red first (supervisors and admins). Only licence items (guide type 01, or no
        guide) whose diagram marks a delivery step (govflow.event delivered) are held to it."""
        found = supervision_delivery.list_undelivered(uow(), actor=actor(), level=args.get("level"))
        limit, offset = args.get("limit"), args["offset"]
        return found[offset:] if limit is None else found[offset:offset + limit], {"X-Total-Count": str(len(found))}



class ReportQuerySchema(AllOrPageSchema):
    since = Instant(metadata={"description": "verdicts given at or after this moment (a date alone: its start, "
                                             "local time)"})
    until = Instant(through_day=True, metadata={
        "description": "verdicts given before this moment (a date alone: through that day)"})


class ReportedCaseSchema(Schema):
    process_instance_id = fields.Integer(attribute="instance_id")
    business_key = fields.String()
    process_key = fields.String()
    item_name = fields.String()
    reason = fields.Nested(OverdueReasonSchema, metadata={"description": "the reason judged unjustified, and its verdict"})
    current = fields.Boolean(metadata={"description": "still the case's reason: its department recorded no other since "
                                                      "(a new one is judged afresh)"})


@blp.route("/unjustified")
class Unjustified(MethodView):
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, ReportedCaseSchema(many=True), headers=TOTAL_HEADER)
    @blp.alt_response(403, schema=ApiErrorSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """The cases overdue without a justified reason (SX45: reported, 通报): every overdue reason a supervisor
        judged unjustified, latest verdict first, each saying whether it is still the case's reason (supervisors
        and admins)."""
        found, total = overdue_reasons.unjustified(uow(), actor=actor(), since=args.get("since"),
                                                   until=args.get("until"), limit=args.get("limit"),
                                                   offset=args["offset"])
        return found, {"X-Total-Count": str(total)}


@blp.route("/stats")
class Stats(MethodView):
    @blp.arguments(StatsQuerySchema, location="query")
    @blp.response(200, ProcessStatsSchema(many=True))
    @blp.alt_response(403, schema=ApiErrorSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """Per process (or per lead department with by=department): cases with a clock, finished on time,
        average working days used, open yellow and red. ``since`` and ``until`` keep the cases whose clock
        started (受理) in that period: a cohort, so that its open and warned cases count too."""
        period = {"since": query.get("since"), "until": query.get("until")}
        if query["by"] == "department":
            return supervision.stats_by_department(uow(), actor=actor(), **period)
        return supervision.stats(uow(), actor=actor(), **period)


# ---- rules ----------------------------------------------------------------------------------------

class EffectiveRuleSchema(Schema):
    remind_days = fields.Integer()
    step_overrun = fields.Boolean()
    sources = fields.Dict(keys=fields.String(), values=fields.String(),
                          metadata={"description": "per field: rule, guide, global or default"})


class RuleSchema(Schema):
    scope = fields.String(metadata={"description": "* (every item) or a process key"})
    remind_days = fields.Integer(allow_none=True, metadata={"description": "null: inherited"})
    step_overrun = fields.Boolean(allow_none=True, metadata={"description": "null: inherited"})
    updated_by = fields.String(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
    effective = fields.Nested(EffectiveRuleSchema)


class RulePutSchema(Schema):
    remind_days = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=supervision_rules.MAX_REMIND_DAYS),
                                 metadata={"description": "working days before the deadline (yellow); null inherits"})
    step_overrun = fields.Boolean(allow_none=True, metadata={"description": "flag steps past their due date; "
                                                                            "null inherits"})


@blp.route("/rules")
class Rules(MethodView):
    @blp.response(200, RuleSchema(many=True))
    @blp.alt_response(403, schema=ApiErrorSchema)
    def get(self) -> Any:
        """The global rule (*) and every process rule, each with the values in effect and their sources."""
        return supervision_rules.list_rules(uow(), actor=actor())


@blp.route("/rules/<string:scope>")
class RuleByScope(MethodView):
    @blp.arguments(RulePutSchema)
    @blp.response(200, RuleSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="the scope's rule was created meanwhile")
    def put(self, body: dict[str, Any], scope: str) -> Any:
        """Set the rule of every item (*) or of one process; fields left out keep their value."""
        return supervision_rules.put_rule(uow(), scope, actor=actor(), values=body)


# ---- events ---------------------------------------------------------------------------------------

class EventQuerySchema(PageQuerySchema):
    process_instance_id = RowId(metadata={"description": "one case"})
    kind = fields.String(validate=validate.OneOf(supervision_sweep.KINDS))
    since = Instant(metadata={"description": "recorded at or after"})


class EventSchema(Schema):
    id = fields.Integer()
    process_instance_id = fields.Integer(attribute="instance_id")
    business_key = fields.String()
    process_key = fields.String()
    kind = fields.String(metadata={"description": "reminder, overdue, step_overrun, procedure_overrun (a special "
                                                  "procedure open longer than the item's guide allows: "
                                                  "data.procedure_id, kind, max_days) or delivery_overdue (a "
                                                  "decided case's result not delivered in the days Art 44 gives)"})
    task_id = fields.Method("_task_id", metadata={"description": "the overrun task; null for the case"})
    due_at = fields.DateTime(metadata={"description": "the case deadline, the task's due date, the end of the "
                                                      "days the guide allows the procedure, or the delivery's due time"})
    data = fields.Dict()
    created_at = fields.DateTime()

    def _task_id(self, event: Any) -> str | None:
        if event.kind == supervision_sweep.PROCEDURE_OVERRUN:
            return None  # keyed by the procedure (data.procedure_id), not a task
        return event.task_id or None


@blp.route("/events")
class Events(MethodView):
    @blp.arguments(EventQuerySchema, location="query")
    @blp.response(200, page_of(EventSchema))
    @blp.alt_response(403, schema=ApiErrorSchema)
    def get(self, query: dict[str, Any]) -> Any:
        """Reminders, overdue cases and overrun steps the sweep recorded, newest first."""
        return supervision_sweep.list_events(
            uow(), actor=actor(), instance_id=query.get("process_instance_id"), kind=query.get("kind"),
            since=query.get("since"), limit=query["limit"], offset=query["offset"])
