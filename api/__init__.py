"""govflow's HTTP API and pages: a thin Flask layer over the engine."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from flask_smorest import Api

from engine import Runtime

from . import errors, idempotency, limits, pages
from .config import Config
from .schemas import ApiErrorSchema

BLUEPRINTS = ("deployments", "definitions", "instances", "tasks", "messages", "incidents", "calendar", "materials",
              "webhooks", "time_limits", "supervision")


class GovflowApi(Api):
    """flask-smorest's Api, documenting the default and 422 error responses in govflow's one error shape."""

    ERROR_SCHEMA = ApiErrorSchema


def create_app(config: dict[str, Any] | None = None, *, runtime: Runtime | None = None) -> Flask:
    """The app factory. ``config`` overrides Config; ``runtime`` shares an engine runtime (tests, workers)."""
    from importlib import import_module

    app = Flask(__name__)
    app.config.from_object(Config)
    app.config.update(config or {})
    app.extensions["govflow"] = runtime or Runtime(Config.settings(app.config))
    api = GovflowApi(app, spec_kwargs={"components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"}}}, "security": [{"bearer": []}]})
    for name in BLUEPRINTS:
        api.register_blueprint(import_module(f"api.{name}").blp)
    errors.register(app)
    limits.register(app)  # before idempotency: it reads the body
    idempotency.register(app)
    pages.register(app)

    @app.get("/api/health")
    def health() -> Any:
        return jsonify({"status": "ok"})

    # SpiffWorkflow logs every task state change at INFO under "spiff"; our history already records them.
    logging.getLogger("spiff").setLevel(logging.WARNING)
    return app
