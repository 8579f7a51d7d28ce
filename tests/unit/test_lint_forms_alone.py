"""``govflow lint`` of forms without a diagram: a warning, as ``govflow deploy`` refuses such a set."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from engine import definitions
from engine.errors import DeploymentInvalid
from engine.users import SYSTEM
from tests.helpers import ROOT

WINDOW = ROOT / "bpmn" / "window-acceptance" / "window_acceptance.bpmn"
WINDOW_FORMS = [ROOT / "forms" / f"window-{step}.form" for step in ("accept", "review", "decide", "certify", "deliver")]
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?: (?P<element>[^:]+):)? (?P<message>.+) \((?P<severity>error|warning)\)$")


def lint(*args: str | Path) -> tuple[int, list[str], str]:
    result = CliRunner().invoke(main, ["lint", *map(str, args)], catch_exceptions=False)
    return result.exit_code, result.stdout.splitlines(), result.stderr


def test_a_form_alone_is_a_warning_that_deploy_needs_its_diagram(tmp_path: Path):
    form = Path(shutil.copy(WINDOW_FORMS[0], tmp_path))
    code, lines, summary = lint(form)
    assert code == 0 and "1 file(s): 0 error(s), 1 warning(s)" in summary  # a warning: exit status unchanged
    [line] = lines
    found = LINE.match(line)
    assert found is not None, line
    assert (found["file"], found["line"], found["element"], found["severity"]) == (form.as_posix(), "1", None,
                                                                                   "warning")
    assert "govflow deploy refuses forms alone" in found["message"]
    assert "deploy this form with the diagram that uses it" in found["message"]
    assert lint("--strict", form)[0] == 1  # strict: warnings fail, as for any other warning


def test_a_folder_of_forms_gets_one_warning_naming_how_many(tmp_path: Path):
    for form in WINDOW_FORMS:
        shutil.copy(form, tmp_path)
    code, lines, _ = lint(tmp_path)
    [line] = lines
    assert code == 0 and line.startswith(f"{(tmp_path / 'window-accept.form').as_posix()}:1: ")
    assert "deploy these 5 forms with the diagrams that use them" in line and line.endswith("(warning)")


def test_forms_with_their_diagram_pass_clean():
    assert lint("--strict", WINDOW, *WINDOW_FORMS)[:2] == (0, [])


def test_a_broken_form_alone_gets_its_own_errors_only(tmp_path: Path):
    form = tmp_path / "bad.form"
    form.write_text('{"components": [{"type": "bogus"}]}', encoding="utf-8")
    code, lines, _ = lint(form)
    assert code == 1 and lines and all(line.endswith("(error)") for line in lines)


def test_deploy_refuses_what_lint_warns_about(runtime):
    files = [(form.name, form.read_bytes()) for form in WINDOW_FORMS]
    with pytest.raises(DeploymentInvalid) as caught:
        definitions.deploy(runtime.uow(), files, actor=SYSTEM)
    [problem] = caught.value.details
    assert problem["message"].startswith("the deployment contains no BPMN diagram, and a form does not deploy alone")
    assert "deploy these 5 forms (window-accept.form, " in problem["message"]
    assert definitions.deploy(runtime.uow(), [(WINDOW.name, WINDOW.read_bytes()), *files], actor=SYSTEM).definitions
