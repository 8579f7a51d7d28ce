"""Benchmark: a window-acceptance case with 5 user tasks driven through HTTP on SQLite, side by side
with the bare SpiffWorkflow cost of the same work measured in the same run.

    .venv/bin/python bench/workflow.py [--cases 200] [--clients 2] [--workers 2]

Prints requests/second, milliseconds per task completion (HTTP + database), SQL statements and CPU time per
completion in-process, the bare engine cost (deserialize -> complete -> engine steps -> serialize, in
memory), their ratios, and stored bytes per case.

The HTTP client is the standard library's http.client: what is measured is the server's path, not a client
library's (requests alone adds about 1 ms per call on a 2-core machine). The diagram is deployed without its
guide and document templates: the workflow path is measured, not PDF rendering, so its acceptance and grant
steps issue no document (each would log that it issued none; those lines are kept out of the figures).
"""
from __future__ import annotations

import argparse
import gc
import http.client
import io
import json
import logging
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import Runtime, Settings, _spiff, calendar, diagram_functions, diagrams, schema, users
from tests.live import LiveServer

logging.getLogger("engine.documents").setLevel(logging.ERROR)  # templates not deployed on purpose: see above

DIAGRAM = ROOT / "bpmn" / "window-acceptance" / "window_acceptance.bpmn"
# What each of the 5 user tasks is completed with, in order, and who does it.
STEPS: list[tuple[str, dict[str, Any]]] = [("window", {"decision": "accept", "applicant_name": "张三", "materials_complete": True}),
         ("review", {"review_opinion": "材料齐全，符合条件"}),
         ("chief", {"approved": True, "decision_opinion": "准予许可"}),
         ("certificate", {"certificate_no": "JY13101010000001"}),
         ("window", {"delivery_method": "window"})]


class InMemoryWorkdays(diagram_functions.Binding):
    """``workdays(n)`` for the in-memory paths (the acceptance step's 视为受理 timer reads it): weekdays
    only, no database. Counting working days in the case's calendar is govflow's work, not SpiffWorkflow's."""

    def __init__(self) -> None:  # no unit of work, calendar or case: nothing is read
        self.now = datetime.now(UTC)

    def __call__(self, n: int, start: Any = None) -> str:
        day, left = self.now.date(), n
        while left:
            day += timedelta(days=1)
            left -= day.weekday() < 5
        return datetime.combine(day, datetime.max.time(), UTC).isoformat()


def bare_engine_ms(rounds: int) -> float:
    """The same five completions, in memory: deserialize -> complete -> engine steps -> serialize."""
    prepared = diagrams.prepare(DIAGRAM.name, DIAGRAM.read_bytes())
    built, problems = _spiff.build_specs([prepared], [])
    assert not problems, problems
    item = built["window_acceptance"]
    spec = _spiff._registry.restore(item["spec"])
    subs = {k: _spiff._registry.restore(v) for k, v in item["subprocess_specs"].items()}
    return _in_memory_ms(rounds, lambda: _spiff.new_workflow(spec, subs), _spiff.dumps,
                         lambda state: _spiff.loads(state, spec, subs))


def stock_engine_ms(rounds: int) -> float:
    """The same work with SpiffWorkflow's own serializer as its documentation uses it (spec inside the
    state, standard json): what a plain SpiffWorkflow application pays per completion."""
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    prepared = diagrams.prepare(DIAGRAM.name, DIAGRAM.read_bytes())
    parser = _spiff.Parser()
    parser.add_bpmn_xml(prepared.tree, filename=DIAGRAM.name)
    spec = parser.get_spec("window_acceptance")

    def load(state: str) -> Any:
        workflow = serializer.deserialize_json(state)
        workflow.script_engine = _spiff.script_engine
        return workflow
    return _in_memory_ms(rounds, lambda: _spiff.new_workflow(spec, {}), serializer.serialize_json, load)


def _in_memory_ms(rounds: int, new: Any, dump: Any, load: Any) -> float:
    """Median cost of one completion: load the state, complete the ready task, run, dump it again."""
    diagram_functions.use(InMemoryWorkdays())
    timings = []
    for _ in range(rounds):
        workflow = new()
        workflow.do_engine_steps()
        state = dump(workflow)
        for _, data in STEPS:
            started = time.perf_counter()
            workflow = load(state)
            task = workflow.get_tasks(state=_spiff_ready(), manual=True)[0]
            task.set_data(**data)
            task.run()
            workflow.do_engine_steps()
            state = dump(workflow)
            timings.append(time.perf_counter() - started)
        assert workflow.completed
    return statistics.median(timings) * 1000


def _spiff_ready() -> int:
    from SpiffWorkflow.util.task import TaskState

    return TaskState.READY


class Client:
    """One HTTP connection (reopened when gunicorn's sync worker closes it), JSON in and out."""

    def __init__(self, url: str) -> None:
        host, _, port = url.removeprefix("http://").partition(":")
        self.connection = http.client.HTTPConnection(host, int(port))

    def post(self, path: str, body: dict[str, Any], token: str) -> tuple[int, dict[str, Any]]:
        self.connection.request("POST", path, body=json.dumps(body), headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = self.connection.getresponse()
        return response.status, json.loads(response.read())


def drive_case(client: Client, tokens: dict[str, str], latencies: list[float]) -> int:
    status, case = client.post("/api/process-definitions/window_acceptance/start", {"variables": {}},
                               tokens["integrator"])
    assert status == 201, case
    task = case["tasks"][0]
    for group, data in STEPS:
        started = time.perf_counter()
        status, body = client.post(f"/api/tasks/{task['id']}/complete", {"variables": data}, tokens[group])
        latencies.append(time.perf_counter() - started)
        assert status == 200, body
        task = body["tasks"][0] if body["tasks"] else None
    assert body["state"] == "completed", body
    return int(case["id"])


def in_process_figures(tmp: Path, tokens_for: Any, cases: int) -> tuple[float, float]:
    """SQL statements and median CPU milliseconds per completion of the same case, in-process (Flask's test
    client) on a fresh SQLite database: wall-clock figures are noisy on a shared machine, these are not."""
    from sqlalchemy import event

    from api import create_app

    runtime = fresh_runtime(Settings(database_url=f"sqlite:///{tmp}/count.db", data_dir=tmp))
    tokens = tokens_for(runtime)
    client = create_app({"TESTING": True}, runtime=runtime).test_client()
    gc.collect()
    gc.freeze()  # as each gunicorn worker does once the app is loaded (api/server.py)
    files = [DIAGRAM, *sorted((ROOT / "forms").glob("window-*.form"))]
    deployed = client.post("/api/deployments", data={"files": [(io.BytesIO(p.read_bytes()), p.name) for p in files]},
                           headers={"Authorization": f"Bearer {tokens['analyst']}"}, content_type="multipart/form-data")
    assert deployed.status_code == 201, deployed.get_json()
    counted: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        counted.append(statement)

    cpu: list[float] = []

    def drive(counting: bool) -> None:
        case = client.post("/api/process-definitions/window_acceptance/start", json={"variables": {}},
                           headers={"Authorization": f"Bearer {tokens['integrator']}"}).get_json()
        task = case["tasks"][0]
        for group, data in STEPS:
            if counting:
                event.listen(runtime.engine, "before_cursor_execute", count)
            started = time.process_time()
            response = client.post(f"/api/tasks/{task['id']}/complete", json={"variables": data},
                                   headers={"Authorization": f"Bearer {tokens[group]}"})
            cpu.append(time.process_time() - started)
            if counting:
                event.remove(runtime.engine, "before_cursor_execute", count)
            assert response.status_code == 200, response.get_json()
            task = response.get_json()["tasks"][0] if response.get_json()["tasks"] else None
    for _ in range(5):
        drive(False)  # warm the per-process caches, as the HTTP figures are taken warm
    cpu.clear()
    drive(True)
    statements = len(counted) / len(STEPS)
    for _ in range(cases):
        drive(False)
    gc.unfreeze()
    runtime.dispose()
    return statements, statistics.median(cpu) * 1000


def fresh_runtime(settings: Settings) -> Runtime:
    """A database set up as `govflow db upgrade` leaves it: the schema, and the national calendar (without
    it deadlines fall back to Monday-to-Friday counting and every clock warns)."""
    runtime = Runtime(settings)
    schema.upgrade(runtime.engine)
    calendar.seed_national(runtime.uow())
    return runtime


def bench_users(runtime: Runtime) -> dict[str, str]:
    return {name: users.add_user(runtime.uow(), name, groups=[name], roles=roles, actor=users.SYSTEM)[1]
            for name, roles in [("analyst", ["analyst"]), ("integrator", ["integrator"]),
                                ("window", ["clerk"]), ("review", ["clerk"]), ("chief", ["clerk"]),
                                ("certificate", ["clerk"])]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--clients", type=int, default=2, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/bench.db", data_dir=Path(tmp))
        runtime = fresh_runtime(settings)
        tokens = bench_users(runtime)
        server = LiveServer(settings.database_url, Path(tmp), workers=args.workers)
        try:
            files = [DIAGRAM, *sorted((ROOT / "forms").glob("window-*.form"))]  # forms are checked too
            deployed = requests.post(server.url + "/api/deployments",
                                     files=[("files", (p.name, p.read_bytes())) for p in files],
                                     headers={"Authorization": f"Bearer {tokens['analyst']}"})
            assert deployed.status_code == 201, deployed.text
            warm = Client(server.url)
            for _ in range(5):
                drive_case(warm, tokens, [])

            # Sequential: one clerk after another, latency per completion.
            latencies: list[float] = []
            one = Client(server.url)
            for _ in range(max(args.cases // 4, 10)):
                drive_case(one, tokens, latencies)
            sequential_ms = statistics.median(latencies) * 1000

            # Concurrent: throughput of the whole system.
            per_client = args.cases // args.clients
            done: list[float] = []
            lock = threading.Lock()

            def client() -> None:
                own, mine = Client(server.url), list[float]()
                for _ in range(per_client):
                    drive_case(own, tokens, mine)
                with lock:
                    done.extend(mine)

            started = time.perf_counter()
            threads = [threading.Thread(target=client) for _ in range(args.clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            requests_total = per_client * args.clients * (len(STEPS) + 1)
            rps = requests_total / elapsed
            throughput_ms = elapsed * 1000 / (per_client * args.clients * len(STEPS))
        finally:
            server.stop()

        bare_ms = bare_engine_ms(rounds=50)
        statements, cpu_ms = in_process_figures(Path(tmp), bench_users, cases=max(args.cases // 4, 10))
        stock_ms = stock_engine_ms(rounds=50)
        from sqlalchemy import func, select

        from engine.models import HistoryEvent, ProcessInstance
        with runtime.uow() as uow:
            cases = uow.session.scalar(select(func.count(ProcessInstance.id))) or 0
            state_bytes = uow.session.scalar(select(func.avg(func.length(ProcessInstance.workflow)))) or 0
            history_rows = uow.session.scalar(select(func.count(HistoryEvent.id))) or 0
        db_bytes = Path(tmp, "bench.db").stat().st_size + sum(
            p.stat().st_size for p in Path(tmp).glob("bench.db-*"))

    print(f"cases driven               {cases}")
    print(f"HTTP requests/second       {rps:8.1f}   ({args.clients} clients, {args.workers} gunicorn workers)")
    print(f"ms per completion (seq.)   {sequential_ms:8.2f}   median latency, one client")
    print(f"ms per completion (conc.)  {throughput_ms:8.2f}   wall time / completions, {args.clients} clients")
    print(f"SQL statements/completion  {statements:8.1f}   counted in-process (test client), warm caches")
    print(f"CPU ms per completion      {cpu_ms:8.2f}   in-process (test client), median: the server's own work")
    print(f"bare SpiffWorkflow ms      {bare_ms:8.2f}   deserialize -> complete -> steps -> serialize "
          "(cached spec, orjson: govflow's own engine path)")
    print(f"stock SpiffWorkflow ms     {stock_ms:8.2f}   the same with SpiffWorkflow's serializer as documented")
    print(f"ratio bare / full (seq.)   {bare_ms / sequential_ms:8.2f}   target >= 0.5")
    print(f"ratio bare / full (conc.)  {bare_ms / throughput_ms:8.2f}")
    print(f"ratio stock / full (seq.)  {stock_ms / sequential_ms:8.2f}")
    print(f"ratio bare / in-process    {bare_ms / cpu_ms:8.2f}   (stock / in-process {stock_ms / cpu_ms:.2f})")
    print(f"stored state bytes / case  {state_bytes:8.0f}   (serialized workflow, spec stored once per version)")
    print(f"database bytes / case      {db_bytes / max(cases, 1):8.0f}   (all tables and indexes, {history_rows // max(cases,1)} history rows per case)")


if __name__ == "__main__":
    main()
