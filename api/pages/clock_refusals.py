"""A clock command the engine refused (engine.time_limits, engine.overdue_reasons), said in the page's
language: the engine's messages are the API's, in English; the page reads the refusal's field or context.

``said`` returns None for a refusal it does not know, which the pages' error handler shows as the engine
put it (api/pages/errors.py).
"""
from __future__ import annotations

from engine import time_limits
from engine.errors import Conflict, EngineError, ValidationFailed

from .i18n import gettext as _

# The commands of the case page's clock panel (api/pages/cases.py).
EXTEND, PAUSE, RESUME, OVERDUE_REASON = "extend", "pause", "resume", "overdue-reason"
OVERDUE_VERDICT = "overdue-verdict"  # a supervisor judges the reason (engine.overdue_reasons.judge)
# The extension requests (engine.extensions): a clerk asks, the agency head decides.
REQUEST_EXTENSION, DECIDE_EXTENSION = "request-extension", "decide-extension"
# The commands an extension's checks refuse in the same words (engine.time_limits.require_extensible).
EXTENDING = (EXTEND, REQUEST_EXTENSION, DECIDE_EXTENSION)


# How a clock stopped (engine.time_limits.STOP_CAUSES): a withdrawn case was not decided.
STOPPED_BY = {time_limits.DECIDED: "办件已作出决定", time_limits.WITHDRAWN: "申请人已撤回申请（撤件）",
              time_limits.TERMINATED: "办件已终止办理", time_limits.ENDED: "办件已办结"}


def stopped_by(cause: object) -> str:
    """How the case's clock stopped, in the page's words (the decision when the cause is unknown)."""
    return _(STOPPED_BY.get(cause if isinstance(cause, str) else "", STOPPED_BY[time_limits.DECIDED]))


def said(command: str, exc: EngineError) -> str | None:
    if isinstance(exc, ValidationFailed):
        details = [d for d in exc.details if isinstance(d, dict)]
        if not details:
            return None
        if command == DECIDE_EXTENSION and details[0].get("field") == "days" and "requested" in details[0]:
            return _("批准延长的工作日数须为 1 至 {n} 的整数（申请为 {n} 个工作日）。", n=details[0]["requested"])
        return _field_refused(command, details[0].get("field"))
    if isinstance(exc, Conflict):
        return _conflict(command, exc)
    return None


def _field_refused(command: str, field: str | None) -> str | None:
    if field == "days" and command == DECIDE_EXTENSION:
        return _("批准延长的工作日数须为整数，至少 1 个，至多为申请的天数。")
    if field == "days":
        return _("延长天数须为不小于 1 的整数（工作日）。")
    if field == "opinion" and command == OVERDUE_VERDICT:
        return _("评判为理由不成立须填写意见（不超过 2000 字）。")
    if field == "opinion":
        return _("不予批准须填写意见（不超过 2000 字）。")
    if field == "verdict":
        return _("请选择超期原因是否成立。")
    if field == "kind":
        return _("请从列表中选择特别程序的种类。")
    if field == "category":
        return _("请从列表中选择超期原因的类别。")
    if field == "reason":
        return _("请填写超期原因（不超过 2000 字）。") if command == OVERDUE_REASON else \
            _("请填写理由（不超过 2000 字）。")
    return None


def _conflict(command: str, exc: Conflict) -> str | None:
    context = exc.context
    if command == OVERDUE_REASON:
        return _("办件未超期：超过办结期限后（计时中，或超期办结后）才记录超期原因。")
    if command == OVERDUE_VERDICT:
        return _("该办件尚未说明超期原因，无可评判。")
    if command == REQUEST_EXTENSION and "pending_request_id" in context:
        return _("该办件已有待审批的延期申请，请等待机关负责人审批。")
    if command == EXTEND and "pending_request_id" in context:
        return _("该办件有待审批的延期申请：请批准（可少于申请的天数）或不予批准该申请，而不是另行延长。")
    if command == DECIDE_EXTENSION and context.get("state") in ("approved", "refused"):
        return _("该延期申请已审批。")
    if command == DECIDE_EXTENSION and context.get("state") == "lapsed":
        return _("该延期申请已失效：{why}，计时已停止，无需审批。", why=stopped_by(context.get("lapsed_because")))
    if context.get("state") == time_limits.STOPPED:
        return _("{why}，计时已停止。", why=stopped_by(context.get("stopped_because")))
    if command in EXTENDING and "deadline_date" in context:
        # 《行政许可法》第四十二条: an extension is decided before the time limit runs out.
        return _("已超过办结期限（{date}），不能再延长：请说明超期原因。", date=context["deadline_date"])
    if command in EXTENDING and context.get("extension_allowance_days") == 0:
        return _("该事项没有法定的延长期限，不能延长办理期限。")
    if command in EXTENDING and "extension_remaining_days" in context:
        left, allowance = context["extension_remaining_days"], context["extension_allowance_days"]
        if left == allowance:  # none approved yet: the request asked for more than the law allows at all
            return _("最多可延长 {n} 个工作日（法定可延长的期限）。", n=allowance)
        return _("最多还可延长 {n} 个工作日（法定可延长 {allowance} 个工作日，其余已批准）。", n=left, allowance=allowance)
    if command == PAUSE and context.get("state") == time_limits.PAUSED:
        return _("特别程序正在进行，计时已暂停：先结束它，再开始新的特别程序。")
    if command == RESUME:
        return _("没有手动开始、尚未结束的特别程序；流程中的特别程序随其环节结束。")
    return None
