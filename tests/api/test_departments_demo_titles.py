"""scripts/run.sh fills in the demo groups' titles on every start, for groups that never had one: a title an
admin cleared stays cleared (``govflow department title --only-untitled``, read from the audit log)."""
from __future__ import annotations

from pathlib import Path

from engine import Runtime, departments
from engine.users import SYSTEM
from tests.api.test_group_titles import WINDOW, _demo_departments, _titles, cli


def test_run_sh_leaves_a_title_an_admin_cleared_cleared(runtime: Runtime, tmp_path: Path) -> None:
    first = _demo_departments(runtime, tmp_path)
    assert first.returncode == 0, first.stderr
    assert _titles(runtime)["window"] == ("ZWFW", WINDOW)
    departments.put_department(runtime.uow(), "ZWFW", actor=SYSTEM, name="市政务服务管理局",
                               groups=["window", "zwfw", "meeting_chair"], titles={"window": None})
    cleared = _titles(runtime)

    again = _demo_departments(runtime, tmp_path)

    assert again.returncode == 0 and again.stdout == "", again.stdout
    assert _titles(runtime) == cleared and cleared["window"] == ("ZWFW", None)


def test_only_untitled_titles_a_group_that_never_had_one_but_not_one_cleared_since(
        runtime: Runtime, tmp_path: Path) -> None:
    cli(runtime, tmp_path, "department", "add", "SCJG", "--name", "市市场监督管理局", "--group", "review=审批科",
        "--group", "chief")
    assert cli(runtime, tmp_path, "department", "title", "review=").exit_code == 0  # an admin clears it

    filled = cli(runtime, tmp_path, "department", "title", "--only-untitled", "review=审查科", "chief=首席事务代表")

    assert filled.exit_code == 0 and filled.output.splitlines() == ["group chief: 首席事务代表"]
    assert departments.get_department(runtime.uow(), "SCJG").titles == {"chief": "首席事务代表", "review": None}
    # A group moved to another department keeps its past: it had a title, under its old owner.
    departments.put_department(runtime.uow(), "XZSP", actor=SYSTEM, name="行政审批局", groups=["review"],
                               move_groups=True)
    assert cli(runtime, tmp_path, "department", "title", "--only-untitled", "review=审查科").output == ""
    assert departments.get_department(runtime.uow(), "XZSP").titles == {"review": None}
