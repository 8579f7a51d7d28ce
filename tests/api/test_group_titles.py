"""Groups have display names (titles): admins set them with the department (``PUT /api/departments/CODE``,
a group given as ``{"name", "title"}``; a plain name keeps its title) or on the command line
(``--group window=TITLE``, ``govflow department title``), and pages name a group by its title beside its
department, the code only when it has none. scripts/run.sh gives the demo groups theirs, on a database set up
before titles too, never over an admin's. Migration 0029 adds the column, and takes it away going down."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, select

from api.cli import main
from engine import Runtime, departments, schema
from engine.models import Department, DepartmentGroup
from engine.users import SYSTEM
from tests.api.test_audit import entries
from tests.api.test_pages import start_routed
from tests.api.test_pages_intake import Browser
from tests.helpers import FIXTURES, ROOT, ApiClient, migrate

WINDOW, REVIEW = "综合受理窗口", "审查科"


def put(api: ApiClient, code: str, expect: int = 200, **body: Any) -> Any:
    response = api.as_("admin").put(f"/api/departments/{code}", body)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def cli(runtime: Runtime, tmp_path: Path, *args: str) -> Any:
    env = {"DATABASE_URL": runtime.settings.database_url, "GOVFLOW_DATA_DIR": str(tmp_path)}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


# ---- the API --------------------------------------------------------------------------------------

def test_admins_give_groups_titles_and_a_plain_name_keeps_the_title_it_has(api: ApiClient) -> None:
    created = put(api, "ZWFW", 201, name="市政务服务管理局",
                  groups=[{"name": "window", "title": f" {WINDOW} "}, "zwfw", {"name": "meeting_chair"}])
    assert created["groups"] == ["meeting_chair", "window", "zwfw"]
    assert created["titles"] == {"meeting_chair": None, "window": WINDOW, "zwfw": None}
    renamed = put(api, "ZWFW", name="政务服务中心", groups=["window", {"name": "zwfw", "title": "审批协调科"}])
    assert renamed["titles"] == {"window": WINDOW, "zwfw": "审批协调科"}  # window given plain: kept
    cleared = put(api, "ZWFW", name="政务服务中心", groups=[{"name": "window", "title": None},
                                                          {"name": "zwfw", "title": ""}])
    assert cleared["titles"] == {"window": None, "zwfw": None}
    put(api, "ZWFW", name="政务服务中心", groups=[{"name": "window", "title": WINDOW}])
    assert api.as_("window_clerk").get("/api/departments/ZWFW").get_json()["titles"] == {"window": WINDOW}
    assert [d["titles"] for d in api.as_("window_clerk").get("/api/departments").get_json()] == [{"window": WINDOW}]


def test_a_group_moved_to_another_department_keeps_its_title_unless_given_one(api: ApiClient) -> None:
    put(api, "SCJG", 201, name="市市场监督管理局", groups=[{"name": "review", "title": REVIEW},
                                                         {"name": "chief", "title": "首席事务代表"}])
    moved = put(api, "XZSP", 201, name="行政审批局", groups=["review", {"name": "chief", "title": "分管负责人"}],
                move_groups=True)
    assert moved["titles"] == {"chief": "分管负责人", "review": REVIEW}
    assert put(api, "SCJG", name="市市场监督管理局")["titles"] == {}


def test_a_bad_title_or_group_item_is_a_422_naming_it_and_nothing_changes(api: ApiClient) -> None:
    put(api, "ZWFW", 201, name="市政务服务管理局", groups=[{"name": "window", "title": WINDOW}])

    def refused(*groups: Any) -> list[str]:
        error = put(api, "ZWFW", 422, name="市政务服务管理局", groups=list(groups))["error"]
        assert error["code"] == "validation_failed"
        return [d["field"] for d in error["details"]]

    assert refused("zwfw", {"name": "window", "title": "窗" * 101}) == ["groups.1.title"]
    assert refused({"name": "window", "title": "综合\u202e窗口"}) == ["groups.0.title"]
    assert refused({"name": "window", "title": "\u200b"}) == ["groups.0.title"]  # shows nothing
    assert refused({"name": "window", "title": 3}) == ["groups.0.title"]
    assert refused({"title": WINDOW}) == ["groups.0.name"]
    assert refused({"name": "window", "label": WINDOW}) == ["groups.0.label"]
    assert refused(["window"]) == ["groups.0"]
    assert refused({"name": "win dow", "title": WINDOW}) == ["groups"]
    assert api.get("/api/departments/ZWFW").get_json()["titles"] == {"window": WINDOW}


def test_title_changes_are_in_the_audit_log(api: ApiClient) -> None:
    put(api, "ZWFW", 201, name="市政务服务管理局", groups=["window", "zwfw"])
    put(api, "ZWFW", name="市政务服务管理局", groups=[{"name": "window", "title": WINDOW}, "zwfw"])
    created, titled = entries(api, target_kind="department")
    assert created["change"]["after"] == {"name": "市政务服务管理局", "parent_code": None,
                                          "groups": ["window", "zwfw"]}
    assert titled["change"] == {"before": {}, "after": {"titles": {"window": WINDOW}}, "created": False}


def test_the_openapi_document_shows_both_forms_of_a_group_and_the_titles(api: ApiClient) -> None:
    schemas = api.get("/api/openapi.json").get_json()["components"]["schemas"]
    item = schemas["DepartmentIn"]["properties"]["groups"]["items"]
    assert [form["type"] for form in item["oneOf"]] == ["string", "object"]
    assert set(item["oneOf"][1]["properties"]) == {"name", "title"}
    assert "titles" in schemas["Department"]["properties"]


# ---- pages ----------------------------------------------------------------------------------------

@pytest.fixture
def clerk(api: ApiClient) -> Browser:
    api.deploy(FIXTURES / "routed_task.bpmn")
    return Browser(api, "window_clerk")


def test_pages_name_a_group_by_its_title_beside_its_department(api: ApiClient, clerk: Browser) -> None:
    departments.put_department(api.runtime.uow(), "ZWFW", actor=SYSTEM, name="市政务服务管理局", groups=["window"],
                               titles={"window": WINDOW})
    departments.put_department(api.runtime.uow(), "ZRZY", actor=SYSTEM, name="市自然资源和规划局",
                               groups=["zrzy", "planning_permit"], titles={"planning_permit": "规划<许可>科"})
    view = start_routed(api.runtime, "SX-2026-0101", due=None, group="window, zrzy, planning_permit, archive")
    task = clerk.get(f"/tasks/{view.tasks[0].id}").text
    assert (f"<dd>{WINDOW}（市政务服务管理局）、zrzy（市自然资源和规划局）、"
            "规划&lt;许可&gt;科（市自然资源和规划局）、archive</dd>") in task
    queue = clerk.get("/queue").text
    assert f"组：{WINDOW}（市政务服务管理局）" in queue
    assert "· 市政务服务管理局、市自然资源和规划局、archive</span>" in queue  # who it is for: departments alone

    clerk.get("/lang/en?next=/queue")  # titles are data: the same in English
    assert re.search(rf"<dd>{WINDOW} \(市政务服务管理局\), zrzy \(市自然资源和规划局\)",
                     clerk.get(f"/tasks/{view.tasks[0].id}").text)


# ---- the command line -----------------------------------------------------------------------------

def test_the_command_line_sets_titles_with_the_groups_and_lists_them(runtime: Runtime, tmp_path: Path) -> None:
    added = cli(runtime, tmp_path, "department", "add", "SCJG", "--name", "市市场监督管理局",
                "--group", f"review={REVIEW}", "--group", "chief")
    assert added.exit_code == 0, added.output
    assert added.output.strip() == f"department SCJG created: 市市场监督管理局, groups chief, review={REVIEW}"
    renamed = cli(runtime, tmp_path, "department", "add", "SCJG", "--update", "--name", "市场监管局")
    assert renamed.exit_code == 0 and departments.get_department(runtime.uow(), "SCJG").titles == {
        "chief": None, "review": REVIEW}
    cli(runtime, tmp_path, "department", "add", "SCJG", "--update", "--name", "市场监管局", "--group", "review",
        "--group", "chief=首席事务代表")
    assert cli(runtime, tmp_path, "department", "list").output.splitlines() == [
        f"SCJG\t市场监管局\tparent=\tgroups=chief=首席事务代表,review={REVIEW}"]
    cli(runtime, tmp_path, "department", "add", "SCJG", "--update", "--name", "市场监管局", "--group", "review=")
    assert departments.get_department(runtime.uow(), "SCJG").titles == {"review": None}


def test_the_title_command_fills_in_missing_titles_only_when_asked(runtime: Runtime, tmp_path: Path) -> None:
    cli(runtime, tmp_path, "department", "add", "SCJG", "--name", "市市场监督管理局", "--group", "review=审批科",
        "--group", "chief")
    missing = cli(runtime, tmp_path, "department", "title", "--only-untitled", f"review={REVIEW}",
                  "chief=首席事务代表", "nobody=无人")
    assert missing.exit_code == 0, missing.output
    assert missing.output.splitlines() == ["group chief: 首席事务代表"]
    assert departments.get_department(runtime.uow(), "SCJG").titles == {"chief": "首席事务代表", "review": "审批科"}
    assert cli(runtime, tmp_path, "department", "title", "--only-untitled", "chief=分管负责人").output == ""

    unknown = cli(runtime, tmp_path, "department", "title", "nobody=无人", f"review={REVIEW}")
    assert unknown.exit_code == 1 and "no department owns the group(s) nobody" in unknown.output
    changed = cli(runtime, tmp_path, "department", "title", f"review={REVIEW}", "chief=")
    assert changed.output.splitlines() == [f"group review: {REVIEW}", "group chief: title cleared"]
    assert departments.get_department(runtime.uow(), "SCJG").titles == {"chief": None, "review": REVIEW}
    assert cli(runtime, tmp_path, "department", "title", "review").exit_code == 2  # no title given


# ---- scripts/run.sh -------------------------------------------------------------------------------

def _demo_departments(runtime: Runtime, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """run.sh's demo departments and titles, run with the real command line on the test database."""
    run_sh = (ROOT / "scripts" / "run.sh").read_text()
    found = re.search(r"^declare -A title=.*?^\$gf department title .*?\n", run_sh, re.MULTILINE | re.DOTALL)
    assert found, "run.sh sets up the demo departments with their titles"
    env = {**os.environ, "DATABASE_URL": runtime.settings.database_url, "GOVFLOW_DATA_DIR": str(tmp_path)}
    script = f"set -euo pipefail\ngf={ROOT / '.venv' / 'bin' / 'govflow'}\n{found.group(0)}"
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False, env=env, cwd=ROOT)


def _titles(runtime: Runtime) -> dict[str, tuple[str, str | None]]:
    with runtime.uow() as uow:
        return {group: (code, title) for group, code, title in uow.session.execute(
            select(DepartmentGroup.group_name, DepartmentGroup.department_code, DepartmentGroup.title))}


def test_run_sh_gives_every_demo_group_a_title_and_fills_in_those_of_an_older_database(
        runtime: Runtime, tmp_path: Path) -> None:
    # A database set up before titles: the old demo departments, one group given a title by an admin since.
    departments.put_department(runtime.uow(), "SCJG", actor=SYSTEM, name="市场监督管理局",
                               groups=["review", "chief", "food_review", "certificate", "scjg"],
                               titles={"chief": "分管负责人"})
    departments.put_department(runtime.uow(), "ZWFW", actor=SYSTEM, name="市政务服务管理局",
                               groups=["window", "zwfw", "meeting_chair"])
    done = _demo_departments(runtime, tmp_path)
    assert done.returncode == 0, done.stderr
    titles = _titles(runtime)
    assert titles["window"] == ("ZWFW", WINDOW) and titles["review"] == ("SCJG", REVIEW)
    assert titles["chief"] == ("SCJG", "分管负责人"), "an admin's title stays"
    assert all(title for _, title in titles.values()), titles
    with runtime.uow() as uow:
        names = dict(uow.session.execute(select(Department.code, Department.name)).all())
    assert names["SCJG"] == "市场监督管理局", "an existing department is left as it is"
    assert (names["WJW"], names["CGJ"]) == ("市卫生健康委员会", "市城市管理局")
    assert {code for code, _ in titles.values()} == {"ZWFW", "SCJG", "WJW", "ZJJ", "ZRZY", "CGJ", "STHJ", "XZ-001"}

    again = _demo_departments(runtime, tmp_path)  # nothing missing: nothing printed, nothing changed
    assert again.returncode == 0 and again.stdout == "" and _titles(runtime) == titles


# ---- the migration --------------------------------------------------------------------------------

def test_0029_adds_the_title_column_and_takes_it_away_going_down(api: ApiClient, runtime: Runtime) -> None:
    put(api, "ZWFW", 201, name="市政务服务管理局", groups=[{"name": "window", "title": WINDOW}, "zwfw"])

    def columns() -> set[str]:
        with runtime.engine.connect() as connection:
            return {c["name"] for c in inspect(connection).get_columns("department_groups")}

    def rows() -> list[tuple[str, str]]:
        with runtime.engine.connect() as connection:
            return sorted(tuple(r) for r in connection.exec_driver_sql(
                "SELECT group_name, department_code FROM department_groups"))

    before = rows()
    try:
        migrate(runtime, "0028", down=True)
        assert "title" not in columns() and rows() == before
        migrate(runtime, "0029")
        assert "title" in columns() and rows() == before
    finally:
        schema.upgrade(runtime.engine)
    assert api.get("/api/departments/ZWFW").get_json()["titles"] == {"window": None, "zwfw": None}
