"""Test helpers: an API client that knows the standard cast of users and speaks JSON."""
from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from engine import Runtime, calendar, samples, users
from engine.clock import LOCAL_TZ

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parent.parent


def at(day: date, hour: int = 10) -> datetime:
    """A moment of a local (Beijing) day, as the UTC instant the engine stores."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL_TZ).astimezone(UTC)


def guide_samples(guide: bytes, folder: Path | None = None) -> list[tuple[str, bytes]]:
    """The sample files a guide's materials name (engine.samples), named as ``govflow deploy`` names them
    (``<code>/samples/<name>``): from the guide's ``folder``, else from the library's folder of its item (a
    library guide a test edited and wrote elsewhere)."""
    data = json.loads(guide.decode("utf-8-sig"))
    code = data.get("code") if isinstance(data, dict) else None
    found: dict[str, bytes] = {}
    for material in data.get("materials") or [] if isinstance(code, str) else []:
        sample = samples.of(material)
        if sample is None or sample.file is None:
            continue
        for where in (folder, ROOT / "bpmn" / code):
            if where is not None and (where / sample.file).is_file():
                found[f"{code}/{sample.file}"] = (where / sample.file).read_bytes()
                break
    return list(found.items())


@contextmanager
def statements(runtime: Runtime) -> Iterator[list[str]]:
    """The SQL statements the runtime's engine runs inside the block, whitespace collapsed."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()))
    event.listen(runtime.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(runtime.engine, "before_cursor_execute", record)

CAST = {
    "admin": dict(groups=[], roles=["admin"]),
    "analyst": dict(groups=[], roles=["analyst"]),
    "window_clerk": dict(groups=["window"], roles=["clerk"]),
    "window_clerk2": dict(groups=["window"], roles=["clerk"]),
    "office_clerk": dict(groups=["office"], roles=["clerk"]),
    "supervisor": dict(groups=[], roles=["supervisor"]),
    "integrator": dict(groups=[], roles=["integrator"]),
    # The agency head (机关负责人) of the window's and the food licence's departments (tests.heads sets them up).
    "head": dict(groups=["window", "food_review"], roles=["head"]),
    # Departments of the joint review meeting, parallel approval and one-thing bundle items.
    "zwfw_clerk": dict(groups=["zwfw"], roles=["clerk"]),
    "meeting_chair": dict(groups=["meeting_chair"], roles=["clerk"]),
    "fgw_clerk": dict(groups=["fgw"], roles=["clerk"]),
    "zrzy_clerk": dict(groups=["zrzy"], roles=["clerk"]),
    "zjj_clerk": dict(groups=["zjj"], roles=["clerk"]),
    "sthj_clerk": dict(groups=["sthj"], roles=["clerk"]),
    "scjg_clerk": dict(groups=["scjg"], roles=["clerk"]),
    "cgj_clerk": dict(groups=["cgj"], roles=["clerk"]),
    # Sections of the tolerant-acceptance, commitment-approval and internal joint review items.
    "chief_rep": dict(groups=["chief"], roles=["clerk"]),
    "certificate_clerk": dict(groups=["certificate"], roles=["clerk"]),
    "permit_clerk": dict(groups=["construction_permit"], roles=["clerk"]),
    "hygiene_clerk": dict(groups=["hygiene_approval"], roles=["clerk"]),
    "hygiene_inspector": dict(groups=["hygiene_supervision"], roles=["clerk"]),
    "planning_clerk": dict(groups=["planning_permit"], roles=["clerk"]),
    "zoning_clerk": dict(groups=["detailed_planning"], roles=["clerk"]),
    "municipal_clerk": dict(groups=["municipal_planning"], roles=["clerk"]),
}


class ApiClient:
    def __init__(self, client: Any, runtime: Runtime) -> None:
        self.client = client
        self.runtime = runtime
        self.tokens: dict[str, str] = {}
        self.user = "admin"

    def token(self, name: str) -> str:
        if name not in self.tokens:
            spec = CAST.get(name, dict(groups=[], roles=["clerk"]))
            _, self.tokens[name] = users.add_user(self.runtime.uow(), name, **spec, actor=users.SYSTEM)
        return self.tokens[name]

    def as_(self, name: str) -> ApiClient:
        other = ApiClient(self.client, self.runtime)
        other.tokens, other.user = self.tokens, name
        return other

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(self.user)}"}

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, headers=self.headers(), **kwargs)

    def post(self, url: str, json: Any = None, **kwargs: Any) -> Any:
        if json is None and "data" not in kwargs:
            json = {}
        return self.client.post(url, json=json, headers=self.headers(), **kwargs)

    def put(self, url: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.put(url, json={} if json is None else json, headers=self.headers(), **kwargs)

    def patch(self, url: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.patch(url, json={} if json is None else json, headers=self.headers(), **kwargs)

    def deploy(self, *paths: str | Path, expect: int = 201) -> Any:
        files: list[tuple[Any, str]] = []
        for path in paths:
            path = Path(path) if Path(path).is_absolute() else FIXTURES / path
            files.append((path.open("rb"), path.name))
            if path.name == "guide.json":  # with the sample files it names, as govflow deploy takes them
                files += [(io.BytesIO(content), name) for name, content in guide_samples(path.read_bytes(), path.parent)]
        response = self.as_("analyst").client.post(
            "/api/deployments", data={"files": files}, headers=self.as_("analyst").headers(),
            content_type="multipart/form-data")
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def start(self, key: str, expect: int = 201, **body: Any) -> Any:
        response = self.as_("integrator").post(f"/api/process-definitions/{key}/start", json=body)
        assert response.status_code == expect, response.get_json()
        return response.get_json()


def case_tasks(api: ApiClient, case: dict[str, Any] | int, *, reader: str = "supervisor") -> list[dict[str, Any]]:
    """A case's open tasks (the case given as its answer or its id), as ``reader`` reads them (by default
    the supervisor, who reads every case)."""
    case_id = case if isinstance(case, int) else case["id"]
    response = api.as_(reader).get(f"/api/process-instances/{case_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["tasks"]


def open_steps(api: ApiClient, case: dict[str, Any] | int) -> list[str]:
    """The BPMN ids of a case's open tasks, sorted."""
    return sorted(t["bpmn_id"] for t in case_tasks(api, case))


def by_bpmn_id(tasks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Tasks keyed by their BPMN id (the last one wins where several share it)."""
    return {t["bpmn_id"]: t for t in tasks}


def open_task(api: ApiClient, case: dict[str, Any] | int, bpmn_id: str, *,
              reader: str = "supervisor") -> dict[str, Any]:
    """The case's one open task ``bpmn_id``."""
    [task] = [t for t in case_tasks(api, case, reader=reader) if t["bpmn_id"] == bpmn_id]
    return task


def complete_task(api: ApiClient, task: dict[str, Any] | str, *, user: str | None = None, expect: int = 200,
                  **variables: Any) -> Any:
    """Complete a task (as the API returns it, or its id) as ``user``, by default the client's own user;
    asserts the answer's status and returns its body (the case as it then stands, or the error)."""
    task_id = task if isinstance(task, str) else task["id"]
    client = api if user is None else api.as_(user)
    response = client.post(f"/api/tasks/{task_id}/complete", json={"variables": variables})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def complete_open_task(api: ApiClient, case: dict[str, Any] | int, bpmn_id: str, *, user: str | None = None,
                       reader: str = "supervisor", expect: int = 200, **variables: Any) -> Any:
    """Complete the case's one open task ``bpmn_id`` (looked up as ``reader``), as complete_task does."""
    return complete_task(api, open_task(api, case, bpmn_id, reader=reader), user=user, expect=expect, **variables)


def seed_national_calendar(runtime: Runtime) -> None:
    """Load the national working-day calendar (the chinese-calendar package's years): deadlines count on it."""
    with runtime.uow() as uow:
        calendar.seed_national(uow)


def cover_year(runtime: Runtime, day: date) -> None:
    """Load ``day``'s year into the national calendar, New Year's Day its one holiday, when it has no data for
    it: a test that takes today's date (a meeting today, which the centre may convene only in a year the
    calendar holds) runs the same after the pinned package's last year."""
    if day.year not in calendar.for_runtime(runtime.uow()).known_years:
        calendar.replace_year(runtime.uow(), day.year, holidays=[{"date": f"{day.year}-01-01", "name": "元旦"}],
                              workdays=[], actor=users.Actor("admin", roles=frozenset({"admin"})))


def migrate(runtime: Runtime, revision: str, *, down: bool = False) -> None:
    """Up (or down) to ``revision`` as a plain alembic run does it: one transaction, foreign keys on (SQLite)."""
    from alembic import command

    from engine import schema

    engine = runtime.engine
    config = schema.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def rebuilt_keeping_rows(runtime: Runtime, table: str, rows: Callable[[], list[Any]], *, down_to: str,
                         up_to: str) -> None:
    """Down to ``down_to`` and up to ``up_to`` again, for a migration that rebuilds ``table`` with AUTOINCREMENT
    on SQLite (ids never given twice): ``rows()`` and the table's shape are as before both ways, and SQLite's
    table then counts its ids. The schema is left at the head whatever fails."""
    before, shape = rows(), table_shape(runtime, table)
    try:
        migrate(runtime, down_to, down=True)
        assert rows() == before, "the downgrade keeps them too"
        assert table_shape(runtime, table) == shape
        migrate(runtime, up_to)
    finally:
        from engine import schema

        schema.upgrade(runtime.engine)
    assert rows() == before
    assert table_shape(runtime, table) == shape
    if runtime.engine.dialect.name == "sqlite":
        from sqlalchemy import text

        with runtime.engine.connect() as connection:
            sql = connection.execute(text("SELECT sql FROM sqlite_master WHERE name = :table"),
                                     {"table": table}).scalar_one()
        assert "AUTOINCREMENT" in sql


def table_shape(runtime: Runtime, table: str) -> dict[str, Any]:
    """A table's indexes, unique constraints and foreign keys (with their ON DELETE), as the database has them:
    what a migration that rebuilds the table must keep."""
    from sqlalchemy import inspect

    with runtime.engine.connect() as connection:
        found = inspect(connection)
        return {"indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                                  for i in found.get_indexes(table)),
                "unique": sorted((u["name"] or "", tuple(u["column_names"])) for u in found.get_unique_constraints(table)),
                "foreign_keys": sorted((f["referred_table"], tuple(f["constrained_columns"]),
                                        tuple(f["referred_columns"]), (f.get("options") or {}).get("ondelete"))
                                       for f in found.get_foreign_keys(table))}
