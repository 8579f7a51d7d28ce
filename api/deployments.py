"""Deployments: analysts upload diagrams (and forms, guides) as one atomic set."""
from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from engine import definitions
from engine.errors import UnsupportedType

from .context import actor, uow
from .json_body import Blueprint
from .schemas import ApiErrorSchema, DeployFormSchema, DeploymentSchema

blp = Blueprint("deployments", __name__, url_prefix="/api/deployments", description="Deploy diagrams")

UPLOAD_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["files"],
    "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                   "name": {"type": "string"}}}}}}}


@blp.route("")
class Deployments(MethodView):
    @blp.doc(**UPLOAD_DOC)
    @blp.response(201, DeploymentSchema)
    @blp.alt_response(422, schema=ApiErrorSchema, description="every problem, with file, line and element")
    @blp.alt_response(400, schema=ApiErrorSchema, description="no files: the multipart field is `files`")
    @blp.alt_response(413, schema=ApiErrorSchema, description="the upload is over GOVFLOW_MAX_REQUEST_BYTES "
                                                             "(16 MiB; each diagram at most 5 MiB: a 422)")
    @blp.alt_response(415, schema=ApiErrorSchema, description="a body that is not multipart/form-data")
    def post(self) -> dict[str, Any]:
        """Deploy one or more files (multipart field ``files``); nothing is stored if any fails."""
        actor().require("analyst", action="deploy")  # before saying what the body should have been
        if request.mimetype != "multipart/form-data":  # a diagram posted as the body itself, or JSON
            raise UnsupportedType(f"deployments are uploaded as multipart/form-data (field `files`), not "
                                  f"{request.mimetype or 'a body without a Content-Type'}")
        form = DeployFormSchema().load({k: v for k, v in request.form.items() if k == "name"})
        # An empty list is the engine's to refuse, after it checked the caller may deploy at all.
        files = [(upload.filename or f"file{i}.bpmn", upload.read())
                 for i, upload in enumerate(request.files.getlist("files"))]
        result = definitions.deploy(uow(), files, actor=actor(), name=form.get("name"))
        return deployment_body(result)


def deployment_body(result: definitions.DeploymentResult) -> dict[str, Any]:
    deployment = result.deployment
    return {
        "id": deployment.id if deployment else None,
        "name": deployment.name if deployment else None,
        "deployed_at": deployment.deployed_at if deployment else None,
        "definitions": [_with_new(d) for d in result.definitions],
        "warnings": [w.as_dict() for w in result.warnings],
        "guides": [{"code": g.guide.code, "version": g.guide.version, "process": g.guide.process_key, "new": g.new}
                   for g in result.guides],
    }


def _with_new(deployed: definitions.DeployedDefinition) -> Any:
    definition = deployed.definition
    definition.new = deployed.new  # type: ignore[attr-defined]  # read by the schema only
    return definition
