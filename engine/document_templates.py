"""Document templates (文书模板): Jinja2 HTML files, any ``.html`` file deployed (stored as
``documents/<name>.html``; engine.documents names and finds them), rendered in a sandbox with autoescaping,
so case data can neither run code nor inject markup.

A template may extend another deployed one by its file name, as the library's documents extend
``layout.html`` (letterhead, style, case number, seal and date) and fill its ``title`` and ``body`` blocks:
an operator changes the letterhead of every document in one file.

What a template sees (besides every case variable by its own name, e.g. ``applicant_name``):

=================  ====================================================================================
``case``           ``number`` (办件编号), ``id``, ``received_at`` (when the case started), ``process_key``
``item``           the service item: ``name``, ``code``, ``department``, ``legal_basis`` (list),
                   ``promised_days``, ``statutory_days`` — from the deployed guide, else the diagram's name;
                   in a called process no guide names, the entry of the case's guide ``members`` naming
                   it (a one-thing bundle's member item) with ``bundle`` (``name``, ``code``) and
                   ``verdict`` (the variable its review fills with ``{result, opinion}``), else None
``applicant``      the applicant's name (``applicant_name``, else ``applicant``)
``department``     the issuing department (``item.department``, else the variable ``department_name``)
``accepted_by``    a case accepted on the issuing department's behalf (委托受理, engine.delegations): ``agent``
                   (the accepting body's name), ``principal``, ``basis``, ``delegation_id``; else None
``issued_at``      when the document is issued (a UTC datetime; ``|cn_date`` prints 2026年3月2日)
``element``        ``id`` and ``name`` of the diagram element that issues it, ``process`` (its diagram's key)
``clock``          the case's time-limit clock once started: ``promised_days``, ``deadline`` (a date)
``extension``      in the notice of an extension (``extension_notice``, issued when a time limit is extended,
                   engine.time_limits): ``days`` (working days added), ``reason``, ``previous_deadline`` and
                   ``deadline`` (dates before and after), ``total_days`` (all of the case's extensions),
                   ``basis`` (the provisions cited: licensing law art 42 for a licence, a guide's special law;
                   ``|grounds`` cites them), ``agency`` (the lead department whose head approved, else
                   ``department``), ``approved_at``, ``paused`` (the clock is paused: both deadlines move
                   on by the pause, so the notice names none), ``provisional`` (the deadline counts a year whose
                   holidays are not announced yet); None in every other document
``procedure``      in the notice of a special procedure started by hand (``special_procedure_notice``, issued
                   when the clock pauses for it, engine.time_limits.pause): ``kind`` and ``name`` (现场核查 ...),
                   ``reason``, ``started_at``, ``max_days`` (the working days the item's guide lets it last; None
                   when it says none), ``expected_end`` (the working day it ends by, None without ``max_days``),
                   ``provisional`` (that day counts a year whose holidays are not announced), ``basis`` (licensing
                   law art 45 for a licence), ``agency``; None in every other document
``missing``        materials to supplement, from ``missing_materials``: ``[{name, reason}]``
``reasons``        reasons, one per line of ``reject_reason`` (or a list)
``v``              all case variables as one mapping
=================  ====================================================================================

Filters: ``cn_date`` (date or datetime → 2026年3月2日, local time), ``lines`` (text → list of non-empty lines),
``grounds`` (legal bases and added provisions → one citation, each law named once).
"""
from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from jinja2 import FunctionLoader, TemplateError, TemplateNotFound, TemplateSyntaxError, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .bpmn_xml import Problem
from .clock import LOCAL_TZ
from .problem_codes import said

# Numbering a clerk may type before each line of a list: "1." "1、" "（1）" "(1)" "一、" "①".
_NUMBERING = re.compile(r"^\s*(?:\d+[.、．)）]|[（(]\d+[)）]|[一二三四五六七八九十]+、|[①-⑳])\s*")
_NAME_REASON = re.compile(r"\s*[：:]\s*")


def cn_date(value: Any) -> str:
    if isinstance(value, datetime):
        value = (value.astimezone(LOCAL_TZ) if value.tzinfo else value).date()
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
            return cn_date(value)
        except ValueError:
            return value
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return "" if value is None or isinstance(value, Undefined) else str(value)


def lines(value: Any) -> list[str]:
    """Non-empty lines of a text (list numbering removed), or the items of a list."""
    if value is None or isinstance(value, Undefined):
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [_NUMBERING.sub("", line).strip() for line in str(value).splitlines() if _NUMBERING.sub("", line).strip()]


def grounds(bases: Any, *provisions: str) -> str:
    """Legal bases cited in one sentence, each law named once with its articles, in the order first named
    (the laws of the provisions a decision adds last), the last law joined by 和: the guide's ``legal_basis``
    and the added provisions (``item.legal_basis|grounds("《中华人民共和国行政许可法》第三十八条第一款")`` reads
    《…食品安全法》第三十五条和《…行政许可法》第三十二条、第三十八条第一款, not the law named twice)."""
    cited: dict[str, list[str]] = {}
    for basis, added in [*((b, False) for b in lines(bases)), *((p, True) for p in provisions)]:
        law, closing, article = str(basis).strip().partition("》")
        title = law + closing if closing else str(basis).strip()
        articles = cited.pop(title, []) if added else cited.get(title, [])
        cited[title] = articles  # a law the decision adds to is cited last, with its article last
        for part in article.split("、") if closing else []:  # 第一条、第二条 are two articles
            if part.strip() and part.strip() not in articles:
                articles.append(part.strip())
    laws = [title + "、".join(articles) for title, articles in cited.items() if title]
    return "和".join(["、".join(laws[:-1]), laws[-1]] if len(laws) > 1 else laws)


def missing_materials(value: Any) -> list[dict[str, str]]:
    """``missing_materials`` as ``[{name, reason}]``: a text with one material per line, "名称：原因",
    or a list of names or of ``{"name", "reason"}`` objects (from an integrator)."""
    found: list[dict[str, str]] = []
    items = value if isinstance(value, (list, tuple)) else lines(value)
    for item in items:
        if isinstance(item, dict):
            name = str(item.get("name") or "").strip()
            reason = str(item.get("reason") or "").strip()
        else:
            parts = _NAME_REASON.split(str(item).strip(), maxsplit=1)
            name, reason = parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")
        if name:
            found.append({"name": name, "reason": reason})
    return found


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["cn_date"] = cn_date
    env.filters["lines"] = lines
    env.filters["grounds"] = grounds
    return env


ENV = _environment()


@lru_cache(maxsize=64)
def compile_template(name: str, source: str) -> Any:
    """A compiled template, cached by content. Raises TemplateSyntaxError (with ``lineno``)."""
    # Compiled under its file name, so a runtime error's traceback names the template line.
    code = ENV.compile(source, name=name, filename=name)
    return ENV.template_class.from_code(ENV, code, ENV.make_globals(None), None)


# The source of another template by file name ("layout.html"), for {% extends %} and {% include %}.
Lookup = Callable[[str], str | None]
MISSING = "neither in this deployment nor deployed before"  # where check looked for a template it lacks


def _bound(name: str, source: str, lookup: Lookup | None) -> Any:
    if lookup is None:
        return compile_template(name, source)
    env = ENV.overlay(loader=FunctionLoader(lookup))  # the sandbox and filters, plus other templates
    return env.template_class.from_code(env, env.compile(source, name=name, filename=name), env.make_globals(None),
                                        None)


def render(name: str, source: str, context: dict[str, Any], lookup: Lookup | None = None) -> str:
    """Render a template. Raises TemplateError (syntax, sandbox violation, runtime error, a template it
    extends that ``lookup`` does not know)."""
    return _bound(name, source, lookup).render(context)


def check(file_name: str, content: bytes, lookup: Lookup | None = None, *, missing: str = MISSING) -> list[Problem]:
    """Deploy-time problems of a template: not UTF-8, does not compile, or fails on a sample case
    (an attribute the sandbox refuses, a filter misused) — each with the template line. ``missing`` ends
    the message for a template it extends or includes that ``lookup`` does not know."""
    try:
        source = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [Problem.of(file_name, None, None, said("doc_template.not_utf8", reason=exc.reason))]
    try:
        template = _bound(file_name, source, lookup)
    except TemplateSyntaxError as exc:
        return [Problem.of(file_name, exc.lineno, None, said("doc_template.not_compiling", reason=exc.message))]
    try:
        html = template.render(sample_context())
    except TemplateNotFound as exc:
        return [Problem.of(file_name, _error_line(exc, file_name), None,
                           said("doc_template.missing", name=str(exc.name), absent=missing))]
    except TemplateError as exc:
        return [Problem.of(file_name, _error_line(exc, file_name), None, said("doc_template.fails", reason=str(exc)))]
    except Exception as exc:
        return [Problem.of(file_name, _error_line(exc, file_name), None,
                           said("doc_template.fails", reason=f"{type(exc).__name__}: {exc}"))]
    if "<title>" not in html:
        return [Problem.of(file_name, None, None, said("doc_template.no_title"))]
    return []


def _error_line(exc: BaseException, file_name: str) -> int | None:
    """The template line of a render error: Jinja rewrites tracebacks so template frames carry it."""
    line = getattr(exc, "lineno", None)
    tb = exc.__traceback__ or sys.exc_info()[2]
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == file_name:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def sample_context() -> dict[str, Any]:
    """A case as complete as the food-licence forms make it, with the decisions the library's joint review
    meeting, parallel approval and one-thing bundle record, an extension of its time limit (the clock's
    five days extended by five) and a special procedure, to try a template on at deploy."""
    now = datetime(2026, 3, 2, 2, 0, tzinfo=LOCAL_TZ)
    verdict = {"result": "grant", "opinion": "符合条件"}
    variables = {"applicant_name": "某某餐饮管理有限公司", "acceptance_decision": "accept", "opinion": "材料齐全",
                 "missing_materials": "食品经营许可申请书：未签字盖章", "reject_reason": "不属于本机关职权范围",
                 "review_opinion": "符合条件", "conditions_met": True, "decision": "grant",
                 "decision_opinion": "符合法定条件", "deemed_accepted": False, "project_name": "示例项目",
                 # the joint review meeting (ZWFW-LH-0001)
                 "meeting_date": "2026-03-10", "meeting_place": "示例会议室", "chair_opinion": "同意",
                 "tally": {"round": 1, "members": 2, "present": 2, "quorum": 2, "quorum_met": True, "approve": 1,
                           "reject": 1, "abstain": 0, "absent": 0, "outcome": "rejected"},
                 "ballots": [{"department": "A", "name": "示例部门甲", "group": "a", "vote": "approve",
                              "opinion": "同意"},
                             {"department": "B", "name": "示例部门乙", "group": "b", "vote": "reject",
                              "reason": "不符合规划"}],
                 # the parallel approval (ZRZY-BL-0001)
                 "joint_result": {"decision": "grant", "opinion": "同意"},
                 "department_results": [{"item": "示例审批", "department": "A", "department_name": "示例部门甲",
                                         "result": "approve", "opinion": "符合条件"}],
                 # the one-thing bundle's member items (SCJG-YJS-0001)
                 "registration": verdict, "food_licence": verdict, "signboard": verdict}
    return build_context(
        variables=variables,
        case={"id": 1, "number": "SAMPLE-0001", "received_at": now, "process_key": "sample"},
        item={"name": "示例事项", "code": "SAMPLE", "department": "示例部门", "legal_basis": ["《示例条例》"],
              "promised_days": 10, "statutory_days": 20, "bundle": {"name": "示例一件事", "code": "SAMPLE-YJS"},
              "verdict": "food_licence"},
        element={"id": "sample", "name": "示例", "process": "sample"}, issued_at=now,
        clock={"promised_days": 10, "state": "running", "started_at": now, "deadline": date(2026, 3, 16)},
        extension={"days": 5, "reason": "需组织专家评审", "previous_deadline": date(2026, 3, 9),
                   "deadline": date(2026, 3, 16), "total_days": 5,
                   "basis": ["《中华人民共和国行政许可法》第四十二条", "《示例条例》第十条"], "agency": "示例部门",
                   "approved_at": now, "paused": False, "provisional": False},
        procedure={"kind": "inspection", "name": "现场核查", "reason": "需核实经营场所", "started_at": now,
                   "max_days": 10, "expected_end": date(2026, 3, 16), "provisional": False,
                   "basis": ["《中华人民共和国行政许可法》第四十五条"], "agency": "示例部门"})


def build_context(*, variables: dict[str, Any], case: dict[str, Any], item: dict[str, Any],
                  element: dict[str, Any], issued_at: datetime, clock: dict[str, Any] | None,
                  accepted_by: dict[str, Any] | None = None, extension: dict[str, Any] | None = None,
                  procedure: dict[str, Any] | None = None) -> dict[str, Any]:
    applicant = variables.get("applicant_name") or variables.get("applicant") or ""
    reasons = variables.get("reject_reason")
    context = dict(variables)
    context.update({
        "v": variables, "case": case, "item": item, "element": element, "issued_at": issued_at, "clock": clock,
        "applicant": applicant, "department": department_of(item, variables),
        "missing": missing_materials(variables.get("missing_materials")), "reasons": lines(reasons),
        "accepted_by": accepted_by, "extension": extension, "procedure": procedure,
    })
    return context


def department_of(item: dict[str, Any], variables: dict[str, Any]) -> str:
    """The issuing department: the item's, else the case variable ``department_name``."""
    return item.get("department") or variables.get("department_name") or ""
