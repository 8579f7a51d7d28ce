"""Complaints (投诉, DOMAIN rule 12; LY53, XA35): anyone may complain without an account; the complaint
is a case of ``bpmn/complaint`` — registered, handled by the responsible group within a number of
working days (escalated to the supervision group when that passes), and answered to the complainant.

The complainant gets a complaint number and a query code, and follows it through the same public
progress endpoint as any case (engine.progress).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import query_codes, service_cases
from ._form_fields import PHONE
from .errors import ValidationFailed
from .unit_of_work import UnitOfWork

COMPLAINT_KEY = "complaint"
HANDLE_DAYS = 5  # working days the responsible group has before the complaint is escalated
DESK_GROUP = "complaints"  # registers complaints and names the responsible group where none is known
SUPERVISION_GROUP = "supervision"
PUBLIC = "public"  # the actor recorded on cases the public opens


@dataclass
class ComplaintView:
    complaint_no: str
    query_code: str
    received_at: datetime
    handle_days: int


def submit(uow: UnitOfWork, *, name: str, phone: str, content: str, case_no: str | None = None,
           item_code: str | None = None) -> ComplaintView:
    """Open a complaint case; returns its number and the complainant's query code (shown only here).

    The complaint about a case goes to the group that handled that case's last step; otherwise the
    complaints desk names the responsible group when it registers the complaint.

    Raises:
        ValidationFailed: a missing name or content, a phone number that is not a Chinese mobile or
            landline number, text too long.
        NotFound: the complaint process is not deployed. ProcessError: its first steps failed.
    """
    name, phone, content = _required(name, "name", 50), _required(phone, "phone", 20), \
        _required(content, "content", 2000)
    if not PHONE.match(phone):
        raise ValidationFailed("联系电话格式不正确", details=[
            {"field": "phone", "message": "手机号（1 开头 11 位）或带区号的固定电话"}])
    case_no = _optional(case_no, "case_no", 50)
    item_code = _optional(item_code, "item_code", 50)
    with uow:
        handling_group = None
        if case_no:
            related = service_cases.cases_numbered(uow, case_no)
            if related:
                handling_group = service_cases.handling(uow, related[-1].id).department
        variables = {"complainant_name": name, "complainant_phone": phone, "complaint_content": content,
                     "related_case_no": case_no or "", "item_code": item_code or "",
                     "handling_group": handling_group or "", "handle_days": HANDLE_DAYS,
                     "escalation_group": SUPERVISION_GROUP, "desk_group": DESK_GROUP}
        case = service_cases.start_case(uow, COMPLAINT_KEY, prefix="TS", variables=variables, actor=PUBLIC)
        code = query_codes.issue(uow, case.row)
        uow.commit()
        return ComplaintView(complaint_no=case.row.business_key, query_code=code, received_at=case.row.started_at,
                             handle_days=HANDLE_DAYS)


def _required(value: str | None, field: str, longest: int) -> str:
    text = (value or "").strip()
    if not text or len(text) > longest:
        raise ValidationFailed(f"{field} 必填，至多 {longest} 字", details=[
            {"field": field, "message": f"必填，至多 {longest} 字"}])
    return text


def _optional(value: str | None, field: str, longest: int) -> str | None:
    text = (value or "").strip()
    if len(text) > longest:
        raise ValidationFailed(f"{field} 至多 {longest} 字", details=[{"field": field, "message": f"至多 {longest} 字"}])
    return text or None
