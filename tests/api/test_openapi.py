"""The OpenAPI document lists every endpoint with its request and response schemas."""
from __future__ import annotations

import re

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
    ("get", "/api/process-instances/{instance_id}/waits", None),
    ("post", "/api/process-instances/{instance_id}/suspend", "application/json"),
    ("post", "/api/process-instances/{instance_id}/resume", None),
    ("post", "/api/process-instances/{instance_id}/terminate", "application/json"),
    ("get", "/api/tasks", None),
    ("get", "/api/tasks/{task_id}", None),
    ("post", "/api/tasks/{task_id}/claim", "application/json"),
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


# What every operation says about tokens, roles, missing ids, idempotency and examples (api.openapi), checked
# against what the API answers.

PUBLIC_PREFIXES = ("/api/public/", "/api/catalogue")  # README: applicants use these without logging in

# Found in QA: answers the API gave that the document did not list.
QA_UNDOCUMENTED = [
    ("post", "/api/deployments", "403"),
    ("post", "/api/process-definitions/{key}/start", "403"),
    ("post", "/api/tasks/{task_id}/claim", "404"),
    ("post", "/api/tasks/{task_id}/complete", "404"),
    ("post", "/api/process-instances/{instance_id}/suspend", "403"),
    ("post", "/api/process-instances/{instance_id}/suspend", "404"),
    ("post", "/api/process-instances/{instance_id}/resume", "404"),
    ("post", "/api/process-instances/{instance_id}/terminate", "403"),
    ("post", "/api/incidents/{job_id}/retry", "403"),
    ("post", "/api/incidents/{job_id}/retry", "404"),
    ("post", "/api/webhooks", "403"),
    ("get", "/api/webhooks", "403"),
    ("post", "/api/messages", "403"),
    ("post", "/api/process-instances/{instance_id}/clock/extend", "403"),
    ("post", "/api/tasks/{task_id}/assign", "403"),
]


def _operations(spec: dict) -> list[tuple[str, str, dict]]:  # type: ignore[type-arg]
    return [(method, path, operation) for path, item in spec["paths"].items()
            for method, operation in item.items() if method != "parameters"]


def _public(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES)


def _header_parameters(spec: dict, operation: dict) -> set[str]:  # type: ignore[type-arg]
    found = (_resolve(spec, p) for p in operation.get("parameters", []))
    return {p["name"] for p in found if p["in"] == "header"}


def _error_shape(spec: dict, response: dict) -> dict:  # type: ignore[type-arg]
    return _resolve(spec, _resolve(spec, response)["content"]["application/json"]["schema"])


def _url(path: str) -> str:
    """The path with every parameter filled in: ids no row has, a name nothing has, this year."""
    import re

    from api.schemas import ROW_ID_MAX

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "year":
            return "2026"
        if name.endswith("_id") and name != "task_id":
            return str(ROW_ID_MAX)
        return "no-such-thing"
    return re.sub(r"\{(\w+)\}", value, path)


def _call(client, method: str, path: str, *, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    from api.openapi import EXAMPLES

    kwargs: dict = {"headers": headers}  # type: ignore[type-arg]
    if method in ("post", "put"):
        kwargs["json"] = EXAMPLES[(method, path)][1] if (method, path) in EXAMPLES else {}
    return client.open(_url(path), method=method.upper(), **kwargs)


def _user_without_roles(api) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from engine import users

    _, token = users.add_user(api.runtime.uow(), "nobody", groups=[], roles=[], actor=users.SYSTEM)
    return {"Authorization": f"Bearer {token}"}


def test_every_operation_but_the_public_ones_needs_a_bearer_token_and_documents_its_401(spec):
    for method, path, operation in _operations(spec):
        if _public(path):
            assert operation["security"] == [] and "401" not in operation["responses"], (method, path)
            continue
        assert operation["security"] == [{"bearer": []}], (method, path)
        assert "401" in operation["responses"], (method, path)
        body = _error_shape(spec, operation["responses"]["401"])
        assert body == _resolve(spec, {"$ref": "#/components/schemas/ApiError"}), (method, path)
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}


def test_without_a_token_exactly_the_operations_documenting_401_refuse(api):
    from api.openapi import EXAMPLES

    spec = api.client.get("/api/openapi.json").get_json()
    checked = 0
    for method, path, operation in _operations(spec):
        if "requestBody" in operation and (method, path) not in EXAMPLES:
            continue  # an empty body may be refused (422) before the token is looked at
        status = _call(api.client, method, path, headers={}).status_code
        assert (status == 401) == ("401" in operation["responses"]), (method, path, status)
        checked += 1
    assert checked > 40


def test_the_403_and_404_answers_found_in_qa_are_documented(spec):
    for method, path, status in QA_UNDOCUMENTED:
        response = spec["paths"][path][method]["responses"].get(status)
        assert response is not None, (method, path, status)
        assert set(_error_shape(spec, response)["properties"]) == {"error"}


def test_a_user_without_roles_gets_403_only_where_it_is_documented(api):
    from api.openapi import NO_ROLE_CHECK

    spec = api.client.get("/api/openapi.json").get_json()
    headers = _user_without_roles(api)
    refused = set()
    for method, path, operation in _operations(spec):
        if _public(path):
            assert "403" not in operation["responses"], (method, path)
            continue
        status = _call(api.client, method, path, headers=headers).status_code
        if status == 403:
            refused.add((method, path))
            assert "403" in operation["responses"], (method, path)
        assert ("403" in operation["responses"]) == ((method, path) not in NO_ROLE_CHECK), (method, path)
    assert not refused & NO_ROLE_CHECK
    assert {("post", "/api/deployments"), ("post", "/api/messages"), ("get", "/api/webhooks"),
            ("get", "/api/process-instances/{instance_id}/clock")} <= refused


def test_an_id_that_names_nothing_is_a_documented_404(api):
    from api.openapi import NO_PATH_LOOKUP

    spec = api.client.get("/api/openapi.json").get_json()
    headers = api.as_("admin").headers()
    not_found = set()
    for method, path, operation in _operations(spec):
        if "{" not in path:
            continue
        assert ("404" in operation["responses"]) == ((method, path) not in NO_PATH_LOOKUP), (method, path)
        if method == "put":
            continue  # a put with an unknown name may create it
        if _call(api.client, method, path, headers=headers).status_code == 404:
            not_found.add((method, path))
    assert {("post", "/api/tasks/{task_id}/claim"), ("post", "/api/tasks/{task_id}/complete"),
            ("post", "/api/process-instances/{instance_id}/resume"),
            ("post", "/api/incidents/{job_id}/retry")} <= not_found


def test_idempotency_key_is_documented_on_exactly_the_operations_that_honour_it(api):
    from api import idempotency

    spec = api.client.get("/api/openapi.json").get_json()
    headers = {**api.as_("admin").headers(), idempotency.HEADER: "not a key"}  # spaces: refused when read
    documented, honoured = set(), set()
    for method, path, operation in _operations(spec):
        if idempotency.HEADER in _header_parameters(spec, operation):
            documented.add((method, path))
        response = _call(api.client, method, path, headers=headers)
        if response.status_code == 400 and idempotency.HEADER in response.get_json()["error"]["message"]:
            honoured.add((method, path))
    assert documented == honoured
    assert documented == {(m, p) for m, p, _ in _operations(spec) if idempotency.honours(m.upper(), p)}
    assert {("post", "/api/messages"), ("post", "/api/process-definitions/{key}/start"),
            ("post", "/api/public/ratings")} <= documented
    assert not any(method == "get" for method, _ in documented)


def test_idempotency_is_described_as_it_behaves(spec):
    parameter = spec["components"]["parameters"]["IdempotencyKey"]
    assert parameter["in"] == "header" and parameter["required"] is False
    for said in ("Idempotent-Replayed: true", "422", "409", "24 hours", "query code"):
        assert said in parameter["description"]
    replayed = spec["components"]["headers"]["IdempotentReplayed"]
    assert replayed["schema"] == {"type": "string", "enum": ["true"]}
    start = spec["paths"]["/api/process-definitions/{key}/start"]["post"]["responses"]
    for status in ("200", "201"):
        assert "Idempotent-Replayed" in start[status]["headers"], status
    for status in ("401", "404", "409", "422"):  # not stored: a retry runs again
        assert "Idempotent-Replayed" not in _resolve(spec, start[status]).get("headers", {}), status
    assert "Idempotency-Key" in start["409"]["description"] and "Idempotency-Key" in start["400"]["description"]
    assert "Idempotency-Key" in start["422"]["description"]


def test_a_replayed_answer_carries_the_documented_header(api):
    api.deploy("simple_approval.bpmn")
    headers = {**api.as_("integrator").headers(), "Idempotency-Key": "start-TWO-1"}
    body = {"business_key": "TWO-1"}
    first = api.client.post("/api/process-definitions/simple_approval/start", json=body, headers=headers)
    again = api.client.post("/api/process-definitions/simple_approval/start", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in first.headers and again.headers["Idempotent-Replayed"] == "true"
    spec = api.client.get("/api/openapi.json").get_json()
    replayed = spec["paths"]["/api/process-definitions/{key}/start"]["post"]["responses"]["201"]["headers"]
    assert _resolve(spec, replayed["Idempotent-Replayed"])["schema"]["enum"] == [again.headers["Idempotent-Replayed"]]


def test_the_main_operations_have_example_bodies_valid_against_their_schemas(spec):
    import jsonschema_rs

    from api.openapi import EXAMPLES

    assert {("post", "/api/process-definitions/{key}/start"), ("post", "/api/messages"),
            ("post", "/api/tasks/{task_id}/complete"), ("post", "/api/tasks/{task_id}/assign")} <= set(EXAMPLES)
    for (method, path), (schema, example) in EXAMPLES.items():
        content = spec["paths"][path][method]["requestBody"]["content"]["application/json"]
        assert content["example"] == example
        assert content["schema"]["$ref"] == f"#/components/schemas/{schema.__name__.removesuffix('Schema')}"
        schema().load(example)  # raises on an invalid example
        document = {"$ref": content["schema"]["$ref"], "components": spec["components"]}
        jsonschema_rs.Draft4Validator(document).validate(example)


def test_the_document_is_valid_openapi(spec):
    from schemathesis.specs.openapi.definitions import OPENAPI_30_VALIDATOR

    assert spec["openapi"].startswith("3.0")
    assert [str(error) for error in OPENAPI_30_VALIDATOR.iter_errors(spec)] == []


def test_every_operation_has_a_unique_readable_operation_id(spec):
    """Client generators name their methods after operationId; without one they spell out the path."""
    ids = [(operation.get("operationId"), method, path) for method, path, operation in _operations(spec)]
    assert all(operation_id for operation_id, _, _ in ids)
    assert len({operation_id for operation_id, _, _ in ids}) == len(ids)
    by_route = {(method, path): operation_id for operation_id, method, path in ids}
    assert by_route[("post", "/api/tasks/{task_id}/complete")] == "post_tasks_complete"
    assert by_route[("get", "/api/tasks")] == "get_tasks"
    assert by_route[("get", "/api/tasks/{task_id}")] == "get_task"
    assert by_route[("post", "/api/process-definitions/{key}/start")] == "post_process_definitions_start"
    assert by_route[("get", "/api/process-definitions/{key}/xml")] == "get_process_definition_xml"
    assert by_route[("patch", "/api/users/{name}")] == "patch_user"
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", operation_id) for operation_id, _, _ in ids)


def test_every_operation_taking_a_body_documents_the_413_and_json_ones_the_415_they_answer(api):
    """The start answered 413 to 20 MB and 415 to text/plain, neither of which its documentation listed."""
    spec = api.client.get("/api/openapi.json").get_json()
    takes_json = [(m, p, o) for m, p, o in _operations(spec)
                  if "application/json" in (o.get("requestBody") or {}).get("content", {})]
    assert len(takes_json) > 20
    for method, path, operation in takes_json:
        assert {"413", "415"} <= set(operation["responses"]), (method, path)
        assert set(_error_shape(spec, operation["responses"]["415"])["properties"]) == {"error"}
    token = api.token("integrator")
    headers = {"Authorization": f"Bearer {token}"}
    start = "/api/process-definitions/simple_approval/start"
    assert api.client.post(start, data="{}", headers={**headers, "Content-Type": "text/plain"}).status_code == 415
    huge = '{"variables": {"x": "' + "x" * (2 * 1024 * 1024) + '"}}'
    assert api.client.post(start, data=huge, headers={**headers, "Content-Type": "application/json"}).status_code == 413
