"""Who hands an applicant a new query code (查询码): the window that receives the case, the integrator that
started it and admins, never the back office, whose code would let staff rate (好差评) in the applicant's
place; after the end, while the case's rating is open, not a clerk whose work that rating judges."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine import query_codes
from engine.errors import Forbidden
from engine.models import HistoryEvent
from engine.users import Actor
from tests.api.test_pages_intake import Browser
from tests.applicants import WINDOW, add_clerk
from tests.helpers import ApiClient, complete_open_task

NUMBER = "SX-2026-000500"
# Two steps and no acceptance step (no 受理, no gateway to a clock start): the first user task receives it.
TWO_STEPS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_two_steps" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="two_steps" name="登记办理" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="register" />
    <bpmn:userTask id="register" name="登记" camunda:candidateGroups="window" />
    <bpmn:sequenceFlow id="f2" sourceRef="register" targetRef="handle" />
    <bpmn:userTask id="handle" name="办理" camunda:candidateGroups="office" />
    <bpmn:sequenceFlow id="f3" sourceRef="handle" targetRef="done" />
    <bpmn:endEvent id="done" name="办结" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def api(api: ApiClient) -> ApiClient:
    api.deploy(WINDOW)
    for name, group in (("reviewer", "review"), ("chief_rep", "chief"), ("certificate_clerk", "certificate")):
        add_clerk(api, name, group)
    return api


def start(api: ApiClient, number: str = NUMBER) -> dict[str, Any]:
    return dict(api.start("window_acceptance", business_key=number, variables={"applicant_name": "张三"}))


def to_review(api: ApiClient, case: dict[str, Any]) -> None:
    complete_open_task(api, case["id"], "accept", user="window_clerk", reader="admin", decision="accept")


def to_end(api: ApiClient, case: dict[str, Any]) -> None:
    """Accepted and delivered by window_clerk, reviewed by the back office's reviewer, decided, certified."""
    to_review(api, case)
    complete_open_task(api, case["id"], "review", user="reviewer", reader="admin", review_opinion="材料齐全")
    complete_open_task(api, case["id"], "decide", user="chief_rep", reader="admin", approved=True)
    complete_open_task(api, case["id"], "certify", user="certificate_clerk", reader="admin")
    complete_open_task(api, case["id"], "deliver", user="window_clerk", reader="admin", delivery_method="window")
    assert api.as_("admin").get(f"/api/process-instances/{case['id']}").get_json()["state"] == "completed"


def new_code(api: ApiClient, user: str, case: dict[str, Any]) -> Any:
    return api.as_(user).post(f"/api/process-instances/{case['id']}/query-code")


def rate(api: ApiClient, code: str, level: int = 1, number: str = NUMBER) -> Any:
    return api.client.post("/api/public/ratings", json={"case_no": number, "code": code, "level": level})


def reissued_by(api: ApiClient, case: dict[str, Any]) -> list[str]:
    with api.runtime.uow() as uow:
        return [e.actor for e in uow.session.query(HistoryEvent).filter_by(instance_id=case["id"])
                .order_by(HistoryEvent.id) if e.event == query_codes.REISSUED]


def test_a_back_office_reviewer_of_a_finished_case_cannot_take_the_applicants_code_and_rate(api: ApiClient) -> None:
    case = start(api)
    to_end(api, case)
    refused = new_code(api, "reviewer", case)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    message = refused.get_json()["error"]["message"]
    assert "at the window that receives the case" in message and "window" in message and "back office" in message
    for back_office in ("chief_rep", "certificate_clerk"):
        assert new_code(api, back_office, case).status_code == 403
    assert reissued_by(api, case) == []
    rated = rate(api, case["query_code"], 2)  # the applicant's own code still works, and rates
    assert rated.status_code == 201 and rated.get_json()["level_name"] == "满意"


def test_a_reviewer_working_the_case_is_refused_while_it_runs_too(api: ApiClient) -> None:
    case = start(api)
    to_review(api, case)
    assert api.as_("reviewer").get(f"/api/process-instances/{case['id']}").status_code == 200  # reads it
    assert new_code(api, "reviewer", case).status_code == 403  # the review is theirs to work, not the applicant
    assert reissued_by(api, case) == []


def test_the_window_that_receives_the_case_hands_out_codes_while_it_runs(api: ApiClient) -> None:
    case = start(api)
    before = new_code(api, "window_clerk2", case)  # of the acceptance step's group, before anyone worked it
    assert before.status_code == 201
    to_review(api, case)
    after = new_code(api, "window_clerk", case)  # who accepted it: the case runs, no rating is open
    assert after.status_code == 201
    assert rate(api, before.get_json()["query_code"]).status_code == 404  # replaced
    assert rate(api, after.get_json()["query_code"]).status_code == 409  # still running: nothing to rate yet
    assert reissued_by(api, case) == ["window_clerk2", "window_clerk"]


def test_after_the_end_a_clerk_whose_work_is_rated_is_refused_until_the_case_is_rated(api: ApiClient) -> None:
    case = start(api)
    to_end(api, case)
    own = new_code(api, "window_clerk", case)  # accepted and delivered it: the open rating judges their work
    assert own.status_code == 403 and "rating (好差评) is open" in own.get_json()["error"]["message"]
    colleague = new_code(api, "window_clerk2", case)  # the same window, who handled nothing of it
    assert colleague.status_code == 201
    assert rate(api, case["query_code"]).status_code == 404  # the lost code no longer opens it
    assert rate(api, colleague.get_json()["query_code"], 3).status_code == 201  # the applicant rates
    assert new_code(api, "window_clerk", case).status_code == 201  # rated: no rating left to take
    assert reissued_by(api, case) == ["window_clerk2", "window_clerk"]


def test_the_integrator_that_started_it_and_admins_hand_out_codes_after_the_end(api: ApiClient) -> None:
    case = start(api)
    to_end(api, case)
    by_integrator = new_code(api, "integrator", case)
    assert by_integrator.status_code == 201
    by_admin = new_code(api, "admin", case)
    assert by_admin.status_code == 201
    assert rate(api, by_integrator.get_json()["query_code"]).status_code == 404
    assert rate(api, by_admin.get_json()["query_code"]).status_code == 201
    assert new_code(api, "supervisor", case).status_code == 403  # reads everything, hands out nothing


def test_without_an_acceptance_step_the_first_user_task_receives_the_case(api: ApiClient, tmp_path: Path) -> None:
    diagram = tmp_path / "two_steps.bpmn"
    diagram.write_text(TWO_STEPS, encoding="utf-8")
    api.deploy(diagram)
    case = dict(api.start("two_steps", business_key="DJ-2026-0001"))
    complete_open_task(api, case["id"], "register", user="window_clerk", reader="admin")
    refused = new_code(api, "office_clerk", case)  # works the second step: the back office
    assert refused.status_code == 403 and "group window" in refused.get_json()["error"]["message"]
    assert new_code(api, "window_clerk2", case).status_code == 201  # of the first step's group
    assert new_code(api, "window_clerk", case).status_code == 201  # who registered it, the case still running


def test_the_page_s_command_refuses_the_back_office_and_the_check_answers_who_may(api: ApiClient) -> None:
    case = start(api)
    to_end(api, case)
    reviewer = Browser(api, "reviewer")
    page = reviewer.client.post(f"/cases/{case['id']}/query-code",
                                data={"confirm": "1", "csrf_token": reviewer.csrf(f"/cases/{case['id']}")})
    assert page.status_code == 403 and "receipt-code" not in page.text
    assert reissued_by(api, case) == []

    def may_issue(name: str, *groups: str, roles: tuple[str, ...] = ("clerk",)) -> bool:
        with api.runtime.uow() as uow:
            try:
                query_codes.require_issuer(uow, Actor(name, frozenset(groups), frozenset(roles)), case["id"])
            except Forbidden:
                return False
            return True

    assert not may_issue("reviewer", "review") and not may_issue("window_clerk", "window")
    assert may_issue("window_clerk2", "window") and may_issue("admin", roles=("admin",))
    assert may_issue("integrator", roles=("integrator",))


def test_the_case_page_offers_a_new_code_only_to_those_who_may_hand_it_out(api: ApiClient) -> None:
    """The form is offered where the command would take it: the window's colleague of a finished case, not the
    back office nor the clerk whose work the open rating judges."""
    case = start(api)
    to_end(api, case)
    form = 'class="inline new-query-code-form"'
    assert form not in Browser(api, "reviewer").get(f"/cases/{case['id']}").text
    assert form not in Browser(api, "window_clerk").get(f"/cases/{case['id']}").text
    assert form in Browser(api, "window_clerk2").get(f"/cases/{case['id']}").text


def test_where_each_contact_is_rated_its_clerk_hands_out_no_code_while_its_rating_is_open(
        api: ApiClient, tmp_path: Path) -> None:
    """The item's guide rates each service contact of a running case: the window clerk who just accepted it
    would rate their own acceptance with a new code; a colleague may hand it over, and once rated, they may."""
    import json

    from tests.api.test_ratings import PER_CONTACT_GUIDE

    guide = tmp_path / "guide.json"
    guide.write_text(json.dumps(PER_CONTACT_GUIDE, ensure_ascii=False))
    api.deploy(guide)
    case = start(api)
    to_review(api, case)  # window_clerk completed the acceptance: the contact open for rating
    refused = new_code(api, "window_clerk", case)
    assert refused.status_code == 403 and "rating" in refused.get_json()["error"]["message"]
    colleague = new_code(api, "window_clerk2", case)
    assert colleague.status_code == 201
    assert rate(api, colleague.get_json()["query_code"], level=2).status_code == 201
    assert new_code(api, "window_clerk", case).status_code == 201  # that contact is rated
