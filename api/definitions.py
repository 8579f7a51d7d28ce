"""Process definitions: what is deployed, by key and version, and the diagram behind each."""
from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from engine import definitions, form_merge, instances, version_diff

from .context import actor, uow
from .json_body import Blueprint
from .schemas import (
    ApiErrorSchema,
    DefinitionQuerySchema,
    DefinitionSchema,
    RowId,
    StartedInstanceSchema,
    StartSchema,
    VersionQuerySchema,
)

blp = Blueprint("process-definitions", __name__, url_prefix="/api/process-definitions",
                description="Deployed process definitions; start cases")


@blp.route("")
class Definitions(MethodView):
    @blp.arguments(DefinitionQuerySchema, location="query")
    @blp.response(200, DefinitionSchema(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """The latest version of every definition (or every version with ``all_versions``)."""
        actor()
        return definitions.list_definitions(uow(), key=query.get("key"), latest_only=not query["all_versions"])


@blp.route("/<key>")
class Definition(MethodView):
    @blp.arguments(VersionQuerySchema, location="query")
    @blp.response(200, DefinitionSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, query: dict[str, Any], key: str) -> Any:
        """The latest version of a definition, or ``?version=N``."""
        actor()
        return definitions.get_definition(uow(), key, version=query.get("version"))


@blp.route("/<key>/xml")
class DefinitionXml(MethodView):
    @blp.arguments(VersionQuerySchema, location="query")
    @blp.response(200, description="the BPMN file as deployed", content_type="application/xml")
    @blp.doc(responses={"200": {"content": {"application/xml": {"schema": {"type": "string", "format": "binary"}}}}})
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, query: dict[str, Any], key: str) -> Response:
        """The diagram as it was deployed, byte for byte."""
        actor()
        content = definitions.get_definition_xml(uow(), key, version=query.get("version"))
        return Response(content, mimetype="application/xml")


class StartFormSchema(Schema):
    key = fields.String(metadata={"description": "the definition key"})
    version = fields.Integer()
    forms = fields.List(fields.String(), metadata={
        "description": "the forms it is made of: the start event's camunda:formKey, then a bundle's member "
                       "items' forms (govflow.bundleForms)"})
    shared = fields.List(fields.String(), metadata={"description": "fields several member forms ask for, asked once"})
    schema = fields.Dict(metadata={"description": "the start event's form-js schema, or the merged one (多表合一)"})


@blp.route("/<key>/start-form")
class StartForm(MethodView):
    @blp.arguments(VersionQuerySchema, location="query")
    @blp.response(200, StartFormSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="no such definition, or it has no start form (or "
                      "its start event's form is not deployed or is rendered by the client application)")
    @blp.alt_response(422, schema=ApiErrorSchema, description="member forms missing or defining a field differently")
    def get(self, query: dict[str, Any], key: str) -> Any:
        """The form a case starts with: its start event's camunda:formKey, or a one-thing bundle's merged
        application form (the start event's form merged first); starting a case checks its variables against
        it."""
        actor()
        return form_merge.start_form(uow(), key, version=query.get("version"))


@blp.route("/<key>/start")
class Start(MethodView):
    form_values = "variables"  # a form's field is named under it in a 422 (api.errors.in_body)

    @blp.arguments(StartSchema, required=False)  # no body: a case with a generated number
    @blp.response(201, StartedInstanceSchema)
    @blp.alt_response(200, schema=StartedInstanceSchema, description="a case with this business key already "
                      "exists (without query_code: it is shown only once; with differing_variables)")
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(422, schema=ApiErrorSchema, description="invalid variables, or a step failed")
    def post(self, body: dict[str, Any], key: str) -> Any:
        """Start a case; it runs until it waits for a person, a message or a timer."""
        view, created = instances.start(uow(), key, actor=actor(), business_key=body.get("business_key"),
                                        variables=body["variables"], version=body.get("version"))
        return view, 201 if created else 200


class VersionDiffQuerySchema(Schema):
    from_version = RowId(data_key="from", metadata={"description": "the earlier version (default: the one before `to`)"})
    to_version = RowId(data_key="to", metadata={"description": "the later version (default: the latest)"})


class AttributeChangeSchema(Schema):
    attribute = fields.String(metadata={
        "description": f"one of {', '.join(version_diff.ATTRIBUTES)}; `property:govflow.NAME` for an extension "
                       "property (camunda: or spiffworkflow:); `other`: whatever else the element holds (input/output "
                       "mappings, listeners, form fields ...), outlined one XML element a line"})
    before = fields.String(allow_none=True, metadata={"description": "null: none (or no such element)"})
    after = fields.String(allow_none=True)


class ElementChangeSchema(Schema):
    id = fields.String(metadata={"description": "the BPMN id; the process itself has the definition's key"})
    type = fields.String(metadata={"description": "the BPMN tag: userTask, sequenceFlow, process ..."})
    name = fields.String(allow_none=True)
    change = fields.String(validate=validate.OneOf(["added", "removed", "changed"]))
    attributes = fields.List(fields.Nested(AttributeChangeSchema), metadata={
        "description": "changed: each attribute that differs; added or removed: every attribute it has"})


class VersionDiffSchema(Schema):
    key = fields.String()
    name = fields.String(allow_none=True, metadata={"description": "the process's name in the later version"})
    from_version = fields.Integer()
    to_version = fields.Integer()
    latest_version = fields.Integer()
    added = fields.List(fields.Nested(ElementChangeSchema))
    removed = fields.List(fields.Nested(ElementChangeSchema))
    changed = fields.List(fields.Nested(ElementChangeSchema))
    layout_changed = fields.Boolean(metadata={
        "description": "the diagram's layout (BPMNDI shapes and edges of this process) differs; layout alone "
                       "changes nothing a case does, and is not listed element by element"})
    names = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "every named element's name by id, in either version (the later's where both name it): "
                       "what `source`, `target`, `default_flow` and `attached_to` ids read as"})


@blp.route("/<key>/diff")
class DefinitionDiff(MethodView):
    @blp.arguments(VersionDiffQuerySchema, location="query")
    @blp.response(200, VersionDiffSchema)
    @blp.alt_response(404, schema=ApiErrorSchema, description="no such definition or version (without `from`: "
                      "`to` is version 1, which has none before it)")
    @blp.alt_response(422, schema=ApiErrorSchema, description="`from` or `to` is not a version number (1 or more)")
    def get(self, query: dict[str, Any], key: str) -> Any:
        """What changed between two versions, element by element (flow nodes, sequence flows and the process,
        matched by BPMN id): cases stay on the version they started on. ``from`` equal to ``to`` gives no
        changes; ``from`` later than ``to`` gives them backwards."""
        actor()
        return version_diff.compare(uow(), key, from_version=query.get("from_version"),
                                    to_version=query.get("to_version"))
