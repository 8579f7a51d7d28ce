"""Materials of a case (upload, list, download, withdraw a wrong upload, the checklist, the window's marks of
materials received as paper originals or not applicable) and the case archive (one zip)."""
from __future__ import annotations

from typing import Any

from flask import Response, request, send_file
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from engine import archive, materials
from engine.errors import InvalidRequest, ValidationFailed
from engine.settings import Settings

from .context import actor, uow
from .downloads import send_download
from .json_body import Blueprint
from .limits import upload_limit
from .schemas import ApiErrorSchema

blp = Blueprint("materials", __name__, url_prefix="/api/process-instances",
                description="Materials submitted to cases, and the case archive")

UPLOAD_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file", "name"],
    "properties": {"file": {"type": "string", "format": "binary"},
                   "name": {"type": "string", "maxLength": 200,
                            "description": "the material's name as the guide lists it, e.g. 营业执照"}}}}}}}
BINARY = {"type": "string", "format": "binary"}


class MaterialSchema(Schema):
    id = fields.Integer()
    process_instance_id = fields.Integer(attribute="instance_id")
    name = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.String()
    uploaded_at = fields.DateTime()
    withdrawn_by = fields.String(allow_none=True, metadata={
        "description": "who withdrew it before acceptance; null: it counts"})
    withdrawn_at = fields.DateTime(allow_none=True)
    withdrawn_reason = fields.String(allow_none=True)


@blp.route("/<int:instance_id>/materials")
class Materials(MethodView):
    @staticmethod
    def body_limit(settings: Settings) -> int:  # read by api/limits.py before the body is parsed
        return upload_limit(settings.max_material_bytes)

    @blp.response(200, MaterialSchema(many=True))
    @blp.alt_response(403, schema=ApiErrorSchema)
    def get(self, instance_id: int) -> Any:
        """Every material submitted to the case (and its bundle), oldest first."""
        return materials.list_materials(uow(), instance_id, actor=actor())

    @blp.doc(**UPLOAD_DOC)
    @blp.response(201, MaterialSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="the case has ended")
    @blp.alt_response(413, schema=ApiErrorSchema, description="the file is larger than the limit")
    @blp.alt_response(415, schema=ApiErrorSchema, description="the file type is not accepted")
    @blp.alt_response(422, schema=ApiErrorSchema, description="the name is missing, longer than 200 characters or "
                      "holds control characters (details: field name)")
    def post(self, instance_id: int) -> Any:
        """Submit a material (multipart fields ``file`` and ``name``); stored with its SHA-256."""
        upload = request.files.get("file")
        if upload is None:
            raise InvalidRequest("send the material as multipart form field 'file', with its name in 'name'")
        return materials.upload(uow(), instance_id, actor=actor(), name=request.form.get("name", ""),
                                filename=upload.filename, stream=upload.stream)


class MaterialMarkSchema(Schema):
    id = fields.Integer()
    process_instance_id = fields.Integer(attribute="instance_id")
    name = fields.String()
    kind = fields.String(metadata={"description": "paper_checked (纸质原件已核验), not_applicable (不适用) or shared "
                                                  "(通过数据共享获取)"})
    note = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = fields.DateTime()


class ChecklistItemSchema(Schema):
    name = fields.String()
    key = fields.Boolean(metadata={"description": "a key material: tolerant acceptance may not waive it"})
    conditional = fields.Boolean(metadata={"description": "required only in some cases: may be marked not applicable"})
    shared = fields.Boolean(metadata={"description": "obtainable through data sharing (通过数据共享获取): may be marked "
                                                     "shared, and the applicant need not bring it"})
    status = fields.String(metadata={"description": "electronic (uploaded), paper_checked, not_applicable, shared or "
                                                    "missing; "
                                                    "受理 needs none missing, 容缺受理 no key one"})
    mark = fields.Nested(MaterialMarkSchema, allow_none=True, metadata={
        "description": "the window's record of its paper original checked, of it not applying, or of it obtained "
                       "through data sharing"})
    form = fields.String(allow_none=True, metadata={"description": "original, copy, original_and_copy, electronic"})
    copies = fields.Integer(allow_none=True)
    electronic = fields.Boolean(allow_none=True, metadata={"description": "an electronic copy suffices"})
    departments = fields.List(fields.String(), metadata={"description": "departments that need it (codes)"})
    needed_by_me = fields.Boolean(metadata={"description": "one of the reader's departments needs it"})
    submitted = fields.List(fields.Nested(MaterialSchema), metadata={"description": "already here: ask no more"})
    withdrawn = fields.List(fields.Nested(MaterialSchema), metadata={
        "description": "uploaded under its name, then withdrawn: kept on record, not counted"})


class ChecklistSchema(Schema):
    item_code = fields.String(allow_none=True, metadata={"description": "the guide's item; null: no guide"})
    items = fields.List(fields.Nested(ChecklistItemSchema))
    unlisted = fields.List(fields.Nested(MaterialSchema), metadata={
        "description": "submitted under a name the guide does not list (withdrawn ones with withdrawn_at)"})


@blp.route("/<int:instance_id>/materials/checklist")
class MaterialChecklist(MethodView):
    @blp.response(200, ChecklistSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, instance_id: int) -> Any:
        """The guide's materials against what the case holds, and which the reader's departments need."""
        return materials.checklist(uow(), instance_id, actor=actor())


class MaterialMarkInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200),
                         metadata={"description": "the material's name as the guide lists it"})
    kind = fields.String(required=True, validate=validate.OneOf(materials.MARK_KINDS),
                         metadata={"description": "paper_checked: its paper original was checked at the window; "
                                                  "not_applicable: a conditional material this application needs "
                                                  "not; shared: obtained through data sharing (a material the guide "
                                                  "marks shared)"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=materials.MAX_MARK_NOTE))


@blp.route("/<int:instance_id>/materials/marks")
class MaterialMarks(MethodView):
    @blp.arguments(MaterialMarkInSchema)
    @blp.response(201, MaterialMarkSchema)
    @blp.alt_response(403, schema=ApiErrorSchema, description="neither the clerk who received the case, nor a clerk "
                      "of its acceptance step, nor an admin")
    @blp.alt_response(404, schema=ApiErrorSchema, description="no such case, or not one the clerk reads")
    @blp.alt_response(409, schema=ApiErrorSchema, description="the case has ended")
    def post(self, body: dict[str, Any], instance_id: int) -> Any:
        """Record a material received other than by upload (its paper original checked at the window), or
        not applicable to this application; the acceptance step counts it as received. Recorded again with
        another note, the note is replaced."""
        try:
            [mark] = materials.record(uow(), instance_id, actor=actor(), marks=[materials.NewMark(**body)])
        except ValidationFailed as exc:  # the engine numbers the marks of a list; this body is one mark
            for detail in exc.details:
                if isinstance(detail, dict) and str(detail.get("field", "")).startswith("marks.0."):
                    detail["field"] = detail["field"].removeprefix("marks.0.")
            raise
        return mark


@blp.route("/<int:instance_id>/materials/marks/<int:mark_id>")
class MaterialMark(MethodView):
    @blp.response(204)
    @blp.alt_response(403, schema=ApiErrorSchema, description="as for recording")
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="the case was accepted (受理) or has ended")
    def delete(self, instance_id: int, mark_id: int) -> None:
        """Take back a mark recorded by mistake: the material is missing again; not once the case was accepted."""
        materials.withdraw(uow(), instance_id, mark_id, actor=actor())


# What a download is served as: the type of each accepted extension (any other: octet-stream).
DOWNLOAD_TYPES = sorted({*materials.CONTENT_TYPES.values(), "application/octet-stream"})


@blp.route("/<int:instance_id>/materials/<int:material_id>")
class MaterialFile(MethodView):
    @blp.response(200, description="the file as submitted, with the type its extension names",
                  content_type="application/octet-stream")
    @blp.doc(responses={"200": {"content": {kind: {"schema": BINARY} for kind in DOWNLOAD_TYPES}}})
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, instance_id: int, material_id: int) -> Response:
        """Download a material; the ETag is its SHA-256."""
        material, stream = materials.download(uow(), instance_id, material_id, actor=actor())
        return send_download(stream, mimetype=material.content_type, name=material.filename,
                             fallback=f"material-{material.id}", etag=material.sha256)


class WithdrawUploadSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=materials.MAX_WITHDRAW_REASON),
                           metadata={"description": "why it is withdrawn, e.g. 上传错误：扫描件不清晰"})


@blp.route("/<int:instance_id>/materials/<int:material_id>/withdraw")
class MaterialWithdrawal(MethodView):
    @blp.arguments(WithdrawUploadSchema)
    @blp.response(200, MaterialSchema)
    @blp.alt_response(400, schema=ApiErrorSchema, description="a reason that is blank or has control characters")
    @blp.alt_response(403, schema=ApiErrorSchema, description="as for recording marks")
    @blp.alt_response(404, schema=ApiErrorSchema, description="no such case or material, or not one the clerk reads")
    @blp.alt_response(409, schema=ApiErrorSchema, description="the case was accepted (受理: the accepted file stays "
                      "in the record), has ended, or the file was withdrawn already")
    def post(self, body: dict[str, Any], instance_id: int, material_id: int) -> Any:
        """Withdraw an upload made by mistake before acceptance: kept on record, marked withdrawn, no longer
        counted by the checklist; upload the right file under the same name."""
        return materials.withdraw_upload(uow(), instance_id, material_id, actor=actor(), reason=body["reason"])


@blp.route("/<int:instance_id>/archive")
class Archive(MethodView):
    @blp.response(200, description="zip: manifest.json, SHA256SUMS, materials/, documents/",
                  content_type="application/zip")
    @blp.doc(responses={"200": {"content": {"application/zip": {"schema": BINARY}}}})
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, instance_id: int) -> Response:
        """The case's archive (电子信息库): data, variables, tasks, history, materials and documents."""
        stream = archive.export(uow(), instance_id, actor=actor())
        return send_file(stream, mimetype="application/zip", as_attachment=True,
                         download_name=f"case-{instance_id}.zip")
