"""Deploy and lint problems read in Chinese on Chinese pages (the deploy page, the modeler's refused save,
the warnings after a deployment), from each problem's code and parameters; English pages, the JSON API and
the CLI keep the engine's English message, which the API now accompanies with the code."""
from __future__ import annotations

import html
import io
import re
from string import Formatter
from typing import Any

import pytest

from api.pages.i18n import EN
from api.pages.problem_texts import WORDS, ZH, problem_text
from engine import Runtime, bpmn_xml
from engine.problem_codes import ENGLISH
from tests.api.test_pages import PAGES, Browser, person
from tests.helpers import FIXTURES

ZH_PAGE, EN_PAGE = {"Accept-Language": "zh-CN,zh;q=0.9"}, {"Accept-Language": "en"}
SIMPLE = (FIXTURES / "simple_approval.bpmn").read_text(encoding="utf-8")


@pytest.fixture
def analyst(runtime: Runtime, app: Any) -> Browser:
    """Zhao, an analyst, signed in."""
    browser = Browser(app.test_client())
    person(runtime, "zhao", roles=["analyst"])
    assert browser.log_in("zhao").status_code == 302
    return browser


def fields_of(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


# Values a code carries for its Chinese sentence alone: a form list for "which", the name of a process taken
# over apart from its English fragment, a form component's place and type apart from its English label, the
# processes a bundle calls that no member lists apart from the English hint naming them.
EXTRA = {"bpmn.forms_alone": {"forms"}, "lint.forms_alone": {"forms"}, "process.takeover": {"latest_name"},
         "process.taken_over": {"latest_name"}, "lint.member_not_called": {"unlisted"},
         "lint.member_not_called_here": {"unlisted"},
         **{code: {"where", "component"} for code, english in ENGLISH.items() if english.startswith("{label}: ")}}


def test_every_code_has_a_chinese_sentence_naming_the_same_values_with_its_english_in_the_catalogue() -> None:
    assert sorted(ZH) == sorted(ENGLISH)
    for code, english in ENGLISH.items():
        # Chinese may leave out an English value and take one the English lacks (a form list for "which")
        assert fields_of(ZH[code]) <= fields_of(english) | EXTRA.get(code, set()), code
        assert EN.get(ZH[code]) == english, f"api/pages/i18n.py: add {ZH[code]!r}: {english!r}"
    assert [word for words in WORDS.values() for word in words.values() if word not in EN] == []


def deploy_page(analyst: Browser, files: list[tuple[str, bytes]], headers: dict[str, str]) -> Any:
    return analyst.post("/analyst/deploy", {"files": [(io.BytesIO(c), n) for n, c in files]},
                        token_from="/analyst/deploy", content_type="multipart/form-data", headers=headers)


def table(page: str) -> list[tuple[str, str, str, str]]:
    """The problems table as (file, line, element, sentence), the sentence without its warning badge."""
    rows = []
    for row in re.findall(r'<tr class="(?:error|warning)">(.*?)</tr>', page, re.DOTALL):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
        rows.append((cells[0], cells[1], cells[2], re.sub(r"^(警告|Warning)\s+", "", cells[3])))
    return rows


def api_problems(api: Any, files: list[tuple[str, bytes]]) -> list[dict[str, Any]]:
    analyst = api.as_("analyst")
    response = analyst.client.post("/api/deployments", data={"files": [(io.BytesIO(c), n) for n, c in files]},
                                   headers={**analyst.headers(), "Accept-Language": "zh-CN"},
                                   content_type="multipart/form-data")
    assert response.status_code == 422, response.get_json()
    return list(response.get_json()["error"]["details"])


def invalid(name: str) -> list[tuple[str, bytes]]:
    return [(name, (FIXTURES / "invalid" / name).read_bytes())]


REFUSED = [
    ("malformed.bpmn", "xml.malformed",
     "XML 格式错误：Opening and ending tag mismatch: startEvent line 4 and process, line 6, column 18"),
    ("documentation_only.bpmn", "bpmn.no_executable", "没有可执行的流程（所有流程的 isExecutable 均为 false）"),
    ("dangling_flow.bpmn", "flow.unknown_end",
     "顺序流的终点（targetRef） 'review_removed' 不是流程 'dangling_flow' 中的元素"),
    ("bad_condition.bpmn", "expression.untranslatable",
     "表达式 '${amount >}' 无法转换：expected a value at column 11 but found the end of the expression"),
    ("bad_timer.bpmn", "expression.invalid",
     "定时器 timeDuration 'five days' 无法编译：Line 1: SyntaxError: invalid syntax at statement: 'five days'"),
    ("unknown_call.bpmn", "call.unknown", "调用的流程 'no_such_process' 既不在本次部署中，也未曾部署"),
    ("groovy_script.bpmn", "script.language", "不支持脚本语言 'groovy'；请用 Python 编写"),
    ("import_os.bpmn", "script.invalid", "脚本有误：Line 1: Imports are not allowed."),
    ("xxe.bpmn", "xml.doctype", "不允许 DOCTYPE 声明（其中的实体可能读取文件或无限展开）"),
]


@pytest.mark.parametrize(("name", "code", "chinese"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_refused_diagram_reads_in_chinese_on_the_chinese_page_and_as_the_api_says_on_the_english_one(
        analyst: Browser, api: Any, name: str, code: str, chinese: str) -> None:
    [problem] = [p for p in api_problems(api, invalid(name)) if p["severity"] == "error"]
    assert problem["code"] == code and problem["message"] == ENGLISH[code].format(**problem["params"])
    where = (problem["file"], str(problem["line"] or ""), problem["element"] or "")
    zh = deploy_page(analyst, invalid(name), ZH_PAGE)
    assert zh.status_code == 422 and table(zh.text) == [(*where, chinese)]
    assert problem["message"] not in html.unescape(zh.text)
    en = deploy_page(analyst, invalid(name), EN_PAGE)
    assert en.status_code == 422 and table(en.text) == [(*where, problem["message"])]


def test_the_api_keeps_its_english_message_and_adds_the_code_and_its_values(api: Any) -> None:
    [problem] = api_problems(api, invalid("groovy_script.bpmn"))
    assert problem == {"file": "groovy_script.bpmn", "line": 6, "element": "compute_fee", "severity": "error",
                       "message": "script language 'groovy' is not supported; write it in Python",
                       "code": "script.language", "params": {"language": "groovy"}}
    analyst = api.as_("analyst")
    gbk = SIMPLE.replace('encoding="UTF-8"', 'encoding="GBK"', 1).encode("gbk")
    done = analyst.client.post("/api/deployments", data={"files": [(io.BytesIO(gbk), "gbk.bpmn")]},
                               headers=analyst.headers(), content_type="multipart/form-data").get_json()
    [warning] = [w for w in done["warnings"] if w.get("code") == "xml.transcoded"]
    assert warning == {"file": "gbk.bpmn", "line": 1, "element": None, "severity": "warning",
                       "message": "saved in GBK: stored as UTF-8, its XML declaration changed to say so",
                       "code": "xml.transcoded", "params": {"encoding": "GBK"}}


def test_a_problem_without_a_code_reads_as_the_engine_says_it(analyst: Browser, api: Any) -> None:
    # A message of SpiffWorkflow's parser that engine._spiff does not know: said as the parser says it.
    unnamed = SIMPLE.replace("<bpmn:process ", '<bpmn:message id="m" name="m" /><bpmn:correlationProperty name="x">'
                             '<bpmn:correlationPropertyRetrievalExpression messageRef="m"><bpmn:messagePath>a'
                             '</bpmn:messagePath></bpmn:correlationPropertyRetrievalExpression>'
                             '</bpmn:correlationProperty><bpmn:process ', 1)
    files = [("unnamed.bpmn", unnamed.encode())]
    problems = api_problems(api, files)
    uncoded = [i for i, p in enumerate(problems) if "code" not in p]
    assert uncoded
    said = [row[3] for row in table(deploy_page(analyst, files, ZH_PAGE).text)]
    assert [said[i] for i in uncoded] == [problems[i]["message"] for i in uncoded]


def test_a_file_over_the_limit_and_a_broken_guide_and_form_read_in_chinese(analyst: Browser,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bpmn_xml, "MAX_XML_BYTES", 2048)
    big = deploy_page(analyst, [("big.bpmn", SIMPLE.encode() + b" " * 4096)], ZH_PAGE)
    assert table(big.text) == [("big.bpmn", "", "", "文件超过 2 KiB")]
    guide = deploy_page(analyst, [("SCJG-1/guide.json", b'{"code": "SCJG-1",\n "name" "x"}')], ZH_PAGE)
    assert table(guide.text) == [("SCJG-1/guide.json", "2", "", "JSON 格式错误：Expecting ':' delimiter（第 9 列）")]
    form = deploy_page(analyst, [("permit_v1.bpmn", (PAGES / "permit_v1.bpmn").read_bytes()),
                                 ("window-accept.form", b'{"type": "default"}')], ZH_PAGE)
    assert ("window-accept.form", "1", "", "不是 form-js 表单：应为含 'components' 列表的对象") in table(form.text)


def test_the_warnings_of_a_deployment_are_said_in_the_page_language(analyst: Browser) -> None:
    gbk = SIMPLE.replace('encoding="UTF-8"', 'encoding="GBK"', 1).encode("gbk")
    done = deploy_page(analyst, [("gbk.bpmn", gbk)], ZH_PAGE)
    assert done.status_code == 302
    page = analyst.get(done.headers["Location"], headers=ZH_PAGE).text
    assert "gbk.bpmn:1 [-] 文件以 GBK 编码保存：已转为 UTF-8 存储，XML 声明已相应修改" in page
    assert "stored as UTF-8" not in page
    again = deploy_page(analyst, [("gbk2.bpmn", gbk.replace(b"simple_approval", b"simple_two"))], EN_PAGE)
    page = analyst.get(again.headers["Location"], headers=EN_PAGE).text
    assert "gbk2.bpmn:1 [-] saved in GBK: stored as UTF-8, its XML declaration changed to say so" in page


def test_a_refused_save_in_the_modeler_reads_in_chinese(analyst: Browser) -> None:
    xml = (PAGES / "permit_v1.bpmn").read_text().replace('isExecutable="true"', 'isExecutable="false"')
    refused = analyst.post("/analyst/modeler", {"xml": xml, "file_name": "permit.bpmn"},
                           token_from="/analyst/modeler", headers=ZH_PAGE)
    assert refused.status_code == 422
    assert [row[3] for row in table(refused.text)] == ["没有可执行的流程（所有流程的 isExecutable 均为 false）"]
    english = analyst.post("/analyst/modeler", {"xml": xml, "file_name": "permit.bpmn"},
                           token_from="/analyst/modeler", headers=EN_PAGE)
    assert [row[3] for row in table(english.text)] == [ENGLISH["bpmn.no_executable"]]


# ---- sentences wholly Chinese: element kinds, listeners, forms, formData, guides, DMN, the parser ----------

# What a Chinese sentence may still write in Latin letters: names, ids and expressions quoted as the engine
# has them, attribute and file names (camunda:formKey, validate.pattern, guide.json), the reason a parser
# gives, and the names of languages and formats.
QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"[^\"]*\"|「[^」]*」")
TECHNICAL = {"Python", "Java", "javascript", "groovy", "KiB", "Camunda", "true", "false", "id", "name", "form", "js",
             "config", "string", "long", "boolean", "date", "enum"}


def latin_words(sentence: str, *, reason: str = "") -> list[str]:
    """The Latin words of a Chinese sentence that are none of the above: English left in it."""
    text = QUOTED.sub("", sentence.replace(reason, "") if reason else sentence)
    words = re.findall(r"[A-Za-z][\w:.\[\]=/-]*", text)
    return [w for w in words if w not in TECHNICAL and not w.isupper() and not re.search(r"[:.\[=_/-]|[a-z][A-Z]", w)]


BITS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_bits" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="bits" name="杂项" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="accept" />
    <bpmn:userTask id="accept" name="受理" camunda:formKey="accept.form" camunda:dueDate="P2D">
      <bpmn:extensionElements>
        <camunda:executionListener event="start"><camunda:script scriptFormat="javascript">x = 1</camunda:script></camunda:executionListener>
        <camunda:taskListener class="org.example.Audit" />
        <camunda:inputOutput>
          <camunda:inputParameter name="fee"><camunda:script scriptFormat="groovy">1</camunda:script></camunda:inputParameter>
          <camunda:outputParameter name="names"><camunda:list /></camunda:outputParameter>
        </camunda:inputOutput>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="accept" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>
</bpmn:definitions>
"""


def rows_of(analyst: Browser, files: list[tuple[str, bytes]]) -> tuple[list[str], list[str], Any]:
    """The sentences of a refused deployment on the Chinese page and on the English one, and the problems as
    the API gives them (by the same files)."""
    zh, en = deploy_page(analyst, files, ZH_PAGE), deploy_page(analyst, files, EN_PAGE)
    assert zh.status_code == en.status_code == 422
    return [r[3] for r in table(zh.text)], [r[3] for r in table(en.text)], zh


DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="fees" name="fees" namespace="http://govflow.example/dmn">
  <decision id="rate" name="费率">
    <decisionTable id="rate_table" hitPolicy="COLLECT" aggregation="MEDIAN">
      <input id="rate_in" label="金额"><inputExpression id="rate_in_expr" typeRef="number"><text>amount +</text></inputExpression></input>
      <output id="rate_out" name="rate" typeRef="number" />
      <rule id="rate_r1"><inputEntry id="rate_r1_in"><text>&gt; 100 +</text></inputEntry><outputEntry id="rate_r1_out"><text>1</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision id="flat" name="定额"><literalExpression id="flat_expr"><text>1</text></literalExpression></decision>
</definitions>
"""
RULES = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_rules" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="rules" name="计费" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="price" />
    <bpmn:businessRuleTask id="price" name="计费" camunda:decisionRef="flat" camunda:resultVariable="fee" />
    <bpmn:sequenceFlow id="f2" sourceRef="price" targetRef="other" />
    <bpmn:businessRuleTask id="other" name="另一计费" camunda:decisionRef="nowhere" />
    <bpmn:sequenceFlow id="f3" sourceRef="other" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>
</bpmn:definitions>
"""
NO_START = SIMPLE.replace('<bpmn:startEvent id="start" />', "").replace(
    '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="accept" />', "")
GUIDE = b"""{"code": "SCJG-1", "name": 5, "type": "x", "case_type": "1", "level": 3, "process": "simple_approval",
 "department": "x", "legal_basis": [], "delivery_methods": ["bogus", 7], "channels": [], "public": "yes",
 "max_visits": -1, "promised_days": 1.5, "statutory_days": "20", "materials": {}, "acceptance_conditions": ["a", "a"]}"""



def wholly_chinese(analyst: Browser, api: Any, files: list[tuple[str, bytes]]) -> list[str]:
    """The Chinese sentences of a refused deployment, each checked: said by code, nothing English left in it
    but what it quotes and the reason a parser gives; the English page says what the API says."""
    problems = api_problems(api, files)
    zh, en, _ = rows_of(analyst, files)
    assert en == [p["message"] for p in problems]
    for problem, sentence in zip(problems, zh, strict=True):
        assert "code" in problem, problem["message"]
        assert latin_words(sentence, reason=str(problem["params"].get("reason", ""))) == [], sentence
    return zh


def test_element_kinds_listeners_and_parameters_read_in_chinese(analyst: Browser, api: Any) -> None:
    assert wholly_chinese(analyst, api, [("bits.bpmn", BITS.encode())]) == [
        "执行监听器（开始时）中的脚本（javascript）无法在此运行；请将其逻辑移入 Python 脚本任务",
        "camunda:inputParameter 'fee' 是脚本（groovy），无法在此运行；请在 Python 脚本任务中计算",
        "camunda:outputParameter 'names' 是 camunda:list，无法在此运行；请在 Python 脚本任务中计算",
        "以 Java 实现的任务监听器（未指定事件）将被忽略"]
    dangling = wholly_chinese(analyst, api, invalid("dangling_flow.bpmn"))
    assert dangling == ["顺序流的终点（targetRef） 'review_removed' 不是流程 'dangling_flow' 中的元素"]


def test_form_components_read_in_chinese(analyst: Browser, api: Any) -> None:
    files = invalid("broken.form") + [("permit_v1.bpmn", (PAGES / "permit_v1.bpmn").read_bytes())]
    assert wholly_chinese(analyst, api, files) == [
        "components[1]（单行文本框）：键 'name' 重复（另见 components[0]）",
        "components[2]：未知的组件类型 'signature'",
        "components[3]（单行文本框）：正则表达式 '^(JY[0-9]{14}$' 无效：missing ), unterminated subpattern at position 1",
        "components[4]（多行文本框）：隐藏条件无法在服务器上求值：function 'count' is not supported in form conditions "
        "(only not()) at position 0 in 'count(items) > 2'"]


def test_form_data_fields_read_in_chinese(analyst: Browser, api: Any) -> None:
    said = wholly_chinese(analyst, api, invalid("camunda_form_data.bpmn"))
    assert said[:3] == ["camunda:formField 缺少 id",
                        "camunda:formField '1st'：id 不是变量名（字母、数字和 _，不能以数字或 _ 开头）",
                        "camunda:formField 'opinion'：第 11 行的字段也使用此 id"]
    assert "camunda:formField 'remark'：camunda:constraint 'maxlength' 的 config 须为非负整数，实为 '-1'" in said


def test_guide_fields_read_in_chinese(analyst: Browser, api: Any) -> None:
    said = wholly_chinese(analyst, api, [("simple.bpmn", SIMPLE.encode()), ("SCJG-1/guide.json", GUIDE)])
    assert said[:4] == ["字段 'name' 须为非空字符串",
                        "字段 'type' 的值为 'x'；应为以下之一：'01', '02', '03', '04', '05', '06', '07', '08', '09', "
                        "'10', '20'",
                        "字段 'level' 须为非空字符串",
                        "字段 'department' 须为含「code」和「name」的 JSON 对象"]
    assert {"字段 'acceptance_conditions[1]' 的值 'a' 重复列出", "字段 'public' 须为 true 或 false",
            "字段 'max_visits' 不得小于 0"} <= set(said)


def test_decisions_and_the_parsers_own_words_read_in_chinese(analyst: Browser, api: Any) -> None:
    assert wholly_chinese(analyst, api, [("fees.dmn", DMN.encode()), ("rules.bpmn", RULES.encode())]) == [
        "决策 '费率' 的输入表达式 'amount +' 既不能作为 FEEL 也不能作为 Python 运行：not a FEEL simple expression: "
        "unexpected '+' in 'amount +'",
        "决策 '费率' 的输入条目 '> 100 +' 既不能作为 FEEL 也不能作为 Python 运行：not a FEEL simple expression: "
        "unexpected '+' in '> 100 +'",
        "决策 '费率' 中不支持聚合方式 MEDIAN",
        "决策 '定额' 没有决策表（字面表达式等其他决策逻辑无法在此运行）",
        "fees.dmn 中的决策 'flat' 无法运行，此任务因而也无法运行：见 fees.dmn 的相应问题"]
    assert wholly_chinese(analyst, api, [("nostart.bpmn", NO_START.encode())]) == [
        "未找到开始事件", "表单 'accept.form' 既不在本次部署中，也未曾部署；任务完成时将不做表单检查"]


def warnings_said(analyst: Browser, files: list[tuple[str, bytes]], headers: dict[str, str]) -> list[str]:
    """The warnings on the page a deployment leads to, each as ``file:line [element] sentence``."""
    done = deploy_page(analyst, files, headers)
    assert done.status_code == 302, table(done.text)
    page = html.unescape(analyst.get(done.headers["Location"], headers=headers).text)
    return re.findall(r"[\w./-]+:\d* \[[^\]]*\] [^<\n]+", page)


def test_warnings_name_element_kinds_start_events_and_form_data_in_chinese(analyst: Browser, api: Any) -> None:
    nobody = SIMPLE.replace(' camunda:candidateGroups="window"', "").replace("simple_approval", "nobody")
    said = warnings_said(analyst, [("nobody.bpmn", nobody.encode())], ZH_PAGE)
    assert any(s.endswith("用户任务 '受理' 未指定候选组、候选用户、办理人或泳道：任何部门的窗口人员都能认领它并查看其办件；"
                          "请指定办理该任务的组") for s in said), said
    form_data = (FIXTURES / "camunda_form_data_warnings.bpmn").read_bytes()
    said = warnings_said(analyst, [("form_data_warnings.bpmn", form_data)], ZH_PAGE)
    assert "form_data_warnings.bpmn:23 [sub_start] 子流程中的开始事件上的 camunda:formData（inner）将被忽略：只有流程的普通" \
           "开始事件才有开始表单（与 Camunda 相同）" in said
    for sentence in said:  # the ids of the fields listed are as the diagram has them
        assert latin_words(re.sub(r"camunda:formData（[^）]*）", "", sentence.split("] ", 1)[1])) == [], sentence
    english = warnings_said(analyst, [("form_data_warnings.bpmn", form_data.replace(b"form_data_warnings", b"fdw2"))],
                            EN_PAGE)
    assert "form_data_warnings.bpmn:23 [sub_start] camunda:formData (inner) on a start event inside a subprocess is " \
           "ignored: only the process's plain start event has a start form (as in Camunda)" in english


def test_a_take_over_names_the_process_in_chinese_punctuation(app: Any, api: Any) -> None:
    analyst = api.as_("analyst")

    def deploy(name: str, content: str) -> Any:
        return analyst.client.post("/api/deployments", data={"files": [(io.BytesIO(content.encode()), name)]},
                                   headers=analyst.headers(), content_type="multipart/form-data").get_json()
    deploy("simple.bpmn", SIMPLE)
    done = deploy("other.bpmn", SIMPLE.replace('name="简易审批"', 'name="另一事项"'))
    [warning] = [w for w in done["warnings"] if w.get("code") == "process.taken_over"]
    assert warning["message"] == ("process 'simple_approval' was deployed from 'simple.bpmn' (version 1, 简易审批); "
                                  "this file makes its next version: give the process another id if it is a new item")
    with app.test_request_context(headers=ZH_PAGE):
        assert problem_text(warning) == ("流程 'simple_approval' 已由 'simple.bpmn' 部署（版本 1，名称 '简易审批'）；"
                                         "本文件成为其下一版本：若是新事项，请改用新的流程标识")
        refused = {**warning, "code": "process.takeover", "params": {**warning["params"], "latest_name": None}}
        assert problem_text(refused).startswith("流程 'simple_approval' 已由 'simple.bpmn' 部署（版本 1）；")
    with app.test_request_context(headers=EN_PAGE):
        assert problem_text(warning) == warning["message"]


def test_lint_names_a_task_by_its_kind_in_chinese(app: Any) -> None:
    from engine.lint import lint_files
    bare = SIMPLE.replace(' camunda:candidateGroups="window" camunda:formKey="accept.form" camunda:dueDate="P2D"', "")
    found = {p.code: p for p in lint_files([("bare.bpmn", bare.encode())]) if p.element == "accept"}
    assert found["lint.no_form"].message.startswith("userTask '受理' has no form (camunda:formKey)")
    with app.test_request_context(headers=ZH_PAGE):
        said = {code: problem_text(p.as_dict()) for code, p in found.items()}
    assert said["lint.no_form"] == "用户任务 '受理' 没有表单（camunda:formKey）：任务只接收其表单列出的内容（DOMAIN 规则 15）"
    assert said["human_task.unnamed"].startswith("用户任务 '受理' 未指定候选组")
    assert said["lint.no_due_date"].startswith("用户任务 '受理' 没有到期时间")


def test_a_value_named_text_is_said_like_any_other(app: Any) -> None:
    """A parameter may be called ``text``: the sentence is not confused with it."""
    from api.pages.i18n import gettext

    with app.test_request_context(headers=ZH_PAGE):
        assert gettext("“{text}”不可用", text="abc") == "“abc”不可用"
    with app.test_request_context(headers=EN_PAGE):
        assert gettext("{text} and {n}", text="abc", n=2) == "abc and 2"
