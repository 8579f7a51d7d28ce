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
from api.pages.problem_texts import WORDS, ZH
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


EXTRA = {"bpmn.forms_alone": {"forms"}}  # values a code carries for its Chinese sentence alone


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
     "顺序流的终点（targetRef） 'review_removed' 不是 process 'dangling_flow' 中的元素"),
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
    problems = api_problems(api, invalid("broken.form") + [("permit_v1.bpmn", (PAGES / "permit_v1.bpmn").read_bytes())])
    uncoded = [p for p in problems if "code" not in p]
    assert uncoded
    page = deploy_page(analyst, invalid("broken.form") + [("permit_v1.bpmn", (PAGES / "permit_v1.bpmn").read_bytes())],
                       ZH_PAGE)
    assert [row[3] for row in table(page.text)] == [p["message"] for p in problems]


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
