"""Sample files of a guide's materials without a database: what a file of an item's samples folder must be,
how a guide names one, and what ``govflow lint`` and ``govflow deploy`` take of the library's samples."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from api.cli import collect_files
from engine import definitions, guides, lint, samples
from tests.helpers import ROOT

BPMN = ROOT / "bpmn"
FOOD = BPMN / "SCJG-XK-0001"
HEAD = '<!DOCTYPE html>\n<html lang="zh-CN">\n<head><meta charset="utf-8"><title>样表</title></head>\n<body>\n'


def html(body: str) -> bytes:
    return (HEAD + body + "\n</body>\n</html>\n").encode()


def messages(name: str, content: bytes) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in samples.check(name, content)]


def package(*parts: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for part in parts:
            archive.writestr(part, "<x/>")
    return out.getvalue()


def test_every_sample_of_the_library_is_well_formed_and_renders_to_a_pdf_titled_as_its_guide_names_it() -> None:
    named = []
    for guide_file in sorted(BPMN.glob("*/guide.json")):
        for material in json.loads(guide_file.read_text(encoding="utf-8"))["materials"]:
            sample = samples.of(material)
            if sample is not None:
                assert sample.file is not None, (guide_file, material["name"])  # every 样表 has its file
                path = guide_file.parent / sample.file
                assert samples.check(path.as_posix(), path.read_bytes()) == []
                assert f"<title>{sample.title}</title>" in path.read_text(encoding="utf-8")
                assert samples.rendered_pdf(path.read_bytes())[:5] == b"%PDF-"
                named.append(path)
    assert sorted(named) == sorted(BPMN.glob("*/samples/*"))  # and no stray file besides


def test_a_malformed_sample_html_is_reported_at_its_line() -> None:
    assert messages("x/samples/a.html", html("<h1>申请书</h1>\n<p>正文</p>")) == []
    assert messages("x/samples/a.html", html("<table><tr><td>a</td></tr>\n<p>b</p>")) == [
        (7, "malformed sample HTML: </body> closes <table> opened at line 5")]
    assert messages("x/samples/a.html", html("<div><p>a</div>")) == [
        (5, "malformed sample HTML: </div> closes <p> opened at line 5")]
    assert messages("x/samples/a.html", html("<p>a</p>\n<script>alert(1)</script>"))[0][1].startswith(
        "malformed sample HTML: <script> is not laid out in the PDF")
    assert messages("x/samples/a.html", html("<p/>")) == [
        (5, "malformed sample HTML: <p/> is not an empty element: write <p></p>"),
        (1, "the sample HTML file has no text to lay out")]
    assert messages("x/samples/a.html", b"<html><body><p>a</p></body></html>") == [
        (1, "a sample HTML file needs a <title> (the title of its PDF)")]
    assert messages("x/samples/a.html", "<title>样表</title><p>a</p>".encode("gbk"))[0][1].startswith(
        "a sample HTML file must be UTF-8 text")
    assert messages("x/samples/a.html", html("<p>" + "字" * samples.MAX_HTML_BYTES + "</p>"))[0][1].startswith(
        "a sample file is at most 256 KiB")


def test_pdf_docx_and_xlsx_samples_must_be_what_their_suffix_says() -> None:
    assert messages("x/samples/a.pdf", b"%PDF-1.7\n1 0 obj\n%%EOF\n") == []
    assert messages("x/samples/a.pdf", b"<html>") == [
        (None, "not a PDF file (it must begin with %PDF- and end with %%EOF)")]
    assert messages("x/samples/a.docx", package("[Content_Types].xml", "word/document.xml")) == []
    assert messages("x/samples/a.xlsx", package("[Content_Types].xml", "word/document.xml")) == [
        (None, "not a XLSX file (no xl/workbook.xml in the package)")]
    assert messages("x/samples/a.docx", package("[Content_Types].xml", "word/document.xml", "word/vbaProject.bin")) \
        == [(None, "the DOCX file holds macros; save it without them")]
    assert messages("x/samples/a.docx", b"PK\x03\x04 broken") == [
        (None, "not a DOCX file (it is no Office Open XML package)")]
    assert messages("x/samples/a.pdf", b"") == [(None, "the sample file is empty")]


def test_a_guide_names_a_sample_by_title_or_by_title_and_a_file_of_its_samples_folder() -> None:
    data = json.loads((FOOD / "guide.json").read_text(encoding="utf-8"))
    data["materials"][1]["sample"] = "营业执照（示例）"
    data["materials"][3]["sample"] = {"title": "", "file": "samples/../../etc/passwd.html"}
    data["materials"][4]["sample"] = {"title": "证明", "file": "samples/a.exe"}
    data["materials"][5]["sample"] = {"file": "/samples/a.pdf"}
    text = json.dumps(data, ensure_ascii=False, indent=1)
    problems = guides.check("SCJG-XK-0001/guide.json", text.encode())
    lines = guides.value_lines(text)
    assert sorted((p.element, p.line) for p in problems) == sorted([
        ("materials[3].sample.title", lines["materials[3].sample.title"]),
        ("materials[3].sample.file", lines["materials[3].sample.file"]),
        ("materials[4].sample.file", lines["materials[4].sample.file"]),
        ("materials[5].sample.title", lines["materials[5].sample"]),
        ("materials[5].sample.file", lines["materials[5].sample.file"])])
    assert samples.of(data["materials"][1]) == samples.Sample("营业执照（示例）", None)
    assert samples.of(data["materials"][0]) == samples.Sample("食品经营许可申请书（示范文本）",
                                                             "samples/food_licence_application.html")


@pytest.mark.parametrize(("name", "kind"), [("SCJG-XK-0001/samples/a.html", "sample"), ("samples/a.pdf", "sample"),
                                            ("documents/a.html", "document"), ("a.html", "document"),
                                            ("SCJG-XK-0001/samples/a.exe", "other")])
def test_a_file_of_a_samples_folder_deploys_as_a_sample_not_a_document_template(name: str, kind: str) -> None:
    assert definitions.kind_of(name) == kind


def test_deploy_and_lint_take_each_item_s_samples_folder_under_its_item(tmp_path: Path) -> None:
    deployed = dict(collect_files((str(BPMN),)))
    assert deployed["SCJG-XK-0001/samples/food_licence_application.html"] == \
        (FOOD / "samples" / "food_licence_application.html").read_bytes()
    assert "food_licence_application.html" not in deployed  # no document template of that name
    linted = dict(lint.collect([str(BPMN)]))
    assert (FOOD / "samples" / "food_licence_application.html").relative_to(ROOT).as_posix() in \
        {Path(n).resolve().relative_to(ROOT).as_posix() for n in linted}


def test_lint_warns_of_a_sample_a_guide_names_that_is_not_among_the_linted_files(tmp_path: Path) -> None:
    item = tmp_path / "SCJG-XK-0001"
    (item / "samples").mkdir(parents=True)
    (item / "guide.json").write_bytes((FOOD / "guide.json").read_bytes())
    (item / "food_business_licence.bpmn").write_bytes((FOOD / "food_business_licence.bpmn").read_bytes())
    for sample in ("premises_layout_and_equipment.html", "power_of_attorney.html"):
        (item / "samples" / sample).write_bytes((FOOD / "samples" / sample).read_bytes())
    (item / "samples" / "broken.html").write_bytes(html("<p>a"))
    files = lint.collect([str(item), *(str(f) for f in sorted((ROOT / "forms").glob("*.form")))])
    found = [(Path(p.file).name, p.element, p.severity) for p in lint.lint_files(files)
             if "sample" in p.message]
    assert found == [("broken.html", None, "error"),
                     ("guide.json", "materials[0].sample.file", "warning")]
