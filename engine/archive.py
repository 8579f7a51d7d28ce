"""The case archive (电子信息库, SX33–34, LY25): one zip per case with everything kept about it.

Layout::

    manifest.json        case, variables, tasks, history, materials and documents, each file with its SHA-256
    SHA256SUMS           the same hashes for ``sha256sum -c`` (manifest.json included)
    materials/<id>-<file name>
    documents/<id>-<file name>   documents issued, when the documents table holds their bytes

Every material is re-hashed while it is copied in: an archive never carries a file that differs from
what was submitted.
"""
from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from datetime import date, datetime
from typing import IO, Any

from sqlalchemy import LargeBinary, Table, select

from . import confidential, execution, materials, sealing
from . import storage as storage_module
from .clock import utcnow
from .models import Base, HistoryEvent, Material, Task
from .storage import Storage, read_chunks
from .unit_of_work import UnitOfWork
from .users import Actor

FORMAT = "govflow-case-archive/1"


class CorruptMaterial(RuntimeError):
    """Stored bytes no longer match the recorded hash: an operator must look, so it is not a 4xx."""


def export(uow: UnitOfWork, instance_id: int, *, actor: Actor, storage: Storage | None = None) -> IO[bytes]:
    """The case's archive as a zip in a temporary file, positioned at its start (the caller closes it).

    Raises:
        NotFound; Forbidden (as for materials); CorruptMaterial (a stored file fails its hash).
    """
    store = storage or storage_module.for_settings(uow.settings)
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    with uow:
        case = execution.open_case(uow, instance_id)
        materials.require_access(uow, actor, case.row.id)
        sums: dict[str, str] = {}
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            material_entries = [_add_material(archive, store, m, sums) for m in _materials(uow, case.row.id)]
            manifest = {
                "format": FORMAT, "generated_at": utcnow(), "generated_by": actor.name,
                "case": _case(case), "variables": confidential.for_reader(
                    execution.case_variables(case.workflow), case.hidden, actor),
                "tasks": [_task(t) for t in uow.session.scalars(
                    select(Task).where(Task.instance_id == case.row.id).order_by(Task.created_at, Task.id))],
                # A sealed step's values stay out until they are opened, as in the history (engine.sealing).
                "history": [_history(e) for e in sealing.for_reader(uow, case.row, list(uow.session.scalars(
                    select(HistoryEvent).where(HistoryEvent.instance_id == case.row.id).order_by(HistoryEvent.id))),
                    actor)],
                "materials": material_entries,
                "documents": _documents(uow, archive, case.row.id, sums, actor),
            }
            body = json.dumps(manifest, ensure_ascii=False, indent=2, default=_json_default).encode()
            archive.writestr("manifest.json", body)
            sums["manifest.json"] = hashlib.sha256(body).hexdigest()
            archive.writestr("SHA256SUMS", "".join(f"{digest}  {path}\n" for path, digest in sums.items()))
    out.seek(0)
    return out


def _materials(uow: UnitOfWork, instance_id: int) -> list[Material]:
    return list(uow.session.scalars(select(Material).where(Material.instance_id == instance_id).order_by(Material.id)))


def _add_material(archive: zipfile.ZipFile, store: Storage, material: Material, sums: dict[str, str]) -> dict[str, Any]:
    path = f"materials/{material.id}-{material.filename}"
    digest = hashlib.sha256()
    source = store.open(material.sha256)
    try:
        with archive.open(path, "w", force_zip64=True) as target:
            for chunk in read_chunks(source):
                digest.update(chunk)
                target.write(chunk)
    finally:
        source.close()
    if digest.hexdigest() != material.sha256:
        raise CorruptMaterial(f"material {material.id} ({material.sha256}) does not match its stored bytes")
    sums[path] = material.sha256
    return {"id": material.id, "name": material.name, "filename": material.filename, "path": path,
            "content_type": material.content_type, "size": material.size, "sha256": material.sha256,
            "uploaded_by": material.uploaded_by, "uploaded_at": material.uploaded_at,
            # Withdrawn before acceptance (engine.materials.withdraw_upload): kept, but it did not count.
            "withdrawn": None if material.withdrawn_at is None else {
                "by": material.withdrawn_by, "at": material.withdrawn_at, "reason": material.withdrawn_reason}}


def _documents(uow: UnitOfWork, archive: zipfile.ZipFile, instance_id: int, sums: dict[str, str], actor: Actor
               ) -> list[Any]:
    """Documents issued to the applicant, when a ``documents`` table (with ``instance_id``) exists:
    plain columns go to the manifest, binary columns become files with their hash. Those holding a
    confidential variable only for supervision (engine.documents.readable)."""
    table = documents_table()
    if table is None or "instance_id" not in table.c:
        return []
    binary = [c.name for c in table.c if isinstance(c.type, LargeBinary)]
    query = select(table).where(table.c.instance_id == instance_id).order_by(*table.primary_key.columns)
    if "confidential" in table.c and not confidential.sees_all(actor):
        query = query.where(table.c.confidential.is_(False))
    entries: list[dict[str, Any]] = []
    for row in uow.session.execute(query).mappings():
        entry = {k: v for k, v in row.items() if k not in binary}
        for column in binary:
            content = row[column]
            if content is None:
                continue
            label = row.get("filename") or row.get("title") or row.get("name") or column
            path = f"documents/{row.get('id', len(entries) + 1)}-{materials.safe_filename(str(label))}"
            if len(binary) > 1:  # one file per format (html, pdf): the column names the extension
                path += f".{column}"
            archive.writestr(path, content)
            sums[path] = hashlib.sha256(content).hexdigest()
            recorded = row.get(f"{column}_sha256")
            if recorded is not None and recorded != sums[path]:
                raise CorruptMaterial(f"document {row.get('id')} ({column}) does not match its recorded hash")
            entry.setdefault("files", []).append({"column": column, "path": path, "sha256": sums[path],
                                                  "size": len(content)})
        entries.append(entry)
    return entries


def documents_table() -> Table | None:
    """The table of documents issued to applicants, once a module declares one."""
    return Base.metadata.tables.get("documents")


def _case(case: execution.Case) -> dict[str, Any]:
    row = case.row
    return {"id": row.id, "business_key": row.business_key, "definition_key": row.definition_key,
            "definition_version": row.definition.version, "definition_name": row.definition.name,
            "state": row.state, "started_at": row.started_at, "started_by": row.started_by,
            "ended_at": row.ended_at, "end_reason": row.end_reason}


def _task(task: Task) -> dict[str, Any]:
    return {"id": task.id, "bpmn_id": task.bpmn_id, "name": task.name, "lane": task.lane, "state": task.state,
            "candidate_groups": task.candidate_groups, "assignee": task.assignee,
            "completed_by": task.completed_by, "created_at": task.created_at, "ended_at": task.ended_at,
            "due_at": task.due_at}


def _history(event: HistoryEvent) -> dict[str, Any]:
    return {"id": event.id, "at": event.at, "actor": event.actor, "event": event.event,
            "element_id": event.element_id, "element_name": event.element_name, "task_id": event.task_id,
            "data": event.data}


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)
