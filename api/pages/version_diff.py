"""The words of the page comparing two versions of a definition (pages.analyst.compare), and the versions
chosen on it."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from engine import version_diff

from .groups import group_names
from .i18n import gettext as _
from .problem_texts import ELEMENT_KINDS

# Each attribute engine.version_diff compares, as the page names it.
ATTRIBUTE_LABELS = {
    "type": "类型", "name": "名称", "lane": "泳道", "candidate_groups": "候选组", "candidate_users": "候选人员",
    "assignee": "办理人", "due_date": "到期时间", "priority": "优先级", "form_key": "表单", "source": "起点",
    "target": "终点", "condition": "条件", "default_flow": "默认流", "timer": "定时器", "event": "事件定义",
    "attached_to": "附着于", "interrupting": "中断所附环节", "called_element": "调用的流程",
    "implementation": "实现方式", "decision": "决策", "script": "脚本", "pre_script": "前置脚本",
    "post_script": "后置脚本", "multi_instance": "多实例", "documentation": "说明",
    version_diff.OTHER: "其他定义（输入输出映射、监听器等）",
}
CHANGES = {"added": "新增元素", "removed": "删除元素", "changed": "修改元素"}
SIDES = ("from", "to")


def attribute_label(attribute: str) -> str:
    name = attribute.removeprefix("property:")
    if name != attribute:
        return _("扩展属性 {name}", name=name)
    return _(ATTRIBUTE_LABELS.get(attribute, attribute))


# Candidate groups written as plain names (not an expression): each read as its title and department.
_GROUP_LIST = re.compile(r"^\s*[\w.-]+(\s*,\s*[\w.-]+)*\s*$")


def shown_value(attribute: str, value: str | None, names: Mapping[str, str] | None = None) -> str | None:
    """A value as read on the page: element kinds and yes or no in words, a flow's ends by their names, plain
    candidate groups by their titles (the code kept beside), anything else as the diagram has it."""
    if value is None:
        return None
    if attribute == "type":
        return _(ELEMENT_KINDS.get(value, value))
    if attribute == "interrupting":
        return _("是") if value == "true" else _("否")
    if attribute in ("source", "target", "default_flow", "attached_to") and names and value in names:
        return _("{name}（{id}）", name=names[value], id=value)
    if attribute == "candidate_groups" and _GROUP_LIST.match(value):
        codes = [code.strip() for code in value.split(",")]
        titled = group_names(codes)
        return value if titled == _("、").join(codes) else _("{names}［{codes}］", names=titled, codes=value)
    return value


def kind_name(element_type: str) -> str:
    return _(ELEMENT_KINDS.get(element_type, element_type))


def chosen_versions(args: Mapping[str, str], latest: int) -> tuple[dict[str, int | None], dict[str, str], int]:
    """The versions ``from`` and ``to`` asked for (None: not given, the engine's default; full-width digits
    read as the API reads them), a problem by side for each that is no version number (status 400) or
    names a version not deployed (404), and the page's status."""
    chosen: dict[str, int | None] = {}
    problems: dict[str, str] = {}
    status = 200
    for side in SIDES:
        text = unicodedata.normalize("NFKC", args.get(side) or "").strip()
        number = int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None
        if text and (number is None or number < 1):
            problems[side] = _("请选择一个版本（从 1 起的整数）。")
            status = 400
        elif number is not None and number > latest:
            problems[side] = _("没有版本 {version}：最新为版本 {latest}。", version=number, latest=latest)
            status = 404 if status == 200 else status
        chosen[side] = number
    return chosen, problems, status
