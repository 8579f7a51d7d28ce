"""``govflow department add|list|remove``: what scripts/run.sh uses to set up the demo departments."""
from __future__ import annotations

from engine import departments


def test_departments_are_added_listed_and_updated_only_when_asked(cli, runtime):
    added = cli("department", "add", "SCJG", "--name", "市场监督管理局", "--group", "review", "--group", "chief")
    assert added.exit_code == 0, added.output
    assert added.output.strip() == "department SCJG created: 市场监督管理局, groups chief, review"
    assert cli("department", "add", "SCJG-SPK", "--name", "审批科", "--parent", "SCJG").exit_code == 0
    again = cli("department", "add", "SCJG", "--name", "市场监管局", "--group", "food_review")
    assert again.exit_code == 1 and "department 'SCJG' exists already" in again.output
    assert departments.get_department(runtime.uow(), "SCJG").groups == ["chief", "review"]  # untouched
    updated = cli("department", "add", "SCJG", "--update", "--name", "市场监管局", "--group", "food_review")  # replaces
    assert updated.exit_code == 0 and "updated" in updated.output
    assert cli("department", "list").output.splitlines() == [
        "SCJG\t市场监管局\tparent=\tgroups=food_review", "SCJG-SPK\t审批科\tparent=SCJG\tgroups="]


def test_an_update_keeps_the_parent_and_groups_it_does_not_mention(cli, runtime):
    """A rename alone used to drop every group and the parent: the department's clerks lost its cases."""
    cli("department", "add", "XZSP", "--name", "行政审批局")
    cli("department", "add", "XZSP-1", "--name", "一科", "--parent", "XZSP", "--group", "review", "--group", "chief")
    renamed = cli("department", "add", "XZSP-1", "--update", "--name", "审批一科")
    assert renamed.exit_code == 0, renamed.output
    assert renamed.output.strip() == "department XZSP-1 updated: 审批一科, groups chief, review"
    view = departments.get_department(runtime.uow(), "XZSP-1")
    assert (view.name, view.parent_code, view.groups) == ("审批一科", "XZSP", ["chief", "review"])
    regrouped = cli("department", "add", "XZSP-1", "--update", "--name", "审批一科", "--group", "review")
    assert regrouped.exit_code == 0 and departments.get_department(runtime.uow(), "XZSP-1").groups == ["review"]
    cleared = cli("department", "add", "XZSP-1", "--update", "--name", "审批一科", "--parent", "", "--group", "")
    assert cleared.exit_code == 0, cleared.output
    view = departments.get_department(runtime.uow(), "XZSP-1")
    assert (view.parent_code, view.groups) == (None, [])


def test_a_group_of_another_department_or_a_bad_code_is_an_error_with_the_reason(cli):
    cli("department", "add", "ZWFW", "--name", "政务服务中心", "--group", "window")
    taken = cli("department", "add", "SCJG", "--name", "市场监督管理局", "--group", "window")
    assert taken.exit_code == 1 and "group 'window' belongs to department 'ZWFW'" in taken.output
    bad = cli("department", "add", "市场", "--name", "市场监督管理局")
    assert bad.exit_code == 1 and "code:" in bad.output


def test_a_group_moves_to_another_department_in_one_step_when_asked(cli, runtime):
    """A reorganisation (机构改革): review moves from SCJG to the new 行政审批局 without a moment in which
    its clerks belong to no department."""
    cli("department", "add", "SCJG", "--name", "市场监督管理局", "--group", "review", "--group", "chief")
    refused = cli("department", "add", "XZSP", "--name", "行政审批局", "--group", "review")
    assert refused.exit_code == 1 and "govflow department add --move-groups" in refused.output
    moved = cli("department", "add", "XZSP", "--name", "行政审批局", "--group", "review", "--move-groups")
    assert moved.exit_code == 0, moved.output
    assert departments.get_department(runtime.uow(), "XZSP").groups == ["review"]
    assert departments.get_department(runtime.uow(), "SCJG").groups == ["chief"]


def test_with_update_moved_groups_join_the_department_s_own(cli, runtime):
    cli("department", "add", "ZWFW", "--name", "政务服务中心", "--group", "window", "--group", "zwfw")
    cli("department", "add", "SCJG", "--name", "市场监督管理局", "--group", "meeting_chair")
    moved = cli("department", "add", "ZWFW", "--name", "政务服务中心", "--update", "--move-groups",
                "--group", "meeting_chair")
    assert moved.exit_code == 0, moved.output
    assert departments.get_department(runtime.uow(), "ZWFW").groups == ["meeting_chair", "window", "zwfw"]


def test_a_department_added_by_mistake_is_removed_and_one_in_use_is_kept_with_the_reason(cli, runtime):
    cli("department", "add", "SCJG", "--name", "市场监督管理局", "--group", "review")
    cli("department", "add", "SCGJ", "--name", "市场监督管理局")  # a typo
    cli("department", "add", "SCJG-SPK", "--name", "审批科", "--parent", "SCJG")
    removed = cli("department", "remove", "SCGJ")
    assert removed.exit_code == 0, removed.output
    assert removed.output.strip() == "department SCGJ removed: 市场监督管理局"
    assert [d.code for d in departments.list_departments(runtime.uow())] == ["SCJG", "SCJG-SPK"]

    kept = cli("department", "remove", "SCJG")
    assert kept.exit_code == 1
    assert kept.output.strip() == (
        "Error: department 'SCJG' is still referred to and was not deleted (groups: it owns the groups review: move "
        "them to another department first (\"move_groups\": true, or govflow department add --move-groups); "
        "children: the departments SCJG-SPK belong to it)")
    assert departments.get_department(runtime.uow(), "SCJG").groups == ["review"]
    unknown = cli("department", "remove", "SCGJ")
    assert unknown.exit_code == 1 and "department 'SCGJ' not found" in unknown.output
