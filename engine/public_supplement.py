"""Online supplement: while a case waits for the applicant's supplement (its case state is
engine.progress.SUPPLEMENT_REQUESTED), the applicant, with the case number and query code (or the public
pages' proof of it, engine.query_codes.verify), uploads the materials the one-time notice asks for, then
submits the supplement. Submitting records the message the case waits for, as the window's record of a
supplement brought on paper does (a catch event marked ``govflow.recordable``,
engine.instances.send_message), and the case goes on (back to acceptance review).

The files are materials as any other (engine.materials.upload: its size and type limits, its storage, its
``material.uploaded`` history entry with name, file name, size and SHA-256, never the contents), uploaded by
``PUBLIC``, the name the engine records for what the public does (no user may take it,
engine.users.RESERVED_NAMES); clerks find them in the case's checklist. Only the materials the notice lists
are taken, and only while the case waits: once submitted, it no longer does and uploads are refused.

A supplement is complete when each listed material has a file uploaded since the case began to wait for it:
an older file is the one the notice found wanting. Online supplement is offered only where the window could
record the supplement (a message an integration sends is not the applicant's to give) and the notice lists
the materials by name (else nothing says when it is complete): otherwise the applicant brings it to the window.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

from sqlalchemy import select

from . import case_state, execution, instances, materials, progress, query_codes, timeline
from .case_lock import lock_case
from .clock import utcnow
from .complaints import PUBLIC
from .errors import Conflict, MaterialsMissing, NotFound, ValidationFailed
from .models import Material, ProcessInstance
from .storage import Storage
from .unit_of_work import UnitOfWork
from .users import Actor

# The applicant acting through the public side, on the one case its code opens: engine.materials and
# engine.instances check roles, and an integrator's is what a portal's system holds. This module checks first
# what the applicant may do (the case waits for a supplement, the window could record it); nothing else acts
# as this actor.
APPLICANT = Actor(PUBLIC, roles=frozenset({"integrator"}))
# The refusals, in the applicant's words (the public pages show them as they are, in English from their catalogue).
NOT_AWAITING = "办件当前不在等待补正材料，不能网上补正"
SUSPENDED = "办件暂停办理中，暂不能网上补正"
AT_THE_WINDOW = "本办件的补正材料请到受理窗口提交"
NOT_UPLOADED = "尚未上传"
MAX_FILES = 5  # files of one material one supplement takes online (pages of a scan, a corrected copy)
TOO_MANY_FILES = "“{name}”已上传 {n} 个文件，不能再上传；如需更正请到受理窗口办理"
SUPPLEMENT_ENDED = "补正(结束)"  # the case state of the catch event that takes the supplement
NOTE = "申请人网上提交补正材料："  # the history's note on the message, before the materials' names


@dataclass
class SupplementFile:
    """A file uploaded for a material of the supplement: what the applicant sees of it (never who)."""

    name: str  # the material, as the notice lists it
    filename: str
    size: int
    sha256: str
    uploaded_at: datetime


@dataclass
class SupplementMaterial:
    name: str
    files: list[SupplementFile]  # uploaded since the case began to wait, oldest first


@dataclass
class Supplement:
    """What an online supplement asks for, and what was uploaded for it so far."""

    case_no: str
    due_on: date | None  # the last day (local date), as the progress says it
    materials: list[SupplementMaterial]
    max_bytes: int  # one file's limit (engine.settings max_material_bytes)
    types: list[str]  # the extensions accepted (engine.settings material_types)
    max_files: int = MAX_FILES  # files one material takes

    @property
    def missing(self) -> list[str]:
        return [m.name for m in self.materials if not m.files]


@dataclass
class Submitted:
    case_no: str
    submitted_at: datetime
    case_state: str | None  # where the case stands now: the supplement's end state, or further on
    materials: list[SupplementMaterial]


@dataclass
class _Opening:
    """A case open to an online supplement: found by its code, waiting for ``message`` since ``since``."""

    row: ProcessInstance
    awaiting: progress.Awaiting
    message: str
    since: datetime


def supplement(uow: UnitOfWork, case_no: str, code: str | None = None, *, proof: str | None = None) -> Supplement:
    """What the case's supplement asks for, each material with the files uploaded for it so far.

    Raises NotFound (unknown case, wrong code, stale proof: one answer), Conflict (``state``: not_awaiting,
    suspended, or at_window where the applicant brings the supplement to the window)."""
    with uow:
        opening = _open(uow, case_no, code, proof, lock=False)
        return Supplement(case_no=opening.row.business_key, due_on=opening.awaiting.due_on,
                          materials=_received(uow, opening), max_bytes=uow.settings.max_material_bytes,
                          types=list(uow.settings.material_types))


def upload(uow: UnitOfWork, case_no: str, code: str | None = None, *, proof: str | None = None, name: str,
           filename: str | None, stream: IO[bytes], storage: Storage | None = None) -> SupplementFile:
    """Store a file for a material the supplement lists (engine.materials.upload), as the applicant's.

    Raises as ``supplement``; ValidationFailed (``details`` field ``name``: not a material the supplement
    lists); Conflict (``state`` too_many_files: the material has MAX_FILES files since the case began to
    wait); and as engine.materials.upload: InvalidRequest (no file name, empty file), UnsupportedType, TooLarge.
    """
    wanted = re.sub(r"\s+", " ", name or "").strip()
    with uow:  # refused before anything is stored: the code, the case waiting, the material, room for a file
        if code is not None:  # checked once (a slow hash): the proof opens the case the second time
            proof, code = query_codes.verify(uow, case_no, code), None
        _require_room(uow, _open(uow, case_no, code, proof, lock=False), wanted)
    incoming = materials.checked_file(uow, name=wanted, filename=filename)
    # Stored outside the case's lock (on SQLite the database's): writing up to max_material_bytes holds no writer.
    materials.store_file(uow, incoming, stream, storage)
    with uow:
        opening = _open(uow, case_no, code, proof, lock=True)  # a submission in between closes the upload
        _require_room(uow, opening, wanted)  # as it stands now; a refusal leaves the stored bytes unreferenced
        materials.require_access(uow, APPLICANT, opening.row.id, submitting=True)
        stored = materials.record_file(uow, opening.row, incoming, actor=APPLICANT)
        uow.commit()
        return _shown(stored)


def _require_room(uow: UnitOfWork, opening: _Opening, wanted: str) -> None:
    """The supplement lists the material, and it has fewer than MAX_FILES files since the case began to wait.
    Raises ValidationFailed, Conflict."""
    if wanted not in opening.awaiting.materials:
        message = f"补正材料中没有“{wanted}”，请上传一次性告知通知书所列的材料：{'、'.join(opening.awaiting.materials)}"
        raise ValidationFailed(message, details=[{"field": "name", "message": message}])
    held = next(m.files for m in _received(uow, opening) if m.name == wanted)
    if len(held) >= MAX_FILES:  # what one code may store is bounded, for as long as the case waits
        raise Conflict(TOO_MANY_FILES.format(name=wanted, n=MAX_FILES), state="too_many_files",
                       max_files=MAX_FILES)


def submit(uow: UnitOfWork, case_no: str, code: str | None = None, *, proof: str | None = None) -> Submitted:
    """Submit the supplement: the message the case waits for is recorded, with the applicant (``PUBLIC``) as
    its sender and the materials' names as its note, and the case goes on.

    Raises as ``supplement``; MaterialsMissing naming each listed material with no file uploaded since the
    case began to wait (``details``: field materials, material), or each material of the guide the step
    after needs (its catch event marked ``govflow.materialsComplete``).
    """
    with uow:
        opening = _open(uow, case_no, code, proof, lock=True)  # one submission at a time, never an upload between
        received = _received(uow, opening)
        missing = [m.name for m in received if not m.files]
        if missing:
            raise MaterialsMissing(f"尚未上传以下补正材料，不能提交补正：{'、'.join(missing)}", details=[
                {"field": "materials", "material": n, "message": NOT_UPLOADED} for n in missing])
        note = NOTE + "、".join(m.name for m in received)
        try:
            instances.send_message(uow, opening.message, actor=APPLICANT, instance_id=opening.row.id,
                                   note=note[:instances.MAX_NOTE])
        except NotFound:  # the wait ended meanwhile (its time ran out)
            raise Conflict(NOT_AWAITING, state="not_awaiting") from None
        except MaterialsMissing as exc:
            names = [str(d.get("material")) for d in exc.details if isinstance(d, dict) and d.get("material")]
            raise MaterialsMissing(f"尚缺以下材料，不能提交补正：{'、'.join(names)}", details=exc.details) from None
        stands = case_state.of_case(uow, opening.row)
        return Submitted(case_no=opening.row.business_key, submitted_at=utcnow(), case_state=stands.state,
                         materials=received)


def _open(uow: UnitOfWork, case_no: str, code: str | None, proof: str | None, *, lock: bool) -> _Opening:
    """The case the code (or proof) opens, waiting for a supplement the applicant may give online; with
    ``lock``, its row lock held (a helper: the caller's transaction). Raises NotFound, Conflict."""
    if code is not None:
        proof = query_codes.verify(uow, case_no, code)
    row = query_codes.find_case(uow, case_no, proof=proof)
    if lock:
        lock_case(uow.session, row.id)
        uow.session.refresh(row)  # as it stands once the lock is ours
    awaiting, waits = progress.awaited_supplement(uow, row)
    if awaiting is None:
        raise Conflict(NOT_AWAITING, state="not_awaiting")
    if row.state != "running":
        raise Conflict(SUSPENDED, state="suspended")
    waits = [w for w in waits if w.kind == "message"]
    # Only the wait that ends the supplement (its catch event reaches 补正(结束)), never another message the
    # case waits for: the applicant's submission records that one and nothing else.
    ends = _supplement_ends(uow, row)
    recordable = {w.message or "" for w in waits if w.recordable and w.element_id in ends}
    if len(recordable) != 1 or not awaiting.materials:
        raise Conflict(AT_THE_WINDOW, state="at_window")
    [message] = recordable
    if not all(w.recordable for w in waits if w.message == message):
        raise Conflict(AT_THE_WINDOW, state="at_window")  # another step takes it from an integration
    since = min(w.since for w in waits if w.message == message)
    return _Opening(row=row, awaiting=awaiting, message=message, since=since)


def _supplement_ends(uow: UnitOfWork, row: ProcessInstance) -> set[str]:
    """The elements of the case's diagrams (its own and those it calls) whose completion ends a supplement."""
    return {element for definition in execution.definitions_of(uow, row)
            for element, props in case_state.properties(definition).items()
            if props.get(timeline.CASE_STATE) == SUPPLEMENT_ENDED}


def _received(uow: UnitOfWork, opening: _Opening) -> list[SupplementMaterial]:
    """Each material the supplement lists, with the files uploaded for it since the case began to wait (by
    anyone: the window may have taken one), withdrawn ones left out."""
    names = opening.awaiting.materials
    held = uow.session.scalars(select(Material).where(
        Material.instance_id.in_(materials.bundle_ids(uow, opening.row.id)), Material.name.in_(names),
        Material.withdrawn_at.is_(None)).order_by(Material.id))
    recent = [m for m in held if m.uploaded_at >= opening.since]
    return [SupplementMaterial(name=n, files=[_shown(m) for m in recent if m.name == n]) for n in names]


def _shown(material: Material) -> SupplementFile:
    return SupplementFile(name=material.name, filename=material.filename, size=material.size,
                          sha256=material.sha256, uploaded_at=material.uploaded_at)
