"""Helpers for the applicants' side tests: the library diagrams they use, and driving a case to its end."""
from __future__ import annotations

from typing import Any

from engine import users
from tests.helpers import ROOT, ApiClient, complete_open_task

BPMN, FORMS = ROOT / "bpmn", ROOT / "forms"
WINDOW = BPMN / "window-acceptance" / "window_acceptance.bpmn"
FOOD = BPMN / "SCJG-XK-0001" / "food_business_licence.bpmn"
RECTIFICATION = BPMN / "rectification" / "rectification.bpmn"
COMPLAINT = BPMN / "complaint" / "complaint.bpmn"
RECTIFICATION_FORMS = [FORMS / "rectification-handle.form", FORMS / "rectification-review.form"]
COMPLAINT_FORMS = [FORMS / f"complaint-{step}.form" for step in ("register", "handle", "escalated", "answer")]


def add_clerk(api: ApiClient, name: str, *groups: str, roles: tuple[str, ...] = ("clerk",)) -> ApiClient:
    """A user outside the standard cast (e.g. of the supervision or complaints group), as a client."""
    if name not in api.tokens:
        _, api.tokens[name] = users.add_user(api.runtime.uow(), name, groups=list(groups), roles=list(roles),
                                             actor=users.SYSTEM)
    return api.as_(name)


def window_case_done(api: ApiClient, business_key: str = "SX-2026-000123") -> dict[str, Any]:
    """A window-acceptance case driven to its end: accepted and delivered by the window clerk, reviewed,
    decided and certified by others. Returns the start answer (with the query code)."""
    started = api.start("window_acceptance", business_key=business_key, variables={"applicant_name": "张三"})
    window, admin = api.as_("window_clerk"), api.as_("admin")
    complete_open_task(window, started["id"], "accept", reader="admin", decision="accept")
    complete_open_task(admin, started["id"], "review", reader="admin", review_opinion="材料齐全")
    complete_open_task(admin, started["id"], "decide", reader="admin", approved=True)
    complete_open_task(admin, started["id"], "certify", reader="admin")
    complete_open_task(window, started["id"], "deliver", reader="admin", delivery_method="window")
    assert admin.get(f"/api/process-instances/{started['id']}").get_json()["state"] == "completed"
    return started
