"""Deploy and lint problems in the page language. A problem raised by code (engine.problem_codes) reads
in Chinese from its code and parameters; English pages, and a problem without a code, show the engine
message as the API and the CLI give it. Quoted names, expressions and the reasons of a parser or compiler
stay as the engine has them."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.definitions import ACCEPTED

from .i18n import current_language
from .i18n import gettext as _

# By code, with the parameters of the English sentence (engine.problem_codes.ENGLISH).
ZH: dict[str, str] = {
    "xml.too_large": "文件超过 {kib} KiB",
    "xml.doctype": "不允许 DOCTYPE 声明（其中的实体可能读取文件或无限展开）",
    "xml.malformed": "XML 格式错误：{reason}",
    "xml.unknown_encoding": "XML 声明中的编码 {encoding!r} 无法识别；请将文件另存为 UTF-8",
    "xml.undecodable": "文件不是 XML 声明所称的有效 {encoding} 编码（字节 0x{byte} 无法读取）；请将文件另存为 UTF-8",
    "xml.transcoded": "文件以 {encoding} 编码保存：已转为 UTF-8 存储，XML 声明已相应修改",
    "xml.duplicate_id": "标识重复（BPMN 要求标识唯一）：第 {first} 行也使用了此标识",
    "file.unsupported": "不支持的文件类型（可部署 {accepted}）",
    "file.not_lintable": "不是流程图、表单、guide.json 或文书模板",
    "file.name_clash": "本次部署的另一文件（{other}）也以 {stored!r} 存储：每个文件须有各自的名称",
    "bpmn.not_bpmn": "不是 BPMN 2.0 文档（根元素为 {root}）",
    "bpmn.no_executable": "没有可执行的流程（所有流程的 isExecutable 均为 false）",
    "bpmn.no_process": "文件中没有定义流程",
    "bpmn.no_diagram": "本次部署不含 BPMN 流程图",
    "bpmn.forms_alone": "本次部署不含 BPMN 流程图，表单不能单独部署：请将 {forms} 与使用它的流程图放在同一次部署中",
    "process.duplicate": "流程标识 {process!r} 也在 {other} 中定义",
    "process.takeover": "流程 {process!r} 已由 {file!r} 部署（版本 {version}{named}）；本文件将接管它，成为其下一版本：若是新事项，请改用新的流程标识，否则请确认接管后重新部署",
    "process.taken_over": "流程 {process!r} 已由 {file!r} 部署（版本 {version}{named}）；本文件成为其下一版本：若是新事项，请改用新的流程标识",
    "flow.no_end": "顺序流缺少{end}",
    "flow.unknown_end": "顺序流的{end} {ref!r} 不是 {scope_tag} {scope!r} 中的元素",
    "flow.no_condition": "顺序流 {flow} 从{kind}网关 {gateway!r} 流出，但没有条件，也不是该网关的默认流；请添加条件或将其设为默认流",
    "flow.implicit_split": "不支持有多条流出顺序流的任务（隐式分支）；请添加网关",
    "call.no_called": "调用活动未指定 calledElement",
    "call.unknown": "调用的流程 {called!r} 既不在本次部署中，也未曾部署",
    "expression.invalid": "{what} {source!r} 无法编译：{reason}",
    "expression.untranslatable": "表达式 {source!r} 无法转换：{reason}",
    "expression.refused": "表达式无法使用：{reason}",
    "condition.language": "不支持条件表达式语言 {language!r}",
    "condition.empty": "条件表达式为空",
    "timer_def.none": "定时器缺少 timeDate、timeDuration 或 timeCycle",
    "timer_def.invalid": "定时器 {kind} 无效：{reason}",
    "loop.collection": "camunda:collection 须为变量名，实为 {collection!r}",
    "script.language": "不支持脚本语言 {language!r}；请用 Python 编写",
    "script.empty": "脚本任务没有脚本",
    "script.invalid": "脚本有误：{reason}",
    "camunda.java": "以 Java 实现（{hook}）；将作为外部任务运行，通过 API 完成",
    "camunda.external": "外部任务（{hook}）；由外部程序通过 API 完成",
    "camunda.listener_script": "{kind} 的 {language} 脚本无法在此运行；请将其逻辑移入 Python 脚本任务",
    "camunda.listener_java": "以 Java 实现的 {kind} 将被忽略",
    "camunda.call_mapping": "camunda:{mapping} 在 {tag} 上传递变量，无法在此运行；请改在 Python 脚本任务中设置",
    "camunda.call_variables": "逐个传递变量（{listed}）无法在此运行：被调用流程获得办件的全部变量，并交回自己的全部变量；请将这些映射改为 camunda:in variables=\u0022all\u0022 和 camunda:out variables=\u0022all\u0022",  # \u0022: a quote the i18n check can read past
    "camunda.binding_unknown": "camunda:calledElementBinding {binding!r} 不是 {bindings} 之一",
    "camunda.binding_version": "camunda:calledElementBinding {binding!r} 无法实现：调用总是运行调用发生时已部署的 {called!r} 最新版本（办件沿用该版本），而不是{wanted}；请删除该绑定以调用最新版本",
    "camunda.io_script": "camunda:{kind} {name!r} 是 {what}，无法在此运行；请在 Python 脚本任务中计算",
    "camunda.message_java": "消息由 Java 代码发送（{hook}），无法在此运行；请改由集成方完成的发送任务发送，或为其设置消息内容表达式",
    "camunda.start_form_expression": "开始事件的 camunda:formKey {key!r} 是表达式，但办件开始前还没有任何变量；请写明表单名称",
    "camunda.no_decision": "业务规则任务未指定决策（camunda:decisionRef 或 spiffworkflow:calledDecisionId）",
    "camunda.data_store": "数据存储仅作说明，运行时忽略",
    "dmn.not_dmn": "不是 DMN 文档（根元素为 {root}）",
    "dmn.no_decision": "DMN 文件中没有定义决策",
    "form.too_large": "表单超过 {kib} KiB",
    "form.not_utf8": "表单不是 UTF-8 文本",
    "form.malformed": "JSON 格式错误：{reason}：第 {line} 行第 {column} 列",
    "form.not_form_js": "不是 form-js 表单：应为含 'components' 列表的对象",
    "guide.too_large": "办事指南超过 {kib} KiB",
    "guide.not_utf8": "办事指南不是 UTF-8 文本",
    "guide.malformed": "JSON 格式错误：{reason}（第 {column} 列）",
    "guide.not_object": "办事指南须为 JSON 对象（见 bpmn/README.md 的 The guide 一节）",
    "guide.missing": "缺少必填字段 {field!r}",
    "guide.unknown_process": "流程 {process!r} 既不在本次部署中，也未曾部署",
    "guide.unknown_member": "成员流程 {process!r} 既不在本次部署中，也未曾部署",
    "guide.unknown_calendar": "工作日日历 {calendar!r} 不存在（GET /api/calendar 可列出现有日历）",
    "guide.duplicate": "事项 {code!r} 在本次部署中还有另一份办事指南（{other}）",
    "doc_template.not_utf8": "文书模板须为 UTF-8 文本（{reason}）",
    "doc_template.not_compiling": "文书模板无法编译：{reason}",
    "doc_template.fails": "文书模板套用示例办件时出错：{reason}",
    "doc_template.no_title": "文书模板须有 <title>（文书标题）",
    "human_task.unnamed": "{label} 未指定候选组、候选用户、办理人或泳道：任何部门的窗口人员都能认领它并查看其办件；请指定办理该任务的组",
    "human_task.priority": "camunda:priority {value!r} 不是整数",
    "human_task.date": "camunda:{attr} 无效：{reason}",
    "human_task.unknown_group": "候选组 {group!r} 不是任何用户或部门的组：在有用户属于该组之前，任何待办列表都不显示此任务（govflow user add NAME --group {group}）",
    "human_task.unknown_user": "{what} {name!r} 不是本系统的用户：添加该用户之前，任务将等待一个无人使用的用户名（govflow user add {name} --role clerk）",
    "lint.no_form": "{label} 没有表单（camunda:formKey）：任务只接收其表单列出的内容（DOMAIN 规则 15）",
    "lint.client_form": "{label} 指定的表单 {form!r} 是由客户端应用呈现的页面：govflow 无法检查其提交的内容（DOMAIN 规则 15）；请使用 form-js 表单",
    "lint.form_not_linted": "{label} 指定的表单 {form!r} 不在所检查的文件中",
    "lint.no_due_date": "{label} 没有到期时间（camunda:dueDate），也不在时限计时范围内：无从判断何时逾期",
    "lint.no_acceptance": "未找到受理环节：应有一个用户任务，其后的排他网关通向 govflow.clock=start 元素（受理、不予受理、一次性告知补正）",
    "lint.acceptance_outcomes": "受理环节 {step!r} 经网关 {gateway!r} 决定的结果为 {have}；SX21 要求三种结果，缺少：{missing}",
    "lint.unread_condition": "顺序流 {flow!r}（网关 {gateway!r}）的条件读取 {name!r}，但开始表单和此前用户任务的表单都不要求填写它，也没有脚本设置它",
    "lint.promised_exceeds": "govflow.promisedDays {promised} 超过 govflow.statutoryDays {statutory}",
    "lint.limit_differs": "{prop} {value} 与办事指南 {file} 的 {name} {guide_value} 不同；以办事指南为准",
    "lint.calendar_differs": "办事指南 {file} 按日历 {theirs!r} 计时，而本流程图中的 workdays() 按 {mine!r} 计算（govflow.calendar）",
    "lint.no_clock_start": "办事指南 {file} 规定了时限，但没有元素标记为 govflow.clock=start：该事项的办件不计时",
    "lint.call_not_linted": "调用的流程 {called!r} 不在所检查的文件中：除非此前已部署，govflow deploy 将拒绝此流程图",
    "lint.guide_process": "流程 {process!r} 不在所检查的流程图中",
}

# English words a parameter may hold, said in Chinese; any other value is shown as the engine gave it.
WORDS: dict[str, dict[str, str]] = {
    "end": {"sourceRef": "起点（sourceRef）", "targetRef": "终点（targetRef）"},
    "kind": {"an exclusive": "排他", "an inclusive": "包容"},
    "what": {"condition": "条件表达式", "loopCardinality": "多实例数量 loopCardinality",
             "completionCondition": "多实例完成条件 completionCondition", "timer timeDate": "定时器 timeDate",
             "timer timeDuration": "定时器 timeDuration", "timer timeCycle": "定时器 timeCycle",
             "message payload": "消息内容表达式", "assignee": "办理人", "candidate user": "候选用户"},
    "wanted": {"the version deployed together with this diagram": "与本流程图一同部署的版本"},
    "have": {"nothing": "（无）"},
    "accepted": {ACCEPTED: ".bpmn、.bpmn20.xml、.bpmn2、.dmn、.form 文件、guide.json 及 .html 文书模板"},
}


def problem_text(problem: Mapping[str, Any]) -> str:
    """One problem's sentence in the page language (a problem as the API gives it: a dict)."""
    message = str(problem.get("message", ""))
    code, params = problem.get("code"), problem.get("params")
    template = ZH.get(code) if isinstance(code, str) else None
    if template is None or not isinstance(params, dict) or current_language() == "en":
        return message
    values = {name: WORDS.get(name, {}).get(value, value) if isinstance(value, str) else value
              for name, value in params.items()}
    try:
        return _(template, **values)
    except (KeyError, IndexError, ValueError):  # parameters unlike the catalogue's: the engine's own words
        return message


def shown(problems: list[Any]) -> list[dict[str, Any]]:
    """Problems for a page's table, each with ``text``: its sentence in the page language."""
    return [{**p, "text": problem_text(p)} for p in problems if isinstance(p, Mapping)]
