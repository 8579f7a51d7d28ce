"""The OpenAPI document lists every endpoint with its request and response schemas."""
from __future__ import annotations

import pytest

ENDPOINTS = [
    ("post", "/api/deployments", "multipart/form-data"),
    ("get", "/api/process-definitions", None),
    ("get", "/api/process-definitions/{key}", None),
    ("get", "/api/process-definitions/{key}/xml", None),
    ("post", "/api/process-definitions/{key}/start", "application/json"),
    ("get", "/api/process-instances", None),
    ("get", "/api/process-instances/{instance_id}", None),
    ("get", "/api/process-instances/{instance_id}/history", None),
    ("post", "/api/process-instances/{instance_id}/suspend", "application/json"),
    ("post", "/api/process-instances/{instance_id}/resume", None),
    ("post", "/api/process-instances/{instance_id}/terminate", "application/json"),
    ("get", "/api/tasks", None),
    ("get", "/api/tasks/{task_id}", None),
    ("post", "/api/tasks/{task_id}/claim", None),
    ("post", "/api/tasks/{task_id}/unclaim", None),
    ("post", "/api/tasks/{task_id}/assign", "application/json"),
    ("post", "/api/tasks/{task_id}/complete", "application/json"),
    ("post", "/api/messages", "application/json"),
]


@pytest.fixture(scope="module")
def spec() -> dict:  # type: ignore[type-arg]
    from api import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _resolve(spec: dict, node: dict) -> dict:  # type: ignore[type-arg]
    while "$ref" in node:
        section, name = node["$ref"].split("/")[-2:]
        node = spec["components"][section][name]
    return node


def _fields(spec: dict, schema: dict) -> set[str]:  # type: ignore[type-arg]
    schema = _resolve(spec, schema)
    if schema.get("type") == "array":
        schema = _resolve(spec, schema["items"])
    return set(schema.get("properties", {}))


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ENDPOINTS])
def test_each_endpoint_is_documented_with_its_schemas(spec, method, path, body):
    operation = spec["paths"][path][method]
    success = next(code for code in operation["responses"] if code.startswith("2"))
    content = _resolve(spec, operation["responses"][success])["content"]
    if path.endswith("/xml"):
        assert content["application/xml"]["schema"]["type"] == "string"
    else:
        assert _fields(spec, content["application/json"]["schema"])
    if body is None:
        assert "requestBody" not in operation
    else:
        assert _fields(spec, operation["requestBody"]["content"][body]["schema"])


def test_error_responses_are_documented_in_the_one_error_shape(spec):
    default = _resolve(spec, spec["paths"]["/api/tasks"]["get"]["responses"]["default"])
    error = _resolve(spec, default["content"]["application/json"]["schema"])
    body = _resolve(spec, error["properties"]["error"])
    assert {"code", "message", "details"} <= set(body["properties"])
    invalid = _resolve(spec, spec["paths"]["/api/tasks"]["get"]["responses"]["422"])
    assert _resolve(spec, invalid["content"]["application/json"]["schema"]) == error


def test_the_inbox_and_start_document_their_fields(spec):
    query = {p["name"] for p in spec["paths"]["/api/tasks"]["get"]["parameters"] if p["in"] == "query"}
    assert {"candidate_group", "candidate_user", "assignee", "unassigned", "mine", "process_key", "business_key",
            "due_before", "sort", "limit", "offset"} <= query
    start = spec["paths"]["/api/process-definitions/{key}/start"]["post"]
    assert {"201", "200"} <= set(start["responses"])
    task = spec["components"]["schemas"]["Task"]["properties"]
    assert {"id", "name", "bpmn_id", "process_instance_id", "business_key", "candidate_groups", "assignee",
            "due_at", "priority", "form_key", "state"} <= set(task)
    assert spec["security"] == [{"bearer": []}]
