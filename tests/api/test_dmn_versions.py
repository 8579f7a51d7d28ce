"""Versions of a process whose business rule tasks run DMN decisions: the decisions are part of its content,
so a changed table beside an unchanged diagram is the next version; and decisions a deployment refuses."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from engine.models import ProcessDefinition
from tests.helpers import FIXTURES, complete_open_task

HERE = FIXTURES / "dmn_versions"
DIAGRAM = HERE / "fee_rating.bpmn"
TABLES = (HERE / "fee_rating.dmn").read_text(encoding="utf-8")


def deploy(api: Any, tmp_path: Path, tables: str = TABLES) -> list[tuple[str, int, bool]]:
    """Deploy the unchanged diagram with ``tables`` as fee_rating.dmn; (key, version, new) of each definition."""
    folder = tmp_path / f"upload{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    (folder / "fee_rating.dmn").write_text(tables, encoding="utf-8")
    deployed = api.deploy(DIAGRAM, folder / "fee_rating.dmn")
    return [(d["key"], d["version"], d["new"]) for d in deployed["definitions"]]


def changed(old: str, new: str) -> str:
    assert TABLES.count(old) == 1, old
    return TABLES.replace(old, new)


def rated(api: Any, case: dict[str, Any]) -> tuple[int, Any, Any]:
    """Accept the case at the window, which runs its decisions; its version, score and fee then."""
    finished = complete_open_task(api, case, "accept", user="window_clerk")
    assert finished["state"] == "completed", finished
    variables = api.get(f"/api/process-instances/{case['id']}").get_json()["variables"]
    return finished["definition_version"], variables["score"], variables["fee"]


def test_a_changed_rule_beside_an_unchanged_diagram_is_the_next_version_and_a_running_case_keeps_its_own(
        api, tmp_path):
    assert deploy(api, tmp_path) == [("fee_rating", 1, True)]
    running = api.start("fee_rating", variables={"rejectedBefore": True, "amount": 2000})

    assert deploy(api, tmp_path, changed("<text>-50</text>", "<text>-60</text>")) == [("fee_rating", 2, True)]
    started = api.start("fee_rating", variables={"rejectedBefore": True, "amount": 2000})

    assert rated(api, running) == (1, -50 + 10, 20)  # the table of its version, though it runs after the deploy
    assert rated(api, started) == (2, -60 + 10, 20)


CHANGES = [
    ("a rule's output", "<text>-50</text>", "<text>-60</text>"),
    ("a rule's input entry", "<text>&gt; 1000</text>\n        </inputEntry>\n        <outputEntry id=\"rating_r2",
     "<text>&gt; 2000</text>\n        </inputEntry>\n        <outputEntry id=\"rating_r2"),
    ("an input expression", "<text>rejectedBefore</text>", "<text>rejectedEarlier</text>"),
    ("an output's name", 'name="ratingScore"', 'name="points"'),
    ("the aggregation", 'aggregation="SUM"', 'aggregation="MAX"'),
    ("the hit policy of the table in the embedded sub-process", 'hitPolicy="FIRST"', 'hitPolicy="UNIQUE"'),
    ("a rule of the table in the embedded sub-process", "<text>20</text>", "<text>25</text>"),
]


@pytest.mark.parametrize(("what", "old", "new"), CHANGES, ids=[c[0] for c in CHANGES])
def test_a_change_to_a_decision_a_task_runs_is_the_next_version(api, tmp_path, what, old, new):
    deploy(api, tmp_path)
    tables = changed(old, new)
    assert deploy(api, tmp_path, tables) == [("fee_rating", 2, True)]
    assert deploy(api, tmp_path, tables) == [("fee_rating", 2, False)]


def test_unchanged_tables_keep_the_version_even_when_the_file_is_reformatted(api, tmp_path):
    assert deploy(api, tmp_path) == [("fee_rating", 1, True)]
    assert deploy(api, tmp_path) == [("fee_rating", 1, False)]
    reformatted = re.sub(r">\s+<", "><", TABLES).replace(  # no indentation, and attributes in another order
        '<output id="rating_score" label="Score" name="ratingScore" typeRef="number" />',
        '<output typeRef="number" name="ratingScore" label="Score" id="rating_score"/>')
    assert reformatted != TABLES
    assert deploy(api, tmp_path, reformatted) == [("fee_rating", 1, False)]


def test_a_process_without_business_rule_tasks_keeps_the_hash_of_its_diagram(api):
    """The hash deployed databases hold: their items are not versioned again by the next deployment."""
    api.deploy("simple_approval.bpmn")
    diagram = hashlib.sha256((FIXTURES / "simple_approval.bpmn").read_bytes()).hexdigest()
    with api.runtime.uow() as uow:
        stored = uow.session.scalars(select(ProcessDefinition.content_hash)).one()
    assert stored == hashlib.sha256(f"{diagram}simple_approval".encode()).hexdigest()


def test_a_version_hashed_before_its_decisions_counted_is_kept_for_the_same_tables_only(api, tmp_path):
    deploy(api, tmp_path)
    diagram = hashlib.sha256(DIAGRAM.read_bytes()).hexdigest()
    with api.runtime.uow() as uow:  # as a database deployed before decisions were hashed holds it
        definition = uow.session.scalars(select(ProcessDefinition)).one()
        definition.content_hash = hashlib.sha256(f"{diagram}fee_rating".encode()).hexdigest()
        uow.commit()
    assert deploy(api, tmp_path) == [("fee_rating", 1, False)]
    assert deploy(api, tmp_path, changed("<text>-50</text>", "<text>-60</text>")) == [("fee_rating", 2, True)]


def one_file(tmp_path: Path) -> list[Path]:
    """category.dmn and graded_fee.dmn as one file of two decisions."""
    category = (HERE / "category.dmn").read_text(encoding="utf-8")
    decision = re.search(r"  <decision .*</decision>\n", category, re.DOTALL)
    assert decision is not None
    graded = (HERE / "graded_fee.dmn").read_text(encoding="utf-8")
    (tmp_path / "graded_fee.dmn").write_text(graded.replace("</definitions>", decision.group() + "</definitions>"),
                                             encoding="utf-8")
    return [tmp_path / "graded_fee.dmn"]


@pytest.mark.parametrize("tables", [
    lambda tmp_path: [HERE / "category.dmn", HERE / "graded_fee.dmn"], one_file], ids=["two files", "one file"])
def test_a_task_calling_a_decision_that_requires_another_points_to_the_decisions_problem(api, tmp_path, tables):
    problems = api.deploy(HERE / "graded_fee.bpmn", *tables(tmp_path), expect=422)["error"]["details"]
    found = {(p["file"], p["element"]): p["message"] for p in problems}
    assert found.pop(("graded_fee.dmn", "graded_fee")).startswith(
        "decision 'Graded fee' requires decision category first; evaluating required decisions (a DRD) is not "
        "supported")
    assert found == {("graded_fee.bpmn", "price"): "decision 'graded_fee' of graded_fee.dmn cannot run, so neither "
                                                   "can this task: see the problem reported for it in graded_fee.dmn"}


def test_a_task_calling_a_decision_no_file_defines_says_it_is_not_in_the_deployment(api):
    [problem] = api.deploy(HERE / "graded_fee.bpmn", HERE / "category.dmn", expect=422)["error"]["details"]
    assert (problem["file"], problem["element"]) == ("graded_fee.bpmn", "price")
    assert problem["message"] == ("decision 'graded_fee' is not in this deployment (decisions here: category); "
                                  "deploy its DMN file together with the diagram")
