"""Service-item guides (办事指南, DOMAIN rule 1): ``<item-code>/guide.json`` checked at deploy, stored in
versions, read by the catalogue and by the case clock.

The format is documented in bpmn/README.md ("The guide"). ``check`` finds everything wrong with one file
(JSON syntax with its line, missing or invalid fields by path such as ``materials[2].form`` with the line
of the value, promised > statutory, catch-all material names, the code against its folder);
``check_deployment`` what needs the database (the process a guide names must be deployed with it or
before). Fields the README does not document are kept and published as they are, unchecked.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, cast

from sqlalchemy import func, select

from . import calendar, db, guide_steps, samples
from .bpmn_xml import Problem
from .errors import NotFound
from .json_depth import MAX_DEPTH, too_deep
from .models import Department, DepartmentGroup, Deployment, Guide, ProcessDefinition
from .problem_codes import Said, said
from .time_limits import EXCLUDED_KINDS
from .unit_of_work import UnitOfWork

FILE_NAME = "guide.json"
MAX_GUIDE_BYTES = 512 * 1024
# GB/T 39046—2020 code lists.
ITEM_TYPES = {"01": "许可", "02": "处罚", "03": "强制", "04": "征收", "05": "给付", "06": "检查", "07": "确认",
              "08": "奖励", "09": "裁决", "10": "其他", "20": "公共服务"}
CASE_TYPES = {"1": "即办件", "2": "承诺件", "9": "其他"}
LEVELS = ("province", "city", "county", "township", "village")
MATERIAL_FORMS = ("original", "copy", "original_and_copy", "electronic")
DELIVERY_METHODS = ("window", "electronic", "self_service", "mail")
# Vague catch-alls a material list may not contain (LY17, XA13): the applicant cannot know what to bring.
CATCH_ALLS = ("其他材料", "其它材料", "有关材料", "相关材料", "等材料", "其他相关材料", "其他有关材料")
PERIOD_KINDS = tuple(k for k in EXCLUDED_KINDS if k != "other")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


# ---- checking one file -------------------------------------------------------------------------------

def folder_of(name: str) -> str | None:
    """The item folder a guide was deployed from (``SCJG-XK-0001/guide.json``), if its name has one."""
    parent = PurePosixPath(name.replace("\\", "/")).parent.name
    return parent or None


def parse(name: str, content: bytes) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The guide's JSON and every problem of the file; the guide is None when the JSON cannot be read."""
    if len(content) > MAX_GUIDE_BYTES:
        return None, [Problem.of(name, None, None, said("guide.too_large", kib=MAX_GUIDE_BYTES // 1024))]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [Problem.of(name, None, None, said("guide.not_utf8"))]
    if too_deep(text):
        return None, [Problem.of(name, None, None, said("guide.too_deep", levels=MAX_DEPTH))]
    try:
        data = json.loads(text, parse_constant=_not_json)
    except json.JSONDecodeError as exc:
        return None, [Problem.of(name, exc.lineno, None, said("guide.malformed", reason=exc.msg, column=exc.colno))]
    except _NotJson as exc:  # NaN or Infinity: Python reads them, JSON (and PostgreSQL) does not
        return None, [Problem.of(name, None, None, said("guide.not_json_number", token=exc.token))]
    except ValueError as exc:  # a number too long to convert
        return None, [Problem.of(name, None, None, said("guide.unreadable", reason=str(exc)))]
    if not isinstance(data, dict):
        return None, [Problem.of(name, 1, None, said("guide.not_object"))]
    checker = _Checker(name, text)
    checker.guide(data)
    return data, checker.problems


class _NotJson(ValueError):
    def __init__(self, token: str) -> None:
        super().__init__(f"{token} is not a JSON number")
        self.token = token


def _not_json(token: str) -> Any:
    raise _NotJson(token)


def check(name: str, content: bytes) -> list[Problem]:
    """Problems of a ``guide.json`` at deploy or lint time (the part that needs no database)."""
    return parse(name, content)[1]


class _Checker:
    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.lines = value_lines(text)
        self.problems: list[Problem] = []

    def error(self, path: str, message: Said) -> None:
        line = self.lines.get(path)
        parent = path
        while line is None and parent:  # a missing field: the line of the object that lacks it
            parent = _parent(parent)
            line = self.lines.get(parent)
        self.problems.append(Problem.of(self.name, line, path or None, message))

    # Each getter reports a wrong value and returns None, so later rules skip what is already reported.
    def field(self, obj: dict[str, Any], path: str, key: str, kind: str, *, required: bool = True,
              choices: tuple[str, ...] | dict[str, str] | None = None, minimum: int | None = None,
              longest: int | None = None) -> Any:
        where = f"{path}.{key}" if path else key
        if key not in obj or obj[key] is None:
            if required:
                self.error(where, said("guide.missing", field=where))
            return None
        value = obj[key]
        if kind == "text":
            if not isinstance(value, str) or not value.strip():
                self.error(where, said("guide.not_text", field=where))
                return None
            if longest is not None and len(value) > longest:
                self.error(where, said("guide.too_long", field=where, longest=longest))
                return None
        elif kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                self.error(where, said("guide.not_whole", field=where))
                return None
            if minimum is not None and value < minimum:
                self.error(where, said("guide.too_small", field=where, minimum=minimum))
                return None
        elif kind == "bool":
            if not isinstance(value, bool):
                self.error(where, said("guide.not_bool", field=where))
                return None
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or value < 0:
                self.error(where, said("guide.not_number", field=where))
                return None
        elif kind == "list" and not isinstance(value, list):
            self.error(where, said("guide.not_list", field=where))
            return None
        elif kind == "object" and not isinstance(value, dict):
            self.error(where, said("guide.not_object_field", field=where))
            return None
        if choices is not None and value not in choices:
            allowed = ", ".join(f"{c!r}" for c in choices)
            self.error(where, said("guide.not_choice", field=where, value=value, allowed=allowed))
            return None
        return value

    def texts(self, obj: dict[str, Any], key: str, *, required: bool = True, non_empty: bool = False,
              choices: tuple[str, ...] | None = None) -> list[str]:
        items = self.field(obj, "", key, "list", required=required)
        if items is None:
            return []
        if non_empty and not items:
            self.error(key, said("guide.no_entries", field=key))
        good = []
        for i, item in enumerate(items):
            where = f"{key}[{i}]"
            if not isinstance(item, str) or not item.strip():
                self.error(where, said("guide.not_text", field=where))
            elif choices is not None and item not in choices:
                self.error(where, said("guide.not_choice", field=where, value=item,
                                             allowed=", ".join(repr(c) for c in choices)))
            elif item in good:
                self.error(where, said("guide.listed_twice", field=where, value=item))
            else:
                good.append(item)
        return good

    def objects(self, data: dict[str, Any], name: str) -> Iterator[tuple[int, str, dict[str, Any]]]:
        """The entries of the list ``name`` that are objects, as (index, path, entry); any other is reported."""
        for i, entry in enumerate(self.field(data, "", name, "list") or []):
            where = f"{name}[{i}]"
            if isinstance(entry, dict):
                yield i, where, entry
            else:
                self.error(where, said("guide.not_object_field", field=where))

    def department(self, obj: Any, where: str) -> str | None:
        if not isinstance(obj, dict):
            self.error(where, said("guide.not_department", field=where))
            return None
        code = self.field(obj, where, "code", "text", longest=50)  # as departments are stored
        self.field(obj, where, "name", "text", longest=200)
        return code

    def guide(self, data: dict[str, Any]) -> None:
        code = self.field(data, "", "code", "text")
        if code is not None:
            if not CODE.match(code):
                self.error("code", said("guide.code_chars", code=code))
            folder = folder_of(self.name)
            if folder is not None and folder != code:
                self.error("code", said("guide.code_folder", code=code, folder=folder))
        self.field(data, "", "name", "text", longest=500)
        self.field(data, "", "type", "text", choices=ITEM_TYPES)
        case_type = self.field(data, "", "case_type", "text", choices=CASE_TYPES)
        self.field(data, "", "level", "text", choices=LEVELS)
        self.field(data, "", "process", "text", longest=255)
        departments = set()
        if "department" not in data:
            self.error("department", said("guide.missing", field="department"))
        elif (lead := self.department(data["department"], "department")) is not None:
            departments.add(lead)
        for i, co in enumerate(self.field(data, "", "co_departments", "list", required=False) or []):
            if (found := self.department(co, f"co_departments[{i}]")) is not None:
                departments.add(found)
        self.texts(data, "legal_basis", non_empty=True)
        self.limits(data, case_type)
        self.field(data, "", "calendar", "text", required=False)
        self.texts(data, "acceptance_conditions")
        self.materials(data, departments)
        self.members(data, departments)
        self.fees(data)
        self.texts(data, "delivery_methods", non_empty=True, choices=DELIVERY_METHODS)
        self.periods(data)
        channels = self.field(data, "", "channels", "object")
        if channels is not None:
            self.field(channels, "channels", "consultation", "text")
            self.field(channels, "channels", "complaint", "text")
        supervision = self.field(data, "", "supervision", "object", required=False)
        if supervision is not None:
            self.field(supervision, "supervision", "remind_days", "int", required=False, minimum=0)
            self.field(supervision, "supervision", "step_overrun", "bool", required=False)
        rating = self.field(data, "", "rating", "object", required=False)
        if rating is not None:
            self.field(rating, "rating", "rectify_days", "int", required=False, minimum=1)
        # Where and when to apply, and how often to come (办理地点, 办理时间, 到办事现场次数: XA12).
        self.field(data, "", "location", "text", required=False, longest=500)
        self.field(data, "", "office_hours", "text", required=False, longest=500)
        self.field(data, "", "max_visits", "int", required=False, minimum=0)
        self.field(data, "", "public", "bool", required=False)
        # A construction project's item (工程建设项目审批): the window asks the project's name (项目名称).
        self.field(data, "", "project", "bool", required=False)

    def limits(self, data: dict[str, Any], case_type: str | None) -> None:
        promised = self.field(data, "", "promised_days", "int", minimum=0)
        statutory = self.field(data, "", "statutory_days", "int", minimum=0)
        if promised is not None and statutory is not None and promised > statutory:
            self.error("promised_days", said("guide.promised_exceeds", promised=promised, statutory=statutory))
        if case_type == "1" and promised not in (None, 0):
            self.error("promised_days", said("guide.on_the_spot", promised=promised))
        extension = self.field(data, "", "extension", "object", required=False)
        if extension is not None:  # a special law's allowance instead of 行政许可法 Art 42's 10 (or 15) days
            self.field(extension, "extension", "days", "int", minimum=0)
            self.field(extension, "extension", "basis", "text", longest=200)

    def materials(self, data: dict[str, Any], departments: set[str]) -> None:
        names: dict[str, int] = {}
        for i, where, material in self.objects(data, "materials"):
            name = self.field(material, where, "name", "text", longest=200)  # Material(Mark).name columns
            if name is not None:
                vague = next((c for c in CATCH_ALLS if c in name), None)
                if vague:
                    self.error(f"{where}.name", said("guide.catch_all", name=name, vague=vague))
                if name in names:
                    self.error(f"{where}.name", said("guide.material_twice", name=name, first=names[name]))
                names.setdefault(name, i)
            self.field(material, where, "form", "text", choices=MATERIAL_FORMS)
            self.field(material, where, "copies", "int", minimum=0)
            self.field(material, where, "electronic", "bool", required=False)
            self.field(material, where, "key", "bool", required=False)
            self.field(material, where, "conditional", "bool", required=False)  # may not apply (不适用)
            self.field(material, where, "shared", "bool", required=False)  # 通过数据共享获取: need not be brought
            self.sample(material, where)
            self.field(material, where, "note", "text", required=False)
            for j, code in enumerate(self.field(material, where, "departments", "list", required=False) or []):
                if not isinstance(code, str) or (departments and code not in departments):
                    self.error(f"{where}.departments[{j}]", said("guide.material_department",
                                                                 field=f"{where}.departments[{j}]", code=code))

    def sample(self, material: dict[str, Any], where: str) -> None:
        """A title (样表 named only), or ``{"title", "file"}``: a file of the item's samples folder to download."""
        value = material.get("sample")
        if not isinstance(value, dict):
            self.field(material, where, "sample", "text", required=False, longest=200)
            return
        self.field(value, f"{where}.sample", "title", "text", longest=200)
        file = self.field(value, f"{where}.sample", "file", "text")
        if file is not None and (why := samples.valid_file(file, f"{where}.sample.file")) is not None:
            self.error(f"{where}.sample.file", why)

    def members(self, data: dict[str, Any], departments: set[str]) -> None:
        """A one-thing bundle's member items (一件事): the called process each decides in, named as an item
        of its own department, whose decision documents it issues (engine.documents)."""
        if self.field(data, "", "members", "list", required=False) is None:
            return
        seen: dict[str, int] = {}
        for i, where, member in self.objects(data, "members"):
            process = self.field(member, where, "process", "text", longest=255)
            if process is not None:
                if process == data.get("process"):
                    self.error(f"{where}.process", said("guide.member_own_process", field=f"{where}.process",
                                                        process=process))
                elif process in seen:
                    self.error(f"{where}.process", said("guide.member_twice", field=f"{where}.process",
                                                        process=process, first=seen[process]))
                seen.setdefault(process, i)
            self.field(member, where, "name", "text", longest=500)
            if "department" not in member:
                self.error(f"{where}.department", said("guide.missing", field=f"{where}.department"))
            else:
                code = self.department(member["department"], f"{where}.department")
                if code is not None and departments and code not in departments:
                    self.error(f"{where}.department", said("guide.member_department",
                                                           field=f"{where}.department", code=code))
            for j, basis in enumerate(self.field(member, where, "legal_basis", "list", required=False) or []):
                if not isinstance(basis, str) or not basis.strip():
                    self.error(f"{where}.legal_basis[{j}]", said("guide.not_text", field=f"{where}.legal_basis[{j}]"))
            verdict = self.field(member, where, "verdict", "text", required=False)
            if verdict is not None and not verdict.isidentifier():
                self.error(f"{where}.verdict", said("guide.verdict_name", field=f"{where}.verdict", verdict=verdict))

    def fees(self, data: dict[str, Any]) -> None:
        for _, where, fee in self.objects(data, "fees"):
            self.field(fee, where, "name", "text")
            self.field(fee, where, "amount", "number")
            self.field(fee, where, "basis", "text")

    def periods(self, data: dict[str, Any]) -> None:
        for _, where, period in self.objects(data, "excluded_periods"):
            self.field(period, where, "type", "text", choices=PERIOD_KINDS)
            self.field(period, where, "max_days", "int", minimum=1)
            self.field(period, where, "note", "text", required=False)


def _parent(path: str) -> str:
    """``materials[2].form`` -> ``materials[2]`` -> ``materials`` -> ``""``."""
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


# ---- where each value stands in the file -------------------------------------------------------------

_DECODER = json.JSONDecoder()
_SCALAR = re.compile(r'-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null')


def value_lines(text: str) -> dict[str, int]:
    """Path (``materials[2].form``) -> the 1-based line where its value starts, for valid JSON ``text``."""
    breaks = [i for i, c in enumerate(text) if c == "\n"]
    found: dict[str, int] = {}

    def line(pos: int) -> int:
        return bisect_right(breaks, pos - 1) + 1

    def skip(pos: int) -> int:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        return pos

    def value(pos: int, path: str) -> int:
        pos = skip(pos)
        found[path] = line(pos)
        char = text[pos]
        if char == "{":
            pos = skip(pos + 1)
            if text[pos] == "}":
                return pos + 1
            while True:
                key, pos = _DECODER.raw_decode(text, skip(pos))
                pos = skip(pos) + 1  # the colon
                pos = skip(value(pos, f"{path}.{key}" if path else key))
                if text[pos] == "}":
                    return pos + 1
                pos += 1  # the comma
        if char == "[":
            pos = skip(pos + 1)
            if text[pos] == "]":
                return pos + 1
            index = 0
            while True:
                pos = skip(value(pos, f"{path}[{index}]"))
                index += 1
                if text[pos] == "]":
                    return pos + 1
                pos += 1
        if char == '"':
            return _DECODER.raw_decode(text, pos)[1]
        match = _SCALAR.match(text, pos)
        return match.end() if match else pos + 1

    value(0, "")
    return found


# ---- deploying -------------------------------------------------------------------------------------

def check_deployment(uow: UnitOfWork, files: list[tuple[str, bytes]], deployed_now: set[str]) -> list[Problem]:
    """What needs the database: each guide's process is in this deployment or deployed before, its
    calendar exists, each sample file its materials name is in it or deployed before (engine.samples), and one
    deployment holds at most one guide per item code."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    sample_files = {n for n, _ in files if samples.is_sample(n)}
    for name, content in files:
        if not is_guide(name):
            continue
        data, _ = parse(name, content)
        if data is None:
            continue
        lines = value_lines(content.decode("utf-8-sig"))
        code, process = data.get("code"), data.get("process")
        if isinstance(code, str):
            if code in seen:
                problems.append(Problem.of(name, lines.get("code"), "code",
                                           said("guide.duplicate", code=code, other=seen[code])))
            seen[code] = name
        if isinstance(process, str) and process.strip() and process not in deployed_now and \
                _latest_definition_version(uow, process) is None:
            problems.append(Problem.of(name, lines.get("process"), "process",
                                       said("guide.unknown_process", process=process)))
        for i, member in enumerate(data.get("members") or []):
            called = member.get("process") if isinstance(member, dict) else None
            if isinstance(called, str) and called.strip() and called not in deployed_now and \
                    _latest_definition_version(uow, called) is None:
                problems.append(Problem.of(name, lines.get(f"members[{i}].process"), f"members[{i}].process",
                                           said("guide.unknown_member", process=called)))
        named = data.get("calendar")
        if isinstance(named, str) and named.strip():
            try:
                calendar.for_runtime(uow, named)
            except NotFound:
                problems.append(Problem.of(name, lines.get("calendar"), "calendar",
                                           said("guide.unknown_calendar", calendar=named)))
        problems.extend(samples.check_references(name, data, lines, sample_files,
                                                 lambda stored: samples.deployed(uow, stored) is not None))
    return problems


def is_guide(name: str) -> bool:
    return PurePosixPath(name.replace("\\", "/")).name.lower() == FILE_NAME


def canonical_hash(data: dict[str, Any]) -> str:
    """Reformatting the file or reordering its keys keeps the version; any changed value makes a new one."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class DeployedGuide:
    guide: Guide
    new: bool  # False: identical content was already deployed, its version is reused


def store(uow: UnitOfWork, files: list[tuple[str, bytes]], deployment: Deployment) -> list[DeployedGuide]:
    """The deployment's guides as versions (the caller checked them); unchanged content keeps its version."""
    stored = []
    for name, content in files:
        if not is_guide(name):
            continue
        data, _ = parse(name, content)
        assert data is not None  # refused by check() otherwise
        digest = canonical_hash(data)
        latest = _latest(uow, data["code"])
        if latest is not None and latest.content_hash == digest:
            stored.append(DeployedGuide(latest, new=False))
            continue
        guide = Guide(code=data["code"], version=(latest.version + 1) if latest else 1, name=data["name"],
                      process_key=data["process"], item_type=data["type"],
                      department_code=data["department"]["code"], content=data, content_hash=digest,
                      deployment_id=deployment.id)
        uow.session.add(guide)
        stored.append(DeployedGuide(guide, new=True))
    uow.session.flush()
    uow.session.info.pop(_LATEST_BY_PROCESS, None)  # what this transaction read before is no longer the latest
    return stored


# ---- reading ---------------------------------------------------------------------------------------

def _latest(uow: UnitOfWork, code: str) -> Guide | None:
    return uow.session.scalars(select(Guide).where(Guide.code == code).order_by(Guide.version.desc()).limit(1)).first()


def _latest_definition_version(uow: UnitOfWork, key: str) -> int | None:
    return uow.session.scalar(select(func.max(ProcessDefinition.version)).where(ProcessDefinition.key == key))


_LATEST_BY_PROCESS = "govflow.latest_guides"


def latest_for_process(uow: UnitOfWork, process_key: str) -> Guide | None:
    """The most recently stored guide whose ``process`` is this definition key (caller's transaction).

    Read once per transaction: a case start asks for it for its clock, its departments and its documents.
    """
    memo = db.transaction_memo(uow.session, _LATEST_BY_PROCESS)
    if process_key not in memo:
        memo[process_key] = uow.session.scalars(select(Guide).where(Guide.process_key == process_key)
                                                .order_by(Guide.id.desc()).limit(1)).first()
    return cast(Guide | None, memo[process_key])


def current_bundles(uow: UnitOfWork) -> list[Guide]:
    """The guides of one-thing bundles as cases read them now (caller's transaction): each item's latest
    version that lists ``members``, where it is still the latest guide naming its process."""
    newest = select(Guide.code, func.max(Guide.version).label("v")).group_by(Guide.code).subquery()
    latest = uow.session.scalars(select(Guide).join(newest, (Guide.code == newest.c.code)
                                                    & (Guide.version == newest.c.v)).order_by(Guide.code))
    found = []
    for guide in latest:
        members = guide.content.get("members")
        applies = latest_for_process(uow, guide.process_key)
        if isinstance(members, list) and members and applies is not None and applies.id == guide.id:
            found.append(guide)
    return found


LICENCE = "01"  # administrative licensing in ITEM_TYPES: the items the Administrative Licensing Law governs


@dataclass(frozen=True)
class Limits:
    promised_days: int
    statutory_days: int
    calendar: str | None
    extension_days: int | None = None  # the guide's own extension allowance (None: 行政许可法 Art 42's)
    extension_basis: str | None = None  # the law that sets it
    item_type: str = LICENCE  # GB/T 39046 item type: Art 42 extends the time limits of licences alone


def limits_for(uow: UnitOfWork, process_key: str) -> Limits | None:
    """The time limits of the latest guide for a process, asked once per case when its clock starts. The
    guide's values win over the diagram's ``govflow.*`` properties."""
    guide = latest_for_process(uow, process_key)
    if guide is None:
        return None
    content = guide.content
    named = content.get("calendar")
    extension = content.get("extension") or {}
    return Limits(content["promised_days"], content["statutory_days"],
                  named if isinstance(named, str) and named.strip() else None,
                  extension.get("days"), extension.get("basis"), guide.item_type)


def listed_periods(content: dict[str, Any] | None) -> dict[str, int | None]:
    """The special procedures whose time is not counted that a guide lists (``excluded_periods``), in its
    order: kind -> the working days it may last (``max_days``; None where not a whole number)."""
    found: dict[str, int | None] = {}
    for period in (content or {}).get("excluded_periods") or []:
        if isinstance(period, dict) and isinstance(period.get("type"), str):
            days = period.get("max_days")
            found.setdefault(period["type"], days if isinstance(days, int) and not isinstance(days, bool) else None)
    return found


@dataclass
class CatalogueEntry:
    guide: Guide
    process_version: int | None  # the current (latest) version of the guide's process
    # 办理流程: the steps of that version (engine.guide_steps), on an item's own page; empty in listings
    steps: tuple[guide_steps.Step, ...] = ()


def is_public(content: dict[str, Any]) -> bool:
    """Whether the catalogue publishes the item: all but internal procedures (``"public": false``, such as
    the rectification of a 差评), which keep their guide for their time limits and rules."""
    return content.get("public") is not False


def catalogue(uow: UnitOfWork, *, q: str | None = None, department: str | None = None,
              item_type: str | None = None) -> list[CatalogueEntry]:
    """The latest guide of every published item, by code; ``q`` matches code or name (each of its words,
    contained), ``department`` the lead department's code (any case), ``item_type`` the GB/T 39046 type.
    Public: needs no actor (SX28)."""
    with uow:
        newest = select(Guide.code, func.max(Guide.version).label("v")).group_by(Guide.code).subquery()
        versions = (select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("pv"))
                    .group_by(ProcessDefinition.key).subquery())
        query = (select(Guide, versions.c.pv)
                 .join(newest, (Guide.code == newest.c.code) & (Guide.version == newest.c.v))
                 .outerjoin(versions, versions.c.key == Guide.process_key))
        for word in (q or "").split():  # 食品 许可: both words, anywhere in the name or the code
            query = query.where(Guide.code.icontains(word, autoescape=True) | Guide.name.icontains(word, autoescape=True))
        if department:
            query = query.where(func.upper(Guide.department_code) == department.strip().upper())
        if item_type:
            query = query.where(Guide.item_type == item_type)
        return [CatalogueEntry(guide, pv) for guide, pv in uow.session.execute(query.order_by(Guide.code))
                if is_public(guide.content)]


def get_entry(uow: UnitOfWork, code: str) -> CatalogueEntry:
    """The latest guide of a published item. Raises NotFound (also for an internal one)."""
    with uow:
        guide = _latest(uow, code)
        if guide is None or not is_public(guide.content):
            raise NotFound(f"no service item with code {code!r} in the catalogue")
        definition = uow.session.scalars(select(ProcessDefinition).where(ProcessDefinition.key == guide.process_key)
                                         .order_by(ProcessDefinition.version.desc()).limit(1)).first()
        if definition is None:
            return CatalogueEntry(guide, None)
        steps = guide_steps.of_diagram(definition.resource.content, definition.key)
        owners = _department_names(uow, {group for step in steps for group in step.groups})
        return CatalogueEntry(guide, definition.version, tuple(
            step._replace(department=next((owners[g] for g in step.groups if g in owners), None))
            for step in steps))


def _department_names(uow: UnitOfWork, groups: set[str]) -> dict[str, str]:
    """Group -> the name of the department set up here that it belongs to."""
    if not groups:
        return {}
    return dict(uow.session.execute(select(DepartmentGroup.group_name, Department.name)
                                    .join(Department, Department.code == DepartmentGroup.department_code)
                                    .where(DepartmentGroup.group_name.in_(sorted(groups)))).all())


def guides_by_process(files: list[tuple[str, bytes]]) -> dict[str, dict[str, Any]]:
    """Process key -> the guide (JSON) naming it, among files being deployed or linted (readable ones)."""
    found: dict[str, dict[str, Any]] = {}
    for name, content in files:
        if is_guide(name):
            data, _ = parse(name, content)
            if data is not None and isinstance(data.get("process"), str):
                found[data["process"]] = {**data, "_file": name}
    return found

