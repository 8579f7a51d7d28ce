"""What an applicant sees of a case with its number and query code, without an account (DOMAIN rule 9).

Only what is meant for the applicant: the item, the case state in the terms approval systems report
(engine.timeline), the steps done with their dates, the steps under way, the time limit in working
days (engine.time_limits), extensions with their reasons, excluded periods, the documents issued, and
the applicant's ratings with where a 差评's rectification stands, the
answer the diagram publishes (``govflow.publicResult``, e.g. a complaint's), how an ended case
ended when it was not decided (withdrawn, terminated), what the case waits for from the applicant (the
materials a 补正 asks for, or those a 容缺受理 waived, by name and by when), what a case with no step under
way waits for (a timer's or a message's catch event, by its name in the diagram), and how the result was
delivered (method and tracking number). Never clerks' names, groups, internal variables or opinions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import select

from . import (
    case_state,
    confidential,
    delegations,
    document_templates,
    execution,
    guides,
    instances,
    query_codes,
    ratings,
    service_cases,
    time_limits,
)
from . import documents as store
from ._workdays import local_date
from .acceptance import SUPPLEMENT_LIST, TOLERATED_LIST
from .case_state import TERMINATED, WITHDRAWN
from .clock import LOCAL_TZ, utcnow
from .complaints import COMPLAINT_KEY
from .errors import NotFound
from .models import CaseClock, ProcessInstance, Rating, SpecialProcedure, Task
from .timeline import EVENT_STATES
from .unit_of_work import UnitOfWork
from .users import SYSTEM

PROCEDURE_NAMES = time_limits.KIND_NAMES  # one name per kind, as the staff pages and the guides name it
CONCLUDED, TERMINATED_STATUS, WITHDRAWN_STATUS = "已办结", "已终止", "已撤件"
# Decided (an element marked ``govflow.event = decision`` completed) and the result not delivered yet: the
# certificate is being made, or waits at the window (制证, 出件). Not 已办结: the service concludes at delivery.
DECIDED_STATUS = "已决定，待送达"
STATUS_NAMES = {"running": "办理中", "suspended": "暂停办理", "completed": CONCLUDED, "terminated": TERMINATED_STATUS,
                "error": "办理中"}
# How a case ended other than by a decision (``Progress.end_kind``, engine.case_state), as the applicant reads
# it: a termination's recorded reason is staff's free text and never shown.
END_REASONS = {WITHDRAWN: "申请人撤回申请", TERMINATED: "办理机关终止办理"}


@dataclass
class Step:
    at: datetime
    name: str
    case_state: str | None


@dataclass
class TimeLimit:
    promised_days: int
    extension_days: int
    deadline_date: date
    used_working_days: int
    remaining_working_days: int
    paused: bool
    stopped: bool
    overdue: bool
    provisional: bool
    # Decided: the day the result is due to reach the applicant (行政许可法 Art 44), and when it did.
    delivery_due_date: date | None = None
    delivered_on: date | None = None


@dataclass
class Procedure:
    kind: str
    name: str
    started_on: date
    ended_on: date | None
    days: int | None
    reason: str | None  # extensions only: the applicant is told why (行政许可法 Art 42)
    max_days: int | None = None  # excluded periods: how long the guide says it may last (Art 45)


@dataclass
class Document:
    id: int
    name: str
    issued_at: datetime
    download_url: str  # add ?code=... (and &format=html for the HTML rendering)


@dataclass
class RatingShown:
    """The applicant's own rating, and for a 差评 where its rectification stands. What was done is not
    shown: the measures and supervision's review are staff's words about staff (the department calls the
    applicant back, 回访)."""

    level: int
    level_name: str
    comment: str | None
    rated_at: datetime
    for_case: bool  # False: a service contact of a running case
    rectification: str | None  # RECTIFICATION_NAMES' key, None for a good rating
    rectified_at: datetime | None


RESULT_PROPERTY = "govflow.publicResult"
# A cancelled rectification ended without being confirmed: its case was terminated (engine.ratings).
RECTIFICATION_NAMES = {ratings.OPEN: "整改中", ratings.RECTIFIED: "已整改", ratings.CANCELLED: "已终止",
                       ratings.MISSING: "已转交督查"}
# How the result reached the applicant: the delivery step's ``delivery_method`` (forms/window-deliver.form,
# forms/delivery.form; a one-thing bundle's ``delivery.method``), as the guide's delivery_methods name them.
DELIVERY_NAMES = {"window": "窗口领取", "electronic": "电子送达", "self_service": "自助终端领取", "mail": "邮寄送达"}
MAIL = "mail"  # the one method with a tracking number (``tracking_no``)
SUPPLEMENT_REQUESTED = EVENT_STATES["supplement_requested"]  # 补正(开始)
AWAITING_SUPPLEMENT = "待申请人补正材料"
AWAITING_TOLERATED = "待申请人补齐容缺材料"
SUPPLEMENT, TOLERATED = "supplement", "tolerated"  # Awaiting.kind
# A wait whose catch event the diagram leaves unnamed: its id or message name are internal.
WAITING_UNNAMED = "等待后续环节"


@dataclass
class Delivery:
    """How the result was delivered, once the delivery step recorded it: never the clerk's notes."""

    method: str  # window, electronic, self_service, mail (DELIVERY_NAMES' keys), or the diagram's own value
    method_name: str
    tracking_no: str | None  # mail only


@dataclass
class Awaiting:
    """What the case waits for from the applicant: the materials a 补正 asks for, or those a 容缺受理 (tolerant
    acceptance) waived while the review goes on, by the date its time runs out (the wait's timer, a local date;
    None when the diagram sets none)."""

    what: str  # AWAITING_SUPPLEMENT or AWAITING_TOLERATED
    due_on: date | None
    kind: str = SUPPLEMENT  # SUPPLEMENT or TOLERATED
    # By name, as the acceptance step listed them (its notice says why each is wanted); empty when it listed none.
    materials: list[str] = field(default_factory=list)


@dataclass
class Waiting:
    """What a running case with no step under way waits for: a timer or a message, by its catch event's name
    (WAITING_UNNAMED for an unnamed one), and for a timer the local date it falls due. One per name: the
    timers of a multi-instance (a round's ballots) share theirs, and which member each is for is not said."""

    name: str
    due_on: date | None


@dataclass
class Progress:
    case_no: str
    item_name: str
    status: str  # STATUS_NAMES' values, DECIDED_STATUS, or WITHDRAWN_STATUS for a case the applicant withdrew
    case_state: str | None
    received_at: datetime
    ended_at: datetime | None
    steps: list[Step]
    current_steps: list[str]
    time_limit: TimeLimit | None
    extensions: list[Procedure] = field(default_factory=list)
    special_procedures: list[Procedure] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    ratings: list[RatingShown] = field(default_factory=list)
    may_rate: bool = False  # the case, or its last service contact, awaits the applicant's rating
    result: str | None = None  # the answer the diagram publishes (RESULT_PROPERTY), e.g. a complaint's
    is_complaint: bool = False  # the page offers to complain about any case but a complaint itself
    end_kind: str | None = None  # WITHDRAWN or TERMINATED; None while running or when decided
    end_reason: str | None = None  # what the applicant reads of it (END_REASONS, or the diagram's end step)
    awaiting: Awaiting | None = None
    # Without it a case waiting for a timer (the meeting day) or a message with no step under way would name
    # nothing at all; empty while a step is under way, or while ``awaiting`` says what the case waits for.
    waiting: list[Waiting] = field(default_factory=list)
    delivery: Delivery | None = None
    # The result was delivered but the office's checks go on (告知承诺制): the case reads 已办结 with
    # ``ended_at`` the delivery, and ``current_steps`` are those checks.
    follow_up: bool = False
    # A one-thing bundle's member items that ended without what was applied for (engine.case_state.DENIED),
    # by name: the bundle may read 办结(通过) for the others.
    denied_items: list[str] = field(default_factory=list)
    # Accepted by another body under an entrustment (委托受理): the 受理机构 the applicant dealt with.
    accepted_on_behalf: delegations.OnBehalf | None = None


def public_progress(uow: UnitOfWork, case_no: str, code: str | None = None, *, proof: str | None = None,
                    now: datetime | None = None) -> Progress:
    """A case's progress for its applicant, who holds its code, or a proof of it (query_codes.verify: the
    public pages' session after a lookup).

    Raises NotFound with one message for an unknown case number, a wrong code and a stale proof alike (no
    probing).
    """
    now = now or utcnow()
    with uow:
        row = query_codes.find_case(uow, case_no, code, proof=proof)
        return _progress(uow, row, now)


def _progress(uow: UnitOfWork, row: ProcessInstance, now: datetime) -> Progress:
    session = uow.session
    entries = case_state.timeline_of(uow, row)
    steps = [Step(at=e.at, name=e.element_name or e.case_state or "", case_state=e.case_state)
             for e in entries if e.case_state or e.event == "task.completed"]
    stands = case_state.derive(entries, status=row.state, end_reason=row.end_reason)
    current = list(dict.fromkeys(name for name in session.scalars(
        select(Task.name).where(Task.instance_id == row.id, Task.state == "READY").order_by(Task.created_at))
        if name))
    procedures = list(session.scalars(select(SpecialProcedure).where(SpecialProcedure.instance_id == row.id)
                                      .order_by(SpecialProcedure.id)))
    clock = session.get(CaseClock, row.id)
    limit = None
    if clock is not None:
        view = time_limits.clock_view(uow, clock, procedures, now)
        limit = TimeLimit(promised_days=view.promised_days, extension_days=view.extension_days,
                          deadline_date=view.deadline_date, used_working_days=view.used_working_days,
                          remaining_working_days=view.remaining_working_days, paused=view.state == "paused",
                          stopped=view.state == "stopped", overdue=view.overdue, provisional=view.provisional,
                          delivery_due_date=view.delivery_due_date,
                          delivered_on=local_date(view.delivered_at) if view.delivered_at else None)
    guide = service_cases.guide_for(uow, row.definition_key)
    longest = _longest_periods(guide)
    shown = [_procedure(p, longest.get(p.kind)) for p in procedures]
    end_reason = _end_reason(row, stands)
    case = execution.open_case(uow, row.id)
    variables, secrets = execution.case_variables(case.workflow), execution.secret_texts(case)
    supplement = stands.state == SUPPLEMENT_REQUESTED and row.ended_at is None
    # A tolerant acceptance (容缺受理) lists what it waived: owed while the case waits for the applicant to bring it.
    tolerated = _names(variables, TOLERATED_LIST, case.hidden, secrets) \
        if not supplement and row.ended_at is None else []
    idle = row.state == "running" and not current  # no step under way: say what keeps the case alive
    waits = instances.waits(uow.runtime.uow(), row.id, actor=SYSTEM) if supplement or idle or tolerated else []
    if supplement:
        awaiting = _awaiting(waits, SUPPLEMENT, _names(variables, SUPPLEMENT_LIST, case.hidden, secrets))
    else:
        awaiting = _awaiting(waits, TOLERATED, tolerated) if tolerated else None
    waiting = _waiting(waits) if idle and awaiting is None else []
    # A delivered result concludes the applicant's service whatever the office's checks do after it (run,
    # pause, fail or end); a termination stays one.
    marked = case_state.properties(row.definition)
    delivered = case_state.reached_at(entries, marked, "delivered") if row.state != "terminated" else None
    decided = case_state.reached_at(entries, marked, "decision") is not None
    return Progress(case_no=row.business_key, item_name=service_cases.item_name(uow, row, guide),
                    status=_status(row.state, stands, delivered is not None, decided),
                    case_state=stands.state, received_at=row.started_at, ended_at=delivered or row.ended_at,
                    steps=steps, current_steps=current,
                    follow_up=delivered is not None and row.state != "completed",
                    time_limit=limit, extensions=[p for p in shown if p.kind == "extension"],
                    special_procedures=[p for p in shown if p.kind != "extension"],
                    documents=documents(uow, row), ratings=_ratings(uow, row),
                    may_rate=ratings.open_contact(uow, row, guide) is not None,
                    result=_result(uow, row, variables, secrets), is_complaint=row.definition_key == COMPLAINT_KEY,
                    end_kind=stands.end_kind, end_reason=end_reason, awaiting=awaiting,
                    waiting=waiting, delivery=_delivery(variables, secrets),
                    denied_items=case_state.denied(case_state.members(uow, [row]).get(row.id, [])),
                    accepted_on_behalf=delegations.of_case(uow, row))


def awaited_supplement(uow: UnitOfWork, row: ProcessInstance) -> tuple[Awaiting | None, list[instances.Wait]]:
    """The supplement a running case waits for from its applicant, as its progress says it, with the case's
    waits read for it (engine.public_supplement looks further at them); None and no waits when it waits for
    none. A helper: the caller's transaction."""
    if row.ended_at is not None or case_state.of_case(uow, row).state != SUPPLEMENT_REQUESTED:
        return None, []
    case = execution.open_case(uow, row.id)
    listed = _names(execution.case_variables(case.workflow), SUPPLEMENT_LIST, case.hidden, execution.secret_texts(case))
    waits = instances.waits(uow, row.id, actor=SYSTEM)
    return _awaiting(waits, SUPPLEMENT, listed), waits


def _status(state: str, stands: case_state.CaseState, delivered: bool, decided: bool) -> str:
    """The status the applicant reads: a case the applicant withdrew, or one deemed withdrawn (逾期未补正), is
    withdrawn, not concluded or ended by the office; a delivered result concludes the service; a running
    case decided awaits its delivery."""
    if stands.end_kind == WITHDRAWN:
        return WITHDRAWN_STATUS
    if delivered:
        return CONCLUDED
    return DECIDED_STATUS if decided and state == "running" else STATUS_NAMES.get(state, state)


def _result(uow: UnitOfWork, row: ProcessInstance, variables: dict[str, Any], secrets: list[str]) -> str | None:
    """The value of the variable the process names in ``govflow.publicResult`` (the analyst's statement
    that the applicant reads it, e.g. the answer to a complaint), without the case's confidential values."""
    name = (execution.process_properties(uow, row.definition).get(RESULT_PROPERTY) or "").strip()
    if not name:
        return None
    return _text(variables.get(name), secrets)


def _delivery(variables: dict[str, Any], secrets: list[str]) -> Delivery | None:
    """How the result was delivered, once the delivery step set its method: the method, and for mail the
    tracking number; a one-thing bundle's ``delivery`` holds the method, the tracking number and the clerk's
    note, which stays internal."""
    found = variables.get("delivery")
    bundle: dict[str, Any] = found if isinstance(found, dict) else {}
    method = _text(variables.get("delivery_method"), secrets) or _text(bundle.get("method"), secrets)
    if method is None:
        return None
    tracking = _text(variables.get("tracking_no") or bundle.get("tracking_no"), secrets) if method == MAIL else None
    return Delivery(method=method, method_name=DELIVERY_NAMES.get(method, method), tracking_no=tracking)


def _text(value: Any, secrets: list[str]) -> str | None:
    """A variable's text as the applicant may read it: None for no value, a blank one or a structure."""
    if value is None or isinstance(value, (dict, list)) or str(value).strip() == "":
        return None
    return str(confidential.scrub(str(value).strip(), secrets))


def _awaiting(waits: list[instances.Wait], kind: str, materials: list[str]) -> Awaiting | None:
    """What a case waits for from the applicant (engine.instances.waits), and the date its timer (the time
    limit to bring it) runs out, if it has one: in 补正(开始), a message (the supplement); after a tolerant
    acceptance, a message the applicant brings to the window (its catch event is ``govflow.recordable``) —
    one an integration sends (a fee paid, a credit check) is no debt of the applicant's."""
    if not any(w.kind == "message" and (kind == SUPPLEMENT or w.recordable) for w in waits):
        return None
    due = next((w.due_at for w in waits if w.kind == "timer" and w.due_at is not None), None)  # earliest first
    return Awaiting(what=AWAITING_SUPPLEMENT if kind == SUPPLEMENT else AWAITING_TOLERATED,
                    due_on=due.astimezone(LOCAL_TZ).date() if due else None, kind=kind, materials=materials)


def _names(variables: dict[str, Any], name: str, hidden: frozenset[str], secrets: list[str]) -> list[str]:
    """The materials a variable lists (names, or a text of one per line, "名称：原因"), by name only: the
    reasons are the clerk's words, which the notice carries. Nothing from a confidential variable."""
    value = variables.get(name)
    if name in hidden or not isinstance(value, (str, list)):
        return []
    listed = (_text(m["name"], secrets) for m in document_templates.missing_materials(value))
    return list(dict.fromkeys(n for n in listed if n))


def _waiting(waits: list[instances.Wait]) -> list[Waiting]:
    """The waits as the applicant reads them: one per catch event name, in the order of engine.instances.waits
    (messages, then timers by due time), a name's earliest timer date."""
    found: dict[str, Waiting] = {}
    for wait in waits:
        name = (wait.element_name or "").strip() or WAITING_UNNAMED
        due = wait.due_at.astimezone(LOCAL_TZ).date() if wait.due_at is not None else None
        shown = found.setdefault(name, Waiting(name=name, due_on=due))
        if due is not None and (shown.due_on is None or due < shown.due_on):
            shown.due_on = due
    return list(found.values())


def _ratings(uow: UnitOfWork, row: ProcessInstance) -> list[RatingShown]:
    return [RatingShown(level=r.level, level_name=ratings.LEVELS[r.level], comment=r.comment, rated_at=r.created_at,
                        for_case=r.contact == ratings.CASE_CONTACT, rectification=r.rectification_state,
                        rectified_at=r.rectified_at)
            for r in uow.session.scalars(select(Rating).where(Rating.instance_id == row.id).order_by(Rating.id))]


def _procedure(p: SpecialProcedure, longest: int | None) -> Procedure:
    return Procedure(kind=p.kind, name=PROCEDURE_NAMES.get(p.kind, PROCEDURE_NAMES["other"]),
                     started_on=p.started_at.astimezone(LOCAL_TZ).date(),
                     ended_on=p.ended_at.astimezone(LOCAL_TZ).date() if p.ended_at else None, days=p.days,
                     reason=p.reason_or_basis if p.kind == "extension" else None,
                     max_days=longest if p.kind != "extension" else None)


def _longest_periods(guide: dict[str, Any] | None) -> dict[str, int]:
    """How long each kind of excluded period may last, as the item's guide publishes it (excluded_periods'
    max_days): the applicant is told how long a special procedure takes (行政许可法 Art 45)."""
    return {kind: days for kind, days in guides.listed_periods(guide).items() if days is not None}


def _end_reason(row: ProcessInstance, stands: case_state.CaseState) -> str | None:
    """What the applicant reads of an end no decision made: the diagram's end step, else how it ended; a
    completed case its diagram deemed withdrawn was not withdrawn by the applicant."""
    if stands.end_kind is None:
        return None
    if stands.end_step:
        return stands.end_step
    deemed = stands.end_kind == case_state.WITHDRAWN and row.state == "completed"
    return case_state.DEEMED_REASON if deemed else END_REASONS[stands.end_kind]


def documents(uow: UnitOfWork, row: ProcessInstance) -> list[Document]:
    """Documents issued to the applicant (受理通知书, decisions ...), read through engine.documents."""
    issued = store.list_documents(uow.runtime.uow(), row.id, actor=SYSTEM)
    return [Document(id=d.id, name=d.title or d.name, issued_at=d.issued_at,
                     download_url=f"/api/public/progress/{quote(row.business_key, safe='')}/documents/{d.id}") for d in issued]


def public_document(uow: UnitOfWork, case_no: str, code: str | None, document_id: int, *, fmt: str = "pdf",
                    proof: str | None = None) -> store.Download:
    """A document of the case for its applicant (with its code, or a proof of it as public_progress): its
    bytes, SHA-256 and the names to save it by.

    Raises NotFound (unknown case, wrong code or stale proof, or no such document of the case: one answer
    for the first three), InvalidRequest (unknown format).
    """
    with uow:
        row = query_codes.find_case(uow, case_no, code, proof=proof)
        instance_id = row.id
    try:
        found = store.download(uow.runtime.uow(), instance_id, document_id, actor=SYSTEM, fmt=fmt)
    except NotFound:
        raise NotFound("未找到该文书") from None  # not the internal case id the store's message names
    return found
