"""``govflow delegation ...``: entrustments to accept a department's items at another's window (委托受理)."""
from __future__ import annotations

from datetime import date

import click

from engine import delegations
from engine.errors import EngineError

from .cli_departments import _failure
from .cli_runtime import command_actor, command_runtime


@click.group("delegation")
def delegation_group() -> None:
    """Entrustments: the agent department's window accepts the principal's items on its behalf."""


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("a date as YYYY-MM-DD", param_hint=option) from None


@delegation_group.command("add")
@click.option("--principal", "principal_code", required=True, help="the department implementing the items, e.g. WJW")
@click.option("--agent", "agent_code", required=True, help="the department accepting them, e.g. XZ-001")
@click.option("--item", "items", multiple=True,
              help="an item code or process key covered (repeatable); none: every item of the principal")
@click.option("--basis", required=True, help="the 委托书 or the document's number")
@click.option("--from", "valid_from", help="first day it is valid, YYYY-MM-DD (default: today)")
@click.option("--until", "valid_until", help="last day it is valid, YYYY-MM-DD (default: until revoked)")
@click.option("--if-missing", "if_missing", is_flag=True,
              help="add nothing when an entrustment from the principal to the agent exists (setup scripts)")
def add(principal_code: str, agent_code: str, items: tuple[str, ...], basis: str, valid_from: str | None,
        valid_until: str | None, if_missing: bool) -> None:
    """Record an entrustment from PRINCIPAL to AGENT."""
    runtime = command_runtime()
    actor = command_actor()
    try:
        if if_missing and any(d.principal_code == principal_code and d.agent_code == agent_code
                              for d in delegations.list_delegations(runtime.uow(), actor=actor)):
            return
        view = delegations.add_delegation(
            runtime.uow(), actor=actor, principal_code=principal_code, agent_code=agent_code, items=items,
            basis=basis, valid_from=_day(valid_from, "--from") or delegations.today(),
            valid_until=_day(valid_until, "--until"))
    except EngineError as exc:
        raise _failure(exc) from None
    click.echo(f"entrustment {view.id} added: {view.agent_code} accepts {', '.join(view.items) or 'every item'} "
               f"of {view.principal_code} ({view.state})")


@delegation_group.command("list")
@click.option("--department", help="as principal or agent")
def list_cmd(department: str | None) -> None:
    """List entrustments, newest first."""
    for d in delegations.list_delegations(command_runtime().uow(), actor=command_actor(), department=department):
        click.echo(f"{d.id}\t{d.principal_code}\t{d.agent_code}\t{','.join(d.items) or '*'}\t{d.state}\t"
                   f"{d.valid_from.isoformat()}..{d.valid_until.isoformat() if d.valid_until else ''}\t{d.basis}")


@delegation_group.command("revoke")
@click.argument("delegation_id", type=int)
@click.option("--reason", required=True, help="why the entrustment ends")
def revoke(delegation_id: int, reason: str) -> None:
    """Revoke entrustment DELEGATION_ID (it is kept)."""
    try:
        view = delegations.revoke_delegation(command_runtime().uow(), delegation_id, actor=command_actor(),
                                             reason=reason)
    except EngineError as exc:
        raise _failure(exc) from None
    click.echo(f"entrustment {view.id} revoked")
