"""Input the database cannot hold or a parser cannot follow is refused at the door, in the one error
shape, and nothing is stored: JSON nested past the parser's depth, unpaired surrogates, NUL characters in
chunked bodies, form fields and file names, moments outside the calendar, and JSON sent under another
Content-Type."""
from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from engine.models import ProcessInstance, Resource
from tests.conftest import FIXTURES


def _cases(api) -> int:  # type: ignore[no-untyped-def]
    with api.runtime.uow() as uow:
        return uow.session.scalar(select(func.count(ProcessInstance.id))) or 0


def _post_raw(caller, url: str, body: bytes | str, content_type: str | None, **kwargs):  # type: ignore[no-untyped-def]
    headers = {**caller.headers(), **kwargs.pop("headers", {})}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return caller.client.post(url, data=body, headers=headers, **kwargs)


def _error(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert set(error) >= {"code", "message", "details"}
    return error


def test_json_nested_past_the_parser_is_a_400_not_a_crash(api):
    api.deploy("simple_approval.bpmn")
    deep = '{"variables": {"a": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    integrator = api.as_("integrator")
    url = "/api/process-definitions/simple_approval/start"
    error = _error(_post_raw(integrator, url, deep, "application/json"), 400)
    assert "nested too deeply" in error["message"]
    # The same with a NUL escape inside, which the input check parses itself first.
    with_nul = '{"variables": {"n": "\\u0000", "a": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    assert "nested too deeply" in _error(_post_raw(integrator, url, with_nul, "application/json"), 400)["message"]
    # Nobody logged in: still an answer, not a crash.
    anonymous = api.client.post("/api/tasks/x/complete", data=deep, content_type="application/json")
    assert anonymous.status_code == 401 and anonymous.get_json()["error"]["code"] == "unauthenticated"
    assert _cases(api) == 0


def test_a_number_too_long_to_read_is_a_400_not_a_crash(api):
    """Python turns at most 4300 digits into an int: more, in any body, is refused with the same shape."""
    api.deploy("simple_approval.bpmn")
    long = "9" * 5000
    url = "/api/process-definitions/simple_approval/start"
    error = _error(_post_raw(api.as_("integrator"), url, '{"variables": {"amount": ' + long + "}}",
                             "application/json"), 400)
    assert "5000 digits" in error["message"]
    rating = api.client.post("/api/public/ratings", data='{"case_no": "x", "code": "y", "level": -' + long + "}",
                             content_type="application/json")
    assert rating.status_code == 400 and "5000 digits" in rating.get_json()["error"]["message"]
    assert _cases(api) == 0


def test_an_unpaired_surrogate_is_refused_wherever_it_is_and_a_paired_one_is_text(api):
    api.deploy("simple_approval.bpmn")
    integrator = api.as_("integrator")
    url = "/api/process-definitions/simple_approval/start"
    error = _error(_post_raw(integrator, url, '{"business_key": "A\\ud800"}', "application/json"), 422)
    assert error["details"] == [{"field": "business_key", "message": error["details"][0]["message"]}]
    assert "unpaired surrogate" in error["details"][0]["message"]
    low_in_a_key = '{"variables": {"\\udc00": 1, "ok": ["fine", "\\uDFFF"]}}'
    fields = [d["field"] for d in _error(_post_raw(integrator, url, low_in_a_key, "application/json"), 422)["details"]]
    assert fields == ["variables.ok.1", "variables.\udc00"]
    assert _error(_post_raw(integrator, "/api/messages", '{"name": "\\ud83d"}', "application/json"), 422)
    assert _cases(api) == 0
    # A surrogate pair is one character (an emoji as an ASCII-only encoder writes it): accepted.
    paired = json.dumps({"variables": {"note": "收件 😀", "reviewGroup": "office"}})
    assert "\\ud83d\\ude00" in paired
    started = _post_raw(integrator, url, paired, "application/json")
    assert started.status_code == 201, started.get_json()
    assert started.get_json()["variables"]["note"] == "收件 😀"


def test_a_nul_in_a_chunked_body_is_refused_as_in_any_other(api):
    api.deploy("simple_approval.bpmn")
    integrator = api.as_("integrator")
    body = json.dumps({"business_key": "CHK\x00NUL"}).encode()
    response = integrator.client.post(
        "/api/process-definitions/simple_approval/start", input_stream=io.BytesIO(body),
        headers={**integrator.headers(), "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True})
    assert _error(response, 422)["details"] == [{"field": "business_key", "message": "contains a NUL character"}]
    assert _cases(api) == 0


def test_a_nul_in_a_form_field_or_a_file_name_is_refused_and_nothing_is_deployed(api):
    diagram = FIXTURES / "simple_approval.bpmn"
    analyst = api.as_("analyst")
    for data in ({"files": [(io.BytesIO(diagram.read_bytes()), "a\x00b.bpmn")]},
                 {"files": [(io.BytesIO(diagram.read_bytes()), "ok.bpmn")], "name": "release\x00 1"}):
        response = analyst.client.post("/api/deployments", data=data, headers=analyst.headers(),
                                       content_type="multipart/form-data")
        assert _error(response, 422)["details"][0]["message"] == "contains a NUL character"
    with api.runtime.uow() as uow:
        assert uow.session.scalar(select(func.count(Resource.id))) == 0


def test_a_moment_outside_the_calendar_in_utc_is_a_422_naming_the_parameter(api):
    for url, field in (("/api/tasks?due_before=0001-01-01T00:00:00%2B14:00", "due_before"),
                       ("/api/tasks?due_before=9999-12-31T23:59:59-14:00", "due_before"),
                       ("/api/supervision/events?since=0001-01-01T00:00:00%2B14:00", "since")):
        error = _error(api.as_("supervisor").get(url), 422)
        assert [d["field"] for d in error["details"]] == [field], error
    # An ordinary moment with an offset still filters.
    assert api.as_("supervisor").get("/api/tasks?due_before=2026-12-01T09:00:00%2B08:00").status_code == 200


def test_json_sent_as_another_type_is_a_415_and_opens_no_case(api):
    api.deploy("simple_approval.bpmn")
    integrator = api.as_("integrator")
    url = "/api/process-definitions/simple_approval/start"
    body = json.dumps({"business_key": "DUP-1", "variables": {"reviewGroup": "office"}})
    for content_type in ("text/plain", None, "application/x-www-form-urlencoded"):
        error = _error(_post_raw(integrator, url, body, content_type), 415)
        assert error["code"] == "unsupported_media_type" and "application/json" in error["message"]
    assert _cases(api) == 0
    # No body at all needs no type: a start without variables is a start.
    assert _post_raw(integrator, url, b"", None).status_code == 201
    assert integrator.post(url, json={"business_key": "DUP-1", "variables": {"reviewGroup": "office"}}).status_code == 201


def test_the_catalogue_documents_the_guide_fields_it_publishes(api):
    document = api.client.get("/api/openapi.json").get_json()
    guide = document["components"]["schemas"]["Guide"]
    assert guide["additionalProperties"] is True  # a guide's optional fields are published as written
    reference = guide["properties"]["extension"]["allOf"][0]["$ref"].rsplit("/", 1)[-1]
    assert set(document["components"]["schemas"][reference]["properties"]) == {"days", "basis"}


def test_a_form_nested_thousands_deep_is_a_refused_deployment_not_a_crash(api):
    analyst = api.as_("analyst")
    files = [(io.BytesIO((FIXTURES / "simple_approval.bpmn").read_bytes()), "simple_approval.bpmn"),
             (io.BytesIO(b"[" * 5000 + b"]" * 5000), "deep.form")]
    response = analyst.client.post("/api/deployments", data={"files": files}, headers=analyst.headers(),
                                   content_type="multipart/form-data")
    error = _error(response, 422)
    assert [(d["file"], d["message"]) for d in error["details"]] == [("deep.form", "form is nested deeper than 64 levels")]
    with api.runtime.uow() as uow:
        assert uow.session.scalar(select(func.count(Resource.id))) == 0


def test_a_chunked_json_body_over_the_limit_is_a_413_not_invalid_json(app, api):
    app.config["GOVFLOW_MAX_BODY_BYTES"] = 1000
    integrator = api.as_("integrator")
    headers = {**integrator.headers(), "Content-Type": "application/json", "Transfer-Encoding": "chunked"}

    def send(body: bytes):  # type: ignore[no-untyped-def]
        return integrator.client.post("/api/messages", input_stream=io.BytesIO(body), headers=headers,
                                      environ_overrides={"wsgi.input_terminated": True})
    error = _error(send(json.dumps({"name": "m", "variables": {"pad": "x" * 5000}}).encode()), 413)
    assert "larger than the limit of 1000 bytes" in error["message"] and error["code"] == "request_entity_too_large"
    assert "GOVFLOW_MAX_BODY_BYTES" in error["message"]
    small = send(json.dumps({"name": "m"}).encode())  # read whole: no such message is awaited
    assert small.status_code == 404 and small.get_json()["error"]["code"] == "not_found"


def test_json_in_utf_16_or_32_is_a_400_that_says_so_and_a_utf_8_byte_order_mark_is_skipped(api):
    api.deploy("simple_approval.bpmn")
    integrator = api.as_("integrator")
    url = "/api/process-definitions/simple_approval/start"
    body = json.dumps({"business_key": "BOM-1", "variables": {"reviewGroup": "office"}})
    for encoding in ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be"):
        error = _error(_post_raw(integrator, url, body.encode(encoding), "application/json"), 400)
        assert "UTF-8" in error["message"], encoding
    assert _cases(api) == 0
    started = _post_raw(integrator, url, body.encode("utf-8-sig"), "application/json")  # as PowerShell may send it
    assert started.status_code == 201 and started.get_json()["business_key"] == "BOM-1"


def test_an_object_naming_a_key_twice_is_a_400_naming_it_and_nothing_starts(api):
    """Which of two values counts differs between parsers: {"approved": true, "approved": false} is refused."""
    api.deploy("simple_approval.bpmn")
    integrator = api.as_("integrator")
    url = "/api/process-definitions/simple_approval/start"
    body = b'{"business_key": "DUP-1", "variables": {"reviewGroup": "office", "reviewGroup": "other"}}'
    error = _error(_post_raw(integrator, url, body, "application/json"), 400)
    assert error["code"] == "invalid_request"
    assert error["message"] == "the JSON body names 'reviewGroup' twice in one object: send each key once"
    assert error["details"] == [{"field": "reviewGroup", "message": "named twice in one object"}]
    assert _cases(api) == 0
    nested_apart = b'{"business_key": "DUP-1", "variables": {"reviewGroup": "office", "note": {"reviewGroup": 1}}}'
    assert _post_raw(integrator, url, nested_apart, "application/json").status_code == 201  # one per object


def test_a_compressed_body_is_a_415_saying_so_not_a_wrong_encoding(api):
    import gzip

    api.deploy("simple_approval.bpmn")
    body = gzip.compress(json.dumps({"business_key": "GZ-1", "variables": {"reviewGroup": "office"}}).encode())
    response = api.as_("integrator").client.post(
        "/api/process-definitions/simple_approval/start", data=body,
        headers={**api.as_("integrator").headers(), "Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert response.status_code == 415
    assert response.get_json()["error"]["message"] == ("a body with Content-Encoding gzip is not accepted: send the "
                                                       "JSON uncompressed")
    assert _cases(api) == 0


def test_a_body_sent_where_none_is_taken_is_refused_not_ignored(api):
    """Unclaim and resume take no body: a malformed one is a 400, one with fields a 422 naming them, and
    nothing is done; an empty object or null is taken as no body."""
    api.deploy("simple_approval.bpmn")
    case = api.start("simple_approval", business_key="NOBODY-1", variables={"reviewGroup": "office"})
    task_id = case["tasks"][0]["id"]
    clerk = api.as_("window_clerk")
    assert clerk.post(f"/api/tasks/{task_id}/claim").status_code == 200
    unclaim = f"/api/tasks/{task_id}/unclaim"
    error = _error(_post_raw(clerk, unclaim, b'{"reason": ', "application/json"), 400)
    assert error["code"] == "invalid_request"
    error = _error(clerk.post(unclaim, json={"reason": "换人办理"}), 422)
    assert error["code"] == "validation_failed" and error["details"] == [{"field": "reason", "message": "Unknown field."}]
    assert error["message"] == f"POST {unclaim} takes no body: send none"
    _error(clerk.post(unclaim, json=["reason"]), 422)
    assert clerk.get(f"/api/tasks/{task_id}").get_json()["assignee"] == "window_clerk"  # still claimed
    assert _post_raw(clerk, unclaim, b"null", "application/json").status_code == 200
    assert clerk.get(f"/api/tasks/{task_id}").get_json()["assignee"] is None

    admin = api.as_("admin")
    assert admin.post(f"/api/process-instances/{case['id']}/suspend", json={"reason": "核查"}).status_code == 200
    _error(admin.post(f"/api/process-instances/{case['id']}/resume", json={"reason": "核查完毕"}), 422)
    assert admin.get(f"/api/process-instances/{case['id']}").get_json()["state"] == "suspended"
    assert admin.post(f"/api/process-instances/{case['id']}/resume").status_code == 200  # {}: no body
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):  # not JSON: dropped as surely
        refused = admin.post(f"/api/process-instances/{case['id']}/resume", data="reason=x", content_type=content_type)
        assert refused.status_code == 415 and "takes no body" in refused.get_json()["error"]["message"]
    assert admin.get(f"/api/process-instances/{case['id']}").get_json()["state"] == "running"


def _multipart(filename: bytes, content: bytes, **fields: str) -> bytes:
    parts = [b'--XYZ\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (k.encode(), v.encode())
             for k, v in fields.items()]
    parts.append(b'--XYZ\r\nContent-Disposition: form-data; name="files"; filename="' + filename
                 + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + content + b"\r\n")
    return b"".join(parts) + b"--XYZ--\r\n"


def test_a_file_name_not_in_utf_8_is_a_400_saying_so_not_no_files(api):
    """werkzeug read such a body as an empty form: "no files to deploy" about a file that was sent."""
    body = _multipart("审批.bpmn".encode("gbk"), (FIXTURES / "simple_approval.bpmn").read_bytes())
    error = _error(_post_raw(api.as_("analyst"), "/api/deployments", body, "multipart/form-data; boundary=XYZ"), 400)
    assert error["code"] == "invalid_request" and "not UTF-8" in error["message"] and "GBK" in error["message"]
    assert api.as_("analyst").get("/api/process-definitions").get_json() == []
    cut = _multipart(b"simple_approval.bpmn", b"<xml")[:-12]  # no closing boundary: the body ends early
    error = _error(_post_raw(api.as_("analyst"), "/api/deployments", cut, "multipart/form-data; boundary=XYZ"), 400)
    assert error["message"].startswith("the multipart body could not be read")
    deployed = _post_raw(api.as_("analyst"), "/api/deployments",
                         _multipart("审批.bpmn".encode(), (FIXTURES / "simple_approval.bpmn").read_bytes()),
                         "multipart/form-data; boundary=XYZ")
    assert deployed.status_code == 201, deployed.get_json()


def test_a_json_body_is_read_with_json_s_own_types_not_converted(api):
    """1.9 was cut to a 1-day token, "no" deactivated a user: a body's numbers and booleans are JSON's."""
    api.token("window_clerk")
    admin = api.as_("admin")
    for url, body, field in (("/api/users/window_clerk/tokens", {"ttl_days": 1.9}, "ttl_days"),
                             ("/api/users/window_clerk/tokens", {"ttl_days": "2"}, "ttl_days")):
        error = _error(admin.post(url, json=body), 422)
        assert [d["field"] for d in error["details"]] == [field], body
    for body in ({"active": "no"}, {"active": 0}, {"active": "false"}):
        error = _error(admin.patch("/api/users/window_clerk", json=body), 422)
        assert [d["field"] for d in error["details"]] == ["active"], body
    assert admin.get("/api/users/window_clerk").get_json()["active"] is True
    for body in ({"remind_days": 2.5}, {"remind_days": "2"}):
        _error(admin.put("/api/supervision/rules/*", json=body), 422)
    assert admin.put("/api/supervision/rules/*", json={"remind_days": 2}).status_code in (200, 201)
    # A query string's values are text, read as before.
    assert admin.get("/api/users?active=true&limit=1").status_code == 200


def test_a_query_parameter_an_endpoint_takes_none_of_is_a_422_naming_it(api):
    """A list that takes no filters answered ?limit=1 with everything, as if it had been honoured."""
    admin = api.as_("admin")
    for url in ("/api/webhooks?limit=1", "/api/departments?bogus=1", "/api/incidents?state=open",
                "/api/supervision/rules?scope=x", "/api/process-definitions/none/xml?version=1&x=2"):
        response = admin.get(url)
        error = _error(response, 422)
        assert error["code"] == "validation_failed" and error["details"][0]["message"] == "Unknown field.", url
    assert admin.get("/api/webhooks").status_code == 200
    assert admin.client.head("/api/webhooks?limit=1", headers=admin.headers()).status_code == 422  # as its GET
    assert api.client.get("/api/openapi.json?x=1").status_code == 200  # not an operation of the API
    assert api.client.get("/api/health?verbose=1").status_code in (200, 503)
