"""``govflow department ...``: departments (部门) and the user groups each owns."""
from __future__ import annotations

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
@click.option("--group", "groups", multiple=True, help="a user group it owns (repeatable), e.g. review")
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
    try:
        if update:  # a rename must not drop the groups and parent it does not mention
            try:
                current = departments.get_department(runtime.uow(), code)
            except NotFound:
                current = None
            if current is not None:
                parent_code = current.parent_code if parent_code is None else parent_code
                # --move-groups takes the groups given from another department, in addition to its own
                groups = tuple(current.groups) + groups if move_groups else (groups or tuple(current.groups))
        view, created = departments.put_department(runtime.uow(), code, actor=command_actor(), name=name,
                                                   parent_code=parent_code, groups=[g for g in groups if g.strip()],
                                                   only_new=not update, move_groups=move_groups)
    except EngineError as exc:
        raise _failure(exc) from None
    click.echo(f"department {view.code} {'created' if created else 'updated'}: {view.name}, "
               f"groups {', '.join(view.groups) or '(none)'}")


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
        click.echo(f"{view.code}\t{view.name}\tparent={view.parent_code or ''}\tgroups={','.join(view.groups)}")


def _failure(exc: EngineError) -> click.ClickException:
    """The engine's message with each problem it details (exit status 1)."""
    problems = "; ".join(f"{d['field']}: {d['message']}" for d in exc.details if isinstance(d, dict) and "message" in d)
    return click.ClickException(exc.message + (f" ({problems})" if problems else ""))
