"""Conformance against third-party diagrams (../shared/bpmn-corpus), through the HTTP API.

* Every SpiffWorkflow and Camunda diagram is deployed together with the files its upstream test loads;
  every one with an upstream test is driven to the end state the manifest describes, or — where it
  cannot run here — refused at deploy or stopped with the precise, documented message.
* Every BPMN MIWG file (reference models and three modelling tools' exports) either deploys or is
  refused with 422 and a problem list naming file, line and element: never a 500.

``python -m tests.corpus_report`` prints the counts.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import Runtime, Settings
from tests.corpus import (
    CORPUS_DIR,
    SCENARIOS,
    USER_TABLES,
    Corpus,
    called_files,
    clean_database,
    diagrams,
    manifest,
    missing_modules,
)
from tests.corpus_cases import DEPENDENCY_REFUSALS
from tests.helpers import ApiClient

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (CORPUS_DIR / "MANIFEST.tsv").exists(), reason=f"no BPMN corpus at {CORPUS_DIR}"),
]

RUNNABLE = diagrams("spiff", "camunda")
# Files with an upstream test, plus dependencies whose caller cannot run here but which run on their own.
DRIVEN = sorted(SCENARIOS)
MIWG = diagrams("miwg")
DEPENDENCIES = sorted(e.path for e in RUNNABLE if not e.test_start and e.path not in SCENARIOS)


@pytest.fixture(scope="module")
def corpus_app(migrated: Settings) -> Iterator[tuple[Any, Runtime, dict[str, str]]]:
    """One app for the module: building one per test (blueprints, OpenAPI) would be most of the runtime."""
    from api import create_app

    shared = Runtime(migrated)
    clean_database(shared.engine)
    yield create_app({"TESTING": True}, runtime=shared), shared, {}
    shared.dispose()


@pytest.fixture
def corpus(corpus_app: tuple[Any, Runtime, dict[str, str]]) -> Corpus:
    """An empty database (but for the users, made once) behind the module's app, and a runtime with empty
    caches (definition ids start again at 1)."""
    app, shared, tokens = corpus_app
    runtime = Runtime(shared.settings, engine=shared.engine)
    clean_database(runtime.engine, keep=USER_TABLES)
    app.extensions["govflow"] = runtime
    api = ApiClient(app.test_client(), runtime)
    api.tokens = tokens
    return Corpus(api)


def test_the_manifest_lists_the_whole_corpus_and_every_driven_file_has_a_scenario() -> None:
    assert len(RUNNABLE) == 100 and len(MIWG) == 157
    on_disk = {str(p.relative_to(CORPUS_DIR)) for p in CORPUS_DIR.rglob("*")
               if p.name.endswith((".bpmn", ".bpmn20.xml"))}
    assert on_disk == {e.path for e in RUNNABLE} | {e.path for e in MIWG}
    with_test = {e.path for e in RUNNABLE if e.test_start}
    assert with_test <= set(SCENARIOS) <= {e.path for e in RUNNABLE}, sorted(with_test - set(SCENARIOS))


@pytest.mark.parametrize("path", DRIVEN, ids=str)
def test_a_corpus_diagram_reaches_the_end_its_upstream_test_expects(corpus: Corpus, path: str) -> None:
    scenario = SCENARIOS[path]
    missing = missing_modules(scenario.needs)
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (timer jobs), which is not built yet")
    scenario.run(corpus)


@pytest.mark.parametrize("path", DEPENDENCIES, ids=str)
def test_a_called_diagram_deploys_on_its_own_with_what_it_calls(corpus: Corpus, path: str) -> None:
    """Called processes and message partners are driven through the diagrams that use them; each must
    also deploy by itself (with the files it calls), or be refused for its own problems."""
    companions = called_files(manifest()[path])
    if path in DEPENDENCY_REFUSALS:
        element, message = DEPENDENCY_REFUSALS[path]
        problems = corpus.refusal(path, companions)
        assert any(p["file"] == Path(path).name and p["element"] == element and message in p["message"]
                   for p in problems), problems
    else:
        body = corpus.deploy(path, companions)
        assert Path(path).name in {d["resource_name"] for d in body["definitions"]}


@pytest.mark.parametrize("path", sorted(e.path for e in MIWG), ids=str)
def test_a_miwg_file_deploys_or_is_refused_with_a_clear_problem_list(corpus: Corpus, path: str) -> None:
    response = corpus.api.as_("analyst").client.post(
        "/api/deployments", data={"files": [((CORPUS_DIR / path).open("rb"), Path(path).name)]},
        headers=corpus.api.as_("analyst").headers(), content_type="multipart/form-data")
    body: dict[str, Any] = response.get_json()
    assert response.status_code in (201, 422), body
    if response.status_code == 201:
        assert body["definitions"] and all(d["resource_name"] == Path(path).name for d in body["definitions"])
        return
    assert body["error"]["code"] == "deployment_invalid"
    problems = [p for p in body["error"]["details"] if p["severity"] == "error"]
    assert problems
    for problem in problems:
        assert problem["file"] == Path(path).name
        assert problem["line"] is None or problem["line"] > 0
        assert problem["message"] and problem["message"] == problem["message"].strip()
        assert "<Element " not in problem["message"] and " at 0x" not in problem["message"], problem
        assert problem["element"] or problem["line"], problem
