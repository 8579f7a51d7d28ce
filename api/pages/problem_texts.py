"""Deploy and lint problems in the page language. A problem raised by code (engine.problem_codes) reads
in Chinese from its code and parameters; English pages, and a problem without a code, show the engine
message as the API and the CLI give it. Quoted names, expressions and the reasons of a parser or compiler
stay as the engine has them."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.definitions import ACCEPTED
from engine.forms import BUNDLE_PROPERTY

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
    "process.takeover": "流程 {process!r} 已由 {file!r} 部署（版本 {version}{latest_name}）；本文件将接管它，成为其下一版本：若是新事项，请改用新的流程标识，否则请确认接管后重新部署",
    "process.taken_over": "流程 {process!r} 已由 {file!r} 部署（版本 {version}{latest_name}）；本文件成为其下一版本：若是新事项，请改用新的流程标识",
    "flow.no_end": "顺序流缺少{end}",
    "flow.unknown_end": "顺序流的{end} {ref!r} 不是{scope_tag} {scope!r} 中的元素",
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
    "camunda.listener_script": "{listener}（{event}）中的脚本（{language}）无法在此运行；请将其逻辑移入 Python 脚本任务",
    "camunda.listener_java": "以 Java 实现的{listener}（{event}）将被忽略",
    "camunda.call_mapping": "camunda:{mapping} 在{tag}上传递变量，无法在此运行；请改在 Python 脚本任务中设置",
    "camunda.call_variables": "逐个传递变量（{listed}）无法在此运行：被调用流程获得办件的全部变量，并交回自己的全部变量；请将这些映射改为 camunda:in variables=\u0022all\u0022 和 camunda:out variables=\u0022all\u0022",  # \u0022: a quote the i18n check can read past
    "camunda.binding_unknown": "camunda:calledElementBinding {binding!r} 不是 {bindings} 之一",
    "camunda.binding_version": "camunda:calledElementBinding {binding!r} 无法实现：调用总是运行调用发生时已部署的 {called!r} 最新版本（办件沿用该版本），而不是{wanted}；请删除该绑定以调用最新版本",
    "camunda.io_script": "camunda:{kind} {name!r} 是脚本（{language}），无法在此运行；请在 Python 脚本任务中计算",
    "camunda.io_value": "camunda:{kind} {name!r} 是 camunda:{value}，无法在此运行；请在 Python 脚本任务中计算",
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
    "human_task.unnamed": "{tag} {name!r} 未指定候选组、候选用户、办理人或泳道：任何部门的窗口人员都能认领它并查看其办件；请指定办理该任务的组",
    "human_task.priority": "camunda:priority {value!r} 不是整数",
    "human_task.date": "camunda:{attr} 无效：{reason}",
    "human_task.unknown_group": "候选组 {group!r} 不是任何用户或部门的组：在有用户属于该组之前，任何待办列表都不显示此任务（govflow user add NAME --group {group}）",
    "human_task.unknown_user": "{what} {name!r} 不是本系统的用户：添加该用户之前，任务将等待一个无人使用的用户名（govflow user add {name} --role clerk）",
    "lint.no_form": "{tag} {name!r} 没有表单（camunda:formKey）：任务只接收其表单列出的内容（DOMAIN 规则 15）",
    "lint.client_form": "{tag} {name!r} 指定的表单 {form!r} 是由客户端应用呈现的页面：govflow 无法检查其提交的内容（DOMAIN 规则 15）；请使用 form-js 表单",
    "lint.form_not_linted": "{tag} {name!r} 指定的表单 {form!r} 不在所检查的文件中",
    "lint.no_due_date": "{tag} {name!r} 没有到期时间（camunda:dueDate），也不在时限计时范围内：无从判断何时逾期",
    "lint.no_acceptance": "未找到受理环节：应有一个用户任务，其后的排他网关通向 govflow.clock=start 元素（受理、不予受理、一次性告知补正）",
    "lint.acceptance_outcomes": "受理环节 {step!r} 经网关 {gateway!r} 决定的结果为 {have}；SX21 要求三种结果，缺少：{missing}",
    "lint.unread_condition": "顺序流 {flow!r}（网关 {gateway!r}）的条件读取 {name!r}，但开始表单和此前用户任务的表单都不要求填写它，也没有脚本设置它",
    "lint.promised_exceeds": "govflow.promisedDays {promised} 超过 govflow.statutoryDays {statutory}",
    "lint.limit_differs": "{prop} {value} 与办事指南 {file} 的 {name} {guide_value} 不同；以办事指南为准",
    "lint.calendar_differs": "办事指南 {file} 按日历 {theirs!r} 计时，而本流程图中的 workdays() 按 {mine!r} 计算（govflow.calendar）",
    "lint.no_clock_start": "办事指南 {file} 规定了时限，但没有元素标记为 govflow.clock=start：该事项的办件不计时",
    "lint.call_not_linted": "调用的流程 {called!r} 不在所检查的文件中：除非此前已部署，govflow deploy 将拒绝此流程图",
    "lint.guide_process": "流程 {process!r} 不在所检查的流程图中",
    "form.generated_name": "以 {suffix!r} 结尾的表单名称留给由 camunda:formData 生成的表单；请给文件改名",
    "form.missing": "表单 {key!r} 既不在本次部署中，也未曾部署；{without_it}",
    "form.deployed_invalid": "已部署的表单 {key!r} 无效；请与本流程图一同部署改正后的表单",
    "form.type": "不是 form-js 表单：type 为 {type!r}（应为 'default'）",
    "form.not_component": "{where}：组件须为 JSON 对象",
    "form.group_path": "{where}（{component}）：路径 {path!r} 不是以点分隔的名称",
    "form.group_components": "{where}（{component}）：其中的 components 须为列表",
    "form.unsupported": "{where}：服务器尚不能检查 {kind!r} 组件；请改用支持的输入组件",
    "form.unknown_type": "{where}：未知的组件类型 {kind!r}",
    "form.condition_value": "{where}（{component}）：{attr}须为 true、false 或以 '=' 开头的 FEEL 表达式",
    "form.condition": "{where}（{component}）：{attr}无法在服务器上求值：{reason}",
    "form.bad_key": "{where}（{component}）：键 {key!r} 缺失，或不是以点分隔的名称（字母、数字、_）",
    "form.key_start": "{where}（{component}）：键 {key!r} 须以变量名开头（不能以数字或 _ 开头）",
    "form.key_function": "{where}（{component}）：键 {key!r} 与流程图调用的函数 {function!r} 同名：请另选一个",
    "form.duplicate_key": "{where}（{component}）：键 {key!r} 重复（另见 {other}）",
    "form.validate_object": "{where}（{component}）：validate 须为 JSON 对象",
    "form.key_inside": "{where}（{component}）：键 {key!r} 位于键 {outer!r}（{other}）的值之内",
    "form.pattern_type": "{where}（{component}）：validate.pattern 须为字符串",
    "form.pattern": "{where}（{component}）：正则表达式 {pattern!r} 无效：{reason}",
    "form.validation_type": "{where}（{component}）：未知的校验类型 {value!r}（可用 email、phone、idNumber、creditCode 或 custom）",
    "form.values_expression": "{where}（{component}）：服务器无法计算 valuesExpression；请使用固定选项 values 或 valuesKey",
    "form.value_missing": "{where}（{component}）：values 中的每一项都须有 value",
    "form.no_options": "{where}（{component}）：没有选项：请给出 values 或 valuesKey",
    "form.subtype": "{where}（{component}）：未知的日期时间子类型 {subtype!r}（可用 date、time 或 datetime）",
    "form.time_format": "{where}（{component}）：未知的时间格式 timeSerializingFormat {value!r}",
    "form.limit_expression": "{where}（{component}）：{attr} 是表达式；服务器只检查固定的限值，请填写数字",
    "form.not_number": "{where}（{component}）：{attr} 须为数字，实为 {value!r}",
    "form.not_whole": "{where}（{component}）：{attr} 须为非负整数，实为 {value!r}",
    "form_data.ignored": "camunda:formData（{listed}）将被忽略：camunda:formKey {key!r} 已指定表单，以它为准（与 Camunda 相同）",
    "form_data.not_start_form": "{start}上的 camunda:formData（{listed}）将被忽略：只有流程的普通开始事件才有开始表单（与 Camunda 相同）",
    "form_data.business_key": "camunda:formData 的 businessKey {key!r} 将被忽略：办件的业务键在办件开始时与变量一同给出",
    "form_data.invalid": "由 camunda:formData 生成的表单无效：{reason}",
    "form_field.no_id": "camunda:formField 缺少 id",
    "form_field.id_not_name": "camunda:formField {field!r}：id 不是变量名（字母、数字和 _，不能以数字或 _ 开头）",
    "form_field.id_twice": "camunda:formField {field!r}：第 {line} 行的字段也使用此 id",
    "form_field.no_type": "camunda:formField {field!r}：未指定类型（string、long、boolean、date 或 enum）",
    "form_field.attribute": "camunda:formField {field!r}：属性 {attribute!r} 不会带入表单",
    "form_field.type": "camunda:formField {field!r}：类型 {type!r} 不是 Camunda 表单类型；该字段将作为文本显示和检查",
    "form_field.enum_empty": "camunda:formField {field!r}：枚举没有 camunda:value，无法选择任何值（与 Camunda 相同）；该字段不放入表单",
    "form_field.value_not_enum": "camunda:formField {field!r}：camunda:value 只适用于枚举字段，将被忽略",
    "form_field.child": "camunda:formField {field!r}：camunda:{child} 不会带入表单",
    "form_field.value_no_id": "camunda:formField {field!r}：有一个 camunda:value 缺少 id",
    "form_field.value_twice": "camunda:formField {field!r}：camunda:value {value!r} 重复列出",
    "form_field.constraint_no_name": "camunda:formField {field!r}：有一个 camunda:constraint 缺少 name",
    "form_field.validator": "camunda:formField {field!r}：camunda:constraint 'validator' {config!r} 在 Camunda 中运行 Java 代码或表达式，此处不做检查",
    "form_field.constraint_unknown": "camunda:formField {field!r}：camunda:constraint {name!r} 不是 Camunda 的约束，不做检查",
    "form_field.required_boolean": "camunda:formField {field!r}：布尔字段上的 'required' 约束不会带入：复选框总是给出 true 或 false，必填的复选框则必须勾选",
    "form_field.constraint_config": "camunda:formField {field!r}：camunda:constraint {name!r} 的 config 须为{what}，实为 {config!r}",
    "form_field.constraint_type": "camunda:formField {field!r}：camunda:constraint {name!r} 只适用于{applies}，在 {type!r} 类型的字段上不做检查",
    "form_field.default_expression": "camunda:formField {field!r}：defaultValue {value!r} 是表达式，表单无法计算；该字段初始为空",
    "form_field.default_readonly": "camunda:formField {field!r}：只读字段的 defaultValue {value!r} 不会带入：该字段显示办件中的值",
    "form_field.default_not_whole": "camunda:formField {field!r}：defaultValue {value!r} 不是整数",
    "form_field.default_boolean": "camunda:formField {field!r}：defaultValue {value!r} 不是 true 或 false；Camunda 将其读作 false，本表单也是如此",
    "form_field.default_enum": "camunda:formField {field!r}：defaultValue {value!r} 不是该枚举任一 camunda:value 的 id",
    "form_field.default_date": "camunda:formField {field!r}：defaultValue {value!r} 不是日期（Camunda 的写法 dd/MM/yyyy，或 yyyy-MM-dd）",
    "guide.not_text": "字段 {field!r} 须为非空字符串",
    "guide.too_long": "字段 {field!r} 最多 {longest} 个字符",
    "guide.not_whole": "字段 {field!r} 须为整数",
    "guide.too_small": "字段 {field!r} 不得小于 {minimum}",
    "guide.not_bool": "字段 {field!r} 须为 true 或 false",
    "guide.not_number": "字段 {field!r} 须为不小于 0 的数",
    "guide.not_list": "字段 {field!r} 须为列表",
    "guide.not_object_field": "字段 {field!r} 须为 JSON 对象",
    "guide.not_choice": "字段 {field!r} 的值为 {value!r}；应为以下之一：{allowed}",
    "guide.no_entries": "字段 {field!r} 须至少列出一项",
    "guide.listed_twice": "字段 {field!r} 的值 {value!r} 重复列出",
    "guide.not_department": "字段 {field!r} 须为含「code」和「name」的 JSON 对象",
    "dmn.no_table": "决策 {decision!r} 没有决策表（字面表达式等其他决策逻辑无法在此运行）",
    "dmn.several_tables": "决策 {decision!r} 有多张决策表",
    "dmn.required": "决策 {decision!r} 需要先求出决策 {needed}；不支持求值所依赖的决策（DRD）：请在各自的业务规则任务中分别调用",
    "dmn.language": "决策 {decision!r} 中不支持表达式语言 {language!r}",
    "dmn.entry": "决策 {decision!r} 的{what} {source!r} 既不能作为 FEEL 也不能作为 Python 运行：{reason}",
    "dmn.aggregation": "决策 {decision!r} 中不支持聚合方式 {aggregation}",
    "dmn.result_names": "决策输出 {bad} 和结果变量 {result!r} 须为变量名",
    "dmn.map_unknown": "不支持 camunda:mapDecisionResult {mapping!r}",
    "dmn.map_one_output": "camunda:mapDecisionResult {mapping} 要求决策只有一个输出；{decision!r} 有 {outputs} 个",
    "dmn.duplicate": "决策 {decision!r} 也在 {other} 中定义",
    "dmn.parser": "DMN 解析错误：{reason}",
    "dmn.refused": "{file} 中的决策 {decision!r} 无法运行，此任务因而也无法运行：见 {file} 的相应问题",
    "dmn.missing": "决策 {decision!r} 不在本次部署中（此处的决策：{available}）；请将其 DMN 文件与流程图一同部署",
    "spiff.no_start": "未找到开始事件",
    "spiff.subprocess_starts": "子流程须恰有一个开始事件，实有 {count} 个",
    "spiff.subprocess_no_end": "子流程须有结束事件",
    "spiff.unsupported_task": "不支持此类任务",
    "spiff.data_output": "指向 {targets} 的数据输出关联未对应到本流程的数据对象",
    "spiff.cannot_parse": "无法解析流程：{reason}",
}

# BPMN element kinds, as an element's tag names them.
ELEMENT_KINDS = {
    "process": "流程", "subProcess": "子流程", "adHocSubProcess": "自由子流程", "transaction": "事务子流程",
    "task": "任务", "userTask": "用户任务", "manualTask": "人工任务", "serviceTask": "服务任务",
    "scriptTask": "脚本任务", "sendTask": "发送任务", "receiveTask": "接收任务", "businessRuleTask": "业务规则任务",
    "callActivity": "调用活动", "exclusiveGateway": "排他网关", "inclusiveGateway": "包容网关",
    "parallelGateway": "并行网关", "eventBasedGateway": "事件网关", "complexGateway": "复杂网关",
    "startEvent": "开始事件", "endEvent": "结束事件", "intermediateCatchEvent": "中间捕获事件",
    "intermediateThrowEvent": "中间抛出事件", "boundaryEvent": "边界事件", "sequenceFlow": "顺序流",
}
# form-js component types, as a form names them.
COMPONENT_KINDS = {
    "textfield": "单行文本框", "textarea": "多行文本框", "number": "数字框", "checkbox": "复选框",
    "checklist": "复选列表", "taglist": "标签列表", "radio": "单选按钮", "select": "下拉选择框",
    "datetime": "日期时间", "group": "分组", "text": "文本", "spacer": "间隔", "separator": "分隔线",
    "image": "图片", "button": "按钮", "iframe": "内嵌页面", "table": "表格",
    "documentPreview": "文档预览",
}

# English words a parameter may hold, said in Chinese; any other value is shown as the engine gave it.
WORDS: dict[str, dict[str, str]] = {
    "end": {"sourceRef": "起点（sourceRef）", "targetRef": "终点（targetRef）"},
    "kind": {"an exclusive": "排他", "an inclusive": "包容"},
    "what": {"condition": "条件表达式", "loopCardinality": "多实例数量 loopCardinality",
             "completionCondition": "多实例完成条件 completionCondition", "timer timeDate": "定时器 timeDate",
             "timer timeDuration": "定时器 timeDuration", "timer timeCycle": "定时器 timeCycle",
             "message payload": "消息内容表达式", "assignee": "办理人", "candidate user": "候选用户",
             "input expression": "输入表达式", "input entry": "输入条目", "output entry": "输出条目",
             "a non-negative whole number": "非负整数", "a number": "数字"},
    "wanted": {"the version deployed together with this diagram": "与本流程图一同部署的版本"},
    "have": {"nothing": "（无）"},
    "tag": ELEMENT_KINDS, "scope_tag": ELEMENT_KINDS, "component": COMPONENT_KINDS,
    "listener": {"executionListener": "执行监听器", "taskListener": "任务监听器"},
    "event": {"start": "开始时", "end": "结束时", "take": "流转时", "create": "创建时", "assignment": "指派时",
              "complete": "完成时", "delete": "删除时", "update": "更新时", "timeout": "超时时",
              "no event": "未指定事件"},
    "language": {"an unknown language": "未注明语言", "None": "未注明语言"},
    "attr": {"hide": "隐藏条件", "readonly": "只读条件", "disabled": "禁用条件"},
    "listed": {"no fields": "无字段"},
    "start": {"a message start event": "消息开始事件", "a timer start event": "定时开始事件",
              "a signal start event": "信号开始事件", "a conditional start event": "条件开始事件",
              "a error start event": "错误开始事件", "a escalation start event": "升级开始事件",
              "a compensate start event": "补偿开始事件", "a start event inside a subprocess": "子流程中的开始事件"},
    "applies": {"text (string) fields": "文本（string）字段", "whole number (long) fields": "整数（long）字段"},
    "available": {"none": "无"},
    "without_it": {"the task will be completed without form checks": "任务完成时将不做表单检查",
                   "cases will start without form checks": "办件开始时将不做表单检查",
                   f"it is merged with the forms of {BUNDLE_PROPERTY}, and no case starts until it is deployed":
                       "它与 govflow.bundleForms 的表单合并，部署之前任何办件都无法开始",
                   f"it is one of {BUNDLE_PROPERTY}, and no case starts until it is deployed":
                       "它是 govflow.bundleForms 中的表单，部署之前任何办件都无法开始"},
    "targets": {"an unknown target": "未知目标"},
    "accepted": {ACCEPTED: ".bpmn、.bpmn20.xml、.bpmn2、.dmn、.form 文件、guide.json 及 .html 文书模板"},
}

# Values a Chinese sentence says as a fragment of its own when they are given, and leaves out when not.
FRAGMENTS: dict[str, str] = {"latest_name": "，名称 {!r}"}


def _value(name: str, value: Any) -> Any:
    if name in FRAGMENTS:
        return FRAGMENTS[name].format(value) if value else ""
    return WORDS.get(name, {}).get(value, value) if isinstance(value, str) else value


def problem_text(problem: Mapping[str, Any]) -> str:
    """One problem's sentence in the page language (a problem as the API gives it: a dict)."""
    message = str(problem.get("message", ""))
    code, params = problem.get("code"), problem.get("params")
    template = ZH.get(code) if isinstance(code, str) else None
    if template is None or not isinstance(params, dict) or current_language() == "en":
        return message
    values = {name: _value(name, value) for name, value in params.items()}
    try:
        return _(template, **values)
    except (KeyError, IndexError, ValueError):  # parameters unlike the catalogue's: the engine's own words
        return message


def shown(problems: list[Any]) -> list[dict[str, Any]]:
    """Problems for a page's table, each with ``text``: its sentence in the page language."""
    return [{**p, "text": problem_text(p)} for p in problems if isinstance(p, Mapping)]
