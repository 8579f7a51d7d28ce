"""The OpenAPI document describes materials, the archive, webhooks and buffered messages."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def spec() -> dict:  # type: ignore[type-arg]
    from api import create_app

    return create_app({"TESTING": True, "DATABASE_URL": "sqlite://"}).test_client().get("/api/openapi.json").get_json()


def test_materials_are_uploaded_as_multipart_with_their_limits_documented(spec):
    upload = spec["paths"]["/api/process-instances/{instance_id}/materials"]["post"]
    body = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["required"] == ["file", "name"] and body["properties"]["file"]["format"] == "binary"
    assert {"201", "409", "413", "415"} <= set(upload["responses"])
    download = spec["paths"]["/api/process-instances/{instance_id}/materials/{material_id}"]["get"]
    assert "application/octet-stream" in download["responses"]["200"]["content"]
    archive = spec["paths"]["/api/process-instances/{instance_id}/archive"]["get"]
    assert "application/zip" in archive["responses"]["200"]["content"]


def test_webhooks_and_their_dead_letters_are_documented(spec):
    assert set(spec["paths"]["/api/webhooks"]) >= {"get", "post"}
    assert "delete" in spec["paths"]["/api/webhooks/{webhook_id}"]
    assert "get" in spec["paths"]["/api/webhooks/dead-letters"]
    assert "post" in spec["paths"]["/api/webhooks/dead-letters/{delivery_id}/replay"]
    created = spec["components"]["schemas"]["WebhookCreated"]["properties"]
    assert {"id", "url", "events", "secret"} <= set(created)


def test_a_buffered_message_is_a_documented_202(spec):
    messages = spec["paths"]["/api/messages"]["post"]
    assert "202" in messages["responses"]
    assert "buffer_seconds" in spec["components"]["schemas"]["Message"]["properties"]
