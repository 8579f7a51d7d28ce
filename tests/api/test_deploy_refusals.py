"""What an analyst's deployment does with files saved by other tools, and how its refusals read: diagrams in
GBK stored as UTF-8, duplicate ids, forms alone, uploads over the request limit."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from engine import versions
from engine.models import Resource
from engine.users import SYSTEM
from tests.helpers import FIXTURES

SIMPLE = (FIXTURES / "simple_approval.bpmn").read_text(encoding="utf-8")


def upload(api, *files: tuple[str, bytes]):  # type: ignore[no-untyped-def]
    analyst = api.as_("analyst")
    return analyst.client.post("/api/deployments", data={"files": [(io.BytesIO(c), n) for n, c in files]},
                               headers=analyst.headers(), content_type="multipart/form-data")


def gbk(text: str) -> bytes:
    return text.replace('encoding="UTF-8"', 'encoding="GBK"', 1).encode("gbk")


def test_a_gbk_diagram_is_stored_and_served_as_utf8_with_its_names_intact(api):
    response = upload(api, ("gbk_approval.bpmn", gbk(SIMPLE)))
    assert response.status_code == 201, response.get_json()
    [warning] = [w for w in response.get_json()["warnings"] if "GBK" in w["message"]]
    assert warning["file"] == "gbk_approval.bpmn" and "stored as UTF-8" in warning["message"]
    xml = api.as_("analyst").get("/api/process-definitions/simple_approval/xml")
    assert xml.status_code == 200
    assert xml.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    text = xml.data.decode("utf-8")  # strict: GBK bytes would not decode
    assert 'name="简易审批"' in text and 'name="不予受理"' in text
    assert text.splitlines()[1:] == SIMPLE.splitlines()[1:]  # only the declaration changed: lines stay put
    seen = versions.diagram_version(api.runtime.uow(), "simple_approval", actor=SYSTEM)
    assert "简易审批" in seen.xml and "\ufffd" not in seen.xml
    assert api.as_("analyst").get("/api/process-definitions/simple_approval").get_json()["name"] == "简易审批"


def test_the_same_diagram_in_gbk_and_in_utf8_is_one_version(api):
    first = upload(api, ("simple_approval.bpmn", gbk(SIMPLE))).get_json()
    again = upload(api, ("simple_approval.bpmn", SIMPLE.encode("utf-8"))).get_json()
    assert [(d["version"], d["new"]) for d in first["definitions"]] == [(1, True)]
    assert [(d["version"], d["new"]) for d in again["definitions"]] == [(1, False)]


def test_a_problem_in_a_gbk_diagram_names_the_line_the_author_sees(api):
    broken = SIMPLE.replace("${accepted == true &amp;&amp; amount &lt; 1000}", "${amount >}")
    details = upload(api, ("bad.bpmn", gbk(broken))).get_json()["error"]["details"]
    [problem] = [p for p in details if p["severity"] == "error"]
    assert (problem["file"], problem["line"], problem["element"]) == ("bad.bpmn", 9, "f_ok")
    assert any("GBK" in p["message"] for p in details if p["severity"] == "warning")


def test_a_file_not_in_the_encoding_it_declares_is_refused_naming_the_line(api):
    content = gbk(SIMPLE).replace("简易审批".encode("gbk"), b"\xff\xfe\xfd", 1)
    response = upload(api, ("broken.bpmn", content))
    assert response.status_code == 422
    [problem] = response.get_json()["error"]["details"]
    assert (problem["file"], problem["line"]) == ("broken.bpmn", 3)
    assert "not valid GBK" in problem["message"] and "UTF-8" in problem["message"]
    with api.runtime.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Resource)) == 0


def test_an_unknown_declared_encoding_is_refused(api):
    content = SIMPLE.replace('encoding="UTF-8"', 'encoding="x-no-such"', 1).encode()
    [problem] = upload(api, ("odd.bpmn", content)).get_json()["error"]["details"]
    assert problem["line"] == 1 and "'x-no-such'" in problem["message"]


def test_a_form_in_gbk_is_still_refused(api):
    form = (FIXTURES / "accept.form").read_text(encoding="utf-8")
    response = upload(api, ("simple_approval.bpmn", SIMPLE.encode()), ("accept.form", form.encode("gbk")))
    assert response.status_code == 422
    assert any(p["file"] == "accept.form" for p in response.get_json()["error"]["details"])


def test_duplicate_ids_are_refused_with_file_line_and_id(api):
    twice = SIMPLE.replace('<bpmn:sequenceFlow id="f3"', '<bpmn:sequenceFlow id="f2"', 1)
    response = upload(api, ("twice.bpmn", twice.encode()))
    assert response.status_code == 422
    [problem] = response.get_json()["error"]["details"]
    assert (problem["file"], problem["line"], problem["element"]) == ("twice.bpmn", 14, "f2")
    assert problem["message"].startswith("duplicate id (BPMN requires unique ids)")
    assert "line 7" in problem["message"]  # where the first one is


def test_a_form_alone_is_refused_saying_to_deploy_it_with_its_diagram(api):
    response = upload(api, ("accept.form", (FIXTURES / "accept.form").read_bytes()))
    assert response.status_code == 422
    [problem] = response.get_json()["error"]["details"]
    assert problem["file"] == "accept.form"
    assert "no BPMN diagram" in problem["message"]
    assert "deploy this form with the diagram that uses it" in problem["message"]
    both = upload(api, *((name, (FIXTURES / name).read_bytes()) for name in ("accept.form", "review_opinion.form")))
    assert "these 2 forms (accept.form, review_opinion.form)" in str(both.get_json())


def test_an_upload_over_the_request_limit_says_the_limit_and_its_setting(app, api):
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    response = upload(api, ("big.bpmn", b" " * (3 * 1024 * 1024)))
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "request_entity_too_large"
    assert "2 MiB" in error["message"] and "GOVFLOW_MAX_REQUEST_BYTES" in error["message"]
    assert "capacity limit" not in error["message"] and error["limit"] == 2 * 1024 * 1024
    assert error["details"] == []


def test_a_json_body_over_its_limit_names_its_own_setting(app, api):
    app.config["GOVFLOW_MAX_BODY_BYTES"] = 100
    response = api.as_("integrator").post("/api/messages", json={"name": "m", "variables": {"pad": "x" * 200}})
    assert response.status_code == 413
    message = response.get_json()["error"]["message"]
    assert "GOVFLOW_MAX_BODY_BYTES" in message and "100 bytes" in message
