"""A one-thing bundle's guide against its diagrams, at deploy and in ``govflow lint``: the bundle's process
calls every member process its guide lists (refused otherwise, at the guide's line), and each member's
diagram sets the member's ``verdict`` (warned otherwise). A guide or diagram deployed alone is checked
against the latest deployed other, and the finding names the file of the deployment."""
from __future__ import annotations

import io
import json
from typing import Any

from engine import lint
from engine.guides import value_lines
from tests.helpers import FIXTURES, ApiClient, seed_national_calendar
from tests.service_items import deploy_item, item_files

ITEM = "SCJG-YJS-0001"
GUIDE = f"{ITEM}/guide.json"
BUNDLE = "restaurant_opening.bpmn"
FOOD = "restaurant_food_licence.bpmn"
FOOD_FORM = 'camunda:formKey="bundle-food-licence-review.form"'


def upload(api: ApiClient, files: list[tuple[str, bytes]]) -> tuple[int, list[dict[str, Any]]]:
    """Status and every problem (refused: errors and warnings; deployed: warnings)."""
    seed_national_calendar(api.runtime)
    analyst = api.as_("analyst")
    response = analyst.client.post("/api/deployments", data={"files": [(io.BytesIO(c), n) for n, c in files]},
                                   headers=analyst.headers(), content_type="multipart/form-data")
    body = response.get_json()
    return response.status_code, body["error"]["details"] if response.status_code == 422 else body["warnings"]


def item(**changed: bytes) -> list[tuple[str, bytes]]:
    return [(name, changed.get(name, content)) for name, content in item_files(ITEM)]


def library(name: str) -> bytes:
    return dict(item_files(ITEM))[name]


def edited(name: str, old: str, new: str) -> bytes:
    text = library(name).decode()
    assert old in text, old
    return text.replace(old, new).encode()


def guide_with(change: Any) -> bytes:
    data = json.loads(library(GUIDE))
    change(data)
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def line_of(content: bytes, path: str) -> int:
    return value_lines(content.decode())[path]


def about_members(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in problems if "members[" in p["message"] or "members[" in (p["element"] or "")]


def as_found(problem: dict[str, Any]) -> tuple[str, int | None, str | None, str, str]:
    return problem["file"], problem["line"], problem["element"], problem["message"], problem["severity"]


def linted(files: list[tuple[str, bytes]]) -> set[tuple[str, int | None, str | None, str, str]]:
    return {(p.file, p.line, p.element, p.message, p.severity) for p in lint.lint_files(files)}


def add_member(process: str) -> Any:
    def change(data: dict[str, Any]) -> None:
        data["members"].append({"process": process, "name": "简易审批", "verdict": "approval",
                                "department": {"code": "SCJG", "name": "市场监督管理局"}})
    return change


def test_the_library_s_bundle_deploys_and_lints_without_member_findings(api: ApiClient) -> None:
    assert about_members(deploy_item(api, ITEM)["warnings"]) == []
    assert not [p for p in linted(item_files(ITEM)) if "members[" in p[3]]


def test_a_member_the_bundle_does_not_call_is_refused_at_the_guide_s_line(api: ApiClient) -> None:
    api.deploy("simple_approval.bpmn")  # deployed: only the call is missing
    guide = guide_with(add_member("simple_approval"))
    status, problems = upload(api, item(**{GUIDE: guide}))
    assert status == 422
    [refused] = about_members(problems)
    assert as_found(refused) == (
        GUIDE, line_of(guide, "members[3].process"), "members[3].process",
        ("members[3].process 'simple_approval' (简易审批) is not called by the bundle's process 'restaurant_opening': "
         "no call activity there names it as calledElement, so the member never runs"), "error")
    # govflow lint refuses it in the same words, with the member's diagram among the files.
    files = item(**{GUIDE: guide}) + [("simple_approval.bpmn", (FIXTURES / "simple_approval.bpmn").read_bytes())]
    assert as_found(refused) in linted(files)


def test_a_misspelt_member_names_what_the_bundle_calls_instead(api: ApiClient) -> None:
    guide = library(GUIDE).replace(b'"process": "restaurant_signboard_permit"', b'"process": "restaurant_signboard"')
    status, problems = upload(api, item(**{GUIDE: guide}))
    assert status == 422
    messages = {p["message"] for p in problems if p["element"] == "members[2].process"}
    assert "member process 'restaurant_signboard' is neither in this deployment nor deployed before" in messages
    assert ("members[2].process 'restaurant_signboard' (户外招牌设置许可) is not called by the bundle's process "
            "'restaurant_opening': no call activity there names it as calledElement, so the member never runs (it "
            "calls 'restaurant_signboard_permit', which no member lists)") in messages


def test_a_guide_deployed_alone_is_checked_against_the_deployed_bundle(api: ApiClient) -> None:
    deploy_item(api, ITEM)
    api.deploy("simple_approval.bpmn")
    guide = guide_with(add_member("simple_approval"))
    status, problems = upload(api, [(GUIDE, guide)])
    assert status == 422
    assert [(p["file"], p["line"], p["element"], p["severity"]) for p in about_members(problems)] == [
        (GUIDE, line_of(guide, "members[3].process"), "members[3].process", "error")]


def test_a_bundle_diagram_that_stops_calling_a_member_is_refused_against_the_deployed_guide(api: ApiClient) -> None:
    deploy_item(api, ITEM)
    bundle = edited(BUNDLE, 'calledElement="restaurant_signboard_permit"', 'calledElement="restaurant_food_licence"')
    status, problems = upload(api, [(BUNDLE, bundle)])
    assert status == 422
    [refused] = about_members(problems)
    line = next(i for i, text in enumerate(bundle.decode().splitlines(), 1) if '<bpmn:process id="restaurant_opening"' in text)
    assert as_found(refused) == (
        BUNDLE, line, "restaurant_opening",
        (f"the guide {GUIDE} (version 1, deployed) lists 'restaurant_signboard_permit' (户外招牌设置许可) as "
         "members[2].process, but no call activity of this process names it as calledElement, so the member never "
         "runs"), "error")
    # The same diagram with a guide that no longer lists the member deploys.
    guide = guide_with(lambda data: data["members"].pop(2))
    status, problems = upload(api, [(BUNDLE, bundle), (GUIDE, guide)])
    assert status == 201 and about_members(problems) == []


def test_a_verdict_the_member_never_sets_is_warned_at_the_guide_s_line(api: ApiClient) -> None:
    guide = library(GUIDE).replace(b'"verdict": "food_licence"', b'"verdict": "food_license"')
    status, problems = upload(api, item(**{GUIDE: guide}))
    assert status == 201
    [warned] = about_members(problems)
    assert as_found(warned) == (
        GUIDE, line_of(guide, "members[1].verdict"), "members[1].verdict",
        ("members[1].verdict 'food_license' (食品经营许可): process 'restaurant_food_licence' never sets it (no form "
         "field of its user tasks, script or output mapping does), so the member's decision documents show no verdict"),
        "warning")
    assert as_found(warned) in linted(item(**{GUIDE: guide}))


def test_a_member_diagram_that_no_longer_sets_its_verdict_is_warned_against_the_deployed_guide(api: ApiClient
                                                                                               ) -> None:
    deploy_item(api, ITEM)
    food = edited(FOOD, FOOD_FORM, 'camunda:formKey="bundle-signboard-review.form"')  # asks signboard.*
    status, problems = upload(api, [(FOOD, food)])
    assert status == 201
    [warned] = about_members(problems)
    assert (warned["file"], warned["element"], warned["severity"]) == (FOOD, "restaurant_food_licence", "warning")
    assert warned["message"] == (
        f"the guide {GUIDE} (version 1, deployed) names 'food_licence' as the verdict of this member (食品经营许可, "
        "members[1].verdict), but this process never sets it (no form field of its user tasks, script or output "
        "mapping does), so its decision documents show no verdict")


def test_a_verdict_set_by_a_script_or_where_lint_cannot_see_is_not_warned(api: ApiClient) -> None:
    deploy_item(api, ITEM)
    elsewhere = 'camunda:formKey="bundle-signboard-review.form"'
    # An output mapping of the review sets it (translated into a script).
    mapped = edited(FOOD, FOOD_FORM + ' camunda:dueDate="${workdays(5)}">\n      <bpmn:extensionElements>',
                    elsewhere + ' camunda:dueDate="${workdays(5)}">\n      <bpmn:extensionElements>'
                    '<camunda:inputOutput><camunda:outputParameter name="food_licence">${signboard}'
                    '</camunda:outputParameter></camunda:inputOutput>')
    # The review's form is a page the client application renders: what it submits cannot be seen.
    external = edited(FOOD, FOOD_FORM, 'camunda:formKey="app:food-licence-review"')
    for food in (mapped, external):
        status, problems = upload(api, [(FOOD, food)])
        assert status == 201 and about_members(problems) == [], problems
