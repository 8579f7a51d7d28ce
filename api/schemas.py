"""marshmallow schemas of the HTTP API; the OpenAPI document is generated from them."""
from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError, fields, post_dump, validate

from engine.clock import LOCAL_TZ
from engine.instances import STATES
from engine.tasks import SORTS, TASK_STATES

# Ids and offsets fit PostgreSQL's integer; larger numbers are refused as input, never reach SQL.
ROW_ID_MAX = 2**31 - 1


def RowId(**kwargs: Any) -> fields.Integer:  # noqa: N802 - used like the field classes it stands for
    """An id (or version) in a query or body: 1 to ROW_ID_MAX."""
    return fields.Integer(validate=validate.Range(min=1, max=ROW_ID_MAX), **kwargs)


_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


class Instant(fields.AwareDateTime):
    """A moment in a query (``2026-12-01T09:00:00+08:00``): an offset is required, and the moment is taken
    in UTC, where the database compares it; one that falls outside years 1 to 9999 there is refused. A date
    alone (``2026-12-01``, what a supervisor types) is the start of that day in the service's time zone, or,
    for the end of a period (``through_day``), the start of the next: ``since=D&until=D`` is the day D."""

    def __init__(self, *, through_day: bool = False, **kwargs: Any) -> None:
        super().__init__(default_timezone=None, **kwargs)
        self.through_day = through_day

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if isinstance(value, str) and _DATE_ONLY.fullmatch(value.strip()):
            try:
                day = date.fromisoformat(value.strip())
            except ValueError:
                raise ValidationError(f"{value.strip()} is not a date") from None
            if self.through_day and day == date.max:
                raise ValidationError("out of range: the moment falls outside years 1 to 9999 in UTC")
            if self.through_day:
                day += timedelta(days=1)
            value = datetime.combine(day, time(), LOCAL_TZ).isoformat()
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError("out of range: the moment falls outside years 1 to 9999 in UTC") from None


Variables = fields.Dict(keys=fields.String(), load_default=dict, metadata={
    "description": "process variables: a JSON object whose names are identifiers (letters, digits and _, not "
                   "starting with a digit or _, not a function diagrams call), of JSON values nested at most 20 "
                   "levels, integers within 64 bits (larger ones as strings), no NUL characters; each refused "
                   "one is named in the 422's details by its path in the body (`variables.applicant_name`), "
                   "whether a check of every variable or a rule of the step's form refused it"})


class ProblemSchema(Schema):
    file = fields.String()
    line = fields.Integer(allow_none=True)
    element = fields.String(allow_none=True)
    message = fields.String()
    severity = fields.String()
    rule = fields.String(metadata={"description": "present where a caller may act on it: `take_over`, a file "
                                                  "taking over a process id another file deployed"})
    code = fields.String(metadata={"description": "present for the common problems: a stable name of the "
                                                  "sentence (engine/problem_codes.py), for a client to say it "
                                                  "in its own language; `message` stays English"})
    params = fields.Dict(keys=fields.String(), metadata={"description": "with `code`: the values its sentence "
                                                                        "names (quoted names, a parser's reason)"})


class DefinitionSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    version = fields.Integer()
    name = fields.String(allow_none=True)
    deployment_id = fields.Integer()
    resource_name = fields.String()
    called_keys = fields.List(fields.String())
    start_messages = fields.List(fields.String())
    created_at = fields.DateTime()


class DeployedDefinitionSchema(DefinitionSchema):
    new = fields.Boolean(metadata={"description": "false when identical content kept its existing version"})


class DeploymentSchema(Schema):
    id = fields.Integer(allow_none=True)
    name = fields.String(allow_none=True)
    deployed_at = fields.DateTime(allow_none=True)
    definitions = fields.List(fields.Nested(DeployedDefinitionSchema))
    warnings = fields.List(fields.Nested(ProblemSchema))
    guides = fields.List(fields.Nested(lambda: DeployedGuideSchema()),
                         metadata={"description": "the guide.json files of the deployment, by item code"})
    generated_forms = fields.List(fields.String(), metadata={
        "description": "the form-js forms generated from the diagrams' camunda:formData, named "
                       "PROCESS.ELEMENT.generated.form (served and checked as uploaded forms are)"})


class DeployedGuideSchema(Schema):
    code = fields.String()
    version = fields.Integer()
    process = fields.String()
    new = fields.Boolean(metadata={"description": "false when identical content kept its existing version"})


class DeployFormSchema(Schema):
    name = fields.String(validate=validate.Length(max=200))


class VersionQuerySchema(Schema):
    version = RowId()


class DefinitionQuerySchema(Schema):
    key = fields.String()
    all_versions = fields.Boolean(load_default=False)


class TaskSchema(Schema):
    id = fields.String()
    name = fields.String(allow_none=True)
    bpmn_id = fields.String()
    kind = fields.String(metadata={"description": "user, or external for steps a system completes"})
    topic = fields.String(allow_none=True, metadata={
        "description": "external tasks: the topic a worker polls for (GET /api/tasks?topic=...). The diagram's "
                       "camunda:topic (an expression there is evaluated when the task is reached); for a step "
                       "implemented in Java, its camunda:class name, or its camunda:delegateExpression or "
                       "camunda:expression as written (e.g. ${archiveDelegate}), so a worker standing in for "
                       "that code takes exactly those; a SpiffWorkflow service operator's id; else the element "
                       "id. Null for user tasks"})
    process_instance_id = fields.Integer(attribute="instance_id")
    process_key = fields.String(attribute="definition_key")
    business_key = fields.String()
    lane = fields.String(allow_none=True)
    candidate_groups = fields.List(fields.String())
    candidate_users = fields.List(fields.String())
    assignee = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    follow_up_at = fields.DateTime(allow_none=True)
    priority = fields.Integer()
    form_key = fields.String(allow_none=True)
    properties = fields.Dict()
    state = fields.String()
    created_at = fields.DateTime()
    claimed_at = fields.DateTime(allow_none=True)
    lock_expires_at = fields.DateTime(allow_none=True, metadata={
        "description": "external tasks claimed with lock_seconds: when the claim lapses and the task goes back "
                       "to its topic's queue, unless completed before"})
    failed_at = fields.DateTime(allow_none=True, metadata={
        "description": "external tasks: when a worker reported a failure; the task waits for a supervisor's "
                       "retry (POST /api/tasks/<id>/retry) and is not offered to workers meanwhile"})
    error_message = fields.String(allow_none=True, metadata={
        "description": "the message of the last failure reported (kept after a retry)"})
    ended_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)


class InstanceSchema(Schema):
    id = fields.Integer()
    business_key = fields.String()
    definition_key = fields.String()
    definition_id = fields.Integer()
    definition_version = fields.Integer()
    state = fields.String()
    started_at = fields.DateTime()
    started_by = fields.String(allow_none=True)
    ended_at = fields.DateTime(allow_none=True)
    end_reason = fields.String(allow_none=True, metadata={
        "description": "why the case ended when no decision ended it: the reason recorded when it was "
                       "terminated, or a deemed withdrawal's end as the diagram names it (逾期未补正，视为撤回申请; "
                       "one case's view only)"})
    case_state = fields.String(allow_none=True, metadata={
        "description": "where the case stands in the terms approval systems report (已接件, 已受理, 补正(开始), "
                       "不予受理, 办结(通过), 办结(不通过), 撤回, 已撤件 ...), as its timeline and the applicant's "
                       "progress read it"})
    end_kind = fields.String(allow_none=True, metadata={
        "description": "how an ended case ended when no decision ended it: withdrawn (by the applicant, or "
                       "deemed withdrawn by its diagram) or terminated (by the office); null while it runs, "
                       "and when a decision ended it (see case_state)"})
    variables = fields.Dict(allow_none=True, metadata={
        "description": "the case's data; null in the case list (read one case for its variables)"})
    tasks = fields.List(fields.Nested(TaskSchema))


class StartedInstanceSchema(InstanceSchema):
    query_code = fields.String(metadata={
        "description": "the applicant's query code (查询码) for GET /api/public/progress/<case-no>: only in "
                       "the 201 answer that created the case (stored hashed, never shown again)"})
    differing_variables = fields.List(fields.String(), metadata={
        "description": "only in the 200 answer for a case that existed: the variables this start gave other "
                       "values than the case started with. They were not applied: a retry sends the same "
                       "variables, so this names another application under a number already used"})

    @post_dump
    def _only_when_given(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        for name in ("query_code", "differing_variables"):
            if data.get(name) is None:
                data.pop(name, None)
        return data


class StartSchema(Schema):
    business_key = fields.String(validate=validate.Length(min=1, max=50),
                                 metadata={"description": "the case number; generated when absent"})
    variables = Variables
    version = RowId()


class PageQuerySchema(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=ROW_ID_MAX))


@functools.cache  # one class per items schema: OpenAPI has one component of each page
def page_of(items: type[Schema], *, name: str | None = None) -> type[Schema]:
    """A page of a list (PageQuerySchema asks for it): its ``items``, how many match in all, and the limit and
    offset asked for. Its OpenAPI component is ``name``, by default the items' own: ``TaskSchema``, ``TaskPage``."""
    name = name or items.__name__.removesuffix("Schema") + "Page"
    return Schema.from_dict({"items": fields.List(fields.Nested(items)), "total": fields.Integer(),
                             "limit": fields.Integer(), "offset": fields.Integer()}, name=f"{name}Schema")


NOT_BLANK = validate.Regexp(r"\S", error="must not be empty")  # spaces alone would filter on nothing
NUMBER_FILTER = {"description": "the case number, as stored or typed with full-width forms (read as NFKC); an "
                                "empty one is refused rather than read as no filter"}
APPLICANT_FILTER = {"description": "part of the applicant's name (申请人: the variable applicant_name, or applicant, "
                                   "applicantName, 申请人), case-insensitive for Latin letters, full-width forms read "
                                   "as half-width (NFKC). Only narrows what the caller may already see; a confidential "
                                   "name is not searchable"}


class InstanceQuerySchema(PageQuerySchema):
    state = fields.String(validate=validate.OneOf(STATES))
    process_key = fields.String(validate=validate.Length(min=1))
    business_key = fields.String(validate=NOT_BLANK, metadata=NUMBER_FILTER)
    applicant = fields.String(validate=validate.Length(min=1, max=100), metadata=APPLICANT_FILTER)


InstancePageSchema = page_of(InstanceSchema)


class HistoryEventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String(allow_none=True)
    event = fields.String()
    element_id = fields.String(allow_none=True)
    element_name = fields.String(allow_none=True)
    element_type = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True)
    data = fields.Dict()


class WaitSchema(Schema):
    kind = fields.String(metadata={"description": "message | timer"})
    element_id = fields.String()
    element_name = fields.String(allow_none=True, metadata={"description": "the catch event's name in the diagram"})
    member = fields.String(allow_none=True, metadata={
        "description": "inside a multi-instance: the member it is for (a member department's ballot)"})
    label = fields.String(metadata={"description": "what people call it: the step's name, with the member"})
    since = fields.DateTime()
    message = fields.String(allow_none=True, metadata={"description": "the message's name, as POST /api/messages takes it"})
    due_at = fields.DateTime(allow_none=True, metadata={"description": "a timer's due time"})
    recordable = fields.Boolean(metadata={"description": "a clerk of the case may record the message"})


class ReasonSchema(Schema):
    reason = fields.String(validate=validate.Length(max=2000))


class TerminateSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    withdrawn = fields.Boolean(load_default=None, allow_none=True, metadata={
        "description": "true: the applicant withdrew (已撤件, end_kind withdrawn); false: the office ended the "
                       "case (已终止, end_kind terminated); omitted: read from the reason (one opening with "
                       "申请人撤回 / 应申请人要求撤件 / applicant withdrew is a withdrawal)"})


class TaskQuerySchema(PageQuerySchema):
    candidate_group = fields.String()
    candidate_user = fields.String()
    assignee = fields.String()
    unassigned = fields.Boolean(load_default=False)
    mine = fields.Boolean(load_default=False, metadata={"description": "assigned to me or claimable by me"})
    process_key = fields.String(validate=validate.Length(min=1))
    business_key = fields.String(validate=NOT_BLANK, metadata=NUMBER_FILTER)
    applicant = fields.String(validate=validate.Length(min=1, max=100), metadata=APPLICANT_FILTER)
    process_instance_id = RowId()
    due_before = Instant()
    state = fields.String(load_default="READY", validate=validate.OneOf(TASK_STATES + ("all",)))
    kind = fields.String(validate=validate.OneOf(("user", "external")))
    topic = fields.String(validate=validate.Length(min=1, max=255), metadata={
        "description": "external tasks of this topic only: what a worker polls (with kind=external&unassigned=true)"})
    failed = fields.Boolean(metadata={
        "description": "true: only external tasks a worker reported failed (incidents for supervisors to retry); "
                       "false: none of them. By default workers and clerks do not see failed tasks, supervisors do"})
    sort = fields.String(load_default="due", validate=validate.OneOf(tuple(SORTS)))


TaskPageSchema = page_of(TaskSchema)


class CompleteSchema(Schema):
    variables = Variables


class SaveSchema(Schema):
    variables = fields.Dict(keys=fields.String(), load_default=dict, metadata={
        "description": "the task form's current values, as a completion would send them, complete or not: "
                       "checked as variables are (names, depth, 64-bit integers, no NUL characters), not by "
                       "the form's rules; a name the form does not have is refused, a readonly field's value "
                       "dropped. They replace what was saved before"})


class TaskFormSchema(Schema):
    key = fields.String(metadata={"description": "the task's formKey"})
    schema = fields.Dict(allow_none=True, metadata={"description": "the form-js schema; null for embedded forms"})
    data = fields.Dict(metadata={"description": "current values of the form's fields, to prefill it"})


class AssignSchema(Schema):
    assignee = fields.String(required=True, allow_none=True, validate=validate.Length(min=1, max=100))
    note = fields.String(allow_none=True, validate=validate.Length(max=500),
                         metadata={"description": "why (转办 by its holder): kept in the case's history"})


class MessageSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    business_key = fields.String(validate=validate.Length(min=1, max=50))
    process_instance_id = RowId()
    correlations = fields.Dict(keys=fields.String(), load_default=dict,
                               metadata={"description": "correlation property values the case must match; "
                                                        "they pick the case and are not written into its data "
                                                        "(send those as variables)"})
    variables = Variables
    all = fields.Boolean(load_default=False, metadata={"description": "deliver to every matching case"})
    buffer_seconds = fields.Integer(load_default=0, validate=validate.Range(min=0, max=ROW_ID_MAX), metadata={
        "description": "when nothing waits yet: keep the message this long (capped by the server) for the "
                       "first matching case that starts waiting for it; answered with 202"})


class BufferedMessageSchema(Schema):
    id = fields.Integer()
    name = fields.String(attribute="message_name")
    business_key = fields.String(allow_none=True)
    process_instance_id = fields.Integer(attribute="instance_id", allow_none=True)
    correlations = fields.Dict()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()


class MessageResultSchema(Schema):
    process_instances = fields.List(fields.Nested(InstanceSchema))
    buffered = fields.Nested(BufferedMessageSchema, metadata={"description": "present when the message was buffered"})
    message = fields.String(metadata={"description": "what became of the message, when it was buffered"})


class ApiErrorBodySchema(Schema):
    class Meta:
        unknown = INCLUDE  # an error may add context fields (e.g. the accepted file types on a 415)

    code = fields.String(required=True, metadata={"description": "stable machine-readable name, e.g. conflict"})
    message = fields.String(required=True)
    details = fields.List(fields.Raw(), required=True, metadata={
        "description": "problems: {field, message} for invalid input, {file, line, element, message} for "
                       "deployments. `field` is the path within the request: a query parameter or body field "
                       "by its name (`business_key`), a value inside the body by its keys and list indexes "
                       "joined with dots (`variables.applicant_name`, `variables.address.city`, "
                       "`variables.items.0`, `correlations.case_no`); a form's field is named so too, under "
                       "`variables`, with its `label`, the `rule` it broke and the rule's `params`"})
    state = fields.String(metadata={"description": "on conflicts: the target's current state"})
    assignee = fields.String(metadata={"description": "on conflicts over a task: who holds it"})
    element = fields.String(metadata={"description": "on a process_error: the id of the diagram's element that failed"})
    element_name = fields.String(allow_none=True, metadata={"description": "on a process_error: that element's name"})
    reason = fields.String(metadata={"description": "why, where one code covers several causes: a message nobody "
                                                    "waits for (unknown_message, no_such_case, not_waiting), a "
                                                    "user or department refused (name_taken, last_admin, code_taken)"})


class ApiErrorSchema(Schema):
    error = fields.Nested(ApiErrorBodySchema)




class CalendarQuerySchema(Schema):
    calendar = fields.String(load_default="CN", validate=validate.Length(min=1, max=50),
                             metadata={"description": "the calendar's name; CN is the national one"})


class CalendarDaySchema(Schema):
    date = fields.Date(required=True)
    name = fields.String(allow_none=True, validate=validate.Length(max=100), metadata={"description": "e.g. 春节"})


class CalendarYearInSchema(Schema):
    """The JSON import format without ``calendar`` and ``year``, which the URL gives."""

    holidays = fields.List(fields.Nested(CalendarDaySchema), load_default=list)
    workdays = fields.List(fields.Nested(CalendarDaySchema), load_default=list,
                           metadata={"description": "make-up working days (调休): Saturdays or Sundays"})


class CalendarYearSchema(CalendarYearInSchema):
    calendar = fields.String()
    year = fields.Integer()
    extends = fields.String(allow_none=True)
    provisional = fields.Boolean(metadata={"description": "no announced data: Monday to Friday only"})
    source = fields.String(allow_none=True)
    loaded_at = fields.DateTime(allow_none=True)
    loaded_by = fields.String(allow_none=True)
    working_days = fields.Integer()


class CalendarInfoSchema(Schema):
    name = fields.String()
    description = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    extends = fields.String(allow_none=True)
    years = fields.List(fields.Integer(), metadata={"description": "years this calendar has data of its own for"})


# ---- statutory time limits (engine.time_limits) ----------------------------------------------------

class SpecialProcedureSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "extension (延长审批) or an excluded period: hearing, testing, "
                                                  "inspection, quarantine, appraisal, expert_review, bidding, "
                                                  "auction, other"})
    started_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    reason_or_basis = fields.String(allow_none=True)
    result = fields.String(allow_none=True)
    opinion = fields.String(allow_none=True)
    element_id = fields.String(allow_none=True, metadata={"description": "the diagram element; null: by hand"})
    days = fields.Integer(allow_none=True, metadata={"description": "working days granted or not counted"})
    created_by = fields.String(allow_none=True)


class ProcedureKindSchema(Schema):
    kind = fields.String()
    name = fields.String(metadata={"description": "as the pages name it, e.g. 现场核查"})
    max_days = fields.Integer(allow_none=True, metadata={"description": "working days the guide lets it last"})


class ClockSchema(Schema):
    process_instance_id = fields.Integer(attribute="instance_id")
    state = fields.String(metadata={"description": "running, paused or stopped"})
    calendar = fields.String()
    promised_days = fields.Integer()
    statutory_days = fields.Integer(allow_none=True)
    extension_days = fields.Integer()
    started_at = fields.DateTime()
    stopped_at = fields.DateTime(allow_none=True)
    deadline_at = fields.DateTime(metadata={"description": "end of the last working day (UTC); while paused, "
                                                           "as if the pause ended now"})
    deadline_date = fields.Date()
    provisional = fields.Boolean(metadata={"description": "counted through a year without calendar data"})
    paused_since = fields.DateTime(allow_none=True)
    paused_working_days = fields.Integer()
    used_working_days = fields.Integer()
    remaining_working_days = fields.Integer()
    overdue = fields.Boolean()
    extension_allowance_days = fields.Integer(metadata={
        "description": "working days all extensions together may add (行政许可法 Art 42): 10, or 15 when the "
                       "statutory limit is the 45 days of joint, unified or centralised handling, or what the "
                       "item's guide sets with its legal basis"})
    extension_remaining_days = fields.Integer(metadata={
        "description": "working days a further extension may still add; 0 once the clock stopped or the "
                       "deadline passed"})
    extension_basis = fields.String(metadata={"description": "the legal basis of the allowance (none for an item "
                                                             "that is not a licence and whose guide sets none)"})
    delivery_due_at = fields.DateTime(allow_none=True, metadata={
        "description": "行政许可法 Art 44: once the decision stopped the clock, the end of the 10th working day "
                       "after it, by which the result is to reach the applicant (null: no decision yet, or the "
                       "item's diagram marks no delivery step)"})
    delivery_due_date = fields.Date(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True, metadata={"description": "when the delivery step completed"})
    delivery_overdue = fields.Boolean(metadata={
        "description": "the result was delivered after its due time, or is past it and not delivered yet (a case "
                       "that ended without its delivery step owes none: false)"})
    procedures = fields.List(fields.Nested(SpecialProcedureSchema))
    procedure_kinds = fields.List(fields.Nested(ProcedureKindSchema), metadata={
        "description": "the special procedures pause takes: those the item's guide lists (excluded_periods), "
                       "every kind when the item has no guide"})


class ClockPauseSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(
        ("hearing", "testing", "inspection", "quarantine", "appraisal", "expert_review", "bidding", "auction",
         "other")), metadata={"description": "one of the clock's procedure_kinds (the item's guide lists them), "
                                             "else 422 naming those"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                           metadata={"description": "reason or legal basis"})


class ClockResumeSchema(Schema):
    result = fields.String(validate=validate.Length(max=2000))
    opinion = fields.String(validate=validate.Length(max=2000))


class ClockExtendSchema(Schema):
    days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1), metadata={
        "description": "working days; with the extensions already approved at most the clock's "
                       "extension_allowance_days, else 409 (so is a case past its deadline)"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


# ---- extension requests (engine.extensions) ---------------------------------------------------------

class ExtensionRequestCreateSchema(Schema):
    days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1), metadata={
        "description": "working days asked for; checked as the approval would be: within what the clock's "
                       "extension_remaining_days allows, before the deadline, else 409"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ExtensionDecisionSchema(Schema):
    opinion = fields.String(validate=validate.Length(max=2000), metadata={
        "description": "the agency head's opinion (批准意见)"})
    days = fields.Integer(strict=True, validate=validate.Range(min=1), metadata={
        "description": "the working days granted, at most those requested (422 beyond); all of them if absent"})


class ExtensionRefusalSchema(Schema):
    opinion = fields.String(required=True, validate=validate.Length(min=1, max=2000), metadata={
        "description": "why the extension is refused (不予批准的理由)"})


class ExtensionRequestQuerySchema(PageQuerySchema):
    state = fields.String(validate=validate.OneOf(("pending", "approved", "refused", "lapsed")))


class ExtensionRequestSchema(Schema):
    id = fields.Integer()
    process_instance_id = fields.Integer(attribute="instance_id")
    business_key = fields.String()
    process_key = fields.String(attribute="definition_key")
    item_name = fields.String()
    days = fields.Integer()
    reason = fields.String()
    state = fields.String(metadata={"description": "pending, approved, refused, or lapsed (still pending when "
                                                   "the case's clock stopped)"})
    requested_by = fields.String()
    requested_at = fields.DateTime()
    decided_by = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    opinion = fields.String(allow_none=True)
    deadline_date = fields.Date(allow_none=True, metadata={"description": "the case's deadline now"})
    granted_days = fields.Integer(allow_none=True, metadata={"description": "approved: the working days granted"})
    lapsed_because = fields.String(allow_none=True, metadata={
        "description": "lapsed: how the clock stopped (decided, withdrawn, terminated, completed)"})
    overdue = fields.Boolean(metadata={"description": "pending past the case's deadline: it can only be refused"})


# ---- entrusted acceptance (委托受理): api.delegations -----------------------------------------------

DELEGATION_STATES = ("active", "not_yet_valid", "expired", "revoked")  # engine.delegations.STATES


class DelegationCreateSchema(Schema):
    principal_code = fields.String(required=True, validate=validate.Length(min=1, max=50), metadata={
        "description": "the department implementing the items (委托机关), e.g. WJW"})
    agent_code = fields.String(required=True, validate=validate.Length(min=1, max=50), metadata={
        "description": "the department accepting them on its behalf (受托受理机构), e.g. a township service centre"})
    items = fields.List(fields.String(validate=validate.Length(min=1, max=255)), load_default=list, metadata={
        "description": "item codes or process keys covered; empty: every item whose guide names the principal"})
    basis = fields.String(required=True, validate=validate.Length(min=1, max=500), metadata={
        "description": "the 委托书 or the document's number"})
    valid_from = fields.Date(required=True, metadata={"description": "first day it is valid (Beijing date)"})
    valid_until = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "last day it is valid (inclusive); null: until revoked"})


class DelegationRevokeSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000), metadata={
        "description": "why the entrustment ends (撤销委托的理由)"})


class DelegationQuerySchema(Schema):
    department = fields.String(validate=validate.Length(max=50), metadata={
        "description": "entrustments with this department as principal or agent"})
    state = fields.String(validate=validate.OneOf(DELEGATION_STATES))


class DelegationSchema(Schema):
    id = fields.Integer()
    principal_code = fields.String()
    principal_name = fields.String()
    agent_code = fields.String()
    agent_name = fields.String()
    items = fields.List(fields.String(), metadata={"description": "empty: all of the principal's items"})
    basis = fields.String()
    valid_from = fields.Date()
    valid_until = fields.Date(allow_none=True)
    state = fields.String(metadata={"description": ", ".join(DELEGATION_STATES) + " (today, Beijing time)"})
    created_by = fields.String()
    created_at = fields.DateTime()
    revoked_by = fields.String(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    revoke_reason = fields.String(allow_none=True)
