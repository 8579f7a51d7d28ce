"""Webhooks: subscribe to case events, see how a subscription's deliveries are going, change it or its secret,
enable one disabled, unsubscribe, and replay dead letters."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from engine import webhooks
from engine.outbox import EVENT_TYPES

from .context import actor, uow
from .json_body import Blueprint
from .schemas import ApiErrorSchema, PageQuerySchema, page_of

blp = Blueprint("webhooks", __name__, url_prefix="/api/webhooks",
                description="Case events pushed to integrators: signed, retried, in order per case")


class WebhookCreateSchema(Schema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    events = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)), load_default=list,
                         metadata={"description": "event types to receive; empty: all"})
    description = fields.String(validate=validate.Length(max=500))


class WebhookChangeSchema(Schema):
    url = fields.String(validate=validate.Length(min=1, max=2000), metadata={
        "description": "checked as at subscription; deliveries not made yet go to the new URL"})
    events = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)), metadata={
        "description": "replaces the event types; empty: all"})
    description = fields.String(validate=validate.Length(max=500), allow_none=True,
                                metadata={"description": "empty or null: none"})


class DeleteQuerySchema(Schema):
    discard = fields.Boolean(load_default=False, metadata={
        "description": "drop the events the webhook has not received (pending deliveries, dead letters); "
                       "without it, a webhook that has any is not deleted (409)"})


class WebhookSchema(Schema):
    id = fields.Integer()
    url = fields.String()
    events = fields.List(fields.String())
    owner = fields.String()
    description = fields.String(allow_none=True)
    created_at = fields.DateTime()
    disabled_at = fields.DateTime(allow_none=True, metadata={
        "description": "set while disabled: no event is queued for it, and those queued before wait"})
    disabled_reason = fields.String(allow_none=True, metadata={
        "description": "why it is disabled (its owner lost the integrator role); null while enabled"})


class DeliveryCountsSchema(Schema):
    pending = fields.Integer(metadata={"description": "waiting to be sent, or to be retried"})
    delivered = fields.Integer()
    dead = fields.Integer(metadata={"description": "dead letters: failed their last retry"})


class LastAttemptSchema(Schema):
    at = fields.DateTime()
    status = fields.Integer(allow_none=True, metadata={
        "description": "the receiver's HTTP status; null when it did not answer (refused, timed out)"})
    error = fields.String(allow_none=True, metadata={"description": "why it failed; null when delivered"})


class WebhookStatusSchema(WebhookSchema):
    deliveries = fields.Nested(DeliveryCountsSchema, metadata={"description": "its deliveries counted by state"})
    last_attempt = fields.Nested(LastAttemptSchema, allow_none=True, metadata={
        "description": "the latest attempt to deliver to it, of any delivery; null before the first"})
    next_attempt_at = fields.DateTime(allow_none=True, metadata={
        "description": "when its next delivery is due (a past time: at the workers' next poll, about a second); "
                       "null when nothing is pending, or while it is disabled"})


class DeliveryQuerySchema(PageQuerySchema):
    state = fields.String(validate=validate.OneOf((webhooks.PENDING, webhooks.DELIVERED, webhooks.DEAD)))


class WebhookCreatedSchema(WebhookSchema):
    secret = fields.String(metadata={"description": "signs every delivery (X-Govflow-Signature); shown only now"})


class DeliverySchema(Schema):
    id = fields.Integer()
    webhook_id = fields.Integer()
    url = fields.String()
    event = fields.String()
    event_id = fields.String()
    outbox_id = fields.Integer(metadata={"description": "the event's place in the outbox: a case's events are "
                                                        "delivered in this order"})
    process_instance_id = fields.Integer(allow_none=True)
    business_key = fields.String(allow_none=True)
    state = fields.String()
    attempts = fields.Integer()
    last_status = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    next_attempt_at = fields.DateTime(allow_none=True, metadata={
        "description": "when it is (re)tried; null once delivered or dead"})
    delivered_at = fields.DateTime(allow_none=True)


@blp.route("")
class Webhooks(MethodView):
    @blp.response(200, WebhookSchema(many=True))
    def get(self) -> Any:
        """The caller's webhooks (an admin sees all), a disabled one with the reason; secrets are never shown
        again."""
        return webhooks.list_webhooks(uow(), actor=actor())

    @blp.arguments(WebhookCreateSchema)
    @blp.response(201, WebhookCreatedSchema)
    @blp.alt_response(422, schema=ApiErrorSchema, description="URL not allowed (details name the field `url`)")
    def post(self, body: dict[str, Any]) -> Any:
        """Subscribe a URL to case events; the answer holds the signing secret, shown this once."""
        return webhooks.subscribe(uow(), actor=actor(), url=body["url"], events=body["events"],
                                  description="" if "description" in body and body["description"] is None
                               else body.get("description"))


@blp.route("/<int:webhook_id>")
class Webhook(MethodView):
    @blp.response(200, WebhookStatusSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, webhook_id: int) -> Any:
        """The webhook (its owner's, or an admin's view) with its deliveries counted by state, the latest
        attempt's time, status and error, and when the next one is due."""
        return webhooks.get_webhook(uow(), webhook_id, actor=actor())

    @blp.arguments(WebhookChangeSchema)
    @blp.response(200, WebhookSchema)
    @blp.alt_response(422, schema=ApiErrorSchema, description="URL not allowed (details name the field `url`)")
    @blp.alt_response(404, schema=ApiErrorSchema)
    def patch(self, body: dict[str, Any], webhook_id: int) -> Any:
        """Change what is given: the URL, the event types, the description."""
        return webhooks.change(uow(), webhook_id, actor=actor(), url=body.get("url"), events=body.get("events"),
                               description="" if "description" in body and body["description"] is None
                               else body.get("description"))

    @blp.arguments(DeleteQuerySchema, location="query")
    @blp.response(204)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="it has events it has not received")
    def delete(self, query: dict[str, Any], webhook_id: int) -> None:
        """Unsubscribe. Refused while the webhook has pending deliveries or dead letters, which would go with
        it, unless `discard=true`."""
        webhooks.unsubscribe(uow(), webhook_id, actor=actor(), discard=query["discard"])


@blp.route("/<int:webhook_id>/deliveries")
class Deliveries(MethodView):
    @blp.arguments(DeliveryQuerySchema, location="query")
    @blp.response(200, page_of(DeliverySchema))
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, query: dict[str, Any], webhook_id: int) -> Any:
        """The webhook's deliveries, newest first, of one `state` or all: each with its event, attempts, the
        last status and error, and when it is tried next."""
        return webhooks.list_deliveries(uow(), webhook_id, actor=actor(), state=query.get("state"),
                                        limit=query["limit"], offset=query["offset"])


@blp.route("/<int:webhook_id>/secret")
class Secret(MethodView):
    @blp.response(200, WebhookCreatedSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def post(self, webhook_id: int) -> Any:
        """Rotate the signing secret (one that leaked): the new one is in this answer only, and signs every
        delivery sent from now on; the old one signs none."""
        return webhooks.rotate_secret(uow(), webhook_id, actor=actor())


@blp.route("/<int:webhook_id>/enable")
class Enable(MethodView):
    @blp.response(200, WebhookSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="its owner still lacks the integrator role")
    def post(self, webhook_id: int) -> Any:
        """Enable a disabled webhook again (its owner, the role given back, or an admin): events from now on
        are queued for it, and those waiting are sent. One not disabled stays as it is."""
        return webhooks.enable(uow(), webhook_id, actor=actor())


@blp.route("/dead-letters")
class DeadLetters(MethodView):
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, DeliverySchema(many=True), headers={"X-Total-Count": {
        "description": "how many dead letters there are, whatever the page", "schema": {"type": "integer"}}})
    def get(self, query: dict[str, Any]) -> Any:
        """Deliveries that failed their last retry, newest first: a page of them (X-Total-Count says how
        many there are)."""
        letters, total = webhooks.dead_letters(uow(), actor=actor(), limit=query["limit"], offset=query["offset"])
        return letters, {"X-Total-Count": str(total)}


@blp.route("/dead-letters/<int:delivery_id>/replay")
class Replay(MethodView):
    @blp.response(200, DeliverySchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="not a dead letter")
    def post(self, delivery_id: int) -> Any:
        """Queue a dead letter again; it is sent at the workers' next poll."""
        return webhooks.replay(uow(), delivery_id, actor=actor())
