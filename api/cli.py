"""The ``govflow`` command: database, deployments, users, and the server and worker processes."""
from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from alembic.util import CommandError
from sqlalchemy.exc import DBAPIError

from engine import calendar, definitions, documents, file_paths, schema, users
from engine import lint as item_lint
from engine.errors import DeploymentInvalid, EngineError
from engine.models import User
from engine.settings import MAX_TOKEN_DAYS, SettingsError
from engine.users import ROLES, SYSTEM

from .cli_runtime import command_actor, command_runtime

DEPLOYABLE = (".bpmn", ".bpmn20.xml", ".bpmn2", ".dmn", ".form")
MAX_READ_BYTES = 16 * 1024 * 1024  # above every kind's own limit (a diagram's is 5 MiB), as HTTP uploads are


class _Commands(click.Group):
    """Operators' usual mistakes — a database not reached or not migrated, a setting that cannot be used
    (api.cli_runtime checks DATABASE_URL itself) — end in one line naming the problem and exit 1, not in
    a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EngineError as exc:  # a refused command (bad input, not found, taken): the engine's message
            raise click.ClickException(exc.message) from None
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from None
        except CommandError as exc:
            raise click.ClickException(f"migrations: {exc}") from None
        except DBAPIError as exc:
            raise click.ClickException(_database_problem(exc)) from None


def _database_problem(exc: DBAPIError) -> str:
    text = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
    if "no such table" in text or "no such column" in text or type(exc.orig).__name__ in (
            "UndefinedTable", "UndefinedColumn"):
        return f"the database is not migrated for this govflow ({text}); run: govflow db upgrade"
    return f"the database cannot be used: {text}"


@click.group(cls=_Commands)
def main() -> None:
    """govflow: government service items as BPMN processes."""


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.option("--revision", default="heads", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION."""
    runtime = command_runtime(create=True)
    schema.upgrade(runtime.engine, revision)
    click.echo(f"database at revision {schema.current(runtime.engine)}")
    if revision in ("head", "heads"):
        seeded = calendar.seed_national(runtime.uow())
        if seeded:
            click.echo(f"calendar CN: loaded {seeded[0]}–{seeded[-1]} from the chinese-calendar package")
        _warn_reserved_names(users.reserved_name_users(runtime.uow()))


def _warn_reserved_names(found: list[User]) -> None:
    """Active users made before their names were reserved, with the fix: said at the upgrade, when an operator
    reads what changed, and by ``user list``."""
    for named in found:
        click.echo(f"warning: user {named.name!r} has a name govflow reserves for its own steps and the public's, "
                   f"and can no longer sign in; replace it: {users.RESERVED_NAME_FIX.format(name=named.name)}",
                   err=True)


@db.command("current")
def db_current() -> None:
    """Print the database's migration revision."""
    click.echo(schema.current(command_runtime().engine) or "empty database (run: govflow db upgrade)")


def collect_files(paths: tuple[str, ...]) -> list[tuple[str, bytes]]:
    """Files named, and deployable files found in folders named (guides as <folder>/guide.json). A document
    template is any .html file named, and in folders those of a ``documents`` folder (other HTML there is not
    the library's); the engine names it by its file name. A file named twice (a folder, and a file in it)
    is taken once; two files that would be deployed under one name are refused, naming both."""
    with _paths_read():
        return [(name, file_paths.read(path)) for name, path in _deployable(paths).items()]


@contextmanager
def _paths_read() -> Iterator[None]:
    """A file or folder that cannot be read is the command line's error, naming it (no traceback)."""
    try:
        yield
    except file_paths.Unreadable as exc:
        raise click.BadParameter(str(exc), param_hint="PATH") from None


def _deployable(paths: tuple[str, ...]) -> dict[str, Path]:
    """``collect_files``'s files by the name each is deployed under, with the path it was found at."""
    found: list[tuple[str, Path]] = []
    for raw in paths:
        path = Path(raw)
        with _paths_read():
            kind = file_paths.kind_of(path)
            under = file_paths.files_under(path) if kind == "dir" else []
        if kind == "dir":
            for item in under:
                if definitions.kind_of(item.as_posix()) == "sample":  # <item>/samples/: its guide's 样表
                    found.append((item_lint.deployed_name(item.resolve().as_posix()), item))
                elif documents.is_template(item.name):
                    if documents.in_template_folder(item):
                        found.append((item.name, item))
                elif item.name.lower().endswith(DEPLOYABLE) or item.name == "guide.json":
                    found.append((item_lint.deployed_name(item.resolve().as_posix()), item))
        elif kind == "file":
            found.append((item_lint.deployed_name(path.resolve().as_posix()), path))
        else:
            raise click.BadParameter(f"{raw}: no such file or folder", param_hint="PATH")
    chosen: dict[str, Path] = {}
    for name, path in found:
        first = chosen.setdefault(name, path)
        if first.resolve() != path.resolve():
            raise click.BadParameter(f"{first} and {path} would both be deployed as {name}; rename one",
                                     param_hint="PATH")
    for path in chosen.values():
        if path.stat().st_size > MAX_READ_BYTES:  # refused before a stray huge file is read into memory
            raise click.BadParameter(f"{path} is {path.stat().st_size // 2**20} MiB; deployable files are at most "
                                     f"{MAX_READ_BYTES // 2**20} MiB", param_hint="PATH")
    return chosen



@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--name", help="a name for this deployment")
@click.option("--once", is_flag=True,
              help="skip files this database was given before, all of them together, byte for byte (the "
                   "deployment's name carries their hash): a start script's library deploy that must not "
                   "replace what analysts deployed since")
def deploy(paths: tuple[str, ...], name: str | None, once: bool) -> None:
    """Deploy diagrams, decisions, forms, guides and document templates from files or folders."""
    found = _deployable(paths)
    with _paths_read():
        files = [(name, file_paths.read(path)) for name, path in found.items()]
    # Problems name a file by the name it is deployed under (a base name, or a guide's folder/guide.json):
    # printed with the path given instead, as lint prints it, an editor jumps to the file.
    given = {name: path.as_posix() for name, path in found.items()}
    if not files:
        raise click.ClickException(f"nothing to deploy: no {definitions.ACCEPTED} found")
    runtime = command_runtime()
    if once:
        digest = hashlib.sha256(b"".join(hashlib.sha256(n.encode() + b"\0" + c).digest()
                                         for n, c in sorted(files))).hexdigest()[:16]
        name = f"{name or 'files'} ({digest})"
        if definitions.deployed_as(runtime.uow(), name):
            click.echo(f"{len(files)} files deployed before as {name!r}: not deployed again")
            return
    try:
        result = definitions.deploy(runtime.uow(), files, actor=SYSTEM, name=name)
    except DeploymentInvalid as exc:
        for problem in exc.details:
            click.echo(_problem_line(problem, given), err=True)
        click.echo(f"error: {exc.message}; nothing was deployed", err=True)
        sys.exit(1)
    for warning in result.warnings:
        click.echo(_problem_line(warning.as_dict(), given), err=True)
    for deployed in result.definitions:
        d = deployed.definition
        click.echo(f"{d.key} version {d.version} ({'new' if deployed.new else 'unchanged'})")
    for stored in result.guides:
        g = stored.guide
        click.echo(f"guide {g.code} version {g.version} ({'new' if stored.new else 'unchanged'})")
    for form in (n for n, _ in files if definitions.kind_of(n) == "form"):
        # each form by name, so an analyst sees a corrected form went in
        click.echo(f"form {form}")
    for form in result.generated_forms:
        click.echo(f"form {form} (generated from camunda:formData)")
    for template in (n for n, _ in files if definitions.kind_of(n) == "document"):
        # by the name govflow.document gives it: the latest deployed one issues documents
        click.echo(f"document template {documents.template_name(template)}")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--strict", is_flag=True, help="exit 1 on warnings too")
def lint(paths: tuple[str, ...], strict: bool) -> None:
    """Check service items (diagrams, forms, guides, document templates) as deploy would, and against the
    library's rules; no database needed. Files are taken as deploy takes them (.html: named, or in a
    documents folder).

    Prints file:line: element: message (severity); exits 1 when any error (or, with --strict, warning)."""
    try:
        files = item_lint.collect(paths)
    except (FileNotFoundError, file_paths.Unreadable) as exc:
        raise click.BadParameter(str(exc), param_hint="PATH") from None
    if not files:
        raise click.ClickException("nothing to lint: no .bpmn, .form, guide.json or documents/*.html files found")
    problems = item_lint.lint_files(files)
    for problem in problems:
        click.echo(item_lint.format_problem(problem))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    click.echo(f"{len(files)} file(s): {errors} error(s), {warnings} warning(s)", err=True)
    if errors or (strict and warnings):
        sys.exit(1)


def _problem_line(problem: dict, given: dict[str, str]) -> str:  # type: ignore[type-arg]
    """``file:line: [element] message``, or ``file: ...`` for a problem of the whole file (no line to name);
    the file by the path it was ``given`` as, when it was."""
    file = given.get(problem["file"], problem["file"])
    where = f"{file}:{problem['line']}" if problem.get("line") else file
    element = f" [{problem['element']}]" if problem.get("element") else ""
    prefix = "warning: " if problem.get("severity") == "warning" else ""
    return f"{where}:{element} {prefix}{problem['message']}"


@main.group()
def user() -> None:
    """Users, groups, roles and API tokens."""


@user.command("add")
@click.argument("name")
@click.option("--group", "groups", multiple=True, help="a group (repeatable), e.g. a window or section")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), help="a role (repeatable)")
@click.option("--display-name")
@click.option("--ttl-days", type=click.IntRange(1, MAX_TOKEN_DAYS),
              help="token lifetime in days; default GOVFLOW_TOKEN_TTL_DAYS, else no expiry")
def user_add(name: str, groups: tuple[str, ...], roles: tuple[str, ...], display_name: str | None,
             ttl_days: int | None) -> None:
    """Create a user and print their API token (shown once)."""
    _, token = users.add_user(command_runtime().uow(), name, groups=list(groups), roles=list(roles),
                              display_name=display_name, token_ttl_days=ttl_days, actor=command_actor())
    click.echo(token)


@user.command("token")
@click.argument("name")
@click.option("--ttl-days", type=click.IntRange(1, MAX_TOKEN_DAYS), help="token lifetime in days")
def user_token(name: str, ttl_days: int | None) -> None:
    """Issue another API token for a user (shown once)."""
    click.echo(users.issue_token(command_runtime().uow(), name, ttl_days=ttl_days, actor=command_actor()).token)


@user.command("passwd")
@click.argument("name")
@click.password_option(help="the new password (prompted, hidden, twice, when omitted)")
def user_passwd(name: str, password: str) -> None:
    """Set a user's password for the web pages (API tokens stay for programs)."""
    users.set_password(command_runtime().uow(), name, password, actor=command_actor())
    click.echo(f"password set for {name}")


@user.command("revoke")
@click.argument("name")
def user_revoke(name: str) -> None:
    """Revoke every token of a user (their password still logs in to the pages: see deactivate)."""
    click.echo(f"revoked {users.revoke_tokens(command_runtime().uow(), name, actor=command_actor())} token(s)")


@user.command("set")
@click.argument("name")
@click.option("--group", "groups", multiple=True, help="a group (repeatable): replaces the user's groups")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), help="a role (repeatable): replaces the user's roles")
@click.option("--no-groups", is_flag=True, help="take every group away")
@click.option("--no-roles", is_flag=True, help="take every role away")
def user_set(name: str, groups: tuple[str, ...], roles: tuple[str, ...], no_groups: bool, no_roles: bool) -> None:
    """Replace a user's groups and/or roles (those not given stay); the user's tokens and page sessions
    carry the new ones from their next request. Tasks they hold but may no longer work go back to their
    queues. Prints the user's groups and roles as they now are."""
    if (groups and no_groups) or (roles and no_roles):
        raise click.UsageError("--group with --no-groups, or --role with --no-roles: give one or the other")
    if not (groups or roles or no_groups or no_roles):
        raise click.UsageError("nothing to change: give --group, --role, --no-groups or --no-roles")
    change = users.set_user(command_runtime().uow(), name,
                            groups=[] if no_groups else (list(groups) if groups else None),
                            roles=[] if no_roles else (list(roles) if roles else None), actor=command_actor())
    click.echo(f"{name}\tgroups={','.join(change.groups)}\troles={','.join(change.roles)}")
    click.echo(f"(was groups={','.join(change.groups_before)} roles={','.join(change.roles_before)})", err=True)
    if change.released.tasks or change.released.for_supervisors:
        _report_released(name, change.released)
    if change.disabled_webhooks:
        click.echo(f"disabled webhook(s) {', '.join(map(str, change.disabled_webhooks))} of {name}, who no longer has "
                   "the integrator role; once it is back, POST /api/webhooks/ID/enable enables each again", err=True)
    _warn_without_admin()


@user.command("deactivate")
@click.argument("name")
def user_deactivate(name: str) -> None:
    """Keep a user out (a leaver): their tokens, password and page sessions stop working at once, and
    their open tasks go back to their queues (those nobody else may claim wait for a supervisor)."""
    released = users.set_active(command_runtime().uow(), name, False, actor=command_actor())
    click.echo(f"{name} deactivated")
    _report_released(name, released)
    _warn_without_admin()


@user.command("activate")
@click.argument("name")
def user_activate(name: str) -> None:
    """Let a deactivated user in again, with the tokens and password they had (not the tasks released)."""
    users.set_active(command_runtime().uow(), name, True, actor=command_actor())
    click.echo(f"{name} activated")


def _warn_without_admin() -> None:
    """Departments, calendars, incidents and webhooks of others need an admin over the API: say when none is
    left (this command line can still make one)."""
    if not any(u.active and "admin" in u.roles for u in users.list_users(command_runtime().uow())):
        click.echo("warning: no active user has the admin role now (govflow user set NAME --role admin gives it)",
                   err=True)


def _report_released(name: str, released: users.Released) -> None:
    """On stderr, as lint's summary: stdout keeps the command's one line."""
    click.echo(f"released {len(released.tasks)} task(s) of {name} back to their queues", err=True)
    if released.for_supervisors:
        click.echo(f"{len(released.for_supervisors)} open task(s) name no one else who may claim them; a supervisor "
                   f"assigns them (GET /api/tasks?candidate_user={name}&unassigned=true)", err=True)


@user.command("list")
def user_list() -> None:
    """List users with their groups and roles (and whether they are deactivated, or hold a reserved name)."""
    listed = users.list_users(command_runtime().uow())
    reserved = [u for u in listed if u.active and users.is_reserved(u.name)]
    for u in listed:
        state = "" if u.active else "\tdeactivated"
        mark = "\treserved name: cannot sign in" if u in reserved else ""
        click.echo(f"{u.name}\tgroups={','.join(u.groups)}\troles={','.join(u.roles)}{state}{mark}")
    _warn_reserved_names(reserved)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="gunicorn worker processes")
@click.option("--scheduler/--no-scheduler", default=True, show_default=True,
              help="fire timers from the web workers too")
def serve(host: str, port: int, workers: int, scheduler: bool) -> None:
    """Run the API and pages under gunicorn (migrating the database first)."""
    from .server import run_server

    runtime = command_runtime(create_default=True)
    schema.upgrade(runtime.engine)
    calendar.seed_national(runtime.uow())  # years a newer chinese-calendar knows
    runtime.dispose()
    run_server(host=host, port=port, workers=workers, scheduler=scheduler)


@main.command()
def worker() -> None:
    """Fire due timers and jobs and deliver webhooks only (scale out by running more of these)."""
    from engine.worker import run_forever

    runtime = command_runtime(create_default=True)
    schema.upgrade(runtime.engine)
    calendar.seed_national(runtime.uow())  # years a newer chinese-calendar knows
    run_forever(runtime)


from .cli_calendar import calendar_group

main.add_command(calendar_group)

from .cli_departments import department_group

main.add_command(department_group)

from .cli_delegations import delegation_group

main.add_command(delegation_group)
