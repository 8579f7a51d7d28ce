"""Driving the third-party BPMN corpus (../shared/bpmn-corpus) through the HTTP API.

The manifest says, per file, which other files its upstream test loads with it (``co_load``) and how
that test drives it (``test_note``). ``Corpus`` deploys a file with those companions the way an analyst
would (one multipart deployment) and drives cases the way clerks and integrators would: start, complete
tasks, send messages, read the case back. Scenarios live in tests/corpus_cases.py.
"""
from __future__ import annotations

import csv
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

from lxml import etree
from sqlalchemy import Engine, text

from engine import tasks as engine_tasks
from engine import users
from engine.models import Base
from engine.users import Actor
from tests import append_only
from tests.helpers import ApiClient, complete_task

REPO = Path(__file__).resolve().parents[1]
CORPUS_DIR = Path(os.environ.get("GOVFLOW_CORPUS_DIR", REPO.parent / "shared" / "bpmn-corpus"))
DIAGRAM_SUFFIXES = (".bpmn", ".bpmn20.xml")

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
Outcome = Literal["driven", "refused", "limitation"]
USER_TABLES = frozenset({"users", "api_tokens"})
SUPERVISOR = Actor("supervisor", roles=frozenset({"supervisor"}))


@dataclass(frozen=True)
class Entry:
    """One manifest row."""

    path: str
    folder: str
    co_load: tuple[str, ...]
    test_start: str
    test_note: str
    executable: str

    @property
    def file(self) -> Path:
        return CORPUS_DIR / self.path

    @property
    def files(self) -> list[Path]:
        """The file and the companions its upstream test loads with it, each once."""
        return [CORPUS_DIR / p for p in dict.fromkeys((self.path, *self.co_load))]

    @property
    def is_diagram(self) -> bool:
        return self.path.endswith(DIAGRAM_SUFFIXES)


@cache
def manifest() -> dict[str, Entry]:
    path = CORPUS_DIR / "MANIFEST.tsv"
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {row["path"]: Entry(path=row["path"], folder=row["folder"], co_load=tuple(row["co_load"].split()),
                               test_start=row["test_start"], test_note=row["test_note"],
                               executable=row["executable_processes"]) for row in rows}


def diagrams(*folders: str) -> list[Entry]:
    return [e for e in manifest().values() if e.is_diagram and e.folder in folders]


def called_files(entry: Entry) -> list[str]:
    """The co_load diagrams that define the processes this file calls, transitively, and the co_load DMN."""
    defines: dict[str, str] = {}
    calls: dict[str, set[str]] = {}
    for path in (entry.path, *entry.co_load):
        if not path.endswith(DIAGRAM_SUFFIXES):
            continue
        root = etree.parse(str(CORPUS_DIR / path)).getroot()
        for process in root.iter(f"{{{BPMN_NS}}}process"):
            defines.setdefault(process.get("id") or "", path)
        calls[path] = {c.get("calledElement") for c in root.iter(f"{{{BPMN_NS}}}callActivity")
                       if c.get("calledElement")}
    needed: list[str] = []
    pending = [entry.path]
    while pending:
        for called in sorted(calls.get(pending.pop(), ())):
            found = defines.get(called)
            if found and found != entry.path and found not in needed:
                needed.append(found)
                pending.append(found)
    return needed + [p for p in entry.co_load if p.endswith(".dmn")]


def clean_database(engine: Engine, keep: frozenset[str] = frozenset()) -> None:
    """Empty every table but those in ``keep`` (the suite keeps its users from one case to the next)."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name not in keep]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY"))
        else:
            with append_only.lifted(connection):  # SQLite has no TRUNCATE: the guard refuses DELETE
                for table in tables:
                    connection.execute(text(f"DELETE FROM {table}"))


# ---- driving cases over HTTP -------------------------------------------------------------------

class Corpus:
    """Deploy corpus files and drive their cases through the API, as the people involved would."""

    def __init__(self, api: ApiClient) -> None:
        self.api = api

    def deploy(self, path: str, companions: Sequence[str] | None = None) -> dict[str, Any]:
        """Deploy the file in one deployment with its co_load companions (or the ``companions``
        given instead); expect 201."""
        return self.api.deploy(*self._files(path, companions), expect=201)

    def refusal(self, path: str, companions: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Deploy, expect 422, and return the error problems (warnings left out)."""
        body = self.api.deploy(*self._files(path, companions), expect=422)
        assert body["error"]["code"] == "deployment_invalid", body
        return [p for p in body["error"]["details"] if p.get("severity", "error") == "error"]

    def _files(self, path: str, companions: Sequence[str] | None) -> list[Path]:
        entry = manifest()[path]
        if companions is None:
            return entry.files
        return list(dict.fromkeys([entry.file, *(CORPUS_DIR / c for c in companions)]))

    def start(self, key: str, expect: int = 201, **variables: Any) -> Case:
        body = self.api.start(key, expect=expect, variables=variables)
        return Case(self, body["id"])

    def start_failure(self, key: str, **variables: Any) -> dict[str, Any]:
        """Start a case whose first steps fail: 422, nothing stored; return the error body."""
        before = self.instances(key)
        response = self.api.as_("integrator").post(f"/api/process-definitions/{key}/start",
                                                   json={"variables": variables})
        assert response.status_code == 422, response.get_json()
        assert self.instances(key) == before
        return response.get_json()["error"]

    def send(self, name: str, *, case: Case | None = None, business_key: str | None = None,
             variables: dict[str, Any] | None = None, correlations: dict[str, Any] | None = None,
             expect: int = 200) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"name": name, "variables": variables or {}}
        if case is not None:
            body["process_instance_id"] = case.id
        if business_key is not None:
            body["business_key"] = business_key
        if correlations:
            body["correlations"] = correlations
        response = self.api.as_("integrator").post("/api/messages", json=body)
        assert response.status_code == expect, response.get_json()
        return response.get_json().get("process_instances", []) if expect == 200 else [response.get_json()]

    def instances(self, key: str | None = None) -> list[dict[str, Any]]:
        query = f"?process_key={key}&limit=500" if key else "?limit=500"
        return self.api.as_("supervisor").get(f"/api/process-instances{query}").get_json()["items"]

    def case_of(self, key: str) -> Case:
        [only] = self.instances(key)
        return Case(self, only["id"])

    def fire_timers(self, after: timedelta = timedelta(days=400)) -> int:
        """Fire every timer due within ``after`` from now, through the job runner; return how many ran."""
        from engine import (
            jobs,  # built separately; timer scenarios skip while it is missing
        )

        fired = jobs.run_due(self.api.runtime, worker_id="corpus-test", now=datetime.now(UTC) + after)
        return fired if isinstance(fired, int) else len(fired)

    def fire_until_incident(self, after: timedelta = timedelta(days=1)) -> list[dict[str, Any]]:
        """Fire due timers through every retry until the failing ones become incidents; return those."""
        from engine import jobs

        for attempt in range(len(jobs.BACKOFF) + 1):
            self.fire_timers(after=after + timedelta(hours=2 * attempt))  # each retry waits out its back-off
        return self.api.as_("supervisor").get("/api/incidents").get_json()

    def user_for(self, task: dict[str, Any]) -> ApiClient:
        """Who would work this task: its assignee, a candidate user, a member of a candidate group,
        an integrator for external tasks, any clerk when nobody is named."""
        if task["assignee"]:
            name = task["assignee"]
        elif task.get("kind") == "external":
            name = "integrator"
        elif task["candidate_users"]:
            name = task["candidate_users"][0]
        elif task["candidate_groups"]:
            name = self._member_of(task["candidate_groups"][0])
        else:
            name = "window_clerk"
        return self.api.as_(name)

    def _member_of(self, group: str) -> str:
        name = "member-of-" + "".join(c if c.isalnum() or c in "._-" else "_" for c in group)[:80]
        if name not in self.api.tokens:
            _, self.api.tokens[name] = users.add_user(self.api.runtime.uow(), name, groups=[group], roles=["clerk"],
                                                      actor=users.SYSTEM)
        return name


@dataclass
class Case:
    corpus: Corpus
    id: int
    seen: dict[str, Any] = field(default_factory=dict)

    def view(self) -> dict[str, Any]:
        response = self.corpus.api.as_("supervisor").get(f"/api/process-instances/{self.id}")
        assert response.status_code == 200, response.get_json()
        self.seen = response.get_json()
        return self.seen

    @property
    def state(self) -> str:
        return self.view()["state"]

    @property
    def variables(self) -> dict[str, Any]:
        return self.view()["variables"]

    @property
    def tasks(self) -> list[dict[str, Any]]:
        return self.view()["tasks"]

    def task_names(self) -> list[str]:
        return sorted(t["name"] or t["bpmn_id"] for t in self.tasks)

    def task(self, name: str) -> dict[str, Any]:
        """The one open task with this name or BPMN id."""
        found = [t for t in self.tasks if name in (t["name"], t["bpmn_id"])]
        assert len(found) == 1, f"expected one open task {name!r}, found {self.task_names()}"
        return found[0]

    def complete(self, name: str, expect: int = 200, **variables: Any) -> dict[str, Any]:
        task = self.task(name)
        return self.complete_task(task, expect=expect, **variables)

    def complete_task(self, task: dict[str, Any], expect: int = 200, **variables: Any) -> dict[str, Any]:
        return complete_task(self.corpus.user_for(task), task, expect=expect, **variables)

    def data_of(self, task: dict[str, Any]) -> dict[str, Any]:
        """The data a task's form would show (e.g. its multi-instance item). The HTTP API has no route
        for it yet, so this reads it through the engine, as a supervisor."""
        _, data = engine_tasks.task_data(self.corpus.api.runtime.uow(), task["id"], actor=SUPERVISOR)
        return data

    def history(self) -> list[dict[str, Any]]:
        return self.corpus.api.as_("supervisor").get(f"/api/process-instances/{self.id}/history").get_json()

    def reached(self) -> list[str]:
        """BPMN ids of the elements the case completed, in order."""
        return [e["element_id"] for e in self.history() if e["event"] == "element.completed"]

    def assert_completed(self, **expected: Any) -> dict[str, Any]:
        view = self.view()
        assert view["state"] == "completed", (view["state"], [t["name"] for t in view["tasks"]])
        assert view["tasks"] == []
        for name, value in expected.items():
            assert view["variables"].get(name) == value, (name, view["variables"].get(name), value)
        return view["variables"]


# ---- scenarios ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    path: str
    run: Callable[[Corpus], None]
    outcome: Outcome
    reason: str = ""  # for refusals and limitations: why, in one line
    needs: tuple[str, ...] = ()  # engine modules the scenario depends on (e.g. "jobs")


SCENARIOS: dict[str, Scenario] = {}


def scenario(path: str, *, outcome: Outcome = "driven", reason: str = "", needs: tuple[str, ...] = ()
             ) -> Callable[[Callable[[Corpus], None]], Callable[[Corpus], None]]:
    """Register how a manifest file is driven and what it must end with."""
    def register(run: Callable[[Corpus], None]) -> Callable[[Corpus], None]:
        assert path not in SCENARIOS, f"two scenarios for {path}"
        assert outcome == "driven" or reason, f"{path}: say why it is {outcome}"
        SCENARIOS[path] = Scenario(path, run, outcome, reason, needs)
        return run
    return register


def missing_modules(needs: tuple[str, ...]) -> list[str]:
    import importlib.util

    return [f"engine.{name}" for name in needs if importlib.util.find_spec(f"engine.{name}") is None]
