"""Request size limits everywhere: JSON commands are small, uploads have their own limits, and every
refusal is a 413 in the one error shape, before the body is read. Tokens expire by default when the
operator sets a lifetime."""
from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from engine import Runtime, users
from engine.models import ApiToken
from tests.conftest import FIXTURES, clean


def test_a_json_body_over_the_limit_is_413_in_the_one_error_shape(api):
    padding = "x" * (1024 * 1024)
    response = api.as_("integrator").post("/api/messages", json={"name": "m", "variables": {"pad": padding}})
    assert response.status_code == 413
    assert set(response.get_json()["error"]) >= {"code", "message", "details"}


def test_the_json_limit_is_configuration(app, api):
    app.config["GOVFLOW_MAX_BODY_BYTES"] = 100
    response = api.as_("integrator").post("/api/messages", json={"name": "m", "variables": {"pad": "x" * 200}})
    assert response.status_code == 413
    assert api.as_("integrator").post("/api/messages", json={"name": "m"}).status_code == 404  # small: read


def test_a_deployment_may_be_larger_than_a_json_command(api):
    diagram = (FIXTURES / "simple_approval.bpmn").read_text()
    padded = diagram.replace("<bpmn:process ", f"<!-- {'注' * 700_000} -->\n<bpmn:process ", 1).encode()
    assert len(padded) > 2 * 1024 * 1024
    analyst = api.as_("analyst")
    response = analyst.client.post("/api/deployments", data={"files": [(io.BytesIO(padded), "padded.bpmn")]},
                                   headers=analyst.headers(), content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()


def test_any_request_over_the_global_limit_is_413(app, api):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    analyst = api.as_("analyst")
    response = analyst.client.post("/api/deployments", data={"files": [(io.BytesIO(b"x" * 5000), "big.bpmn")]},
                                   headers=analyst.headers(), content_type="multipart/form-data")
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "request_entity_too_large"


def test_tokens_get_the_configured_lifetime_when_none_is_asked_for(migrated):
    runtime = Runtime(replace(migrated, token_ttl_days=30))
    clean(runtime)
    try:
        users.add_user(runtime.uow(), "expiring", roles=["clerk"], actor=users.SYSTEM)
        users.issue_token(runtime.uow(), "expiring", ttl_days=1, actor=users.SYSTEM)
        with runtime.uow() as uow:
            lifetimes = sorted(t.expires_at - t.created_at for t in uow.session.scalars(select(ApiToken)))
        assert [round(x / timedelta(days=1)) for x in lifetimes] == [1, 30]
    finally:
        runtime.dispose()


def test_nul_characters_are_refused_in_query_path_and_body(api) -> None:
    in_query = api.get("/api/process-definitions?key=a%00b")
    assert in_query.status_code == 422
    assert in_query.get_json()["error"]["details"] == [{"field": "key", "message": "contains a NUL character"}]
    in_path = api.get("/api/catalogue/A%00B")
    assert in_path.status_code == 422
    in_body = api.as_("integrator").post("/api/process-definitions/x/start",
                                         json={"variables": {"names": ["ok", "bad\x00"]}})
    assert in_body.status_code == 422
    assert in_body.get_json()["error"]["details"][0]["field"] == "variables.names.1"


def test_a_nul_in_a_utf16_json_body_is_refused_too(api) -> None:
    integrator = api.as_("integrator")
    body = json.dumps({"variables": {"name": "bad\x00"}}).encode("utf-16")
    refused = integrator.client.post("/api/process-definitions/x/start", data=body, content_type="application/json",
                                     headers=integrator.headers())
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"] == [{"field": "variables.name", "message": "contains a NUL character"}]
    escaped = json.dumps({"variables": {"note": "\\u0000 is how JSON writes a NUL"}})  # the text, not a NUL
    assert integrator.client.post("/api/process-definitions/x/start", data=escaped, content_type="application/json",
                                  headers=integrator.headers()).status_code == 404  # no such process: past the check
