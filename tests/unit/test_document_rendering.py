"""Document templates (sandboxed Jinja2, autoescaped) and their PDF (reportlab, no browser)."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pypdf
import pytest

from api.cli import collect_files
from engine import document_templates as templates
from engine.definitions import kind_of
from engine.document_pdf import html_to_pdf
from tests.helpers import ROOT

LIBRARY = ROOT / "bpmn" / "documents"


def render(source: str, **variables: object) -> str:
    context = templates.build_context(
        variables=dict(variables), case={"id": 7, "number": "SX-2026-000123", "received_at": None},
        item={"name": "食品经营许可", "department": "某市市场监督管理局", "legal_basis": []},
        element={"id": "e", "name": "e"}, issued_at=datetime(2026, 3, 2, 1, 30, tzinfo=UTC), clock=None)
    return templates.render("documents/test.html", source, context)


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_case_data_is_escaped_and_dates_are_written_the_chinese_way():
    html = render("<p>{{ applicant }}，{{ issued_at|cn_date }}，{{ case.number }}</p>",
                  applicant_name='<script>alert("x")</script>')
    assert html == "<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;，2026年3月2日，SX-2026-000123</p>"


def test_the_sandbox_refuses_to_reach_python_internals():
    with pytest.raises(Exception, match="unsafe"):
        render("{{ applicant.__class__.__mro__ }}", applicant_name="张三")


def test_missing_materials_are_read_from_a_clerk_s_lines_or_an_integrator_s_list():
    text = "1、食品经营许可申请书：未签字盖章\n（2）营业执照复印件: 模糊不清\n\n③ 健康证明"
    assert templates.missing_materials(text) == [
        {"name": "食品经营许可申请书", "reason": "未签字盖章"},
        {"name": "营业执照复印件", "reason": "模糊不清"},
        {"name": "健康证明", "reason": ""}]
    assert templates.missing_materials([{"name": "申请书", "reason": "缺页"}, "平面图"]) == [
        {"name": "申请书", "reason": "缺页"}, {"name": "平面图", "reason": ""}]
    assert templates.missing_materials(None) == []


def test_cn_date_prints_local_dates():
    # 20:00 UTC on 1 March is already 2 March in Beijing.
    assert templates.cn_date(datetime(2026, 3, 1, 20, 0, tzinfo=UTC)) == "2026年3月2日"
    assert templates.cn_date(date(2027, 10, 1)) == "2027年10月1日"
    assert templates.cn_date("2026-03-02") == "2026年3月2日" and templates.cn_date(None) == ""


@pytest.mark.parametrize("source, line, words", [
    (b"<title>t</title>\n<p>{{ applicant }</p>\n", 2, "does not compile"),
    (b"<title>t</title>\n\n\n{{ applicant|no_such_filter }}\n", 4, "No filter named"),
    (b"<title>t</title>\n{% include 'other.html' %}\n", 2, "fails on a sample case"),
    (b"<title>t</title>\n\n{{ case.number|int(1, 2, 3, 4) }}\n", 3, "fails on a sample case"),
    (b"\xff\xfe<title>", None, "UTF-8"),
    (b"<p>{{ applicant }}</p>", None, "<title>"),
])
def test_a_broken_template_is_reported_with_its_line(source, line, words):
    [problem] = templates.check("documents/x.html", source)
    assert (problem.file, problem.line, problem.severity) == ("documents/x.html", line, "error")
    assert words in problem.message


def test_every_library_template_passes_the_deploy_check():
    names = sorted(p.stem for p in LIBRARY.glob("*.html"))
    assert names == ["acceptance_notice", "denial_decision", "extension_notice", "grant_decision", "layout",
                     "rejection_notice", "special_procedure_notice", "supplement_notice"]
    layout = (LIBRARY / "layout.html").read_text(encoding="utf-8")
    every = [*LIBRARY.glob("*.html"), *LIBRARY.parent.glob("*/documents/*.html")]
    assert len(every) == 21  # with the food licence (SCJG-XK-0001/documents/food_licence_certificate.html)
    for path in every:
        found = templates.check(f"documents/{path.name}", path.read_bytes(),
                                lambda name: layout if name == "layout.html" else None)
        assert found == [], path.name


def test_a_template_extends_the_layout_and_names_it_when_it_is_missing():
    layout = "<html><head><title>{% block title %}{% endblock %}</title></head><body><h1>{{ department }}</h1>" \
             "{% block body %}{% endblock %}</body></html>"
    child = '{% extends "layout.html" %}{% block title %}受理通知书{% endblock %}{% block body %}<p>{{ case.number }}</p>' \
            "{% endblock %}"
    html = templates.render("documents/acceptance.html", child, {"department": "某局", "case": {"number": "SX-9"}},
                            lambda name: layout if name == "layout.html" else None)
    assert "<title>受理通知书</title>" in html and "<h1>某局</h1>" in html and "<p>SX-9</p>" in html
    [problem] = templates.check("documents/acceptance.html", child.encode(), lambda name: None)
    assert problem.message == "template uses layout.html, which is neither in this deployment nor deployed before"


def test_the_pdf_holds_the_text_of_headings_paragraphs_tables_and_lists():
    html = """<html><head><title>一次性告知通知书</title><style>p { color: red }</style></head><body>
      <h1>某市市场监督管理局</h1><h2>一次性告知通知书</h2><p class="center">办件编号：SX-1</p>
      <p class="noindent">张三 &amp; 李四&lt;公司&gt;：</p>
      <p>你（单位）提出的<strong>食品经营许可</strong>申请，材料不齐全。<br>请补正：</p>
      <table><tr><th>序号</th><th>材料</th><th>原因</th></tr><tr><td>1</td><td>申请书</td><td>未签字</td></tr></table>
      <ol><li>第一项理由</li><li>第二项理由</li></ol><ul><li>附注</li></ul>
      <p class="sign">某市市场监督管理局（印章）</p></body></html>"""
    pdf = html_to_pdf(html, title="一次性告知通知书", subject="SX-1")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == "一次性告知通知书" and reader.metadata.subject == "SX-1"
    text = reader.pages[0].extract_text()
    for words in ("某市市场监督管理局", "办件编号：SX-1", "张三 & 李四<公司>", "食品经营许可", "申请书", "未签字",
                  "第一项理由", "第二项理由", "附注", "（印章）"):
        assert words in text, words
    assert "color" not in text  # style sheets are not content


def test_a_long_document_flows_onto_more_pages():
    html = "<title>t</title>" + "".join(f"<p>第{i}段：申请材料齐全、符合法定形式。</p>" for i in range(80))
    reader = pypdf.PdfReader(io.BytesIO(html_to_pdf(html)))
    assert len(reader.pages) > 1 and "第79段" in "".join(p.extract_text() for p in reader.pages)


def test_an_empty_document_is_refused():
    with pytest.raises(ValueError):
        html_to_pdf("<html><head><title>t</title></head><body>  </body></html>")


def test_templates_deploy_from_a_documents_folder_or_as_any_html_file_named(tmp_path: Path):
    folder = tmp_path / "library" / "documents"
    folder.mkdir(parents=True)
    (folder / "acceptance_notice.html").write_text("<title>受理通知书</title>", encoding="utf-8")
    page = tmp_path / "library" / "page.html"
    page.write_text("<p>not a template</p>", encoding="utf-8")
    found = collect_files((str(tmp_path / "library"),))
    assert [name for name, _ in found] == ["acceptance_notice.html"]  # a folder's other HTML stays
    assert collect_files((str(folder / "acceptance_notice.html"),))[0][0] == "acceptance_notice.html"
    assert collect_files((str(page),))[0][0] == "page.html"  # named, any .html file is a template
    for name in ("documents/acceptance_notice.html", "acceptance_notice.html", "bpmn/documents/a.HTML"):
        assert kind_of(name) == "document", name
    assert kind_of("acceptance_notice.htm") == kind_of("notes.txt") == "other"


def test_a_short_table_moves_whole_to_the_next_page_and_a_long_one_breaks():
    body = "".join(f"<p>第{n}段：本机关依法对申请材料进行审查，现将有关事项告知如下。</p>" for n in range(1, 10))
    summary = "".join(f"<tr><th>项目{n}</th><td>内容{n}</td></tr>" for n in range(1, 10))
    pages = pypdf.PdfReader(io.BytesIO(html_to_pdf(f"<html><body>{body}<table>{summary}</table></body></html>"))).pages
    assert len(pages) == 2
    first, second = (page.extract_text() for page in pages)
    assert "第9段" in first and "项目1" not in first and "项目1" in second and "项目9" in second
    rows = "".join(f"<tr><td>{n}</td><td>材料{n}</td></tr>" for n in range(1, 41))
    long = pypdf.PdfReader(io.BytesIO(html_to_pdf(f"<html><body>{body}<table>{rows}</table></body></html>"))).pages
    assert "材料1" in long[0].extract_text()  # begins where the text ends
