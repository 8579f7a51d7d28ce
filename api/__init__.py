"""govflow's HTTP API and pages: a thin Flask layer over the engine."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response
from flask_smorest import Api
from werkzeug.routing import IntegerConverter

from engine import Runtime

from . import context, errors, health, idempotency, json_body, limits, pages, rate_limits
from .config import Config
from .multipart import FormCheckedRequest
from .openapi import GovflowSpecPlugin
from .schemas import ROW_ID_MAX, ApiErrorSchema

BLUEPRINTS = ("deployments", "definitions", "instances", "tasks", "messages", "incidents", "calendar", "materials",
              "webhooks", "time_limits", "supervision", "overdue_reasons", "departments", "documents",
              "public", "ratings", "catalogue", "users", "audit", "extension_requests",
              "delegations")


class GovflowApi(Api):
    """flask-smorest's Api, documenting the default and 422 error responses in govflow's one error shape."""

    ERROR_SCHEMA = ApiErrorSchema


class RowId(IntegerConverter):
    """``<int:...>`` in every route: a row id, 1 to 2**31-1 (PostgreSQL's integer). Anything else is no such
    row (404), never a number the database refuses (500). ASCII digits only: ``١`` or ``１`` is no id."""

    regex = r"[0-9]+"

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, min=1, max=ROW_ID_MAX)


def _row_id_schema(converter: RowId) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "maximum": ROW_ID_MAX}


def _no_content_has_no_type(response: Response) -> Response:
    """A 204 has no body, so no Content-Type (flask-smorest gives it JSON's)."""
    if response.status_code == 204:
        response.headers.pop("Content-Type", None)
    return response


def create_app(config: dict[str, Any] | None = None, *, runtime: Runtime | None = None) -> Flask:
    """The app factory. ``config`` overrides Config; ``runtime`` shares an engine runtime (tests, workers)."""
    from importlib import import_module

    app = Flask(__name__)
    app.request_class = FormCheckedRequest  # a multipart body it cannot read is a 400, not an empty form
    app.url_map.converters["int"] = RowId
    app.config.from_object(Config)
    app.config.update(config or {})
    app.extensions["govflow"] = runtime or Runtime(Config.settings(app.config))
    api = GovflowApi(app, spec_kwargs={"components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"}}}, "security": [{"bearer": []}],
        "extra_plugins": [GovflowSpecPlugin()]})  # 401/403/404, Idempotency-Key, examples: api.openapi
    api.register_converter(RowId, _row_id_schema)
    for name in BLUEPRINTS:
        api.register_blueprint(import_module(f"api.{name}").blp)
    errors.register(app)
    rate_limits.register(app)  # public endpoints: a flood is refused before any body is read
    app.before_request(context.authenticate_first)  # every other endpoint: the token before the body
    limits.register(app)  # before idempotency: it reads the body
    app.before_request(json_body.refuse_what_is_not_taken)  # after the size limit: it reads the body
    idempotency.register(app)
    pages.register(app)
    rate_limits.limit_logins(app)
    health.register(app)  # GET /api/health: 503 while the database cannot be reached
    app.after_request(_no_content_has_no_type)

    # SpiffWorkflow logs every task state change at INFO under "spiff"; our history already records them.
    logging.getLogger("spiff").setLevel(logging.WARNING)
    return app
