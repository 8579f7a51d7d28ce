"""Schemas of the applicants' side: public progress, online supplement (网上补正), ratings (好差评), complaints,
rating statistics."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from engine.query_codes import ALPHABET, LENGTH

from .schemas import Instant

CODE_DESCRIPTION = (f"the query code (查询码) handed out when the case started: {LENGTH} characters of "
                    f"{ALPHABET} (case, spaces and hyphens are ignored)")
Level = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5), metadata={
    "description": "GB/T 39046 满意度: 1 非常满意, 2 满意, 3 基本满意, 4 不满意, 5 非常不满意 (4-5 are 差评)"})


class CodeQuerySchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32),
                         metadata={"description": CODE_DESCRIPTION})


class DocumentQuerySchema(CodeQuerySchema):
    format = fields.String(load_default="pdf", validate=validate.OneOf(("pdf", "html")))


class StepSchema(Schema):
    at = fields.DateTime()
    name = fields.String(metadata={"description": "the step, e.g. 受理审查"})
    case_state = fields.String(allow_none=True, metadata={"description": "the case state it reached, e.g. 已受理"})


class TimeLimitSchema(Schema):
    promised_days = fields.Integer(metadata={"description": "承诺时限, working days"})
    extension_days = fields.Integer()
    deadline_date = fields.Date()
    used_working_days = fields.Integer()
    remaining_working_days = fields.Integer(metadata={"description": "negative once overdue"})
    paused = fields.Boolean(metadata={"description": "in a special procedure (特别程序) that is not counted"})
    stopped = fields.Boolean(metadata={"description": "decided: the clock stopped"})
    overdue = fields.Boolean()
    provisional = fields.Boolean(metadata={"description": "counted through a year whose holidays are not "
                                                          "announced yet"})
    delivery_due_date = fields.Date(allow_none=True, metadata={
        "description": "decided: the day the result is due to reach the applicant (行政许可法 Art 44)"})
    delivered_on = fields.Date(allow_none=True, metadata={"description": "the day the result was delivered"})


class ProcedureSchema(Schema):
    kind = fields.String()
    name = fields.String(metadata={"description": "e.g. 延长审批, 现场核查"})
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    days = fields.Integer(allow_none=True, metadata={"description": "working days granted or not counted"})
    reason = fields.String(allow_none=True, metadata={"description": "extensions: why (行政许可法第四十二条)"})
    max_days = fields.Integer(allow_none=True, metadata={
        "description": "excluded periods: the working days the item's guide says it may last (行政许可法第四十五条)"})


class PublicDocumentSchema(Schema):
    id = fields.Integer()
    name = fields.String(metadata={"description": "e.g. 受理通知书"})
    issued_at = fields.DateTime()
    download_url = fields.String(metadata={"description": "add ?code=... (and &format=html for HTML)"})


class RatingShownSchema(Schema):
    level = fields.Integer()
    level_name = fields.String()
    comment = fields.String(allow_none=True)
    rated_at = fields.DateTime()
    for_case = fields.Boolean(metadata={"description": "false: a rating of a service contact of a running case"})
    rectification = fields.String(allow_none=True, metadata={
        "description": "a 差评's rectification: open, rectified, cancelled (ended without being confirmed, e.g. "
                       "terminated by a supervisor) or missing; null for a good rating"})
    rectified_at = fields.DateTime(allow_none=True)


class AwaitingSchema(Schema):
    what = fields.String(metadata={"description": "待申请人补正材料: the case waits for the materials its "
                                                  "一次性告知通知书 lists; 待申请人补齐容缺材料: it was accepted "
                                                  "tolerantly (容缺受理) and waits for the materials its 容缺受理"
                                                  "通知书 waived, while the review goes on"})
    kind = fields.String(metadata={"description": "supplement (补正) or tolerated (容缺受理)"})
    materials = fields.List(fields.String(), metadata={
        "description": "the materials owed, by name (the notice says what is wrong with each); empty when the "
                       "acceptance step listed none"})
    due_on = fields.Date(allow_none=True, metadata={
        "description": "the last day to bring them (local date); null when the item sets no time limit"})


class WaitingSchema(Schema):
    name = fields.String(metadata={"description": "the diagram's name for what the case waits for, e.g. "
                                                  "会议召开（会议日期当天开始表决）; 等待后续环节 when it has none"})
    due_on = fields.Date(allow_none=True, metadata={
        "description": "a timer: the day it falls due (local date), the earliest of those sharing the name; "
                       "null for a message"})


class ResultDeliverySchema(Schema):
    method = fields.String(metadata={"description": "window, electronic, self_service or mail (as the guide's "
                                                    "delivery_methods)"})
    method_name = fields.String(metadata={"description": "e.g. 邮寄送达"})
    tracking_no = fields.String(allow_none=True, metadata={"description": "the postal tracking number (mail only)"})


class AcceptedBySchema(Schema):
    agent_name = fields.String(metadata={"description": "受理机构, e.g. 某镇便民服务中心"})
    principal_name = fields.String(metadata={"description": "实施部门, the department whose item it is"})


class ProgressSchema(Schema):
    case_no = fields.String()
    item_name = fields.String()
    status = fields.String(metadata={"description": "办理中, 已决定，待送达 (decided, the result not delivered yet: "
                                                    "制证, 出件), 暂停办理, 已办结, 已撤件 (withdrawn by the applicant, or "
                                                    "deemed withdrawn by the item's rules: end_kind withdrawn) or "
                                                    "已终止 (terminated by the office)"})
    case_state = fields.String(allow_none=True, metadata={
        "description": "the latest case state: 已接件, 已受理, 不予受理, 补正(开始), 特别程序(开始), 办结(通过), "
                       "办结(已答复) (a complaint answered), 已撤件 (withdrawn by the applicant), 已终止 (terminated "
                       "by the office) ..."})
    received_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True, metadata={
        "description": "办结时间: when the case ended, or its result was delivered (see follow_up)"})
    follow_up = fields.Boolean(metadata={
        "description": "the result was delivered (status 已办结) but the office's checks go on, e.g. the "
                       "verification of a 告知承诺制 commitment; current_steps names them"})
    denied_items = fields.List(fields.String(), metadata={
        "description": "a one-thing bundle's (一件事) member items that ended 办结(不通过) or 不予受理, by name: the "
                       "bundle reads 办结(通过) while another item was granted; empty otherwise"})
    accepted_by = fields.Nested(AcceptedBySchema, attribute="accepted_on_behalf", allow_none=True, metadata={
        "description": "受理机构: the body that accepted the case on the implementing department's behalf (委托受理, "
                       "e.g. a township service centre), with that department; null when it accepted the case itself"})
    steps = fields.List(fields.Nested(StepSchema), metadata={
        "description": "steps done or begun (a state reached as a step starts, e.g. 部门开始办理), oldest first"})
    current_steps = fields.List(fields.String(), metadata={"description": "steps under way"})
    time_limit = fields.Nested(TimeLimitSchema, allow_none=True, metadata={
        "description": "null before acceptance, or for an item without a time limit"})
    extensions = fields.List(fields.Nested(ProcedureSchema))
    special_procedures = fields.List(fields.Nested(ProcedureSchema))
    documents = fields.List(fields.Nested(PublicDocumentSchema), metadata={
        "description": "documents issued to the applicant, ready to download"})
    ratings = fields.List(fields.Nested(RatingShownSchema), metadata={"description": "the applicant's ratings"})
    result = fields.String(allow_none=True, metadata={
        "description": "the answer the item's diagram publishes to the applicant (govflow.publicResult), "
                       "e.g. the answer to a complaint; null until there is one"})
    end_kind = fields.String(allow_none=True, metadata={
        "description": "how an ended case ended other than by a decision: withdrawn (by the applicant, or deemed "
                       "withdrawn, e.g. materials not supplemented in time) or terminated (by the office); null "
                       "while running and for a decided case"})
    end_reason = fields.String(allow_none=True, metadata={
        "description": "what the applicant reads of it: 申请人撤回申请, 办理机关终止办理 (the office's own note is "
                       "not published: ask the office), or the diagram's end step (e.g. 逾期未补正，视为撤回申请)"})
    awaiting = fields.Nested(AwaitingSchema, allow_none=True, metadata={
        "description": "what the case waits for from the applicant (a 补正, case state 补正(开始); or the materials "
                       "a tolerant acceptance (容缺受理) waived, while the case waits for them), and by when; null "
                       "otherwise"})
    waiting = fields.List(fields.Nested(WaitingSchema), metadata={
        "description": "what a running case with no step under way (current_steps empty) waits for: a timer "
                       "(e.g. the meeting day) or a message, one entry per name; empty while a step is under "
                       "way, and while awaiting says what the case waits for"})
    delivery = fields.Nested(ResultDeliverySchema, allow_none=True, metadata={
        "description": "how the result was delivered, once the delivery step (统一出件) recorded it; null before"})
    may_rate = fields.Boolean(metadata={
        "description": "the case (or, where its guide allows, its last service contact) may be rated now"})


class RatingInSchema(Schema):
    case_no = fields.String(required=True, validate=validate.Length(min=1, max=50))
    code = fields.String(required=True, validate=validate.Length(min=1, max=32),
                         metadata={"description": CODE_DESCRIPTION})
    level = Level
    dimensions = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=50)),
                             values=fields.Integer(strict=True, validate=validate.Range(min=1, max=5)),
                             load_default=dict, validate=validate.Length(max=10),
                             metadata={"description": "per aspect, e.g. {\"服务态度\": 1, \"办事效率\": 2}"})
    comment = fields.String(validate=validate.Length(max=1000), allow_none=True,
                            metadata={"description": "required for a 差评 (level 4 or 5): its reason"})


class RatingOutSchema(Schema):
    id = fields.Integer()
    case_no = fields.String()
    level = fields.Integer()
    level_name = fields.String(metadata={"description": "e.g. 非常满意"})
    contact = fields.String(metadata={"description": "case, or the service contact (step) rated"})
    created_at = fields.DateTime()
    rectification = fields.Boolean(metadata={"description": "a 差评: a rectification was opened"})


class ComplaintInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    phone = fields.String(required=True, validate=validate.Length(min=1, max=20), metadata={
        "description": "a mobile number (spaces and +86 allowed) or a landline with its area code"})
    content = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    case_no = fields.String(validate=validate.Length(max=50), allow_none=True,
                            metadata={"description": "the case complained about, if any"})
    item_code = fields.String(validate=validate.Length(max=50), allow_none=True)


class ComplaintOutSchema(Schema):
    complaint_no = fields.String(metadata={"description": "the complaint's case number"})
    query_code = fields.String(metadata={"description": "shown only here: with the complaint number, follow it "
                                                        "at GET /api/public/progress/<complaint_no>"})
    received_at = fields.DateTime()
    handle_days = fields.Integer(metadata={"description": "working days the responsible department has before "
                                                         "the complaint is escalated"})
    answer_days = fields.Integer(metadata={"description": "working days within which the complainant is answered "
                                                         "(the complaint item's promised time limit)"})


class RatingStatsQuerySchema(Schema):
    since = Instant(metadata={"description": "ratings from (inclusive)"})
    until = Instant(through_day=True, metadata={"description": "ratings before (a date alone: through that day)"})


class RatingStatSchema(Schema):
    key = fields.String(allow_none=True, metadata={"description": "process key, group or clerk name"})
    name = fields.String(allow_none=True)
    count = fields.Integer()
    average_level = fields.Float(metadata={"description": "1 非常满意 … 5 非常不满意: lower is better"})
    bad = fields.Integer(metadata={"description": "差评 (levels 4-5)"})
    bad_share = fields.Float()
    rectified = fields.Integer(metadata={"description": "差评 whose rectification was confirmed"})


class RatingStatsSchema(Schema):
    total = fields.Integer()
    by_item = fields.List(fields.Nested(RatingStatSchema))
    by_department = fields.List(fields.Nested(RatingStatSchema))
    by_clerk = fields.List(fields.Nested(RatingStatSchema))


class SupplementFileSchema(Schema):
    name = fields.String(metadata={"description": "the material it was uploaded for, as the notice lists it"})
    filename = fields.String()
    size = fields.Integer(metadata={"description": "bytes"})
    sha256 = fields.String(metadata={"description": "of the file as stored: the applicant may check it"})
    uploaded_at = fields.DateTime()


class SupplementMaterialSchema(Schema):
    name = fields.String(metadata={"description": "a material the 一次性告知通知书 asks for"})
    files = fields.List(fields.Nested(SupplementFileSchema), metadata={
        "description": "uploaded for it since the case began to wait for the supplement, oldest first; empty: "
                       "still missing"})


class SupplementSchema(Schema):
    case_no = fields.String()
    due_on = fields.Date(allow_none=True, metadata={
        "description": "the last day to supplement (local date); null when the item sets no time limit"})
    materials = fields.List(fields.Nested(SupplementMaterialSchema))
    missing = fields.List(fields.String(), metadata={"description": "the materials with no file yet: the "
                                                                    "supplement is submitted once this is empty"})
    max_bytes = fields.Integer(metadata={"description": "the largest file accepted, in bytes"})
    max_files = fields.Integer(metadata={"description": "how many files one material takes (more: 409 too_many_files)"})
    accepted_types = fields.List(fields.String(), attribute="types", metadata={
        "description": "the file extensions accepted, e.g. pdf, jpg (the content must be of that type)"})


class SupplementUploadSchema(Schema):
    """The multipart fields beside ``file``."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=32),
                         metadata={"description": CODE_DESCRIPTION})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={
        "description": "the material the file is for, as the supplement lists it (GET .../supplement)"})


class SupplementSubmitSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32),
                         metadata={"description": CODE_DESCRIPTION})


class SupplementSubmittedSchema(Schema):
    case_no = fields.String()
    submitted_at = fields.DateTime()
    case_state = fields.String(allow_none=True, metadata={
        "description": "where the case stands now: 补正(结束) as it goes back to acceptance review"})
    materials = fields.List(fields.Nested(SupplementMaterialSchema), metadata={
        "description": "what was submitted, each material with its files"})
