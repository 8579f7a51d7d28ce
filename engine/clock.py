"""The engine's notion of now and of local time.

Deadlines written without a zone (``2026-12-01``) are local dates of the service centre, so the zone is
configuration (``GOVFLOW_TIMEZONE``, default Asia/Shanghai); everything stored is UTC.
"""
from __future__ import annotations

import os
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo(os.environ.get("GOVFLOW_TIMEZONE", "Asia/Shanghai"))


def utcnow() -> datetime:
    return datetime.now(UTC)
