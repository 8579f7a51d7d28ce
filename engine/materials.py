"""Materials (申请材料): files submitted to a case, kept with their SHA-256 and shown to every department
that works on the case, so nobody asks for the same material twice (SX32, LY47); and, for a material not
uploaded, the window's mark that its paper original was checked (纸质原件已核验), that it does not apply
to this application (不适用) or that the window obtained it through data sharing (通过数据共享获取). The checklist sets the guide's list against both; the acceptance step
(engine.acceptance) accepts only when it reads complete. An upload the window withdraws before acceptance
(a wrong file, the wrong scan) stays on record, marked withdrawn, and no longer counts.

A one-thing bundle (一件事) runs its member items as call activities inside one case, so the case is the
bundle: a material submitted once is listed for every department with a task anywhere in it.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from itertools import chain
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO, Any

from sqlalchemy import select

from . import case_access
from . import storage as storage_module
from .case_lock import lock_case
from .clock import utcnow
from .errors import Conflict, Forbidden, InvalidRequest, NotFound, UnsupportedType, ValidationFailed
from .models import HistoryEvent, Material, MaterialMark, ProcessInstance
from .storage import Storage, read_chunks
from .unit_of_work import UnitOfWork
from .users import Actor

# Canonical content type per accepted extension; the allow-list itself is Settings.material_types.
CONTENT_TYPES = {
    "pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
    "ofd": "application/ofd", "zip": "application/zip",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The first bytes each type must start with: a renamed .exe is not a PDF. OFD, DOCX and XLSX are zips.
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",), "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",), "png": (b"\x89PNG\r\n\x1a\n",),
    "ofd": _ZIP, "docx": _ZIP, "xlsx": _ZIP, "zip": _ZIP,
}
ENDED = ("completed", "terminated")


def upload(uow: UnitOfWork, instance_id: int, *, actor: Actor, name: str, filename: str | None,
           stream: IO[bytes], storage: Storage | None = None) -> Material:
    """Store a material of a running or suspended case; the bytes go to storage, the row to the case.

    Args:
        name: the material's name as the guide lists it (e.g. 营业执照).
        filename: the uploaded file's name; its extension must be an accepted type.

    Raises:
        NotFound (case); Forbidden (not integrator, supervisor or a clerk of the case); Conflict (the
        case has ended: its archive is closed); ValidationFailed (no name, one too long or with control
        characters: ``details`` names the field ``name``); InvalidRequest (no file name, empty file);
        UnsupportedType (extension not accepted, or content not of that type); TooLarge.
    """
    incoming = checked_file(uow, name=name, filename=filename)
    with uow:
        row = _case(uow, instance_id)
        require_access(uow, actor, row.id, submitting=True)
        _require_open(row)
        store_file(uow, incoming, stream, storage)
        material = record_file(uow, row, incoming, actor=actor)
        uow.commit()
        return material


@dataclass
class IncomingFile:
    """An uploaded file's name and material checked (``checked_file``); ``blob`` once stored (``store_file``)."""

    name: str
    filename: str
    extension: str
    blob: storage_module.Blob | None = None


def checked_file(uow: UnitOfWork, *, name: str, filename: str | None) -> IncomingFile:
    """The material's name and the file's name and type checked, before anything is read or stored. Raises
    as ``upload`` for them."""
    try:
        name = _clean(name, 200, "material name")
    except InvalidRequest as exc:  # a field's value, named as the API's schemas name theirs
        raise ValidationFailed(exc.message, details=[{"field": "name", "message": exc.message}]) from None
    filename = safe_filename(filename)
    extension = PurePosixPath(filename).suffix.lower().lstrip(".")
    accepted = uow.settings.material_types
    if extension not in accepted:
        raise UnsupportedType(f"files of type .{extension or '?'} are not accepted; accepted: "
                              f"{', '.join('.' + t for t in accepted)}", accepted=", ".join(accepted))
    return IncomingFile(name, filename, extension)


def store_file(uow: UnitOfWork, incoming: IncomingFile, stream: IO[bytes], storage: Storage | None = None) -> None:
    """The file's bytes to storage (named by their hash: the same file stored twice is one blob), once its
    content is seen to be of its type. Reads no row and writes none. Raises InvalidRequest (empty),
    UnsupportedType, TooLarge."""
    head = stream.read(16)
    if not head:
        raise InvalidRequest("the file is empty")
    if not head.startswith(SIGNATURES.get(incoming.extension, (b"",))):
        raise UnsupportedType(f"{incoming.filename} is not a .{incoming.extension} file (its content says otherwise)")
    store = storage or storage_module.for_settings(uow.settings)
    incoming.blob = store.put(chain([head], read_chunks(stream)), max_bytes=uow.settings.max_material_bytes)


def record_file(uow: UnitOfWork, row: ProcessInstance, incoming: IncomingFile, *, actor: Actor) -> Material:
    """The stored file as a material of the case, with its history item. Helper: the caller's transaction,
    its checks made (``require_access``, the case not ended)."""
    blob = incoming.blob
    assert blob is not None, "store_file first"
    content_type = CONTENT_TYPES.get(incoming.extension, "application/octet-stream")
    material = Material(instance_id=row.id, name=incoming.name, filename=incoming.filename, size=blob.size,
                        sha256=blob.sha256, content_type=content_type, uploaded_by=actor.name, uploaded_at=utcnow())
    uow.session.add(material)
    uow.session.flush()
    uow.session.add(HistoryEvent(instance_id=row.id, actor=actor.name, event="material.uploaded", data={
        "material_id": material.id, "name": incoming.name, "filename": incoming.filename, "sha256": blob.sha256,
        "size": blob.size}))
    return material


def _require_open(row: ProcessInstance) -> None:
    if row.state in ENDED:
        raise Conflict(f"process instance {row.id} is {row.state}; its materials are closed", state=row.state)


def list_materials(uow: UnitOfWork, instance_id: int, *, actor: Actor) -> list[Material]:
    """Every material of the case (and its bundle), oldest first. Raises NotFound, Forbidden."""
    with uow:
        row = _case(uow, instance_id)
        require_access(uow, actor, row.id)
        return list(uow.session.scalars(select(Material).where(Material.instance_id.in_(bundle_ids(uow, row.id)))
                                        .order_by(Material.id)))


def download(uow: UnitOfWork, instance_id: int, material_id: int, *, actor: Actor,
             storage: Storage | None = None) -> tuple[Material, IO[bytes]]:
    """A material's row and a stream of its bytes (the caller closes it). Raises NotFound, Forbidden."""
    store = storage or storage_module.for_settings(uow.settings)
    with uow:
        row = _case(uow, instance_id)
        require_access(uow, actor, row.id)
        material = uow.session.get(Material, material_id)
        if material is None or material.instance_id not in bundle_ids(uow, row.id):
            raise NotFound(f"material {material_id} not found in process instance {instance_id}")
        return material, store.open(material.sha256)


MAX_WITHDRAW_REASON = 500


def withdraw_upload(uow: UnitOfWork, instance_id: int, material_id: int, *, actor: Actor, reason: str) -> Material:
    """Withdraw an upload made by mistake (a file under the wrong checklist entry, the wrong scan) before the
    case is accepted: the row and its bytes stay, so the archive and the history keep what happened, marked
    withdrawn with who, when and why; the checklist no longer counts it (its entry is missing again until
    something is uploaded or marked), and ``material.withdrawn_upload`` goes to the case's history.

    Raises:
        NotFound (case; material not of the case; outside a clerk's scope); Forbidden (as ``record``:
        ``require_window``); Conflict (the case has ended; it was accepted, state ``accepted``: the accepted
        file stays in the record; already withdrawn, state ``withdrawn``); InvalidRequest (no reason, one too
        long or with control characters).
    """
    from . import acceptance  # acceptance reads this module's checklist

    text = _clean(reason, MAX_WITHDRAW_REASON, "reason")
    with uow:
        row = _window_case(uow, instance_id, actor)
        material = uow.session.get(Material, material_id)
        if material is None or material.instance_id not in bundle_ids(uow, row.id):
            raise NotFound(f"material {material_id} not found in process instance {instance_id}")
        if material.withdrawn_at is not None:
            raise Conflict(f"material {material.id} was already withdrawn by {material.withdrawn_by}",
                           state="withdrawn")
        if acceptance.was_accepted(uow, row):
            raise Conflict(f"process instance {row.id} was accepted (受理) on its materials; the accepted file "
                           "stays in the record and cannot be withdrawn", state="accepted")
        material.withdrawn_by, material.withdrawn_at, material.withdrawn_reason = actor.name, utcnow(), text
        uow.session.add(HistoryEvent(instance_id=row.id, actor=actor.name, event="material.withdrawn_upload", data={
            "material_id": material.id, "name": material.name, "filename": material.filename,
            "sha256": material.sha256, "reason": text}))
        uow.commit()
        return material


# How a listed material was received: uploaded, or marked (MaterialMark.kind), or not at all. SHARED: the
# window obtained it through data sharing (通过数据共享获取: the issuing department's electronic licence or
# record), which the applicant then needs not bring — only for a material its guide marks ``shared``.
ELECTRONIC, PAPER_CHECKED, NOT_APPLICABLE, SHARED, MISSING = (
    "electronic", "paper_checked", "not_applicable", "shared", "missing")
MARK_KINDS = (PAPER_CHECKED, NOT_APPLICABLE, SHARED)
MAX_MARK_NOTE = 500


@dataclass
class ChecklistItem:
    """A material the item's guide lists, and what the case has of it."""

    name: str
    key: bool  # a key material (tolerant acceptance may not waive it)
    conditional: bool  # required only in some cases (委托他人办理的…): it may be marked not applicable
    shared: bool  # obtainable through data sharing (通过数据共享获取): it may be marked so
    form: str | None
    copies: int | None
    electronic: bool | None
    departments: list[str]  # who needs it (department codes); empty: the lead department
    needed_by_me: bool  # one of the reader's departments needs it
    submitted: list[Material]  # uploaded under this name, oldest first (withdrawn ones not)
    mark: MaterialMark | None = None  # its paper original checked at the window, or not applicable
    withdrawn: list[Material] = field(default_factory=list)  # uploaded under this name, then withdrawn

    @property
    def kinds(self) -> frozenset[str]:
        """How the window may record it as received: see ``mark_kinds``."""
        return mark_kinds(conditional=self.conditional, shared=self.shared)

    @property
    def status(self) -> str:
        """electronic (uploaded), paper_checked, not_applicable, shared or missing."""
        if self.submitted:
            return ELECTRONIC
        return self.mark.kind if self.mark is not None else MISSING


@dataclass
class Checklist:
    item_code: str | None  # None when no guide names the case's process
    items: list[ChecklistItem]
    unlisted: list[Material]  # uploaded under a name the guide does not list (withdrawn ones too, marked so)
    marks_final: bool = False  # the case was accepted on its marks: none is taken back (withdraw)
    uploads_final: bool = False  # the case was accepted on its uploads: none is withdrawn (withdraw_upload)

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.items if item.status == MISSING]


def checklist(uow: UnitOfWork, instance_id: int, *, actor: Actor) -> Checklist:
    """The guide's materials against what the case holds: each department sees what it needs and that
    it is already there, so nobody asks for it twice (SX32, LY47). Raises NotFound, Forbidden."""
    from .acceptance import was_accepted  # acceptance reads this module's checklist

    with uow:
        row = _case(uow, instance_id)
        require_access(uow, actor, row.id)
        found = case_checklist(uow, row, actor=actor)
        # Read only when there is a mark or an upload to offer taking back (both refused after acceptance).
        marks = any(item.mark for item in found.items)
        uploads = any(item.submitted for item in found.items) or any(m.withdrawn_at is None for m in found.unlisted)
        accepted = (marks or uploads) and was_accepted(uow, row)
        found.marks_final, found.uploads_final = marks and accepted, uploads and accepted
        return found


def case_checklist(uow: UnitOfWork, row: ProcessInstance, *, actor: Actor | None = None) -> Checklist:
    """``checklist`` of a case already read, without the reader's rights: a helper (the caller's
    transaction) for the acceptance step (engine.acceptance); ``needed_by_me`` only with an ``actor``."""
    from . import departments, guides  # both read tables this module's callers also load

    guide = guides.latest_for_process(uow, row.definition_key)
    cases = bundle_ids(uow, row.id)
    held = list(uow.session.scalars(select(Material).where(Material.instance_id.in_(cases)).order_by(Material.id)))
    marks = {m.name: m for m in uow.session.scalars(select(MaterialMark).where(MaterialMark.instance_id.in_(cases)))}
    listed = guide.content.get("materials", []) if guide is not None else []
    lead = (guide.content.get("department") or {}).get("code") if guide is not None else None
    mine = set(departments.department_of_groups(uow, actor.groups).values()) if actor is not None else set()
    items = []
    for entry in listed:
        needed = list(entry.get("departments") or [])
        items.append(ChecklistItem(
            name=entry["name"], key=bool(entry.get("key")), conditional=bool(entry.get("conditional")),
            shared=bool(entry.get("shared")),
            form=entry.get("form"), copies=entry.get("copies"), electronic=entry.get("electronic"),
            departments=needed, needed_by_me=bool(mine & set(needed or ([lead] if lead else []))),
            submitted=[m for m in held if m.name == entry["name"] and m.withdrawn_at is None],
            mark=marks.get(entry["name"]),
            withdrawn=[m for m in held if m.name == entry["name"] and m.withdrawn_at is not None]))
    names = {entry["name"] for entry in listed}
    return Checklist(item_code=guide.code if guide is not None else None, items=items,
                     unlisted=[m for m in held if m.name not in names])


# ---- marks: received as a paper original, or not applicable --------------------------------------------

@dataclass(frozen=True)
class NewMark:
    name: str  # the material's name as the guide lists it
    kind: str  # paper_checked | not_applicable | shared
    note: str | None = None


def record(uow: UnitOfWork, instance_id: int, *, actor: Actor, marks: list[NewMark]) -> list[MaterialMark]:
    """Record materials of a running or suspended case as received other than by upload: the paper original
    checked at the window (纸质原件已核验), not applicable to this application (不适用, only for a material
    its guide marks ``conditional``), or obtained through data sharing (通过数据共享获取, only for one it marks
    ``shared``). The acceptance step counts them as received (engine.acceptance). Each
    is kept with who and when, and leaves ``material.recorded`` in the case's history; recording a material
    as it already is (or without a note) changes nothing, another note replaces its note and another kind
    the mark (its history says what it was: ``previous_note``, ``previous``).

    Raises:
        NotFound (case; outside a clerk's scope); Forbidden (not the clerk who received the case, nor one of
        its acceptance step's, nor an admin: ``require_window``); Conflict (the case has ended);
        ValidationFailed (no marks, a name the guide does not list, an unknown kind, a kind the material does
        not allow, a note too long: each by its index); InvalidRequest (a note with
        control characters).
    """
    with uow:
        # Behind the case's commands, before its row is read: a mark on a case ended meanwhile is refused.
        lock_case(uow.session, instance_id)
        stored = record_marks(uow, _case(uow, instance_id), actor=actor, marks=marks)
        uow.commit()
        return stored


def record_marks(uow: UnitOfWork, row: ProcessInstance, *, actor: Actor, marks: list[NewMark]) -> list[MaterialMark]:
    """``record`` in the caller's transaction, on a case row it has read: starting a case and completing its
    acceptance step record the window's marks with the command (engine.instances.start, engine.tasks.complete),
    so a refused command leaves none behind and the acceptance sees them. Raises as ``record``."""
    require_access(uow, actor, row.id)
    require_window(uow, actor, row.id)
    _require_open(row)
    # Behind the case's commands: a mark and an acceptance reading the marks (engine.acceptance) take turns,
    # and two clerks recording one material at once record it once.
    lock_case(uow.session, row.id)
    listed = {item.name: item for item in case_checklist(uow, row).items}
    problems = mark_problems(marks, {name: item.kinds for name, item in listed.items()})
    if problems:
        raise ValidationFailed("the materials cannot be recorded as received", details=problems)
    _require_marks_kept(uow, row, marks, listed)
    now, stored = utcnow(), []
    for new in marks:
        note = _clean(new.note, MAX_MARK_NOTE, "note") if (new.note or "").strip() else None
        mark = listed[new.name].mark
        if mark is not None and mark.kind == new.kind and note in (None, mark.note):  # as it is: nothing new
            stored.append(mark)
            continue
        changed: dict[str, Any] = {}
        if mark is None:
            mark = MaterialMark(instance_id=row.id, name=new.name, kind=new.kind)
            uow.session.add(mark)
            listed[new.name].mark = mark  # the same name twice in one call: the second sees the first
        elif mark.kind != new.kind:
            changed["previous"] = mark.kind
        else:  # the same kind with another note: the note is what changes
            changed["previous_note"] = mark.note
        mark.kind, mark.note, mark.recorded_by, mark.recorded_at = new.kind, note, actor.name, now
        uow.session.add(HistoryEvent(instance_id=row.id, actor=actor.name, event="material.recorded", data={
            "name": new.name, "kind": new.kind, **({"note": note} if note else {}), **changed}))
        stored.append(mark)
    uow.session.flush()
    return stored


def _require_marks_kept(uow: UnitOfWork, row: ProcessInstance, marks: list[NewMark],
                        listed: dict[str, ChecklistItem]) -> None:
    """Once the case was accepted (受理) on its marks, a mark keeps its kind: the acceptance read it, as
    ``withdraw`` keeps it too. A material still missing may be marked (a waived one brought later).

    Raises Conflict (state ``accepted``), naming the marks."""
    from . import acceptance  # acceptance reads this module's checklist

    changed = [new.name for new in marks if (mark := listed[new.name].mark) is not None and mark.kind != new.kind]
    if changed and acceptance.was_accepted(uow, row):
        raise Conflict(f"process instance {row.id} was accepted (受理) on its materials as received; a mark keeps "
                       f"its kind after the acceptance: {', '.join(changed)}", state="accepted")


def withdraw(uow: UnitOfWork, instance_id: int, mark_id: int, *, actor: Actor) -> None:
    """Take back a mark recorded by mistake: the material is missing again (``material.withdrawn`` in the
    case's history names it and what it was marked). Once the case was accepted on its marks (受理), they
    stay: the acceptance read them. Raises as ``record``, NotFound (no such mark) and Conflict (the case
    was accepted)."""
    from . import acceptance  # acceptance reads this module's checklist

    with uow:
        row = _window_case(uow, instance_id, actor)
        mark = uow.session.get(MaterialMark, mark_id)
        if mark is None or mark.instance_id not in bundle_ids(uow, row.id):
            raise NotFound(f"material mark {mark_id} not found in process instance {instance_id}")
        if acceptance.was_accepted(uow, row):
            raise Conflict(f"process instance {row.id} was accepted (受理) on its materials as received; "
                           "a mark cannot be taken back after the acceptance", state="accepted")
        uow.session.add(HistoryEvent(instance_id=row.id, actor=actor.name, event="material.withdrawn",
                                     data={"name": mark.name, "kind": mark.kind}))
        uow.session.delete(mark)
        uow.commit()


def require_window(uow: UnitOfWork, actor: Actor, instance_id: int) -> None:
    """Who may say what the window received: admins; the clerk who received the application (收件: started
    the case), whose groups need not work its first step; and clerks of its acceptance step (受理审查,
    engine.acceptance: its candidates or assignee, open or done, or who completed it). Not every clerk of the
    case: a member department's or a reviewer's clerk did not see the paper. A helper: the caller's
    transaction. Raises Forbidden."""
    from . import acceptance, tasks  # both import this module

    if actor.has("admin"):
        return
    row = _case(uow, instance_id)
    if actor.has("clerk") and (row.started_by == actor.name or any(
            tasks.may_work(actor, task) or task.completed_by == actor.name
            for task in acceptance.step_tasks(uow, row))):
        return
    raise Forbidden(f"{actor.name} may not record the materials received of process instance {row.id} "
                    "(the clerk who received it, clerks of its acceptance step and admins may)")


# What is wrong with a mark, by its rule (the pages say it in their language from the rule).
UNLISTED, KIND, NOT_CONDITIONAL, NOT_SHARED, NOTE = "unlisted", "kind", "not_conditional", "not_shared", "note"


def mark_kinds(*, conditional: bool, shared: bool) -> frozenset[str]:
    """How a material of the guide may be recorded as received: its paper original checked, always; not
    applicable when the guide marks it ``conditional``; obtained through data sharing when it marks it
    ``shared``."""
    return frozenset({PAPER_CHECKED} | ({NOT_APPLICABLE} if conditional else set()) | ({SHARED} if shared else set()))


def guide_mark_kinds(guide_materials: list[Any]) -> dict[str, frozenset[str]]:
    """A guide's ``materials`` as ``mark_problems`` reads them: name -> the kinds it allows."""
    return {m["name"]: mark_kinds(conditional=bool(m.get("conditional")), shared=bool(m.get("shared")))
            for m in guide_materials if isinstance(m, dict) and isinstance(m.get("name"), str)}


def mark_problems(marks: list[NewMark], listed: dict[str, frozenset[str]]) -> list[dict[str, Any]]:
    """What is wrong with the marks against the guide's materials (``listed``: name -> the kinds it allows,
    ``mark_kinds``), each by its index with the material's name and the rule it breaks; the intake page
    checks its ticks by it before starting anything."""
    problems: list[dict[str, Any]] = []
    for i, new in enumerate(marks):
        found = {"material": new.name}
        if new.name not in listed:
            problems.append({"field": f"marks.{i}.name", "rule": UNLISTED, **found,
                             "message": f"{new.name!r} is not a material the item's guide lists"})
        elif new.kind not in MARK_KINDS:
            problems.append({"field": f"marks.{i}.kind", "rule": KIND, **found,
                             "message": f"one of {', '.join(MARK_KINDS)}"})
        elif new.kind == NOT_APPLICABLE and new.kind not in listed[new.name]:
            problems.append({"field": f"marks.{i}.kind", "rule": NOT_CONDITIONAL, **found,
                             "message": f"{new.name} is required of every applicant "
                                        "(its guide does not mark it conditional)"})
        elif new.kind == SHARED and new.kind not in listed[new.name]:
            problems.append({"field": f"marks.{i}.kind", "rule": NOT_SHARED, **found,
                             "message": f"{new.name} is not obtained through data sharing "
                                        "(its guide does not mark it shared)"})
        elif new.note is not None and len(new.note.strip()) > MAX_MARK_NOTE:
            problems.append({"field": f"marks.{i}.note", "rule": NOTE, **found,
                             "message": f"at most {MAX_MARK_NOTE} characters"})
    if not marks:
        problems.append({"field": "marks", "message": "at least one material"})
    return problems


# ---- helpers shared with the archive -----------------------------------------------------------

def bundle_ids(uow: UnitOfWork, instance_id: int) -> list[int]:
    """The cases whose materials a case shares: the case itself, since bundle members run inside it
    as call activities. The one place to widen should cases ever be linked to a parent case."""
    return [instance_id]


def require_access(uow: UnitOfWork, actor: Actor, instance_id: int, *, submitting: bool = False) -> None:
    """Integrators, supervisors and admins; clerks who read the case (or its bundle): of a department
    taking part in it, or with a task in it (engine.case_access); agency heads of such a department, who
    read the case's history and decide its extensions on what it holds (``submitting`` a file: not heads).

    Raises NotFound (a case outside a clerk's scope, engine.case_access), Forbidden.
    """
    if actor.has("integrator", "supervisor"):
        return
    if actor.has("clerk") or (actor.has(case_access.HEAD) and not submitting):
        case_access.require_case(uow, actor, instance_id)
        return  # submitted once, read by every department of the case (SX32, LY47)
    raise Forbidden(f"{actor.name} may not see the materials of process instance {instance_id} "
                    "(integrators, supervisors, and clerks and heads of the case's departments may)")


def _window_case(uow: UnitOfWork, instance_id: int, actor: Actor) -> ProcessInstance:
    """The case a window command changes, locked first (never while an acceptance reads its checklist, and a
    state read after the lock), open to ``actor`` at the window and not ended. Raises NotFound, Forbidden,
    Conflict."""
    lock_case(uow.session, instance_id)
    row = _case(uow, instance_id)
    require_access(uow, actor, row.id)
    require_window(uow, actor, row.id)
    _require_open(row)
    return row


def _case(uow: UnitOfWork, instance_id: int) -> ProcessInstance:
    row = uow.session.get(ProcessInstance, instance_id)
    if row is None:
        raise NotFound(f"process instance {instance_id} not found")
    return row


def safe_filename(filename: str | None) -> str:
    """The last path segment of a client's file name, without control characters. Raises InvalidRequest."""
    raw = (filename or "").replace("\x00", "")
    base = PureWindowsPath(PurePosixPath(raw).name).name  # "C:\\scans\\a.pdf" and "../a.pdf" alike
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip().strip(".")
    if not base:
        raise InvalidRequest("the file has no name; send it as multipart field 'file' with a file name")
    return base[-255:]


def _clean(value: str | None, limit: int, what: str) -> str:
    """One line of text: whitespace runs become one space; other control characters are refused (they
    would show as nothing, or break a line, on every checklist and archive the name appears in)."""
    text = re.sub(r"\s+", " ", value or "").strip()
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise InvalidRequest(f"{what} must not contain control characters")
    if not text or len(text) > limit:
        raise InvalidRequest(f"{what} must be 1 to {limit} characters")
    return text
