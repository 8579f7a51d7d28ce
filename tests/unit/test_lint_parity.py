"""``govflow lint`` reports what ``govflow deploy`` refuses, in deploy's words: SpiffWorkflow's parse of the
processes, call activities without their process, duplicate ids, files not in the encoding they declare."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import definitions, lint
from engine.errors import DeploymentInvalid
from engine.users import SYSTEM
from tests.corpus import CORPUS_DIR
from tests.helpers import FIXTURES

SIMPLE = (FIXTURES / "simple_approval.bpmn").read_text(encoding="utf-8")
REFUSED_BY_THE_PARSER = ["spiff/bpmn_data/Invalid-Workflows/No-Start-Event.bpmn20.xml",
                         "spiff/bpmn_data/parallel_multiinstance_invalid.bpmn"]


def deploy_errors(runtime, files: list[tuple[str, bytes]]) -> list[tuple[str, int | None, str | None, str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(DeploymentInvalid) as refused:
        definitions.deploy(runtime.uow(), files, actor=SYSTEM)
    return [(p["file"], p["line"], p["element"], p["message"]) for p in refused.value.details
            if p["severity"] == "error"]


def lint_found(files: list[tuple[str, bytes]], severity: str = "error"
               ) -> list[tuple[str, int | None, str | None, str]]:
    return [(p.file, p.line, p.element, p.message) for p in lint.lint_files(files) if p.severity == severity]


@pytest.mark.parametrize("path", REFUSED_BY_THE_PARSER)
def test_lint_reports_what_the_parser_refuses_at_deploy(runtime, path: str):
    file = CORPUS_DIR / path
    if not file.exists():
        pytest.skip(f"corpus file {file} not present")
    files = [(file.name, file.read_bytes())]
    refused = deploy_errors(runtime, files)
    assert refused
    assert set(refused) <= set(lint_found(files))


def test_lint_reports_duplicate_ids_as_deploy_refuses_them(runtime):
    files = [("twice.bpmn", SIMPLE.replace('<bpmn:sequenceFlow id="f3"', '<bpmn:sequenceFlow id="f2"', 1).encode())]
    refused = deploy_errors(runtime, files)
    assert refused == [("twice.bpmn", 14, "f2", "duplicate id (BPMN requires unique ids): line 7 has it too")]
    assert set(refused) <= set(lint_found(files))
    [line] = [lint.format_problem(p) for p in lint.lint_files(files) if p.element == "f2"]
    assert line == "twice.bpmn:14: f2: duplicate id (BPMN requires unique ids): line 7 has it too (error)"


def test_lint_reports_a_file_not_in_its_declared_encoding_as_deploy_does(runtime):
    content = SIMPLE.replace('encoding="UTF-8"', 'encoding="GBK"', 1).encode("gbk").replace(
        "简易审批".encode("gbk"), b"\xff\xfe", 1)
    files = [("broken.bpmn", content)]
    refused = deploy_errors(runtime, files)
    assert [r[:2] for r in refused] == [("broken.bpmn", 3)]
    assert lint_found(files) == refused


def test_a_gbk_diagram_lints_as_its_utf8_copy():
    utf8 = lint.lint_files([("a.bpmn", SIMPLE.encode())])
    in_gbk = lint.lint_files([("a.bpmn", SIMPLE.replace('encoding="UTF-8"', 'encoding="GBK"', 1).encode("gbk"))])
    assert in_gbk == utf8


def test_a_call_to_a_process_not_among_the_linted_files_is_warned_in_deploys_words(runtime):
    parent = (FIXTURES / "call_parent.bpmn").read_bytes()
    refused = deploy_errors(runtime, [("call_parent.bpmn", parent)])
    assert refused == [("call_parent.bpmn", 6, "verify",
                        "calls process 'permit_child', which is neither in this deployment nor deployed before")]
    [(file, line, element, message)] = [w for w in lint_found([("call_parent.bpmn", parent)], "warning")
                                        if w[2] == "verify"]
    assert (file, line, element) == refused[0][:3] and message.startswith(refused[0][3])
    with_child = [("call_parent.bpmn", parent), ("call_child_v1.bpmn", (FIXTURES / "call_child_v1.bpmn").read_bytes())]
    assert not [w for w in lint.lint_files(with_child) if "calls process" in w.message]


def test_the_library_still_lints_clean_with_the_parse():
    root = Path(__file__).resolve().parents[2]
    problems = lint.lint_files(lint.collect([str(root / "bpmn"), str(root / "forms")]))
    assert [lint.format_problem(p) for p in problems if p.severity == "error"] == []


PLAIN_CAMUNDA = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="plain_review" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="Review" />
    <bpmn:sequenceFlow id="f1" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_plain_camunda_user_task_without_a_form_lints_as_it_deploys(runtime):
    """No guide names the process: deploy takes it, so lint must not fail it (it failed on the missing form
    and the missing candidates); what the library's rules would say of it are warnings."""
    files = [("plain_review.bpmn", PLAIN_CAMUNDA.encode())]
    deployed = definitions.deploy(runtime.uow(), files, actor=SYSTEM)
    assert [d.definition.key for d in deployed.definitions] == ["plain_review"]
    assert lint_found(files) == []
    warned = [message for *_, message in lint_found(files, "warning")]
    assert any("has no form (camunda:formKey)" in m for m in warned)
    assert any("has no candidate groups, candidate users, assignee or lane" in m for m in warned)


def test_a_service_item_still_fails_lint_without_a_form_and_with_an_embedded_one():
    library = Path(__file__).resolve().parents[2] / "bpmn" / "window-acceptance"
    diagram = (library / "window_acceptance.bpmn").read_text(encoding="utf-8")
    guide = (library / "guide.json").read_bytes()
    forms = [(p.name, p.read_bytes()) for p in sorted((library.parents[1] / "forms").glob("*.form"))]

    def errors(text: str) -> list[tuple[str | None, str]]:
        found = lint.lint_files([("window_acceptance.bpmn", text.encode()), ("window-acceptance/guide.json", guide),
                                 *forms])
        return [(p.element, p.message) for p in found if p.severity == "error"]
    assert errors(diagram) == []
    [(element, message)] = errors(diagram.replace(' camunda:formKey="window-certify.form"', ""))
    assert element == "certify" and "has no form (camunda:formKey)" in message
    [(element, message)] = errors(diagram.replace('camunda:formKey="window-certify.form"',
                                                  'camunda:formKey="embedded:app:forms/certify.html"'))
    assert element == "certify" and "a page the client application renders: govflow cannot check" in message
