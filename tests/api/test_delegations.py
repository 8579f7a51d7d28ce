"""Entrusted acceptance (委托受理, DOMAIN rule 14): a township service centre accepts a county department's item
at its own window under an entrustment; the case's acceptance step goes to that window, the review after it to
the principal's sections; an entrustment not valid, or revoked, refuses the start."""
from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from engine import delegations, users
from engine.models import HistoryEvent, ProcessInstance
from tests.helpers import ApiClient, complete_open_task, open_task
from tests.service_items import deploy_item, documents, send_message, supply_materials

CODE, KEY = "WJW-XK-0005", "public_venue_hygiene_licence"
OTHER, OTHER_KEY = "SCJG-XK-0001", "food_business_licence"  # another department's item


def put(api: ApiClient, code: str, name: str, *groups: str) -> None:
    response = api.client.put(f"/api/departments/{code}", json={"name": name, "groups": list(groups)},
                              headers=api.headers())
    assert response.status_code in (200, 201), response.get_json()


def clerk(api: ApiClient, name: str, *groups: str) -> ApiClient:
    _, api.tokens[name] = users.add_user(api.runtime.uow(), name, groups=list(groups), roles=["clerk"],
                                         actor=users.SYSTEM)
    return api.as_(name)


@pytest.fixture
def county(api: ApiClient) -> ApiClient:
    """政务服务中心's window accepts the health commission's item; a township centre and another stand by."""
    deploy_item(api, CODE)
    put(api, "ZWFW", "市政务服务管理局", "window")
    put(api, "WJW", "市卫生健康委员会", "hygiene_approval", "hygiene_supervision")
    put(api, "XZ-001", "某镇便民服务中心", "township_window")
    put(api, "XZ-002", "另一镇便民服务中心", "other_window")
    clerk(api, "township_clerk", "township_window")
    clerk(api, "other_clerk", "other_window")
    return api


def entrust(api: ApiClient, expect: int = 201, **body: Any) -> Any:
    wanted = {"principal_code": "WJW", "agent_code": "XZ-001", "items": [CODE], "basis": "卫健委托〔2026〕3号",
              "valid_from": delegations.today().isoformat(), **body}
    response = api.post("/api/delegations", json=wanted)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def start_at_township(api: ApiClient, business_key: str, expect: int = 201) -> Any:
    response = api.as_("township_clerk").post(f"/api/process-definitions/{KEY}/start", json={
        "business_key": business_key, "variables": {"applicant_name": "某镇某宾馆", "venue_name": "某宾馆"}})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def to_acceptance(api: ApiClient, case_id: int, business_key: str) -> None:
    supply_materials(api, case_id, CODE)
    send_message(api, "credit_checked", business_key, credit_status="good")


def test_admins_record_and_revoke_entrustments_supervisors_read_them(county: ApiClient) -> None:
    made = entrust(county, valid_until=(delegations.today() + timedelta(days=365)).isoformat())
    assert (made["principal_name"], made["agent_name"], made["state"], made["items"]) == (
        "市卫生健康委员会", "某镇便民服务中心", "active", [CODE])
    assert county.as_("supervisor").get(f"/api/delegations/{made['id']}").get_json()["basis"] == "卫健委托〔2026〕3号"
    assert county.as_("township_clerk").get("/api/delegations").status_code == 403
    assert county.as_("supervisor").post(f"/api/delegations/{made['id']}/revoke",
                                         json={"reason": "x"}).status_code == 403
    revoked = county.post(f"/api/delegations/{made['id']}/revoke", json={"reason": "乡镇机构调整"})
    assert revoked.status_code == 200 and revoked.get_json()["state"] == "revoked"
    assert county.post(f"/api/delegations/{made['id']}/revoke", json={"reason": "again"}).status_code == 409
    listed = county.as_("supervisor").get("/api/delegations?department=XZ-001").get_json()
    assert [(d["id"], d["state"], d["revoke_reason"]) for d in listed] == [(made["id"], "revoked", "乡镇机构调整")]
    log = county.get("/api/audit?target_kind=delegation").get_json()
    assert {e["action"] for e in log["items"]} == {"delegation.added", "delegation.revoked"}
    assert county.get("/api/delegations/999999").status_code == 404


def test_an_entrustment_names_departments_set_up_and_ends_after_it_begins(county: ApiClient) -> None:
    bad = entrust(county, 422, agent_code="NOPE")["error"]["details"]
    assert [d["field"] for d in bad] == ["agent_code"]
    assert entrust(county, 422, agent_code="WJW")["error"]["details"][0]["field"] == "agent_code"
    early = (delegations.today() - timedelta(days=1)).isoformat()
    assert entrust(county, 422, valid_until=early)["error"]["details"][0]["field"] == "valid_until"
    assert entrust(county.as_("supervisor"), 403)["error"]["code"] == "forbidden"


def test_the_township_window_accepts_and_the_principal_reviews(county: ApiClient) -> None:
    made = entrust(county)
    started = start_at_township(county, "XZ-2026-0001")
    case_id = started["id"]
    to_acceptance(county, case_id, "XZ-2026-0001")
    accept = open_task(county, case_id, "accept_commitment")
    assert accept["candidate_groups"] == ["township_window"]  # not the diagram's window
    assert county.as_("window_clerk").post(f"/api/tasks/{accept['id']}/claim", json={}).status_code in (403, 404)
    complete_open_task(county, case_id, "accept_commitment", user="township_clerk", commitment_signed=True,
                       acceptance_decision="accept")
    approve = open_task(county, case_id, "approve")
    assert approve["candidate_groups"] == ["hygiene_approval"]  # the principal's back office, as drawn
    notice = documents(county, case_id)["acceptance_notice"]
    assert "<th>受理机构</th><td>某镇便民服务中心（受市卫生健康委员会委托）</td>" in notice
    departments = county.as_("supervisor").get(f"/api/process-instances/{case_id}/departments").get_json()
    assert {(d["department_code"], d["role"]) for d in departments} >= {("WJW", "lead"), ("XZ-001", "participant")}
    assert county.as_("township_clerk").get(f"/api/process-instances/{case_id}").status_code == 200
    assert county.as_("other_clerk").get(f"/api/process-instances/{case_id}").status_code == 404
    with county.runtime.uow() as uow:
        [entry] = uow.session.scalars(select(HistoryEvent).where(
            HistoryEvent.instance_id == case_id, HistoryEvent.event == delegations.ACCEPTED_ON_BEHALF)).all()
        assert entry.data["delegation_id"] == made["id"] and entry.data["agent_name"] == "某镇便民服务中心"
        on_behalf = delegations.case_on_behalf(county.runtime.uow(), case_id)
    assert on_behalf is not None and on_behalf.agent_code == "XZ-001" and on_behalf.principal_code == "WJW"


def test_a_message_buffered_before_the_start_brings_acceptance_to_the_township_window(county: ApiClient) -> None:
    entrust(county)
    buffered = county.as_("integrator").post("/api/messages", json={
        "name": "credit_checked", "business_key": "XZ-2026-0030", "variables": {"credit_status": "good"},
        "buffer_seconds": 60})
    assert buffered.status_code == 202, buffered.get_json()
    case_id = start_at_township(county, "XZ-2026-0030")["id"]  # takes it: the case is saved twice in its start
    assert open_task(county, case_id, "accept_commitment")["candidate_groups"] == ["township_window"]
    supply_materials(county, case_id, CODE)
    complete_open_task(county, case_id, "accept_commitment", user="township_clerk", commitment_signed=True,
                       acceptance_decision="accept")
    assert "<th>受理机构</th><td>某镇便民服务中心（受市卫生健康委员会委托）</td>" in documents(county, case_id)["acceptance_notice"]


def test_the_principals_own_window_starts_as_the_diagram_says(county: ApiClient) -> None:
    from tests.api.test_pages_intake import Browser

    entrust(county)
    with statements_reading(county, "case_delegations") as read:
        case_id = county.as_("window_clerk").post(f"/api/process-definitions/{KEY}/start", json={
            "business_key": "ZW-0001", "variables": {"applicant_name": "某宾馆"}}).get_json()["id"]
        to_acceptance(county, case_id, "ZW-0001")
        assert open_task(county, case_id, "accept_commitment")["candidate_groups"] == ["window"]
        complete_open_task(county, case_id, "accept_commitment", user="window_clerk", commitment_signed=True,
                           acceptance_decision="accept")
        assert Browser(county, "window_clerk").get(f"/cases/{case_id}").status_code == 200
    assert read == []  # an ordinary case's steps and pages ask its row, not the entrustments
    assert delegations.case_on_behalf(county.runtime.uow(), case_id) is None
    assert "受理机构" not in documents(county, case_id)["acceptance_notice"]


@contextmanager
def statements_reading(api: ApiClient, table: str) -> Iterator[list[str]]:
    """The SQL statements run meanwhile that name ``table``."""
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if table in statement:
            seen.append(statement)

    event.listen(api.runtime.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(api.runtime.engine, "before_cursor_execute", before)


@pytest.mark.parametrize("state", ["revoked", "expired", "not_yet_valid"])
def test_an_entrustment_not_valid_today_refuses_the_start_naming_its_state(county: ApiClient, state: str) -> None:
    today = delegations.today()
    if state == "expired":
        made = entrust(county, valid_from=(today - timedelta(days=30)).isoformat(),
                       valid_until=(today - timedelta(days=1)).isoformat())
    elif state == "not_yet_valid":
        made = entrust(county, valid_from=(today + timedelta(days=1)).isoformat())
    else:
        made = entrust(county)
        county.post(f"/api/delegations/{made['id']}/revoke", json={"reason": "撤销"})
    refused = start_at_township(county, "XZ-2026-0002", expect=403)["error"]
    assert f"entrustment {made['id']}" in refused["message"]
    assert delegations.STATE_WORDS[state] in refused["message"]


def test_an_entrustment_takes_only_items_the_principal_implements(county: ApiClient) -> None:
    deploy_item(county, OTHER)  # the market regulator's item
    put(county, "SCJG", "市市场监督管理局", "food_review")
    refused = entrust(county, 422, items=[CODE, OTHER, "NOPE-123"])["error"]["details"]
    assert [(d["field"], d["item"]) for d in refused] == [("items.1", OTHER), ("items.2", "NOPE-123")]
    assert OTHER in refused[0]["message"] and "NOPE-123" in refused[1]["message"]
    assert entrust(county, items=[KEY])["items"] == [KEY]  # by process key
    assert entrust(county, 422, principal_code="SCJG", items=[CODE])["error"]["details"][0]["field"] == "items.0"


def test_an_agent_window_starts_no_item_its_entrustments_do_not_cover(county: ApiClient) -> None:
    deploy_item(county, OTHER)
    put(county, "SCJG", "市市场监督管理局", "food_review")
    entrust(county)
    refused = county.as_("township_clerk").post(f"/api/process-definitions/{OTHER_KEY}/start", json={
        "business_key": "XZ-2026-0003", "variables": {"applicant_name": "某镇某超市"}})
    assert refused.status_code == 403, refused.get_json()
    assert refused.get_json()["error"]["reason"] == "not_entrusted"
    assert "none covers this one" in refused.get_json()["error"]["message"]
    # A window whose department is no agent starts it as the diagram lets it (it names no starters).
    other = county.as_("other_clerk").post(f"/api/process-definitions/{KEY}/start", json={
        "business_key": "XZ-2026-0004", "variables": {"applicant_name": "某宾馆", "venue_name": "某宾馆"}})
    assert other.status_code == 201, other.get_json()


# ---- the intake page (收件) at the township window --------------------------------------------------

def test_the_township_window_offers_the_entrusted_item_and_receives_it(county: ApiClient) -> None:
    from tests.api.test_pages_intake import Browser, receive

    made = entrust(county)
    township = Browser(county, "township_clerk")
    listed = township.get("/work/intake").text
    assert f'data-code="{CODE}"' in listed and "受市卫生健康委员会委托" in listed
    received = receive(township, CODE, applicant_name="某镇某宾馆")
    assert received.status_code == 200, received.text
    with county.runtime.uow() as uow:
        from engine.models import CaseDelegation

        [row] = uow.session.scalars(select(CaseDelegation)).all()
        assert (row.delegation_id, row.agent_code, row.groups, row.started_by) == (
            made["id"], "XZ-001", ["township_window"], "township_clerk")
    assert "受市卫生健康委员会委托" not in Browser(county, "other_clerk").get("/work/intake").text


def test_the_township_window_is_told_the_entrustment_has_expired(county: ApiClient) -> None:
    from tests.api.test_pages_intake import Browser

    today = delegations.today()
    made = entrust(county, valid_from=(today - timedelta(days=30)).isoformat(),
                   valid_until=(today - timedelta(days=1)).isoformat())
    township = Browser(county, "township_clerk")
    assert 'data-entrustment="expired"' in township.get("/work/intake").text
    refused = township.post(f"/work/intake/{CODE}", {"applicant_name": "某镇某宾馆"})
    assert refused.status_code == 403
    assert f"委托（编号 {made['id']}）已过期" in refused.text


def test_the_township_window_lists_its_entrusted_items_with_their_state_and_nothing_else(county: ApiClient) -> None:
    from tests.api.test_pages_intake import Browser

    deploy_item(county, OTHER)
    put(county, "SCJG", "市市场监督管理局", "food_review")
    today = delegations.today()
    made = entrust(county, valid_from=(today - timedelta(days=30)).isoformat(),
                   valid_until=(today - timedelta(days=1)).isoformat())
    township = Browser(county, "township_clerk")
    listed = township.get("/work/intake").text
    assert f'data-code="{OTHER}"' not in listed  # no entrustment covers it
    row = re.search(rf'<tr class="intake-item[^"]*" data-code="{CODE}".*?</tr>', listed, re.DOTALL)
    assert row is not None and 'data-entrustment="expired"' in row.group(0) and "已过期" in row.group(0)
    assert "start-intake" not in row.group(0) and f"/work/intake/{CODE}" not in row.group(0)
    # Told before filling in the form, not after.
    early = township.get(f"/work/intake/{CODE}")
    assert early.status_code == 403 and f"委托（编号 {made['id']}）已过期" in early.text
    assert 'class="intake-form' not in early.text
    refused = township.get(f"/work/intake/{OTHER}")
    assert refused.status_code == 403 and "本窗口未受委托受理此事项" in refused.text
    assert township.post(f"/work/intake/{CODE}", {"applicant_name": "某镇某宾馆"}).status_code == 403
    # A valid one is listed as such; the principal's own window lists every item as before.
    entrust(county)
    row = re.search(rf'<tr class="intake-item[^"]*" data-code="{CODE}".*?</tr>', township.get("/work/intake").text,
                    re.DOTALL)
    assert row is not None and 'data-entrustment="active"' in row.group(0) and "start-intake" in row.group(0)
    own = Browser(county, "window_clerk").get("/work/intake").text
    assert f'data-code="{CODE}"' in own and f'data-code="{OTHER}"' in own and "data-entrustment" not in own


def test_the_receipt_names_the_township_window_as_receiving_on_behalf(county: ApiClient) -> None:
    from tests.api.test_pages_intake import Browser, receive

    entrust(county)
    received = receive(Browser(county, "township_clerk"), CODE, applicant_name="某镇某宾馆")
    assert received.status_code == 200, received.text
    office = re.search(r'<p class="receipt-office">(.*?)</p>', received.text, re.DOTALL)
    assert office is not None and "某镇便民服务中心（受市卫生健康委员会委托）" in office.group(1)
    assert "市卫生健康委员会" not in office.group(1).split("受")[0]


def test_the_result_is_delivered_at_the_township_window(county: ApiClient) -> None:
    entrust(county)
    case_id = start_at_township(county, "XZ-2026-0020")["id"]
    to_acceptance(county, case_id, "XZ-2026-0020")
    complete_open_task(county, case_id, "accept_commitment", user="township_clerk", commitment_signed=True,
                       acceptance_decision="accept")
    complete_open_task(county, case_id, "approve", user="hygiene_clerk", licence_no="豫卫公证字〔2026〕第000124号",
                       licence_valid_until="2030-12-31")
    deliver = open_task(county, case_id, "deliver")
    assert deliver["candidate_groups"] == ["township_window"]  # drawn for the window, as acceptance is
    after = complete_open_task(county, case_id, "deliver", user="township_clerk", delivery_method="window")
    assert after["tasks"] == []


def test_revoking_gives_the_waiting_acceptance_back_to_the_principals_window(county: ApiClient) -> None:
    from tests.api.test_pages_intake import Browser

    made = entrust(county)
    case_id = start_at_township(county, "XZ-2026-0030")["id"]
    to_acceptance(county, case_id, "XZ-2026-0030")
    accept = open_task(county, case_id, "accept_commitment")
    assert county.as_("township_clerk").post(f"/api/tasks/{accept['id']}/claim", json={}).status_code == 200
    admin = Browser(county, "admin")
    page = admin.get("/admin/delegations").text
    assert "尚在受理环节的办件即退回市卫生健康委员会的窗口受理" in page  # asked before revoking
    admin.client.post(f"/admin/delegations/{made['id']}/revoke", data={
        "csrf_token": admin.csrf("/admin/delegations"), "reason": "乡镇机构调整"})
    assert "1 个待受理的办件已退回市卫生健康委员会的窗口受理" in admin.get("/admin/delegations").text
    accept = open_task(county, case_id, "accept_commitment")
    assert (accept["candidate_groups"], accept["assignee"]) == (["window"], None)
    assert county.as_("township_clerk").post(f"/api/tasks/{accept['id']}/complete", json={
        "variables": {"commitment_signed": True, "acceptance_decision": "accept"}}).status_code in (403, 404, 409)
    complete_open_task(county, case_id, "accept_commitment", user="window_clerk", commitment_signed=True,
                       acceptance_decision="accept")
    with county.runtime.uow() as uow:
        [entry] = uow.session.scalars(select(HistoryEvent).where(
            HistoryEvent.instance_id == case_id, HistoryEvent.event == delegations.ACCEPTANCE_RETURNED)).all()
        assert entry.data["from_groups"] == ["township_window"] and entry.data["candidate_groups"] == ["window"]
        assert entry.data["previous_assignee"] == "township_clerk" and entry.actor == "admin"
    timeline = Browser(county, "window_clerk").get(f"/cases/{case_id}").text
    assert f"委托（编号 {made['id']}）已撤销，受理环节退回实施部门" in timeline and "乡镇机构调整" in timeline


# ---- what people see: the case page, its history; the admin page; the command line; the migration -------

def test_the_case_page_names_the_accepting_agent_and_its_history_the_entrustment(county: ApiClient) -> None:
    from tests.api.test_pages_intake import Browser

    made = entrust(county)
    case_id = start_at_township(county, "XZ-2026-0009")["id"]
    page = Browser(county, "township_clerk").get(f"/cases/{case_id}").text
    assert "受理机构" in page and "某镇便民服务中心（受市卫生健康委员会委托）" in page
    assert "某镇便民服务中心受市卫生健康委员会委托代为受理" in page and f"委托编号 {made['id']}" in page


def test_admins_manage_entrustments_on_their_page(county: ApiClient) -> None:
    from tests.api.test_pages_intake import Browser

    admin = Browser(county, "admin")
    assert "/admin/delegations" in admin.get("/cases").text
    added = admin.client.post("/admin/delegations", data={
        "csrf_token": admin.csrf("/admin/delegations"), "principal_code": "WJW", "agent_code": "XZ-001",
        "items": f"{CODE}", "basis": "委托书第1号", "valid_from": "", "valid_until": ""})
    assert added.status_code == 303
    page = admin.get("/admin/delegations").text
    assert "委托书第1号" in page and 'data-state="active"' in page
    [made] = delegations.list_delegations(county.runtime.uow(), actor=users.SYSTEM)
    refused = admin.client.post("/admin/delegations", data={
        "csrf_token": admin.csrf("/admin/delegations"), "principal_code": "WJW", "agent_code": "WJW", "basis": "x",
        "items": f"{CODE} NOPE-123", "valid_from": "2026-05-02", "valid_until": "2026-05-01"})
    assert refused.status_code == 422
    said = {field: problem(refused.text, field) for field in ("agent_code", "items", "valid_until")}
    assert said == {"agent_code": "委托机关与受托受理机构不能是同一部门。",
                    "items": "NOPE-123 不是委托机关的事项（其最新办事指南未写明由委托机关实施）。",
                    "valid_until": "截止日期不能早于生效日期。"}
    assert "entrust" not in refused.text and "begins" not in refused.text
    admin.client.post(f"/admin/delegations/{made.id}/revoke", data={
        "csrf_token": admin.csrf("/admin/delegations"), "reason": "机构调整"})
    assert 'data-state="revoked"' in admin.get("/admin/delegations").text
    assert Browser(county, "supervisor").get("/admin/delegations").status_code == 403


def problem(page: str, field: str) -> str:
    """What the admin page says beside a field of the entrustment form."""
    found = re.search(rf'<span class="field-error" id="delegation-{field}-error"[^>]*>(.*?)</span>', page)
    assert found is not None, f"nothing said beside {field}"
    return html.unescape(found.group(1))


def test_the_command_line_adds_lists_and_revokes(county: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from api.cli import main

    monkeypatch.setenv("DATABASE_URL", county.runtime.settings.database_url)
    runner = CliRunner()
    added = runner.invoke(main, ["delegation", "add", "--principal", "WJW", "--agent", "XZ-001", "--item", CODE,
                                 "--basis", "委托书第2号", "--until", "2099-12-31"])
    assert added.exit_code == 0, added.output
    again = runner.invoke(main, ["delegation", "add", "--if-missing", "--principal", "WJW", "--agent", "XZ-001",
                                 "--basis", "again"])
    assert again.exit_code == 0 and again.output == ""
    listed = runner.invoke(main, ["delegation", "list"]).output
    assert "WJW\tXZ-001\tWJW-XK-0005\tactive" in listed
    ident = listed.split("\t")[0]
    assert runner.invoke(main, ["delegation", "revoke", ident, "--reason", "到期"]).exit_code == 0
    assert "\trevoked\t" in runner.invoke(main, ["delegation", "list"]).output
    bad = runner.invoke(main, ["delegation", "add", "--principal", "WJW", "--agent", "NOPE", "--basis", "x"])
    assert bad.exit_code == 1 and "agent_code" in bad.output


def test_the_migration_goes_down_and_up_again(runtime) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import inspect

    from tests.helpers import migrate

    migrate(runtime, "0033")
    migrate(runtime, "0032", down=True)
    assert {"acceptance_delegations", "case_delegations"}.isdisjoint(inspect(runtime.engine).get_table_names())
    migrate(runtime, "head")
    assert {"acceptance_delegations", "case_delegations"} <= set(inspect(runtime.engine).get_table_names())


def test_upgrading_to_0035_marks_the_cases_accepted_on_behalf(county: ApiClient) -> None:
    from tests.helpers import migrate

    entrust(county)
    entrusted = start_at_township(county, "XZ-2026-0020")["id"]
    own = county.as_("window_clerk").post(f"/api/process-definitions/{KEY}/start", json={
        "business_key": "ZW-2026-0021", "variables": {"applicant_name": "某宾馆"}}).get_json()["id"]
    migrate(county.runtime, "0034", down=True)
    migrate(county.runtime, "head")
    with county.runtime.uow() as uow:
        marked = dict(uow.session.execute(select(ProcessInstance.id, ProcessInstance.accepted_on_behalf)).all())
    assert marked == {entrusted: True, own: False}
    assert delegations.case_on_behalf(county.runtime.uow(), entrusted) is not None


def test_the_applicant_reads_which_body_accepted_the_case_and_for_whom(county: ApiClient) -> None:
    from tests.api.test_pages import Browser as PublicBrowser
    from tests.api.test_pages_public import lookup

    entrust(county)
    case = start_at_township(county, "XZ-2026-0010")
    shown = county.client.get(f"/api/public/progress/{case['business_key']}",
                              query_string={"code": case["query_code"]}).get_json()
    assert shown["accepted_by"] == {"agent_name": "某镇便民服务中心", "principal_name": "市卫生健康委员会"}
    page = lookup(PublicBrowser(county.client.application.test_client()), case["business_key"], case["query_code"]).text
    assert '<dd class="accepted-on-behalf">某镇便民服务中心（受市卫生健康委员会委托）</dd>' in page
    own = county.as_("window_clerk").post(f"/api/process-definitions/{KEY}/start", json={
        "business_key": "WJ-2026-0011", "variables": {"applicant_name": "某宾馆", "venue_name": "某宾馆"}}).get_json()
    assert county.client.get(f"/api/public/progress/{own['business_key']}",
                             query_string={"code": own["query_code"]}).get_json()["accepted_by"] is None
