"""What changed between two deployed versions of a definition: the engine's comparison element by element
(engine.version_diff), GET /api/process-definitions/<key>/diff, and the analyst's page comparing versions.

tests/fixtures/version_diff: v2 of diff_permit gives the acceptance task a second candidate group, adds the
task 签发 (sign) with its flows in place of the flow f3, changes the condition of f_ok and a govflow property
of the end event rejected; v3 only moves sign's shape."""
from __future__ import annotations

import re
from typing import Any

import pytest
from lxml import html

from engine import Runtime, definitions, version_diff
from engine.errors import InvalidRequest, NotFound
from engine.users import SYSTEM
from tests.case_pages import signed_in
from tests.helpers import FIXTURES, ApiClient

VERSIONS = FIXTURES / "version_diff"
KEY = "diff_permit"


def deploy(runtime: Runtime, *versions: str) -> None:
    for version in versions:
        path = VERSIONS / version / "diff_permit.bpmn"
        definitions.deploy(runtime.uow(), [(path.name, path.read_bytes())], actor=SYSTEM)


def by_id(elements: list[version_diff.ElementChange]) -> dict[str, dict[str, tuple[str | None, str | None]]]:
    return {e.id: {a.attribute: (a.before, a.after) for a in e.attributes} for e in elements}


# ---- the engine ----------------------------------------------------------------------------------

def test_the_next_version_lists_the_added_task_the_removed_flow_and_each_changed_attribute(runtime: Runtime) -> None:
    deploy(runtime, "v1", "v2")
    diff = version_diff.compare(runtime.uow(), KEY)  # the latest and the one before it
    assert (diff.from_version, diff.to_version, diff.latest_version, diff.name) == (1, 2, 2, "占道施工许可")
    assert by_id(diff.added) == {
        "sign": {"type": (None, "userTask"), "name": (None, "签发"), "candidate_groups": (None, "chief")},
        "f4": {"type": (None, "sequenceFlow"), "source": (None, "review"), "target": (None, "sign")},
        "f5": {"type": (None, "sequenceFlow"), "source": (None, "sign"), "target": (None, "done")}}
    assert by_id(diff.removed) == {
        "f3": {"type": ("sequenceFlow", None), "source": ("review", None), "target": ("done", None)}}
    assert by_id(diff.changed) == {
        "accept": {"candidate_groups": ("window", "window,chief")},
        "f_ok": {"condition": ("${decision == 'accept'}", "${decision == 'accept' && materials_complete}")},
        "rejected": {"property:govflow.caseState": ("不受理", "不予受理")}}
    assert [(e.id, e.type, e.name) for e in diff.changed] == [
        ("accept", "userTask", "受理"), ("rejected", "endEvent", "不予受理"), ("f_ok", "sequenceFlow", "受理")]
    assert diff.layout_changed  # sign has a shape of its own


def test_a_layout_only_change_lists_no_element_but_says_the_layout_changed(runtime: Runtime) -> None:
    deploy(runtime, "v1", "v2", "v3")
    diff = version_diff.compare(runtime.uow(), KEY, from_version=2)
    assert diff.to_version == 3 and diff.unchanged and diff.layout_changed
    same = version_diff.compare(runtime.uow(), KEY, from_version=3, to_version=3)
    assert same.unchanged and not same.layout_changed


def test_comparing_backwards_gives_the_changes_back(runtime: Runtime) -> None:
    deploy(runtime, "v1", "v2")
    diff = version_diff.compare(runtime.uow(), KEY, from_version=2, to_version=1)
    assert sorted(e.id for e in diff.added) == ["f3"]
    assert sorted(e.id for e in diff.removed) == ["f4", "f5", "sign"]
    assert by_id(diff.changed)["accept"] == {"candidate_groups": ("window,chief", "window")}


def test_an_unknown_key_or_version_or_a_first_version_alone_is_not_found(runtime: Runtime) -> None:
    deploy(runtime, "v1")
    with pytest.raises(NotFound, match="'nothing'"):
        version_diff.compare(runtime.uow(), "nothing")
    with pytest.raises(NotFound, match="version 5"):
        version_diff.compare(runtime.uow(), KEY, from_version=5, to_version=1)
    with pytest.raises(NotFound, match="first version"):
        version_diff.compare(runtime.uow(), KEY)


DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<{p}:definitions xmlns:{p}="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <{p}:message id="m1" name="材料补正" />
  <{p}:process id="p" isExecutable="true">
    <{p}:laneSet><{p}:lane id="lane1" name="{lane}"><{p}:flowNodeRef>wait</{p}:flowNodeRef></{p}:lane></{p}:laneSet>
    <{p}:startEvent id="s" />
    <{p}:userTask id="wait" name="等待" camunda:candidateGroups="window">
      <{p}:extensionElements>
        <camunda:inputOutput><camunda:inputParameter name="note">{note}</camunda:inputParameter></camunda:inputOutput>
        <spiffworkflow:properties><spiffworkflow:property name="govflow.clock" value="{clock}" /></spiffworkflow:properties>
      </{p}:extensionElements>
    </{p}:userTask>
    <{p}:boundaryEvent id="t" attachedToRef="wait" cancelActivity="false">
      <{p}:timerEventDefinition id="{generated}"><{p}:timeDuration>{duration}</{p}:timeDuration></{p}:timerEventDefinition>
    </{p}:boundaryEvent>
    <{p}:intermediateCatchEvent id="c"><{p}:messageEventDefinition messageRef="m1" /></{p}:intermediateCatchEvent>
    <{p}:subProcess id="sub"><{p}:scriptTask id="calc" scriptFormat="python"><{p}:script>{script}</{p}:script></{p}:scriptTask></{p}:subProcess>
  </{p}:process>
</{p}:definitions>"""
PLAIN = {"p": "bpmn", "lane": "窗口", "note": "${a}", "clock": "stop", "duration": "P5D", "script": "fee = 1",
         "generated": "T1"}


def diagram(**changed: str) -> bytes:
    return DIAGRAM.format(**{**PLAIN, **changed}).encode("utf-8")


def test_prefixes_formatting_and_generated_ids_are_no_change() -> None:
    again = diagram(p="semantic", generated="TimerEventDefinition_0x1").replace(b"  ", b"\t")
    diff = version_diff.compare_diagrams(diagram(), again, "p")
    assert diff.unchanged and not diff.layout_changed


def test_timers_lanes_properties_scripts_in_subprocesses_and_other_definitions_are_compared() -> None:
    diff = version_diff.compare_diagrams(diagram(), diagram(
        lane="综合窗口", note="${b}", clock="start", duration="P10D", script="fee = 2"), "p")
    assert by_id(diff.changed) == {
        "wait": {"lane": ("窗口", "综合窗口"), "property:govflow.clock": ("stop", "start"),
                 "other": ('bpmn:extensionElements\n  camunda:inputOutput\n    camunda:inputParameter name="note" = ${a}',
                           'bpmn:extensionElements\n  camunda:inputOutput\n    camunda:inputParameter name="note" = ${b}')},
        "t": {"timer": ("timeDuration: P5D", "timeDuration: P10D")},
        "calc": {"script": ("fee = 1", "fee = 2")}}


def test_an_added_element_lists_every_attribute_it_has() -> None:
    events = re.sub(rb"<bpmn:boundaryEvent.*?</bpmn:boundaryEvent>|<bpmn:intermediateCatchEvent.*?"
                    rb"</bpmn:intermediateCatchEvent>", b"", diagram(), flags=re.DOTALL)
    assert by_id(version_diff.compare_diagrams(events, diagram(), "p").added) == {
        "t": {"type": (None, "boundaryEvent"), "timer": (None, "timeDuration: P5D"), "attached_to": (None, "wait"),
              "interrupting": (None, "false")},
        "c": {"type": (None, "intermediateCatchEvent"), "event": (None, "message: 材料补正")}}


def test_a_file_without_the_process_or_not_xml_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="does not define process 'q'"):
        version_diff.compare_diagrams(diagram(), diagram(), "q")
    with pytest.raises(InvalidRequest, match="cannot be read"):
        version_diff.compare_diagrams(b"<not xml", diagram(), "p")


# ---- the API -------------------------------------------------------------------------------------

def test_the_api_compares_the_latest_with_the_one_before_by_default(api: ApiClient) -> None:
    for version in ("v1", "v2"):
        api.deploy(VERSIONS / version / "diff_permit.bpmn")
    response = api.as_("window_clerk").get(f"/api/process-definitions/{KEY}/diff")  # read like the definitions
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert {k: body[k] for k in ("key", "name", "from_version", "to_version", "latest_version", "layout_changed")} == {
        "key": KEY, "name": "占道施工许可", "from_version": 1, "to_version": 2, "latest_version": 2,
        "layout_changed": True}
    assert [e["id"] for e in body["added"]] == ["sign", "f4", "f5"]
    assert body["removed"] == [{"id": "f3", "type": "sequenceFlow", "name": None, "change": "removed", "attributes": [
        {"attribute": "type", "before": "sequenceFlow", "after": None},
        {"attribute": "source", "before": "review", "after": None},
        {"attribute": "target", "before": "done", "after": None}]}]
    accept = next(e for e in body["changed"] if e["id"] == "accept")
    assert accept == {"id": "accept", "type": "userTask", "name": "受理", "change": "changed", "attributes": [
        {"attribute": "candidate_groups", "before": "window", "after": "window,chief"}]}


def test_the_api_takes_from_and_to_and_the_same_version_twice_gives_no_changes(api: ApiClient) -> None:
    for version in ("v1", "v2", "v3"):
        api.deploy(VERSIONS / version / "diff_permit.bpmn")
    body = api.get(f"/api/process-definitions/{KEY}/diff?from=1&to=2").get_json()
    assert (body["from_version"], body["to_version"], body["latest_version"]) == (1, 2, 3)
    assert body["names"]["done"] == "办结"  # what a removed flow's target reads as
    layout = api.get(f"/api/process-definitions/{KEY}/diff?from=2").get_json()
    assert (layout["to_version"], layout["added"], layout["removed"], layout["changed"], layout["layout_changed"]) \
        == (3, [], [], [], True)
    same = api.get(f"/api/process-definitions/{KEY}/diff?from=2&to=2").get_json()
    assert (same["added"], same["removed"], same["changed"], same["layout_changed"]) == ([], [], [], False)


@pytest.mark.parametrize(("query", "field"), [("from=abc", "from"), ("to=1.5", "to"), ("from=0", "from"),
                                              ("to=-1", "to"), ("from=99999999999", "from")])
def test_a_version_that_is_no_version_number_is_a_422_naming_it(api: ApiClient, query: str, field: str) -> None:
    api.deploy(VERSIONS / "v1" / "diff_permit.bpmn")
    response = api.get(f"/api/process-definitions/{KEY}/diff?{query}")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and [d["field"] for d in error["details"]] == [field]


@pytest.mark.parametrize(("path", "said"), [("nothing/diff", "'nothing'"), (f"{KEY}/diff?from=1&to=7", "version 7"),
                                            (f"{KEY}/diff?from=9", "version 9"), (f"{KEY}/diff", "first version")])
def test_an_unknown_key_or_version_is_a_404_in_the_error_shape(api: ApiClient, path: str, said: str) -> None:
    api.deploy(VERSIONS / "v1" / "diff_permit.bpmn")
    response = api.get(f"/api/process-definitions/{path}")
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "not_found" and said in error["message"] and error["details"] == []


def test_the_api_needs_a_token_and_documents_the_endpoint(api: ApiClient) -> None:
    assert api.client.get(f"/api/process-definitions/{KEY}/diff").status_code == 401
    operation = api.client.get("/api/openapi.json").get_json()["paths"]["/api/process-definitions/{key}/diff"]["get"]
    assert operation["operationId"] == "get_process_definition_diff"
    assert {p["name"] for p in operation["parameters"] if p["in"] == "query"} == {"from", "to"}
    assert {"200", "401", "404", "422"} <= set(operation["responses"]) and "403" not in operation["responses"]


# ---- the page ------------------------------------------------------------------------------------

def analyst_page(app: Any, runtime: Runtime, *versions: str) -> Any:
    deploy(runtime, *versions)
    return signed_in(app, runtime, "li", roles=["analyst"])


def rows(page: Any, kind: str, element: str) -> dict[str, list[str]]:
    found = html.fromstring(page.text).xpath(f'//section[@data-change="{kind}"]//article[@data-element-id="{element}"]'
                                             '//tbody/tr')
    return {row.get("data-attribute"): [cell.text_content().strip() for cell in row.xpath("./td")] for row in found}


def test_the_version_page_links_to_the_comparison_with_the_previous_version(app: Any, runtime: Runtime) -> None:
    browser = analyst_page(app, runtime, "v1", "v2")
    second = browser.get(f"/analyst/definitions/{KEY}/2").text
    assert f'href="/analyst/definitions/{KEY}/diff?from=1&amp;to=2"' in second and "与上一版本比较" in second
    assert "与上一版本比较" not in browser.get(f"/analyst/definitions/{KEY}/1").text  # nothing before it


def test_the_page_lists_the_differences_in_chinese_with_before_and_after(app: Any, runtime: Runtime) -> None:
    browser = analyst_page(app, runtime, "v1", "v2")
    page = browser.get(f"/analyst/definitions/{KEY}/diff?from=1&to=2")
    assert page.status_code == 200
    assert "新增 3 个元素，删除 1 个，修改 3 个" in page.text and "流程图布局也有调整" in page.text
    assert rows(page, "changed", "accept") == {"candidate_groups": ["候选组", "window", "window,chief"]}
    assert rows(page, "changed", "f_ok")["condition"] == [
        "条件", "${decision == 'accept'}", "${decision == 'accept' && materials_complete}"]
    assert rows(page, "changed", "rejected") == {"property:govflow.caseState": ["扩展属性 govflow.caseState",
                                                                                "不受理", "不予受理"]}
    assert rows(page, "added", "sign") == {"type": ["类型", "用户任务"], "name": ["名称", "签发"],
                                           "candidate_groups": ["候选组", "chief"]}
    assert rows(page, "removed", "f3")["target"] == ["终点", "办结（done）"]  # a flow's end by its name
    tree = html.fromstring(page.text)
    assert [h.text_content().split()[0] for h in tree.xpath("//section[@data-change]/h2")] == [
        "新增元素", "删除元素", "修改元素"]
    assert "签发" in tree.xpath('//article[@data-element-id="sign"]/h3')[0].text_content()
    assert tree.xpath('//select[@name="from"]/option[@selected]/@value') == ["1"]
    assert tree.xpath('//select[@name="to"]/option[@selected]/@value') == ["2"]


def test_the_page_names_groups_by_their_titles_and_departments(app: Any, runtime: Runtime) -> None:
    from engine import departments
    from engine.users import SYSTEM

    departments.put_department(runtime.uow(), "ZWFW", actor=SYSTEM, name="市政务服务管理局", groups=["window", "chief"],
                               titles={"window": "综合受理窗口", "chief": "首席事务代表"})
    page = analyst_page(app, runtime, "v1", "v2").get(f"/analyst/definitions/{KEY}/diff?from=1&to=2")
    assert rows(page, "changed", "accept")["candidate_groups"] == [
        "候选组", "综合受理窗口（市政务服务管理局）［window］",
        "综合受理窗口（市政务服务管理局）、首席事务代表（市政务服务管理局）［window,chief］"]


def test_the_page_defaults_to_the_latest_and_says_a_layout_only_change(app: Any, runtime: Runtime) -> None:
    browser = analyst_page(app, runtime, "v1", "v2", "v3")
    page = browser.get(f"/analyst/definitions/{KEY}/diff")
    assert page.status_code == 200
    assert "两个版本的流程元素没有差异。" in page.text and "流程图布局也有调整" in page.text
    assert html.fromstring(page.text).xpath('//select[@name="from"]/option[@selected]/@value') == ["2"]
    english = browser.get(f"/analyst/definitions/{KEY}/diff?from=1&to=2", headers={"Accept-Language": "en"})
    assert "Changed elements" in english.text and "Candidate groups" in english.text


def test_a_version_that_is_no_number_is_said_beside_its_selector(app: Any, runtime: Runtime) -> None:
    browser = analyst_page(app, runtime, "v1", "v2")
    page = browser.get(f"/analyst/definitions/{KEY}/diff?from=abc&to=2")
    assert page.status_code == 400
    error = html.fromstring(page.text).xpath('//span[@id="diff-from-error"]')
    assert error and "请选择一个版本" in error[0].text_content()
    assert browser.get("/analyst/definitions/nothing/diff").status_code == 404
    wide = browser.get(f"/analyst/definitions/{KEY}/diff?from=\uff11&to=2")  # a full-width 1, as the API reads it
    assert wide.status_code == 200 and html.fromstring(wide.text).xpath('//section[@data-from="1"]')


def test_a_version_not_deployed_is_said_beside_its_selector(app: Any, runtime: Runtime) -> None:
    browser = analyst_page(app, runtime, "v1", "v2")
    page = browser.get(f"/analyst/definitions/{KEY}/diff?from=1&to=9")
    assert page.status_code == 404
    tree = html.fromstring(page.text)
    assert "没有版本 9：最新为版本 2。" in tree.xpath('//span[@id="diff-to-error"]')[0].text_content()
    assert tree.xpath(f'//a[@href="/analyst/definitions/{KEY}/2"]/text()') == ["返回版本 2"]


def test_a_process_of_one_version_says_there_is_nothing_to_compare_yet(app: Any, runtime: Runtime) -> None:
    browser = analyst_page(app, runtime, "v1")
    page = browser.get(f"/analyst/definitions/{KEY}/diff")
    assert page.status_code == 200
    assert "该流程目前只有版本 1，部署新版本后即可比较。" in page.text


def test_a_clerk_may_not_open_the_page(app: Any, runtime: Runtime) -> None:
    deploy(runtime, "v1", "v2")
    clerk = signed_in(app, runtime, "zhou", roles=["clerk"], groups=["window"])
    assert clerk.get(f"/analyst/definitions/{KEY}/diff").status_code == 403
