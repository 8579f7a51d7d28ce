"""Deployments: analysts upload diagrams (and forms, guides) as one atomic set.

An upload may say what it was based on (``based_on``), as the modeler's save does: a tool that edits a
deployed diagram then gets the same 409 instead of silently saving over a version deployed meanwhile, or
over another item that has the same process id.
"""
from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from marshmallow import ValidationError, fields, validate

from engine import definitions
from engine.errors import UnsupportedType

from . import json_body
from .context import actor, uow
from .json_body import Blueprint
from .schemas import ROW_ID_MAX, ApiErrorSchema, DeployFormSchema, DeploymentSchema

blp = Blueprint("deployments", __name__, url_prefix="/api/deployments", description="Deploy diagrams")

BASED_ON_DOC = (
    "What the upload was edited from, as a JSON object: each executable process of the diagrams (its process "
    "id) with the latest version the editor knew of, every process of a file (two pools make two). Given, a "
    "process whose key has a newer version, or whose key is deployed but not named here, is refused with 409 "
    "naming each version in the way (`details`: key, version, deployed_by, deployed_at, based_on); a process "
    "not deployed yet is version 1. To save over a newer version on purpose, name that version. Left out, "
    "a changed diagram is simply the next version.")
UPLOAD_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": {
        "type": "object", "required": ["files"],
        "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                       "name": {"type": "string", "maxLength": 200},
                       "based_on": {"type": "object", "description": BASED_ON_DOC,
                                    "additionalProperties": {"type": "integer", "minimum": 1, "maximum": ROW_ID_MAX},
                                    "example": {"permit_window": 3, "permit_review": 3}}}},
    "encoding": {"based_on": {"contentType": "application/json"}}}}}}


class JsonObjectField(fields.Dict):
    """A mapping sent as one multipart field, its text a JSON object."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[Any, Any]:
        if isinstance(value, str):
            try:
                value = json_body.loads(value)
            except json_body.DuplicateKey as exc:
                raise ValidationError(f"{exc}: send each process id once") from None
            except (ValueError, RecursionError):
                raise ValidationError('not JSON: send an object of process id to version, e.g. {"permit": 3}') \
                    from None
        return super()._deserialize(value, attr, data, **kwargs)


class DeployUploadSchema(DeployFormSchema):
    based_on = JsonObjectField(keys=fields.String(validate=validate.Length(min=1, max=255)),
                               values=fields.Integer(strict=True, validate=validate.Range(min=1, max=ROW_ID_MAX)),
                               metadata={"description": BASED_ON_DOC})


@blp.route("")
class Deployments(MethodView):
    @blp.doc(**UPLOAD_DOC)
    @blp.response(201, DeploymentSchema)
    @blp.alt_response(422, schema=ApiErrorSchema, description="every problem, with file, line and element")
    @blp.alt_response(400, schema=ApiErrorSchema, description="no files: the multipart field is `files`")
    @blp.alt_response(413, schema=ApiErrorSchema, description="the upload is over GOVFLOW_MAX_REQUEST_BYTES "
                                                             "(16 MiB; each diagram at most 5 MiB: a 422)")
    @blp.alt_response(415, schema=ApiErrorSchema, description="a body that is not multipart/form-data")
    @blp.alt_response(409, schema=ApiErrorSchema, description="with `based_on`: a version deployed since, or a "
                                                             "process id another item has, each in `details`; "
                                                             "or a deployment of the same process at the same "
                                                             "moment")
    def post(self) -> dict[str, Any]:
        """Deploy one or more files (multipart field ``files``); nothing is stored if any fails."""
        actor().require("analyst", action="deploy")  # before saying what the body should have been
        if request.mimetype != "multipart/form-data":  # a diagram posted as the body itself, or JSON
            raise UnsupportedType(f"deployments are uploaded as multipart/form-data (field `files`), not "
                                  f"{request.mimetype or 'a body without a Content-Type'}")
        # Every field is checked: a misspelt one (basedOn) would otherwise be dropped, and its guard with it.
        form = DeployUploadSchema().load(request.form.to_dict())
        strays = sorted(set(request.files) - {"files"})
        if strays:
            raise ValidationError({name: ["unknown file field: send each file as `files`"] for name in strays})
        # An empty list is the engine's to refuse, after it checked the caller may deploy at all.
        files = [(upload.filename or f"file{i}.bpmn", upload.read())
                 for i, upload in enumerate(request.files.getlist("files"))]
        result = definitions.deploy(uow(), files, actor=actor(), name=form.get("name"), based_on=form.get("based_on"))
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
        "generated_forms": result.generated_forms,
    }


def _with_new(deployed: definitions.DeployedDefinition) -> Any:
    definition = deployed.definition
    definition.new = deployed.new  # type: ignore[attr-defined]  # read by the schema only
    return definition
