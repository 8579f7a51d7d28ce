"""The task page: the form (form-js, prefilled), the case beside it; complete and go back to the queue, save
the form without completing (暂存: tasks.save, shown again to whoever opens the task), or hand the task to a
colleague (转交), what the form holds saved first so that it goes with the task, and go back to the queue.
An acceptance step (受理审查) shows the item's materials checklist above its form, what is missing first:
the clerk may tick a missing material's paper original as checked at the window (纸质原件已核验) or a
conditional one as not applicable (不适用), recorded with the completion (tasks.complete's ``marks``); an
acceptance the engine refuses for missing materials (engine.acceptance), or a refused tick, comes back to the
page saying which, with what was typed and ticked kept, nothing recorded.

The server validates every completion (engine.forms through tasks.complete); field errors come back
to the same page, next to their fields, with what was typed kept, said in the page's language from
each error's rule code (the JSON API keeps the engine's English sentences for integrators).
"""
from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from engine import acceptance, identity_numbers, materials, tasks, worksheet
from engine._form_fields import PHONE_PATTERN
from engine.errors import InvalidRequest, MaterialsMissing, ValidationFailed

from .. import json_body
from ..context import actor, uow
from .case_data import case_data
from .errors import error_page
from .form_values import (
    field_labels,
    form_fields,
    lookup,
    option_key,
    option_labels,
    option_text,
    pattern_hints,
    value_text,
)
from .i18n import gettext as _

bp = Blueprint("work", __name__)

# Field errors by the engine's rule code (engine._form_fields), with the rule's parameters as values.
RULE_TEXTS = {
    "required": "必填项",
    "minLength": "长度不能少于 {length} 个字符",
    "maxLength": "长度不能超过 {length} 个字符",
    "pattern": "格式不正确，须符合 {pattern}",
    "email": "不是有效的电子邮箱地址",
    "phone": "须为手机号码（1 开头的 11 位数字）或带区号的固定电话（如 010-12345678）",
    "idNumber": "不是有效的居民身份证号码（18 位，出生日期和末位校验码须正确）",
    "creditCode": "不是有效的统一社会信用代码（18 位，末位校验码须正确）",
    "min": "不能小于 {min}",
    "max": "不能大于 {max}",
    "decimalDigits": "小数点后最多 {digits} 位",
    "increment": "须为 {increment} 的整数倍",
    "options": "须为以下之一：{options}",
    "duplicate": "同一选项不能选择两次",
    "disallowPassedDates": "不能早于今天",
    "unknown": "不是该表单的字段",
    "readonly": "本环节不能修改此项",
    "notOwed": "{material} 已登记为不适用或已通过数据共享获取，申请人无需提交，不能列入补正",
    "notInGuide": "“{material}”不是本事项办事指南所列的材料，不能要求申请人补正；请逐行填写办事指南所列的材料名称（材料名称：补正原因）",
    "catchAll": "“{material}”是兜底表述（{vague}），不能列入补正：请逐项写明办事指南所列的材料",
}
# Rules whose text depends on one parameter: rule -> (parameter, its value -> text).
RULE_VARIANTS: dict[str, tuple[str, dict[Any, str]]] = {
    "type": ("expected", {
        "text": "须为文本",
        "number": "须为数字",
        "number_or_string": "须为数字",
        "boolean": "须为是或否",
        "list": "须为选项列表",
        "object": "须为一组字段",
        "date": "须为日期（如 2026-03-01）",
        "time": "须为时间（如 14:30）",
        "datetime": "须为日期和时间",
    }),
    "timeFormat": ("format", {
        "no_timezone": "时间不能带时区",
        "utc_offset": "时间须带时区（UTC 偏移）",
        "utc_normalized": "须为 UTC 时间（以 Z 结尾）",
    }),
    "decimalDigits": ("digits", {0: "须为整数"}),
    "options": ("options", {None: "须为可选项之一"}),  # options read from the case data (valuesKey)
}
PATTERN_HINT = "格式不正确：{hint}"  # a pattern the field's description says in words
RULE_PREFIX = re.compile(r"^[A-Za-z]+: ")  # the engine's sentences start with the rule's form-js name


@bp.get("/tasks/<task_id>")
def task(task_id: str) -> ResponseReturnValue:
    return render_task(task_id)


@bp.post("/tasks/<task_id>")
def complete(task_id: str) -> ResponseReturnValue:
    # The window's ticks are recorded with the completion: a refused one records none of them.
    done = worksheet.complete(uow(), task_id, actor=actor(), variables=submitted(),
                              marks=marks_from_form(request.form) or None)
    flash(_("任务已完成（办件 {number}）", number=done.case.business_key), "success")
    if done.documents:  # what the applicant was just sent, one click away
        links = Markup(_("、")).join(
            Markup('<a href="{}">{}</a>').format(
                url_for("pages.cases.document", instance_id=done.case.id, document_id=d.id), d.title or d.name)
            for d in done.documents)
        flash(Markup(_("已出具文书：{documents}")).format(documents=links), "info")
    for text in changed_texts(done):
        flash(text, "warning")
    return redirect(url_for("pages.queue.index"))


@bp.post("/tasks/<task_id>/save")
def save(task_id: str) -> ResponseReturnValue:
    """Save without completing (暂存): the values of the form stored with the task; the page again,
    showing them."""
    tasks.save(uow(), task_id, actor=actor(), variables=submitted(), marks=saved_marks())
    flash(_("已暂存，任务尚未完成。"), "success")
    return redirect(url_for("pages.work.task", task_id=task_id))


@bp.post("/tasks/<task_id>/handover")
def handover(task_id: str) -> ResponseReturnValue:
    """The holder (or a supervisor) gives the task to a colleague, with an optional note kept in history. The
    holder's page sends the form's values too (``data``, its fields as typed): saved with the task first (暂存, its own
    command), so that the colleague finds them; a handover refused after that leaves them saved."""
    assignee = request.form.get("assignee", "").strip()
    if not assignee:  # the page's select requires one; a supervisor clears an assignment through the API
        flash(_("请选择转交给哪位同事。"), "error")
        return redirect(url_for("pages.work.task", task_id=task_id))
    carried = "data" in request.form
    if carried:
        tasks.save(uow(), task_id, actor=actor(), variables=submitted(), marks=saved_marks())
    task = tasks.assign(uow(), task_id, actor=actor(), assignee=assignee, note=request.form.get("note"))
    flash(_("已转交 {assignee}：{name}", assignee=assignee, name=task.name or task.bpmn_id), "success")
    if carried:
        flash(_("已填写的内容已随任务转交，{assignee} 打开任务即可看到。", assignee=assignee), "info")
    return redirect(url_for("pages.queue.index"))


def changed_texts(done: worksheet.Completion) -> list[str]:
    """A sentence for each choice the following steps changed (a script overruling the decision made)."""
    schema = done.schema or {}
    labels, options = field_labels(schema), option_labels(schema)
    texts = []
    for key, (sent, now) in done.changed.items():
        if key not in options:  # only choices: a decision, not free text a step tidied
            continue
        shown = options[key]
        texts.append(_("流程已将「{field}」由「{sent}」改为「{value}」，请核对办理结果。", field=labels.get(key, key),
                       sent=value_text(sent, shown), value=value_text(now, shown)))
    return texts


@bp.errorhandler(ValidationFailed)
def _invalid(exc: ValidationFailed) -> ResponseReturnValue:
    if g.get("actor") is None:  # refused before the page's login was read (a NUL in the input): no form
        return error_page(422, _("操作未完成：{message}", message=exc.message))
    task_id = (request.view_args or {})["task_id"]
    if request.endpoint == "pages.work.handover" and exc.details and all(
            isinstance(d, dict) and d.get("field") != "assignee" for d in exc.details):
        # the form's values, refused before the task changed hands (tasks.save): nothing was done
        flash(_("未能转交：填写的内容未能暂存（{message}）。", message=exc.message), "error")
        return redirect(url_for("pages.work.task", task_id=task_id))
    if request.endpoint == "pages.work.handover":  # the colleague chosen may not take it (deactivated meanwhile)
        flash(_("未能转交：{assignee} 不能办理此任务（已停用、没有办理权限或不是该任务的候选人）。",
                assignee=request.form.get("assignee", "")), "error")
        return redirect(url_for("pages.work.task", task_id=task_id))
    marks = [d for d in exc.details if isinstance(d, dict) and str(d.get("field", "")).startswith("marks")]
    return render_task(task_id, errors=[on_form(d) for d in exc.details if d not in marks], data=submitted(),
                       mark_problems=mark_problem_texts(marks), status=422)


VARIABLES = "variables."  # how the engine names a value it checks as a variable (engine.variables)


def on_form(detail: Any) -> Any:
    """A refusal's detail with its ``field`` as the form names it: a variable's check names the value by its
    path in the request (``variables.amount``), a form's rules by its data path (``amount``), which form.js,
    the labels and the page's own fields go by."""
    field = detail.get("field") if isinstance(detail, dict) else None
    if isinstance(field, str) and field.startswith(VARIABLES):
        return {**detail, "field": field.removeprefix(VARIABLES)}
    return detail


@bp.errorhandler(MaterialsMissing)
def _materials_missing(exc: MaterialsMissing) -> ResponseReturnValue:
    """An acceptance (or a tolerant one) refused for missing materials: the page again, saying which, with
    the form as typed."""
    task_id = (request.view_args or {})["task_id"]
    return render_task(task_id, data=submitted(), refusal=exc, status=422)


MARK_FIELD = "mark:"  # a checklist row's choice: mark:<material name> = a kind (materials.MARK_KINDS) | ""


def marks_from_form(form: Any) -> list[materials.NewMark]:
    """The checklist rows a page's form marks as received on paper, not applicable or shared (the task page's and
    the intake page's radio groups, one per missing material); a row left at 缺 records nothing."""
    return [materials.NewMark(name=name, kind=value) for name, value in marks_chosen(form).items() if value]


def saved_marks() -> list[materials.NewMark] | None:
    """The checklist choices a save keeps (暂存, a handover): those the page sent; None when it sent no
    checklist (a task without one), which keeps what was saved before."""
    if not any(name.startswith(MARK_FIELD) for name in request.form):
        return None
    return marks_from_form(request.form)


def marks_chosen(form: Any) -> dict[str, str]:
    """Material name -> the choice its radio group was sent with: the page shows them chosen again."""
    return {name[len(MARK_FIELD):]: value for name, value in form.items() if name.startswith(MARK_FIELD)}


# What is wrong with a tick, by the engine's rule (engine.materials.mark_problems), in the page's language.
MARK_RULE_TEXTS = {
    materials.NOT_CONDITIONAL: "“{name}”是每位申请人都须提交的材料，不能选择“不适用”。",
    materials.NOT_SHARED: "“{name}”不能通过数据共享获取，须由申请人提交。",
    materials.NOTE: "“{name}”的说明过长。",
}


def mark_problem_texts(details: list[Any]) -> dict[str, str]:
    """The engine's problems with the ticks (ValidationFailed details of ``marks.i``) by their radio group's
    field name, in the page's language."""
    found = {}
    for detail in details:
        if isinstance(detail, dict):
            name = str(detail.get("material", ""))
            text = MARK_RULE_TEXTS.get(str(detail.get("rule")), "收件清单中没有“{name}”，或收件情况无效。")
            found[MARK_FIELD + name] = _(text, name=name)
    return found


def submitted() -> dict[str, Any]:
    """The form-js data the page posts as JSON in the field ``data``."""
    try:
        data = json_body.loads(request.form.get("data") or "{}")
    except json_body.DuplicateKey as exc:
        raise InvalidRequest(f"the form data {exc}") from None
    except (ValueError, RecursionError):
        raise InvalidRequest("the form data is not valid JSON") from None
    if not isinstance(data, dict):
        raise InvalidRequest("the form data must be a JSON object")
    return data


def render_task(task_id: str, *, errors: list[Any] | None = None, data: dict[str, Any] | None = None,
                refusal: MaterialsMissing | None = None, mark_problems: dict[str, str] | None = None,
                status: int = 200) -> ResponseReturnValue:
    sheet = worksheet.task_sheet(uow(), task_id, actor=actor())
    # An acceptance step's materials checklist (None for any other task, or an item listing none).
    checked = acceptance.task_checklist(uow(), task_id, actor=actor())
    # Whom the holder (or a supervisor) may hand the task to; None: the form is not theirs to see.
    takers = tasks.colleagues(uow(), task_id, actor=actor()) if tasks.may_assign(actor(), sheet.task) else None
    # After a refusal, what was submitted over what the form was given: the case data a field reads its
    # options from (valuesKey) is not among what a browser submits.
    stored = sheet.form.data if sheet.form else {}
    schema = sheet.form.schema if sheet.form and sheet.form.schema else {}
    if checked is not None:
        stored = {**stored, **checklist_prefill(checked, schema, stored)}
    form_data = {**stored, **data} if data is not None else stored
    options = option_labels(schema)
    hints = pattern_hints(schema)
    shown = [{**e, "message": error_text(e, options, hints)} if isinstance(e, dict) else e for e in errors or []]
    # The application the case was started with (a bundle's merged form), as asked, for every step to weigh.
    application = case_data(sheet.data, [sheet.start_schema] if sheet.start_schema else [], asked_only=True)
    opinions = [opinion_rows(o, sheet.data) for o in sheet.opinions]
    return render_template("pages/task.html", sheet=sheet, errors=shown, form_data=form_data, application=application,
                           labels=field_labels(schema), opinions=opinions, rounds=opinion_rounds(opinions),
                           colleagues=takers, checked=checked, refusal=refusal_text(refusal),
                           mark_field=MARK_FIELD, mark_problems=mark_problems or {},
                           chosen=marks_chosen(request.form) if request.method == "POST" else sheet.draft_marks), status


# Fields that take materials by name as a text of one per line (engine.document_templates.missing_materials).
LINE_LIST_TYPES = frozenset({"textarea"})
# Fields whose options are the materials, choosing several.
OPTION_LIST_TYPES = frozenset({"checklist", "taglist"})


def checklist_prefill(checked: acceptance.StepChecklist, schema: dict[str, Any],
                      stored: dict[str, Any]) -> dict[str, Any]:
    """An acceptance step's lists of materials filled from its checklist where the case holds none yet: the
    一次性告知 list with every missing material (the notice must name them all at once), the 容缺 list with
    the missing non-key ones. The clerk edits them; form-js submits neither unless its outcome is chosen."""
    fields = dict(form_fields(schema))
    found: dict[str, Any] = {}
    for key, items in ((acceptance.SUPPLEMENT_LIST, checked.missing),
                       (acceptance.TOLERATED_LIST, checked.tolerable)):
        component = fields.get(key)
        if component is None or stored.get(key) or not items:
            continue
        names = [item.name for item in items]
        if component.get("type") in OPTION_LIST_TYPES and isinstance(component.get("values"), list):
            offered = {option.get("value") for option in component["values"] if isinstance(option, dict)}
            found[key] = [name for name in names if name in offered]
        elif component.get("type") in LINE_LIST_TYPES:
            found[key] = "\n".join(names)
    return found


def refusal_text(refusal: MaterialsMissing | None) -> str | None:
    """Why the engine would not accept, in the page's language: the missing materials by name."""
    if refusal is None:
        return None
    details = [d for d in refusal.details if isinstance(d, dict)]
    names = _("、").join(str(d.get("material")) for d in details)
    if any(d.get("field") == acceptance.TOLERATED_LIST for d in details):
        return _("不能容缺受理：以下材料尚未收到，也未列为容缺材料：{names}。请一并列明，或核验纸质原件。", names=names)
    if refusal.context.get("outcome") == acceptance.TOLERANT:
        return _("不能容缺受理：关键材料不得容缺，尚未收到：{names}。", names=names)
    return _("不能受理：以下材料尚未收到：{names}。", names=names)


def opinion_rows(opinion: worksheet.Opinion, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """An earlier step for the 办理意见 panel: its values under their form's labels, in form order, options
    by their labels (those read from the case's ``data`` too); values its form does not list (or without a
    form) under their names."""
    schema = opinion.schema or {}
    labels, options = field_labels(schema), option_labels(schema, data)
    rows: list[tuple[str, str]] = []
    for path, label in labels.items():
        found, value = lookup(opinion.values, path)
        if found:
            rows.append((label, value_text(value, options.get(path, {}))))
    heads = {path.split(".")[0] for path in labels}
    rows += [(key, value_text(value, {})) for key, value in opinion.values.items() if key not in heads]
    return {"name": opinion.name, "actor": opinion.actor, "at": opinion.at, "rows": rows, "round": opinion.round}


def opinion_rounds(opinions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The opinions panel's steps (opinion_rows) by meeting round once they span two or more: the latest round
    first, as the step deciding it weighs it first, each round's steps in the order they came, then those
    before the first round. Empty: one round or none, and the panel lists the steps as they came, unlabelled."""
    numbers = sorted({o["round"] for o in opinions if o["round"] is not None}, reverse=True)
    if len(numbers) < 2:
        return []
    before = [o for o in opinions if o["round"] is None]
    return ([{"round": number, "opinions": [o for o in opinions if o["round"] == number]} for number in numbers]
            + ([{"round": None, "opinions": before}] if before else []))


def form_js_texts() -> dict[str, Any]:
    """What form-js says when it checks a field in the browser, in the page's language and in the words the
    server's answer uses (RULE_TEXTS), by form-js's own message templates (``{value}`` filled by form-js);
    and the server's phone rule, which the browser then checks instead of form-js's international one, and the
    form of an identity number (engine.identity_numbers; its check character is the server's to check)."""
    value = "{value}"
    return {"phone_pattern": PHONE_PATTERN, "formats": identity_numbers.BROWSER_PATTERNS, "texts": {
        "Field is required.": _(RULE_TEXTS["required"]),
        "Field must have minimum length of {value}.": _(RULE_TEXTS["minLength"], length=value),
        "Field must have maximum length of {value}.": _(RULE_TEXTS["maxLength"], length=value),
        "Field must have minimum value of {value}.": _(RULE_TEXTS["min"], min=value),
        "Field must have maximum value of {value}.": _(RULE_TEXTS["max"], max=value),
        "Field must match pattern {value}.": _(RULE_TEXTS["pattern"], pattern=value),
        "Field must be a valid email.": _(RULE_TEXTS["email"]),
        "Field must be a valid international phone number. (e.g. +4930664040900)": _(RULE_TEXTS["phone"]),
        "Value is expected to be an integer.": _("须为整数"),
        "Value is not a number.": _("须为数字"),
        "pattern_hint": _(PATTERN_HINT, hint="{hint}"),
        "phone": _(RULE_TEXTS["phone"]),
        "idNumber": _(RULE_TEXTS["idNumber"]),
        "creditCode": _(RULE_TEXTS["creditCode"]),
        "Select": _("请选择"),  # form-js's select placeholder and search box, words it does not translate
        "Search": _("搜索"),
    }}


def error_text(error: dict[str, Any], options: dict[str, dict[str, str]], hints: dict[str, str] | None = None) -> str:
    """One field error in the page's language, from its rule code and parameters; the engine's sentence
    (without its ``rule:`` prefix) for a rule the catalogue lacks. ``options`` are option_labels(), ``hints``
    pattern_hints(): a pattern the field describes is said in its description's words."""
    rule, params, message = error.get("rule"), error.get("params") or {}, str(error.get("message", ""))
    hint = (hints or {}).get(str(error.get("field")))
    if rule == "pattern" and hint:
        return _(PATTERN_HINT, hint=hint)
    text = RULE_TEXTS.get(rule) if isinstance(rule, str) else None
    if rule in RULE_VARIANTS:
        name, texts = RULE_VARIANTS[rule]
        value = params.get(name)
        text = text if isinstance(value, (list, dict)) else texts.get(value, text)
    if text is None:
        return RULE_PREFIX.sub("", message)
    values = dict(params)
    if isinstance(params.get("options"), list):
        shown = options.get(str(error.get("field")), {})
        values["options"] = _("、").join(shown.get(option_key(v), option_text(v)) for v in params["options"])
    try:
        return _(text, **values)
    except (KeyError, IndexError, ValueError):  # parameters unlike the catalogue's: the engine's own words
        return message
