"""The case data as clerks saw it asked, for the 案件数据 panel of a case and the 申请信息 panel of a task:
each value under its form's label, the applicant's details the intake page asks under theirs, and what
nothing asks by name."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .form_values import field_labels, local_instants, lookup, option_labels, value_text
from .i18n import gettext as _


@dataclass(frozen=True)
class Field:
    """One of the applicant's details asked at the window, kept as the case variable ``key``."""

    key: str
    label: str
    hint: str
    max_length: int
    required: bool = False
    projects_only: bool = False  # asked for a construction project's item alone (its guide's ``project``)


# What the library's items read of the applicant, under the names they read it by: the queue, the task
# page and every document name the applicant by applicant_name (engine.worksheet, engine.document_templates),
# notices go to applicant_phone (engine.notify), the bundles' application forms ask applicant_id_number
# too, and the documents of construction items name the project (project_name: asked for the items whose
# guide says ``"project": true``). An item with a start form
# (a one-thing bundle's merged application form) asks through it, and here only for those its form lacks.
APPLICANT_FIELDS = (
    Field("applicant_name", "申请人", "个人姓名或单位全称", 100, required=True),
    Field("applicant_id_number", "证件号码", "身份证号码或统一社会信用代码", 50),
    Field("applicant_phone", "联系电话", "手机号码用于短信告知办理进度", 20),
    Field("project_name", "项目名称", "工程建设项目等填写", 200, projects_only=True),
)


MAX_DATA_ROWS = 40  # the 案件数据 panel beside the timeline; the rest is counted


@dataclass(frozen=True)
class DataRow:
    label: str
    name: str  # the variable's name (or path in it)
    value: str
    asked: bool = True  # a form or the intake page asked it; else the process keeps it (scripts, integrations)


def case_data(variables: dict[str, Any], schemas: list[dict[str, Any]], *, asked_only: bool = False) -> list[DataRow]:
    """The case's data as clerks saw it asked: each value under the label of the first form that asks it (in
    that form's order), options by their labels; then the applicant's details the intake page asks field by
    field (APPLICANT_FIELDS) under its labels; then, unless ``asked_only``, what nothing asks,
    by name. Instants read in local time."""
    rows: list[DataRow] = []
    shown: set[str] = set()
    for schema in schemas:
        options = option_labels(schema, variables)
        for path, label in field_labels(schema).items():
            found, value = lookup(variables, path)
            if found and path not in shown:
                shown.update({path, path.split(".")[0]})
                rows.append(DataRow(label, path, value_text(local_instants(value), options.get(path, {}))))
    for asked in APPLICANT_FIELDS:
        if asked.key in variables and asked.key not in shown:
            shown.add(asked.key)
            rows.append(DataRow(_(asked.label), asked.key, value_text(local_instants(variables[asked.key]), {})))
    if not asked_only:
        rows += [DataRow(name, name, value_text(local_instants(value), {}), asked=False)
                 for name, value in sorted(variables.items()) if name not in shown]
    return rows
