"""User groups as pages name them: a group by its display name (its code when it has none) beside the
department it belongs to, so that a clerk reads more than a code such as ``window``. The groups' departments
and titles are read once per request."""
from __future__ import annotations

from collections.abc import Iterable

from flask import g

from engine import departments

from ..context import uow
from .i18n import gettext as _


def group_names(groups: Iterable[str] | None) -> str:
    """Each group by its title (else its code) with its department's name in brackets, in the page's language;
    a group of no department by its code alone. Titles are data: the same in every language."""
    known, titles = _departments(), _titles()
    return _("、").join(_("{group}（{department}）", group=titles.get(group, group), department=known[group])
                       if group in known else group for group in groups or [])


def group_departments(groups: Iterable[str] | None) -> str:
    """Who a task is for, in short (a queue row, the case page, the timeline): the departments its groups
    belong to, each once (four planning sections of one bureau read as that bureau); a group of no department
    by its code."""
    known = _departments()
    return _("、").join(dict.fromkeys(known.get(group, group) for group in groups or []))


def _departments() -> dict[str, str]:
    if "group_departments" not in g:
        g.group_departments = departments.group_departments(uow())
    found: dict[str, str] = g.group_departments
    return found


def _titles() -> dict[str, str]:
    if "group_titles" not in g:
        g.group_titles = departments.group_titles(uow())
    found: dict[str, str] = g.group_titles
    return found
