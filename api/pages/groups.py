"""User groups as pages name them: a group's code beside the department it belongs to, so a clerk reading
``window`` also reads the department's name. The groups' departments are read once per request."""
from __future__ import annotations

from collections.abc import Iterable

from flask import g

from engine import departments

from ..context import uow
from .i18n import gettext as _


def group_names(groups: Iterable[str] | None) -> str:
    """Each group with its department's name in brackets, in the page's language; a group of no department by
    its code alone."""
    known = _departments()
    return _("、").join(_("{group}（{department}）", group=group, department=known[group]) if group in known
                       else group for group in groups or [])


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
