"""Benchmark (not a test): timers all due at the same instant, fired by one and then by two
``govflow worker`` processes on PostgreSQL. Prints jobs per second and lateness (median, p99).

    .venv/bin/python bench/timers.py [--timers 10000] [--server postgresql://postgres@127.0.0.1:5432/test]

Creates its own database on the server and drops it at the end. Cases are seeded by starting one
through the engine and copying its rows in SQL (starting 10,000 through the engine would take longer
than firing them); every copy waits at the same timer, with its own job row.
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, text, update

from engine import Runtime, Settings, definitions, instances, schema
from engine.db import normalise_url
from engine.models import HistoryEvent, Job
from engine.users import SYSTEM

ROOT = Path(__file__).resolve().parent.parent

DIAGRAM = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Defs_bench"
    targetNamespace="http://govflow.example/bench">
  <bpmn:process id="bench_timer" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>
</bpmn:definitions>
"""


def seed(runtime: Runtime, count: int) -> None:
    """``count`` cases waiting at the timer: one started for real, the rest copies of its rows."""
    with runtime.engine.begin() as connection:
        connection.execute(text("TRUNCATE process_instances CASCADE"))
    view, _ = instances.start(runtime.uow(), "bench_timer", actor=SYSTEM)
    columns = {table: [c["name"] for c in inspect(runtime.engine).get_columns(table) if c["name"] != "id"]
               for table in ("process_instances", "jobs")}
    cases = ", ".join("'BENCH-' || g" if c == "business_key" else f"p.{c}"
                      for c in columns["process_instances"])
    jobs = ", ".join("p.id" if c == "instance_id" else f"j.{c}" for c in columns["jobs"])
    with runtime.engine.begin() as connection:
        connection.execute(text(
            f"INSERT INTO process_instances ({', '.join(columns['process_instances'])}) SELECT {cases} "
            f"FROM process_instances p CROSS JOIN generate_series(1, :n) g WHERE p.id = :seed"),
            {"n": count - 1, "seed": view.id})
        connection.execute(text(
            f"INSERT INTO jobs ({', '.join(columns['jobs'])}) SELECT {jobs} FROM process_instances p "
            f"JOIN jobs j ON j.instance_id = :seed WHERE p.id <> :seed"), {"seed": view.id})
        connection.execute(text("ANALYZE"))


def start_workers(url: str, count: int, logs: Path) -> list[subprocess.Popen[bytes]]:
    env = dict(os.environ, DATABASE_URL=url, GOVFLOW_DATA_DIR=str(logs))
    govflow = Path(sys.executable).with_name("govflow")
    workers = [subprocess.Popen([str(govflow), "worker"], cwd=ROOT, env=env,
                                stdout=(logs / f"worker-{count}-{i}.log").open("w"), stderr=subprocess.STDOUT)
               for i in range(count)]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # warm: polling before the timers fall due
        if all("polling every" in (logs / f"worker-{count}-{i}.log").read_text() for i in range(count)):
            return workers
        time.sleep(0.1)
    raise RuntimeError(f"workers did not start; see {logs}")


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_round(runtime: Runtime, url: str, timers: int, worker_count: int, logs: Path) -> dict[str, float]:
    seed(runtime, timers)
    workers = start_workers(url, worker_count, logs)
    try:
        idle_cpu = sum(cpu_seconds(w.pid) for w in workers)
        due = datetime.now(UTC) + timedelta(seconds=1)
        with runtime.engine.begin() as connection:
            connection.execute(update(Job).values(due_at=due))
        with runtime.uow() as uow:
            while uow.session.scalar(select(func.count()).where(Job.state == "pending")):
                uow.session.rollback()  # a fresh snapshot for the next look
                time.sleep(0.2)
            fired = list(uow.session.scalars(
                select(HistoryEvent.at).where(HistoryEvent.event == "timer.fired")))
            failed = uow.session.scalar(select(func.count()).where(Job.state != "done"))
        worker_cpu = sum(cpu_seconds(w.pid) for w in workers) - idle_cpu
    finally:
        stop_workers(workers)
    if len(fired) != timers or failed:
        raise RuntimeError(f"{len(fired)} timer.fired rows and {failed} jobs not done for {timers} timers")
    lateness = sorted((at - due).total_seconds() for at in fired)
    return {"rate": timers / lateness[-1], "median": statistics.median(lateness),
            "p99": lateness[int(0.99 * (len(lateness) - 1))], "max": lateness[-1],
            "cpu_ms": 1000 * worker_cpu / timers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timers", type=int, default=10_000)
    parser.add_argument("--server", default=os.environ.get("BENCH_POSTGRES_URL",
                                                           "postgresql://postgres@127.0.0.1:5432/test"),
                        help="any database on the PostgreSQL server; the benchmark creates its own beside it")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the cleanup below still runs
    name = f"govflow_bench_{os.getpid()}"
    admin = create_engine(normalise_url(args.server), isolation_level="AUTOCOMMIT")
    url = args.server.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    runtime = Runtime(Settings(database_url=url, data_dir=Path(tempfile.mkdtemp(prefix="govflow-bench-"))))
    try:
        schema.upgrade(runtime.engine)
        definitions.deploy(runtime.uow(), [("bench_timer.bpmn", DIAGRAM)], actor=SYSTEM)
        print(f"{args.timers} timers due at the same instant, PostgreSQL, workers poll every second; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
        print(f"{'workers':>7}  {'jobs/s':>7}  {'lateness median':>15}  {'p99':>7}  {'last':>7}  "
              f"{'worker CPU/job':>14}")
        for worker_count in (1, 2):
            result = run_round(runtime, url, args.timers, worker_count, runtime.settings.data_dir)
            print(f"{worker_count:>7}  {result['rate']:>7.0f}  {result['median']:>14.1f}s"
                  f"  {result['p99']:>6.1f}s  {result['max']:>6.1f}s  {result['cpu_ms']:>12.1f}ms",
                  flush=True)
    finally:
        runtime.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
