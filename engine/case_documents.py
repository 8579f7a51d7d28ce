"""The documents issued in a case as its page shows them to staff (read-only, over engine.documents)."""
from __future__ import annotations

from . import documents
from .errors import Forbidden
from .models import Document
from .unit_of_work import UnitOfWork
from .users import Actor


def visible_documents(uow: UnitOfWork, instance_id: int, *, actor: Actor) -> list[Document] | None:
    """The case's documents, oldest first, for a reader who may see its materials; None for one who may
    read the case but not its materials (the page leaves the section out, as it does for materials).

    Raises NotFound (no such case, or outside a scoped clerk's departments).
    """
    try:
        return documents.list_documents(uow, instance_id, actor=actor)
    except Forbidden:
        return None
