"""Supervision rules (电子监察 thresholds): when a case turns yellow, and whether overrun steps are flagged.

Thresholds are local policy (DOMAIN.md), so they are data. A rule has a scope, ``*`` (every item) or a
process key, and two fields:

  * ``remind_days``: yellow (a reminder) when the deadline is at most this many working days away; the
    deadline day itself counts as 0 (default 1). Red is fixed by law: the deadline has passed.
  * ``step_overrun``: flag user tasks still open past their own due date (default on).

Each field resolves on its own, most specific first: the process's explicit rule, then the item's guide
(``guide.json`` ``supervision`` block of the latest guide deployed for the process), then the explicit
``*`` rule, then the built-in default. A NULL field of an explicit rule inherits.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from . import audit
from .clock import utcnow
from .errors import Conflict, ValidationFailed
from .models import Guide, ProcessDefinition, SupervisionRule
from .unit_of_work import UnitOfWork
from .users import Actor

log = logging.getLogger(__name__)

GLOBAL = "*"
DEFAULT_REMIND_DAYS = 1
MAX_REMIND_DAYS = 60
DEFAULT_STEP_OVERRUN = True
FIELDS = ("remind_days", "step_overrun")
# Where an effective value came from.
EXPLICIT, GUIDE, GLOBAL_RULE, DEFAULT = "rule", "guide", "global", "default"


@dataclass
class Rule:
    """The effective thresholds for one scope, and where each came from."""

    scope: str
    remind_days: int
    step_overrun: bool
    sources: dict[str, str]


@dataclass
class RuleView:
    """A rule as stored (NULL: inherited), with the effective values it resolves to."""

    scope: str
    remind_days: int | None
    step_overrun: bool | None
    updated_by: str | None
    updated_at: datetime | None
    effective: Rule


class RuleBook:
    """Every explicit rule, read once, and every process's latest guide ``supervision`` block, read once on
    first use (one query, however many items a sweep, a list or a queue spans)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.rules = {r.scope: r for r in uow.session.scalars(select(SupervisionRule))}
        self._blocks: dict[str, dict[str, Any] | None] | None = None
        self._guides: dict[str, dict[str, Any]] = {}
        self._resolved: dict[str, Rule] = {}

    def for_process(self, key: str) -> Rule:
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = self._resolve(key)
        return found

    def _resolve(self, key: str) -> Rule:
        defaults = {"remind_days": DEFAULT_REMIND_DAYS, "step_overrun": DEFAULT_STEP_OVERRUN}
        if key == GLOBAL:
            layers = [(EXPLICIT, _fields(self.rules.get(GLOBAL))), (DEFAULT, defaults)]
        else:
            layers = [(EXPLICIT, _fields(self.rules.get(key))), (GUIDE, self._guide(key)),
                      (GLOBAL_RULE, _fields(self.rules.get(GLOBAL))), (DEFAULT, defaults)]
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for name in FIELDS:
            source, value = next((s, layer[name]) for s, layer in layers if layer.get(name) is not None)
            values[name], sources[name] = value, source
        return Rule(scope=key, remind_days=values["remind_days"], step_overrun=values["step_overrun"],
                    sources=sources)

    def most_remind_days(self) -> int:
        """The largest ``remind_days`` any process can resolve to: what a query narrowing the open clocks
        to those that may be yellow must allow for, before each is classified by its own rule."""
        explicit = [r.remind_days for r in self.rules.values() if r.remind_days is not None]
        guided = [self._guide(key).get("remind_days") for key in self._all_blocks()]
        return max([DEFAULT_REMIND_DAYS, *explicit, *(days for days in guided if days is not None)])

    def guided_processes(self) -> list[str]:
        """The processes a deployed guide names."""
        return sorted(self._all_blocks())

    def _guide(self, key: str) -> dict[str, Any]:
        if key not in self._guides:
            self._guides[key] = _valid_block(self._all_blocks().get(key), key)
        return self._guides[key]

    def _all_blocks(self) -> dict[str, dict[str, Any] | None]:
        if self._blocks is None:
            self._blocks = guide_supervision(self.uow)
        return self._blocks


def guide_supervision(uow: UnitOfWork) -> dict[str, dict[str, Any] | None]:
    """Process key -> the ``supervision`` block of the latest guide deployed for it (engine.guides)."""
    latest = select(func.max(Guide.id)).group_by(Guide.process_key)
    found: dict[str, dict[str, Any] | None] = {}
    for key, content in uow.session.execute(select(Guide.process_key, Guide.content).where(Guide.id.in_(latest))):
        block = (content or {}).get("supervision")
        found[key] = block if isinstance(block, dict) else None
    return found


def list_rules(uow: UnitOfWork, *, actor: Actor) -> list[RuleView]:
    """The ``*`` rule (built-in defaults if never set), every process rule, and every process whose
    guide sets supervision values, each with its effective values.

    Raises Forbidden: not a supervisor or an admin."""
    actor.require("supervisor", action="see supervision rules")
    with uow:
        book = RuleBook(uow)
        guided = {key for key in book.guided_processes() if GUIDE in book.for_process(key).sources.values()}
        scopes = [GLOBAL] + sorted((set(book.rules) | guided) - {GLOBAL})
        return [_view(book, scope) for scope in scopes]


def put_rule(uow: UnitOfWork, scope: str, *, actor: Actor, values: dict[str, Any]) -> RuleView:
    """Set a rule's fields (the ones given; ``None`` clears a field so that it inherits).

    Raises:
        Forbidden: not a supervisor or an admin.
        ValidationFailed: no field given, a value out of range, or a scope that is neither ``*`` nor a
            deployed process key.
    """
    actor.require("supervisor", action="change supervision rules")
    given = {name: values[name] for name in FIELDS if name in values}
    if not given:
        raise ValidationFailed("give remind_days, step_overrun or both", details=[
            {"field": name, "message": "missing"} for name in FIELDS])
    _check(given)
    with uow:
        if scope != GLOBAL and uow.session.scalars(
                select(ProcessDefinition.id).where(ProcessDefinition.key == scope).limit(1)).first() is None:
            raise ValidationFailed(f"no process {scope!r} is deployed", details=[
                {"field": "scope", "message": "'*' or the key of a deployed process"}])
        rule = uow.session.get(SupervisionRule, scope, with_for_update=True)
        before = _fields(rule)  # a new rule had no fields before: the entry's "before" is empty
        if rule is None:
            rule = SupervisionRule(scope=scope)
            uow.session.add(rule)
        for name, value in given.items():
            setattr(rule, name, value)
        rule.updated_by, rule.updated_at = actor.name, utcnow()
        try:
            uow.session.flush()
            view = _view(RuleBook(uow), scope)
            audit.record(uow, actor, "supervision_rules.changed", ("supervision_rule", scope),
                         audit.diff(before, _fields(rule)))
            uow.commit()
        except IntegrityError:  # another request created this scope's rule at the same moment
            raise Conflict(f"the rule {scope!r} was created by someone else meanwhile; try again") from None
        return view


# ---- helpers --------------------------------------------------------------------------------------

def _view(book: RuleBook, scope: str) -> RuleView:
    row = book.rules.get(scope)
    return RuleView(scope=scope, remind_days=row.remind_days if row else None,
                    step_overrun=row.step_overrun if row else None,
                    updated_by=row.updated_by if row else None, updated_at=row.updated_at if row else None,
                    effective=book.for_process(scope))


def _fields(rule: SupervisionRule | None) -> dict[str, Any]:
    return {} if rule is None else {"remind_days": rule.remind_days, "step_overrun": rule.step_overrun}


def check_remind_days(value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_REMIND_DAYS:
        raise ValidationFailed("remind_days is 0 to 60 working days", details=[
            {"field": "remind_days", "message": f"a whole number from 0 to {MAX_REMIND_DAYS}"}])


def _check(given: dict[str, Any]) -> None:
    check_remind_days(given.get("remind_days"))
    overrun = given.get("step_overrun")
    if overrun is not None and not isinstance(overrun, bool):
        raise ValidationFailed("step_overrun is true or false", details=[
            {"field": "step_overrun", "message": "true, false or null"}])


def _valid_block(block: dict[str, Any] | None, key: str) -> dict[str, Any]:
    """The usable fields of a guide's block; a bad value is logged and ignored, never fatal to a sweep."""
    found: dict[str, Any] = {}
    for name in FIELDS:
        value = (block or {}).get(name)
        if value is None:
            continue
        try:
            _check({name: value})
        except ValidationFailed:
            log.warning("the guide of %s has an unusable supervision.%s: %r", key, name, value)
            continue
        found[name] = value
    return found
