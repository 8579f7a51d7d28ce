"""Ratings (好差评, DOMAIN rule 12; LY52, XA34): applicants rate cases; a 差评 is rectified.

* Levels follow GB/T 39046 (``LEVELS``): 1 非常满意 … 5 非常不满意; 4 and 5 are 差评.
* A case is rated once it has ended, or once its result was delivered (``contact`` = ``case``; checks
  after a 告知承诺制 licence may run on for months). A 差评 names its reason (the comment). Where the
  item's guide says ``"rating": {"per_contact": true}``, each service contact of a running case may be
  rated too: the contact is the user task completed last. One rating per case and contact.
* A rating is about a group (``Rating.department``, ``responsible_group``): a service contact's rating
  is about the group of that step; a 差评 of the case whose aspects rated 4-5 (``dimensions``) are all
  about the window (``WINDOW_ASPECTS``, e.g. 窗口服务) is about the window that received the case;
  any other rating is about the group that handled the case (service_cases.handling: the lead
  department's last step). The comment is the applicant's own words and is not read for this.
* A 差评 opens a rectification case (``bpmn/rectification``): the group the rating is about rectifies
  within the guide's ``rating.rectify_days`` working days (default 5), a supervisor confirms or sends it
  back, and the outcome is written onto the rating when that case ends (``on_case_ended``).
* Statistics by item, department (the one owning the group the rating is about, else the group) and clerk
  (who completed the rated step; for the case, who completed its user tasks).
"""
from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Float, case, cast, func, select
from sqlalchemy.exc import IntegrityError

from . import case_state, execution, query_codes, service_cases
from .clock import utcnow
from .errors import Conflict, InvalidRequest, NotFound, ValidationFailed
from .models import Department, DepartmentGroup, ProcessInstance, Rating, RatingClerk, Task, User
from .unit_of_work import UnitOfWork
from .users import SYSTEM, Actor

log = logging.getLogger(__name__)

LEVELS = {1: "非常满意", 2: "满意", 3: "基本满意", 4: "不满意", 5: "非常不满意"}
BAD_LEVELS = (4, 5)
RECTIFICATION_KEY = "rating_rectification"
REVIEW_GROUP = "supervision"  # 效能督查: reviews rectifications, and takes those nobody can be named for
DEFAULT_RECTIFY_DAYS = 5
ENDED = ("completed", "terminated")
CASE_CONTACT = "case"
MAX_DIMENSIONS, MAX_COMMENT = 10, 1000
# The aspects the public rating form offers an applicant to name what a 差评 is about (``dimensions``, each at
# the rating's level); an integration may send others.
ASPECTS = ("窗口服务", "办理时效", "办事流程", "办理结果")
# Aspects (dimensions) of a rating that are about the service of the window that received the case.
WINDOW_ASPECTS = frozenset({"窗口服务"})
OPEN, RECTIFIED, CANCELLED, MISSING = "open", "rectified", "cancelled", "missing"


@dataclass
class RatingView:
    id: int
    case_no: str
    level: int
    level_name: str
    contact: str
    created_at: datetime
    rectification: bool  # a rectification case was opened (差评)


def rate(uow: UnitOfWork, case_no: str, code: str | None = None, *, level: int,
         dimensions: dict[str, int] | None = None, comment: str | None = None, proof: str | None = None
         ) -> RatingView:
    """Rate a case with its number and query code, or a proof of the code (query_codes.verify: the public
    pages' session after a lookup).

    Raises:
        ValidationFailed: a level or dimension outside 1..5, too many dimensions, a comment too long.
        NotFound: unknown case number, wrong code or stale proof (one answer for all).
        Conflict: the case is still running (and its guide allows no per-contact rating, or no contact
            happened yet), or this case (contact) was rated already.
        ProcessError: the rectification case failed to start (nothing is stored).
    """
    dimensions, comment = _check(level, dimensions, comment)
    with uow:
        row = query_codes.find_case(uow, case_no, code, proof=proof)
        guide = service_cases.guide_for(uow, row.definition_key)
        rules = (guide or {}).get("rating") or {}
        contact = _contact(uow, row, rules)
        handled = service_cases.handling(uow, row.id)
        name = service_cases.item_name(uow, row, guide)
        about = responsible_group(uow, row, contact, level, dimensions) or handled.department
        rating = Rating(instance_id=row.id, contact=contact, business_key=row.business_key,
                        definition_key=row.definition_key, item_name=name, department=about,
                        level=level, dimensions=dimensions, comment=comment, created_at=utcnow(),
                        clerks=[RatingClerk(clerk=c) for c in _rated_clerks(uow, contact, handled)])
        uow.session.add(rating)
        try:
            uow.session.flush()
        except IntegrityError:
            raise Conflict("该办件已评价，每次服务只能评价一次") from None
        if level in BAD_LEVELS:
            _open_rectification(uow, rating, rules)
        uow.commit()
        return RatingView(id=rating.id, case_no=row.business_key, level=level, level_name=LEVELS[level],
                          contact=contact, created_at=rating.created_at, rectification=level in BAD_LEVELS)


def open_contact(uow: UnitOfWork, row: ProcessInstance, guide: dict[str, Any] | None) -> str | None:
    """What the case's applicant may rate now (``case`` or a service contact's task id), or None; ``guide``
    is the item's (service_cases.guide_for), read by the caller already."""
    rules = (guide or {}).get("rating") or {}
    try:
        return _contact(uow, row, rules)
    except Conflict:
        return None


def _contact(uow: UnitOfWork, row: ProcessInstance, rules: dict[str, Any]) -> str:
    """The contact a rating of the case is for now; Conflict when there is none or it was rated."""
    if row.state in ENDED or _delivered(uow, row):
        contact = CASE_CONTACT  # a delivered result concludes the service, though checks may follow
    elif row.state == "running" and rules.get("per_contact") is True:
        last = service_cases.last_contact(uow, row.id)
        if last is None:
            raise Conflict("办件尚未发生可评价的服务环节", state=row.state)
        contact = last.id
    else:
        raise Conflict("办件办结后方可评价", state=row.state)
    if uow.session.scalars(select(Rating.id).where(Rating.instance_id == row.id,
                                                   Rating.contact == contact)).first() is not None:
        raise Conflict("该办件已评价，每次服务只能评价一次", state=row.state)
    return contact


def responsible_group(uow: UnitOfWork, row: ProcessInstance, contact: str, level: int,
                      dimensions: dict[str, int]) -> str | None:
    """The group a rating names as what it is about, or None (the group that handled the case then):
    a service contact's group; for a bad rating (level 4-5) of the case whose aspects rated 4-5 are all
    the window's (``WINDOW_ASPECTS``), the group of the step that received the case (its acceptance step,
    query_codes.receiving_tasks)."""
    if contact != CASE_CONTACT:
        return _group_of(uow.session.get(Task, contact))
    bad = {aspect for aspect, value in dimensions.items() if value in BAD_LEVELS}
    if level not in BAD_LEVELS or not bad or not bad <= WINDOW_ASPECTS:
        return None
    received = [t for t in query_codes.receiving_tasks(uow, row) if t.state == "COMPLETED"]
    if not received:
        return None
    return _group_of(max(received, key=lambda t: (t.ended_at or t.created_at, t.id)))  # its last round


def _rated_clerks(uow: UnitOfWork, contact: str, handled: service_cases.Handling) -> list[str]:
    """Whom a rating counts for: a service contact's, the clerk who completed that step; the case's, every
    clerk who completed one of its steps."""
    if contact != CASE_CONTACT:
        task = uow.session.get(Task, contact)
        if task is not None and task.completed_by:
            return [task.completed_by]
    return handled.clerks


def _group_of(task: Task | None) -> str | None:
    """The group a user task was for: its first candidate group, else its lane."""
    if task is None:
        return None
    return next((g for g in task.candidate_groups or [] if g), None) or task.lane


def _delivered(uow: UnitOfWork, row: ProcessInstance) -> bool:
    entries = case_state.timeline_of(uow, row)
    return case_state.delivered_at(entries, case_state.properties(row.definition)) is not None


def _check(level: Any, dimensions: Any, comment: Any) -> tuple[dict[str, int], str | None]:
    problems = []
    if not _is_level(level):
        problems.append({"field": "level", "message": "1 到 5 的整数（1 非常满意 … 5 非常不满意）"})
    dimensions = dimensions or {}
    if not isinstance(dimensions, dict) or len(dimensions) > MAX_DIMENSIONS:
        problems.append({"field": "dimensions", "message": f"至多 {MAX_DIMENSIONS} 项，每项 1 到 5"})
        dimensions = {}
    for name, value in dimensions.items():
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 50 or not _is_level(value):
            problems.append({"field": f"dimensions.{name}", "message": "名称 1 到 50 字，评分 1 到 5 的整数"})
    text = (comment or "").strip() if isinstance(comment, (str, type(None))) else None
    if text is None or len(text) > MAX_COMMENT:
        problems.append({"field": "comment", "message": f"至多 {MAX_COMMENT} 字"})
    elif not _visible(text) and level in BAD_LEVELS:  # the department rectifies what the applicant names
        problems.append({"field": "comment", "message": "差评请说明原因"})
    if problems:
        raise ValidationFailed("评价内容有误", details=problems)
    return {str(k).strip(): int(v) for k, v in dimensions.items()}, text or None


def _visible(text: str | None) -> bool:
    """Whether a text shows anything: not only spaces and invisible characters (a zero-width space)."""
    return any(not c.isspace() and unicodedata.category(c) not in ("Cf", "Cc") for c in text or "")


def _is_level(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


def _open_rectification(uow: UnitOfWork, rating: Rating, rules: dict[str, Any]) -> None:
    days = rules.get("rectify_days", DEFAULT_RECTIFY_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        days = DEFAULT_RECTIFY_DAYS
    variables = {"rating_id": rating.id, "rated_case_no": rating.business_key, "item_name": rating.item_name,
                 "rating_level": rating.level, "rating_level_name": LEVELS[rating.level],
                 "rating_comment": rating.comment or "", "rating_dimensions": rating.dimensions,
                 "department": rating.department or REVIEW_GROUP, "review_group": REVIEW_GROUP,
                 "rectify_days": days}
    try:
        case_ = service_cases.start_case(uow, RECTIFICATION_KEY, prefix="ZG", variables=variables,
                                         actor=SYSTEM.name)
    except NotFound:
        # The applicant's rating counts even where the library lacks the diagram; supervisors see it.
        log.warning("rating %s is a 差评 but %s is not deployed: no rectification case", rating.id,
                    RECTIFICATION_KEY)
        rating.rectification_state = MISSING
        return
    rating.rectification_instance_id, rating.rectification_state = case_.row.id, OPEN


def on_case_ended(uow: UnitOfWork, case_: execution.Case) -> None:
    """Write a rectification's outcome onto its rating when the rectification case ends (called by
    execution.save in the command that ended it)."""
    if case_.row.definition_key != RECTIFICATION_KEY:
        return
    rating = uow.session.scalars(select(Rating).where(Rating.rectification_instance_id == case_.row.id)).first()
    if rating is None:
        return
    data = execution.case_variables(case_.workflow)
    rating.rectified_at = case_.row.ended_at
    if case_.row.state == "completed" and data.get("review_result") == "confirmed":
        rating.rectification_state = RECTIFIED
        parts = [str(data.get(k)).strip() for k in ("rectification_measures", "review_opinion") if data.get(k)]
        rating.rectification_result = "\n".join(parts) or None
    else:
        rating.rectification_state = CANCELLED
        rating.rectification_result = case_.row.end_reason


execution.ON_ENDED.append(on_case_ended)


# ---- statistics -----------------------------------------------------------------------------------

@dataclass
class RatingStat:
    key: str | None
    name: str | None
    count: int
    average_level: float
    bad: int
    bad_share: float
    rectified: int


@dataclass
class RatingStats:
    total: int
    by_item: list[RatingStat]
    by_department: list[RatingStat]
    by_clerk: list[RatingStat]
    overall: RatingStat  # all ratings of the window (key and name None); not in the API's answer


def stats(uow: UnitOfWork, *, actor: Actor, since: datetime | None = None, until: datetime | None = None
          ) -> RatingStats:
    """Count, average level, share of 差评 and rectified 差评 by item, department and clerk (named by their
    display name where they have one), and over all ratings of the window.

    Raises Forbidden (supervisors and admins only), InvalidRequest (``since`` after ``until``).
    """
    actor.require("supervisor", action="read rating statistics")
    if since and until and since > until:
        raise InvalidRequest("since must not be after until")
    window = []
    if since is not None:
        window.append(Rating.created_at >= since)
    if until is not None:
        window.append(Rating.created_at < until)
    measures = (func.count(Rating.id), func.avg(cast(Rating.level, Float)),
                func.sum(case((Rating.level >= BAD_LEVELS[0], 1), else_=0)),
                func.sum(case((Rating.rectification_state == RECTIFIED, 1), else_=0)))
    with uow:
        session = uow.session
        # Without GROUP BY the aggregates make one row, with a count of 0 where no rating is in the window.
        overall = _stat(None, None, *session.execute(select(*measures).where(*window)).one())
        items = session.execute(select(Rating.definition_key, func.max(Rating.item_name), *measures)
                                .where(*window).group_by(Rating.definition_key).order_by(Rating.definition_key))
        # The department owning the handling group (today), else the group itself where no department does.
        owner = func.coalesce(DepartmentGroup.department_code, Rating.department)
        departments = session.execute(
            select(owner, func.coalesce(func.max(Department.name), owner), *measures)
            .outerjoin(DepartmentGroup, DepartmentGroup.group_name == Rating.department)
            .outerjoin(Department, Department.code == DepartmentGroup.department_code)
            .where(*window).group_by(owner).order_by(owner))
        clerk_name = func.coalesce(func.max(User.display_name), RatingClerk.clerk)
        clerks = session.execute(select(RatingClerk.clerk, clerk_name, *measures)
                                 .join(Rating, Rating.id == RatingClerk.rating_id)
                                 .outerjoin(User, User.name == RatingClerk.clerk).where(*window)
                                 .group_by(RatingClerk.clerk).order_by(RatingClerk.clerk))
        return RatingStats(total=overall.count, by_item=_rows(items), by_department=_rows(departments),
                           by_clerk=_rows(clerks), overall=overall)


def _rows(result: Any) -> list[RatingStat]:
    return [_stat(*row) for row in result]


def _stat(key: str | None, name: str | None, count: int | None, average: Any, bad: Any, rectified: Any
          ) -> RatingStat:
    count = int(count or 0)
    return RatingStat(key=key, name=name, count=count, average_level=round(float(average or 0), 2),
                      bad=int(bad or 0), bad_share=round(int(bad or 0) / count, 4) if count else 0.0,
                      rectified=int(rectified or 0))
