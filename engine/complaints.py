"""Complaints (投诉, DOMAIN rule 12; LY53, XA35): anyone may complain without an account; the complaint
is a case of ``bpmn/complaint`` — registered, handled by the responsible group within a number of
working days (escalated to the supervision group when that passes), and answered to the complainant.

The complainant gets a complaint number and a query code, and follows it through the same public
progress endpoint as any case (engine.progress).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from . import guides, query_codes, service_cases
from ._form_fields import PHONE
from .errors import NotFound, ValidationFailed
from .text import UNREADABLE, text_problem
from .unit_of_work import UnitOfWork

COMPLAINT_KEY = "complaint"
HANDLE_DAYS = 5  # working days the responsible group has before the complaint is escalated
DESK_GROUP = "complaints"  # registers complaints and names the responsible group where none is known
SUPERVISION_GROUP = "supervision"
PUBLIC = "public"  # the actor recorded on cases the public opens
_SPACES = re.compile(r"[\s()]+")
_INTERNATIONAL_MOBILE = re.compile(r"^(?:\+86|0086|86)?(1[3-9]\d{9})$", re.ASCII)


@dataclass
class ComplaintView:
    complaint_no: str
    query_code: str
    received_at: datetime
    handle_days: int  # the responsible group's share, before the complaint is escalated
    answer_days: int  # what the complainant is promised: the complaint item's guide (promised_days)


def submit(uow: UnitOfWork, *, name: str, phone: str, content: str, case_no: str | None = None,
           item_code: str | None = None) -> ComplaintView:
    """Open a complaint case; returns its number and the complainant's query code (shown only here).

    The complaint about a case goes to the group that handled that case's last step; otherwise the
    complaints desk names the responsible group when it registers the complaint.

    Raises:
        ValidationFailed: a missing name or content, a phone number that is not a Chinese mobile or
            landline number, text too long. A case number of no case is taken as given (the public must not
            learn which numbers exist) and said to the desk (``related_case_check``).
        NotFound: the complaint process is not deployed. ProcessError: its first steps failed.
    """
    problems: list[dict[str, str]] = []
    given_name, given_content = _text(name, "name", 50, problems), _text(content, "content", 2000, problems)
    given_phone = normal_phone(_text(phone, "phone", 20, problems) or "")
    if given_phone and not PHONE.match(given_phone):
        problems.append({"field": "phone", "message": "手机号（1 开头 11 位）或带区号的固定电话"})
    related_no = _text(query_codes.case_number(case_no or ""), "case_no", 50, problems, required=False)
    item = _text(item_code, "item_code", 50, problems, required=False)
    if problems:  # every field at once, so the complainant corrects them in one go
        raise ValidationFailed("投诉内容有误：" + "、".join(p["field"] for p in problems), details=problems)
    with uow:
        handling_group, related = None, []
        if related_no:
            related = service_cases.cases_numbered(uow, related_no)
            if related:
                handling_group = service_cases.handling(uow, related[-1].id).department
        variables = {"complainant_name": given_name, "complainant_phone": given_phone,
                     "complaint_content": given_content, "related_case_no": related_no or "", "item_code": item or "",
                     "related_case_check": _case_check(related_no, bool(related)),
                     "handling_group": handling_group or "", "handle_days": HANDLE_DAYS,
                     "escalation_group": SUPERVISION_GROUP, "desk_group": DESK_GROUP}
        case = service_cases.start_case(uow, COMPLAINT_KEY, prefix="TS", variables=variables, actor=PUBLIC)
        code = query_codes.issue(uow, case.row)
        uow.commit()
        return ComplaintView(complaint_no=case.row.business_key, query_code=code, received_at=case.row.started_at,
                             handle_days=HANDLE_DAYS, answer_days=_answer_days(uow))


def receipt_again(uow: UnitOfWork, complaint_no: str) -> ComplaintView:
    """The receipt of a complaint filed a moment ago whose answer the complainant did not see (the form
    sent twice, the page reloaded): the same complaint, with a new query code in place of the one shown
    to nobody. Only for the submission that filed it (the page's one-time form token, or the API's
    Idempotency-Key with the same request, proves it).

    Raises NotFound: no complaint of that number."""
    with uow:
        row = next((r for r in service_cases.cases_numbered(uow, complaint_no) if r.definition_key == COMPLAINT_KEY),
                   None)
        if row is None:
            raise NotFound(f"no complaint {complaint_no!r}")
        code = query_codes.replace(uow, row.id, by=PUBLIC)
        uow.commit()
        return ComplaintView(complaint_no=row.business_key, query_code=code, received_at=row.started_at,
                             handle_days=HANDLE_DAYS, answer_days=_answer_days(uow))


def _case_check(number: str | None, found: bool) -> str:
    """What the desk's register form says of the case number the complainant gave."""
    if not number:
        return "未填写办件编号"
    return "已找到该办件" if found else "未找到该办件编号：可能记错或填错，请电话与投诉人核实后再确定责任部门"


def _answer_days(uow: UnitOfWork) -> int:
    """The working days the complaint item's guide promises (its clock's), else the handling share: the
    receipt says what the progress page's clock counts. Helper: the caller's transaction."""
    guide = guides.latest_for_process(uow, COMPLAINT_KEY)
    promised = (guide.content or {}).get("promised_days") if guide is not None else None
    return promised if isinstance(promised, int) and promised > 0 else HANDLE_DAYS


def normal_phone(typed: str) -> str:
    """A number as people type it, as stored: full-width digits read as digits, spaces and brackets
    dropped, a mobile without its hyphens and +86 / 0086 (``+86 139-1234-5678`` -> ``13912345678``); a
    landline keeps the hyphen after its area code (``（0755）88888888`` -> ``075588888888``)."""
    text = _SPACES.sub("", unicodedata.normalize("NFKC", typed))
    mobile = _INTERNATIONAL_MOBILE.match(text.replace("-", ""))
    return mobile.group(1) if mobile else text


def _text(value: str | None, field: str, longest: int, problems: list[dict[str, str]], *,
          required: bool = True) -> str | None:
    """The field trimmed, or its problem added in Chinese (engine.text's rules; the content may have lines,
    the others are one line)."""
    text, problem = text_problem(value, longest=longest, lines=field == "content", required=required)
    if problem == UNREADABLE:
        problems.append({"field": field, "message": "不能含控制字符或文字方向符"})
    elif problem is not None:
        problems.append({"field": field, "message": f"必填，至多 {longest} 字" if required else f"至多 {longest} 字"})
    return text
