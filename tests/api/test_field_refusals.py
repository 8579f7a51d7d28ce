"""A refused value of one field is a 422 naming the field, as the API's own schemas say theirs; a request that
is malformed as a whole (a body that is not JSON, nested too deeply, nothing to change) stays a 400, with one
code and, for JSON, where the parser stopped; ``govflow deploy`` names files by the path given; the audit
log page says a bad filter beside its field."""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from api.cli import main
from engine import Runtime, users
from engine.errors import InvalidRequest, ValidationFailed
from tests.api.test_pages import Browser, person
from tests.helpers import FIXTURES, ApiClient

PDF = b"%PDF-1.7\n%%EOF\n"


def _refusal(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    error: dict[str, Any] = response.get_json()["error"]
    assert error["code"] == code, error
    return error


def _named(error: dict[str, Any], field: str) -> str:
    """The message of the one field ``error`` names: the same as the error's own message (and the ``rule`` a
    page words, where the engine gives one)."""
    [detail] = error["details"]
    assert {k: v for k, v in detail.items() if k != "rule"} == {"field": field, "message": error["message"]}, error
    return error["message"]


def _patch(api: ApiClient, name: str, body: dict[str, Any]) -> Any:
    admin = api.as_("admin")
    return admin.patch(f"/api/users/{name}", body)


# ---- users --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "field", "says"), [
    ({"name": "a b/../c"}, "name", "invalid user name 'a b/../c': 1 to 100 Latin letters"),
    ({"name": "System"}, "name", "the user name 'System' is reserved"),
    ({"name": "li", "groups": ["window", "a b"]}, "groups.1", "invalid group name 'a b': one word"),
])
def test_a_new_users_bad_name_or_group_is_a_422_naming_the_field(api: ApiClient, body: dict[str, Any], field: str,
                                                                 says: str) -> None:
    error = _refusal(api.as_("admin").post("/api/users", json=body), 422, "validation_failed")
    assert _named(error, field).startswith(says)
    assert api.get(f"/api/users/{body['name']}").status_code == 404


@pytest.mark.parametrize(("groups", "says"), [
    (["window", "x,y"], "invalid group name 'x,y'"),
    (["window", "x\u200by"], r"invalid group name 'x\u200by'"),  # a zero-width space: shown, not hidden
    (["window", " "], "an empty group name; to take every group away, give none"),
])
def test_a_changed_users_bad_group_is_a_422_naming_it_and_nothing_to_change_stays_a_400(
        api: ApiClient, groups: list[str], says: str) -> None:
    users.add_user(api.runtime.uow(), "wang", groups=["window"], roles=["clerk"], actor=users.SYSTEM)
    error = _refusal(_patch(api, "wang", {"groups": groups}), 422, "validation_failed")
    assert _named(error, "groups.1").startswith(says)
    nothing = _refusal(_patch(api, "wang", {}), 400, "invalid_request")
    assert nothing["message"].startswith("nothing to change") and nothing["details"] == []
    assert api.get("/api/users/wang").get_json()["groups"] == ["window"]


def test_the_engine_names_the_field_of_each_value_it_refuses_whatever_the_entrypoint(runtime: Runtime) -> None:
    """The command line reaches the engine without the API's schemas: the same refusals, each naming its field."""
    def field_of(call: Any) -> tuple[str, str]:
        with pytest.raises(ValidationFailed) as refused:
            call()
        [detail] = refused.value.details
        assert detail["message"] == refused.value.message
        return detail["field"], refused.value.message

    uow, system = runtime.uow, users.SYSTEM
    assert field_of(lambda: users.add_user(uow(), "li", roles=["clerk", "boss"], actor=system)) == (
        "roles.1", "unknown role 'boss'; roles are admin, analyst, clerk, supervisor, integrator, head")
    assert field_of(lambda: users.add_user(uow(), "li", display_name="王" * 201, actor=system))[0] == "display_name"
    assert field_of(lambda: users.add_user(uow(), "li", token_ttl_days=0, actor=system))[0] == "token_ttl_days"
    users.add_user(uow(), "li", actor=system)
    assert field_of(lambda: users.issue_token(uow(), "li", ttl_days=0, actor=system))[0] == "ttl_days"
    assert field_of(lambda: users.issue_token(uow(), "li", label="x" * 101, actor=system))[0] == "label"
    assert field_of(lambda: users.set_password(uow(), "li", "short", actor=system))[0] == "password"
    assert field_of(lambda: users.change_user(uow(), "li", roles=["wizard"], actor=system))[0] == "roles.0"
    with pytest.raises(InvalidRequest, match="nothing to change"):
        users.change_user(uow(), "li", actor=system)


# ---- materials ----------------------------------------------------------------------------------------

def _upload(api: ApiClient, case_id: int, data: dict[str, Any]) -> Any:
    integrator = api.as_("integrator")
    return integrator.client.post(f"/api/process-instances/{case_id}/materials", data=data,
                                  headers=integrator.headers(), content_type="multipart/form-data")


@pytest.mark.parametrize(("name", "says"), [
    (None, "material name must be 1 to 200 characters"),
    ("   ", "material name must be 1 to 200 characters"),
    ("x" * 201, "material name must be 1 to 200 characters"),
    ("营业执照\x1b[31m", "material name must not contain control characters"),
])
def test_an_upload_whose_name_is_missing_or_bad_is_a_422_naming_the_name(api: ApiClient, name: str | None,
                                                                          says: str) -> None:
    api.deploy("simple_approval.bpmn")
    case_id = api.start("simple_approval", variables={"reviewGroup": "office"})["id"]
    data: dict[str, Any] = {"file": (io.BytesIO(PDF), "营业执照.pdf")} | ({} if name is None else {"name": name})
    assert _named(_refusal(_upload(api, case_id, data), 422, "validation_failed"), "name") == says
    no_file = _refusal(_upload(api, case_id, {"name": "营业执照"}), 400, "invalid_request")  # a part missing
    assert "'file'" in no_file["message"]
    assert api.as_("integrator").get(f"/api/process-instances/{case_id}/materials").get_json() == []


def test_the_upload_s_422_is_documented(api: ApiClient) -> None:
    spec = api.client.get("/api/openapi.json").get_json()
    refused = spec["paths"]["/api/process-instances/{instance_id}/materials"]["post"]["responses"]["422"]
    assert "details: field name" in refused["description"]


def test_a_page_upload_under_a_blank_name_is_refused_beside_its_row(api: ApiClient, runtime: Runtime) -> None:
    api.deploy("simple_approval.bpmn")
    case_id = api.start("simple_approval", variables={"reviewGroup": "office"})["id"]
    person(runtime, "zhou", roles=["integrator"])
    browser = Browser(api.client.application.test_client())
    assert browser.log_in("zhou").status_code == 302
    answer = browser.post(f"/cases/{case_id}/materials?row=other", token_from=f"/cases/{case_id}", data={
        "name": "  ", "file": (io.BytesIO(PDF), "说明.pdf")}, content_type="multipart/form-data")
    assert answer.status_code == 422
    other = re.search(r'<tr class="checklist-row[^"]*" data-row="other".*?</tr>', answer.text, re.DOTALL)
    assert other and re.search(r'<p class="upload-error" role="alert">未能上传：material name must be 1 to 200 '
                               r'characters</p>', other.group(0))


# ---- a body that is not JSON ----------------------------------------------------------------------------

def _post_body(api: ApiClient, body: str | bytes) -> Any:
    integrator = api.as_("integrator")
    return integrator.client.post("/api/messages", data=body, headers=integrator.headers(),
                                  content_type="application/json")


def test_malformed_json_is_a_400_saying_where_with_the_code_of_the_other_body_refusals(api: ApiClient) -> None:
    error = _refusal(_post_body(api, '{"name": "paid",\n "correlation": }'), 400, "invalid_request")
    assert error["message"] == "the request body is not valid JSON: Expecting value: line 2 column 17"
    assert error["details"] == [{"line": 2, "column": 17, "message": "Expecting value"}]
    cut = _refusal(_post_body(api, '{"name": "pa'), 400, "invalid_request")
    assert cut["details"] == [{"line": 1, "column": 10, "message": "Unterminated string starting at"}]
    deep = _refusal(_post_body(api, "[" * 100_000), 400, "invalid_request")
    assert deep["message"] == "the JSON body is nested too deeply"


def test_a_body_not_in_utf8_says_where_its_first_bad_byte_is(api: ApiClient) -> None:
    error = _refusal(_post_body(api, '{"name": "付款",\n "x": "'.encode() + b"\xff\"}"), 400, "invalid_request")
    assert error["details"] == [{"line": 2, "column": 8, "message": "not UTF-8 text (invalid start byte)"}]


# ---- govflow deploy --------------------------------------------------------------------------------------

def test_deploy_names_each_file_by_the_path_given_and_a_broken_form_by_its_line_and_column(
        runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = tmp_path / "library" / "forms"
    library.mkdir(parents=True)
    (library / "broken.form").write_text('{"components": [{"key": "a", "label": "unfinished\n')
    (library / "malformed.bpmn").write_bytes((FIXTURES / "invalid" / "malformed.bpmn").read_bytes())
    monkeypatch.chdir(tmp_path)
    env = {"DATABASE_URL": runtime.settings.database_url, "GOVFLOW_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(main, ["deploy", "library"], env=env, catch_exceptions=False)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert "library/forms/broken.form:1: malformed JSON: Invalid control character at: line 1 column 50" in lines
    assert any(line.startswith("library/forms/malformed.bpmn:6: malformed XML:") for line in lines), lines
    linted = CliRunner().invoke(main, ["lint", "library"])
    assert "library/forms/broken.form:1: malformed JSON: Invalid control character at: line 1 column 50 (error)" \
        in linted.stdout.splitlines()


# ---- the audit log page ----------------------------------------------------------------------------------

@pytest.fixture
def supervisor(app: Any, runtime: Runtime) -> Browser:
    browser = Browser(app.test_client())
    person(runtime, "zhou", roles=["supervisor"])
    assert browser.log_in("zhou").status_code == 302
    return browser


def test_a_bad_date_is_said_beside_its_field_on_the_log_page(supervisor: Browser) -> None:
    page = supervisor.get("/supervision/audit?from=2026-13-45&by=li")
    assert page.status_code == 400
    assert '<form class="filters"' in page.text and 'name="by" value="li"' in page.text  # the filters, as typed
    assert re.search(r'name="from" value="2026-13-45" aria-invalid="true" aria-describedby="audit-from-error">'
                     r'<span class="field-error" id="audit-from-error" data-field="from">'
                     r'日期格式应为 YYYY-MM-DD：2026-13-45</span>', page.text)
    assert 'id="audit-to-error"' not in page.text and "请更正标出的筛选条件后再筛选。" in page.text
    assert "共 0 条" not in page.text  # nothing was looked up
    late = supervisor.get("/supervision/audit?to=9999-12-31")
    assert late.status_code == 400 and 'data-field="to">日期格式应为 YYYY-MM-DD：9999-12-31<' in late.text
    for other_form in ("20261124", "2026-W47-1"):  # dates Python reads, but not as the field asks
        page = supervisor.get(f"/supervision/audit?from={other_form}")
        assert page.status_code == 400 and f'data-field="from">日期格式应为 YYYY-MM-DD：{other_form}<' in page.text


def test_an_unknown_action_or_kind_is_said_beside_its_field(supervisor: Browser) -> None:
    action = supervisor.get("/supervision/audit?action=user.deleted")
    assert action.status_code == 400
    assert 'data-field="action">没有这种操作类型：user.deleted</span>' in action.text
    kind = supervisor.get("/supervision/audit?kind=planet", headers={"Accept-Language": "en"})
    assert kind.status_code == 400 and 'data-field="kind">No such kind of target: planet</span>' in kind.text
