"""Documents issued to applicants (SX21, XA17, 行政许可法 art 32, 38): 受理通知书, 不予受理通知书,
一次性告知通知书, 准予/不予行政许可决定书 — rendered from deployed templates when a diagram element
marked ``govflow.document`` completes, the notice of extension (``extension_notice``, Administrative
Licensing Law Art 42) whenever a case's time limit is extended (engine.time_limits.grant_extension), and the
notice of a special procedure started by hand and the time it takes (``special_procedure_notice``, Art 45,
engine.time_limits.pause) — stored as HTML and PDF with their SHA-256 in the transaction of that command,
announced to integrators as ``document.issued``, and kept in the case archive.

Every deployed ``.html`` file is a template (engine.document_templates), named by its file name without
``.html`` whatever folders the upload's name carries: ``acceptance_notice.html``,
``documents/acceptance_notice.html`` and ``bpmn/documents/acceptance_notice.html`` all deploy the template
``acceptance_notice``, stored as ``documents/acceptance_notice.html``; ``govflow.document`` names it so.
The latest deployed version is used when a document is issued, and its resource hash is recorded with it.
A template that is not deployed is warned about at deploy; when such an element completes the step goes
on and the history records ``document.missing``, as a missing task form does not stop a task either.
"""
from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import PurePath, PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple

import lxml.html
from sqlalchemy import Select, select

from . import case_access, confidential, delegations, document_templates, outbox
from ._workdays import WorkingDate
from .bpmn_xml import PreparedDiagram, Problem
from .clock import LOCAL_TZ
from .document_pdf import html_to_pdf
from .errors import InvalidRequest, NotFound, ProcessError
from .guides import LICENCE, latest_for_process
from .materials import require_access
from .models import (
    CaseClock,
    Department,
    Document,
    ProcessDefinition,
    ProcessInstance,
    Resource,
)
from .problem_codes import said
from .unit_of_work import UnitOfWork
from .users import Actor

if TYPE_CHECKING:
    from .execution import Case

log = logging.getLogger(__name__)

DOCUMENT_PROPERTY = "govflow.document"
FOLDER = "documents"
KIND = "document"
EVENT = "document.issued"
SUFFIX = ".html"
# Media types without a charset: Flask adds ``charset=utf-8`` to text types itself.
FORMATS = {"html": "text/html", "pdf": "application/pdf"}
# What issues a document: a diagram element completing, a time limit extended (the notice of extension), or a
# special procedure started by hand (the notice of the time it needs).
STEP, EXTENSION, SPECIAL_PROCEDURE = "step", "extension", "special_procedure"
ORIGINS = (STEP, EXTENSION, SPECIAL_PROCEDURE)


def is_template(file_name: str) -> bool:
    """Any ``.html`` file is a document template, under a bare name or a path alike."""
    return PurePosixPath(file_name).suffix.lower() == SUFFIX


def in_template_folder(path: PurePath) -> bool:
    """A template met while walking a folder: only the HTML in a ``documents`` folder is the library's
    (``govflow deploy`` and ``govflow lint`` pick files by this rule; a file named on its own is always one)."""
    return is_template(path.name) and path.parent.name == FOLDER


def template_name(file_name: str) -> str:
    """The name ``govflow.document`` gives a template: its file name without ``.html``, folders dropped."""
    return PurePosixPath(file_name).stem


def resource_name(name: str) -> str:
    """Where the template ``name`` is stored and found: ``documents/<name>.html``."""
    return f"{FOLDER}/{name}{SUFFIX}"


def stored_name(file_name: str) -> str:
    """The resource name a deployed template file is stored under, however its upload named it."""
    return resource_name(template_name(file_name))


# ---- deploy ------------------------------------------------------------------------------------

def check_templates(uow: UnitOfWork, files: list[tuple[str, bytes]]) -> list[Problem]:
    """Problems of a deployment's templates: each must compile and render a sample case, a template it
    extends (``layout.html``) must be in this deployment or deployed before, and no two may share a name
    (only one could be found). In the caller's ``with uow``."""
    return check_template_files(files, lambda name: _deployed_source(uow, name))


def check_template_files(files: list[tuple[str, bytes]], deployed: Callable[[str], str | None] | None = None,
                         *, missing: str = document_templates.MISSING) -> list[Problem]:
    """The checks of ``check_templates`` on the ``.html`` files among ``files``; a template extends one of
    them, else the one ``deployed`` gives by template name. Without ``deployed`` no database is needed
    (``govflow lint``, with ``missing`` saying where an extended template was looked for)."""
    templates = [(name, content) for name, content in files if is_template(name)]
    here = {template_name(name): content for name, content in templates}

    def source(file_name: str) -> str | None:
        name = template_name(file_name)
        if name in here:
            return here[name].decode("utf-8", "replace")
        return deployed(name) if deployed is not None else None
    return _name_problems([name for name, _ in templates]) + [
        problem for name, content in templates
        for problem in document_templates.check(name, content, source, missing=missing)]


def _name_problems(file_names: list[str]) -> list[Problem]:
    problems = []
    first: dict[str, str] = {}
    for file_name in file_names:
        name = template_name(file_name)
        if name != name.strip():
            problems.append(Problem.of(file_name, None, None, said("doc_template.name_space", name=name)))
        elif name in first:
            problems.append(Problem.of(file_name, None, None,
                                       said("doc_template.name_twice", name=name, other=first[name])))
        first.setdefault(name, file_name)
    return problems


def _lookup(uow: UnitOfWork) -> document_templates.Lookup:
    """Templates for the one being rendered to extend or include, found by name as issuing finds them
    (``layout.html`` is the template ``layout``): the latest deployed."""
    return lambda file_name: _deployed_source(uow, template_name(file_name))


def _deployed_source(uow: UnitOfWork, name: str) -> str | None:
    found = _template(uow, name)
    return found.content.decode("utf-8") if found is not None else None


def check_references(uow: UnitOfWork, prepared: list[PreparedDiagram], files: list[tuple[str, bytes]]
                     ) -> list[Problem]:
    """Warnings for elements whose ``govflow.document`` names a template neither in this deployment
    nor deployed before."""
    here = {template_name(name) for name, _ in files if is_template(name)}
    problems = []
    for diagram in prepared:
        for elements in diagram.elements.values():
            for element_id, meta in elements.items():
                name = _declared(meta)
                if name and name not in here and _template(uow, name) is None:
                    problems.append(Problem.of(diagram.name, diagram.lines.get(element_id), element_id,
                                               said("doc_template.not_deployed", name=name), "warning"))
    return problems


def _declared(meta: dict[str, Any]) -> str | None:
    value = (meta.get("properties") or {}).get(DOCUMENT_PROPERTY)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _template(uow: UnitOfWork, name: str) -> Resource | None:
    """The latest deployed template of this name (stored as ``documents/<name>.html``)."""
    return uow.session.scalars(select(Resource).where(Resource.kind == KIND, Resource.name == resource_name(name))
                               .order_by(Resource.id.desc()).limit(1)).first()


# ---- issuing (from execution.save) ---------------------------------------------------------------

def issue_declared(uow: UnitOfWork, case: Case, now: datetime) -> None:
    """Issue the documents of the elements this command completed (called by execution.save before the
    outbox events of the step are collected). Helper: the caller's transaction.

    Each document's history item (``document.issued`` or ``document.missing``) goes right after the
    completion of the element that issued it: the history, and the events ``outbox.collect`` makes of it,
    keep the order of the steps (a document issued before the end event is announced before the case ends).

    Raises ProcessError when a template fails on the case's data: the step is refused, nothing changes.
    """
    from .execution import completed_element

    ordered: list[dict[str, Any]] = []
    for item in case.history:
        ordered.append(item)
        if item["event"] != "element.completed" or not item.get("task_id"):
            continue
        found = completed_element(uow, case, item["task_id"])
        if found is None:
            continue
        task, meta = found
        name = _declared(meta)
        if name is not None:
            ordered.append(_issue(uow, case, task, name, now))
    case.history[:] = ordered


def _issue(uow: UnitOfWork, case: Case, task: Any, name: str, now: datetime) -> dict[str, Any]:
    """The document ``name`` rendered and stored; returns its history item (``document.missing`` when the
    template is not deployed)."""
    spec = task.task_spec
    where = {"actor": None, "element_id": spec.bpmn_id, "element_name": spec.bpmn_name, "task_id": str(task.id),
             "origin": STEP}
    template = _template(uow, name)
    if template is None:
        log.warning("case %s: document template %s is not deployed; %s issued no document",
                    case.row.id, resource_name(name), spec.bpmn_id)
        return {"event": "document.missing", **where, "data": _missing(name)}
    context = _context(uow, case, task, now)
    try:
        rendered = _render(uow, template, context, case.row)
    except Exception as exc:  # TemplateError, a sandbox refusal, a filter's TypeError on this case's data ...
        raise ProcessError(f"document {resource_name(name)} could not be issued at "
                           f"{spec.bpmn_name or spec.bpmn_id}: {exc}", element=spec.bpmn_id,
                           details=[{"element": spec.bpmn_id, "template": resource_name(name),
                                     "message": str(exc)}]) from exc
    summary = _store(uow, case, name, template, rendered, context, where, now)
    return {"event": EVENT, **where, "data": summary}  # outbox.collect announces it


class _Rendered(NamedTuple):
    html: str
    title: str
    pdf: bytes


def _render(uow: UnitOfWork, template: Resource, context: dict[str, Any], row: ProcessInstance) -> _Rendered:
    """The document's HTML, title and PDF. Raises whatever the template or the PDF raise on this case."""
    html = document_templates.render(template.name, template.content.decode("utf-8"), context, _lookup(uow))
    title = _title(html) or template_name(template.name)
    return _Rendered(html, title, html_to_pdf(html, title=title, author=context["department"],
                                              subject=row.business_key))


def _store(uow: UnitOfWork, case: Case, name: str, template: Resource, rendered: _Rendered,
           context: dict[str, Any], where: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The rendered document stored with its hashes; returns what its history item and event say of it."""
    html_bytes = rendered.html.encode("utf-8")
    secrets = confidential.texts(context["v"], case.hidden)
    document = Document(instance_id=case.row.id, name=name, title=rendered.title[:200],
                        template_sha256=template.sha256, element_id=where["element_id"],
                        element_name=where["element_name"], task_id=where["task_id"], origin=where["origin"],
                        issued_at=now,
                        html=html_bytes, pdf=rendered.pdf, html_sha256=hashlib.sha256(html_bytes).hexdigest(),
                        pdf_sha256=hashlib.sha256(rendered.pdf).hexdigest(),
                        confidential=_holds(rendered.html, secrets))
    uow.session.add(document)
    uow.session.flush()  # the id, for the event and the history
    return {"document_id": document.id, "name": name, "title": confidential.scrub(document.title, secrets),
            "element_id": where["element_id"], "origin": where["origin"],
            "html_sha256": document.html_sha256, "pdf_sha256": document.pdf_sha256}


def _missing(name: str) -> dict[str, Any]:
    return {"name": name, "template": resource_name(name)}


def _holds(html: str, secrets: list[str]) -> bool:
    """Whether the document's text shows one of ``secrets`` (the HTML escapes "&", "<" and quotes)."""
    if not secrets:
        return False
    text = lxml.html.document_fromstring(html).text_content()
    return any(secret in text for secret in secrets)


def _title(html: str) -> str | None:
    title = lxml.html.document_fromstring(html).findtext(".//title")
    return title.strip() if title and title.strip() else None


def _context(uow: UnitOfWork, case: Case, task: Any, now: datetime) -> dict[str, Any]:
    from .execution import definition_of

    row = case.row
    definition = definition_of(case, task)
    variables = {k: v for k, v in task.data.items() if k != "data_objects"}
    return document_templates.build_context(
        variables=variables, case=_case_fields(row, now), item=_item(uow, definition, row.definition_key),
        element={"id": task.task_spec.bpmn_id, "name": task.task_spec.bpmn_name, "process": definition.key},
        issued_at=now, clock=_clock(uow, row), accepted_by=delegations.document_fields(uow, case))


def _case_fields(row: ProcessInstance, now: datetime) -> dict[str, Any]:
    return {"id": row.id, "number": row.business_key, "received_at": row.started_at or now,
            "process_key": row.definition_key}


def _item(uow: UnitOfWork, definition: ProcessDefinition, case_key: str) -> dict[str, Any]:
    """The service item as its latest guide describes it; the diagram's name when no guide is deployed.

    A called process the case's guide lists under ``members`` (a one-thing bundle's member item, decided by
    its own department) is described by that entry, with the bundle as ``bundle``, even where the member item
    has a guide of its own: the documents are the bundle's."""
    content: dict[str, Any] = {}
    bundle = None
    if definition.key != case_key:  # the bundle's entry wins over a guide the member item may have of its own
        calling = latest_for_process(uow, case_key)
        calling_content: dict[str, Any] = calling.content if calling is not None else {}
        member = _member(calling_content, definition.key)
        if member is not None:
            content, bundle = member, {"name": calling_content.get("name"), "code": calling_content.get("code")}
    if bundle is None:
        guide = latest_for_process(uow, definition.key)
        content = guide.content if guide is not None else {}
    department = content.get("department")
    return {"name": content.get("name") or definition.name or definition.key, "code": content.get("code"),
            "department": department.get("name") if isinstance(department, dict) else department,
            "legal_basis": list(content.get("legal_basis") or []),
            "promised_days": content.get("promised_days"), "statutory_days": content.get("statutory_days"),
            "bundle": bundle, "verdict": content.get("verdict") if bundle else None}


def _member(content: dict[str, Any], process_key: str) -> dict[str, Any] | None:
    """The entry of a guide's ``members`` whose ``process`` is this key (engine.guides checks them)."""
    members = content.get("members")
    if not isinstance(members, list):
        return None
    return next((m for m in members if isinstance(m, dict) and m.get("process") == process_key), None)


def _clock(uow: UnitOfWork, row: ProcessInstance) -> dict[str, Any] | None:
    # The clock may have started in this very command: still pending in the session (no autoflush).
    clock = next((o for o in uow.session.new if isinstance(o, CaseClock) and o.instance_id == row.id), None) \
        or uow.session.get(CaseClock, row.id)
    if clock is None:
        return None
    return {"promised_days": clock.promised_days + (clock.extension_days or 0), "state": clock.state,
            "started_at": clock.started_at, "deadline": clock.deadline_at.astimezone(LOCAL_TZ).date()}


# ---- issuing on the clock: an extension, a special procedure (from engine.time_limits) --------------

EXTENSION_NOTICE = "extension_notice"
# The article an extension notice of a licence cites: it extends the time limit and has the applicant told why.
EXTENSION_LAW = "《中华人民共和国行政许可法》第四十二条"
SPECIAL_PROCEDURE_NOTICE = "special_procedure_notice"
# The article a special procedure's notice of a licence cites: its time is not counted, and the applicant is
# told in writing how long it takes.
SPECIAL_PROCEDURE_LAW = "《中华人民共和国行政许可法》第四十五条"


def issue_extension_notice(uow: UnitOfWork, clock: CaseClock, *, actor: Actor, days: int, reason: str,
                           previous_deadline: datetime, now: datetime) -> dict[str, Any]:
    """The notice of an extension just granted (Administrative Licensing Law Art 42: the applicant is told the
    extension and its reason) from the latest deployed ``extension_notice`` template. See ``_issue_on_clock``.
    """
    def context(case: Case) -> dict[str, Any]:
        return _extension_context(uow, case, clock, days=days, reason=reason, previous_deadline=previous_deadline,
                                  now=now)
    return _issue_on_clock(uow, clock, EXTENSION_NOTICE, EXTENSION, "the extension", context, actor=actor, now=now)


def issue_special_procedure_notice(uow: UnitOfWork, clock: CaseClock, *, actor: Actor, kind: str, name: str,
                                   reason: str, max_days: int | None, ends: WorkingDate | None,
                                   now: datetime) -> dict[str, Any]:
    """The notice of a special procedure started by hand (Administrative Licensing Law Art 45: its time is not
    counted, and the applicant is told in writing how long it takes: ``max_days``, the working days the item's
    guide lets it last, when it says, ending by the working day ``ends``) from the latest deployed
    ``special_procedure_notice`` template. See ``_issue_on_clock``."""
    def context(case: Case) -> dict[str, Any]:
        return _procedure_context(uow, case, kind=kind, name=name, reason=reason, max_days=max_days, ends=ends,
                                  now=now)
    return _issue_on_clock(uow, clock, SPECIAL_PROCEDURE_NOTICE, SPECIAL_PROCEDURE, "the special procedure",
                           context, actor=actor, now=now)


def _issue_on_clock(uow: UnitOfWork, clock: CaseClock, name: str, origin: str, what: str,
                    context_of: Callable[[Case], dict[str, Any]], *, actor: Actor, now: datetime) -> dict[str, Any]:
    """The document ``name`` of a clock command just applied (``what`` it is, for messages), stored and
    announced as a diagram element's document is. Returns its history item for the caller to record
    (``document.issued``; ``document.missing`` without that template: the command stands). Helper: the
    caller's transaction, once ``clock`` moved.

    Raises ProcessError when the template fails on the case's data: the command is refused, nothing changes.
    """
    from .execution import read_case, without_secrets_of  # execution imports this module

    row = uow.session.get(ProcessInstance, clock.instance_id)
    if row is None:
        raise NotFound(f"process instance {clock.instance_id} not found")
    where: dict[str, Any] = {"element_id": None, "element_name": None, "task_id": None, "origin": origin}
    template = _template(uow, name)
    if template is None:
        log.warning("case %s: document template %s is not deployed; %s issued no document",
                    row.id, resource_name(name), what)
        return {"event": "document.missing", "data": _missing(name)}
    case = read_case(uow, row.id)  # read only: the applicant's notice reads the same load (notify.tell)
    context = context_of(case)
    try:
        rendered = _render(uow, template, context, row)
    except Exception as exc:  # as for an element's document: the template fails on this case's data
        raise without_secrets_of(case, ProcessError(
            f"document {resource_name(name)} could not be issued for {what}: {exc}",
            details=[{"template": resource_name(name), "message": str(exc)}])) from exc
    summary = _store(uow, case, name, template, rendered, context, where, now)
    outbox.emit(uow, EVENT, instance=row, data={"actor": actor.name, **summary, "case_state": _stands(uow, row)})
    return {"event": EVENT, "data": summary}


def _extension_context(uow: UnitOfWork, case: Case, clock: CaseClock, *, days: int, reason: str,
                       previous_deadline: datetime, now: datetime) -> dict[str, Any]:
    """What an extension notice reads: the case as its documents read it, no diagram element, and
    ``extension`` (engine.document_templates)."""
    from .execution import case_variables  # execution imports this module

    row = case.row
    variables = case_variables(case.workflow)
    item = _item(uow, row.definition, row.definition_key)
    extension = {"days": days, "reason": reason, "previous_deadline": previous_deadline.astimezone(LOCAL_TZ).date(),
                 "deadline": clock.deadline_at.astimezone(LOCAL_TZ).date(), "total_days": clock.extension_days,
                 "basis": _extension_basis(uow, clock, row), "approved_at": now,
                 "paused": clock.state == "paused", "provisional": clock.provisional,
                 # the head approving is of the lead department; a case without one: its issuing department
                 "agency": _lead_name(uow, row.id) or document_templates.department_of(item, variables)}
    return document_templates.build_context(
        variables=variables, case=_case_fields(row, now), item=item,
        element={"id": None, "name": None, "process": row.definition_key}, issued_at=now,
        clock=_clock(uow, row), accepted_by=delegations.document_fields(uow, case), extension=extension)


def _procedure_context(uow: UnitOfWork, case: Case, *, kind: str, name: str, reason: str, max_days: int | None,
                       ends: WorkingDate | None, now: datetime) -> dict[str, Any]:
    """What a special procedure's notice reads: the case as its documents read it, no diagram element, and
    ``procedure`` (engine.document_templates)."""
    from .execution import case_variables  # execution imports this module

    row = case.row
    variables = case_variables(case.workflow)
    item = _item(uow, row.definition, row.definition_key)
    guide = latest_for_process(uow, row.definition_key)
    procedure = {"kind": kind, "name": name, "reason": reason, "started_at": now, "max_days": max_days,
                 "expected_end": ends.date if ends else None, "provisional": bool(ends and ends.provisional),
                 "basis": [SPECIAL_PROCEDURE_LAW] if guide is None or guide.item_type == LICENCE else [],
                 "agency": _lead_name(uow, row.id) or document_templates.department_of(item, variables)}
    return document_templates.build_context(
        variables=variables, case=_case_fields(row, now), item=item,
        element={"id": None, "name": None, "process": row.definition_key}, issued_at=now,
        clock=_clock(uow, row), accepted_by=delegations.document_fields(uow, case), procedure=procedure)


def _extension_basis(uow: UnitOfWork, clock: CaseClock, row: ProcessInstance) -> list[str]:
    """What the notice cites: Art 42 for a licence (an item without a guide is one, as for its clock), and
    the special law a guide's own allowance names (Art 42 yields to the time limits other laws set)."""
    guide = latest_for_process(uow, row.definition_key)
    cited = [EXTENSION_LAW] if guide is None or guide.item_type == LICENCE else []
    return cited + ([clock.extension_basis] if clock.extension_basis else [])


def _lead_name(uow: UnitOfWork, instance_id: int) -> str | None:
    """The name of the department leading the case, whose head approves its extensions."""
    code = case_access.lead_department(uow, instance_id)
    department = uow.session.get(Department, code) if code is not None else None
    return department.name if department is not None else None


def _stands(uow: UnitOfWork, row: ProcessInstance) -> str | None:
    """Where the case stands (engine.case_state), as a ``document.issued`` event of a step says."""
    from .case_state import of_case  # it reads timelines, which read cases through execution

    return of_case(uow, row).state


# ---- reading (API) -----------------------------------------------------------------------------

def list_documents(uow: UnitOfWork, instance_id: int, *, actor: Actor) -> list[Document]:
    """The documents issued in a case, oldest first (without their bytes). Raises NotFound, Forbidden."""
    with uow:
        _require_case(uow, instance_id, actor)
        return list(uow.session.scalars(readable(select(Document).where(Document.instance_id == instance_id)
                                                 .order_by(Document.id), actor)))


def readable(query: Select[Document], actor: Actor) -> Select[Document]:
    """Documents holding a confidential variable's value are read by supervision (and their applicant,
    through the public progress); for every other reader they do not exist."""
    return query if confidential.sees_all(actor) else query.where(Document.confidential.is_(False))


class Download(NamedTuple):
    document: Document
    content: bytes  # in the format asked for
    sha256: str
    file_name: str  # the case number and the title (SX-2026-000123-受理通知书.pdf): downloads tell cases apart
    plain_name: str  # for clients that read only an ASCII name: the case number kept where it is ASCII


def download(uow: UnitOfWork, instance_id: int, document_id: int, *, actor: Actor, fmt: str = "pdf") -> Download:
    """A document's row, its bytes in ``fmt`` (``html`` or ``pdf``), their SHA-256 and the name to save them by.

    Raises:
        NotFound (case or document); Forbidden (as for materials); InvalidRequest (unknown format).
    """
    if fmt not in FORMATS:
        raise InvalidRequest(f"unknown format {fmt!r}; use html or pdf", field="format")
    with uow:
        case = _require_case(uow, instance_id, actor)
        document = uow.session.get(Document, document_id)
        if document is None or document.instance_id != instance_id \
                or (document.confidential and not confidential.sees_all(actor)):
            raise NotFound(f"document {document_id} not found in process instance {instance_id}")
        content: bytes = getattr(document, fmt)
        # Only letters, digits, '.', '_' and '-' in a header's plain name; the case's own id stays internal.
        number = re.sub(r"[^A-Za-z0-9._-]", "", case.business_key)
        return Download(document, content, getattr(document, f"{fmt}_sha256"),
                        f"{case.business_key}-{document.title or document.name}.{fmt}",
                        f"{number}-document-{document.id}" if number else f"document-{document.id}")


def _require_case(uow: UnitOfWork, instance_id: int, actor: Actor) -> ProcessInstance:
    case = uow.session.get(ProcessInstance, instance_id)
    if case is None:
        raise NotFound(f"process instance {instance_id} not found")
    require_access(uow, actor, instance_id)
    return case
