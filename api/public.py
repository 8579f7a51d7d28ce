"""The applicants' side, without login: case progress by number and query code, online supplement (the
materials a supplement asks for uploaded, then the supplement submitted), ratings (好差评), complaints. Every
route here is rate limited per client address (api/rate_limits.py): reads by the read limit, the rest by the
write limit."""
from __future__ import annotations

import json
from typing import Any

from flask import Response, request
from flask.views import MethodView

from engine import complaints, progress, public_supplement, ratings
from engine.errors import InvalidRequest, UnsupportedType
from engine.settings import Settings

from . import idempotency
from .context import uow
from .documents import HTML_POLICY
from .downloads import send_download
from .json_body import Blueprint
from .limits import upload_limit
from .public_schemas import (
    CodeQuerySchema,
    ComplaintInSchema,
    ComplaintOutSchema,
    DocumentQuerySchema,
    ProgressSchema,
    RatingInSchema,
    RatingOutSchema,
    SupplementFileSchema,
    SupplementSchema,
    SupplementSubmitSchema,
    SupplementSubmittedSchema,
    SupplementUploadSchema,
)
from .schemas import ApiErrorSchema

blp = Blueprint("public", __name__, url_prefix="/api/public",
                description="Applicants, without login: progress, ratings (好差评), complaints")
PUBLIC: dict[str, Any] = {"security": []}  # OpenAPI: no bearer token
LIMITED = {"description": "too many requests from this address (Retry-After says when to try again)",
           "schema": ApiErrorSchema}


@blp.after_request
def _not_cached(response: Response) -> Response:
    """Answers carry a case's state (or a query code): no shared cache may keep them."""
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/progress/<path:case_no>")  # a case number may hold "/"
class Progress(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(CodeQuerySchema, location="query")
    @blp.response(200, ProgressSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="unknown case number or wrong code (one answer)")
    @blp.alt_response(429, **LIMITED)
    def get(self, query: dict[str, Any], case_no: str) -> Any:
        """A case's progress as its applicant may see it: state, steps done, time limit, documents."""
        return progress.public_progress(uow(), case_no, query["code"])


@blp.route("/progress/<path:case_no>/documents/<int:document_id>")
class ProgressDocument(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(DocumentQuerySchema, location="query")
    @blp.response(200, description="the document (PDF, or HTML with format=html)", content_type="application/pdf")
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(429, **LIMITED)
    def get(self, query: dict[str, Any], case_no: str, document_id: int) -> Response:
        """Download a document issued to the applicant (受理通知书, decision ...)."""
        found = progress.public_document(uow(), case_no, query["code"], document_id, fmt=query["format"])
        mimetype = "application/pdf" if query["format"] == "pdf" else "text/html"
        response = send_download(found.content, mimetype=mimetype, name=found.file_name, fallback=found.plain_name)
        response.headers["X-Content-SHA256"] = found.sha256
        if query["format"] == "html":  # as staff downloads are: whatever a template holds runs nowhere
            response.headers["Content-Security-Policy"] = HTML_POLICY
        return response


NOT_OPEN = ("the case does not wait for a supplement now (state not_awaiting, e.g. submitted already), is "
            "suspended (suspended), or waits for one the applicant brings to the window (at_window)")
SUPPLEMENT_UPLOAD_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["code", "name", "file"],
    "properties": {"code": {"type": "string", "maxLength": 32, "description": "the query code"},
                   "name": {"type": "string", "maxLength": 200,
                            "description": "the material the file is for, as the supplement lists it"},
                   "file": {"type": "string", "format": "binary"}}}}}}}


@blp.route("/progress/<path:case_no>/supplement")
class ProgressSupplement(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(CodeQuerySchema, location="query")
    @blp.response(200, SupplementSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="unknown case number or wrong code (one answer)")
    @blp.alt_response(409, schema=ApiErrorSchema, description=NOT_OPEN)
    @blp.alt_response(429, **LIMITED)
    def get(self, query: dict[str, Any], case_no: str) -> Any:
        """Online supplement: the materials the case's supplement asks for, each with the files uploaded for
        it so far, while the case waits for them (its progress says ``awaiting`` of kind supplement)."""
        return public_supplement.supplement(uow(), case_no, query["code"])

    @blp.doc(**PUBLIC)
    @blp.arguments(SupplementSubmitSchema)
    @blp.response(200, SupplementSubmittedSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="unknown case number or wrong code (one answer)")
    @blp.alt_response(409, schema=ApiErrorSchema, description=NOT_OPEN)
    @blp.alt_response(422, schema=ApiErrorSchema, description="a material with no file uploaded yet (code "
                      "materials_missing, each in details: field materials, material)")
    @blp.alt_response(429, **LIMITED)
    def post(self, body: dict[str, Any], case_no: str) -> Any:
        """Submit the supplement once every material it asks for has a file: recorded as the window
        records a supplement brought to it, the case goes back to acceptance review, and uploads close."""
        return public_supplement.submit(uow(), case_no, body["code"])


@blp.route("/progress/<path:case_no>/supplement/materials")
class ProgressSupplementMaterials(MethodView):
    @staticmethod
    def body_limit(settings: Settings) -> int:  # read by api/limits.py: a clerk's upload's limit
        return upload_limit(settings.max_material_bytes)

    @blp.doc(**PUBLIC)
    @blp.doc(**SUPPLEMENT_UPLOAD_DOC)
    @blp.response(201, SupplementFileSchema)
    @blp.alt_response(400, schema=ApiErrorSchema, description="no file, or an empty one")
    @blp.alt_response(404, schema=ApiErrorSchema, description="unknown case number or wrong code (one answer)")
    @blp.alt_response(409, schema=ApiErrorSchema, description=NOT_OPEN + "; or the material has its 5 files "
                      "already (state too_many_files)")
    @blp.alt_response(413, schema=ApiErrorSchema, description="the file is larger than the limit")
    @blp.alt_response(415, schema=ApiErrorSchema, description="a file type not accepted, or a body that is not "
                      "multipart/form-data")
    @blp.alt_response(422, schema=ApiErrorSchema, description="no code, or a name that is not a material the "
                      "supplement lists (details: field name)")
    @blp.alt_response(429, **LIMITED)
    def post(self, case_no: str) -> Any:
        """Upload a file for a material the case's supplement asks for (multipart fields ``code``, ``name``, ``file``),
        with the limits of any material's upload; clerks find it in the case's materials."""
        if request.mimetype != "multipart/form-data":
            raise UnsupportedType("send the file as multipart/form-data, with fields code, name and file")
        form = SupplementUploadSchema().load(request.form.to_dict())
        upload = request.files.get("file")
        if upload is None:
            raise InvalidRequest("send the file as multipart form field 'file', with its material in 'name'")
        return public_supplement.upload(uow(), case_no, form["code"], name=form["name"], filename=upload.filename,
                                        stream=upload.stream)


@blp.route("/ratings")
class Ratings(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(RatingInSchema)
    @blp.response(201, RatingOutSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="unknown case number or wrong code (one answer)")
    @blp.alt_response(409, schema=ApiErrorSchema, description="not ended yet, or rated already")
    @blp.alt_response(429, **LIMITED)
    def post(self, body: dict[str, Any]) -> Any:
        """Rate an ended case (or a service contact, where its guide allows); a 差评 opens a rectification."""
        return ratings.rate(uow(), body["case_no"], body["code"], level=body["level"],
                            dimensions=body["dimensions"], comment=body.get("comment"))


@blp.route("/complaints")
class Complaints(MethodView):
    @blp.doc(**PUBLIC)
    @blp.arguments(ComplaintInSchema)
    @blp.response(201, ComplaintOutSchema)
    @blp.alt_response(429, **LIMITED)
    def post(self, body: dict[str, Any]) -> Any:
        """File a complaint; the answer holds its number and query code, shown only once.

        Sent again with the same ``Idempotency-Key`` (and the same body, from the same address), the
        complaint is not filed twice: the replay (``Idempotent-Replayed: true``, 201) answers the same
        complaint with a new query code, and the code of the first answer stops working. A client whose
        first answer was lost retries with its key; the code of the last answer is the one that works.
        """
        return complaints.submit(uow(), name=body["name"], phone=body["phone"], content=body["content"],
                                 case_no=body.get("case_no"), item_code=body.get("item_code"))


@idempotency.renew_replays(f"{blp.url_prefix}/complaints")
def _complaint_again(stored: bytes) -> bytes:
    """A replayed complaint: the same complaint with a new query code (the stored answer holds none)."""
    again = complaints.receipt_again(uow(), json.loads(stored)["complaint_no"])
    return json.dumps(ComplaintOutSchema().dump(again), ensure_ascii=False).encode()
