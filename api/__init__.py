"""govflow's HTTP API and pages: a thin Flask layer over the engine."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from flask_smorest import Api

from engine import Runtime

from . import errors
from .config import Config

BLUEPRINTS = ("deployments", "definitions", "instances", "tasks", "messages")


def create_app(config: dict[str, Any] | None = None, *, runtime: Runtime | None = None) -> Flask:
    """The app factory. ``config`` overrides Config; ``runtime`` shares an engine runtime (tests, workers)."""
    from importlib import import_module

    app = Flask(__name__)
    app.config.from_object(Config)
    app.config.update(config or {})
    app.extensions["govflow"] = runtime or Runtime(Config.settings(app.config))
    api = Api(app, spec_kwargs={"components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"}}}, "security": [{"bearer": []}]})
    for name in BLUEPRINTS:
        api.register_blueprint(import_module(f"api.{name}").blp)
    errors.register(app)

    @app.get("/api/health")
    def health() -> Any:
        return jsonify({"status": "ok"})

    logging.getLogger("SpiffWorkflow").setLevel(logging.WARNING)
    return app
