"""Process instances (cases): read, timeline, waits, suspend, resume, terminate."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from engine import instances, query_codes

from .context import actor, uow
from .json_body import Blueprint
from .schemas import (
    ROW_ID_MAX,
    ApiErrorSchema,
    HistoryEventSchema,
    InstancePageSchema,
    InstanceQuerySchema,
    InstanceSchema,
    ReasonSchema,
    TerminateSchema,
    WaitSchema,
)

blp = Blueprint("process-instances", __name__, url_prefix="/api/process-instances",
                description="Cases: state, variables, timeline, lifecycle")


@blp.route("")
class Instances(MethodView):
    @blp.arguments(InstanceQuerySchema, location="query")
    @blp.response(200, InstancePageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Cases, newest first, filtered by state, process key, business key or part of the applicant's name."""
        items, total = instances.list_instances(
            uow(), actor=actor(), state=query.get("state"), key=query.get("process_key"),
            business_key=query.get("business_key"), applicant=query.get("applicant"),
            limit=query["limit"], offset=query["offset"])
        return {"items": items, "total": total, "limit": query["limit"], "offset": query["offset"]}


@blp.route("/<int:instance_id>")
class Instance(MethodView):
    @blp.response(200, InstanceSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, instance_id: int) -> Any:
        """A case with its variables and open tasks."""
        return instances.get(uow(), instance_id, actor=actor())


class HistoryQuerySchema(Schema):
    after = fields.Integer(validate=validate.Range(min=0, max=ROW_ID_MAX),
                           metadata={"description": "only events with a larger id: what is new since the last "
                                                    "event read"})
    limit = fields.Integer(validate=validate.Range(min=1, max=1000),
                           metadata={"description": "at most this many (default: all); X-Total-Count says how "
                                                    "many there are"})
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=ROW_ID_MAX))


@blp.route("/<int:instance_id>/history")
class History(MethodView):
    @blp.arguments(HistoryQuerySchema, location="query")
    @blp.response(200, HistoryEventSchema(many=True), headers={"X-Total-Count": {
        "description": "how many events match (after ``after``), whatever the page", "schema": {"type": "integer"}}})
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, args: dict[str, Any], instance_id: int) -> Any:
        """The command and BPMN steps of the case, oldest first: all, or a page of them."""
        events, total = instances.history_page(uow(), instance_id, actor=actor(), after=args.get("after"),
                                               limit=args.get("limit"), offset=args["offset"])
        return events, {"X-Total-Count": str(total)}


@blp.route("/<int:instance_id>/waits")
class Waits(MethodView):
    @blp.response(200, WaitSchema(many=True))
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, instance_id: int) -> Any:
        """What the case waits for besides its tasks: messages first, then timers by due time."""
        return instances.waits(uow(), instance_id, actor=actor())


@blp.route("/<int:instance_id>/suspend")
class Suspend(MethodView):
    @blp.arguments(ReasonSchema)
    @blp.response(200, InstanceSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    def post(self, body: dict[str, Any], instance_id: int) -> Any:
        """Hold a running case."""
        return instances.suspend(uow(), instance_id, actor=actor(), reason=body.get("reason"))


@blp.route("/<int:instance_id>/resume")
class Resume(MethodView):
    @blp.response(200, InstanceSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    def post(self, instance_id: int) -> Any:
        """Continue a suspended case."""
        return instances.resume(uow(), instance_id, actor=actor())


@blp.route("/<int:instance_id>/terminate")
class Terminate(MethodView):
    @blp.arguments(TerminateSchema)
    @blp.response(200, InstanceSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    def post(self, body: dict[str, Any], instance_id: int) -> Any:
        """End a case now, with a reason."""
        return instances.terminate(uow(), instance_id, actor=actor(), reason=body["reason"],
                                   withdrawn=body["withdrawn"])


class QueryCodeSchema(Schema):
    process_instance_id = fields.Integer()
    query_code = fields.String(metadata={"description": "shown this once; only its hash is kept"})


@blp.route("/<int:instance_id>/query-code")
class QueryCode(MethodView):
    @blp.response(201, QueryCodeSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema)
    def post(self, instance_id: int) -> Any:
        """Issue a new query code (查询码) for the applicant; the old one stops working."""
        code = query_codes.reissue(uow(), instance_id, actor=actor())
        return {"process_instance_id": instance_id, "query_code": code}
