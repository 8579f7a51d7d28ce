"""Cases: find one by number (with each case's item, outcome and deadline), and the case page — diagram
with active and completed steps, the time-limit clock with its warning level, what the case waits for
(a clerk records a message it waits for, e.g. the applicant's supplement brought to the window),
timeline, open tasks; on the clock panel, the forms that act on the clock through the engine's commands
(the overdue reason, an extension, a special procedure paused and resumed by hand); the materials checklist
of the item's guide, with an upload per entry (engine.materials.upload, the API's call), whose refusals
(too large, a type not taken, the case ended) come back beside the entry, and for the window a missing
entry's paper original checked (纸质原件已核验) or a conditional one not applicable (不适用), recorded with
who and when (engine.materials.record) and taken back when recorded by mistake; a wrong upload withdrawn
with a reason before acceptance (engine.materials.withdraw_upload). A new query code is asked for with
its confirmation (the old one stops working) and answered with the receipt to print, the code on it once."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from werkzeug.exceptions import RequestEntityTooLarge

from engine import (
    case_documents,
    definitions,
    documents,
    execution,
    extensions,
    guides,
    instances,
    materials,
    overdue_reasons,
    query_codes,
    supervision_board,
    tasks,
    text,
    time_limits,
    timeline,
    users,
    worksheet,
)
from engine.case_access import require_clerk_of_case, require_clerk_or_supervisor_of_case
from engine.errors import (
    Conflict,
    EngineError,
    Forbidden,
    InvalidRequest,
    MaterialsMissing,
    NotFound,
    TooLarge,
    UnsupportedType,
    ValidationFailed,
)
from engine.settings import Settings
from engine.supervision import RED

from ..context import actor, runtime, uow
from ..documents import HTML_POLICY
from ..downloads import send_download
from ..limits import upload_limit
from . import clock_refusals, session, uploads
from .case_data import MAX_DATA_ROWS, case_data
from .errors import error_page
from .form_values import file_size, iso_local
from .i18n import gettext as _
from .paging import page_number, past_last_page
from .public import MATERIAL_FORMS

bp = Blueprint("cases", __name__)
bp.app_template_filter("iso_local")(iso_local)
PAGE_SIZE = 25


@bp.get("/cases")
def index() -> ResponseReturnValue:
    args = request.args
    page = page_number(args)
    state = args.get("state") if args.get("state") in instances.STATES else None  # an address typed: all
    items = [(d.key, d.name or d.key) for d in definitions.list_definitions(uow())]
    key = args.get("item") if args.get("item") in dict(items) else None  # an item no longer deployed: all
    found, total = instances.case_list(
        uow(), actor=actor(), state=state, key=key,
        number_part=args.get("number", "").strip() or None, applicant=args.get("applicant") or None,
        limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    if moved := past_last_page(page, PAGE_SIZE, total):
        return moved
    applicants = execution.applicant_names(uow(), (item.case.id for item in found))
    return render_template("pages/cases.html", cases=found, total=total, page=page, page_size=PAGE_SIZE,
                           states=instances.STATES, applicants=applicants, items=items, item=key)


# Where a received message goes on: the catch event that took it (an intermediate catch event after an
# event-based gateway, a boundary event), completed in the same command.
CATCHING_TYPES = ("IntermediateCatchEvent", "BoundaryEvent")


def name_catches(entries: list[timeline.TimelineEntry]) -> None:
    """Name each received message of the timeline after the catch event that took it (申请人补齐容缺材料, not
    materials_supplemented), when the diagram names that event: its history row records the message alone."""
    for i, entry in enumerate(entries):
        if entry.event != "message.received" or entry.element_name:
            continue
        caught = next((e for e in entries[i + 1:] if e.at == entry.at and e.event == "element.completed"
                       and e.element_type in CATCHING_TYPES), None)
        if caught is not None and caught.element_name:
            entry.element_name = caught.element_name


@bp.get("/cases/<int:instance_id>")
def case(instance_id: int, refused: UploadRefusal | None = None, clock_typed: ClockTyped | None = None) -> str:
    reading = uow()
    with reading:  # one session: the panels that load the case (file, waits, throws) share one load
        file = timeline.case_file(reading, instance_id, actor=actor())
        # The time-limit clock and its warning level (None before acceptance or without a time limit).
        clock = supervision_board.case_clock(reading, instance_id, actor=actor())
        # Documents issued to the applicant, for those who may see the case's materials (else None).
        issued = case_documents.visible_documents(reading, instance_id, actor=actor())
        waits = instances.waits(reading, instance_id, actor=actor())
        # Others' open tasks this user may end by their diagram's leave (the centre recording an absent member).
        throwable = tasks.throwables(reading, instance_id, actor=actor())
        # The guide's materials against what the case holds, for those who may see its materials (else None).
        checklist = materials.checklist(reading, instance_id, actor=actor()) if file.materials is not None else None
        forms = worksheet.case_forms(reading, instance_id, actor=actor())
        # The window (or the integrator that started the case) hands the applicant a new query code.
        new_code = _allowed(query_codes.require_issuer, reading, actor(), instance_id)
    uploads = upload_form(file.case.state, checklist)
    data = case_data(file.case.variables or {}, forms)
    name_catches(file.timeline)
    return render_template("pages/case.html", file=file, clock=clock, documents=issued, new_code=new_code,
                           waits=waits, throwable=throwable, clock_forms=clock_forms(instance_id, clock),
                           checklist=checklist,
                           uploads=uploads, refused=refused, clock_typed=clock_typed, material_forms=MATERIAL_FORMS,
                           marking=uploads is not None and _may_mark(instance_id), data=data[:MAX_DATA_ROWS],
                           data_hidden=max(0, len(data) - MAX_DATA_ROWS),
                           # The open tasks whose page this user may open (engine.tasks.may_see): the others unlinked.
                           openable={t.id for t in file.case.tasks if tasks.may_see(actor(), t)})


# ---- acting on the clock ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClockForms:
    """The clock panel's forms for the signed-in user: each shown only where its engine command would take
    this user (checked as the engine checks it) and this clock (read from its view)."""

    explain: bool  # 说明超期原因 (overdue_reasons.record)
    extend: bool  # 延长审批 by the agency head on their own initiative (time_limits.extend)
    pause: bool  # a special procedure started by hand (time_limits.pause)
    resume: bool  # ... and ended (time_limits.resume)
    judge: bool = False  # 评判超期原因 by a supervisor (overdue_reasons.judge), once a reason is recorded
    open_by_hand: tuple[Any, ...] = ()  # the procedures resume ends
    request_extension: bool = False  # 申请延期: a clerk of the lead department asks the head (extensions.request)
    decide: bool = False  # 批准 / 不予批准 the pending request (extensions.approve, extensions.refuse)
    requests: tuple[extensions.ExtensionRequestView, ...] = ()  # the case's requests, latest first
    kinds: tuple[str, ...] = time_limits.EXCLUDED_KINDS
    categories: tuple[str, ...] = overdue_reasons.CATEGORIES
    verdicts: tuple[str, ...] = overdue_reasons.VERDICTS

    @property
    def any(self) -> bool:
        return self.explain or self.judge or self.extend or self.pause or self.resume or self.request_extension \
            or self.decide

    @property
    def pending(self) -> extensions.ExtensionRequestView | None:
        return next((r for r in self.requests if r.state == extensions.PENDING), None)


def clock_forms(instance_id: int, panel: supervision_board.CaseClockPanel | None) -> ClockForms | None:
    if panel is None:
        return None
    me, view = actor(), panel.view
    # time_limits.resume ends every procedure started by hand that is still open (a diagram's ends with its step).
    by_hand = tuple(p for p in view.procedures if p.element_id is None and p.ended_at is None
                    and p.kind != time_limits.EXTENSION)
    # Where the panel asks for a reason: red, or finished late (a withdrawal is not asked for one).
    asks_reason = view.overdue and (panel.level == RED or not panel.withdrawn)
    running = view.state != time_limits.STOPPED
    explain = procedures = head = False
    if asks_reason or running:  # else no command would take anyone: no rights to read
        with uow() as work:
            explain = asks_reason and _allowed(require_clerk_of_case, work, me, instance_id,
                                               action="explain the delay")
            # The checks the commands make: the forms show exactly when the commands take this user.
            procedures = running and _allowed(require_clerk_or_supervisor_of_case, work, me, instance_id,
                                              action="start or end special procedures")
        head = running and extensions.may_decide(uow(), instance_id, actor=me)
    requests = tuple(extensions.of_case(uow(), instance_id, actor=me))
    pending = any(r.state == extensions.PENDING for r in requests)
    # extension_remaining_days is 0 once stopped or overdue (extend refuses both) or the allowance is used.
    extensible = view.extension_remaining_days > 0
    # extensions.request takes clerks of the case's lead department, one pending request at a time
    asks = extensible and not pending and extensions.may_request(uow(), instance_id, actor=me)
    return ClockForms(
        explain=explain, judge=panel.overdue_reason is not None and me.has("supervisor")
        and panel.overdue_reason.recorded_by != me.name,  # overdue_reasons.judge: nobody judges their own
        extend=head and extensible and not pending,  # time_limits.extend refuses while a request is pending
        request_extension=asks,
        decide=head and pending, requests=requests,
        # pause refuses a clock already paused, and a kind the item's guide does not list (it may list none)
        pause=procedures and view.state == time_limits.RUNNING and bool(view.procedure_kinds),
        resume=procedures and bool(by_hand),
        open_by_hand=by_hand, kinds=tuple(k.kind for k in view.procedure_kinds))


def _allowed(check: Callable[..., object], *args: Any, **kwargs: Any) -> bool:
    """Whether an engine rights check (raising Forbidden) lets the user through."""
    try:
        check(*args, **kwargs)
    except Forbidden:
        return False
    return True


def _back_to_case(instance_id: int) -> ResponseReturnValue:
    # The top of the case page, not the clock's anchor: the flashed answer shows above the page head.
    return redirect(url_for("pages.cases.case", instance_id=instance_id))


@bp.post("/cases/<int:instance_id>/clock/overdue-reason")
def overdue_reason(instance_id: int) -> ResponseReturnValue:
    form = request.form
    try:
        overdue_reasons.record(uow(), instance_id, actor=actor(), reason=form.get("reason", ""),
                               category=form.get("category") or None)
    except EngineError as exc:
        return _clock_refused(instance_id, clock_refusals.OVERDUE_REASON, exc)
    flash(_("已记录超期原因。"), "success")
    return _back_to_case(instance_id)


@bp.post("/cases/<int:instance_id>/clock/overdue-verdict")
def overdue_verdict(instance_id: int) -> ResponseReturnValue:
    form = request.form
    try:
        judged = overdue_reasons.judge(uow(), instance_id, actor=actor(), verdict=form.get("verdict", ""),
                                       opinion=form.get("opinion"))
    except EngineError as exc:
        return _clock_refused(instance_id, clock_refusals.OVERDUE_VERDICT, exc)
    flash(_("已评判：超期原因成立。") if judged.verdict == overdue_reasons.JUSTIFIED
          else _("已评判：超期原因不成立，办件列入无正当理由超期通报。"), "success")
    return _back_to_case(instance_id)


@bp.post("/cases/<int:instance_id>/clock/extend")
def extend_clock(instance_id: int) -> ResponseReturnValue:
    days = _whole_number(request.form.get("days"))
    try:
        view = time_limits.extend(uow(), instance_id, actor=actor(), days=days, reason=request.form.get("reason", ""))
    except EngineError as exc:
        return _clock_refused(instance_id, clock_refusals.EXTEND, exc)
    flash(_("已批准延长 {n} 个工作日，办结期限 {date}。", n=days, date=view.deadline_date.isoformat()), "success")
    return _back_to_case(instance_id)


@bp.post("/cases/<int:instance_id>/clock/extension-requests")
def request_extension(instance_id: int) -> ResponseReturnValue:
    days = _whole_number(request.form.get("days"))
    try:
        extensions.request(uow(), instance_id, actor=actor(), days=days, reason=request.form.get("reason", ""))
    except EngineError as exc:
        return _clock_refused(instance_id, clock_refusals.REQUEST_EXTENSION, exc)
    flash(_("已申请延期 {n} 个工作日，待机关负责人审批。", n=days), "success")
    return _back_to_case(instance_id)


@bp.post("/cases/<int:instance_id>/extension-requests/<int:request_id>/<any(approve, refuse):decision>")
def decide_extension(instance_id: int, request_id: int, decision: str) -> ResponseReturnValue:
    """The head's decision on the case page (or the list of requests, which ``next`` returns to)."""
    opinion = request.form.get("opinion", "")
    granted = request.form.get("days", "").strip()  # the days granted: all those requested when left out
    try:
        if decision == "approve":
            decided = extensions.approve(uow(), request_id, actor=actor(), opinion=opinion or None,
                                         days=_whole_number(granted) if granted else None)
        else:
            decided = extensions.refuse(uow(), request_id, actor=actor(), opinion=opinion)
    except EngineError as exc:
        case_page = url_for("pages.cases.case", instance_id=instance_id)
        back = session.safe_next(request.form.get("next"), case_page)
        said = clock_refusals.said(clock_refusals.DECIDE_EXTENSION, exc)
        if not back.startswith(case_page) and said is not None:  # from the list of requests: back to it, saying why
            flash(_("操作未完成：{message}", message=said), "error")
            return redirect(back, 303)
        return _clock_refused(instance_id, clock_refusals.DECIDE_EXTENSION, exc)
    if decided.state == extensions.APPROVED:
        flash(_("已批准延长 {n} 个工作日，办结期限 {date}。", n=decided.granted_days or decided.days,
                date=decided.deadline_date.isoformat() if decided.deadline_date else ""), "success")
    else:
        flash(_("已不予批准延期申请。"), "success")
    return redirect(session.safe_next(request.form.get("next"), url_for("pages.cases.case", instance_id=instance_id)))


@bp.post("/cases/<int:instance_id>/clock/pause")
def pause_clock(instance_id: int) -> ResponseReturnValue:
    try:
        time_limits.pause(uow(), instance_id, actor=actor(), kind=request.form.get("kind", ""),
                          reason=request.form.get("reason", ""))
    except EngineError as exc:
        return _clock_refused(instance_id, clock_refusals.PAUSE, exc)
    flash(_("特别程序已开始，暂停计时。"), "success")
    return _back_to_case(instance_id)


@bp.post("/cases/<int:instance_id>/clock/resume")
def resume_clock(instance_id: int) -> ResponseReturnValue:
    try:
        view = time_limits.resume(uow(), instance_id, actor=actor(), result=request.form.get("result"),
                                  opinion=request.form.get("opinion"))
    except EngineError as exc:
        return _clock_refused(instance_id, clock_refusals.RESUME, exc)
    if view.state == time_limits.PAUSED:  # a step of the diagram still excludes its time
        flash(_("特别程序已结束；流程中的特别程序仍在进行，继续暂停计时。"), "success")
    else:
        flash(_("特别程序已结束，恢复计时，办结期限 {date}。", date=view.deadline_date.isoformat()), "success")
    return _back_to_case(instance_id)


@dataclass(frozen=True)
class ClockTyped:
    """A clock form the engine refused, as typed: the case page shows it open, holding the values."""

    command: str  # clock_refusals.EXTEND ...
    values: dict[str, str]


def _clock_refused(instance_id: int, command: str, exc: EngineError) -> ResponseReturnValue:
    """The case page again with the refusal in its words and the refused form holding what was typed; one
    this page cannot word (no right to the case, no such case) goes to the pages' error handler."""
    said = clock_refusals.said(command, exc)
    if said is None:
        raise exc
    flash(_("操作未完成：{message}", message=said), "error")
    typed = {key: value for key, value in request.form.items() if key not in ("csrf_token", "next")}
    return case(instance_id, clock_typed=ClockTyped(command, typed)), 422


def _whole_number(text: str | None) -> int:
    """The working days typed; anything else as 0, which the engine refuses in its own words."""
    try:
        return int((text or "").strip())
    except ValueError:
        return 0


@bp.post("/cases/<int:instance_id>/tasks/<task_id>/error")
def throw_error(instance_id: int, task_id: str) -> ResponseReturnValue:
    """End another's open task through the error its diagram lets this clerk's group throw (govflow.thrownBy):
    the centre recording that a member department did not attend the meeting, with the reason; the engine
    checks the rights and the reason, and the case runs on along the event's path."""
    offered = next((t for t in tasks.throwables(uow(), instance_id, actor=actor()) if t.task_id == task_id), None)
    if offered is None:  # ended meanwhile (the member voted), or not this user's to end
        flash(_("该任务已结束或无权登记，未作记录。"), "error")
        return redirect(url_for("pages.cases.case", instance_id=instance_id))
    reason = request.form.get("reason", "")
    if not text.shows_something(reason) or text.unreadable(reason):  # as the engine refuses it, in the page's words
        flash(_("请填写原因后再登记：{name}（{member}）", name=offered.boundary_name or offered.code,
                member=offered.member or offered.task_name or ""), "error")
        return redirect(url_for("pages.cases.case", instance_id=instance_id))
    tasks.throw_error(uow(), task_id, actor=actor(), code=offered.code, message=reason, variables={})
    said = offered.boundary_name or offered.code
    flash(_("已登记：{name}（{member}）", name=said, member=offered.member or offered.task_name or ""), "success")
    return redirect(url_for("pages.cases.case", instance_id=instance_id))


@bp.post("/cases/<int:instance_id>/messages")
def record_message(instance_id: int) -> ResponseReturnValue:
    """Record a message the case waits for (the applicant brought the supplement): delivered as an
    integrator's message is, with the clerk as its sender and their note in the history. A clerk records
    only what the diagram marks recordable (the page offers nothing else); another is an integration's."""
    name = request.form.get("message", "")
    wait = next((w for w in instances.waits(uow(), instance_id, actor=actor())
                 if w.kind == "message" and w.message == name), None)
    if wait is not None and not wait.recordable and not actor().has("integrator"):
        flash(_("{name}由系统对接发送，不能在办件页记录。", name=wait.label), "error")
        return redirect(url_for("pages.cases.case", instance_id=instance_id))
    try:
        if wait is not None:
            instances.send_message(uow(), name, actor=actor(), instance_id=instance_id,
                                   note=request.form.get("note"))
    except NotFound:  # recorded by someone else in between
        wait = None
    except MaterialsMissing as exc:  # the step goes on as if the materials were complete (govflow.materialsComplete)
        assert wait is not None  # only a wait's message is sent
        names = _("、").join(str(d.get("material")) for d in exc.details if isinstance(d, dict))
        flash(_("尚缺材料，未记录{name}：{names}。请先上传电子件或登记纸质原件已核验。", name=wait.label, names=names),
              "error")
        return redirect(url_for("pages.cases.case", instance_id=instance_id, _anchor="materials"))
    if wait is None:  # recorded meanwhile, or the wait ended (its deadline passed)
        flash(_("办件已不在等待此消息，未作记录。"), "error")
    else:
        flash(_("已记录：{name}", name=wait.label), "success")
    return redirect(url_for("pages.cases.case", instance_id=instance_id))


@bp.post("/cases/<int:instance_id>/query-code")
def query_code(instance_id: int) -> ResponseReturnValue:
    """A new query code for the applicant, once the clerk confirmed that the old one stops working: the answer
    is the receipt (收件回执) with the new code, to print; shown on this answer only (not in an address, not
    flashed through the session cookie, not kept)."""
    if request.form.get("confirm") != "1":  # the checkbox is required in the form; a request without it changes nothing
        flash(_("请先勾选“原查询码将失效”，再生成新查询码。"), "error")
        return redirect(url_for("pages.cases.case", instance_id=instance_id), 303)
    code = query_codes.reissue(uow(), instance_id, actor=actor())
    file = timeline.case_file(uow(), instance_id, actor=actor())
    received = materials.checklist(uow(), instance_id, actor=actor()) if file.materials is not None else None
    with uow() as work:  # the item's guide, as the intake receipt names it (none: the process's name)
        guide = guides.latest_for_process(work, file.case.definition_key)
    entry = guides.CatalogueEntry(guide, None) if guide is not None else None
    return render_template("pages/intake_receipt.html", case=dataclasses.replace(file.case, query_code=code),
                           entry=entry, guide=guide.content if guide is not None else {}, created=False,
                           clerk=users.display_name(uow(), actor().name),
                           reissued=True, differing=[], received=received, on_behalf=file.accepted_on_behalf,
                           item_name=file.definition_name or file.case.definition_key)


# ---- materials: upload per entry of the checklist ----------------------------------------------------

OTHER = "other"  # the row of a material the guide does not list (a case without a guide's checklist)


@dataclass(frozen=True)
class UploadRefusal:
    """An upload refused, shown beside its row: ``row`` is the checklist entry (1-based) or OTHER."""

    row: str
    message: str
    name: str = ""  # the name typed in the OTHER row, kept


@dataclass(frozen=True)
class UploadForm:
    """The upload forms of the case page: shown while the case runs, to those who may see its materials
    (the engine's rule for uploads is the same), with the limits they say before a file is sent."""

    max_bytes: int
    size: str  # the limit as people read it, e.g. 20 MB
    accept: str  # the file input's hint: the extensions taken (Settings.material_types)
    uploaded: int | None  # the material just uploaded, marked in its row

    @property
    def types(self) -> str:
        return uploads.accepted_types()


def upload_form(state: str, checklist: materials.Checklist | None) -> UploadForm | None:
    if checklist is None or state in materials.ENDED:
        return None
    settings = runtime().settings
    return UploadForm(max_bytes=settings.max_material_bytes, size=file_size(settings.max_material_bytes),
                      accept=",".join(f".{t}" for t in settings.material_types),
                      uploaded=request.args.get("uploaded", type=int))


class MaterialUpload(MethodView):
    """Upload a material for one row of the checklist: the row is in the address (``?row=``), so that even
    a body too large to be read says which entry it was for."""

    @staticmethod
    def body_limit(settings: Settings) -> int:  # read by api/limits.py: the materials API's limit
        return upload_limit(settings.max_material_bytes)

    def post(self, instance_id: int) -> ResponseReturnValue:
        row = _row()
        name = request.form.get("name", "")
        upload = request.files.get("file")
        if upload is None or not upload.filename or uploads.empty(upload):
            return _refused(instance_id, UploadRefusal(row, _("请选择要上传的文件（不能为空文件）。"), name), 400)
        try:
            found = materials.upload(uow(), instance_id, actor=actor(), name=name, filename=upload.filename,
                                     stream=upload.stream)
        except TooLarge:
            return _refused(instance_id, UploadRefusal(row, uploads.too_large(), name), 413)
        except UnsupportedType as exc:
            return _refused(instance_id, UploadRefusal(row, uploads.unsupported(exc), name), 415)
        except Conflict:  # ended meanwhile: its archive is closed
            return _refused(instance_id, UploadRefusal(row, _("办件已结束，不能再提交材料。"), name), 409)
        except ValidationFailed as exc:  # the name: empty, too long, control characters
            return _refused(instance_id, UploadRefusal(row, _("未能上传：{message}", message=exc.message), name), 422)
        except InvalidRequest as exc:  # the file: no name left once cleaned
            return _refused(instance_id, UploadRefusal(row, _("未能上传：{message}", message=exc.message), name), 400)
        flash(_("已上传：{name}（{filename}）", name=found.name, filename=found.filename), "success")
        return redirect(url_for("pages.cases.case", instance_id=instance_id, uploaded=found.id, _anchor="materials"),
                        303)


bp.add_url_rule("/cases/<int:instance_id>/materials", view_func=MaterialUpload.as_view("upload_material"))


@bp.errorhandler(RequestEntityTooLarge)
def _body_too_large(exc: RequestEntityTooLarge) -> ResponseReturnValue:
    """A file larger than the upload's limit is refused before its form is read (api/limits.py): the case page
    says so beside the row the address names. Elsewhere the error page, as for every page."""
    if request.endpoint != "pages.cases.upload_material":
        return error_page(413, _("上传的文件过大。"))
    if session.load_actor() is None:  # the refusal came before the session was read
        return redirect(url_for("pages.auth.login"))
    instance_id = int((request.view_args or {})["instance_id"])
    try:
        return _refused(instance_id, UploadRefusal(_row(), uploads.too_large()), 413)
    except EngineError:  # not a case this user reads: an error inside this handler would become a 500
        return error_page(413, _("上传的文件过大。"))


def _refused(instance_id: int, refusal: UploadRefusal, status: int) -> ResponseReturnValue:
    return case(instance_id, refused=refusal), status


def _row() -> str:
    row = request.args.get("row", "")
    return row if row.isdigit() or row == OTHER else ""


# ---- materials: received on paper, or not applicable ------------------------------------------------

MARK_TEXTS = {materials.PAPER_CHECKED: "纸质原件已核验", materials.NOT_APPLICABLE: "不适用",
              materials.SHARED: "已通过数据共享获取"}


def _may_mark(instance_id: int) -> bool:
    """Whether the window's marks are this user's to record (engine.materials.record's rule)."""
    with uow() as work:
        return _allowed(materials.require_window, work, actor(), instance_id)


@bp.post("/cases/<int:instance_id>/materials/marks")
def mark_material(instance_id: int) -> ResponseReturnValue:
    name, kind = request.form.get("name", ""), request.form.get("kind", "")
    try:
        materials.record(uow(), instance_id, actor=actor(), marks=[materials.NewMark(name=name, kind=kind)])
    except ValidationFailed:  # a form edited by hand: the page offers only what the checklist allows
        flash(_("“{name}”不能记录为该收件情况。", name=name), "error")
    except Conflict:
        flash(_("办件已结束，不能再记录收件情况。"), "error")
    else:
        flash(_("已记录：{name}（{kind}）", name=name, kind=_(MARK_TEXTS.get(kind, kind))), "success")
    return redirect(url_for("pages.cases.case", instance_id=instance_id, _anchor="materials"), 303)


@bp.post("/cases/<int:instance_id>/materials/marks/<int:mark_id>/withdraw")
def withdraw_mark(instance_id: int, mark_id: int) -> ResponseReturnValue:
    try:
        materials.withdraw(uow(), instance_id, mark_id, actor=actor())
    except Conflict as exc:  # accepted on the marks, or ended
        flash(_("办件已受理，收件记录不能撤销。") if exc.context.get("state") == "accepted"
              else _("办件已结束，收件记录不能撤销。"), "error")
    except NotFound:  # taken back meanwhile
        flash(_("该收件记录已撤销。"), "error")
    else:
        flash(_("已撤销收件记录。"), "success")
    return redirect(url_for("pages.cases.case", instance_id=instance_id, _anchor="materials"), 303)


@bp.post("/cases/<int:instance_id>/materials/<int:material_id>/withdraw")
def withdraw_upload(instance_id: int, material_id: int) -> ResponseReturnValue:
    """Withdraw a wrong upload (engine.materials.withdraw_upload): the reason is required; the file stays
    listed as withdrawn and its entry is missing again, to upload the right one."""
    reason = request.form.get("reason", "")
    if not reason.strip():
        flash(_("请填写撤回原因。"), "error")
        return redirect(url_for("pages.cases.case", instance_id=instance_id, _anchor="materials"), 303)
    try:
        found = materials.withdraw_upload(uow(), instance_id, material_id, actor=actor(), reason=reason)
    except Conflict as exc:
        state = exc.context.get("state")
        flash(_("办件已受理，已受理的材料保留在案卷中，不能撤回。") if state == "accepted"
              else _("该材料已撤回。") if state == "withdrawn" else _("办件已结束，材料不能撤回。"), "error")
    except InvalidRequest:  # a reason too long or with control characters (the form keeps it to one line)
        flash(_("撤回原因须为 1 至 500 个字，不含控制字符。"), "error")
    else:
        flash(_("已撤回：{name}（{filename}），请重新上传正确的材料。", name=found.name, filename=found.filename),
              "success")
    return redirect(url_for("pages.cases.case", instance_id=instance_id, _anchor="materials"), 303)


@bp.get("/cases/<int:instance_id>/materials/<int:material_id>")
def material(instance_id: int, material_id: int) -> ResponseReturnValue:
    found, stream = materials.download(uow(), instance_id, material_id, actor=actor())
    return send_download(stream, mimetype=found.content_type, name=found.filename, fallback=f"material-{found.id}",
                         etag=found.sha256)


@bp.get("/cases/<int:instance_id>/documents/<int:document_id>")
def document(instance_id: int, document_id: int) -> ResponseReturnValue:
    """A document as issued (``?format=pdf``, the default, or ``html``), with the API route's rights and headers;
    ``?view=1`` shows it in the browser to print (the PDF viewer's print), else it is saved, named by the case
    number and title (SX-2026-000123-受理通知书.pdf): a clerk's folder of downloads tells cases apart."""
    fmt = request.args.get("format", "pdf")
    found = documents.download(uow(), instance_id, document_id, actor=actor(), fmt=fmt)
    response = send_download(found.content, mimetype=documents.FORMATS[fmt], name=found.file_name,
                             fallback=found.plain_name, etag=found.sha256,
                             inline=request.args.get("view") == "1")
    if fmt == "html":
        response.headers["Content-Security-Policy"] = HTML_POLICY  # shown, never run
    return response
