"""Camunda's candidate starters (``camunda:candidateStarterGroups`` / ``candidateStarterUsers`` on a process,
and ``camunda:potentialStarter``): only those groups and users, and admins, start a case by naming the process,
through the API or the intake page; a message start event stays the integrations' way in."""
from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.models import ProcessInstance
from tests.helpers import FIXTURES, ApiClient
from tests.service_items import guide

STARTERS = FIXTURES / "camunda_starters"
RESTRICTED = (STARTERS / "restricted_item.bpmn").read_text(encoding="utf-8")


def upload(api: ApiClient, *files: tuple[str, str | bytes]) -> Any:
    analyst = api.as_("analyst")
    data = [(io.BytesIO(c.encode() if isinstance(c, str) else c), n) for n, c in files]
    return analyst.client.post("/api/deployments", data={"files": data}, headers=analyst.headers(),
                               content_type="multipart/form-data")


def start_as(api: ApiClient, user: str, key: str, **body: Any) -> Any:
    return api.as_(user).post(f"/api/process-definitions/{key}/start", json=body)


def case_count(api: ApiClient) -> int:
    with api.runtime.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(ProcessInstance)) or 0


@pytest.mark.parametrize("user", ["window_clerk", "office_clerk", "admin"])
def test_a_member_of_a_starter_group_a_starter_user_and_an_admin_start_a_case(api, user):
    api.deploy(STARTERS / "restricted_item.bpmn")
    started = start_as(api, user, "restricted_item")
    assert started.status_code == 201, started.get_json()
    assert [t["bpmn_id"] for t in started.get_json()["tasks"]] == ["review"]


@pytest.mark.parametrize("user", ["integrator", "zwfw_clerk"])
def test_anyone_else_who_starts_cases_is_refused_and_nothing_starts(api, user):
    """Silently, any integrator or clerk started the process its diagram gave to the window alone."""
    api.deploy(STARTERS / "restricted_item.bpmn")
    refused = start_as(api, user, "restricted_item")
    assert refused.status_code == 403
    assert refused.get_json()["error"]["message"] == (
        f"{user} may not start a case of 'restricted_item': its diagram (version 1) lets only group window, user office_clerk "
        "start it (camunda:candidateStarterGroups / candidateStarterUsers)")
    assert case_count(api) == 0


def test_a_retried_start_by_someone_else_does_not_get_the_case_a_starter_opened(api):
    api.deploy(STARTERS / "restricted_item.bpmn")
    assert start_as(api, "window_clerk", "restricted_item", business_key="STARTERS-1").status_code == 201
    assert start_as(api, "integrator", "restricted_item", business_key="STARTERS-1").status_code == 403


def test_naming_an_older_version_does_not_get_round_the_starters_the_process_names_now(api):
    open_to_all = RESTRICTED.replace(' camunda:candidateStarterGroups="window" camunda:candidateStarterUsers='
                                     '"office_clerk"', "")
    assert upload(api, ("restricted_item.bpmn", open_to_all)).status_code == 201
    api.deploy(STARTERS / "restricted_item.bpmn")
    assert start_as(api, "integrator", "restricted_item").status_code == 403
    refused = start_as(api, "integrator", "restricted_item", version=1)
    assert refused.status_code == 403 and "version 2" in refused.get_json()["error"]["message"]
    assert start_as(api, "window_clerk", "restricted_item", version=1).status_code == 201
    assert start_as(api, "admin", "restricted_item", version=1).status_code == 201


def test_potential_starter_names_groups_and_users_by_kind(api):
    api.deploy(STARTERS / "potential_starter.bpmn")
    assert start_as(api, "office_clerk", "potential_starter").status_code == 201
    assert start_as(api, "window_clerk2", "potential_starter").status_code == 201
    assert start_as(api, "window_clerk", "potential_starter").status_code == 403


def test_a_message_start_event_still_lets_an_integration_start_the_case(api):
    """The message start event is how the diagram lets another system start it: the integrator's message
    starts a case that the integrator may not start by naming the process."""
    api.deploy(STARTERS / "message_started.bpmn")
    sent = api.as_("integrator").post("/api/messages", json={"name": "starters_application_received",
                                                             "business_key": "NET-1"})
    assert sent.status_code == 200, sent.get_json()
    [case] = sent.get_json()["process_instances"]
    assert (case["definition_key"], case["business_key"]) == ("message_started", "NET-1")
    assert start_as(api, "integrator", "message_started").status_code == 403


@pytest.mark.parametrize(("attribute", "message"), [
    ('camunda:candidateStarterGroups="${starterGroup}"',
     ("camunda:candidateStarterGroups '${starterGroup}' is an expression, but no variables exist before a case "
      "starts; name the groups")),
    ('camunda:candidateStarterGroups="window" camunda:candidateStarterUsers="alice, bob smith"',
     "camunda:candidateStarterUsers: 'bob smith' is no user name"),
    ('camunda:candidateStarterGroups="window;office"', "camunda:candidateStarterGroups: 'window;office' is no group name"),
])
def test_starters_no_one_could_be_are_refused_at_deploy_naming_the_process(api, attribute, message):
    diagram = RESTRICTED.replace('camunda:candidateStarterGroups="window" camunda:candidateStarterUsers="office_clerk"',
                                 attribute)
    response = upload(api, ("restricted_item.bpmn", diagram))
    assert response.status_code == 422
    [problem] = response.get_json()["error"]["details"]
    assert (problem["file"], problem["line"], problem["element"]) == ("restricted_item.bpmn", 3, "restricted_item")
    assert problem["message"].startswith(message)


def test_a_potential_starter_without_an_expression_is_refused_at_its_line(api):
    diagram = (STARTERS / "potential_starter.bpmn").read_text(encoding="utf-8")
    diagram = re.sub(r"<bpmn:resourceAssignmentExpression>.*?</bpmn:resourceAssignmentExpression>", "", diagram,
                     flags=re.DOTALL)
    response = upload(api, ("potential_starter.bpmn", diagram))
    assert response.status_code == 422
    [problem] = response.get_json()["error"]["details"]
    assert (problem["line"], problem["element"]) == (5, "potential_starter")
    assert problem["message"] == "camunda:potentialStarter names nobody (no formalExpression)"


# ---- the intake page -----------------------------------------------------------------------------------

class Browser:
    """A page client logged in with a user's API token."""

    def __init__(self, api: ApiClient, name: str) -> None:
        self.client = api.client.application.test_client()
        login = self.client.post("/login", data={"name": name, "secret": api.token(name),
                                                 "csrf_token": self.csrf("/login")})
        assert login.status_code == 302, login.text

    def csrf(self, url: str) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.client.get(url).text)
        assert found, f"no CSRF token on {url}"
        return found.group(1)

    def receive(self, code: str, **fields: str) -> Any:
        """Open the item's intake form and send it filled in."""
        page = self.client.get(f"/work/intake/{code}").text
        generated = re.search(r'name="generated" value="([^"]+)"', page)
        assert generated, page
        return self.client.post(f"/work/intake/{code}", data={
            "csrf_token": self.csrf("/work/intake"), "generated": generated.group(1), **fields})


def test_the_intake_page_starts_the_item_for_its_starters_only(api):
    content = {**guide("window-acceptance"), "code": "STARTERS-0001", "name": "窗口受理事项",
               "process": "restricted_item"}
    deployed = upload(api, ("restricted_item.bpmn", RESTRICTED),
                      ("STARTERS-0001/guide.json", json.dumps(content, ensure_ascii=False)))
    assert deployed.status_code == 201, deployed.get_json()
    outsider = Browser(api, "zwfw_clerk")  # offered neither the item nor its form, as the engine would refuse
    assert "STARTERS-0001" not in outsider.client.get("/work/intake").text
    assert outsider.client.get("/work/intake/STARTERS-0001").status_code == 404
    assert outsider.client.post("/work/intake/STARTERS-0001", data={
        "csrf_token": outsider.csrf("/work/intake"), "applicant_name": "张三"}).status_code == 404
    assert case_count(api) == 0
    assert "STARTERS-0001" in Browser(api, "window_clerk").client.get("/work/intake").text
    received = Browser(api, "window_clerk").receive("STARTERS-0001", applicant_name="张三")
    assert received.status_code == 200, received.text
    assert case_count(api) == 1
