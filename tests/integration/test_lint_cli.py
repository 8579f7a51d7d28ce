"""``govflow lint``: output format and exit codes, the shipped library, and ``govflow deploy`` of guides."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from api.cli import main
from engine import Runtime
from tests.helpers import ROOT

FOOD = ROOT / "bpmn" / "SCJG-XK-0001"
WINDOW = ROOT / "bpmn" / "window-acceptance"
FORMS = ROOT / "forms"
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?: (?P<element>[^:]+):)? (?P<message>.+) \((?P<severity>error|warning)\)$")


def lint(*args: str) -> tuple[int, list[str], str]:
    """Runs without any database: lint reads only files."""
    result = CliRunner().invoke(main, ["lint", *args], catch_exceptions=False)
    return result.exit_code, result.stdout.splitlines(), result.stderr


def item_copy(tmp_path: Path) -> Path:
    """The food item and the forms in a scratch folder, to break one thing at a time."""
    shutil.copytree(FOOD, tmp_path / "bpmn" / FOOD.name)
    shutil.copytree(FORMS, tmp_path / "forms")
    return tmp_path


def test_the_shipped_items_are_clean_even_strictly():
    code, lines, summary = lint("--strict", str(FOOD), str(WINDOW), str(FORMS))
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
    first = deploy(FOOD, FORMS)  # the item folder itself: its guide is still SCJG-XK-0001/guide.json
    assert first.exit_code == 0, first.output
    assert "food_business_licence version 1 (new)" in first.stdout.splitlines()
    assert "guide SCJG-XK-0001 version 1 (new)" in first.stdout.splitlines()
    again = deploy(FOOD / "guide.json")  # a guide alone, its process already deployed
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines() == ["guide SCJG-XK-0001 version 1 (unchanged)"]
