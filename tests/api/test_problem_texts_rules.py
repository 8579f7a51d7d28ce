"""The rules of guides, document templates, Camunda constructs and service-item lint, said by code: each
problem an analyst meets carries its code and values, the API and the CLI keep the English sentence they
always gave, and the Chinese deploy page says it in Chinese (tests/api/test_problem_texts.py for the design)."""
from __future__ import annotations

import ast
import io
import json
from typing import Any

from api.pages.problem_texts import problem_text
from engine import lint
from engine.json_depth import MAX_DEPTH
from tests.api import test_problem_texts
from tests.api.test_bundle_deploy_checks import FOOD, FOOD_FORM, GUIDE, ITEM, add_member, edited, guide_with, item
from tests.api.test_pages import Browser
from tests.api.test_problem_texts import SIMPLE, ZH_PAGE, api_problems, rows_of, warnings_said, wholly_chinese
from tests.helpers import ROOT

analyst = test_problem_texts.analyst  # the fixture: an analyst signed in to the pages

# A code's findings, each as (params, English message, Chinese sentence).
Said = dict[str, list[tuple[dict[str, Any], str, str]]]


def refused_said(analyst: Browser, api: Any, files: list[tuple[str, bytes]]) -> Said:
    """A refused deployment's problems by code, each with the sentence the Chinese deploy page shows for it
    (the English page shows the API's message)."""
    problems = api_problems(api, files)
    zh, en, _ = rows_of(analyst, files)
    assert en == [p["message"] for p in problems]
    found: Said = {}
    for problem, sentence in zip(problems, zh, strict=True):
        found.setdefault(problem.get("code", ""), []).append((problem.get("params", {}), problem["message"], sentence))
    return found


def linted_said(app: Any, files: list[tuple[str, bytes]]) -> Said:
    """``govflow lint``'s findings by code, each with its sentence on a Chinese page."""
    found: Said = {}
    with app.test_request_context(headers=ZH_PAGE):
        for problem in lint.lint_files(files):
            found.setdefault(problem.code or "", []).append((problem.params or {}, problem.message,
                                                             problem_text(problem.as_dict())))
    return found


# ---- guides ------------------------------------------------------------------------------------------

def guide_file(**changed: Any) -> bytes:
    data = {"code": "SCJG-1", "name": "简易审批", "type": "01", "case_type": "2", "level": "city",
            "process": "simple_approval", "department": {"code": "SCJG", "name": "市场监督管理局"},
            "legal_basis": ["《行政许可法》"], "promised_days": 5, "statutory_days": 20, "acceptance_conditions": [],
            "materials": [], "fees": [], "delivery_methods": ["window"],
            "channels": {"consultation": "12345", "complaint": "12345"}, **changed}
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


def material(name: str, *departments: str) -> dict[str, Any]:
    return {"name": name, "form": "copy", "copies": 1, "departments": list(departments)}


def member(process: str, department: str, **more: Any) -> dict[str, Any]:
    return {"process": process, "name": "成员事项", "department": {"code": department, "name": "某局"}, **more}


def test_a_guide_s_own_rules_read_in_chinese(analyst: Browser, api: Any) -> None:
    guide = guide_file(code="SCJG 1", case_type="1", promised_days=30,
                       materials=[material("身份证明", "SCJG"), material("身份证明", "SCJG"),
                                  material("其他相关材料", "GA")],
                       members=[member("simple_approval", "SCJG"), member("simple_two", "GA", legal_basis=[" "],
                                                                          verdict="1st"),
                                member("simple_two", "SCJG")])
    files = [("simple.bpmn", SIMPLE.encode()), ("SCJG-1/guide.json", guide)]
    said = refused_said(analyst, api, files)
    assert said["guide.code_chars"] == [({"code": "SCJG 1"},
                                         "code 'SCJG 1' may hold only letters, digits, '-', '_' and '.'",
                                         "事项编码 'SCJG 1' 只能含字母、数字及 '-'、'_'、'.'")]
    assert said["guide.code_folder"] == [({"code": "SCJG 1", "folder": "SCJG-1"},
                                          "code 'SCJG 1' is not the item folder's name 'SCJG-1'",
                                          "事项编码 'SCJG 1' 与事项文件夹名 'SCJG-1' 不一致")]
    assert said["guide.promised_exceeds"] == [({"promised": 30, "statutory": 20},
                                               ("promised_days 30 exceeds statutory_days 20 (承诺时限 may not be longer "
                                                "than 法定时限)"),
                                               "promised_days 30 超过 statutory_days 20（承诺时限不得长于法定时限）")]
    assert said["guide.on_the_spot"] == [({"promised": 30},
                                          ("a 即办件 (case_type '1') is decided on the spot: promised_days must be 0, "
                                           "not 30"),
                                          "即办件（case_type '1'）当场办结：promised_days 须为 0，而不是 30")]
    assert said["guide.material_twice"] == [({"name": "身份证明", "first": 0},
                                             "material '身份证明' is listed twice (also materials[0])",
                                             "材料 '身份证明' 重复列出（另见 materials[0]）")]
    assert said["guide.catch_all"] == [({"name": "其他相关材料", "vague": "相关材料"},
                                        ("material '其他相关材料' is a catch-all (相关材料): name each material the "
                                         "applicant must bring (LY17, XA13)"),
                                        ("材料 '其他相关材料' 是兜底表述（相关材料）：请逐项写明申请人须提交的材料"
                                         "（LY17、XA13）"))]
    assert said["guide.material_department"] == [
        ({"field": "materials[2].departments[0]", "code": "GA"},
         "materials[2].departments[0] 'GA' is neither the department nor a co-department of the item",
         "字段 'materials[2].departments[0]' 的部门 'GA' 既不是本事项的部门，也不是其协办部门")]
    assert said["guide.member_own_process"] == [({"field": "members[0].process", "process": "simple_approval"},
                                                  "members[0].process 'simple_approval' is the bundle's own process",
                                                  "字段 'members[0].process' 的流程 'simple_approval' 是一件事自身的流程")]
    assert said["guide.member_twice"] == [({"field": "members[2].process", "process": "simple_two", "first": 1},
                                           "members[2].process 'simple_two' is listed twice (also members[1])",
                                           "字段 'members[2].process' 的流程 'simple_two' 重复列出（另见 members[1]）")]
    assert said["guide.member_department"] == [
        ({"field": "members[1].department", "code": "GA"},
         "members[1].department 'GA' is neither the department nor a co-department of the bundle",
         "字段 'members[1].department' 的部门 'GA' 既不是一件事的部门，也不是其协办部门")]
    assert ({"field": "members[1].legal_basis[0]"}, "members[1].legal_basis[0] must be a non-empty string",
            "字段 'members[1].legal_basis[0]' 须为非空字符串") in said["guide.not_text"]
    assert said["guide.verdict_name"] == [({"field": "members[1].verdict", "verdict": "1st"},
                                           "members[1].verdict '1st' is not a variable name",
                                           "字段 'members[1].verdict' 的值 '1st' 不是变量名")]
    assert "" not in said  # nothing of the guide is said in English alone
    wholly_chinese(analyst, api, files)


def test_a_guide_or_form_json_cannot_read_says_why_in_chinese(analyst: Browser, api: Any) -> None:
    deep = b'{"code": "SCJG-1", "x": ' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"}"
    assert refused_said(analyst, api, [("SCJG-1/guide.json", deep)]) == {"guide.too_deep": [
        ({"levels": MAX_DEPTH}, f"guide is nested deeper than {MAX_DEPTH} levels", f"办事指南嵌套超过 {MAX_DEPTH} 层")]}
    nan = guide_file(promised_days="NaN").replace(b'"NaN"', b"NaN")
    assert refused_said(analyst, api, [("SCJG-1/guide.json", nan)]) == {"guide.not_json_number": [
        ({"token": "NaN"}, "malformed JSON: NaN is not a JSON number", "JSON 格式错误：'NaN' 不是 JSON 数值")]}
    form = b'{"components": ' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"}"
    said = refused_said(analyst, api, [("simple.bpmn", SIMPLE.encode()), ("accept.form", form)])
    assert said["form.too_deep"] == [({"levels": MAX_DEPTH}, f"form is nested deeper than {MAX_DEPTH} levels",
                                      f"表单嵌套超过 {MAX_DEPTH} 层")]


# ---- document templates ----------------------------------------------------------------------------

TEMPLATE = b"<html><head><title>\xe9\x80\x9a\xe7\x9f\xa5</title></head><body>{{ business_key }}</body></html>"
DOCUMENTED = SIMPLE.replace('camunda:priority="70" />', 'camunda:priority="70"><bpmn:extensionElements>'
                            '<camunda:properties><camunda:property name="govflow.document" value="nowhere" />'
                            '</camunda:properties></bpmn:extensionElements></bpmn:userTask>', 1)


def test_document_template_problems_read_in_chinese(analyst: Browser, api: Any, app: Any) -> None:
    extending = b'{% extends "layout.html" %}{% block title %}\xe9\x80\x9a\xe7\x9f\xa5{% endblock %}'
    files = [("documents/notice.html", extending), ("a/receipt.html", TEMPLATE), ("b/receipt.html", TEMPLATE),
             ("documents/ seal.html", TEMPLATE)]
    said = refused_said(analyst, api, files)
    assert said["doc_template.missing"] == [
        ({"name": "layout.html", "absent": "neither in this deployment nor deployed before"},
         "template uses layout.html, which is neither in this deployment nor deployed before",
         "模板引用了 layout.html，但它既不在本次部署中，也未曾部署")]
    assert said["doc_template.name_twice"] == [
        ({"name": "receipt", "other": "a/receipt.html"},
         "document template 'receipt' is also in a/receipt.html: a deployment holds one template of each name",
         "文书模板 'receipt' 也在 a/receipt.html 中：一次部署中每个名称只能有一个模板")]
    assert said["doc_template.name_space"] == [
        ({"name": " seal"}, ("document template name ' seal' begins or ends with a space, which govflow.document "
                             "cannot name"),
         "文书模板名称 ' seal' 以空格开头或结尾，govflow.document 无法引用它")]
    # a diagram naming a template nowhere deploys, warned
    done = api.as_("analyst").client.post(
        "/api/deployments", data={"files": [(io.BytesIO(DOCUMENTED.encode()), "documented.bpmn")]},
        headers=api.as_("analyst").headers(), content_type="multipart/form-data")
    [warning] = [w for w in done.get_json()["warnings"] if w.get("code") == "doc_template.not_deployed"]
    assert (warning["params"], warning["message"]) == (
        {"name": "nowhere"}, "document template 'nowhere' (nowhere.html) is not deployed: no document will be issued")
    page = warnings_said(analyst, [("documented2.bpmn", DOCUMENTED.replace("simple_approval", "documented").encode())],
                         ZH_PAGE)
    assert "documented2.bpmn:6 [accept] 文书模板 'nowhere'（nowhere.html）未部署：将不出具文书" in page
    # govflow lint looks among the linted files only, and says so
    assert linted_said(app, [("documents/notice.html", extending)])["doc_template.missing"] == [
        ({"name": "layout.html", "absent": "not among the linted files"},
         "template uses layout.html, which is not among the linted files", "模板引用了 layout.html，但它不在所检查的文件中")]


# ---- Camunda constructs and a diagram's processes ------------------------------------------------------

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/'
        'MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/'
        'schema/1.0/core" id="Defs" targetNamespace="http://govflow.example/bpmn">\n')


def diagram(body: str, *, process: str = "odd", extensions: str = "", attributes: str = "", before: str = "") -> bytes:
    return (HEAD + before + f'<bpmn:process id="{process}" isExecutable="true"{attributes}>'
            + (f"<bpmn:extensionElements>{extensions}</bpmn:extensionElements>" if extensions else "")
            + body + "</bpmn:process></bpmn:definitions>").encode()


STARTERS = diagram('<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />'
                   '<bpmn:endEvent id="end" />', process="starters",
                   attributes=' camunda:candidateStarterGroups="${who}"',
                   extensions='<camunda:potentialStarter />'
                              '<camunda:potentialStarter><bpmn:resourceAssignmentExpression><bpmn:formalExpression>'
                              'group(window desk), user(zhao qian)</bpmn:formalExpression>'
                              '</bpmn:resourceAssignmentExpression></camunda:potentialStarter>')
STARTS = diagram(
    '<bpmn:startEvent id="s1" camunda:initiator="applicant_user" camunda:formKey="first.form" />'
    '<bpmn:startEvent id="s2" camunda:initiator="starter_user" camunda:formKey="second.form" />'
    '<bpmn:startEvent id="s3" camunda:formKey="third.form"><bpmn:messageEventDefinition messageRef="tip" />'
    '</bpmn:startEvent><bpmn:startEvent id="s4" camunda:initiator="1st" />'
    '<bpmn:subProcess id="inner"><bpmn:startEvent id="inner_start" camunda:initiator="inner_user" />'
    '<bpmn:sequenceFlow id="i1" sourceRef="inner_start" targetRef="inner_end" /><bpmn:endEvent id="inner_end" />'
    '</bpmn:subProcess><bpmn:sequenceFlow id="f1" sourceRef="s1" targetRef="inner" />'
    '<bpmn:sequenceFlow id="f2" sourceRef="s2" targetRef="inner" /><bpmn:sequenceFlow id="f3" sourceRef="s3" '
    'targetRef="inner" /><bpmn:sequenceFlow id="f4" sourceRef="s4" targetRef="inner" />'
    '<bpmn:sequenceFlow id="f5" sourceRef="inner" targetRef="end" /><bpmn:endEvent id="end" />',
    process="starts", before='<bpmn:message id="tip" />')
BUNDLED = diagram('<bpmn:startEvent id="start" camunda:formKey="app:intake" /><bpmn:sequenceFlow id="f1" '
                  'sourceRef="start" targetRef="end" /><bpmn:endEvent id="end" />', process="bundled",
                  extensions='<camunda:properties><camunda:property name="govflow.bundleForms" value="member.form" />'
                             '</camunda:properties>')
TASKS = diagram(
    '<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />'
    '<bpmn:callActivity id="call" calledElement="simple_approval" camunda:calledElementVersion="3">'
    '<bpmn:extensionElements><camunda:in businessKey="${applicant_id}" /></bpmn:extensionElements>'
    '</bpmn:callActivity><bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="lookup" />'
    '<bpmn:serviceTask id="lookup"><bpmn:extensionElements><spiffworkflow:serviceTaskOperator id="http/GetRequest" />'
    '</bpmn:extensionElements></bpmn:serviceTask><bpmn:sequenceFlow id="f3" sourceRef="lookup" targetRef="bare" />'
    '<bpmn:serviceTask id="bare" /><bpmn:sequenceFlow id="f4" sourceRef="bare" targetRef="push" />'
    f'<bpmn:serviceTask id="push" camunda:type="external" camunda:topic="{"t" * 300}" />'
    '<bpmn:boundaryEvent id="push_failed" attachedToRef="push"><bpmn:errorEventDefinition '
    'camunda:errorCodeVariable="1code" /></bpmn:boundaryEvent>'
    '<bpmn:sequenceFlow id="f5" sourceRef="push" targetRef="review" />'
    '<bpmn:userTask id="review" camunda:candidateGroups="window"><bpmn:extensionElements><camunda:inputOutput>'
    '<camunda:inputParameter name="1x">a</camunda:inputParameter><camunda:outputParameter name="" />'
    '</camunda:inputOutput><spiffworkflow:preScript>import os</spiffworkflow:preScript></bpmn:extensionElements>'
    '</bpmn:userTask><bpmn:sequenceFlow id="f6" sourceRef="review" targetRef="tell" />'
    '<bpmn:intermediateThrowEvent id="tell"><bpmn:messageEventDefinition messageRef="told" '
    'camunda:expression="${decision}" camunda:resultVariable="1result" /></bpmn:intermediateThrowEvent>'
    '<bpmn:sequenceFlow id="f7" sourceRef="tell" targetRef="end" /><bpmn:endEvent id="end" />',
    process="tasks", before='<bpmn:message id="told" name="told" />')


def test_camunda_constructs_and_start_events_read_in_chinese(analyst: Browser, api: Any) -> None:
    said = refused_said(analyst, api, [("starters.bpmn", STARTERS), ("starts.bpmn", STARTS),
                                       ("bundled.bpmn", BUNDLED), ("tasks.bpmn", TASKS)])
    expected = {
        "camunda.starter_expression": (
            {"what": "camunda:candidateStarterGroups", "expression": "${who}", "starters": "groups"},
            ("camunda:candidateStarterGroups '${who}' is an expression, but no variables exist before a case starts; "
             "name the groups"),
            "camunda:candidateStarterGroups '${who}' 是表达式，但办件开始前还没有任何变量；请写明组名"),
        "camunda.starter_nobody": ({}, "camunda:potentialStarter names nobody (no formalExpression)",
                                   "camunda:potentialStarter 未指定任何人（没有 formalExpression）"),
        "camunda.starter_group": (
            {"what": "camunda:potentialStarter", "name": "window desk",
             "naming": "one word of 1 to 100 characters, without spaces, commas, semicolons, control characters or "
                       "text-direction marks"},
            ("camunda:potentialStarter: 'window desk' is no group name (one word of 1 to 100 characters, without "
             "spaces, commas, semicolons, control characters or text-direction marks)"),
            ("camunda:potentialStarter：'window desk' 不是有效的组名（须为一个词，1 到 100 个字符，不含空格、逗号、分号、"
             "控制字符或文字方向符）")),
        "camunda.starter_user": (
            {"what": "camunda:potentialStarter", "name": "zhao qian",
             "naming": "1 to 100 Latin letters, digits, Chinese characters, '.', '@', '_' and '-'"},
            ("camunda:potentialStarter: 'zhao qian' is no user name (1 to 100 Latin letters, digits, Chinese "
             "characters, '.', '@', '_' and '-')"),
            ("camunda:potentialStarter：'zhao qian' 不是有效的用户名（须由 1 到 100 个拉丁字母、数字、汉字及 '.'、'@'、"
             "'_'、'-' 组成）")),
        "process.initiators": (
            {"names": "applicant_user, starter_user"},
            ("start events name different camunda:initiator variables (applicant_user, starter_user): a case has one "
             "starting user; name one variable"),
            ("各开始事件指定了不同的 camunda:initiator 变量（applicant_user, starter_user）：一个办件只有一个发起用户；"
             "请只指定一个变量")),
        "process.start_forms": (
            {"forms": "first.form, second.form"},
            "start events name different start forms (first.form, second.form): a case starts with one form; name one",
            "各开始事件指定了不同的开始表单（first.form, second.form）：一个办件只以一个表单开始；请只指定一个"),
        "camunda.start_form_ignored": (
            {"key": "third.form", "start": "a message start event"},
            ("camunda:formKey 'third.form' on a message start event is ignored: only the process's plain start event "
             "has a start form (as in Camunda)"),
            "消息开始事件上的 camunda:formKey 'third.form' 将被忽略：只有流程的普通开始事件才有开始表单（与 Camunda 相同）"),
        "camunda.initiator_name": ({"name": "1st"}, "camunda:initiator '1st' is not a variable name",
                                   "camunda:initiator '1st' 不是变量名"),
        "camunda.initiator_ignored": (
            {"name": "inner_user"},
            ("camunda:initiator 'inner_user' is read only on a start event of the process itself (as in Camunda) and "
             "is ignored here"),
            "camunda:initiator 'inner_user' 只在流程自身的开始事件上读取（与 Camunda 相同），此处将被忽略"),
        "camunda.message_no_name": ({"message": "tip"}, "message 'tip' has no name: it is sent and received by its id",
                                    "消息 'tip' 没有名称：将按其标识发送和接收"),
        "process.start_form_client": (
            {"form": "app:intake"},
            ("start form 'app:intake' is a page the client application renders, which cannot be merged with the forms "
             "of govflow.bundleForms; name a form-js form"),
            "开始表单 'app:intake' 是由客户端应用呈现的页面，无法与 govflow.bundleForms 的表单合并；请指定 form-js 表单"),
        "camunda.call_business_key": (
            {"key": "${applicant_id}"},
            ("camunda:in businessKey='${applicant_id}': a called process runs inside the calling case, under the "
             "case's business key; remove it or pass #{execution.processBusinessKey}"),
            ("camunda:in businessKey='${applicant_id}'：被调用流程在调用它的办件中运行，使用该办件的业务键；请删除它，"
             "或传入 #{execution.processBusinessKey}")),
        "camunda.binding_ignored": (
            {"attr": "calledElementVersion", "value": "3", "binding": "latest"},
            "camunda:calledElementVersion '3' is ignored: camunda:calledElementBinding is 'latest'",
            "camunda:calledElementVersion '3' 将被忽略：camunda:calledElementBinding 为 'latest'"),
        "camunda.service_operator": (
            {"topic": "http/GetRequest"},
            "service operator 'http/GetRequest' runs as an external task completed over the API",
            "服务操作 'http/GetRequest' 将作为外部任务运行，通过 API 完成"),
        "camunda.service_no_implementation": (
            {}, "service task without an implementation runs as an external task completed over the API",
            "服务任务没有实现，将作为外部任务运行，通过 API 完成"),
        "camunda.topic_too_long": (
            {"topic": "t" * 40, "longest": 255},
            f"camunda:topic '{'t' * 40}'… is longer than 255 characters", f"camunda:topic '{'t' * 40}'… 超过 255 个字符"),
        "camunda.error_variable": ({"name": "1code"}, "error variable '1code' is not a variable name",
                                   "错误变量 '1code' 不是变量名"),
        "camunda.io_name": ({"kind": "inputParameter", "name": "1x"},
                            "camunda:inputParameter '1x' is not a variable name", "camunda:inputParameter '1x' 不是变量名"),
        "camunda.io_empty": ({"kind": "outputParameter", "name": ""},
                             "camunda:outputParameter '' has no value and is ignored",
                             "camunda:outputParameter '' 没有值，将被忽略"),
        "script.pre_post": ({"script": "preScript", "reason": "Line 1: Imports are not allowed."},
                            "spiffworkflow:preScript: Line 1: Imports are not allowed.",
                            "spiffworkflow:preScript 脚本有误：Line 1: Imports are not allowed."),
        "camunda.result_variable": ({"result": "1result"}, "camunda:resultVariable '1result' is not a variable name",
                                    "camunda:resultVariable '1result' 不是变量名"),
    }
    assert {code: said.get(code) for code in expected} == {code: [found] for code, found in expected.items()}
    assert "" not in said


# ---- service-item lint -----------------------------------------------------------------------------------

MARKED = diagram(
    '<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />'
    '<bpmn:userTask id="review" name="审查" camunda:candidateGroups="window" camunda:formKey="review.form" '
    'camunda:dueDate="P2D" /><bpmn:boundaryEvent id="review_ended" attachedToRef="review">'
    '<bpmn:extensionElements><camunda:properties><camunda:property name="govflow.thrownBy" value=" , " />'
    '</camunda:properties></bpmn:extensionElements><bpmn:errorEventDefinition /></bpmn:boundaryEvent>'
    '<bpmn:sequenceFlow id="f2" sourceRef="review_ended" targetRef="ended" /><bpmn:endEvent id="ended">'
    '<bpmn:extensionElements><camunda:properties><camunda:property name="govflow.thrownBy" value="window" />'
    '</camunda:properties></bpmn:extensionElements></bpmn:endEvent>'
    '<bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="wait" />'
    '<bpmn:intermediateCatchEvent id="wait"><bpmn:extensionElements><camunda:properties>'
    '<camunda:property name="govflow.recordable" value="yes" /></camunda:properties></bpmn:extensionElements>'
    '<bpmn:messageEventDefinition messageRef="supplied" /></bpmn:intermediateCatchEvent>'
    '<bpmn:sequenceFlow id="f4" sourceRef="wait" targetRef="tell" />'
    '<bpmn:intermediateThrowEvent id="tell"><bpmn:extensionElements><camunda:properties>'
    '<camunda:property name="govflow.materialsComplete" value="true" /></camunda:properties>'
    '</bpmn:extensionElements><bpmn:messageEventDefinition messageRef="supplied" /></bpmn:intermediateThrowEvent>'
    '<bpmn:sequenceFlow id="f5" sourceRef="tell" targetRef="end" /><bpmn:endEvent id="end" />',
    process="marked", before='<bpmn:message id="supplied" name="supplied" />',
    extensions='<camunda:properties><camunda:property name="govflow.confidential" value="applicant.id_no, id_number" />'
               '<camunda:property name="govflow.bundleForms" value="member.form" /></camunda:properties>')
REVIEW_FORM = b'{"components": [{"type": "textfield", "key": "opinion", "label": "\xe6\x84\x8f\xe8\xa7\x81"}]}'


def test_lint_rules_read_in_chinese(app: Any) -> None:
    said = linted_said(app, [("marked.bpmn", MARKED), ("review.form", REVIEW_FORM)])
    expected = {
        "lint.bundle_form_not_linted": (
            {"key": "member.form"},
            ("govflow.bundleForms names form 'member.form', which is not among the linted files: no case starts "
             "without it"),
            "govflow.bundleForms 指定的表单 'member.form' 不在所检查的文件中：缺少它，任何办件都无法开始"),
        "lint.confidential_name": (
            {"name": "applicant.id_no"},
            ("govflow.confidential names 'applicant.id_no': only a whole variable (a top-level name) can be "
             "confidential"),
            "govflow.confidential 列出的 'applicant.id_no' 不是整个变量：只有整个变量（顶层名称）才能设为保密"),
        "lint.confidential_message": (
            {"names": "applicant.id_no, id_number"},
            ("this message sends the whole case data, confidential applicant.id_no, id_number included, to the "
             "process that receives it: give it a payload without them, or name them govflow.confidential there too"),
            ("此消息将办件的全部数据（包括保密变量 applicant.id_no, id_number）发送给接收它的流程：请为它设置不含这些"
             "变量的消息内容，或在接收方也用 govflow.confidential 列出它们")),
        "lint.flag_value": (
            {"flag": "govflow.recordable", "value": "yes",
             "meaning": "a clerk of the case may record the message this step waits for"},
            ("govflow.recordable is 'yes': true (a clerk of the case may record the message this step waits for) or "
             "false"),
            "govflow.recordable 的值为 'yes'：应为 true（办理该办件的人员可以记录此环节等待的消息）或 false"),
        "lint.flag_no_message": (
            {"flag": "govflow.materialsComplete"},
            ("govflow.materialsComplete marks a step that waits for no message, where it does nothing: mark the "
             "intermediate catch event, message boundary event or receive task (after an event-based gateway, its "
             "event that takes the message)"),
            ("govflow.materialsComplete 标记的环节不等待任何消息，因而不起作用：请标记在接收消息的中间捕获事件、"
             "消息边界事件或接收任务上（事件网关之后，标记在接收该消息的事件上）")),
        "lint.thrown_by_empty": (
            {}, ("govflow.thrownBy names no group: name the groups whose clerks may throw this error "
                 "(comma-separated), or leave the property out"),
            "govflow.thrownBy 未指定任何组：请写明其办理人员可抛出此错误的组（以逗号分隔），或删除该属性"),
        "lint.thrown_by_misplaced": (
            {}, ("govflow.thrownBy marks no error boundary event on a user task or around one, where it does nothing: "
                 "put it on the error boundary event attached to the user task whose clerks' work it may end, or to "
                 "the sub-process or call activity holding it"),
            ("govflow.thrownBy 没有标记在附着于用户任务（或包含用户任务的元素）的错误边界事件上，因而不起作用：请将它放在"
             "附着于用户任务的错误边界事件上（该错误可结束此任务办理人员的工作），或附着于包含该任务的子流程或调用活动的"
             "错误边界事件上")),
    }
    assert {code: said.get(code) for code in expected} == {code: [found] for code, found in expected.items()}
    assert "" not in said


def test_lint_of_forms_alone_reads_in_chinese(app: Any) -> None:
    said = linted_said(app, [("forms/review.form", REVIEW_FORM), ("forms/other.form", REVIEW_FORM)])
    assert said == {"lint.forms_alone": [(
        {"which": "these 2 forms with the diagrams that use them", "forms": "forms/review.form, forms/other.form"},
        ("no BPMN diagram among the linted files, and govflow deploy refuses forms alone (the deployment contains no "
         "BPMN diagram); deploy these 2 forms with the diagrams that use them, in one govflow deploy"),
        ("所检查的文件中没有 BPMN 流程图，而 govflow deploy 拒绝单独部署表单（本次部署不含 BPMN 流程图）：请将 "
         "forms/review.form, forms/other.form 与使用它的流程图放在同一次 govflow deploy 中"))]}


def test_a_bundle_s_members_read_in_chinese_on_the_deploy_page_and_in_lint(analyst: Browser, api: Any,
                                                                          app: Any) -> None:
    api.deploy("simple_approval.bpmn")
    files = item(**{GUIDE: guide_with(add_member("simple_approval"))})
    said = refused_said(analyst, api, files)
    assert said["lint.member_not_called"] == [(
        {"field": "members[3].process", "process": "simple_approval", "name": "简易审批", "hint": "", "unlisted": "",
         "bundle": "restaurant_opening"},
        ("members[3].process 'simple_approval' (简易审批) is not called by the bundle's process 'restaurant_opening': "
         "no call activity there names it as calledElement, so the member never runs"),
        ("字段 'members[3].process' 的流程 'simple_approval'（简易审批）未被一件事的流程 'restaurant_opening' 调用：该流程中"
         "没有以它为 calledElement 的调用活动，该成员事项永远不会办理"))]
    misspelt = item(**{GUIDE: guide_with(lambda data: data["members"][2].update(process="restaurant_signboard"))})
    [(params, english, chinese)] = refused_said(analyst, api, misspelt)["lint.member_not_called"]
    assert params["unlisted"] == "'restaurant_signboard_permit'"
    assert english.endswith("so the member never runs (it calls 'restaurant_signboard_permit', which no member "
                            "lists)")
    assert chinese.endswith("该成员事项永远不会办理（它还调用了 'restaurant_signboard_permit'，但没有成员列出）")
    verdict = guide_with(lambda data: data["members"][1].update(verdict="food_license"))
    [(params, english, chinese)] = linted_said(app, item(**{GUIDE: verdict}))["lint.verdict_unset"]
    assert english == ("members[1].verdict 'food_license' (食品经营许可): process 'restaurant_food_licence' never sets "
                       "it (no form field of its user tasks, script or output mapping does), so the member's decision "
                       "documents show no verdict")
    assert chinese == ("字段 'members[1].verdict' 的结论变量 'food_license'（食品经营许可）：流程 "
                       "'restaurant_food_licence' 从不设置它（其用户任务的表单字段、脚本和输出映射都不设置），该成员事项的"
                       "决定文书将不显示结论")


def test_a_member_diagram_against_the_deployed_guide_reads_in_chinese(api: Any, app: Any) -> None:
    from tests.api.test_bundle_deploy_checks import upload
    from tests.service_items import deploy_item
    deploy_item(api, ITEM)
    status, warnings = upload(api, [(FOOD, edited(FOOD, FOOD_FORM, 'camunda:formKey="bundle-signboard-review.form"'))])
    assert status == 201
    [warned] = [w for w in warnings if w.get("code") == "lint.verdict_unset_here"]
    assert warned["message"] == (
        f"the guide {GUIDE} (version 1, deployed) names 'food_licence' as the verdict of this member (食品经营许可, "
        "members[1].verdict), but this process never sets it (no form field of its user tasks, script or output "
        "mapping does), so its decision documents show no verdict")
    with app.test_request_context(headers=ZH_PAGE):
        assert problem_text(warned) == (
            f"办事指南 {GUIDE} (version 1, deployed) 将 'food_licence' 指定为此成员事项（食品经营许可，"
            "members[1].verdict）的结论，但本流程从不设置它（其用户任务的表单字段、脚本和输出映射都不设置），"
            "其决定文书将不显示结论")


# ---- the engine's own words ---------------------------------------------------------------------------------

def test_the_engine_builds_no_problem_from_plain_text() -> None:
    """Problems are made by code (``said``) wherever the engine words them: no Problem built from a text, and
    no diagram problem given one (a message of SpiffWorkflow's parser that engine._spiff does not know is
    passed on as the parser says it, never written here)."""
    plain = []
    for source in sorted((ROOT / "engine").glob("*.py")):
        for call in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(call, ast.Call):
                continue
            called = ast.unparse(call.func)
            message = call.args[3] if called == "Problem.of" and len(call.args) > 3 else \
                call.args[1] if called.endswith(("diagram.error", "diagram.warn")) and len(call.args) > 1 else None
            if called == "Problem" or isinstance(message, ast.JoinedStr) or (
                    isinstance(message, ast.Constant) and isinstance(message.value, str)):
                plain.append(f"{source.name}:{call.lineno}: {ast.unparse(call)[:60]}")
    assert plain == []


# ---- the parser's own refusals -------------------------------------------------------------------------

def diagram(pid: str, body: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/'
            '20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">'
            f'<bpmn:process id="{pid}" isExecutable="true"><bpmn:startEvent id="s"/>'
            '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="x"/>' + body +
            '<bpmn:sequenceFlow id="f2" sourceRef="x" targetRef="e"/><bpmn:endEvent id="e"/></bpmn:process>'
            '</bpmn:definitions>').encode()


PARSER_REFUSALS = {
    "spiff.multi_instance_none": (
        '<bpmn:userTask id="x" camunda:candidateGroups="window"><bpmn:multiInstanceLoopCharacteristics/>'
        '</bpmn:userTask>', "多实例任务须指定数量（loopCardinality）或输入集合（loopDataInputRef）"),
    "spiff.no_condition": ('<bpmn:intermediateCatchEvent id="x"><bpmn:conditionalEventDefinition/>'
                           '</bpmn:intermediateCatchEvent>', "条件事件缺少条件"),
    "spiff.adhoc_events": ('<bpmn:adHocSubProcess id="x"><bpmn:startEvent id="s2"/><bpmn:task id="t"/>'
                           '</bpmn:adHocSubProcess>', "特设子流程（ad hoc）不能包含开始事件或结束事件"),
    "spiff.data_input": ('<bpmn:scriptTask id="x" scriptFormat="python"><bpmn:dataInputAssociation id="da">'
                         '<bpmn:sourceRef>missing_obj</bpmn:sourceRef></bpmn:dataInputAssociation>'
                         '<bpmn:script>y = 1</bpmn:script></bpmn:scriptTask>',
                         "来自 missing_obj 的数据输入关联未对应到本流程的数据对象"),
    # The parser fails on this one with an error of its own (a TypeError): said before it is reached.
    "bpmn.unknown_message": ('<bpmn:intermediateCatchEvent id="x"><bpmn:messageEventDefinition messageRef="nope"/>'
                            '</bpmn:intermediateCatchEvent>', "消息事件引用的消息 nope 未在本文件中定义（bpmn:message）"),
}


def test_the_parser_s_refusals_are_coded_and_said_in_chinese(app: Any) -> None:
    for code, (body, chinese) in PARSER_REFUSALS.items():
        found = linted_said(app, [(f"{code}.bpmn", diagram("p", body))])
        errors = {c: said for c, said in found.items() if c.startswith(("spiff.", "bpmn."))}
        assert list(errors) == [code], (code, found)
        [(_, english, sentence)] = errors[code]
        assert sentence == chinese
        assert "TypeError" not in english and "<Element" not in english
