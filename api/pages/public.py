"""Pages anyone may open without logging in: the catalogue of service items with their guides (办事指南,
SX28), the progress lookup by case number and query code (查询码, DOMAIN rule 9), and the rating of an
ended case under its progress (好差评, DOMAIN rule 12), and complaints (投诉) with their number and code.

They read through the same engine functions as the public API (engine.guides, engine.progress). The
lookup is a form POST with the session's CSRF token, rate limited like the public API's reads
(api/rate_limits.py); a wrong code and an unknown case get one answer.

The forms answer as mature sites do, POST -> 303 -> GET, so that back and reload never ask to send a form
again (a second rating, a second complaint): the lookup, the rating and the complaint keep what their
answer shows in the session for ``KEPT_SECONDS`` and redirect to a page that shows it. The page session
is a signed cookie, readable by whoever holds it, and no query code is kept in it nor put in an address
(browser history, the download list, proxies' logs, referrers):

* the lookup keeps the case number and a proof of the code (engine.query_codes.verify), which opens the
  case only for these pages (its page, its documents at ``/public/progress/documents/<id>``, its rating
  form) and goes stale when a new code is handed out; the public API asks for the code itself;
* a complaint's receipt keeps its new code only until the page that shows it once; a reload shows the
  complaint's number without it.

What is kept is dropped once its time is up. A form that is refused (a wrong code, a missing field)
answers directly, with nothing kept: sent again it changes nothing.

While the case looked up waits for the applicant's supplement, its page offers the online supplement
(engine.public_supplement) by the same proof: a file upload per material the notice lists (limited as a
clerk's upload, refused beside its material) and the submission, which a missing material refuses naming
it. Both answer POST -> 303 -> GET too, what they did said once on the page that follows.
"""
from __future__ import annotations

import json
import math
import re
import secrets
import time
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from engine import complaints, guides, idempotency, progress, public_supplement, query_codes, ratings
from engine.documents import FORMATS
from engine.errors import (
    Conflict,
    InProgress,
    InvalidRequest,
    MaterialsMissing,
    NotFound,
    TooLarge,
    UnsupportedType,
    ValidationFailed,
)
from engine.settings import Settings

from ..context import uow
from ..documents import HTML_POLICY
from ..downloads import send_download
from ..limits import upload_limit
from . import uploads
from .i18n import LANGUAGES
from .i18n import gettext as _

bp = Blueprint("public", __name__, url_prefix="/public")

MAX_QUERY = 200
MAX_CASE_NO = 50  # GB/T 39046: a case number has at most 50 characters
MAX_CODE = 32
MAX_DEPARTMENT = 50
# Labels of the guide's coded values as an applicant reads them (GB/T 39046 and bpmn/README.md).
LEVELS = {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇级", "village": "村级"}
MATERIAL_FORMS = {"original": "原件", "copy": "复印件", "original_and_copy": "原件和复印件", "electronic": "电子件"}
# What a complainant reads for each field complaints.submit refuses.
# The case states diagrams set (govflow.caseState: the codes approval systems exchange, DOMAIN.md) in an
# applicant's words on the progress page; a code like 补正(开始) reads as an internal label there.
APPLICANT_STATES = {"补正(开始)": "待补正材料", "补正(结束)": "已补正材料", "整改(开始)": "待整改", "整改(结束)": "已整改",
                    "特别程序(开始)": "特别程序中（不计入办理时限）", "特别程序(结束)": "特别程序结束",
                    "部门开始办理": "部门办理中", "流会(重新召开)": "会议流会，将重新召开", "办结(通过)": "办结（通过）",
                    "办结(容缺通过)": "办结（容缺受理，通过）", "办结(不通过)": "办结（不通过）"}


@bp.app_template_filter("applicant_state")
def applicant_state(state: str | None) -> str | None:
    """A case state as the progress page says it: its applicant's words, else the code with full-width brackets."""
    if not state:
        return state
    return APPLICANT_STATES.get(state) or state.replace("(", "（").replace(")", "）")


COMPLAINT_PROBLEMS = {"name": "请填写姓名（至多 50 字）。", "phone": "请填写手机号（11 位）或带区号的固定电话。",
                      "content": "请填写投诉内容（至多 2000 字）。", "case_no": "办件编号至多 50 个字符。",
                      "item_code": "事项编码至多 50 个字符。"}
SUBMISSION = re.compile(r"[A-Za-z0-9_-]{24}")  # the complaint form's one-time token (secrets.token_urlsafe(18))
SUBMISSION_WAIT_STEPS = 100  # 10 s at most for the first send of a double click to be answered
# Routes that open a case by its code (the lookup) or by the proof the session keeps of it.
CODE_FORMS = ("pages.public.progress_lookup", "pages.public.rate", "pages.public.progress_document",
              "pages.public.supplement_upload", "pages.public.supplement_submit")
DELIVERY_METHODS = progress.DELIVERY_NAMES
# How long the session keeps a looked-up case and a complaint's receipt for their pages: long enough to read,
# rate and reload, short enough that a shared computer (a service hall's kiosk) soon shows nobody's case.
KEPT_SECONDS = 15 * 60
KEPT_CASE, KEPT_RECEIPT = "public_case", "public_receipt"  # session keys
ENDED = "public_lookup_ended"  # the next lookup page says the lookup was ended


# The page a language switch returns to from a form's answer (a POST cannot be requested again).
FORM_PAGES = {"pages.public.progress_lookup": "pages.public.progress_form", "pages.public.rate": "pages.public.progress_form",
              "pages.public.complain": "pages.public.complaint_form",
              "pages.public.supplement_upload": "pages.public.progress_form",
              "pages.public.supplement_submit": "pages.public.progress_form"}


@bp.context_processor
def _rating_names() -> dict[str, Any]:
    return {"rating_levels": ratings.LEVELS, "rating_aspects": ratings.ASPECTS,
            "rectification_names": progress.RECTIFICATION_NAMES, "form_pages": FORM_PAGES}


@bp.get("/catalogue")
def catalogue() -> ResponseReturnValue:
    args = request.args
    q = args.get("q", "").strip()[:MAX_QUERY]
    department = args.get("department", "").strip()[:MAX_DEPARTMENT]
    item_type = args.get("type", "") if args.get("type") in guides.ITEM_TYPES else ""
    every = guides.catalogue(uow())
    shown = guides.catalogue(uow(), q=q or None, department=department or None, item_type=item_type or None) \
        if q or department or item_type else every
    # One option per department code (two guides may spell the department's name differently).
    departments = sorted({e.guide.department_code: _department_name(e) for e in reversed(every)}.items())
    return render_template("pages/public_catalogue.html", entries=shown, total=len(every), q=q,
                           department=department, item_type=item_type, departments=departments,
                           item_types=guides.ITEM_TYPES)


def _department_name(entry: guides.CatalogueEntry) -> str:
    lead = entry.guide.content.get("department")
    return str(lead.get("name") or entry.guide.department_code) if isinstance(lead, dict) else entry.guide.department_code


@bp.get("/catalogue/<code>")
def guide(code: str) -> ResponseReturnValue:
    entry = guides.get_entry(uow(), code)
    return render_template("pages/public_guide.html", entry=entry, guide=entry.guide.content,
                           item_types=guides.ITEM_TYPES, case_types=guides.CASE_TYPES, levels=LEVELS,
                           forms=MATERIAL_FORMS, delivery=DELIVERY_METHODS, procedures=progress.PROCEDURE_NAMES)


@bp.get("/progress")
def progress_form() -> ResponseReturnValue:
    """The lookup form, under it the case looked up last in this session (the lookup's and the rating's
    answer), unless another case number is asked for."""
    asked = request.args.get("case_no", "")[:MAX_CASE_NO]
    kept = _kept(KEPT_CASE, "case_no", "proof")
    if kept is None or (asked and not _same_case_no(asked, kept["case_no"])):
        return render_template("pages/public_progress.html", case_no=asked, found=None,
                               ended=session.pop(ENDED, False))
    try:
        found = progress.public_progress(uow(), kept["case_no"], proof=kept["proof"])
    except NotFound:  # a new code was handed out meanwhile: the proof of the old one shows nothing any more
        session.pop(KEPT_CASE, None)
        return render_template("pages/public_progress.html", case_no=kept["case_no"], found=None)
    rated, said = kept.get("rated", False), kept.get("said")
    if rated or said:  # the thanks are said once; a reload shows the rating (the files) itself
        _keep(KEPT_CASE, {**kept, "rated": False, "said": None}, until=kept["until"])
    return _progress_page(kept, found, rated=rated, said=said if isinstance(said, dict) else None)


@bp.post("/progress/end")
def progress_end() -> ResponseReturnValue:
    """End the lookup (a service hall's kiosk, a shared computer): the session forgets the case at once, not
    when its time is up, and the page says so."""
    session.pop(KEPT_CASE, None)
    session.pop(KEPT_RECEIPT, None)
    session[ENDED] = True
    return redirect(url_for(".progress_form"), 303)


@bp.post("/progress")
def progress_lookup() -> ResponseReturnValue:
    case_no = request.form.get("case_no", "").strip()
    code = request.form.get("code", "").strip()
    if not case_no or not code:
        return _lookup_page(case_no[:MAX_CASE_NO], _("请输入办件编号和查询码。"), 400)
    if len(case_no) > MAX_CASE_NO or len(code) > MAX_CODE:
        raise NotFound(query_codes.NOT_FOUND_MESSAGE)  # the same answer as any other wrong guess
    # Both as typed: engine.query_codes reads full-width input (a Chinese input method's) as NFKC.
    proof = query_codes.verify(uow(), case_no, code)
    _keep(KEPT_CASE, {"case_no": case_no, "proof": proof})  # the code itself is forgotten with this request
    return redirect(url_for(".progress_form"), 303)


@bp.get("/progress/documents/<int:document_id>")
def progress_document(document_id: int) -> ResponseReturnValue:
    """A document of the case looked up in this session (``?format=pdf``, the default, or ``html``), opened
    by the session's proof: the address holds no code (browser history, the download list)."""
    fmt = request.args.get("format", "pdf")
    if fmt not in FORMATS:
        raise BadRequest()
    kept = _kept(KEPT_CASE, "case_no", "proof")
    if kept is None:
        return _lookup_page("", _("查询已过期，请重新输入办件编号和查询码。"), 404)
    try:
        found = progress.public_document(uow(), kept["case_no"], None, document_id, fmt=fmt, proof=kept["proof"])
    except NotFound as exc:
        if exc.message == query_codes.NOT_FOUND_MESSAGE:
            raise  # a new code was handed out meanwhile: _not_found forgets the case
        return render_template("pages/public_error.html", status=404, message=_("未找到该文书。")), 404
    response = send_download(found.content, mimetype=FORMATS[fmt], name=found.file_name, fallback=found.plain_name,
                             etag=found.sha256)
    response.headers["X-Content-SHA256"] = found.sha256  # as the public API's download
    response.headers["Cache-Control"] = "no-store"  # a case's document: in no cache (send_file says no-cache)
    if fmt == "html":
        response.headers["Content-Security-Policy"] = HTML_POLICY  # shown, never run
    return response


@bp.post("/progress/rating")
def rate() -> ResponseReturnValue:
    """The rating form under an ended case's progress: rate the case the session shows, then see it with
    the rating (a refused rating answers directly, with what was typed)."""
    kept = _kept(KEPT_CASE, "case_no", "proof")
    case_no = request.form.get("case_no", "").strip()[:MAX_CASE_NO]
    if kept is None or not _same_case_no(case_no, kept["case_no"]):
        # The lookup's time is up, or another case was looked up since in this browser: look it up again.
        return _lookup_page(case_no, _("查询已过期，请重新输入办件编号和查询码。"), 404)
    level = request.form.get("level", type=int)
    comment = request.form.get("comment", "")[:ratings.MAX_COMMENT + 1]
    # What a 差评 is about, at its level (the form offers the aspects whatever the level chosen).
    aspects = [a for a in request.form.getlist("aspect") if a in ratings.ASPECTS]
    dimensions = {a: level for a in aspects} if level in ratings.BAD_LEVELS else {}
    try:
        ratings.rate(uow(), case_no, proof=kept["proof"], level=level, comment=comment,  # type: ignore[arg-type]
                     dimensions=dimensions)
    except ValidationFailed as exc:
        fields = {d.get("field") for d in exc.details}
        problem = _("请选择满意程度。") if "level" in fields else (
            _("选择“不满意”或“非常不满意”时，请写明原因，以便整改。") if comment.strip() == ""
            else _("评价内容过长，请控制在 {n} 字以内。", n=ratings.MAX_COMMENT))
    except Conflict as exc:
        problem = _(exc.message)
    else:
        _keep(KEPT_CASE, {**kept, "rated": True})
        return redirect(url_for(".progress_form", _anchor="rating"), 303)
    found = progress.public_progress(uow(), case_no, proof=kept["proof"])
    page = render_template("pages/public_progress.html", case_no=case_no, found=found, rating_problem=problem,
                           level=level, comment=comment, aspects=aspects)
    return page, 422


# ---- online supplement ------------------------------------------------------------------------------------

def _progress_page(kept: dict[str, Any], found: progress.Progress, **extra: Any) -> str:
    """The progress page of the case the session keeps, with its online supplement while it awaits one (or
    why it offers none: the applicant brings it to the window)."""
    supplement, closed = None, None
    if found.awaiting is not None and found.awaiting.kind == progress.SUPPLEMENT:
        try:
            supplement = public_supplement.supplement(uow(), kept["case_no"], proof=kept["proof"])
        except Conflict as exc:
            closed = exc.message
        except NotFound:  # a new code was handed out since the progress was read: the next request says so
            pass
    types = [f".{t}" for t in supplement.types] if supplement is not None else []
    return render_template("pages/public_progress.html", case_no=kept["case_no"], found=found,
                           supplement=supplement, supplement_closed=closed, accept=",".join(types),
                           accepted=_("、").join(types), **extra)


def _supplement_kept() -> dict[str, Any] | None:
    """The case the session keeps, if it is the one the form was sent for."""
    kept = _kept(KEPT_CASE, "case_no", "proof")
    case_no = request.form.get("case_no", "").strip()[:MAX_CASE_NO]
    return kept if kept is not None and _same_case_no(case_no, kept["case_no"]) else None


def _supplement_refused(kept: dict[str, Any], message: str, status: int, item: int | None = None
                        ) -> ResponseReturnValue:
    """The page again, the refusal beside the material's form (``item``: its place in the list) or above them."""
    found = progress.public_progress(uow(), kept["case_no"], proof=kept["proof"])
    return _progress_page(kept, found, supplement_problem={"item": item, "message": message}), status


def _item() -> int | None:
    """Which material's form was sent: its place in the address (``?item=``), read even when the body is not."""
    item = request.args.get("item", "")
    return int(item) if re.fullmatch(r"\d{1,3}", item, re.ASCII) else None


def _expired() -> ResponseReturnValue:
    # The lookup's time is up, or another case was looked up since in this browser: look it up again.
    return _lookup_page(request.form.get("case_no", "").strip()[:MAX_CASE_NO],
                        _("查询已过期，请重新输入办件编号和查询码。"), 404)


class SupplementUpload(MethodView):
    """A file for one material the supplement of the session's case asks for; the page then lists it under
    the material. A refusal (no file, too large, a type not taken, the supplement submitted meanwhile) is
    said beside the material's form."""

    @staticmethod
    def body_limit(settings: Settings) -> int:  # read by api/limits.py: a clerk's upload's limit
        return upload_limit(settings.max_material_bytes)

    def post(self) -> ResponseReturnValue:
        kept, item = _supplement_kept(), _item()
        if kept is None:
            return _expired()
        upload = request.files.get("file")
        if upload is None or not upload.filename or uploads.empty(upload):
            return _supplement_refused(kept, _("请选择要上传的文件（不能为空文件）。"), 400, item)
        try:
            found = public_supplement.upload(uow(), kept["case_no"], proof=kept["proof"],
                                             name=request.form.get("name", ""), filename=upload.filename,
                                             stream=upload.stream)
        except TooLarge:
            return _supplement_refused(kept, uploads.too_large(), 413, item)
        except UnsupportedType as exc:
            return _supplement_refused(kept, uploads.unsupported(exc), 415, item)
        except Conflict as exc:  # submitted meanwhile, no longer awaited, or its files are enough
            if exc.context.get("state") == "too_many_files":
                return _supplement_refused(kept, _(public_supplement.TOO_MANY_FILES, name=request.form.get("name", ""),
                                                   n=public_supplement.MAX_FILES), 409, item)
            return _supplement_refused(kept, _(exc.message), 409)
        except (ValidationFailed, InvalidRequest) as exc:  # a material not asked for; a file name with nothing left
            return _supplement_refused(kept, _("未能上传：{message}", message=exc.message),
                                       422 if isinstance(exc, ValidationFailed) else 400, item)
        _keep(KEPT_CASE, {**kept, "said": {"uploaded": found.name, "filename": found.filename}})
        return redirect(url_for(".progress_form", _anchor="supplement"), 303)


bp.add_url_rule("/progress/supplement/materials", view_func=SupplementUpload.as_view("supplement_upload"))


@bp.post("/progress/supplement")
def supplement_submit() -> ResponseReturnValue:
    """Submit the supplement of the session's case; refused, naming each material with no file yet."""
    kept = _supplement_kept()
    if kept is None:
        return _expired()
    try:
        public_supplement.submit(uow(), kept["case_no"], proof=kept["proof"])
    except MaterialsMissing as exc:
        names = _("、").join(str(d.get("material")) for d in exc.details if isinstance(d, dict))
        return _supplement_refused(kept, _("尚未上传以下补正材料，请上传后再提交：{names}", names=names), 422)
    except Conflict as exc:
        return _supplement_refused(kept, _(exc.message), 409)
    _keep(KEPT_CASE, {**kept, "said": {"submitted": True}})
    return redirect(url_for(".progress_form", _anchor="supplement-done"), 303)


# ---- complaints -------------------------------------------------------------------------------------------

@bp.get("/complaints")
def complaint_form() -> ResponseReturnValue:
    """The complaint form, from a guide (the item filled in) or a case's progress (its number)."""
    form = {"case_no": request.args.get("case_no", "")[:MAX_CASE_NO],
            "item_code": request.args.get("item", "")[:MAX_CASE_NO]}
    return _complaint_page(form, {})


@bp.post("/complaints")
def complain() -> ResponseReturnValue:
    """File the complaint once per form shown: its one-time token makes a second send (a double click, a
    resend) show the same complaint, with a new code in place of the one its first answer carried. Either
    way the receipt is kept in the session and its page shown (a reload shows it again, files nothing)."""
    form = {key: request.form.get(key, "") for key in ("name", "phone", "content", "case_no", "item_code")}
    token = request.form.get("submission", "")
    key = f"complaint-form:{token}" if SUBMISSION.fullmatch(token) else None
    user = f"public:{get_remote_address()}"[:100]
    if key is not None:
        done = _first_send(user, key)
        if done is not None:
            return _show_receipt(complaints.receipt_again(uow(), json.loads(done.body)["complaint_no"]), again=True)
    try:
        filed = complaints.submit(uow(), name=form["name"], phone=form["phone"], content=form["content"],
                                  case_no=form["case_no"], item_code=form["item_code"])
    except ValidationFailed as exc:
        if key is not None:
            idempotency.release(uow(), user=user, key=key)  # corrected, the same form is sent again
        problems = {d.get("field"): COMPLAINT_PROBLEMS.get(d.get("field"), d.get("message")) for d in exc.details}
        return _complaint_page(form, problems, token=token), 422
    except Exception:
        if key is not None:
            idempotency.release(uow(), user=user, key=key)
        raise
    if key is not None:  # the number only: the code is shown once, never kept in clear
        idempotency.finish(uow(), user=user, key=key, status=200, content_type="application/json",
                           body=json.dumps({"complaint_no": filed.complaint_no}).encode())
    return _show_receipt(filed, again=False)


@bp.get("/complaints/receipt")
def complaint_receipt() -> ResponseReturnValue:
    """The receipt of the complaint just filed: its number, and its query code this once (the code leaves
    the session here); a reload, while the session keeps the receipt, shows the number and says the code
    was shown."""
    kept = _kept(KEPT_RECEIPT, "complaint_no", "received_at")
    if kept is None:
        return render_template("pages/public_complaint.html", filed=None, receipt_gone=True, form={}, problems={},
                               items=[])
    code = kept.pop("code", None)
    if code is not None:
        _keep(KEPT_RECEIPT, {**kept, "again": False}, until=kept["until"])
    filed = complaints.ComplaintView(complaint_no=kept["complaint_no"], query_code=code or "",
                                     received_at=datetime.fromisoformat(kept["received_at"]),
                                     handle_days=kept["handle_days"], answer_days=kept["answer_days"])
    return render_template("pages/public_complaint.html", filed=filed, again=kept["again"] and code is not None,
                           form={}, problems={}, items=[])


@bp.post("/complaints/receipt/language")
def receipt_language() -> ResponseReturnValue:
    """The language switch of a receipt showing its code: the page sends the code back, and the receipt in
    the other language shows it once more. A code that is not this complaint's is not kept (the receipt
    then says the code was shown, as on a reload)."""
    if request.form.get("lang") in LANGUAGES:
        session["lang"] = request.form["lang"]
    kept = _kept(KEPT_RECEIPT, "complaint_no", "received_at")
    code = request.form.get("code", "").strip()
    if kept is not None and code and len(code) <= MAX_CODE:
        try:
            query_codes.verify(uow(), kept["complaint_no"], code)
        except NotFound:
            pass
        else:
            _keep(KEPT_RECEIPT, {**kept, "code": code}, until=kept["until"])
    return redirect(url_for(".complaint_receipt"), 303)


def _show_receipt(filed: complaints.ComplaintView, *, again: bool) -> ResponseReturnValue:
    # The new code stays in the session only until the receipt's page takes it out, on the GET after this.
    _keep(KEPT_RECEIPT, {"complaint_no": filed.complaint_no, "code": filed.query_code,
                         "received_at": filed.received_at.isoformat(), "handle_days": filed.handle_days,
                         "answer_days": filed.answer_days,
                         "again": again})
    return redirect(url_for(".complaint_receipt"), 303)


def _first_send(user: str, key: str) -> idempotency.StoredResponse | None:
    """None: this send files the complaint. Else the first send's answer, waited for while it runs (a double
    click sends the second before the first is answered)."""
    for _step in range(SUBMISSION_WAIT_STEPS):
        try:
            return idempotency.begin(uow(), user=user, key=key, fingerprint="complaint-form")
        except InProgress:
            time.sleep(0.1)
    raise InProgress("the complaint is still being filed; reload the page in a moment")


def _complaint_page(form: dict[str, str], problems: dict[str, Any], error: str | None = None,
                    token: str | None = None) -> str:
    # Every item but the complaint itself: a complaint about complaint handling goes to supervision on its own.
    items = [(e.guide.code, e.guide.name) for e in guides.catalogue(uow())
             if e.guide.process_key != complaints.COMPLAINT_KEY]
    return render_template("pages/public_complaint.html", filed=None, form=form, problems=problems, items=items,
                           error=error, submission=token or secrets.token_urlsafe(18))


def _keep(name: str, value: dict[str, Any], *, until: float | None = None) -> None:
    """Keep a form's answer in the session for its page, for KEPT_SECONDS (or until ``until``)."""
    session[name] = {**value, "until": until or time.time() + KEPT_SECONDS}


def _kept(name: str, *keys: str) -> dict[str, Any] | None:
    """A copy of what _keep kept, with these keys; None (and forgotten) once its time is up."""
    kept = session.get(name)
    if not isinstance(kept, dict) or not isinstance(kept.get("until"), (int, float)) or kept["until"] < time.time() \
            or not all(isinstance(kept.get(key), str) for key in keys):
        session.pop(name, None)
        return None
    return dict(kept)


def _same_case_no(typed: str, kept: str) -> bool:
    """Whether two case numbers are one as the lookup reads them (full-width or not, engine.query_codes)."""
    return query_codes.case_number(typed) == query_codes.case_number(kept)


def _lookup_page(case_no: str, error: str, status: int) -> ResponseReturnValue:
    return render_template("pages/public_progress.html", case_no=case_no, found=None, error=error), status


@bp.errorhandler(NotFound)
def _not_found(exc: NotFound) -> ResponseReturnValue:
    if request.endpoint in CODE_FORMS:
        kept = session.pop(KEPT_CASE, None)  # the page after this shows no case looked up before
        case_no = request.form.get("case_no", "").strip() or (kept or {}).get("case_no", "")
        # Unknown case number, wrong code and stale proof alike: one message, nothing to tell them apart.
        return _lookup_page(str(case_no)[:MAX_CASE_NO], _("未找到该办件，请核对办件编号和查询码。"), 404)
    if request.endpoint == "pages.public.complain":  # the complaint process is not deployed here
        return render_template("pages/public_error.html", status=404,
                               message=_("在线投诉暂未开通，请通过办事指南所列的投诉渠道投诉。")), 404
    return render_template("pages/public_error.html", status=404, message=_("未找到该事项。")), 404


@bp.errorhandler(BadRequest)
def _bad_request(exc: BadRequest) -> ResponseReturnValue:
    if exc.description == "csrf" and request.endpoint in CODE_FORMS:
        # No token or a stale one (a session that ended): the form again, with a fresh token.
        return _lookup_page(request.form.get("case_no", "").strip()[:MAX_CASE_NO],
                            _("表单已过期，请刷新页面后重试。"), 400)
    if exc.description == "csrf" and request.endpoint == "pages.public.complain":  # nothing typed is lost
        form = {key: request.form.get(key, "") for key in ("name", "phone", "content", "case_no", "item_code")}
        return _complaint_page(form, {}, _("表单已过期，请再次提交。")), 400
    return render_template("pages/public_error.html", status=400, message=_("请求无效。")), 400


@bp.errorhandler(RequestEntityTooLarge)
def _body_too_large(exc: RequestEntityTooLarge) -> ResponseReturnValue:
    """A file larger than the upload's limit is refused before its form is read (api/limits.py): the page
    says so beside the material the address names. Any other public form this large gets the error page."""
    kept = _kept(KEPT_CASE, "case_no", "proof") if request.endpoint == "pages.public.supplement_upload" else None
    if kept is not None:
        try:
            return _supplement_refused(kept, uploads.too_large(), 413, _item())
        except NotFound:  # a new code was handed out meanwhile: an error inside this handler would be a 500
            session.pop(KEPT_CASE, None)
    return render_template("pages/public_error.html", status=413, message=_("上传的文件过大。")), 413


@bp.errorhandler(RateLimitExceeded)
def _too_many(exc: RateLimitExceeded) -> ResponseReturnValue:
    current = current_app.extensions["govflow_limiter"].current_limit
    wait = max(1, math.ceil(current.reset_at - time.time())) if current is not None else 60
    page = render_template("pages/public_error.html", status=429,
                           message=_("查询过于频繁，请 {seconds} 秒后再试。", seconds=wait))
    return page, 429, {"Retry-After": str(wait)}
