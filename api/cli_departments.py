"""``govflow department ...``: departments (部门), the user groups each owns and their display names."""
from __future__ import annotations

from collections.abc import Iterable

import click

from engine import departments
from engine.errors import EngineError, NotFound

from .cli_runtime import command_actor, command_runtime


@click.group("department")
def department_group() -> None:
    """Departments and their groups: a clerk reads the cases their departments take part in."""


@department_group.command("add")
@click.argument("code")
@click.option("--name", required=True, help="the department's name, e.g. 市场监督管理局")
@click.option("--parent", "parent_code", help="the code of the department it belongs to")
@click.option("--group", "groups", multiple=True,
              help="a user group it owns (repeatable), e.g. review, or with the name pages show for it: "
                   "window=综合受理窗口 (window= clears it; a group given without one keeps its own)")
@click.option("--update", "update", is_flag=True,
              help="change an existing one: its name, and its parent and groups where given (--parent '' and "
                   "--group '' clear them)")
@click.option("--move-groups", "move_groups", is_flag=True,
              help="take the groups given from the department that owns them (a reorganisation); with --update "
                   "they join the groups it has")
def add(code: str, name: str, parent_code: str | None, groups: tuple[str, ...], update: bool,
        move_groups: bool) -> None:
    """Create department CODE (the code guides name, e.g. SCJG) owning the given groups."""
    runtime = command_runtime()
    names, titles = _split(groups)
    try:
        if update:  # a rename must not drop the groups and parent it does not mention
            try:
                current = departments.get_department(runtime.uow(), code)
            except NotFound:
                current = None
            if current is not None:
                parent_code = current.parent_code if parent_code is None else parent_code
                # --move-groups takes the groups given from another department, in addition to its own
                names = current.groups + names if move_groups else (names or current.groups)
        view, created = departments.put_department(runtime.uow(), code, actor=command_actor(), name=name,
                                                   parent_code=parent_code, groups=[g for g in names if g.strip()],
                                                   titles=titles, only_new=not update, move_groups=move_groups)
    except EngineError as exc:
        raise _failure(exc) from None
    click.echo(f"department {view.code} {'created' if created else 'updated'}: {view.name}, "
               f"groups {', '.join(_titled(view.groups, view.titles)) or '(none)'}")


@department_group.command("title")
@click.argument("titles", nargs=-1, required=True, metavar="GROUP=TITLE...")
@click.option("--only-untitled", "only_untitled", is_flag=True,
              help="title only groups that never had one (a title an admin set or cleared stays as it is), "
                   "and skip groups no department owns (for setup scripts run on every start); prints "
                   "nothing when no title was missing")
def title(titles: tuple[str, ...], only_untitled: bool) -> None:
    """Set the names pages show for groups (whichever department owns each), as GROUP=TITLE; GROUP= clears
    one."""
    wanted: dict[str, str | None] = {}
    for given in titles:
        group, sign, shown = given.partition("=")
        if not sign:
            raise click.UsageError(f"{given!r}: give a group and its title as GROUP=TITLE")
        wanted[group.strip()] = shown
    try:
        changed = departments.set_group_titles(command_runtime().uow(), wanted, actor=command_actor(),
                                               only_untitled=only_untitled)
    except EngineError as exc:
        raise _failure(exc) from None
    for group, now in changed.items():
        click.echo(f"group {group}: {now}" if now else f"group {group}: title cleared")
    if not changed and not only_untitled:
        click.echo("no title changed")


@department_group.command("remove")
@click.argument("code")
def remove(code: str) -> None:
    """Delete department CODE, e.g. one added with a mistyped code. Refused while it owns groups, has child
    departments, took part in a case or a deployed guide names it."""
    try:
        view = departments.delete_department(command_runtime().uow(), code, actor=command_actor())
    except EngineError as exc:
        raise _failure(exc) from None
    click.echo(f"department {view.code} removed: {view.name}")


@department_group.command("list")
def list_cmd() -> None:
    """List departments with their parent and groups."""
    for view in departments.list_departments(command_runtime().uow()):
        click.echo(f"{view.code}\t{view.name}\tparent={view.parent_code or ''}\t"
                   f"groups={','.join(_titled(view.groups, view.titles))}")


def _split(groups: Iterable[str]) -> tuple[list[str], dict[str, str | None]]:
    """``--group`` values: the group names, and the titles given as NAME=TITLE (NAME= clears one)."""
    names: list[str] = []
    titles: dict[str, str | None] = {}
    for given in groups:
        group, sign, shown = given.partition("=")
        names.append(group)
        if sign:
            titles[group.strip()] = shown
    return names, titles


def _titled(groups: list[str], titles: dict[str, str | None]) -> list[str]:
    """Each group as NAME=TITLE when it has a title, as ``--group`` takes it."""
    return [f"{group}={titles[group]}" if titles.get(group) else group for group in groups]


def _failure(exc: EngineError) -> click.ClickException:
    """The engine's message with each problem it details (exit status 1)."""
    problems = "; ".join(f"{d['field']}: {d['message']}" for d in exc.details if isinstance(d, dict) and "message" in d)
    return click.ClickException(exc.message + (f" ({problems})" if problems else ""))
