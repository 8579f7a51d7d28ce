"""Documents issued to applicants (受理通知书, 决定书 ...): list a case's documents, download one as HTML or PDF."""
from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from engine import documents

from .context import actor, uow
from .downloads import send_download
from .json_body import Blueprint
from .schemas import ApiErrorSchema

blp = Blueprint("documents", __name__, url_prefix="/api/process-instances",
                description="Documents issued to applicants: acceptance, rejection and supplement notices, decisions")

BINARY = {"type": "string", "format": "binary"}
# A downloaded HTML document is shown, never run: no scripts, no requests, its own origin.
HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


class DocumentSchema(Schema):
    id = fields.Integer()
    process_instance_id = fields.Integer(attribute="instance_id")
    name = fields.String(metadata={"description": "the template name, e.g. acceptance_notice"})
    title = fields.String(metadata={"description": "e.g. 受理通知书"})
    issued_at = fields.DateTime()
    element_id = fields.String(allow_none=True)
    element_name = fields.String(allow_none=True)
    origin = fields.String(metadata={"description": "what issued it: step (the element above completed), "
                                                    "extension (a time limit was extended: the notice of extension) "
                                                    "or special_procedure (one was started by hand: its notice)",
                                     "enum": list(documents.ORIGINS)})
    template_sha256 = fields.String(metadata={"description": "SHA-256 of the template version used"})
    html_sha256 = fields.String()
    pdf_sha256 = fields.String()


class FormatSchema(Schema):
    format = fields.String(load_default="pdf", validate=validate.OneOf(tuple(documents.FORMATS)))


@blp.route("/<int:instance_id>/documents")
class Documents(MethodView):
    @blp.response(200, DocumentSchema(many=True))
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, instance_id: int) -> Any:
        """Every document issued in the case, oldest first, with the SHA-256 of its HTML and PDF."""
        return documents.list_documents(uow(), instance_id, actor=actor())


@blp.route("/<int:instance_id>/documents/<int:document_id>")
class DocumentFile(MethodView):
    @blp.arguments(FormatSchema, location="query")
    @blp.response(200, description="the document as issued", content_type="application/pdf")
    @blp.doc(responses={"200": {"content": {"application/pdf": {"schema": BINARY},
                                            "text/html": {"schema": BINARY}}}})
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, query: dict[str, Any], instance_id: int, document_id: int) -> Response:
        """Download a document (``?format=pdf``, the default, or ``html``); the ETag is its SHA-256."""
        fmt = query["format"]
        found = documents.download(uow(), instance_id, document_id, actor=actor(), fmt=fmt)
        response = send_download(found.content, mimetype=documents.FORMATS[fmt], name=found.file_name,
                                 fallback=found.plain_name, etag=found.sha256)
        if fmt == "html":
            response.headers["Content-Security-Policy"] = HTML_POLICY
        return response
