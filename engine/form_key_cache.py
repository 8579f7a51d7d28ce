"""Which deployed form a task's formKey resolves to, remembered per process (engine.forms)."""
from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select

from .models import Resource

# What the resolution is computed from: the deployed resources. They are only ever added (a deployment
# is never changed or deleted), so their count and highest id change with every deployment committed,
# also one committed late with lower ids (PostgreSQL hands out ids before commit).
RESOURCES_MARKER = select(func.count(Resource.id), func.max(Resource.id))

MISSING = object()  # get(): not cached for this marker


class FormKeyCache:
    """The resource row (id, name, deployment_id, sha256) a formKey resolves to for a definition, or None.

    Keyed by (definition id, formKey) and stamped with RESOURCES_MARKER as read before resolving: a
    deployment of any file, by any process, changes the marker and the next lookup resolves again. Holds
    one entry per key; compiled forms themselves live in the FormCache by content hash.
    """

    def __init__(self) -> None:
        self._rows: dict[tuple[int, str], tuple[Any, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[int, str], marker: Any) -> Any:
        """The cached row (or None) for ``key`` at ``marker``; MISSING when it must be resolved."""
        found = self._rows.get(key)
        if found is None or found[0] != marker:
            return MISSING
        return found[1]

    def put(self, key: tuple[int, str], marker: Any, row: Any) -> None:
        with self._lock:
            self._rows[key] = (marker, row)

