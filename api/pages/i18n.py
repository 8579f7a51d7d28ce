"""Page text: written in Chinese (zh-CN) in the templates, with English from this catalogue for
browsers that prefer English (Accept-Language) or people who switch. A text missing here shows in
Chinese; tests/api/test_pages.py checks every template text has its English."""
from __future__ import annotations

import re
from typing import Any

from flask import request, session

LANGUAGES = ("zh", "en")


def current_language() -> str:
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"], default="zh-CN")
    return "en" if best.startswith("en") else "zh"


def gettext(text: str, /, **values: Any) -> str:
    if current_language() == "en":
        text = singular(EN.get(text, text), values)
    return text.format(**values) if values else text


# English nouns a value counts (Chinese has no plural): "{n} working days" reads "1 working day" for one.
SINGULARS = {"days": "day", "minutes": "minute", "seconds": "second", "characters": "character",
             "digits": "digit", "materials": "material", "copies": "copy", "items": "item"}
_COUNTED = re.compile(r"\{(\w+)\} ((?:[\w-]+ )?)(" + "|".join(SINGULARS) + r")\b")


def singular(text: str, values: dict[str, Any]) -> str:
    """``text`` with each noun counted by a value of 1 in the singular."""
    def one(found: re.Match[str]) -> str:
        name, between, noun = found.groups()
        count = values.get(name)
        is_one = count == 1 and not isinstance(count, bool) or count == "1"
        return f"{{{name}}} {between}{SINGULARS[noun] if is_one else noun}"

    return _COUNTED.sub(one, text) if values else text


EN: dict[str, str] = {
    # layout
    "政务服务流程平台": "Government Service Workflow",
    "待办": "Queue",
    "办件": "Cases",
    "流程定义": "Definitions",
    "部署": "Deploy",
    "建模器": "Modeler",
    "退出": "Log out",
    "登录": "Log in",
    "主要内容": "Main content",
    # login
    "用户名": "User name",
    "密码或 API 令牌": "Password or API token",
    "请输入用户名和密码。": "Enter your user name and password.",
    "用户名或密码错误。": "Wrong user name or password.",
    "登录失败次数过多，请 {n} 分钟后再试。": "Too many failed logins: try again in {n} minutes.",
    "登录已失效，请重新登录。": "Your session has ended; please log in again.",
    "已退出登录。": "You have logged out.",
    "尚未设置密码的用户可使用 API 令牌登录；管理员可在用户管理中或用 govflow user passwd 设置密码。":
        "Users without a password can log in with an API token; an administrator sets passwords under Users or "
        "with govflow user passwd.",
    # queue
    "我的待办": "My queue",
    "全部": "All",
    "我的任务": "Mine",
    "组：{group}": "Group: {group}",
    "其他可认领": "Also offered to me",
    "事项": "Item",
    "全部事项": "All items",
    "办件编号": "Case number",
    "期限": "Due",
    "全部期限": "Any due date",
    "即将到期": "Due soon",
    "已超期": "Overdue",
    "排序": "Sort",
    "按到期时间": "By due date",
    "到期时间倒序": "Latest due first",
    "按优先级": "By priority",
    "最早创建": "Oldest first",
    "最新创建": "Newest first",
    "筛选": "Filter",
    "清除": "Clear",
    "环节": "Step",
    "办理人": "Assignee",
    "到达时间": "Arrived",
    "操作": "Actions",
    "认领": "Claim",
    "退回队列": "Release",
    "办理": "Work on it",
    "查看": "View",
    "暂无待办任务。": "No tasks here.",
    "共 {total} 条": "{total} in all",
    "上一页": "Previous",
    "下一页": "Next",
    "已认领：{name}": "Claimed: {name}",
    "已退回队列：{name}": "Released: {name}",
    "未认领": "Unclaimed",
    "无期限": "No due date",
    "队列": "Queues",
    # task
    "办理任务": "Task",
    "提交并完成": "Submit and complete",
    "完成任务": "Complete task",
    "返回待办": "Back to the queue",
    "认领后办理": "Claim to work on it",
    "该任务由 {assignee} 办理。": "This task is being worked on by {assignee}.",
    "该任务无需填写表单。": "This task has no form to fill.",
    "表单 {key} 尚未部署，可直接完成任务。": "Form {key} is not deployed; the task can be completed without it.",
    "该表单由外部应用呈现（{key}）。": "This form is rendered by another application ({key}).",
    "请更正以下问题：": "Please correct the following:",
    "：": ": ",
    "、": ", ",
    # task: field errors, by the engine's rule codes (api/pages/work.py)
    "必填项": "Required",
    "长度不能少于 {length} 个字符": "At least {length} characters",
    "长度不能超过 {length} 个字符": "At most {length} characters",
    "格式不正确，须符合 {pattern}": "Must match {pattern}",
    "不是有效的电子邮箱地址": "Not an email address",
    "须为手机号码（1 开头的 11 位数字）或带区号的固定电话（如 010-12345678）":
        "Must be a mobile number (11 digits starting with 1) or a landline with its area code "
        "(e.g. 010-12345678)",
    "不是有效的居民身份证号码（18 位，出生日期和末位校验码须正确）":
        "Not a resident identity card number (18 characters, a real birth date and the right check character)",
    "不是有效的统一社会信用代码（18 位，末位校验码须正确）":
        "Not a unified social credit code (18 characters, the right check character)",
    "不能小于 {min}": "Must be at least {min}",
    "不能大于 {max}": "Must be at most {max}",
    "小数点后最多 {digits} 位": "At most {digits} digits after the decimal point",
    "须为整数": "Must be a whole number",
    "须为 {increment} 的整数倍": "Must be a multiple of {increment}",
    "须为以下之一：{options}": "Must be one of: {options}",
    "须为可选项之一": "Must be one of the options",
    "同一选项不能选择两次": "An option is chosen twice",
    "不能早于今天": "Must not be in the past",
    "不是该表单的字段": "Not a field of this form",
    "本环节不能修改此项": "Cannot be changed in this step",
    "须为文本": "Must be text",
    "须为数字": "Must be a number",
    "须为是或否": "Must be yes or no",
    "须为选项列表": "Must be a list of options",
    "须为一组字段": "Must be a group of fields",
    "须为日期（如 2026-03-01）": "Must be a date (e.g. 2026-03-01)",
    "须为时间（如 14:30）": "Must be a time (e.g. 14:30)",
    "须为日期和时间": "Must be a date and time",
    "时间不能带时区": "Must be a time without a time zone",
    "时间须带时区（UTC 偏移）": "Must be a time with a time zone (UTC offset)",
    "须为 UTC 时间（以 Z 结尾）": "Must be a UTC time (ending in Z)",
    "任务已完成（办件 {number}）": "Task completed (case {number})",
    "案件概要": "Case summary",
    "申请人": "Applicant",
    "经办人": "Started by",
    "已用工作日": "Working days used",
    "本环节剩余": "Left for this step",
    "{n} 个工作日": "{n} working days",
    "超期 {n} 个工作日": "{n} working days overdue",
    "（暂按周一至周五计算）": "(counted Monday to Friday: no calendar data for that year)",
    "候选组": "Candidate groups",
    "查看办件": "Open the case",
    "申请材料": "Materials",
    "尚未提交材料。": "No materials submitted yet.",
    "版本 {version}": "version {version}",
    # case
    "办件详情": "Case",
    "流程图": "Diagram",
    "当前环节": "Current step",
    "已完成环节": "Completed step",
    "办理过程": "Timeline",
    "当前状态": "Current state",
    "当前待办": "Open tasks",
    "无待办任务。": "No open tasks.",
    "案件数据": "Case data",
    "时间": "Time",
    "经办": "By",
    "事件": "Event",
    "状态": "State",
    "系统": "system",
    "办件查询": "Find cases",
    "最近的办件": "Recent cases",
    "开始时间": "Started",
    "结束时间": "Ended",
    "暂无办件。": "No cases.",
    "全部状态": "Any state",
    # instance states
    "办理中": "Running",
    "已挂起": "Suspended",
    "已办结": "Completed",
    "已终止": "Terminated",
    "出错": "Error",
    # timeline events
    "收件登记": "Case registered",
    "生成待办：{name}": "Task created: {name}",
    "认领：{name}": "Claimed: {name}",
    "退回队列：{name}": "Released to the queue: {name}",
    "指派：{name}": "Assigned: {name}",
    "转交：{name}": "Handed over: {name}",
    "完成：{name}": "Completed: {name}",
    "计票前不公开": "not disclosed before the count",
    "认领（锁定至 {at}）：{name}": "Claimed (locked until {at}): {name}",
    "外部系统办理失败：{name}": "The external system failed: {name}",
    "重新交外部系统办理：{name}": "Offered to the external system again: {name}",
    "外部系统报告业务错误 {code}：{name}": "The external system reported business error {code}: {name}",
    "外部系统报告业务错误：{name}": "The external system reported a business error: {name}",
    "特别程序超时": "Special procedure over its limit",
    "已超期办结": "Finished late",
    "特别程序超时：已进行 {n} 个工作日，办事指南允许 {max} 个工作日":
        "Special procedure over its limit: {n} working days so far, the guide allows {max}",
    "收到消息：{name}": "Message received: {name}",
    "消息无人接收：{name}": "Message not received by anyone: {name}",
    "挂起": "Suspended",
    "恢复办理": "Resumed",
    "终止：{reason}": "Terminated: {reason}",
    "到达：{name}": "Reached: {name}",
    "出错：{name}": "Error: {name}",
    "流程结束": "Process finished",
    "进入：{name}": "Entered: {name}",
    "取消：{name}": "Cancelled: {name}",
    "定时到期：{name}": "Timer fired: {name}",
    "事件无人接收：{name}": "Event not caught: {name}",
    "消息暂存待收：{name}": "Message held for the case: {name}",
    "{at} 前有效": "valid until {at}",
    "收到暂存的消息：{name}": "Held message received: {name}",
    "暂存消息过期未收：{name}": "Held message expired unreceived: {name}",
    "暂存消息未能接收：{name}": "Held message refused: {name}",
    "消息未转发（连续转发过多）：{name}": "Message not passed on (too many in a chain): {name}",
    "开始计时：承诺 {n} 个工作日，办结期限 {date}": "Clock started: {n} working days promised, deadline {date}",
    "暂停计时：{kind}": "Clock paused: {kind}",
    "恢复计时：{kind}结束，{n} 个工作日不计时，办结期限 {date}":
        "Clock resumed: {kind} ended, {n} working days not counted, deadline {date}",
    "延长 {n} 个工作日，办结期限 {date}": "Extended {n} working days, deadline {date}",
    "计时已停止": "Clock stopped",
    "停止计时：按期办结，用时 {n} 个工作日": "Clock stopped: decided on time, {n} working days used",
    "停止计时：超期办结，用时 {n} 个工作日": "Clock stopped: decided late, {n} working days used",
    "黄色预警：剩余 {n} 个工作日，办结期限 {date}": "Yellow warning: deadline {date}, working days left: {n}",
    "红色预警：已超期，办结期限 {date}": "Red warning: overdue, deadline {date}",
    "环节超时：{name}，期限 {at}": "Step overdue: {name}, due {at}",
    "说明超期原因（{category}）：{reason}": "Overdue reason recorded ({category}): {reason}",
    "说明超期原因：{reason}": "Overdue reason recorded: {reason}",
    "出具文书：{title}": "Document issued: {title}",
    "未出具文书：{name}，模板 {template} 未部署": "No document issued: {name}, template {template} is not deployed",
    "提交材料：{name}": "Material submitted: {name}",
    "生成新查询码": "New query code issued",
    "作业出错：{name}": "Job failed: {name}",
    "重试出错的作业：{name}": "Failed job retried: {name}",
    "出错的作业已处理：{name}": "Failed job resolved: {name}",
    "恢复计时": "Clock resumed",
    "延长办理时限": "Time limit extended",
    "环节超时：{name}": "Step overdue: {name}",
    "说明超期原因": "Overdue reason recorded",
    "未出具文书：{name}": "No document issued: {name}",
    "未命名": "Unnamed",
    "事件 {event}：{name}": "Event {event}: {name}",
    "事件 {event}": "Event {event}",
    # case states (DOMAIN.md)
    "已接件": "Received",
    "已撤件": "Withdrawn",
    "已受理": "Accepted",
    "不受理": "Not accepted",
    "不予受理": "Rejected",
    "补正(开始)": "Supplement requested",
    "补正(结束)": "Supplement received",
    "部门开始办理": "Department started",
    "流会(重新召开)": "Meeting without quorum (to be reconvened)",
    "整改(开始)": "Rectification requested",
    "整改(结束)": "Rectification done",
    "特别程序(开始)": "Special procedure started",
    "特别程序(结束)": "Special procedure ended",
    "办结(通过)": "Done (approved)",
    "办结(容缺通过)": "Done (approved, materials pending)",
    "办结(不通过)": "Done (denied)",
    "撤回": "Recalled",
    "撤销": "Revoked",
    # analyst
    "部署流程": "Deploy",
    "选择文件": "Files",
    "可一次上传多个 .bpmn、.form、.dmn 文件、guide.json 及 .html 文书模板。":
        "Upload several .bpmn, .form and .dmn files, guide.json and .html document templates at once.",
    "部署名称（可选）": "Deployment name (optional)",
    "上传并部署": "Upload and deploy",
    "部署失败，未保存任何内容：": "Deployment refused; nothing was stored:",
    "文件": "File",
    "行": "Line",
    "元素": "Element",
    "问题": "Problem",
    "警告": "Warning",
    "已部署 {key} 版本 {version}": "Deployed {key} version {version}",
    "{key} 内容未变，仍为版本 {version}": "{key} is unchanged and stays at version {version}",
    "尚未部署任何流程。": "Nothing is deployed yet.",
    "标识": "Key",
    "名称": "Name",
    "版本": "Version",
    "部署人": "Deployed by",
    "部署时间": "Deployed at",
    "办件数": "Cases",
    "最新": "latest",
    "下载 BPMN": "Download BPMN",
    "在建模器中打开": "Open in the modeler",
    "新建流程": "New diagram",
    "保存为新版本": "Save as a new version",
    "文件名": "File name",
    "保存失败，未部署：": "Not saved; nothing was deployed:",
    "在此编辑流程图；保存即部署为新版本。": "Edit the diagram here; saving deploys it as a new version.",
    "流程图加载失败：": "The diagram could not be loaded:",
    # supervision (电子监察) and the case clock
    "出错的定时作业": "Failed timers",
    "返回电子监察": "Back to supervision",
    # the audit log page
    "操作日志": "Audit log",
    "操作人": "By",
    "操作类型": "Action",
    "全部操作": "All actions",
    "对象": "Target",
    "全部对象": "All targets",
    "对象标识": "Target key",
    "自": "From",
    "至": "To",
    "变更": "Change",
    "字段": "Field",
    "变更前": "Before",
    "变更后": "After",
    "无变化": "Nothing changed",
    "没有符合条件的记录。": "No entries match.",
    "日期格式应为 YYYY-MM-DD：{value}": "Dates are written YYYY-MM-DD: {value}",
    "用户、令牌、部门、回调、工作日历和监察规则的每次变更：谁、何时、改了什么（变更前后的值，不含令牌、密码和密钥）。日志只增不改。":
        "Every change to users, tokens, departments, webhooks, calendars and supervision rules: who, when and "
        "what changed (the values before and after, never a token, password or secret). Entries are never "
        "changed or removed.",
    "新增用户": "User added", "修改用户": "User changed", "停用用户": "User deactivated", "启用用户": "User activated",
    "设置密码": "Password set", "签发令牌": "Token issued", "吊销令牌": "Tokens revoked",
    "新增或修改部门": "Department set", "删除部门": "Department deleted", "订阅回调": "Webhook subscribed",
    "修改回调": "Webhook changed", "更换回调密钥": "Webhook secret rotated", "取消回调": "Webhook unsubscribed",
    "停用回调": "Webhook disabled", "启用回调": "Webhook enabled",
    "重发回调": "Webhook event replayed", "新建工作日历": "Calendar created", "修改工作日历": "Calendar changed",
    "修改监察规则": "Supervision rules changed",
    "用户": "User", "回调": "Webhook", "工作日历": "Calendar", "监察规则": "Supervision rule",
    "定时器（法定时限、补正期限、催办等）多次重试仍失败后列在这里，办件停在该环节。排除原因后“重试”立即再执行一次；已用其他方式处理的，写明处理情况后“关闭”，办件仍停在该定时器。":
        "Timers (statutory limits, supplement deadlines, reminders …) that still failed after their retries are "
        "listed here; their case waits at that step. Once the cause is fixed, Retry runs it once more at once; "
        "handled by other means, Close it with a note of what was done (the case still waits at the timer).",
    "流程": "Process",
    "应执行时间": "Due",
    "尝试次数": "Attempts",
    "错误": "Error",
    "处理": "Action",
    "重试": "Retry",
    "处理情况": "What was done",
    "关闭": "Close",
    "没有出错的定时作业。": "No failed timers.",
    "已安排立即重试（办件 {number}）；再次失败会重新列在这里。":
        "Retrying now (case {number}); failing again, it is listed here again.",
    "已关闭（办件 {number}），处理情况已记入办件历史。": "Closed (case {number}); the note is in the case's history.",
    "电子监察": "Supervision",
    "统计时间 {at}": "As of {at}",
    "预警办件": "Cases with warnings",
    "预警等级": "Warning level",
    "红色和黄色预警": "Red and yellow",
    "红色（已超期）": "Red (overdue)",
    "黄色（临近期限）": "Yellow (deadline near)",
    "绿色（正常）": "Green (on track)",
    "全部在办": "All open cases",
    "预警": "Warning",
    "部门": "Department",
    "办结期限": "Deadline",
    "已用": "Used",
    "剩余": "Left",
    "超 {n}": "{n} over",
    "超期原因": "Reason for delay",
    "暂停计时": "Clock paused",
    "已用、剩余均为工作日。红色：已超过办结期限；黄色：临近办结期限（提前提醒的天数按事项的监察规则）。":
        "Used and left are working days. Red: past the deadline; yellow: the deadline is near (how near is "
        "each item's supervision rule).",
    "距期限不超过 {n} 个工作日时提醒": "Warned when at most {n} working days are left",
    "按牵头部门统计": "Statistics by lead department",
    "各部门按期办结率": "On-time rate by department",
    "牵头部门": "Lead department",
    "未确定牵头部门": "No lead department yet",
    "申请人原因": "Applicant",
    "本部门原因": "This department",
    "等待其他部门或层级": "Waiting for another department or level",
    "不可抗力": "Force majeure",
    "其他原因": "Other",
    "未说明原因": "No reason given",
    "没有符合条件的在办件。": "No open cases match.",
    "按事项统计": "Statistics by item",
    "受理量": "Accepted",
    "办结量": "Finished",
    "撤件": "Withdrawn",
    "按期办结率": "On-time rate",
    "平均用时（工作日）": "Average working days used",
    "在办": "Open",
    "黄色": "Yellow",
    "红色": "Red",
    "各事项按期办结率": "On-time rate by item",
    "横条长度为已办结办件中按期办结的比例。": "Each bar is the share of finished cases that finished on time.",
    "尚无计时的办件。": "No case has a time-limit clock yet.",
    "暂无办结": "none finished",
    "红色预警": "Red warning",
    "黄色预警": "Yellow warning",
    "正常": "On track",
    "办理时限": "Time limit",
    "计时中": "Clock running",
    "已停止计时": "Clock stopped",
    "承诺时限": "Promised limit",
    "法定时限": "Statutory limit",
    "开始计时": "Clock started",
    "已延长": "Extended by",
    "可再延长": "Extension left",
    "不计时": "Not counted",
    "停止计时": "Clock stopped at",
    "超期办结": "Finished late",
    "按期办结": "Finished on time",
    "特别程序": "Special procedure",
    "开始": "Start",
    "结束": "End",
    "工作日": "Working days",
    "理由或依据": "Reason or legal basis",
    "结果": "Result",
    "进行中": "Under way",
    "延长审批": "Extension",
    "听证": "Hearing",
    "检测": "Testing",
    "检验": "Inspection",
    "检疫": "Quarantine",
    "鉴定": "Appraisal",
    "专家评审": "Expert review",
    "招标": "Bidding",
    "拍卖": "Auction",
    "其他特别程序": "Other special procedure",
    "已批准": "Approved",
    "随审批决定结束": "Ended with the decision",
    "已完成": "Completed",
    "已取消": "Cancelled",
    # case page: acting on the clock (overdue reason, extension, special procedures by hand)
    "填写超期原因": "Give the reason for the delay",
    "更改超期原因": "Change the reason for the delay",
    "再次记录将取代原有的超期原因。": "Recording again replaces the earlier reason.",
    "原因类别": "Category",
    "记录超期原因": "Record the reason",
    "已记录超期原因。": "The reason for the delay is recorded.",
    "批准延长": "Approve an extension",
    "可再延长 {n} 个工作日": "At most {n} more working days",
    "延长工作日数": "Working days to add",
    "延长理由及法律依据": "Reason and legal basis",
    "已批准延长 {n} 个工作日，办结期限 {date}。": "Extension of {n} working days approved; deadline {date}.",
    "启动特别程序": "Start a special procedure",
    "行政许可法第四十五条：听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审所需时间不计算在办理期限内。":
        "Administrative Licensing Law, Art 45: time needed for hearings, bidding, auctions, inspection, testing, "
        "quarantine, appraisal and expert review is not counted in the time limit.",
    "开始并暂停计时": "Start it and pause the clock",
    "特别程序已开始，暂停计时。": "Special procedure started; the clock is paused.",
    "结束特别程序": "End the special procedure",
    "意见": "Opinion",
    "结束并恢复计时": "End it and restart the clock",
    "特别程序已结束，恢复计时，办结期限 {date}。": "Special procedure ended; the clock runs again, deadline {date}.",
    "特别程序已结束；流程中的特别程序仍在进行，继续暂停计时。":
        "Special procedure ended; one of the process's own is still under way, so the clock stays paused.",
    # errors
    "出错了": "Something went wrong",
    "页面不存在或无权查看。": "The page does not exist or you may not see it.",
    "您无权执行此操作。": "You may not do this.",
    "操作未完成：{message}": "Not done: {message}",
    "表单已过期，请刷新页面后重试。": "The form has expired; reload the page and try again.",
    "请求无效。": "The request is invalid.",
    "服务器内部错误，请稍后再试。": "Internal server error; please try again later.",
    "上传的文件过大。": "The upload is too large.",
    "返回首页": "Home",
    "该任务已由 {assignee} 认领。": "This task has been claimed by {assignee}.",
    # public pages: layout, catalogue and guides (办事指南)
    "政务服务公开查询": "Government Services for the Public",
    "办事指南": "Service guides",
    "办件进度查询": "Case progress",
    "工作人员登录": "Staff login",
    "返回工作台": "Back to work",
    "公开查询": "Public services",
    "申请人无需登录：": "Applicants need no login:",
    "办事指南及办件信息依法公开，免费查阅。": "Service guides and case progress are published by law, free to read.",
    "返回办事指南": "Back to the guides",
    "未找到该事项。": "No such service item.",
    "政务服务事项目录": "Catalogue of service items",
    "共 {total} 个事项": "{total} items in all",
    "找到 {n} 个事项": "{n} found",
    "事项名称或编码": "Name or code",
    "如：食品经营许可": "e.g. food business licence",
    "实施部门": "Department",
    "全部部门": "All departments",
    "事项类型": "Type",
    "全部类型": "All types",
    "查询": "Search",
    "事项名称": "Item",
    "事项编码": "Item code",
    "即办": "On the spot",
    "没有符合条件的事项。": "No service item matches.",
    "基本信息": "Basic information",
    "行使层级": "Level",
    "协办部门": "Co-departments",
    "收费": "Fees",
    "免费": "Free of charge",
    "见收费标准": "See the fees",
    "设定依据": "Legal basis",
    "受理条件": "Acceptance conditions",
    "无特别条件。": "No particular conditions.",
    "序号": "No.",
    "材料名称": "Material",
    "材料形式": "Form",
    "份数": "Copies",
    "电子件": "Electronic copy",
    "关键材料": "Key material",
    "样表：": "Sample: ",
    "说明：": "Note: ",
    "可提交电子件": "Electronic copy accepted",
    "须提交纸质件": "Paper required",
    "是": "Yes",
    "否": "No",
    "收费标准": "Fees",
    "收费项目": "Fee",
    "金额（元）": "Amount (CNY)",
    "收费依据": "Basis",
    "结果送达方式": "Delivery of the result",
    "不计入办理时限的环节": "Steps not counted in the time limit",
    "最长 {n} 个工作日": "at most {n} working days",
    "无。": "None.",
    "咨询与投诉": "Enquiries and complaints",
    "咨询方式": "Enquiries",
    "投诉渠道": "Complaints",
    "指南版本 {version}": "Guide version {version}",
    # GB/T 39046 item and case types, levels, material forms, delivery methods, special procedures
    "许可": "Licensing",
    "处罚": "Penalty",
    "强制": "Enforcement",
    "征收": "Levy",
    "给付": "Benefit",
    "检查": "Inspection",
    "确认": "Confirmation",
    "奖励": "Award",
    "裁决": "Adjudication",
    "其他": "Other",
    "公共服务": "Public service",
    "即办件": "Decided on the spot",
    "承诺件": "Promised time limit",
    "省级": "Province",
    "市级": "City",
    "县级": "County",
    "乡镇级": "Township",
    "村级": "Village",
    "原件": "Original",
    "复印件": "Copy",
    "原件和复印件": "Original and copy",
    "窗口领取": "Pickup at the window",
    "电子送达": "Electronic delivery",
    "自助终端领取": "Self-service pickup",
    "邮寄送达": "By mail",
    "检验检测": "Testing",
    "现场核查": "On-site inspection",
    # public pages: progress lookup
    "请输入办件编号和受理时告知您的查询码（8 位字母和数字）。":
        "Enter the case number and the query code you were given (8 letters and digits).",
    "查询码": "Query code",
    "请输入办件编号和查询码。": "Enter the case number and the query code.",
    "未找到该办件，请核对办件编号和查询码。": "No case found; please check the case number and the query code.",
    "查询过于频繁，请 {seconds} 秒后再试。": "Too many lookups; please try again in {seconds} seconds.",
    "查询已过期，请重新输入办件编号和查询码。": "The lookup has expired; enter the case number and the query code again.",
    "未找到该文书。": "No such document.",
    "暂停办理": "Suspended",
    "收件时间": "Received",
    "办结时间": "Finished",
    "终止时间": "Terminated",
    "结束原因": "How it ended",
    "申请人撤回申请": "Withdrawn by the applicant",
    "办理机关终止办理": "Terminated by the office",
    "待申请人补正材料": "Awaiting your supplementary materials",
    "请于 {date} 前补正": "please supplement them by {date}",
    "需要补正的材料以一次性告知通知书为准。": "The materials to supplement are those the supplement notice lists.",
    "办理结果已送达。办理部门仍在进行办结后的核查，核查结果将在此显示。":
        "The result has been delivered. The office is still carrying out its checks after the decision; their "
        "outcome will be shown here.",
    "送达方式": "Delivery method",
    "邮件单号": "Tracking number",
    "如需了解终止原因，请通过办事指南所列的咨询渠道咨询办理部门。":
        "To learn why, ask the office through the consultation channels its guide lists.",
    "正在办理": "Under way",
    "延长 {n} 个工作日": "extended by {n} working days",
    "剩余工作日": "Working days left",
    "计时状态": "Clock",
    "暂停计时（特别程序不计时）": "Paused (special procedure, not counted)",
    "受理后开始计算办理时限。": "The time limit starts when the application is accepted.",
    "本办件未计算办理时限。": "No time limit was counted for this case.",
    "理由：": "Reason: ",
    "特别程序（不计入办理时限）": "Special procedures (not counted)",
    "可下载的文书": "Documents to download",
    "下载 PDF": "Download PDF",
    "下载 HTML": "Download HTML",
    "暂无文书。": "No documents yet.",
    # modeler: an older version opened
    "这是版本 {version}，不是最新版本：新办件按版本 {latest} 办理。保存后，此处的流程图成为版本 {next}，版本 {version} 之后所做的修改不会保留。":
        "This is version {version}, not the latest: new cases start on version {latest}. Saved, this diagram "
        "becomes version {next}, without the changes made after version {version}.",
    "打开最新版本": "Open the latest version",
    # modeler: a save in the way of another version, drafts kept in the browser
    "流程 ID {key} 已被占用：{key} 版本 {version} 由 {who} 于 {when} 部署。":
        "The process id {key} is taken: {key} version {version} was deployed by {who} at {when}.",
    "如果这是新事项，请在属性面板中给流程另取一个 ID 后再保存；如果要修改该事项，请打开它编辑。":
        "If this is a new item, give the process another id in the properties panel and save again; to change "
        "that item, open it and edit it there.",
    "在建模器中打开 {key} 版本 {version}": "Open {key} version {version} in the modeler",
    "{key} 已有更新的版本 {version}，由 {who} 于 {when} 部署；此流程图是在版本 {based_on} 上修改的。":
        "{key} has a newer version {version}, deployed by {who} at {when}; this diagram was edited from "
        "version {based_on}.",
    "查看版本 {version}": "View version {version}",
    "仍然保存为下一版本（版本 {next}）：以此流程图为准，版本 {based_on} 之后他人所做的修改不会保留":
        "Save anyway as the next version ({next}): this diagram wins, and the changes others made after "
        "version {based_on} are not kept",
    "登录已失效或页面已过期，流程图未保存。草稿保存在本浏览器中，可在此恢复后再保存。":
        "Your session ended or the page expired, so the diagram was not saved. Its draft is kept in this browser: "
        "restore it here and save again.",
    "本浏览器中有此流程图未保存的草稿，最后修改于": "This browser keeps an unsaved draft of this diagram, last changed",
    "恢复草稿": "Restore the draft",
    "放弃草稿": "Discard the draft",
    "本浏览器中还有其他未保存的草稿：": "Other unsaved drafts in this browser:",
    # timeline: a leaver named by a diagram, a timer moved by a loaded calendar year
    "指定的办理人不是在职用户，待办未指派：{name}": "The assignee named is not an active user; left unassigned: {name}",
    "定时按新载入的日历调整：{name}": "Timer moved by a calendar year loaded: {name}",
    # complaints (投诉)
    "投诉": "Complain",
    "投诉已提交，我们将在 {n} 个工作日内办结并答复您。":
        "Your complaint was filed; it is dealt with and answered within {n} working days.",
    "这份投诉已经提交过，没有重复提交。查询码已重新生成，以下面的为准。":
        "This complaint was filed already and was not filed twice. Its query code was renewed: use the one below.",
    "投诉编号": "Complaint number",
    "提交时间": "Filed",
    "请现在记下投诉编号和查询码：查询码只在这里显示，稍后不再显示；凭二者查询办理进度和答复。":
        "Write down the complaint number and the query code now: the code is shown only here, and not for long; "
        "with both you follow the complaint and read the answer.",
    "投诉回执只在提交后的一段时间内显示。请凭投诉编号和查询码查询办理进度和答复。":
        "A complaint's receipt is shown only for a while after it is filed. Follow the complaint and read the "
        "answer with its number and query code.",
    "查询码已在提交后显示过一次，不再显示。请凭投诉编号和当时记下的查询码查询办理进度和答复。":
        "The query code was shown once, when the complaint was filed, and is not shown again. Follow the "
        "complaint and read the answer with its number and the code you wrote down.",
    "提交新的投诉": "File a new complaint",
    "结束查询": "End the lookup",
    "在公共电脑或自助终端上查询的，看完请结束查询，下一位使用者看不到您的办件。":
        "On a shared computer or a self-service kiosk, end the lookup when you are done: the next person will "
        "not see your case.",
    "已结束查询，本页不再显示您的办件。": "The lookup has ended: this page no longer shows your case.",
    "查询投诉进度": "Follow the complaint",
    "对政务服务事项的办理、工作人员的服务有意见，可在此投诉。投诉内容将转交责任部门调查处理；您的姓名和电话仅用于受理和答复投诉，不会告知被投诉部门。填写办件编号的，被投诉部门可据此查看该办件，也就知道申请人是谁。":
        "Complain here about how a service item was handled or how staff served you. Your complaint goes to the "
        "responsible department to look into; your name and phone are used only to register and answer it and are "
        "never given to the department complained about. If you give a case number, that department can look up "
        "the case, and so learn who applied.",
    "被投诉部门会看到这里填写的办件编号，可据此查看该办件，知道申请人是谁。不希望被识别的，可以不填；投诉内容同样会转交该部门。":
        "The department complained about sees the case number given here and can look up the case and who "
        "applied. Leave it empty if you do not want to be identified; what you write reaches that department too.",
    "姓名": "Name",
    "联系电话": "Phone",
    "投诉内容": "Complaint",
    "涉及的办件编号（选填）": "Case number concerned (optional)",
    "涉及的事项（选填）": "Service item concerned (optional)",
    "（不选）": "(none)",
    "提交投诉": "Submit complaint",
    "请填写姓名（至多 50 字）。": "Please give your name (at most 50 characters).",
    "请填写手机号（11 位）或带区号的固定电话。": "Please give a mobile number (11 digits) or a landline with its area code.",
    "请填写投诉内容（至多 2000 字）。": "Please describe the complaint (at most 2000 characters).",
    "办件编号至多 50 个字符。": "A case number has at most 50 characters.",
    "事项编码至多 50 个字符。": "An item code has at most 50 characters.",
    "在线投诉暂未开通，请通过办事指南所列的投诉渠道投诉。":
        "Online complaints are not open here; please use the complaint channel the guide lists.",
    "表单已过期，请再次提交。": "The form expired; please submit it again.",
    "在线投诉": "Complain online",
    "对本办件的办理有意见？在线投诉": "Unhappy with how this case was handled? Complain online",
    "办理结果": "Outcome",
    # guide: where, when, how often
    "办理地点": "Where to apply",
    "办理时间": "Office hours",
    "到现场次数": "Visits needed",
    "零跑动（全程网办）": "None (entirely online)",
    "最多 {n} 次": "At most {n}",
    # progress: the applicant's rating (好差评)
    "服务评价": "Rate the service",
    "感谢您的评价。": "Thank you for your rating.",
    "服务环节评价": "rating of a service step",
    "差评整改：": "Rectification: ",
    "整改中": "under way",
    "已整改": "rectified",
    "已转交督查": "passed to supervision",
    "请对本次服务作出评价": "How satisfied are you with this service?",
    "请对刚刚完成的服务环节作出评价": "How satisfied are you with the step just completed?",
    "非常满意": "Very satisfied",
    "满意": "Satisfied",
    "基本满意": "Fairly satisfied",
    "不满意": "Dissatisfied",
    "非常不满意": "Very dissatisfied",
    "评价内容（选择“不满意”或“非常不满意”时必填）": "Comment (required when dissatisfied)",
    "提交评价": "Submit rating",
    "请选择满意程度。": "Please choose how satisfied you are.",
    "选择“不满意”或“非常不满意”时，请写明原因，以便整改。":
        "When you are dissatisfied, please say why, so that it can be put right.",
    "评价内容过长，请控制在 {n} 字以内。": "The comment is too long: {n} characters at most.",
    "办件办结后方可评价": "A case can be rated once it has ended.",
    "办件尚未发生可评价的服务环节": "No service step of this case can be rated yet.",
    "该办件已评价，每次服务只能评价一次": "This case was rated already; each service is rated once.",
    # case page: documents issued
    "已出具文书": "Documents issued",
    "文书": "Document",
    "出具时间": "Issued",
    "下载": "Download",
    "生成查询码": "New query code",
    "红色且未说明原因": "Red, no reason recorded",
    # case page: what the case waits for, and a clerk recording a message it waits for; the case list
    "等待事项": "Waiting for",
    "等待": "Wait",
    "类型": "Kind",
    "等待消息": "Message",
    "开始等待": "Since",
    "定时": "Timer",
    "到期时间": "Due",
    "备注（选填）": "Note (optional)",
    "记录：{name}": "Record: {name}",
    "已记录：{name}": "Recorded: {name}",
    "办件已不在等待此消息，未作记录。": "The case no longer waits for this message; nothing was recorded.",
    "由系统对接发送": "Sent by a connected system",
    "{name}由系统对接发送，不能在办件页记录。": "{name} is sent by a connected system; it cannot be recorded here.",
    # task page: the case clock, earlier steps' opinions, a task already ended; what a completion issued
    "本环节期限": "Due for this step",
    "办理意见": "Opinions of earlier steps",
    "未提交内容。": "Nothing submitted.",
    "该任务已由 {who} 于 {at} 办结。": "This task was completed by {who} at {at}.",
    "该任务已办结，无需再次提交。": "This task is already completed; there is nothing to submit again.",
    "该任务已办结。": "This task is already completed.",
    "该任务已取消（流程已转向其他环节）。": "This task was cancelled (the case moved on to another step).",
    "该办件已挂起，任务暂不能办理。": "The case is suspended; its task cannot be worked on for now.",
    "该任务刚刚被他人认领或已变化，请刷新后重试。":
        "Someone else claimed or changed this task just now; reload the page and try again.",
    "已出具文书：{documents}": "Documents issued: {documents}",
    # task page: handing the task to a colleague (转交)
    "转交给": "Hand over to",
    "请选择": "Choose",
    "转交": "Hand over",
    "没有可以转交的同事。": "No colleague may take this task.",
    "请选择转交给哪位同事。": "Choose the colleague to hand the task to.",
    "已转交 {assignee}：{name}": "Handed over to {assignee}: {name}",
    "未能转交：{assignee} 不能办理此任务（已停用、没有办理权限或不是该任务的候选人）。":
        "Not handed over: {assignee} cannot work this task (deactivated, without the role, or not among its "
        "candidates).",
    "流程已将「{field}」由「{sent}」改为「{value}」，请核对办理结果。":
        "The process changed “{field}” from “{sent}” to “{value}”; please check the outcome.",
    # intake (收件): choosing the item, the applicant's details, the receipt
    "收件": "Intake",
    "选择申请人办理的事项": "Choose the item the applicant applies for",
    "尚未部署可收件的事项。": "No item that a window starts cases for is deployed yet.",
    "办件类型": "Case type",
    "重新选择事项": "Choose another item",
    "申请材料清单": "Materials checklist",
    "关键材料不得容缺。收件后在办件页逐项上传材料。":
        "Key materials cannot be waived. After intake, upload the materials entry by entry on the case page.",
    "办事指南未列出申请材料。": "The guide lists no materials.",
    "收件信息": "Intake details",
    "留空则自动生成": "Leave empty to have one made",
    "已有纸质收件编号的，照填；同一编号再次提交不会重复收件。":
        "If the application has a number on paper already, enter it; sending the same number again starts no "
        "second case.",
    "合并申请表（多表合一）": "Combined application form",
    "申请表": "Application form",
    "申请人信息": "Applicant",
    "个人姓名或单位全称": "A person's name or an organisation's full name",
    "证件号码": "ID number",
    "身份证号码或统一社会信用代码": "Resident ID number or unified social credit code",
    "手机号码用于短信告知办理进度": "A mobile number receives text messages on the case's progress",
    "项目名称": "Project name",
    "工程建设项目等填写": "For construction projects and the like",
    "请填写{label}。": "Please fill in: {label}.",
    "{label}至多 {n} 个字。": "{label}: at most {n} characters.",
    "办件编号须为 1 至 50 个字符，不含控制字符。":
        "The case number must have 1 to 50 characters, without control characters.",
    "办件编号 {number} 已被其他办件使用，请另填一个编号或留空自动生成。":
        "The case number {number} belongs to another case: enter another number, or leave it empty to have one "
        "made.",
    "事项流程启动失败，未收件。": "The item's process failed to start; nothing was registered. ",
    "收件并出具回执": "Register and issue the receipt",
    "取消": "Cancel",
    "事项信息": "Item",
    "流程版本": "Process version",
    "收件回执": "Intake receipt",
    "办件已存在": "Case exists already",
    "办件信息": "Case",
    "编号 {number} 的办件已于 {at} 收件，本次未重复收件。":
        "Case {number} was registered at {at}; it was not registered again.",
    "本次填写的以下信息与已收件的办件不同，未采用：":
        "What was entered this time differs from the registered case in the following, and was not used:",
    "如是另一申请，请重新收件并使用其他办件编号。":
        "If this is another application, register it again under another case number.",
    "收件日期": "Received",
    "{n} 个工作日（自受理之日起计算）": "{n} working days (counted from acceptance)",
    "即办件，当场办结": "Decided on the spot",
    "凭办件编号和查询码可在 {url} 查询办理进度、下载文书和评价服务。查询码只在本回执上出现一次，请妥善保管。":
        "With the case number and the query code, follow the case, download its documents and rate the service "
        "at {url}. The query code appears on this receipt only: keep it safe.",
    "查询码只在首次收件的回执上显示。如需交给申请人，请在办件页生成新查询码（原查询码随即失效）。":
        "The query code is shown on the first receipt only. To give the applicant one, make a new query code on "
        "the case page (the previous code then stops working).",
    "咨询方式：": "Enquiries: ",
    "打印回执": "Print the receipt",
    "上传申请材料": "Upload materials",
    "继续收件": "Next intake",
    # case page: the materials checklist and uploads
    "尚缺 {n} 项": "{n} missing",
    "（关键材料 {n} 项）": " ({n} key)",
    "材料已齐全": "All materials submitted",
    "单个文件不超过 {size}；可上传：{types}": "At most {size} a file; accepted: {types}",
    "文件过大：单个文件不能超过 {size}。": "The file is too large: at most {size} a file.",
    "材料": "material",
    "选择文件：{name}": "Choose the file: {name}",
    "上传": "Upload",
    "刚上传": "Just uploaded",
    "已提交": "Submitted",
    "本部门需要": "Needed by my department",
    "{n} 份": "{n} copies",
    "（办事指南未列出）": "(not listed in the guide)",
    "该办件没有办事指南的材料清单：填写材料名称后上传。":
        "The case has no guide's checklist: enter the material's name and upload it.",
    "请选择要上传的文件（不能为空文件）。": "Choose the file to upload (it may not be empty).",
    "办件已结束，不能再提交材料。": "The case has ended: it takes no more materials.",
    "未能上传：{message}": "Not uploaded: {message}",
    "已上传：{name}（{filename}）": "Uploaded: {name} ({filename})",
    "不接受此类文件。可上传：{types}。": "Files of this type are not accepted. Accepted: {types}.",
    "文件内容与扩展名不符，请上传原始文件。":
        "The file's content does not match its extension; upload the original file.",
    # materials received at the window: paper originals checked, not applicable; the acceptance step's check
    "收件情况": "Received as",
    "收件情况：{name}": "Received as: {name}",
    "电子件请在办件页逐项上传：": "Upload electronic copies entry by entry on the case page: ",
    "纸质原件已核验": "Paper original checked",
    "不适用": "Not applicable",
    "缺": "Missing",
    "视情形提交": "Only in some cases",
    "窗口核验": "Checked at the window",
    "纸质原件已核验：{name}": "Paper original checked: {name}",
    "材料不适用：{name}": "Material not applicable: {name}",
    "撤销收件记录：{name}": "Record of receipt taken back: {name}",
    "“{name}”不能记录为该收件情况。": "“{name}” cannot be recorded as received so.",
    "已记录：{name}（{kind}）": "Recorded: {name} ({kind})",
    "该收件记录已撤销。": "That record of receipt was taken back already.",
    "已撤销收件记录。": "The record of receipt is taken back.",
    "办件已结束，不能再记录收件情况。": "The case has ended: no more materials can be recorded as received.",
    "办件已受理，收件记录不能撤销。":
        "The case was accepted on the materials as received: a record of receipt can no longer be taken back.",
    "办件已结束，收件记录不能撤销。": "The case has ended: a record of receipt can no longer be taken back.",
    "收件情况未能记录，任务未完成：": "How the materials were received was not recorded, and the task is not completed:",
    "“{name}”的说明过长。": "The note on “{name}” is too long.",
    "收件清单": "Materials received",
    "收件清单中没有“{name}”，或收件情况无效。": "“{name}” is not on the checklist, or how it was received is not valid.",
    "“{name}”是每位申请人都须提交的材料，不能选择“不适用”。":
        "“{name}” is required of every applicant: it cannot be marked not applicable.",
    "纸质原件由窗口人员核验。": "Paper originals are checked by window staff.",
    "受理材料核验": "Materials check before acceptance",
    "缺少关键材料 {n} 项：{names}": "{n} key materials missing: {names}",
    "关键材料不齐，不能受理，也不能容缺受理。":
        "With key materials missing, the application can be accepted neither in full nor tolerantly.",
    "尚缺非关键材料 {n} 项：{names}。": "{n} non-key materials missing: {names}.",
    "可容缺受理（列明暂缺材料及补齐期限），不能直接受理。":
        "It may be accepted tolerantly (listing the missing materials and the deadline to supply them), not in "
        "full.",
    "材料齐全后方可受理。": "It can be accepted once every material is there.",
    "不能受理：以下材料尚未收到：{names}。": "Not accepted: these materials have not been received: {names}.",
    "不能容缺受理：关键材料不得容缺，尚未收到：{names}。":
        "Not accepted tolerantly: key materials cannot be waived, and these have not been received: {names}.",
    "不能容缺受理：以下材料尚未收到，也未列为容缺材料：{names}。请一并列明，或核验纸质原件。":
        "Not accepted tolerantly: these materials have not been received and are not listed as waived: {names}. "
        "List them too, or check their paper originals.",
    # materials obtained through data sharing (通过数据共享获取); a mark's note changed
    "已通过数据共享获取": "Obtained through data sharing",
    "可数据共享获取": "Obtainable through data sharing",
    "窗口可通过数据共享获取的，申请人无需提交。":
        "Where the window can obtain it through data sharing, the applicant need not bring it.",
    "“{name}”不能通过数据共享获取，须由申请人提交。":
        "“{name}” cannot be obtained through data sharing: the applicant must bring it.",
    "通过数据共享获取材料：{name}": "Material obtained through data sharing: {name}",
    "修改收件说明：{name}": "Note on a material received changed: {name}",
    "（无说明）": "(no note)",
    "请上传材料，或核验纸质原件后在下表选择“纸质原件已核验”（视情形提交的材料本次不适用的，选择“不适用”；窗口已通过数据共享获取的，选择“已通过数据共享获取”）再提交；材料不全的，请一次性告知补正。":
        "Upload the materials, or check the paper originals and choose “Paper original checked” below (“Not "
        "applicable” for a material required only in some cases, “Obtained through data sharing” for one the "
        "window obtained so), then submit again; if materials are missing, "
        "request the supplement at once.",
    # a wrong upload withdrawn before acceptance; a new query code confirmed and printed
    "撤回上传的材料：{name}": "Upload withdrawn: {name}",
    "原因：{reason}": "Reason: {reason}",
    "已撤回": "Withdrawn",
    "撤回此文件": "Withdraw this file",
    "撤回原因": "Reason for withdrawing",
    "撤回原因：{name}": "Reason for withdrawing: {name}",
    "请填写撤回原因。": "Give the reason for withdrawing the file.",
    "撤回原因须为 1 至 500 个字，不含控制字符。": "The reason must be 1 to 500 characters, without control characters.",
    "办件已受理，已受理的材料保留在案卷中，不能撤回。":
        "The case was accepted: the files it was accepted on stay in the record and cannot be withdrawn.",
    "该材料已撤回。": "That file was withdrawn already.",
    "办件已结束，材料不能撤回。": "The case has ended: its files can no longer be withdrawn.",
    "已撤回：{name}（{filename}），请重新上传正确的材料。": "Withdrawn: {name} ({filename}); upload the right file.",
    "原查询码将失效": "The old query code stops working",
    "请先勾选“原查询码将失效”，再生成新查询码。":
        "Tick “The old query code stops working” to make a new query code.",
    "已生成新查询码，原查询码已失效。新查询码只显示这一次，请打印本回执交给申请人。":
        "A new query code was made and the old one no longer works. The new code is shown this once: print this "
        "receipt for the applicant.",
    "返回办件详情": "Back to the case",
    "另有 {n} 项未显示。": "{n} more not shown.",
    "证件号码有误：18 位的居民身份证号码或统一社会信用代码，出生日期和末位校验码须正确。":
        "The ID number is wrong: an 18-character resident ID number or unified social credit code needs a valid "
        "birth date and check character.",
    "请填写居民身份证号码、统一社会信用代码，或护照等其他证件的号码（字母和数字）。":
        "Give a resident ID number, a unified social credit code, or another document's number such as a "
        "passport's (letters and digits).",
    # the receipt's lines to sign and stamp
    "收件单位（盖章）：": "Receiving office (stamp): ",
    "收件人（签字）：": "Received by (signature): ",
    "申请人（签字）：": "Applicant (signature): ",
    "日期：": "Date: ",
    # the progress page: what a case with no step under way waits for (a timer or a message)
    "预计 {date}": "expected {date}",
    "等待后续环节": "Waiting for the next step",
    # the intake page: the applicant's details an item's start form lacks, asked beside it
    "申请表未含的申请人信息，在此填写。": "Fill in here the applicant's details the application form does not ask.",
    # the case timeline: an error a clerk threw from someone else's task (the centre records a member absent)
    "{event}：{name}": "{event}: {name}",
    # the audit log: a filter refused, said beside its field
    "没有这种操作类型：{value}": "No such action: {value}",
    "没有这种对象类型：{value}": "No such kind of target: {value}",
    "请更正标出的筛选条件后再筛选。": "Correct the filters marked, then filter again.",
    # the progress page: the materials a tolerant acceptance (容缺受理) waived, owed by name and date
    "待申请人补齐容缺材料": "Accepted with materials outstanding: awaiting them from you",
    "请于 {date} 前补齐": "please bring them by {date}",
    "待提交的材料": "Materials to bring",
    "需补齐的材料以容缺受理通知书为准。": "The materials outstanding are those the notice of acceptance lists.",
    # a clock stopped at the decision: how early or late the case was decided, in place of the days left
    "办结时效": "Decided",
    "提前 {n} 个工作日办结": "{n} working days before the deadline",
    "期限当日办结": "on the day of the deadline",
    "超期 {n} 个工作日办结": "{n} working days after the deadline",
    # the case page's clock commands refused, in the page's words (api/pages/clock_refusals.py)
    "延长天数须为不小于 1 的整数（工作日）。": "An extension is a whole number of working days, at least 1.",
    "请从列表中选择特别程序的种类。": "Choose the kind of special procedure from the list.",
    "请从列表中选择超期原因的类别。": "Choose the kind of reason for the delay from the list.",
    "请填写超期原因（不超过 2000 字）。": "Give the reason for the delay (at most 2000 characters).",
    "请填写理由（不超过 2000 字）。": "Give the reason (at most 2000 characters).",
    "办件未超期：超过办结期限后（计时中，或超期办结后）才记录超期原因。":
        "The case is not overdue: a reason for the delay is recorded once the deadline has passed, while the "
        "clock runs or after the case was decided late.",
    "办件已作出决定，计时已停止。": "The case has been decided: its clock has stopped.",
    "已超过办结期限（{date}），不能再延长：请说明超期原因。":
        "Past the deadline ({date}): no more extensions; record the reason for the delay instead.",
    "最多可延长 {n} 个工作日（法定可延长的期限）。": "At most {n} working days may be added (what the law allows).",
    "最多还可延长 {n} 个工作日（法定可延长 {allowance} 个工作日，其余已批准）。":
        "At most {n} more working days may be added ({allowance} working days are allowed; the rest are approved).",
    "特别程序正在进行，计时已暂停：先结束它，再开始新的特别程序。":
        "A special procedure is under way and the clock is paused: end it before starting another.",
    "没有手动开始、尚未结束的特别程序；流程中的特别程序随其环节结束。":
        "No special procedure started by hand is open; one of the process ends with its step.",
    # the clock panel: what all extensions may add up to, and the law that says so
    "依据{law}，共可延长 {n} 个工作日": "Under {law}: {n} working days in all",
    "依据办事指南，共可延长 {n} 个工作日": "Under the item guide: {n} working days in all",
    "行政许可法第四十二条第一款": "the Administrative Licensing Law, art. 42(1)",
    "行政许可法第四十二条第二款": "the Administrative Licensing Law, art. 42(2)",
    # form-js's searchable select: its search box
    "搜索": "Search",
    # the deploy page: a form generated from a diagram's camunda:formData
    "已由 camunda:formData 生成表单 {form}": "Form {form} generated from camunda:formData",
    # the queue page: an address naming a queue that is no longer the clerk's
    "该队列不存在或已不属于您（例如已调离该组），下面是您的全部待办。":
        "That queue does not exist or is no longer yours (you left its group, say): here is all your work.",
    # a multipart body the server could not read (api/multipart.py)
    "上传的文件名不是 UTF-8 编码（例如 GBK），无法读取；请重命名文件后再上传。":
        "A file name is not in UTF-8 (GBK, say) and could not be read: rename the file and upload it again.",
    "提交的内容不完整，无法读取，请重试。": "What was sent was incomplete and could not be read: please try again.",
    # case states in an applicant's words (api/pages/public.py APPLICANT_STATES)
    "待补正材料": "Supplement requested",
    "已补正材料": "Supplement received",
    "待整改": "Rectification requested",
    "特别程序中（不计入办理时限）": "Special procedure (not counted in the time limit)",
    "特别程序结束": "Special procedure ended",
    "部门办理中": "With the department",
    "会议流会，将重新召开": "Meeting without quorum, to be reconvened",
    "办结（通过）": "Done (approved)",
    "办结（容缺受理，通过）": "Done (accepted with materials pending, approved)",
    "办结（不通过）": "Done (denied)",
    # the task page: the application the case was started with
    "申请信息": "Application",
    # the case page: data the process keeps for itself, folded away
    "流程数据（{n} 项，非表单填写）": "Process data ({n}, not from forms)",
    # the case page: others' open tasks the diagram lets this user end (govflow.thrownBy)
    "代为登记": "Record for others",
    "原因（必填）": "Reason (required)",
    "已登记：{name}（{member}）": "Recorded: {name} ({member})",
    "该任务已结束或无权登记，未作记录。": "That task has ended, or is not yours to record: nothing was recorded.",
    "任务": "Task",
    "登记": "Record",
    "请填写原因后再登记：{name}（{member}）": "Give the reason first: {name} ({member})",
    "受理后开始计时的办件；未受理、不予受理的办件不计入": "Cases whose clock started at acceptance; cases not (yet) accepted are not counted",
    "统计自受理（开始计时）起：未受理、不予受理的办件不计入。": "Counted from acceptance (when the clock starts): cases not accepted or refused acceptance are not counted.",
    "（已作出决定，结果送达中）": "(decided; the result is on its way)",
    "上传的文件过大：每次提交至多 {size}。": "The upload is too large: at most {size} per submission.",
    "返回上一页": "Back",
    "尚缺材料，未记录{name}：{names}。请先上传电子件或登记纸质原件已核验。": "Materials are missing; {name} was not recorded: {names}. Upload them or record that the paper originals were checked first.",
    # the rating statistics page (好差评统计, api/pages/ratings_board.py) and its CSV file
    "好差评统计": "Rating statistics",
    "导出 CSV": "Export CSV",
    "统计期间": "Period",
    "统计期间：{period}（按评价提交的日期，起止两日都计入）；共 {total} 条评价。":
        "Period: {period} (by the day each rating was given, both days included); {total} ratings in all.",
    "{first} 至 {last}": "{first} to {last}",
    "{first} 起": "from {first}",
    "截至 {last}": "until {last}",
    "不限日期": "all dates",
    "“至”的日期不能早于“自”的日期：{value}": "“To” must not be before “From”: {value}",
    "评价数": "Ratings",
    "平均满意度": "Average level",
    "接近“{level}”": "close to “{level}”",
    "差评数": "Bad ratings",
    "差评率": "Bad-rating rate",
    "整改完成": "Rectified",
    "未整改": "Not rectified",
    "满意度分五级：1 非常满意，2 满意，3 基本满意，4 不满意，5 非常不满意；平均满意度越小越好。差评为 4、5 级；整改完成指整改经督查确认。":
        "Five levels: 1 very satisfied, 2 satisfied, 3 fairly satisfied, 4 dissatisfied, 5 very dissatisfied; the "
        "lower the average, the better. Levels 4 and 5 are bad ratings; rectified means supervision confirmed "
        "the rectification.",
    "1 非常满意 … 5 非常不满意，越小越好": "1 very satisfied … 5 very dissatisfied: lower is better",
    "按事项": "By item",
    "按部门": "By department",
    "按经办人": "By clerk",
    "经办人员": "Clerk",
    "未确定部门": "No department",
    "没有可计入的评价。": "No ratings to count.",
    "该期间没有评价。": "No ratings in this period.",
    "部门为被评价办件牵头部门最后办理的环节所属部门（其他部门的环节不计，如政务服务中心窗口的统一出件）；办件没有牵头部门时，为最后一个环节的部门；该环节的办理组尚未归属部门时，显示办理组。":
        "The department of the last step the rated case's lead department handled (other departments' steps, "
        "such as issuing at the service centre's window, do not count); for a case without a lead department, "
        "that of its last step; where that step's group belongs to no department yet, the group.",
    "一件办件由多人经办时，其评价计入每一位经办人员，各行相加可能多于评价总数。":
        "A case handled by several clerks counts for each of them: the rows may add up to more than the "
        "ratings in all.",
    "合计": "Total",
    "统计维度": "Table",
    "满意度说明": "Meaning",
    "好差评统计_{period}.csv": "ratings_{period}.csv",
    "以下流程标识已由其他文件部署。若这是新事项，请在建模器中改用新的流程标识；若确要作为其新版本，请勾选确认并重新选择文件：":
        "These process ids were deployed from other files. If this is a new item, give its process a new id in the "
        "modeler; to deploy it as their next version on purpose, confirm below and choose the files again:",
    "确认作为已部署流程的新版本": "Deploy as the next version of the deployed process",
    "此流程图部署时没有布局，已自动生成；保存后，连同生成的布局存为新版本。":
        "This diagram was deployed without a layout, so one was generated; saving stores it with this layout as a new "
        "version.",
    "此流程图没有布局，且其中的泳池或泳道无法自动生成布局。":
        "This diagram has no layout, and none can be generated for its pools or lanes.",
    "已恢复本浏览器中保存的未提交内容，最后修改于": "Restored what was typed and not yet sent, kept in this browser; last changed",
    "该任务目前不能由您办理。下面显示的是本浏览器中保存的您未提交的内容，最后修改于":
        "You cannot work on this task at present. Shown below is what you typed and did not send, kept in this "
        "browser; last changed",
    "{material} 已登记为不适用或已通过数据共享获取，申请人无需提交，不能列入补正":
        "{material} is recorded as not applicable or obtained through data sharing: the applicant need not bring "
        "it, so a supplement cannot ask for it",
    "打印": "Print",
    "* 该期限所在年度的节假日安排尚未载入，暂按周一至周五计算；载入后自动重算。":
        "* The holidays of this deadline's year are not loaded yet: counted Monday to Friday for now, and counted "
        "again once they are.",
    "格式不正确：{hint}": "Not in the right form: {hint}",
    "其他办件发来的消息未能接收：{name}": "A message from another case was refused: {name}",
    "消息未被接收（接收的办件尚缺材料）：{name}": "Message not taken (the receiving case lacks materials): {name}",
    "本浏览器中有未提交的收件内容（可能是上一位申请人的），最后修改于":
        "This browser holds an intake not yet sent (perhaps the previous applicant's); last changed",
    "姓名或单位名称": "Name of person or organisation",
    # deploy and lint problems by code (api/pages/problem_texts.py): the engine's English sentences
    "文件超过 {kib} KiB": "file is larger than {kib} KiB",
    "不允许 DOCTYPE 声明（其中的实体可能读取文件或无限展开）":
        "DOCTYPE declarations are not allowed (their entities could read files or expand without bound)",
    "XML 格式错误：{reason}": "malformed XML: {reason}",
    "XML 声明中的编码 {encoding!r} 无法识别；请将文件另存为 UTF-8":
        "the XML declaration names encoding {encoding!r}, which is not known; save the file as UTF-8",
    "文件不是 XML 声明所称的有效 {encoding} 编码（字节 0x{byte} 无法读取）；请将文件另存为 UTF-8":
        "the file is not valid {encoding} as its XML declaration says (byte 0x{byte} cannot be read); save it as "
        "UTF-8",
    "文件以 {encoding} 编码保存：已转为 UTF-8 存储，XML 声明已相应修改":
        "saved in {encoding}: stored as UTF-8, its XML declaration changed to say so",
    "标识重复（BPMN 要求标识唯一）：第 {first} 行也使用了此标识": "duplicate id (BPMN requires unique ids): line {first} has it too",
    "不支持的文件类型（可部署 {accepted}）": "unsupported file type (deploy {accepted})",
    "不是流程图、表单、guide.json 或文书模板": "not a diagram, form, guide.json or document template",
    "本次部署的另一文件（{other}）也以 {stored!r} 存储：每个文件须有各自的名称":
        "another file of this deployment ({other}) is stored as {stored!r} too: each file needs a name of its own",
    "不是 BPMN 2.0 文档（根元素为 {root}）": "not a BPMN 2.0 document (root element is {root})",
    "没有可执行的流程（所有流程的 isExecutable 均为 false）": "no executable process (every process has isExecutable=\"false\")",
    "文件中没有定义流程": "the file defines no process",
    "本次部署不含 BPMN 流程图": "the deployment contains no BPMN diagram",
    "本次部署不含 BPMN 流程图，表单不能单独部署：请将 {forms} 与使用它的流程图放在同一次部署中":
        "the deployment contains no BPMN diagram, and a form does not deploy alone: deploy {which}, in one deployment",
    "流程标识 {process!r} 也在 {other} 中定义": "process id {process!r} is also defined in {other}",
    "流程 {process!r} 已由 {file!r} 部署（版本 {version}{named}）；本文件将接管它，成为其下一版本：若是新事项，请改用新的流程标识，否则请确认接管后重新部署":
        "process {process!r} was deployed from {file!r} (version {version}{named}); this file would take it over as "
        "its next version: give the process another id if it is a new item, or deploy again confirming the take-over",
    "流程 {process!r} 已由 {file!r} 部署（版本 {version}{named}）；本文件成为其下一版本：若是新事项，请改用新的流程标识":
        "process {process!r} was deployed from {file!r} (version {version}{named}); this file makes its next version: "
        "give the process another id if it is a new item",
    "顺序流缺少{end}": "sequence flow has no {end}",
    "顺序流的{end} {ref!r} 不是 {scope_tag} {scope!r} 中的元素":
        "sequence flow {end} {ref!r} is not an element of {scope_tag} {scope!r}",
    "顺序流 {flow} 从{kind}网关 {gateway!r} 流出，但没有条件，也不是该网关的默认流；请添加条件或将其设为默认流":
        "sequence flow {flow} leaves {kind} gateway {gateway!r} without a condition and is not its default flow; add "
        "a condition or make it the default",
    "不支持有多条流出顺序流的任务（隐式分支）；请添加网关":
        "a task with several outgoing sequence flows (an implicit split) is not supported; add a gateway",
    "调用活动未指定 calledElement": "call activity has no calledElement",
    "调用的流程 {called!r} 既不在本次部署中，也未曾部署":
        "calls process {called!r}, which is neither in this deployment nor deployed before",
    "{what} {source!r} 无法编译：{reason}": "{what} {source!r}: {reason}",
    "表达式 {source!r} 无法转换：{reason}": "cannot translate {source!r}: {reason}",
    "表达式无法使用：{reason}": "{reason}",
    "camunda:priority {value!r} 不是整数": "camunda:priority {value!r} is not a whole number",
    "camunda:{attr} 无效：{reason}": "camunda:{attr}: {reason}",
    "不支持条件表达式语言 {language!r}": "condition language {language!r} is not supported",
    "条件表达式为空": "empty condition expression",
    "定时器缺少 timeDate、timeDuration 或 timeCycle": "timer has no timeDate, timeDuration or timeCycle",
    "定时器 {kind} 无效：{reason}": "timer {kind}: {reason}",
    "camunda:collection 须为变量名，实为 {collection!r}": "camunda:collection must name a variable, got {collection!r}",
    "不支持脚本语言 {language!r}；请用 Python 编写": "script language {language!r} is not supported; write it in Python",
    "脚本任务没有脚本": "script task has no script",
    "脚本有误：{reason}": "script: {reason}",
    "以 Java 实现（{hook}）；将作为外部任务运行，通过 API 完成":
        "implemented in Java ({hook}); runs as an external task completed over the API",
    "外部任务（{hook}）；由外部程序通过 API 完成": "external task ({hook}); a worker completes it over the API",
    "{kind} 的 {language} 脚本无法在此运行；请将其逻辑移入 Python 脚本任务":
        "{kind} script in {language} cannot run here; move the logic into a Python script task",
    "以 Java 实现的 {kind} 将被忽略": "{kind} implemented in Java is ignored",
    "camunda:{mapping} 在 {tag} 上传递变量，无法在此运行；请改在 Python 脚本任务中设置":
        "camunda:{mapping} passes variables along with a {tag}, which cannot run here; set them in a Python script "
        "task instead",
    "逐个传递变量（{listed}）无法在此运行：被调用流程获得办件的全部变量，并交回自己的全部变量；"
    "请将这些映射改为 camunda:in variables=\"all\" 和 camunda:out variables=\"all\"":
        "variables passed one by one ({listed}) cannot run here: a called process gets all of the case's variables "
        "and hands all of its own back; replace these mappings with camunda:in variables=\"all\" and camunda:out "
        "variables=\"all\"",
    "camunda:calledElementBinding {binding!r} 不是 {bindings} 之一":
        "camunda:calledElementBinding {binding!r} is none of {bindings}",
    "camunda:calledElementBinding {binding!r} 无法实现：调用总是运行调用发生时已部署的 {called!r} 最新版本（办件沿用该版本），而不是{wanted}；请删除该绑定以调用最新版本":
        "camunda:calledElementBinding {binding!r} cannot be honoured: a call runs the latest version of {called!r} "
        "deployed when the call happens (and the case keeps it), never {wanted}; remove the binding to call the "
        "latest version",
    "camunda:{kind} {name!r} 是 {what}，无法在此运行；请在 Python 脚本任务中计算":
        "camunda:{kind} {name!r} is {what}, which cannot run here; compute it in a Python script task",
    "消息由 Java 代码发送（{hook}），无法在此运行；请改由集成方完成的发送任务发送，或为其设置消息内容表达式":
        "the message is sent by Java code ({hook}), which cannot run here; send it from a send task completed by an "
        "integrator, or give it a payload expression",
    "开始事件的 camunda:formKey {key!r} 是表达式，但办件开始前还没有任何变量；请写明表单名称":
        "camunda:formKey {key!r} of a start event is an expression, but no variables exist before the case starts; "
        "name the form",
    "业务规则任务未指定决策（camunda:decisionRef 或 spiffworkflow:calledDecisionId）":
        "business rule task names no decision (camunda:decisionRef or spiffworkflow:calledDecisionId)",
    "数据存储仅作说明，运行时忽略": "data store is documentation only and is ignored at run time",
    "不是 DMN 文档（根元素为 {root}）": "not a DMN document (root element is {root})",
    "DMN 文件中没有定义决策": "the DMN file defines no decision",
    "表单超过 {kib} KiB": "form is larger than {kib} KiB",
    "表单不是 UTF-8 文本": "form is not UTF-8 text",
    "JSON 格式错误：{reason}：第 {line} 行第 {column} 列": "malformed JSON: {reason}: line {line} column {column}",
    "不是 form-js 表单：应为含 'components' 列表的对象": "not a form-js form: expected an object with a 'components' list",
    "办事指南超过 {kib} KiB": "guide is larger than {kib} KiB",
    "办事指南不是 UTF-8 文本": "guide is not UTF-8 text",
    "JSON 格式错误：{reason}（第 {column} 列）": "malformed JSON: {reason} (column {column})",
    "办事指南须为 JSON 对象（见 bpmn/README.md 的 The guide 一节）": "a guide is a JSON object (see bpmn/README.md, \"The guide\")",
    "缺少必填字段 {field!r}": "required field {field!r} is missing",
    "流程 {process!r} 既不在本次部署中，也未曾部署": "process {process!r} is neither in this deployment nor deployed before",
    "成员流程 {process!r} 既不在本次部署中，也未曾部署": "member process {process!r} is neither in this deployment nor deployed before",
    "工作日日历 {calendar!r} 不存在（GET /api/calendar 可列出现有日历）":
        "working-day calendar {calendar!r} does not exist (GET /api/calendar lists them)",
    "事项 {code!r} 在本次部署中还有另一份办事指南（{other}）": "item {code!r} has another guide in this deployment ({other})",
    "文书模板须为 UTF-8 文本（{reason}）": "a document template must be UTF-8 text ({reason})",
    "文书模板无法编译：{reason}": "template does not compile: {reason}",
    "文书模板套用示例办件时出错：{reason}": "template fails on a sample case: {reason}",
    "文书模板须有 <title>（文书标题）": "a document template needs a <title> (the document's title)",
    "{label} 未指定候选组、候选用户、办理人或泳道：任何部门的窗口人员都能认领它并查看其办件；请指定办理该任务的组":
        "{label} has no candidate groups, candidate users, assignee or lane: it is offered to every clerk, whatever "
        "their department, who may claim it and read its case; name the group that works it",
    "候选组 {group!r} 不是任何用户或部门的组：在有用户属于该组之前，任何待办列表都不显示此任务（govflow user add NAME --group {group}）":
        "candidate group {group!r} is no user's group and no department's: no queue shows this task until a user has "
        "it (govflow user add NAME --group {group})",
    "{what} {name!r} 不是本系统的用户：添加该用户之前，任务将等待一个无人使用的用户名（govflow user add {name} --role clerk）":
        "{what} {name!r} is no user here: the task waits for a name nobody logs in as until that user is added "
        "(govflow user add {name} --role clerk)",
    "{label} 没有表单（camunda:formKey）：任务只接收其表单列出的内容（DOMAIN 规则 15）":
        "{label} has no form (camunda:formKey): a task takes only what its form lists (DOMAIN rule 15)",
    "{label} 指定的表单 {form!r} 是由客户端应用呈现的页面：govflow 无法检查其提交的内容（DOMAIN 规则 15）；请使用 form-js 表单":
        "{label} names form {form!r}, a page the client application renders: govflow cannot check what it submits "
        "(DOMAIN rule 15); use a form-js form",
    "{label} 指定的表单 {form!r} 不在所检查的文件中": "{label} names form {form!r}, which is not among the linted files",
    "{label} 没有到期时间（camunda:dueDate），也不在时限计时范围内：无从判断何时逾期":
        "{label} has no due date (camunda:dueDate) and lies outside the time-limit clock: nothing says when it is "
        "late",
    "未找到受理环节：应有一个用户任务，其后的排他网关通向 govflow.clock=start 元素（受理、不予受理、一次性告知补正）":
        "no acceptance step found: a user task followed by an exclusive gateway that leads to the govflow.clock=start "
        "element (受理, 不予受理, 一次性告知补正)",
    "受理环节 {step!r} 经网关 {gateway!r} 决定的结果为 {have}；SX21 要求三种结果，缺少：{missing}":
        "acceptance step {step!r} decides {have} through gateway {gateway!r}; SX21 requires three outcomes, missing: "
        "{missing}",
    "顺序流 {flow!r}（网关 {gateway!r}）的条件读取 {name!r}，但开始表单和此前用户任务的表单都不要求填写它，也没有脚本设置它":
        "the condition of flow {flow!r} (gateway {gateway!r}) reads {name!r}, which neither the start form nor a form "
        "of a user task before it asks for and no script sets",
    "govflow.promisedDays {promised} 超过 govflow.statutoryDays {statutory}":
        "govflow.promisedDays {promised} exceeds govflow.statutoryDays {statutory}",
    "{prop} {value} 与办事指南 {file} 的 {name} {guide_value} 不同；以办事指南为准":
        "{prop} {value} differs from {name} {guide_value} of the guide {file}; the guide's value applies",
    "办事指南 {file} 按日历 {theirs!r} 计时，而本流程图中的 workdays() 按 {mine!r} 计算（govflow.calendar）":
        "the guide {file} counts the clock in calendar {theirs!r} but workdays() in this diagram counts in {mine!r} "
        "(govflow.calendar)",
    "办事指南 {file} 规定了时限，但没有元素标记为 govflow.clock=start：该事项的办件不计时":
        "the guide {file} sets time limits but no element is marked govflow.clock=start: cases of this item get no "
        "clock",
    "调用的流程 {called!r} 不在所检查的文件中：除非此前已部署，govflow deploy 将拒绝此流程图":
        "calls process {called!r}, which is neither in this deployment nor deployed before: it is not among the "
        "linted files, so govflow deploy refuses this diagram unless it was deployed before",
    "流程 {process!r} 不在所检查的流程图中": "process {process!r} is not among the linted diagrams",
    "起点（sourceRef）": "sourceRef",
    "终点（targetRef）": "targetRef",
    "排他": "an exclusive",
    "包容": "an inclusive",
    "条件表达式": "condition",
    "多实例数量 loopCardinality": "loopCardinality",
    "多实例完成条件 completionCondition": "completionCondition",
    "定时器 timeDate": "timer timeDate",
    "定时器 timeDuration": "timer timeDuration",
    "定时器 timeCycle": "timer timeCycle",
    "消息内容表达式": "message payload",
    "候选用户": "candidate user",
    "与本流程图一同部署的版本": "the version deployed together with this diagram",
    "（无）": "nothing",
    ".bpmn、.bpmn20.xml、.bpmn2、.dmn、.form 文件、guide.json 及 .html 文书模板":
        ".bpmn, .bpmn20.xml, .bpmn2, .dmn, .form, guide.json or .html document template files",
    "{group}（{department}）": "{group} ({department})",
    "流程 {process!r} 已由 {file!r} 部署（版本 {version}{latest_name}）；本文件将接管它，成为其下一版本：若是新事项，请改用新的流程标识，否则请确认接管后重新部署":
        "process {process!r} was deployed from {file!r} (version {version}{named}); this file would take it over as its next version: give the process another id if it is a new item, or deploy again confirming the take-over",
    "流程 {process!r} 已由 {file!r} 部署（版本 {version}{latest_name}）；本文件成为其下一版本：若是新事项，请改用新的流程标识":
        "process {process!r} was deployed from {file!r} (version {version}{named}); this file makes its next version: give the process another id if it is a new item",
    "顺序流的{end} {ref!r} 不是{scope_tag} {scope!r} 中的元素":
        "sequence flow {end} {ref!r} is not an element of {scope_tag} {scope!r}",
    "{listener}（{event}）中的脚本（{language}）无法在此运行；请将其逻辑移入 Python 脚本任务":
        "{listener} ({event}) script in {language} cannot run here; move the logic into a Python script task",
    "以 Java 实现的{listener}（{event}）将被忽略":
        "{listener} ({event}) implemented in Java is ignored",
    "camunda:{mapping} 在{tag}上传递变量，无法在此运行；请改在 Python 脚本任务中设置":
        "camunda:{mapping} passes variables along with a {tag}, which cannot run here; set them in a Python script task instead",
    "camunda:{kind} {name!r} 是脚本（{language}），无法在此运行；请在 Python 脚本任务中计算":
        "camunda:{kind} {name!r} is a {language} script, which cannot run here; compute it in a Python script task",
    "camunda:{kind} {name!r} 是 camunda:{value}，无法在此运行；请在 Python 脚本任务中计算":
        "camunda:{kind} {name!r} is a camunda:{value}, which cannot run here; compute it in a Python script task",
    "{tag} {name!r} 未指定候选组、候选用户、办理人或泳道：任何部门的窗口人员都能认领它并查看其办件；请指定办理该任务的组":
        "{tag} {name!r} has no candidate groups, candidate users, assignee or lane: it is offered to every clerk, whatever their department, who may claim it and read its case; name the group that works it",
    "{tag} {name!r} 没有表单（camunda:formKey）：任务只接收其表单列出的内容（DOMAIN 规则 15）":
        "{tag} {name!r} has no form (camunda:formKey): a task takes only what its form lists (DOMAIN rule 15)",
    "{tag} {name!r} 指定的表单 {form!r} 是由客户端应用呈现的页面：govflow 无法检查其提交的内容（DOMAIN 规则 15）；请使用 form-js 表单":
        "{tag} {name!r} names form {form!r}, a page the client application renders: govflow cannot check what it submits (DOMAIN rule 15); use a form-js form",
    "{tag} {name!r} 指定的表单 {form!r} 不在所检查的文件中":
        "{tag} {name!r} names form {form!r}, which is not among the linted files",
    "{tag} {name!r} 没有到期时间（camunda:dueDate），也不在时限计时范围内：无从判断何时逾期":
        "{tag} {name!r} has no due date (camunda:dueDate) and lies outside the time-limit clock: nothing says when it is late",
    "不是 form-js 表单：type 为 {type!r}（应为 'default'）":
        "not a form-js form: type {type!r} (expected 'default')",
    "{where}：组件须为 JSON 对象":
        "{where}: a component must be an object",
    "{where}（{component}）：路径 {path!r} 不是以点分隔的名称":
        "{label}: path {path!r} is not a dotted name",
    "{where}（{component}）：其中的 components 须为列表":
        "{label}: components must be a list",
    "{where}：服务器尚不能检查 {kind!r} 组件；请改用支持的输入组件":
        "{label}: {kind} components cannot be checked on the server yet; use the supported inputs",
    "{where}：未知的组件类型 {kind!r}":
        "{label}: unknown component type {kind!r}",
    "{where}（{component}）：{attr}须为 true、false 或以 '=' 开头的 FEEL 表达式":
        "{label}: {attr} must be true/false or a FEEL expression starting with '='",
    "{where}（{component}）：{attr}无法在服务器上求值：{reason}":
        "{label}: {attr} condition cannot be evaluated on the server: {reason}",
    "{where}（{component}）：键 {key!r} 缺失，或不是以点分隔的名称（字母、数字、_）":
        "{label}: key {key!r} is missing or not a dotted name (letters, digits, _)",
    "{where}（{component}）：键 {key!r} 须以变量名开头（不能以数字或 _ 开头）":
        "{label}: key {key!r} must start with a variable name (not a digit or _)",
    "{where}（{component}）：键 {key!r} 与流程图调用的函数 {function!r} 同名：请另选一个":
        "{label}: key {key!r} is a function diagrams call ({function}): choose another",
    "{where}（{component}）：键 {key!r} 重复（另见 {other}）":
        "{label}: duplicate key {key!r} (also {other})",
    "{where}（{component}）：validate 须为 JSON 对象":
        "{label}: validate must be an object",
    "{where}（{component}）：键 {key!r} 位于键 {outer!r}（{other}）的值之内":
        "{label}: key {key!r} is inside the value of key {outer!r} ({other})",
    "{where}（{component}）：validate.pattern 须为字符串":
        "{label}: validate.pattern must be a string",
    "{where}（{component}）：正则表达式 {pattern!r} 无效：{reason}":
        "{label}: invalid regex pattern {pattern!r}: {reason}",
    "{where}（{component}）：未知的校验类型 {value!r}（可用 email、phone、idNumber、creditCode 或 custom）":
        "{label}: unknown validate.validationType {value!r} (email, phone, idNumber, creditCode or custom)",
    "{where}（{component}）：服务器无法计算 valuesExpression；请使用固定选项 values 或 valuesKey":
        "{label}: valuesExpression cannot be evaluated on the server; use static values or valuesKey",
    "{where}（{component}）：values 中的每一项都须有 value":
        "{label}: every entry of values needs a value",
    "{where}（{component}）：没有选项：请给出 values 或 valuesKey":
        "{label}: has no options: give values or valuesKey",
    "{where}（{component}）：未知的日期时间子类型 {subtype!r}（可用 date、time 或 datetime）":
        "{label}: unknown datetime subtype {subtype!r} (date, time or datetime)",
    "{where}（{component}）：未知的时间格式 timeSerializingFormat {value!r}":
        "{label}: unknown timeSerializingFormat {value!r}",
    "{where}（{component}）：{attr} 是表达式；服务器只检查固定的限值，请填写数字":
        "{label}: {attr} is an expression; the server checks fixed limits only, so write a number",
    "{where}（{component}）：{attr} 须为数字，实为 {value!r}":
        "{label}: {attr} must be a number, not {value!r}",
    "{where}（{component}）：{attr} 须为非负整数，实为 {value!r}":
        "{label}: {attr} must be a non-negative whole number, not {value!r}",
    "camunda:formData（{listed}）将被忽略：camunda:formKey {key!r} 已指定表单，以它为准（与 Camunda 相同）":
        "camunda:formData ({listed}) is ignored: camunda:formKey {key!r} names the form, and wins (as in Camunda)",
    "{start}上的 camunda:formData（{listed}）将被忽略：只有流程的普通开始事件才有开始表单（与 Camunda 相同）":
        "camunda:formData ({listed}) on {start} is ignored: only the process's plain start event has a start form (as in Camunda)",
    "camunda:formData 的 businessKey {key!r} 将被忽略：办件的业务键在办件开始时与变量一同给出":
        "camunda:formData businessKey={key!r} is ignored: a case's business key is given when it starts, beside its variables",
    "由 camunda:formData 生成的表单无效：{reason}":
        "the form generated from camunda:formData is invalid: {reason}",
    "camunda:formField 缺少 id":
        "camunda:formField has no id",
    "camunda:formField {field!r}：id 不是变量名（字母、数字和 _，不能以数字或 _ 开头）":
        "camunda:formField {field!r}: the id is not a variable name (letters, digits and _, not starting with a digit or _)",
    "camunda:formField {field!r}：第 {line} 行的字段也使用此 id":
        "camunda:formField {field!r}: the id is also that of the field at line {line}",
    "camunda:formField {field!r}：未指定类型（string、long、boolean、date 或 enum）":
        "camunda:formField {field!r}: no type given (string, long, boolean, date or enum)",
    "camunda:formField {field!r}：属性 {attribute!r} 不会带入表单":
        "camunda:formField {field!r}: attribute {attribute!r} is not carried into the form",
    "camunda:formField {field!r}：类型 {type!r} 不是 Camunda 表单类型；该字段将作为文本显示和检查":
        "camunda:formField {field!r}: type {type!r} is not a Camunda form type; the field is shown and checked as text",
    "camunda:formField {field!r}：枚举没有 camunda:value，无法选择任何值（与 Camunda 相同）；该字段不放入表单":
        "camunda:formField {field!r}: the enum has no camunda:value, so no value can be chosen (as in Camunda); it is left out of the form",
    "camunda:formField {field!r}：camunda:value 只适用于枚举字段，将被忽略":
        "camunda:formField {field!r}: camunda:value applies to enum fields only and is ignored",
    "camunda:formField {field!r}：camunda:{child} 不会带入表单":
        "camunda:formField {field!r}: camunda:{child} is not carried into the form",
    "camunda:formField {field!r}：有一个 camunda:value 缺少 id":
        "camunda:formField {field!r}: a camunda:value has no id",
    "camunda:formField {field!r}：camunda:value {value!r} 重复列出":
        "camunda:formField {field!r}: camunda:value {value!r} is listed twice",
    "camunda:formField {field!r}：有一个 camunda:constraint 缺少 name":
        "camunda:formField {field!r}: a camunda:constraint has no name",
    "camunda:formField {field!r}：camunda:constraint 'validator' {config!r} 在 Camunda 中运行 Java 代码或表达式，此处不做检查":
        "camunda:formField {field!r}: camunda:constraint validator {config!r} runs Java code or an expression in Camunda and is not checked here",
    "camunda:formField {field!r}：camunda:constraint {name!r} 不是 Camunda 的约束，不做检查":
        "camunda:formField {field!r}: camunda:constraint {name!r} is not a Camunda constraint and is not checked",
    "camunda:formField {field!r}：布尔字段上的 'required' 约束不会带入：复选框总是给出 true 或 false，必填的复选框则必须勾选":
        "camunda:formField {field!r}: required on a boolean is not carried: a checkbox always gives true or false, and a required one would have to be ticked",
    "camunda:formField {field!r}：defaultValue {value!r} 是表达式，表单无法计算；该字段初始为空":
        "camunda:formField {field!r}: defaultValue {value!r} is an expression, which a form cannot compute; the field starts empty",
    "camunda:formField {field!r}：只读字段的 defaultValue {value!r} 不会带入：该字段显示办件中的值":
        "camunda:formField {field!r}: defaultValue {value!r} of a readonly field is not carried: the field shows the case's value",
    "camunda:formField {field!r}：defaultValue {value!r} 不是整数":
        "camunda:formField {field!r}: defaultValue {value!r} is not a whole number",
    "camunda:formField {field!r}：defaultValue {value!r} 不是 true 或 false；Camunda 将其读作 false，本表单也是如此":
        "camunda:formField {field!r}: defaultValue {value!r} is not true or false; Camunda reads it as false, and so does this form",
    "camunda:formField {field!r}：defaultValue {value!r} 不是该枚举任一 camunda:value 的 id":
        "camunda:formField {field!r}: defaultValue {value!r} is not one of the enum's camunda:value ids",
    "camunda:formField {field!r}：defaultValue {value!r} 不是日期（Camunda 的写法 dd/MM/yyyy，或 yyyy-MM-dd）":
        "camunda:formField {field!r}: defaultValue {value!r} is not a date (dd/MM/yyyy, as Camunda writes it, or yyyy-MM-dd)",
    "字段 {field!r} 须为非空字符串":
        "{field} must be a non-empty string",
    "字段 {field!r} 最多 {longest} 个字符":
        "{field} may be at most {longest} characters",
    "字段 {field!r} 须为整数":
        "{field} must be a whole number",
    "字段 {field!r} 不得小于 {minimum}":
        "{field} must be at least {minimum}",
    "字段 {field!r} 须为 true 或 false":
        "{field} must be true or false",
    "字段 {field!r} 须为不小于 0 的数":
        "{field} must be a number of at least 0",
    "字段 {field!r} 须为列表":
        "{field} must be a list",
    "字段 {field!r} 须为 JSON 对象":
        "{field} must be an object",
    "字段 {field!r} 的值为 {value!r}；应为以下之一：{allowed}":
        "{field} is {value!r}; expected one of {allowed}",
    "字段 {field!r} 须至少列出一项":
        "{field} must list at least one entry",
    "字段 {field!r} 的值 {value!r} 重复列出":
        "{field} {value!r} is listed twice",
    "决策 {decision!r} 没有决策表（字面表达式等其他决策逻辑无法在此运行）":
        "decision {decision!r} has no decision table (literal expressions and other decision logic cannot run here)",
    "决策 {decision!r} 有多张决策表":
        "decision {decision!r} has several tables",
    "决策 {decision!r} 需要先求出决策 {needed}；不支持求值所依赖的决策（DRD）：请在各自的业务规则任务中分别调用":
        "decision {decision!r} requires decision {needed} first; evaluating required decisions (a DRD) is not supported: call each from its own business rule task",
    "决策 {decision!r} 中不支持表达式语言 {language!r}":
        "expression language {language!r} is not supported in decision {decision!r}",
    "决策 {decision!r} 的{what} {source!r} 既不能作为 FEEL 也不能作为 Python 运行：{reason}":
        "{what} {source!r} of decision {decision!r} can run neither as FEEL nor as Python: {reason}",
    "决策 {decision!r} 中不支持聚合方式 {aggregation}":
        "aggregation {aggregation} is not supported in decision {decision!r}",
    "决策输出 {bad} 和结果变量 {result!r} 须为变量名":
        "decision outputs {bad} and result variable {result!r} must be variable names",
    "不支持 camunda:mapDecisionResult {mapping!r}":
        "camunda:mapDecisionResult {mapping!r} is not supported",
    "camunda:mapDecisionResult {mapping} 要求决策只有一个输出；{decision!r} 有 {outputs} 个":
        "camunda:mapDecisionResult {mapping} needs a decision with one output; {decision!r} has {outputs}",
    "决策 {decision!r} 也在 {other} 中定义":
        "decision {decision!r} is also defined in {other}",
    "DMN 解析错误：{reason}":
        "DMN: {reason}",
    "{file} 中的决策 {decision!r} 无法运行，此任务因而也无法运行：见 {file} 的相应问题":
        "decision {decision!r} of {file} cannot run, so neither can this task: see the problem reported for it in {file}",
    "决策 {decision!r} 不在本次部署中（此处的决策：{available}）；请将其 DMN 文件与流程图一同部署":
        "decision {decision!r} is not in this deployment (decisions here: {available}); deploy its DMN file together with the diagram",
    "未找到开始事件":
        "No start event found.",
    "子流程须恰有一个开始事件，实有 {count} 个":
        "Exactly one start event is required in a SubWorkflow Task; found {count}.",
    "子流程须有结束事件":
        "A SubWorkflow Must contain an End event.",
    "不支持此类任务":
        "There is no support implemented for this task type.",
    "指向 {targets} 的数据输出关联未对应到本流程的数据对象":
        "data output association to {targets} does not resolve to a data object of this process",
    "来自 {sources} 的数据输入关联未对应到本流程的数据对象":
        "data input association from {sources} does not resolve to a data object of this process",
    "特设子流程（ad hoc）不能包含开始事件或结束事件":
        "Ad hoc subprocesses may not contain start or end events.",
    "条件事件缺少条件":
        "Conditional event definition with missing condition.",
    "多实例任务须指定数量（loopCardinality）或输入集合（loopDataInputRef）":
        "A multiinstance task must specify a cardinality or a loop input data reference.",
    "多实例任务须指定数量（loopCardinality）或集合（camunda:collection）":
        "A multiinstance task must specify a cardinality or a collection.",
    "多实例任务只能指定数量（loopCardinality）或输入集合（loopDataInputRef）之一":
        "A multiinstance task must specify exactly one of cardinality or loop input data reference.",
    "消息事件引用的消息 {ref} 未在本文件中定义（bpmn:message）":
        "message event names message {ref!r}, which this file does not define (bpmn:message)",
    "无法解析流程：{reason}":
        "cannot parse process: {reason}",
    "输入表达式":
        "input expression",
    "输入条目":
        "input entry",
    "输出条目":
        "output entry",
    "非负整数":
        "a non-negative whole number",
    "数字":
        "a number",
    "子流程":
        "subProcess",
    "自由子流程":
        "adHocSubProcess",
    "事务子流程":
        "transaction",
    "用户任务":
        "userTask",
    "人工任务":
        "manualTask",
    "服务任务":
        "serviceTask",
    "脚本任务":
        "scriptTask",
    "发送任务":
        "sendTask",
    "接收任务":
        "receiveTask",
    "业务规则任务":
        "businessRuleTask",
    "调用活动":
        "callActivity",
    "排他网关":
        "exclusiveGateway",
    "包容网关":
        "inclusiveGateway",
    "并行网关":
        "parallelGateway",
    "事件网关":
        "eventBasedGateway",
    "复杂网关":
        "complexGateway",
    "开始事件":
        "startEvent",
    "结束事件":
        "endEvent",
    "中间捕获事件":
        "intermediateCatchEvent",
    "中间抛出事件":
        "intermediateThrowEvent",
    "边界事件":
        "boundaryEvent",
    "顺序流":
        "sequenceFlow",
    "单行文本框":
        "textfield",
    "多行文本框":
        "textarea",
    "数字框":
        "number",
    "复选框":
        "checkbox",
    "复选列表":
        "checklist",
    "标签列表":
        "taglist",
    "单选按钮":
        "radio",
    "下拉选择框":
        "select",
    "日期时间":
        "datetime",
    "分组":
        "group",
    "文本":
        "text",
    "间隔":
        "spacer",
    "分隔线":
        "separator",
    "图片":
        "image",
    "按钮":
        "button",
    "内嵌页面":
        "iframe",
    "表格":
        "table",
    "文档预览":
        "documentPreview",
    "执行监听器":
        "executionListener",
    "任务监听器":
        "taskListener",
    "开始时":
        "start",
    "结束时":
        "end",
    "流转时":
        "take",
    "创建时":
        "create",
    "指派时":
        "assignment",
    "完成时":
        "complete",
    "删除时":
        "delete",
    "更新时":
        "update",
    "超时时":
        "timeout",
    "未指定事件":
        "no event",
    "未注明语言":
        "an unknown language",
    "隐藏条件":
        "hide",
    "只读条件":
        "readonly",
    "禁用条件":
        "disabled",
    "无字段":
        "no fields",
    "消息开始事件":
        "a message start event",
    "定时开始事件":
        "a timer start event",
    "信号开始事件":
        "a signal start event",
    "条件开始事件":
        "a conditional start event",
    "错误开始事件":
        "a error start event",
    "升级开始事件":
        "a escalation start event",
    "补偿开始事件":
        "a compensate start event",
    "子流程中的开始事件":
        "a start event inside a subprocess",
    "文本（string）字段":
        "text (string) fields",
    "整数（long）字段":
        "whole number (long) fields",
    "无":
        "none",
    "未知目标":
        "an unknown target",
    "，名称 {!r}":
        ", {}",
    "以 {suffix!r} 结尾的表单名称留给由 camunda:formData 生成的表单；请给文件改名":
        "form names ending in {suffix!r} are kept for the forms generated from camunda:formData; rename the file",
    "表单 {key!r} 既不在本次部署中，也未曾部署；{without_it}":
        "form {key!r} is neither in this deployment nor deployed before; {without_it}",
    "已部署的表单 {key!r} 无效；请与本流程图一同部署改正后的表单":
        "the deployed form {key!r} is invalid; deploy a corrected one with this diagram",
    "camunda:formField {field!r}：camunda:constraint {name!r} 的 config 须为{what}，实为 {config!r}":
        "camunda:formField {field!r}: camunda:constraint {name} needs {what} as its config, not {config!r}",
    "camunda:formField {field!r}：camunda:constraint {name!r} 只适用于{applies}，在 {type!r} 类型的字段上不做检查":
        "camunda:formField {field!r}: camunda:constraint {name} applies to {applies} and is not checked on a {type} field",
    "字段 {field!r} 须为含「code」和「name」的 JSON 对象":
        "{field} must be an object {{\"code\", \"name\"}}",
    "任务完成时将不做表单检查":
        "the task will be completed without form checks",
    "办件开始时将不做表单检查":
        "cases will start without form checks",
    "它与 govflow.bundleForms 的表单合并，部署之前任何办件都无法开始":
        "it is merged with the forms of govflow.bundleForms, and no case starts until it is deployed",
    "它是 govflow.bundleForms 中的表单，部署之前任何办件都无法开始":
        "it is one of govflow.bundleForms, and no case starts until it is deployed",
    # deploy and lint problems by code, continued (engine.problem_codes)
    "各开始事件指定了不同的 camunda:initiator 变量（{names}）：一个办件只有一个发起用户；请只指定一个变量":
        "start events name different camunda:initiator variables ({names}): a case has one starting user; name one variable",
    "各开始事件指定了不同的开始表单（{forms}）：一个办件只以一个表单开始；请只指定一个":
        "start events name different start forms ({forms}): a case starts with one form; name one",
    "流程标识 {pid!r} 不是合法的 XML 名称（字母、数字、“_”“-”“.”，且不以数字、“-”或“.”开头）：它是事项在地址中的键；请改名":
        "process id {pid!r} is not an XML name (letters, digits, '_', '-' and '.', not first a digit, '-' or '.'): "
        "it is the item's key in addresses; rename it",
    "流程标识长 {length} 个字符；流程标识至多 {longest} 个字符":
        "process id is {length} characters long; a process id has at most {longest}",
    "开始表单 {form!r} 是由客户端应用呈现的页面，无法与 govflow.bundleForms 的表单合并；请指定 form-js 表单":
        "start form {form!r} is a page the client application renders, which cannot be merged with the forms of govflow.bundleForms; name a form-js form",
    "spiffworkflow:{script} 脚本有误：{reason}":
        "spiffworkflow:{script}: {reason}",
    "camunda:in businessKey={key!r}：被调用流程在调用它的办件中运行，使用该办件的业务键；请删除它，或传入 #{{execution.processBusinessKey}}":
        "camunda:in businessKey={key!r}: a called process runs inside the calling case, under the case's business key; remove it or pass #{{execution.processBusinessKey}}",
    "camunda:{attr} {value!r} 将被忽略：camunda:calledElementBinding 为 {binding!r}":
        "camunda:{attr} {value!r} is ignored: camunda:calledElementBinding is {binding!r}",
    "camunda:initiator {name!r} 只在流程自身的开始事件上读取（与 Camunda 相同），此处将被忽略":
        "camunda:initiator {name!r} is read only on a start event of the process itself (as in Camunda) and is ignored here",
    "camunda:initiator {name!r} 不是变量名":
        "camunda:initiator {name!r} is not a variable name",
    "{start}上的 camunda:formKey {key!r} 将被忽略：只有流程的普通开始事件才有开始表单（与 Camunda 相同）":
        "camunda:formKey {key!r} on {start} is ignored: only the process's plain start event has a start form (as in Camunda)",
    "camunda:potentialStarter 未指定任何人（没有 formalExpression）":
        "camunda:potentialStarter names nobody (no formalExpression)",
    "{what} {expression!r} 是表达式，但办件开始前还没有任何变量；请写明{starters}":
        "{what} {expression!r} is an expression, but no variables exist before a case starts; name the {starters}",
    "{what}：{name!r} 不是有效的组名（{naming}）":
        "{what}: {name!r} is no group name ({naming})",
    "{what}：{name!r} 不是有效的用户名（{naming}）":
        "{what}: {name!r} is no user name ({naming})",
    "camunda:{kind} {name!r} 不是变量名":
        "camunda:{kind} {name!r} is not a variable name",
    "camunda:{kind} {name!r} 没有值，将被忽略":
        "camunda:{kind} {name!r} has no value and is ignored",
    "消息 {message!r} 没有名称：将按其标识发送和接收":
        "message {message!r} has no name: it is sent and received by its id",
    "camunda:resultVariable {result!r} 不是变量名":
        "camunda:resultVariable {result!r} is not a variable name",
    "服务操作 {topic!r} 将作为外部任务运行，通过 API 完成":
        "service operator {topic!r} runs as an external task completed over the API",
    "服务任务没有实现，将作为外部任务运行，通过 API 完成":
        "service task without an implementation runs as an external task completed over the API",
    "camunda:topic {topic!r}… 超过 {longest} 个字符":
        "camunda:topic {topic!r}… is longer than {longest} characters",
    "错误变量 {name!r} 不是变量名":
        "error variable {name!r} is not a variable name",
    "表单嵌套超过 {levels} 层":
        "form is nested deeper than {levels} levels",
    "办事指南嵌套超过 {levels} 层":
        "guide is nested deeper than {levels} levels",
    "JSON 格式错误：{token!r} 不是 JSON 数值":
        "malformed JSON: {token} is not a JSON number",
    "JSON 格式错误：{reason}":
        "malformed JSON: {reason}",
    "模板引用了 {name}，但它{absent}":
        "template uses {name}, which is {absent}",
    "文书模板名称 {name!r} 以空格开头或结尾，govflow.document 无法引用它":
        "document template name {name!r} begins or ends with a space, which govflow.document cannot name",
    "文书模板 {name!r} 也在 {other} 中：一次部署中每个名称只能有一个模板":
        "document template {name!r} is also in {other}: a deployment holds one template of each name",
    "文书模板 {name!r}（{name}.html）未部署：将不出具文书":
        "document template {name!r} ({name}.html) is not deployed: no document will be issued",
    "所检查的文件中没有 BPMN 流程图，而 govflow deploy 拒绝单独部署表单（本次部署不含 BPMN 流程图）：请将 {forms} 与使用它的流程图放在同一次 govflow deploy 中":
        "no BPMN diagram among the linted files, and govflow deploy refuses forms alone (the deployment contains no BPMN diagram); deploy {which}, in one govflow deploy",
    "govflow.bundleForms 指定的表单 {key!r} 不在所检查的文件中：缺少它，任何办件都无法开始":
        "govflow.bundleForms names form {key!r}, which is not among the linted files: no case starts without it",
    "{flag} 的值为 {value!r}：应为 true（{meaning}）或 false":
        "{flag} is {value!r}: true ({meaning}) or false",
    "{flag} 标记的环节不等待任何消息，因而不起作用：请标记在接收消息的中间捕获事件、消息边界事件或接收任务上（事件网关之后，标记在接收该消息的事件上）":
        "{flag} marks a step that waits for no message, where it does nothing: mark the intermediate catch event, message boundary event or receive task (after an event-based gateway, its event that takes the message)",
    "govflow.thrownBy 没有标记在附着于用户任务（或包含用户任务的元素）的错误边界事件上，因而不起作用：请将它放在附着于用户任务的错误边界事件上（该错误可结束此任务办理人员的工作），或附着于包含该任务的子流程或调用活动的错误边界事件上":
        "govflow.thrownBy marks no error boundary event on a user task or around one, where it does nothing: put it on the error boundary event attached to the user task whose clerks' work it may end, or to the sub-process or call activity holding it",
    "govflow.thrownBy 未指定任何组：请写明其办理人员可抛出此错误的组（以逗号分隔），或删除该属性":
        "govflow.thrownBy names no group: name the groups whose clerks may throw this error (comma-separated), or leave the property out",
    "govflow.confidential 列出的 {name!r} 不是整个变量：只有整个变量（顶层名称）才能设为保密":
        "govflow.confidential names {name!r}: only a whole variable (a top-level name) can be confidential",
    "此消息将办件的全部数据（包括保密变量 {names}）发送给接收它的流程：请为它设置不含这些变量的消息内容，或在接收方也用 govflow.confidential 列出它们":
        "this message sends the whole case data, confidential {names} included, to the process that receives it: give it a payload without them, or name them govflow.confidential there too",
    "govflow.caseStateOnStart 标记在 {tag} 上，其开始不被记录（开始即完成，或包含其他环节），因而不起作用：请标记在该状态开始时的用户任务、人工任务、外部任务、接收任务或中间捕获事件上，或改用 govflow.caseState（元素完成时达到）":
        "govflow.caseStateOnStart marks a {tag}, whose start is not recorded (it starts and completes at once, or holds other steps), where it does nothing: mark the user, manual or external task, receive task or intermediate catch event the state begins with, or use govflow.caseState, reached when the element completes",
    "govflow.caseStateOnStart 的值为 {state!r}，这是结束办件的状态，应在环节完成时达到：请改用 govflow.caseState":
        "govflow.caseStateOnStart is {state!r}, a state that ends the case, which a step reaches when it completes: use govflow.caseState",
    "字段 {field!r} 的流程 {process!r}（{name}）未被一件事的流程 {bundle!r} 调用：该流程中没有以它为 calledElement 的调用活动，该成员事项永远不会办理{unlisted}":
        "{field} {process!r} ({name}) is not called by the bundle's process {bundle!r}: no call activity there names it as calledElement, so the member never runs{hint}",
    "办事指南 {file} 将 {process!r}（{name}）列为 {field}，但本流程中没有以它为 calledElement 的调用活动，该成员事项永远不会办理{unlisted}":
        "the guide {file} lists {process!r} ({name}) as {field}, but no call activity of this process names it as calledElement, so the member never runs{hint}",
    "字段 {field!r} 的结论变量 {verdict!r}（{name}）：流程 {process!r} 从不设置它（其用户任务的表单字段、脚本和输出映射都不设置），该成员事项的决定文书将不显示结论":
        "{field} {verdict!r} ({name}): process {process!r} never sets it (no form field of its user tasks, script or output mapping does), so the member's decision documents show no verdict",
    "办事指南 {file} 将 {verdict!r} 指定为此成员事项（{name}，{field}）的结论，但本流程从不设置它（其用户任务的表单字段、脚本和输出映射都不设置），其决定文书将不显示结论":
        "the guide {file} names {verdict!r} as the verdict of this member ({name}, {field}), but this process never sets it (no form field of its user tasks, script or output mapping does), so its decision documents show no verdict",
    "事项编码 {code!r} 只能含字母、数字及 '-'、'_'、'.'":
        "code {code!r} may hold only letters, digits, '-', '_' and '.'",
    "事项编码 {code!r} 与事项文件夹名 {folder!r} 不一致":
        "code {code!r} is not the item folder's name {folder!r}",
    "promised_days {promised} 超过 statutory_days {statutory}（承诺时限不得长于法定时限）":
        "promised_days {promised} exceeds statutory_days {statutory} (承诺时限 may not be longer than 法定时限)",
    "即办件（case_type '1'）当场办结：promised_days 须为 0，而不是 {promised}":
        "a 即办件 (case_type '1') is decided on the spot: promised_days must be 0, not {promised}",
    "材料 {name!r} 是兜底表述（{vague}）：请逐项写明申请人须提交的材料（LY17、XA13）":
        "material {name!r} is a catch-all ({vague}): name each material the applicant must bring (LY17, XA13)",
    "材料 {name!r} 重复列出（另见 materials[{first}]）":
        "material {name!r} is listed twice (also materials[{first}])",
    "字段 {field!r} 的部门 {code!r} 既不是本事项的部门，也不是其协办部门":
        "{field} {code!r} is neither the department nor a co-department of the item",
    "字段 {field!r} 的流程 {process!r} 是一件事自身的流程":
        "{field} {process!r} is the bundle's own process",
    "字段 {field!r} 的流程 {process!r} 重复列出（另见 members[{first}]）":
        "{field} {process!r} is listed twice (also members[{first}])",
    "字段 {field!r} 的部门 {code!r} 既不是一件事的部门，也不是其协办部门":
        "{field} {code!r} is neither the department nor a co-department of the bundle",
    "字段 {field!r} 的值 {verdict!r} 不是变量名":
        "{field} {verdict!r} is not a variable name",
    "既不在本次部署中，也未曾部署":
        "neither in this deployment nor deployed before",
    "不在所检查的文件中":
        "not among the linted files",
    "组名":
        "groups",
    "组名和用户名":
        "groups and users",
    "须为一个词，1 到 100 个字符，不含空格、逗号、分号、控制字符或文字方向符":
        "one word of 1 to 100 characters, without spaces, commas, semicolons, control characters or text-direction marks",
    "须由 1 到 100 个拉丁字母、数字、汉字及 '.'、'@'、'_'、'-' 组成":
        "1 to 100 Latin letters, digits, Chinese characters, '.', '@', '_' and '-'",
    "办理该办件的人员可以记录此环节等待的消息":
        "a clerk of the case may record the message this step waits for",
    "办事指南所列材料齐全后才接收该消息":
        "the message is taken only once the guide's materials are all in",
    "（它还调用了 {}，但没有成员列出）":
        " (it calls {}, which no member lists)",
    "登记后不可撤销：{task}将按“{reason}”结束。确定登记？": "This cannot be undone: {task} ends as \"{reason}\". Record it?",
    "申请人带来纸质材料的，核验原件后选择“纸质原件已核验”。":
        "For a material the applicant brought on paper, check the original and choose “Paper original checked”.",
    "视情形提交的材料本次不适用的，选择“不适用”。":
        "For a material required only in some cases that this application needs not, choose “Not applicable”.",
    "可数据共享获取的材料，窗口获取后选择“已通过数据共享获取”。":
        "For one the window obtained through data sharing, choose “Obtained through data sharing”.",
    "回执列明每项材料的收件情况。": "The receipt lists how each material was received.",
    "暂存": "Save draft",
    "保存已填写的内容，暂不完成任务；转交后同事也能看到":
        "Keep what is filled in without completing the task; a colleague it is handed to sees it too",
    "已暂存，任务尚未完成。": "Saved; the task is not completed yet.",
    "已填写的内容已随任务转交，{assignee} 打开任务即可看到。":
        "What was filled in went with the task: {assignee} sees it on opening the task.",
    "未能转交：填写的内容未能暂存（{message}）。": "Not handed over: what was filled in could not be saved ({message}).",
    "暂存：{name}": "Saved without completing: {name}",
    "本浏览器中还有您暂存或转交时填写的内容，表单显示的是服务器保存的内容。该内容最后修改于":
        "This browser still holds what you filled in when you saved or handed the task over; the form shows what the server holds. Last changed",
    "共 {n} 轮会议，最近一轮在前。": "{n} meeting rounds, the latest first.",
    "第{n}轮": "Round {n}",
    "第1轮之前": "Before round 1",
    # the end of a case the applicant withdrew on the progress page; the case state of an answered complaint
    "撤件时间": "Withdrawn",
    "办结(已答复)": "Done (answered)",
    "办结（已答复）": "Done (answered)",
    "环节超时": "Step overdue",
    "当前环节后括号内为办理人；“环节超时”：该环节已过其办理期限。":
        "The current step names its holder in brackets; Step overdue: the step is past its own due date.",
    "该事项没有法定的延长期限，不能延长办理期限。": "This item has no statutory extension: its time limit cannot be extended.",
    "已决定，待送达": "Decided, awaiting delivery",
    # the admin pages: users (用户管理) and departments (部门管理)
    "用户管理": "Users",
    "部门管理": "Departments",
    "系统管理员": "Administrator",
    "流程分析员": "Process analyst",
    "监察人员": "Supervisor",
    "对接系统": "Integrated system",
    "管理用户、部门和系统设置，并拥有其他全部角色的权限":
        "Manages users, departments and settings, and has the rights of every other role",
    "部署流程定义、使用建模器": "Deploys process definitions and uses the modeler",
    "收件、认领和办理所在组的待办": "Receives applications, claims and works their groups' tasks",
    "电子监察、好差评统计、操作日志，可查看用户并指派待办":
        "Supervision board, rating statistics and audit log; sees users and assigns tasks",
    "外部系统通过 API 启动办件、办理外部任务、订阅回调":
        "Another system starting cases, working external tasks and subscribing to webhooks over the API",
    "请填写天数（1 至 {max} 的整数），或留空。": "Enter a number of days (a whole number from 1 to {max}), or leave it empty.",
    "以下组不属于任何部门，请核对拼写（或在部门管理中添加）：{groups}":
        "These groups belong to no department; check their spelling (or add them under Departments): {groups}",
    "已保存用户 {name} 的组和角色，其下次操作起生效。":
        "Groups and roles of {name} saved; they apply from the user's next request.",
    "已启用用户 {name}，其原有的令牌、密码和组重新有效。":
        "User {name} activated: their tokens, password and groups hold again.",
    "已停用用户 {name}：其令牌、密码和登录会话即刻失效。":
        "User {name} deactivated: their tokens, password and sessions are refused from now on.",
    "{n} 件该用户持有的待办已退回队列（原因记入办件历史）：{numbers}":
        "{n} tasks the user held went back to their queues (the reason is in each case's history): {numbers}",
    "{n} 件待办无其他人可认领，等待监察人员指派：{numbers}":
        "{n} tasks nobody else may claim wait for a supervisor to assign them: {numbers}",
    "该用户的 {n} 个回调订阅已停用。": "{n} webhook subscriptions of the user were disabled.",
    "等 {n} 件办件": " and more ({n} cases)",
    "两次输入的密码不一致。": "The two passwords differ.",
    "已设置用户 {name} 的登录密码；用原密码打开的会话已结束。":
        "Password of {name} set; sessions opened with the old one have ended.",
    "已吊销令牌 #{id}；用它打开的会话已结束。": "Token #{id} revoked; sessions opened with it have ended.",
    "令牌 #{id} 此前已吊销。": "Token #{id} was revoked before.",
    "已吊销 {n} 个令牌。": "{n} tokens revoked.",
    "该用户没有可吊销的令牌。": "The user has no live token to revoke.",
    "填写了组的名称，请同时填写组代码。": "A group name was given: give the group's code too.",
    "已新增部门 {code}（{name}）。": "Department {code} ({name}) added.",
    "已将部门 {code} 的名称改为 {name}。": "Department {code} renamed to {name}.",
    "请填写组代码。": "Enter the group's code.",
    "该组已属于本部门。": "The group belongs to this department already.",
    "已将组 {group} 加入部门 {code}。": "Group {group} added to department {code}.",
    "组 {group} 的名称未变。": "The name of group {group} is unchanged.",
    "已将组 {group} 的名称改为 {title}。": "Group {group} is now named {title}.",
    "已清除组 {group} 的名称，页面将显示组代码。": "Name of group {group} cleared: pages show its code.",
    "该部门在您打开本页后已被修改（可能是其他管理员），请核对下面的最新内容后重新提交。":
        "The department changed after this page was opened (another administrator, perhaps): check it as it is now, "
        "below, and send again.",
    "不属于任何部门": "Belongs to no department",
    "无部门": "No department",
    "组": "Groups",
    "尚未设置部门：请在下面填写组代码。": "No departments set up yet: type group codes below.",
    "其他组（不属于任何部门的组代码，以空格或逗号分隔）":
        "Other groups (codes of groups no department owns, separated by spaces or commas)",
    "角色": "Roles",
    "添加用户": "Add user",
    "用户名或姓名": "User name or name",
    "全部角色": "All roles",
    "在用": "Active",
    "已停用": "Deactivated",
    "共 {total} 人": "{total} users",
    "有效令牌": "Live tokens",
    "编辑": "Edit",
    "没有符合条件的用户。": "No user matches.",
    "返回用户列表": "Back to users",
    "未新增用户：请更正标出的内容。": "User not added: correct what is marked.",
    "登录和历史记录中使用，创建后不能修改：字母、数字、汉字及 . @ _ -，至多 100 个字符":
        "Used to log in and in every history; cannot change later: letters, digits, Chinese characters and . @ _ -, "
        "at most 100 characters",
    "选填，例如 王芳；回执的经办人等处显示": "Optional, e.g. 王芳; shown as the clerk on receipts and elsewhere",
    "API 令牌有效期（天）": "API token lifetime (days)",
    "选填；留空按系统默认（GOVFLOW_TOKEN_TTL_DAYS，未设置则长期有效）":
        "Optional; empty takes the default (GOVFLOW_TOKEN_TTL_DAYS; unset, tokens do not expire)",
    "新增后页面显示该用户的 API 令牌，只显示这一次。用户可凭令牌登录页面，也可在用户页面为其设置登录密码。":
        "Once added, the page shows the user's API token, this once only. The user may log in with the token, or "
        "you set a password on the user's page.",
    "新增": "Add",
    "用户 {name}": "User {name}",
    "已新增用户 {name}。其 API 令牌如下，只显示这一次：": "User {name} added. Their API token, shown this once only:",
    "已签发新的 API 令牌，只显示这一次：": "A new API token was issued, shown this once only:",
    "请立即复制，交给使用者或配置到对接系统。系统只保存令牌的摘要，离开或刷新本页后无法再次查看；遗失时请签发新令牌并吊销旧令牌。尚未设置密码的用户可凭令牌登录页面。":
        "Copy it now for its user or the system it is for. Only a digest of it is kept: once you leave or reload "
        "this page nobody can see it again; if it is lost, issue a new token and revoke the old one. A user "
        "without a password may log in with the token.",
    "创建时间": "Created",
    "登录密码": "Password",
    "已设置": "Set",
    "未设置": "Not set",
    "组和角色": "Groups and roles",
    "未保存：请更正标出的内容。": "Not saved: correct what is marked.",
    "保存后，该用户下次操作时即按新的组和角色办理；其持有但按新角色不能再办理的待办退回队列。":
        "The new groups and roles apply from the user's next request; tasks they hold and may no longer work "
        "with the new roles go back to their queues.",
    "保存": "Save",
    "停用与启用": "Deactivate or activate",
    "人员离职或调离时停用：其令牌、密码和已登录的会话即刻失效，持有的待办退回所在队列（原因记入办件历史），其回调订阅停用。可随时重新启用。":
        "Deactivate a user who left or moved: their tokens, password and open sessions are refused at once, the "
        "tasks they hold go back to their queues (the reason is in each case's history) and their webhooks are "
        "disabled. They may be activated again at any time.",
    "停用该用户": "Deactivate user",
    "该用户已停用。重新启用后，其原有的令牌、密码、组和角色恢复有效；已退回队列的待办不会自动回到其名下。":
        "The user is deactivated. Activated again, their tokens, password, groups and roles hold again; tasks "
        "given back to their queues do not come back to them.",
    "重新启用": "Activate again",
    "新密码": "New password",
    "至少 8 个字符；设置后，用原密码打开的会话结束": "At least 8 characters; sessions opened with the old one end",
    "再次输入": "Repeat it",
    "设置新密码": "Set password",
    "API 令牌": "API tokens",
    "编号": "No.",
    "用途": "Purpose",
    "签发时间": "Issued",
    "有效期至": "Expires",
    "首个令牌": "First token",
    "长期": "Never",
    "已吊销": "Revoked",
    "已过期": "Expired",
    "有效": "Live",
    "吊销": "Revoke",
    "该用户没有令牌。": "The user has no token.",
    "签发新令牌": "Issue a new token",
    "选填，例如 省平台对接": "Optional, e.g. provincial platform",
    "有效期（天）": "Lifetime (days)",
    "选填，1 至 {max}；留空按系统默认": "Optional, 1 to {max}; empty takes the default",
    "签发": "Issue",
    "吊销全部令牌后，对接系统和用令牌登录的会话即刻失效；该用户仍可用密码登录页面（人员离职请停用该用户）。":
        "Once every token is revoked, systems using them and sessions opened with them are refused at once; the "
        "user may still log in with a password (deactivate a user who left).",
    "吊销全部令牌": "Revoke every token",
    "共 {n} 个": "{n} in all",
    "部门拥有用户组（窗口、科室）；经办人员看到其组所属部门参与的办件。组的名称代替组代码显示在待办、办件等页面上。":
        "Departments own user groups (windows, sections); clerks see the cases their groups' departments take "
        "part in. Pages such as the queue and the case show a group's name in the stead of its code.",
    "上级：{name}": "Parent: {name}",
    "{n} 个组": "{n} groups",
    "组代码": "Group code",
    "组的名称": "Group name",
    "成员": "Members",
    "组 {group} 的名称": "Name of group {group}",
    "未命名，显示组代码": "No name: pages show the code",
    "保存名称": "Save name",
    "查看用户": "See users",
    "该部门还没有组。": "The department has no group yet.",
    "添加组": "Add a group",
    "组代码，例如 review": "Group code, e.g. review",
    "组的名称，例如 审查科": "Group name, e.g. 审查科",
    "如属其他部门，移入本部门": "Move it here if another department owns it",
    "添加": "Add",
    "部门名称": "Department name",
    "改名": "Rename",
    "还没有部门。": "No department yet.",
    "新增部门": "Add department",
    "部门代码": "Department code",
    "办事指南引用的代码，创建后不能修改，例如 SCJG": "The code guides name; cannot change later, e.g. SCJG",
    "例如 市市场监督管理局": "e.g. 市市场监督管理局",
    "上级部门": "Parent department",
    "首个组代码": "First group code",
    "选填，例如 review；更多的组在创建后添加": "Optional, e.g. review; add more groups once it is created",
    "选填，例如 审查科": "Optional, e.g. 审查科",
    "该组如属其他部门，移入新部门": "Move the group here if another department owns it",
    # online supplement (网上补正) on the public progress page, and the engine's refusals it shows
    "网上补正": "Online supplement",
    "已上传": "Uploaded",
    "未上传": "Not uploaded",
    "请逐项上传一次性告知通知书要求补正的材料，全部上传后提交补正。":
        "Upload a file for each material the one-time notice asks you to supplement, then submit the supplement.",
    "提交补正": "Submit the supplement",
    "提交后不能再上传补正材料。": "Once it is submitted, no more files can be uploaded for it.",
    "请于 {date} 前提交。": "Submit it by {date}.",
    "补正材料已提交，办件将重新进行受理审查。":
        "Your supplementary materials were submitted; the application goes back to acceptance review.",
    "尚未上传以下补正材料，请上传后再提交：{names}": "Not uploaded yet: {names}. Upload them, then submit.",
    "办件当前不在等待补正材料，不能网上补正":
        "The case is not waiting for supplementary materials now: nothing can be supplemented online.",
    "办件暂停办理中，暂不能网上补正": "The case is suspended: it cannot be supplemented online for now.",
    "本办件的补正材料请到受理窗口提交": "Bring the supplementary materials of this case to the service window.",
    "未获准：{names}": "Not granted: {names}",
    "未获准事项": "Items not granted",
    "申请人（网上）": "Applicant (online)",
    "不满意的方面（选择“不满意”或“非常不满意”时选填，可多选）":
        "What was unsatisfactory (optional with Dissatisfied or Very dissatisfied; choose any)",
    "窗口服务": "Service at the window",
    "办理时效": "Time taken",
    "办事流程": "Procedure",
    "“{name}”已上传 {n} 个文件，不能再上传；如需更正请到受理窗口办理":
        "{n} files were uploaded for {name} already: no more can be; to correct it, go to the service window",
    "govflow.excluded 的值为 {kind!r}，办事指南未列出这一特别程序（excluded_periods：{listed}）：办件将为一个未告知申请人的期间暂停计时；请在办事指南中列出，或去掉该标记":
        "govflow.excluded is {kind!r}, a special procedure the item's guide does not list (excluded_periods: {listed}): the clock would pause for a period the applicant is not told of; list it in the guide, or take the mark away",
    "用户 {name} 已新增（刷新页面不会再次新增）；其令牌只在新增时显示一次。":
        "User {name} was added (reloading does not add them again); their token was shown that once only.",
    "该令牌已签发（刷新页面不会再次签发），只在签发时显示一次；如已遗失，请签发新令牌并吊销原令牌。":
        "The token was issued (reloading does not issue another) and shown that once only; if it is lost, issue a new one and revoke it.",
    "用户名须为 1 至 100 个字母、数字、汉字或 . @ _ -，不含空格":
        "A user name is 1 to 100 letters, digits, Chinese characters or . @ _ -, without spaces",
    "姓名至多 200 个字符，单行，不含控制字符": "A name is at most 200 characters on one line, without control characters",
    "组代码须为字母、数字及 . _ -，以空格或逗号分隔": "Group codes are letters, digits and . _ -, separated by spaces or commas",
    "有效期须为 1 至 36500 天的整数，或留空": "A lifetime is a whole number of days from 1 to 36500, or empty",
    "用途至多 100 个字符": "A purpose is at most 100 characters",
    "密码至少 8 个字符": "A password has at least 8 characters",
    "部门代码须为 1 至 50 个字母、数字或 _ . -，例如 SCJG": "A department code is 1 to 50 letters, digits or _ . -, e.g. SCJG",
    "部门名称须为 1 至 200 个字符，单行，不含控制字符":
        "A department name is 1 to 200 characters on one line, without control characters",
    "组代码须为字母、数字及 . _ -，例如 review": "A group code is letters, digits and . _ -, e.g. review",
    "组的名称至多 100 个字符，单行，不含控制字符": "A group name is at most 100 characters on one line, without control characters",
    "此操作将使系统没有在用的管理员：请先给另一用户管理员角色。":
        "This would leave no active administrator: give another user the admin role first.",
    "该用户名已被使用，请换一个。": "That user name is taken: choose another.",
    "该部门代码已被使用，请换一个。": "That department code is taken: choose another.",
    "组 {group} 已属于部门 {department}：如需移入，请勾选“如属其他部门，移入本部门”。":
        "Group {group} belongs to department {department}: to move it here, tick Move it here if another department owns it.",
    "该用户名为系统保留（system、public），请换一个。": "That user name is reserved (system, public): choose another.",
    "每项材料至多上传 {n} 个文件。": "At most {n} files a material.",
    "已上传 {n} 个文件，不能再上传；如需更正请到受理窗口办理。":
        "{n} files uploaded: no more can be; to correct them, go to the service window.",
    "离开的组的待办中，该用户已认领或被指派的仍由其办理；如需交回，请其退回或由监察人员改派。":
        "Tasks of the groups left that the user claimed or was assigned stay theirs; to hand them back, they unclaim them or a supervisor reassigns them.",
    "确认停用 {name}": "Yes, deactivate {name}",
    "确认吊销其全部令牌": "Yes, revoke every token of theirs",
    "下载样表": "Download the sample",
    "下载样表：{title}": "Download the sample: {title}",
    "延期审批": "Extension approval",
    "待审批": "Awaiting approval",
    "不予批准": "Refuse",
    "申请延期": "Request an extension",
    "延期申请": "Extension request",
    "申请时间": "Requested",
    "延期理由": "Reason for the extension",
    "审批": "Decision",
    "审批意见": "Opinion",
    "批准": "Approve",
    "提交延期申请": "Submit the request",
    "申请延长工作日数": "Working days asked for",
    "不予批准须填写意见。": "A refusal needs an opinion.",
    "不予批准延期": "Extension refused",
    "没有待审批的延期申请。": "No extension request awaits approval.",
    "没有此类延期申请。": "No extension requests of this kind.",
    "申请延期 {n} 个工作日": "Extension of {n} working days requested",
    "不予批准延期 {n} 个工作日": "Extension of {n} working days refused",
    "{who} 申请延长 {n} 个工作日：{reason}": "{who} asks for {n} more working days: {reason}",
    "行政许可法第四十二条：不能在期限内作出决定的，经本行政机关负责人批准，可以延长。":
        "Administrative Licensing Law Art 42: where no decision can be made within the time limit, the head of the agency may approve an extension.",
    "行政许可法第四十二条：不能在期限内作出决定的，经本行政机关负责人批准，可以延长，并将延长期限的理由告知申请人。":
        "Administrative Licensing Law Art 42: where no decision can be made within the time limit, the head of the agency may approve an extension, and the applicant is told why.",
    "已申请延期 {n} 个工作日，待机关负责人审批。": "An extension of {n} working days was requested; it awaits the agency head's approval.",
    "已不予批准延期申请。": "The extension request was refused.",
    "该办件已有待审批的延期申请，请等待机关负责人审批。":
        "The case has an extension request awaiting approval: wait for the agency head's decision.",
    "该延期申请已审批。": "The extension request was decided already.",
    "不予批准须填写意见（不超过 2000 字）。": "A refusal needs an opinion (at most 2000 characters).",
    "申请经办人": "Requested by",
    "受托受理未收件：委托（编号 {id}）{state}，本窗口不能代为受理此事项。": "Not received on behalf: entrustment {id} {state}; this window may not accept the item on its behalf.",
    "尚未生效": "not yet valid",
    "已撤销": "revoked",
    "受{principal}委托": "entrusted by {principal}",
    "请按 年-月-日 填写日期。": "Enter the date as year-month-day.",
    "已新增委托受理（编号 {id}）：{agent}受{principal}委托。": "Entrustment {id} added: {agent} accepts on behalf of {principal}.",
    "未撤销委托（编号 {id}）：{message}": "Entrustment {id} not revoked: {message}",
    "已撤销委托（编号 {id}）。": "Entrustment {id} revoked.",
    "委托受理管理": "Entrusted acceptance",
    "新增委托": "Add entrustment",
    "委托受理": "Entrusted acceptance",
    "受托机构（如乡镇便民服务中心）的窗口代为受理委托机关的事项：受理环节由受托窗口办理，其后按流程由委托机关审查决定。撤销的委托保留备查。": "The agent's window (a township service centre, say) accepts the principal's items on its behalf: the acceptance step goes to that window, the review and decision after it to the principal as the process says. Revoked entrustments are kept.",
    "委托机关": "Principal",
    "受托受理机构": "Accepting agent",
    "委托事项": "Items entrusted",
    "委托依据": "Basis",
    "有效期": "Valid",
    "{who} 撤销：{reason}": "revoked by {who}: {reason}",
    "撤销理由": "Reason for revoking",
    "尚无委托受理。": "No entrustments yet.",
    "委托机关（事项实施部门）": "Principal (the items' implementing department)",
    "委托事项（事项编码或流程标识，以空格或逗号分隔；留空为委托机关的全部事项）": "Items (item codes or process keys, separated by spaces or commas; empty: all of the principal's items)",
    "委托依据（委托书或文号）": "Basis (letter of entrustment or document number)",
    "生效日期": "Valid from",
    "截止日期（留空为长期有效）": "Valid until (empty: until revoked)",
    "受理机构": "Accepted by",
    "{agent}受{principal}委托代为受理": "{agent} accepted it on behalf of {principal}",
    "委托编号 {id}：{basis}": "entrustment {id}: {basis}",
    "新增委托受理": "Add entrustment",
    "撤销委托受理": "Revoke entrustment",
    "{field} 须为事项 samples 文件夹中的文件，写作 samples/<文件名>，而不是 {file!r}":
        "{field} must name a file of the item's samples folder, as samples/<name>, not {file!r}",
    "{field}：{file!r} 不是样表可用的格式（{formats}）":
        "{field}: {file!r} is not one of the sample formats ({formats})",
    "材料 {material!r} 的样表文件 {file!r} 既不在本次部署中（{stored}），也未曾部署":
        "material {material!r} names sample file {file!r}, which is neither in this deployment ({stored}) nor deployed before",
    "材料 {material!r} 的样表文件 {file!r} 不在所检查的文件中（{stored}）；部署时可使用此前已部署的文件":
        "material {material!r} names sample file {file!r}, which is not among the linted files ({stored}); deploy takes one deployed before",
    "样表文件最大 {kib} KiB，此文件为 {size} KiB":
        "a sample file is at most {kib} KiB; this one is {size} KiB",
    "样表文件为空":
        "the sample file is empty",
    "不是 PDF 文件（须以 %PDF- 开头、以 %%EOF 结尾）":
        "not a PDF file (it must begin with %PDF- and end with %%EOF)",
    "不是 {format} 文件（不是 Office Open XML 文件包）":
        "not a {format} file (it is no Office Open XML package)",
    "不接受超过 {parts} 个部件的 {format} 文件":
        "a {format} file of more than {parts} parts is not accepted",
    "不是 {format} 文件（文件包中没有 {part}）":
        "not a {format} file (no {part} in the package)",
    "该 {format} 文件含有宏，请去掉宏后保存":
        "the {format} file holds macros; save it without them",
    "样表 HTML 文件须为 UTF-8 文本（{reason}）":
        "a sample HTML file must be UTF-8 text ({reason})",
    "样表 HTML 格式有误：PDF 不排版 <{element}>（可用 {allowed}）":
        "malformed sample HTML: <{element}> is not laid out in the PDF (use {allowed})",
    "样表 HTML 格式有误：<{element}/> 不是空元素，请写作 <{element}></{element}>":
        "malformed sample HTML: <{element}/> is not an empty element: write <{element}></{element}>",
    "样表 HTML 格式有误：</{element}> 关闭的是第 {opened} 行打开的 <{open}>":
        "malformed sample HTML: </{element}> closes <{open}> opened at line {opened}",
    "样表 HTML 格式有误：</{element}> 没有对应的开始标签":
        "malformed sample HTML: </{element}> closes no open element",
    "样表 HTML 格式有误：<{element}> 没有关闭":
        "malformed sample HTML: <{element}> is never closed",
    "样表 HTML 文件须有 <title>（PDF 的标题）":
        "a sample HTML file needs a <title> (the title of its PDF)",
    "样表 HTML 文件没有可排版的文字":
        "the sample HTML file has no text to lay out",
    "样表无法生成 PDF：{reason}":
        "the sample does not render to PDF: {reason}",
    "机关负责人": "Agency head",
    "审批本部门牵头办件的延期申请，或径行批准延期（行政许可法第四十二条）":
        "decides extension requests of the cases their department leads, or extends on their own (Licensing Law Art 42)",
    "流程用到的变量“{name}”没有值（表单未填写该项，或流程未设置）。":
        "The process uses the variable \"{name}\", which has no value (the form did not fill it in, or the process "
        "did not set it). ",
    "操作未生效：流程在“{step}”处出错，办件保持原状。": "Not done: the process failed at \"{step}\"; the case is as it was. ",
    "操作未生效：流程运行出错，办件保持原状。": "Not done: the process failed; the case is as it was. ",
    "请联系流程分析员修正流程。（技术信息：{message}）":
        "Ask the process analyst to mend the process. (Technical details: {message})",
    "{what} {value!r} 按自然日计算（含周末和节假日）；办理时限按工作日计算（行政许可法第八十二条），如需按工作日请写「${{workdays({days})}}」":
        "{what} {value!r} counts calendar days, weekends and holidays included; time limits count working days "
        "(Art 82 of the Licensing Law): for them write ${{workdays({days})}}",
    "批准延长的工作日数须为整数，至少 1 个，至多为申请的天数。":
        "The working days granted are a whole number, at least 1 and at most those requested.",
    "该办件有待审批的延期申请：请批准（可少于申请的天数）或不予批准该申请，而不是另行延长。":
        "An extension request of this case is awaiting approval: approve it (with fewer days, if need be) or "
        "refuse it instead of extending on your own.",
    "该延期申请已失效：{why}，计时已停止，无需审批。":
        "The extension request has lapsed: {why}, so the clock has stopped and there is nothing to decide.",
    "{why}，计时已停止。": "{why}: its clock has stopped.",
    "办件已作出决定": "The case has been decided",
    "申请人已撤回申请（撤件）": "The applicant withdrew the application",
    "办件已终止办理": "The office terminated the case",
    "办件已办结": "The case has ended",
    "已失效": "Lapsed",
    "未予批准": "Refused",
    "{why}，计时已停止，申请随之失效": "{why}: the clock stopped and the request lapsed",
    "批准 {n} 个工作日": "{n} working days granted",
    "已超过办结期限，只能不予批准": "Past the deadline: it can only be refused",
    "已超过办结期限（{date}），不能再延长：只能不予批准。":
        "Past the deadline ({date}): no extension is possible any more, the request can only be refused.",
    "批准延长工作日数": "Working days granted",
    "未生效":
        "not yet valid",
    "本窗口未受委托受理此事项：请引导申请人到实施部门的窗口办理，或请管理员在委托受理管理中增加该事项。":
        "This window is not entrusted with this item: send the applicant to the implementing department's window, or ask an administrator to add the item to an entrustment.",
    "委托{state}，不可收件":
        "Entrustment {state}: not received here",
    "委托机关与受托受理机构不能是同一部门。":
        "The principal and the agent cannot be the same department.",
    "截止日期不能早于生效日期。":
        "The end date cannot be before the start date.",
    "该部门尚未设立，请先在部门管理中新增。":
        "This department is not set up: add it under Departments first.",
    "委托事项至多 200 项，每项至多 255 个字符。":
        "At most 200 items, each at most 255 characters.",
    "{item} 不是委托机关的事项（其最新办事指南未写明由委托机关实施）。":
        "{item} is not the principal's item (its latest guide does not name the principal as its department).",
    "请填写委托依据（至多 500 个字符，单行）。":
        "Fill in the basis (at most 500 characters, one line).",
    "请填写撤销理由（至多 2000 个字符）。":
        "Fill in the reason for revoking (at most 2000 characters).",
    "请检查此项。":
        "Check this field.",
    "委托未保存，请检查填写的内容。":
        "The entrustment was not saved: check what was filled in.",
    "该委托已撤销。":
        "it was revoked already.",
    "委托不存在。":
        "no such entrustment.",
    "已撤销委托（编号 {id}）。{n} 个待受理的办件已退回{principal}的窗口受理，{agent}不能再受理。":
        "Entrustment {id} revoked. {n} case(s) waiting for acceptance went back to the window of {principal}; {agent} can no longer accept them.",
    "撤销委托（编号 {id}）？理由：{reason}。撤销后{agent}不能再代为受理；尚在受理环节的办件即退回{principal}的窗口受理。":
        "Revoke entrustment {id}? Reason: {reason}. {agent} will no longer accept on its behalf; cases still waiting for acceptance go back to the window of {principal}.",
    "受托机构（如乡镇便民服务中心）的窗口代为受理委托机关的事项：受理、发证送达等窗口环节由受托窗口办理，审查决定按流程由委托机关办理。撤销的委托保留备查；撤销时尚在受理环节的办件退回委托机关的窗口受理。":
        "The agent's window (a township service centre, say) accepts the principal's items on its behalf: the window's steps (acceptance, delivering the result) go to that window, the review and decision to the principal as the process says. Revoked entrustments are kept; cases still waiting for acceptance when one is revoked go back to the principal's window.",
    "委托（编号 {id}）已撤销，受理环节退回实施部门": "Entrustment {id} revoked: the acceptance step went back to the implementing department",
    "延期申请（{n} 个工作日）已失效：计时已停止": "Extension request ({n} working days) lapsed: the clock stopped",
    "延期申请已失效：计时已停止": "Extension request lapsed: the clock stopped",
    "与上一版本比较": "Compare with the previous version",
    "版本比较": "Version comparison",
    "返回版本 {version}": "Back to version {version}",
    "从版本": "From version",
    "到版本": "To version",
    "比较": "Compare",
    "版本 {before} → 版本 {after}：新增 {added} 个元素，删除 {removed} 个，修改 {changed} 个。": "Version {before} → version {after}: {added} element(s) added, {removed} removed, {changed} changed.",
    "流程图布局也有调整（仅图形位置，不影响办理）。": "The diagram's layout changed too (only where shapes are drawn: nothing a case does).",
    "流程图布局未变。": "The diagram's layout is unchanged.",
    "所选两个版本相同。": "The two versions chosen are the same.",
    "两个版本的流程元素没有差异。": "The two versions' process elements do not differ.",
    "请选择要比较的两个版本。": "Choose the two versions to compare.",
    "请选择一个版本（从 1 起的整数）。": "Choose a version (a whole number from 1).",
    "新增元素": "Added elements",
    "删除元素": "Removed elements",
    "修改元素": "Changed elements",
    "属性": "Attribute",
    "修改前": "Before",
    "修改后": "After",
    "原值": "Value",
    "值": "Value",
    "扩展属性 {name}": "Extension property {name}",
    "泳道": "Lane",
    "候选人员": "Candidate users",
    "优先级": "Priority",
    "表单": "Form",
    "起点": "Source",
    "终点": "Target",
    "条件": "Condition",
    "默认流": "Default flow",
    "定时器": "Timer",
    "事件定义": "Event definition",
    "附着于": "Attached to",
    "中断所附环节": "Interrupts the step it is attached to",
    "调用的流程": "Called process",
    "实现方式": "Implementation",
    "决策": "Decision",
    "脚本": "Script",
    "前置脚本": "Pre-script",
    "后置脚本": "Post-script",
    "多实例": "Multi-instance",
    "说明": "Documentation",
    "其他定义（输入输出映射、监听器等）": "Other definitions (input/output mappings, listeners ...)",
    "没有版本 {version}：最新为版本 {latest}。": "There is no version {version}: the latest is version {latest}.",
    "该流程目前只有版本 1，部署新版本后即可比较。": "This process has only version 1 so far: deploy a new version to compare.",
    "批准延长的工作日数须为 1 至 {n} 的整数（申请为 {n} 个工作日）。": "The working days approved are a whole number from 1 to {n} (the request asks for {n}).",
    "{name}（{id}）": "{name} ({id})",
    "{names}［{codes}］": "{names} [{codes}]",
    "“{material}”不是本事项办事指南所列的材料，不能要求申请人补正；请逐行填写办事指南所列的材料名称（材料名称：补正原因）": "“{material}” is not a material the item's guide lists and cannot be asked for: write one material of the guide per line, by its name in the guide (name: reason)",
    "“{material}”是兜底表述（{vague}），不能列入补正：请逐项写明办事指南所列的材料": "“{material}” is a catch-all ({vague}) and cannot be asked for: name each material as the guide lists it",
    "办理流程": "Process steps",
    "待送达结果": "Results to deliver",
    "已作出决定、结果尚未送达申请人的许可事项办件：准予许可的，应自作出决定之日起十个工作日内颁发、送达行政许可证件（行政许可法第四十四条）；不予许可的决定书按同一期限监察。以流程中的结果送达环节完成为准。": "Licence cases decided whose result has not reached the applicant yet: a licence granted is to be issued and delivered within 10 working days of the decision (Administrative Licensing Law Art 44); a denial's written decision is held to the same days. Delivered means the diagram's delivery step completed.",
    "决定时间": "Decided",
    "送达期限": "Deliver by",
    "没有待送达的结果。": "No results waiting to be delivered.",
    "决定之后还有办理环节，但没有标记结果送达的环节（govflow.event=delivered）：无法监察许可事项作出决定后十个工作日内送达结果（行政许可法第四十四条）":
        "steps follow the decision but none marks the result's delivery (govflow.event=delivered): the 10 working days a licence item has to deliver its result after the decision (行政许可法 Art 44) cannot be supervised",
    "许可事项的受理环节 {step!r} 没有启动计时的定时器：五日内未一次性告知补正的，自收到申请材料之日起即为受理（行政许可法第三十二条），例如附加边界定时器 ${{workdays(5)}}，通向标记 govflow.clock=start 的元素":
        "acceptance step {step!r} of a licence item has no timer on it that starts the clock: an application not told within 5 days what to supplement counts as accepted (行政许可法 Art 32), e.g. a boundary timer ${{workdays(5)}} leading to an element marked govflow.clock=start",
    "已评判：超期原因不成立，办件列入无正当理由超期通报。": "Judged: the overdue reason does not hold; the case is on the report of cases overdue without a justified reason.",
    "已评判：超期原因成立。": "Judged: the overdue reason holds.",
    "无正当理由超期通报": "Overdue without a justified reason",
    "更改评判": "Change the verdict",
    "没有无正当理由超期的办件。": "No case is overdue without a justified reason.",
    "理由不成立": "Not justified",
    "理由成立": "Justified",
    "监察评判": "Supervisor's verdict",
    "记录评判": "Record the verdict",
    "评判": "Judged",
    "评判为理由不成立须填写意见（不超过 2000 字）。": "A reason judged not justified needs an opinion (at most 2000 characters).",
    "评判意见": "Opinion",
    "评判意见（理由不成立时必填）": "Opinion (required when not justified)",
    "评判超期原因": "Judge the overdue reason",
    "评判超期原因：理由不成立": "Overdue reason judged: not justified",
    "评判超期原因：理由成立": "Overdue reason judged: justified",
    "该办件尚未说明超期原因，无可评判。": "The case has no overdue reason recorded yet: there is nothing to judge.",
    "请选择超期原因是否成立。": "Choose whether the overdue reason holds.",
    "超期办件的超期原因经电子监察评判为不成立的，列入通报；承办部门此后重新说明的原因另行评判，已作出的通报仍保留。最近评判在前。": "Overdue cases whose reason supervision judged not justified are reported here; a reason the department records afterwards is judged on its own, and the report made stays. Latest verdict first.",
    "已重新说明原因": "Explained again since",
    "超期原因不成立的办件列入无正当理由超期通报（电子监察）。": "A case whose reason does not hold goes on the report of cases overdue without a justified reason (supervision).",
    "已送达 {at}": "delivered {at}",
    "超期送达": "Delivered late",
    "超期未送达": "Not delivered, overdue",
    "送达逾期": "Delivery overdue",
    "送达逾期：结果应于 {date} 前送达": "Delivery overdue: the result was due by {date}",
    "已于 {date} 送达": "delivered on {date}",
}
