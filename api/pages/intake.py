"""收件 at a window (一窗受理): a clerk chooses a service item from the deployed catalogue (its guide, searched
by name or code), sees the guide's materials checklist, fills in the applicant's details — the item's start
form where it has one (a one-thing bundle's merged application form, 多表合一, rendered by form-js as a task
form is), and field by field those it lacks — and starts the case with one engine call
(engine.instances.start, the API's). A clerk marks each material of the checklist the applicant brought on
paper as its original checked at the window (纸质原件已核验), a conditional one that does not apply as
不适用 and one the window obtained through data sharing as 已通过数据共享获取, recorded on the new case by
the same call (its ``marks``). The
answer is the receipt handed to the applicant (收件回执): case number, item, date, promised time limit, the
收件清单 (each material as received: electronic, paper original checked, not applicable, or missing) and the
query code, which the start gives once and which is shown on this answer only (not kept, not flashed
through the session cookie). Electronic copies are uploaded on the case page, entry by entry of the
checklist.

Sending the form again (a double click, a reload of the receipt) starts no second case: the form carries a
case number made when it was shown, used unless the clerk types one, and a start with a number the item
already has answers with that case, which the page shows without a query code.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from engine import (
    complaints,
    delegations,
    form_merge,
    guides,
    identity_numbers,
    instances,
    materials,
    query_codes,
    starters,
    users,
)
from engine._form_fields import PHONE
from engine.errors import Conflict, EngineError, Forbidden, NotFound, ProcessError, ValidationFailed
from engine.execution import generate_business_key
from engine.instances import MAX_BUSINESS_KEY, InstanceView

from ..context import actor, uow
from .case_data import APPLICANT_FIELDS, Field
from .errors import error_page, process_failure
from .form_values import field_labels, option_labels, pattern_hints
from .i18n import gettext as _
from .public import MATERIAL_FORMS
from .work import MARK_FIELD, error_text, mark_problem_texts, marks_from_form, on_form, submitted

bp = Blueprint("intake", __name__, url_prefix="/work/intake")

MAX_QUERY = 200
# Lodged on the public complaint page (engine.complaints), which fills in the complaint's own variables.
NOT_AT_THE_WINDOW = frozenset({complaints.COMPLAINT_KEY})
# An entrustment's state (engine.delegations.STATES) as the window reads it.
ENTRUSTMENT_STATES = {"active": "有效", "not_yet_valid": "未生效", "expired": "已过期", "revoked": "已撤销"}


@bp.get("")
def index() -> ResponseReturnValue:
    """The items a case can be started for, found by name or code. At the window of a department that
    accepts items on another department's behalf (engine.delegations): its entrusted items, each with the
    state of its entrustment (only a valid one received), and its own."""
    actor().require("clerk", "integrator", action="start cases")
    q = request.args.get("q", "").strip()[:MAX_QUERY]
    listed = [e for e in guides.catalogue(uow(), q=q or None) if _at_the_window(e)]
    keys = [e.guide.process_key for e in listed]
    offer = delegations.window_offer(uow(), keys, actor())
    if offer is None:
        allowed = starters.startable(uow(), keys, actor())
        entries = [e for e in listed if e.guide.process_key in allowed]
        entrusted: dict[str, delegations.DelegationView] = {}
    else:
        entries = [e for e in listed if e.guide.process_key in offer.own or e.guide.process_key in offer.entrusted]
        entrusted = {key: found for key, found in offer.entrusted.items() if key not in offer.own}
    return render_template("pages/intake.html", entries=entries, q=q, case_types=guides.CASE_TYPES,
                           entrusted=entrusted, state_names=ENTRUSTMENT_STATES)


def startable(entry: guides.CatalogueEntry) -> bool:
    """Whether this user starts the item's cases at a window (``_at_the_window``), and its diagram's candidate
    starters (if it names any) include them (engine.starters)."""
    return _at_the_window(entry) and starters.may_start(uow(), entry.guide.process_key, actor())


def _at_the_window(entry: guides.CatalogueEntry) -> bool:
    """Its process is deployed, and no other page lodges its cases."""
    return entry.process_version is not None and entry.guide.process_key not in NOT_AT_THE_WINDOW


@bp.get("/<code>")
def form(code: str) -> ResponseReturnValue:
    actor().require("clerk", "integrator", action="start cases")
    entry = _entry(code)
    if (refused := _not_received_here(entry)) is not None:
        return error_page(403, refused, back=url_for(".index"))
    return _form_page(entry, _start_form(entry), typed=MultiDict(), generated=generate_business_key())


@bp.post("/<code>")
def start(code: str) -> ResponseReturnValue:
    """Start the case (engine.instances.start); the receipt, or the form again with what is wrong in place."""
    actor().require("clerk", "integrator", action="start cases")
    entry = _entry(code)
    if (refused := _not_received_here(entry)) is not None:  # before anything typed is read
        return error_page(403, refused, back=url_for(".index"))
    merged = _start_form(entry)
    typed = request.form
    # The number made when the form was shown keeps a second send of this form from starting a second case.
    generated = typed.get("generated", "").strip()[:MAX_BUSINESS_KEY] or generate_business_key()
    business_key = query_codes.case_number(typed.get("business_key", "")) or generated
    details, problems = applicant_variables(typed, applicant_fields(entry, merged))
    # With a start form, the details it lacks go beside its data: the engine checks the form's data only.
    variables, beside = (details, None) if merged is None else (submitted(), details)
    marks = marks_from_form(typed)
    problems.update(mark_problems(entry, marks))
    if instances.items_numbering(uow(), business_key) - {entry.guide.process_key}:  # one number, one case
        problems["business_key"] = _("办件编号 {number} 已被其他事项的办件使用，请另填一个编号或留空自动生成。",
                                     number=business_key)
    if problems:
        return _form_page(entry, merged, typed=typed, generated=generated, problems=problems, status=422)
    try:
        view, created = instances.start(uow(), entry.guide.process_key, actor=actor(), business_key=business_key,
                                        variables=variables, marks=marks or None, beside_form=beside)
    except ValidationFailed as exc:  # the bundle's merged form, the case number, or a tick
        return _form_page(entry, merged, typed=typed, generated=generated, refused=exc.details, status=422)
    except Conflict:  # the number is another case's, one this clerk may not read
        problems = {"business_key": _("办件编号 {number} 已被其他办件使用，请另填一个编号或留空自动生成。",
                                      number=business_key)}
        return _form_page(entry, merged, typed=typed, generated=generated, problems=problems, status=409)
    except Forbidden as exc:  # 委托受理: the entrustment changed since the form was shown
        if "delegation_id" in exc.context:
            return _form_page(entry, merged, typed=typed, generated=generated, status=403, failed=_entrustment_said(
                exc.context["delegation_id"], str(exc.context.get("state", ""))))
        if exc.context.get("reason") == delegations.NOT_ENTRUSTED:
            return _form_page(entry, merged, typed=typed, generated=generated, status=403, failed=_(NOT_ENTRUSTED))
        raise
    except ProcessError as exc:  # a step of the item failed at its start: nothing was stored
        return _form_page(entry, merged, typed=typed, generated=generated, status=422,
                          failed=_("事项流程启动失败，未收件。") + process_failure(exc))
    return render_template("pages/intake_receipt.html", entry=entry, guide=entry.guide.content, case=view,
                           clerk=users.display_name(uow(), actor().name), created=created,
                           differing=_differing(view, merged), received=_received(view.id),
                           on_behalf=delegations.case_on_behalf(uow(), view.id))


# A township window's clerk starting an item none of its entrustments covers (engine.delegations).
NOT_ENTRUSTED = "本窗口未受委托受理此事项：请引导申请人到实施部门的窗口办理，或请管理员在委托受理管理中增加该事项。"


def _entrustment_said(delegation_id: int, state: str) -> str:
    return _("受托受理未收件：委托（编号 {id}）{state}，本窗口不能代为受理此事项。", id=delegation_id,
             state=_(ENTRUSTMENT_STATES.get(state, state)))


def _not_received_here(entry: guides.CatalogueEntry) -> str | None:
    """Why the window of an agent department (engine.delegations) does not receive this item, said before
    the clerk fills in its form: its entrustment is not valid today, or none covers it; None when it does,
    or the clerk is not such a window (the start decides, as engine.delegations.for_start does)."""
    key = entry.guide.process_key
    offer = delegations.window_offer(uow(), [key], actor())
    if offer is None or offer.receivable(key):
        return None
    found = offer.entrusted.get(key)
    return _(NOT_ENTRUSTED) if found is None else _entrustment_said(found.id, found.state)


def mark_problems(entry: guides.CatalogueEntry, marks: list[materials.NewMark]) -> dict[str, str]:
    """What is wrong with the checklist's ticks (a form edited by hand), before anything is started: the
    engine's rule (engine.materials.mark_problems), said in the page's language."""
    listed = materials.guide_mark_kinds(entry.guide.content.get("materials") or [])
    problems = mark_problem_texts(materials.mark_problems(marks, listed)) if marks else {}
    if marks and not actor().has("clerk"):
        problems["marks"] = _("纸质原件由窗口人员核验。")
    return problems


def _received(instance_id: int) -> materials.Checklist | None:
    """The case's checklist as received, for the receipt's list; None for a reader who may not see its
    materials."""
    try:
        return materials.checklist(uow(), instance_id, actor=actor())
    except EngineError:
        return None


def applicant_fields(entry: guides.CatalogueEntry, merged: form_merge.StartForm | None) -> tuple[Field, ...]:
    """The applicant's details asked field by field: the project's name for a construction project's item
    alone (its guide's ``project``); without a start form all the others, with one those whose variable none
    of its fields gives (a field's data path, through groups and their paths, starts with the variable it is
    stored in)."""
    project = entry.guide.content.get("project") is True
    given = {path.split(".")[0] for path in field_labels(merged.schema)} if merged is not None else set()
    return tuple(field for field in APPLICANT_FIELDS
                 if field.key not in given and (project or not field.projects_only))


def applicant_variables(typed: MultiDict[str, str], fields: tuple[Field, ...] = APPLICANT_FIELDS
                        ) -> tuple[dict[str, Any], dict[str, str]]:
    """The applicant's details asked (``fields``) as the case variables to start with (whitespace runs made
    one space, empty ones left out), and what is wrong with them by field, in the page's language."""
    variables: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for field in fields:
        value = " ".join(typed.get(field.key, "").split())
        if field.key == "applicant_phone":
            value = complaints.normal_phone(value)
        elif field.key == "applicant_id_number":
            value = identity_numbers.normal(value)
        if not value:
            if field.required:
                problems[field.key] = _("请填写{label}。", label=_(field.label))
            continue
        if len(value) > field.max_length:
            problems[field.key] = _("{label}至多 {n} 个字。", label=_(field.label), n=field.max_length)
        elif field.key == "applicant_phone" and not PHONE.match(value):
            problems[field.key] = _("请填写手机号（11 位）或带区号的固定电话。")
        elif field.key == "applicant_id_number" and (problem := id_number_problem(value)):
            problems[field.key] = problem
        variables[field.key] = value
    return variables, problems


# Another document's number (护照, 港澳居民来往内地通行证 ...): letters, digits and hyphens.
OTHER_DOCUMENT = re.compile(r"^[A-Z0-9-]{5,20}$", re.ASCII)


def id_number_problem(value: str) -> str | None:
    """What is wrong with 证件号码 (already in capitals): 18 characters are a resident ID number (GB 11643) or a
    unified social credit code (GB 32100), each with its check character; another document's number is letters
    and digits."""
    if len(value) == 18:
        if identity_numbers.valid_id_number(value) or identity_numbers.valid_credit_code(value):
            return None
        return _("证件号码有误：18 位的居民身份证号码或统一社会信用代码，出生日期和末位校验码须正确。")
    if OTHER_DOCUMENT.match(value):
        return None
    return _("请填写居民身份证号码、统一社会信用代码，或护照等其他证件的号码（字母和数字）。")


def _entry(code: str) -> guides.CatalogueEntry:
    entry = guides.get_entry(uow(), code)
    # An agent window's item not received here is said so (``_not_received_here``), not hidden.
    if not startable(entry) and not (_at_the_window(entry) and delegations.window_offer(
            uow(), [entry.guide.process_key], actor()) is not None):
        raise NotFound(f"no case of item {code!r} is started at a window")
    return entry


def _start_form(entry: guides.CatalogueEntry) -> form_merge.StartForm | None:
    """The item's start form (its start event's form, or a one-thing bundle's merged application form); None
    when it has none."""
    try:
        return form_merge.start_form(uow(), entry.guide.process_key)
    except NotFound:  # no start form: the applicant's details are asked field by field
        return None


def _form_page(entry: guides.CatalogueEntry, merged: form_merge.StartForm | None, *, typed: MultiDict[str, str],
               generated: str, problems: dict[str, str] | None = None, refused: list[Any] | None = None,
               failed: str | None = None, status: int = 200) -> ResponseReturnValue:
    """The intake form; after a refusal with what was typed and each problem beside its field: ``problems``
    by field name, ``refused`` the engine's details (the merged form's fields, the case number)."""
    problems = dict(problems or {})
    schema = merged.schema if merged is not None else {}
    labels, options, hints = field_labels(schema), option_labels(schema), pattern_hints(schema)
    form_errors = []
    for detail in map(on_form, refused or []):
        field = str(detail.get("field", "")) if isinstance(detail, dict) else ""
        if field == "business_key":
            problems[field] = _("办件编号须为 1 至 50 个字符，不含控制字符。")
        elif field.startswith("marks"):  # a tick the engine refused (checked here first, so rarely)
            problems.update(mark_problem_texts([detail]))
        elif field in labels:  # shown by form-js next to its field, and in the summary
            form_errors.append({**detail, "message": error_text(detail, options, hints)})
        else:
            problems[field or "form"] = error_text(detail, options, hints) if isinstance(detail, dict) else str(detail)
    form_data = submitted() if merged is not None and request.method == "POST" else {}
    return render_template("pages/intake_form.html", entry=entry, guide=entry.guide.content, merged=merged,
                           fields=applicant_fields(entry, merged), typed=typed, generated=generated, problems=problems,
                           form_errors=form_errors, form_data=form_data, labels=labels, failed=failed,
                           material_forms=MATERIAL_FORMS, case_types=guides.CASE_TYPES, mark_field=MARK_FIELD), status


def _differing(view: InstanceView, merged: form_merge.StartForm | None) -> list[str]:
    """The labels of what this form gave other values than the case already under its number holds."""
    if not view.differing_variables:
        return []
    labels = {f.key: _(f.label) for f in APPLICANT_FIELDS}
    if merged is not None:  # the form's own labels for what it asks
        labels.update(field_labels(merged.schema))
    return [labels.get(name, name) for name in view.differing_variables]
