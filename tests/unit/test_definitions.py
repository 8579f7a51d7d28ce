"""The repository without Flask: deploy, version, refuse, read back."""
from __future__ import annotations

import pytest

from engine import definitions
from engine.bpmn_xml import Problem
from engine.errors import DeploymentInvalid, Forbidden, InvalidRequest, NotFound
from engine.users import Actor
from tests.helpers import FIXTURES

ANALYST = Actor("analyst", roles=frozenset({"analyst"}))
CLERK = Actor("wang", frozenset({"window"}), frozenset({"clerk"}))


def files(*names: str) -> list[tuple[str, bytes]]:
    return [((FIXTURES / name).name, (FIXTURES / name).read_bytes()) for name in names]


def deployed(runtime, *names: str) -> list[tuple[str, int, bool]]:  # type: ignore[no-untyped-def]
    result = definitions.deploy(runtime.uow(), files(*names), actor=ANALYST)
    return [(d.definition.key, d.definition.version, d.new) for d in result.definitions]


def test_versions_follow_content(runtime):
    assert deployed(runtime, "simple_approval.bpmn") == [("simple_approval", 1, True)]
    assert deployed(runtime, "simple_approval.bpmn") == [("simple_approval", 1, False)]
    assert deployed(runtime, "simple_approval_v2.bpmn") == [("simple_approval", 2, True)]
    assert deployed(runtime, "simple_approval.bpmn") == [("simple_approval", 3, True)]
    assert definitions.get_definition(runtime.uow(), "simple_approval", version=2).name == "简易审批（第二版）"


def test_the_xml_is_kept_byte_for_byte(runtime):
    deployed(runtime, "camunda_tasks.bpmn")
    assert definitions.get_definition_xml(runtime.uow(), "camunda_tasks") == \
        (FIXTURES / "camunda_tasks.bpmn").read_bytes()


def test_rights_are_checked_before_anything_else(runtime):
    with pytest.raises(Forbidden):
        definitions.deploy(runtime.uow(), [], actor=CLERK)
    with pytest.raises(InvalidRequest):
        definitions.deploy(runtime.uow(), [], actor=ANALYST)


def test_one_process_id_in_two_files_of_a_deployment_is_a_problem(runtime):
    with pytest.raises(DeploymentInvalid) as caught:
        deployed(runtime, "simple_approval.bpmn", "simple_approval_v2.bpmn")
    [problem] = caught.value.details
    assert problem["file"] == "simple_approval_v2.bpmn" and "also defined in simple_approval.bpmn" in problem["message"]


def test_files_of_unknown_kinds_are_refused(runtime):
    with pytest.raises(DeploymentInvalid) as caught:
        definitions.deploy(runtime.uow(), [("notes.txt", b"hello")], actor=ANALYST)
    assert "unsupported file type" in caught.value.details[0]["message"]
    with pytest.raises(NotFound):
        definitions.get_definition(runtime.uow(), "notes")


def test_a_problem_prints_as_file_line_element_message():
    assert str(Problem("a.bpmn", 7, "f_lost", "dangling")) == "a.bpmn:7: [f_lost] dangling"
    assert str(Problem("a.bpmn", None, None, "malformed")) == "a.bpmn: malformed"
    assert str(Problem("a.bpmn", 3, "t", "ignored", "warning")) == "a.bpmn:3: [t] warning: ignored"
