"""``govflow lint``: output format and exit codes, the shipped library, and ``govflow deploy`` of guides."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from api.cli import main
from engine import Runtime
from tests.helpers import FIXTURES, ROOT

FOOD = ROOT / "bpmn" / "SCJG-XK-0001"
WINDOW = ROOT / "bpmn" / "window-acceptance"
FORMS = ROOT / "forms"
# The shared templates: the food item's own licence (food_licence_certificate.html) extends their layout.
SHARED_DOCUMENTS = ROOT / "bpmn" / "documents"
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?: (?P<element>[^:]+):)? (?P<message>.+) \((?P<severity>error|warning)\)$")


def lint(*args: str) -> tuple[int, list[str], str]:
    """Runs without any database: lint reads only files."""
    result = CliRunner().invoke(main, ["lint", *args], catch_exceptions=False)
    return result.exit_code, result.stdout.splitlines(), result.stderr


def item_copy(tmp_path: Path) -> Path:
    """The food item, the shared templates and the forms in a scratch folder, to break one thing at a time."""
    shutil.copytree(FOOD, tmp_path / "bpmn" / FOOD.name)
    shutil.copytree(SHARED_DOCUMENTS, tmp_path / "bpmn" / "documents")
    shutil.copytree(FORMS, tmp_path / "forms")
    return tmp_path


def test_the_shipped_items_are_clean_even_strictly():
    code, lines, summary = lint("--strict", str(FOOD), str(WINDOW), str(SHARED_DOCUMENTS), str(FORMS))
    assert (code, lines) == (0, [])
    assert re.search(r"\d+ file\(s\): 0 error\(s\), 0 warning\(s\)", summary)


def test_the_whole_library_has_no_errors():
    code, lines, _ = lint(str(ROOT / "bpmn"), str(FORMS))
    assert code == 0, "\n".join(lines)
    assert all(LINE.match(line) and line.endswith("(warning)") for line in lines)


def test_an_error_exits_1_and_prints_file_line_element_message_severity(tmp_path):
    root = item_copy(tmp_path)
    guide = root / "bpmn" / FOOD.name / "guide.json"
    data = json.loads(guide.read_text(encoding="utf-8"))
    data["materials"][1]["name"] = "其他材料"
    guide.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    code, lines, summary = lint(str(root / "bpmn"), str(root / "forms"))
    assert code == 1 and "1 error(s)" in summary
    [line] = lines
    found = LINE.match(line)
    assert found is not None, line
    assert found["file"] == (root / "bpmn" / FOOD.name / "guide.json").as_posix()
    assert found["element"] == "materials[1].name" and found["severity"] == "error"
    text = guide.read_text(encoding="utf-8").splitlines()
    assert "其他材料" in text[int(found["line"]) - 1] and "catch-all" in found["message"]


def test_warnings_alone_exit_0_unless_strict(tmp_path):
    root = item_copy(tmp_path)
    diagram = root / "bpmn" / FOOD.name / "food_business_licence.bpmn"
    diagram.write_text(diagram.read_text(encoding="utf-8").replace(
        'camunda:formKey="delivery.form" camunda:dueDate="${workdays(1)}"', 'camunda:formKey="delivery.form"'),
        encoding="utf-8")
    code, lines, _ = lint(str(root / "bpmn"), str(root / "forms"))
    assert code == 0
    [line] = lines
    assert line.startswith(f"{diagram.as_posix()}:") and " deliver: " in line and line.endswith("(warning)")
    assert lint("--strict", str(root / "bpmn"), str(root / "forms"))[0] == 1


def test_a_missing_path_is_a_usage_error():
    result = CliRunner().invoke(main, ["lint", "no/such/folder"])
    assert result.exit_code == 2 and "no such file or folder" in result.output


def test_deploy_names_guides_by_their_folder_and_prints_their_versions(runtime: Runtime, tmp_path: Path):
    env = {"DATABASE_URL": runtime.settings.database_url, "GOVFLOW_DATA_DIR": str(tmp_path)}

    def deploy(*paths: Path):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(main, ["deploy", *map(str, paths)], env=env, catch_exceptions=False)
    first = deploy(FOOD, SHARED_DOCUMENTS, FORMS)  # the item folder itself: its guide is still SCJG-XK-0001/guide.json
    assert first.exit_code == 0, first.output
    assert "food_business_licence version 1 (new)" in first.stdout.splitlines()
    assert "guide SCJG-XK-0001 version 1 (new)" in first.stdout.splitlines()
    again = deploy(FOOD / "guide.json")  # a guide alone, its process already deployed
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines() == ["guide SCJG-XK-0001 version 1 (unchanged)"]


# ---- document templates, as deploy checks them -------------------------------------------------------

DOCUMENTS = ROOT / "bpmn" / "documents"


def test_a_template_that_does_not_compile_is_an_error_at_its_line(tmp_path: Path):
    broken = tmp_path / "broken_tpl.html"
    broken.write_text("<title>x</title>\n{{ broken", encoding="utf-8")
    code, lines, summary = lint(str(broken))
    assert code == 1 and "1 error(s), 0 warning(s)" in summary
    assert lines == [(f"{broken.as_posix()}:2: template does not compile: unexpected end of template, expected "
                      "'end of print statement'. (error)")]


def test_templates_in_a_documents_folder_are_linted_and_other_html_is_not(tmp_path: Path):
    item = tmp_path / "bpmn" / "item"
    (item / "documents").mkdir(parents=True)
    (item / "documents" / "notice.html").write_text(
        '{% extends "layout.html" %}\n{% block body %}{{ case.number.nope() }}{% endblock %}', encoding="utf-8")
    (item / "readme.html").write_text("{{ not a template", encoding="utf-8")  # not in documents/: not the library's
    code, lines, summary = lint(str(tmp_path / "bpmn"))
    assert code == 1 and summary.startswith("1 file(s): 1 error(s)")
    assert lines == [(f"{(item / 'documents' / 'notice.html').as_posix()}:1: template uses layout.html, which is "
                      "not among the linted files (error)")]
    code, lines, _ = lint(str(DOCUMENTS), str(tmp_path / "bpmn"))  # the layout linted along: it renders
    [line] = lines
    assert code == 1 and line.startswith(f"{(item / 'documents' / 'notice.html').as_posix()}:2: template fails "
                                         "on a sample case:"), line


def test_the_library_lints_its_templates_and_they_pass():
    templates = sorted((ROOT / "bpmn").rglob("documents/*.html"))
    assert len(templates) > 6  # the shared ones and items' own
    code, lines, summary = lint(str(ROOT / "bpmn"), str(FORMS))
    assert (code, lines) == (0, [])
    items = [p for p in (ROOT / "bpmn").rglob("*") if p.suffix == ".bpmn" or p.name == "guide.json"
             or p.parent.name == "samples"]  # and the guides' sample files
    assert summary.startswith(f"{len(items) + len(list(FORMS.glob('*.form'))) + len(templates)} file(s):")
    # An item's own documents extend the shared layout, and fail without it.
    own = sorted({str(t.parent) for t in templates} - {str(DOCUMENTS)})
    assert lint(str(DOCUMENTS), *own)[:2] == (0, [])
    code, lines, _ = lint(*own)
    assert code == 1 and all("template uses layout.html, which is not among the linted files" in line
                             for line in lines)


def test_form_problems_have_a_line_from_1(tmp_path: Path):
    form = tmp_path / "bad.form"
    form.write_text('{\n  "components": [\n    5,\n    {"type": "textfield",\n     "key": "a b"},\n'
                    '    {"type": "bogus"}\n  ]\n}\n', encoding="utf-8")
    code, lines, _ = lint(str(form))
    assert code == 1 and len(lines) == 3
    where = {line.split(": ", 1)[1]: int(line.split(":")[1]) for line in lines}
    assert all(line.startswith(f"{form.as_posix()}:") for line in lines)
    assert min(where.values()) >= 1
    assert [n for m, n in where.items() if m.startswith("a b:")] == [5]  # no id: the line of its key


def test_a_file_or_folder_that_cannot_be_read_is_named_not_a_traceback(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as root, whom file modes do not stop: the operating system's refusal is simulated."""
    import os
    from pathlib import Path as RealPath

    shutil.copy(FIXTURES / "simple_approval.bpmn", tmp_path / "locked.bpmn")
    readable = RealPath.read_bytes

    def read_bytes(self: RealPath) -> bytes:
        if self.name == "locked.bpmn":
            raise PermissionError(13, "Permission denied", str(self))
        return readable(self)

    monkeypatch.setattr(RealPath, "read_bytes", read_bytes)
    for command in ("lint", "deploy"):
        result = CliRunner().invoke(main, [command, str(tmp_path / "locked.bpmn")])
        assert result.exit_code == 2
        assert f"{tmp_path / 'locked.bpmn'}: cannot be read (Permission denied)" in result.output, command

    (tmp_path / "sub").mkdir()
    walk = os.walk

    def refusing_walk(top: str, onerror: Any = None, **kwargs: Any) -> Any:
        for root, dirs, files in walk(top, onerror=onerror, **kwargs):
            yield root, dirs, files
            if root.endswith("sub") and onerror is not None:
                onerror(PermissionError(13, "Permission denied", root))

    monkeypatch.setattr(os, "walk", refusing_walk)
    result = CliRunner().invoke(main, ["lint", str(tmp_path)])
    assert result.exit_code == 2 and f"{tmp_path / 'sub'}: cannot be read (Permission denied)" in result.output

    # A folder listed but not searched: its files' names are there, their kind is not
    monkeypatch.setattr(os, "walk", walk)
    (tmp_path / "sub" / "p.bpmn").write_bytes(b"")
    is_file = RealPath.is_file

    def unsearchable(self: RealPath) -> bool:
        if self.parent.name == "sub":
            raise PermissionError(13, "Permission denied", str(self))
        return is_file(self)

    monkeypatch.setattr(RealPath, "is_file", unsearchable)
    result = CliRunner().invoke(main, ["lint", str(tmp_path)])
    assert result.exit_code == 2 and f"{tmp_path / 'sub' / 'p.bpmn'}: cannot be read (Permission denied)" in result.output
