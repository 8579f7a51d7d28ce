"""What the OpenAPI document says about every operation at once, added as each path is documented.

The views declare their own schemas and the errors particular to them; this module adds what follows
from rules kept elsewhere, so that no view has to repeat them:

- the bearer token (``security``) and its 401 on every operation not marked public (``security: []``);
- 403 on every operation that checks the caller's role, which is all but ``NO_ROLE_CHECK``;
- 404 on every operation with an id in its path, but for ``NO_PATH_LOOKUP``;
- 413 on every operation that takes a body, and 415 on those taking JSON (api.limits, api.json_body);
- ``Idempotency-Key`` on the operations api.idempotency honours (``idempotency.honours``), with the
  ``Idempotent-Replayed`` header on the answers it may replay, and its own 400, 409 and 422;
- an example request body for the operations integrators call most (``EXAMPLES``).
"""
from __future__ import annotations

import http
import re
from typing import Any

from apispec import APISpec, BasePlugin
from marshmallow import Schema

from . import idempotency
from .schemas import (
    AssignSchema,
    ClockExtendSchema,
    CompleteSchema,
    DelegationCreateSchema,
    ExtensionDecisionSchema,
    ExtensionRefusalSchema,
    ExtensionRequestCreateSchema,
    MessageSchema,
    ReasonSchema,
    StartSchema,
    TerminateSchema,
)

ERROR_SCHEMA = "ApiError"  # the component flask-smorest names after ApiErrorSchema

# Operations any signed-in user may call: they check no role (they may still hide what the caller may not
# see, answering 404). Every other operation that needs a token answers 403 to a role without the right.
NO_ROLE_CHECK = frozenset({
    ("get", "/api/process-definitions"),
    ("get", "/api/process-definitions/{key}"),
    ("get", "/api/process-definitions/{key}/xml"),
    ("get", "/api/process-definitions/{key}/start-form"),
    ("get", "/api/process-definitions/{key}/diff"),
    ("get", "/api/tasks"),
    ("get", "/api/tasks/{task_id}"),
    ("get", "/api/tasks/{task_id}/form"),
    ("get", "/api/calendar"),
    ("get", "/api/calendar/{year}"),
    ("get", "/api/departments"),
    ("get", "/api/departments/{code}"),
})

# Operations whose path parameter names nothing to look up: a rule's scope is created when first put.
NO_PATH_LOOKUP = frozenset({("put", "/api/supervision/rules/{scope}")})

IDEMPOTENCY_KEY = {
    "name": idempotency.HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Makes a retry safe: a retry with the same key and the same request (method, path and body) gets the "
        "first response again, marked `Idempotent-Replayed: true`, without running the request twice. The same "
        "key with another request is 422; a retry while the first is still running is 409 (`in_progress`). "
        "Only successes (2xx) are kept: a refusal (4xx, 5xx) changed nothing, so a retry with its key runs "
        "again, e.g. a message sent before its case waits for it. Keys belong to the user (on the public POSTs, "
        "to the client address) and are kept 24 hours (`GOVFLOW_IDEMPOTENCY_TTL_SECONDS`). A replay leaves out "
        "what is shown once (a webhook secret, an API token, a query code); a replayed complaint answers with a "
        "new query code."),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]{1,255}$"},
    "example": "3f1c9a52-7d0e-4b8e-9a61-2c54d1e0b7aa",
}

IDEMPOTENT_REPLAYED = {
    "description": "`true` when this is the stored response to an earlier request with the same "
                   "Idempotency-Key, replayed; absent on a response made now",
    "schema": {"type": "string", "enum": ["true"]},
}

# What the key itself may be refused with, before the request runs (none of these is stored).
KEY_ERRORS = {
    400: "the Idempotency-Key is not 1 to 255 visible ASCII characters",
    409: "a retry with this Idempotency-Key while the first request is still running (in_progress)",
    422: "this Idempotency-Key came before with another request",
}

UNAUTHORIZED = {
    "description": "missing, unknown or revoked bearer token",
    "content": {"application/json": {"schema": ERROR_SCHEMA}},
    "headers": {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
}

# Example request bodies, each with the schema that loads it (the tests load every one).
EXAMPLES: dict[tuple[str, str], tuple[type[Schema], dict[str, Any]]] = {
    ("post", "/api/process-definitions/{key}/start"): (StartSchema, {
        "business_key": "SX-2026-000123",
        "variables": {"applicant_name": "张三", "applicant_phone": "13800000000"}}),
    ("post", "/api/messages"): (MessageSchema, {
        "name": "materials_supplemented", "business_key": "SX-2026-000123",
        "variables": {"supplement_note": "已补齐营业执照副本"}}),
    ("post", "/api/tasks/{task_id}/complete"): (CompleteSchema, {
        "variables": {"decision": "accept", "materials_complete": True, "opinion": "材料齐全，予以受理"}}),
    ("post", "/api/tasks/{task_id}/assign"): (AssignSchema, {"assignee": "window_clerk"}),
    ("post", "/api/process-instances/{instance_id}/suspend"): (ReasonSchema, {
        "reason": "申请人申请暂缓办理"}),
    ("post", "/api/process-instances/{instance_id}/terminate"): (TerminateSchema, {
        "reason": "申请人撤回申请"}),
    ("post", "/api/process-instances/{instance_id}/clock/extend"): (ClockExtendSchema, {
        "days": 10, "reason": "情况复杂，经本机关负责人批准延长十个工作日"}),
    ("post", "/api/process-instances/{instance_id}/clock/extension-requests"): (ExtensionRequestCreateSchema, {
        "days": 5, "reason": "需征求相关部门意见，申请延长五个工作日"}),
    ("post", "/api/extension-requests/{request_id}/approve"): (ExtensionDecisionSchema, {
        "opinion": "同意延长五个工作日"}),
    ("post", "/api/extension-requests/{request_id}/refuse"): (ExtensionRefusalSchema, {
        "opinion": "现有材料足以作出决定，不予延长"}),
    ("post", "/api/delegations"): (DelegationCreateSchema, {
        "principal_code": "WJW", "agent_code": "XZ-001", "items": ["WJW-XK-0005"],
        "basis": "卫健委托〔2026〕3号", "valid_from": "2026-01-01", "valid_until": "2026-12-31"}),
}


class GovflowSpecPlugin(BasePlugin):
    """An apispec plugin: runs on each path after the marshmallow plugin has documented its schemas."""

    def init_spec(self, spec: APISpec) -> None:
        super().init_spec(spec)
        spec.components.parameter("IdempotencyKey", "header", IDEMPOTENCY_KEY)
        spec.components.header("IdempotentReplayed", IDEMPOTENT_REPLAYED)
        spec.components.response("Unauthorized", UNAUTHORIZED)

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         **kwargs: Any) -> None:
        if path is None:
            return
        rule = kwargs.get("rule")
        for method, operation in (operations or {}).items():
            document(method, path, operation)
            if rule is not None:
                operation.setdefault("operationId", operation_id(method, rule.endpoint))


def operation_id(method: str, endpoint: str) -> str:
    """A stable name for client generators (``post_api_tasks_task_id_complete`` otherwise): the method, the
    blueprint and the view, the view's leading words merged with the blueprint's last ones they repeat:
    ``post_tasks_complete``, ``get_task`` (``Task`` of ``tasks``), ``get_process_definition_xml``."""
    blueprint, _, view = endpoint.partition(".")
    prefix = blueprint.replace("-", "_").split("_")
    words = re.sub(r"(?<!^)(?=[A-Z])", "_", view).lower().split("_")
    for k in range(min(len(prefix), len(words)), 0, -1):
        if all(w == p or w + "s" == p or w == p + "s" for w, p in zip(words[:k], prefix[-k:], strict=True)):
            prefix = prefix[:-k]
            break
    return "_".join([method, *prefix, *words])


def document(method: str, path: str, operation: dict[str, Any]) -> None:
    """Add to one operation (``method`` lower case, ``path`` with ``{name}`` parameters) what the rules
    above say about it."""
    responses = operation.setdefault("responses", {})
    _merge_by_status(responses)
    if operation.get("security") != []:  # public operations say ``security: []``
        operation["security"] = [{"bearer": []}]  # the scheme api.create_app declares
        responses.setdefault(401, "Unauthorized")
        if (method, path) not in NO_ROLE_CHECK:
            responses.setdefault(403, _error(http.HTTPStatus.FORBIDDEN, "the caller's roles do not allow this"))
    if "{" in path and (method, path) not in NO_PATH_LOOKUP:
        responses.setdefault(404, _error(http.HTTPStatus.NOT_FOUND, "nothing with this id, or none the caller "
                                                                    "may see"))
    body = (operation.get("requestBody") or {}).get("content") or {}
    if body:  # api.limits and api.json_body: the same for every operation that takes a body
        responses.setdefault(413, _error(http.HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "the request body is over its "
                                         "limit (GOVFLOW_MAX_BODY_BYTES for JSON, GOVFLOW_MAX_REQUEST_BYTES for "
                                         "uploads); `limit` gives it in bytes"))
    if "application/json" in body:
        responses.setdefault(415, _error(http.HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "a body sent with another "
                                         "Content-Type than application/json"))
    if idempotency.honours(method.upper(), path):
        _idempotent(operation)
    if (method, path) in EXAMPLES:
        _, example = EXAMPLES[(method, path)]
        operation["requestBody"]["content"]["application/json"]["example"] = example


def _merge_by_status(responses: dict[Any, Any]) -> None:
    """One response per status. A view that documents its body with ``blp.doc(responses={"200": ...})``
    beside ``blp.response(200, description=...)`` has the status twice (a string and a number); written
    out, the later would replace the other and lose its description."""
    for status in [status for status in responses if isinstance(status, str) and status.isdigit()]:
        extra = responses.pop(status)
        base = responses.get(int(status))
        responses[int(status)] = {**base, **extra} if isinstance(base, dict) and isinstance(extra, dict) else extra


def _idempotent(operation: dict[str, Any]) -> None:
    operation.setdefault("parameters", []).append("IdempotencyKey")
    responses = operation["responses"]
    for status, reason in KEY_ERRORS.items():
        if status in responses:
            response = responses[status] = _inline(responses[status])
            response["description"] = f"{response['description']}; or {reason}"
        else:
            responses[status] = _error(http.HTTPStatus(status), reason)
    for status, response in list(responses.items()):
        if status != "default" and 200 <= int(status) < 300:
            response = responses[status] = _inline(response)
            response.setdefault("headers", {})["Idempotent-Replayed"] = "IdempotentReplayed"


def _inline(response: dict[str, Any] | str) -> dict[str, Any]:
    """A response as a dict of its own, to add to: one of flask-smorest's shared error responses (named
    after its status) is written out."""
    return _error(http.HTTPStatus[response], "") if isinstance(response, str) else response


def _error(status: http.HTTPStatus, description: str) -> dict[str, Any]:
    return {"description": description or status.phrase,
            "content": {"application/json": {"schema": ERROR_SCHEMA}}}

