"""Guide (办事指南) validation: every rule of bpmn/README.md "The guide", with file, field path and line."""
from __future__ import annotations

import json
from typing import Any

import pytest

from engine import guides
from tests.helpers import ROOT

FOOD_GUIDE = ROOT / "bpmn" / "SCJG-XK-0001" / "guide.json"
NAME = "SCJG-XK-0001/guide.json"


def food() -> dict[str, Any]:
    return json.loads(FOOD_GUIDE.read_text(encoding="utf-8"))


def problems(data: dict[str, Any], name: str = NAME) -> list[tuple[str | None, str]]:
    return [(p.element, p.message) for p in guides.check(name, json.dumps(data, ensure_ascii=False, indent=2).encode())]


def paths(data: dict[str, Any], name: str = NAME) -> list[str | None]:
    return [element for element, _ in problems(data, name)]


def test_the_shipped_guides_and_the_readme_example_are_valid() -> None:
    for path in (FOOD_GUIDE, ROOT / "bpmn" / "window-acceptance" / "guide.json"):
        assert guides.check(f"{path.parent.name}/guide.json", path.read_bytes()) == []
    readme = (ROOT / "bpmn" / "README.md").read_text(encoding="utf-8")
    example = readme.split("```json", 1)[1].split("```", 1)[0]
    assert guides.check(NAME, example.encode()) == []


def test_the_readme_library_table_says_what_each_shipped_guide_says() -> None:
    """The README's table of items is what newcomers read first: its code, name (or its start), process,
    department and promised / statutory days must be the guides' own."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| item | name | process |", 1)[1].split("\n\n", 1)[0]
    rows = {cells[0].strip("`"): cells for line in table.splitlines()[2:]
            if (cells := [c.strip() for c in line.strip().strip("|").split("|")])}
    shipped = sorted((ROOT / "bpmn").glob("*/guide.json"))
    assert sorted(rows) == sorted(path.parent.name for path in shipped)
    for path in shipped:
        guide = json.loads(path.read_text(encoding="utf-8"))
        code, name, process, department, days = rows[path.parent.name][:5]
        assert (code.strip("`"), process.strip("`"), department, days) == (
            guide["code"], guide["process"], guide["department"]["name"],
            f"{guide['promised_days']} / {guide['statutory_days']}"), path.parent.name
        assert guide["name"].startswith(name), path.parent.name  # a long name may be shortened


def test_malformed_json_is_reported_with_its_line() -> None:
    text = FOOD_GUIDE.read_text(encoding="utf-8").replace('"type": "01",', '"type": "01"', 1)
    [problem] = guides.check(NAME, text.encode())
    assert problem.line == 5 and problem.message.startswith("malformed JSON")
    assert guides.check(NAME, b"[1, 2]")[0].message.startswith("a guide is a JSON object")
    assert guides.check(NAME, "\ufffe".encode("utf-16"))[0].message == "guide is not UTF-8 text"


def test_a_missing_field_names_its_path_and_the_line_of_the_object_lacking_it() -> None:
    data = food()
    del data["materials"][2]["form"]
    text = json.dumps(data, ensure_ascii=False, indent=2)
    [problem] = guides.check(NAME, text.encode())
    assert problem.element == "materials[2].form" and "required field 'materials[2].form'" in problem.message
    assert problem.file == NAME and problem.line is not None
    # The line of materials[2]'s opening brace.
    assert text.splitlines()[problem.line - 1].strip() == "{"
    assert '"name": "与食品经营相适应的主要设备设施' in text.splitlines()[problem.line]


def test_an_invalid_value_points_at_its_own_line() -> None:
    text = FOOD_GUIDE.read_text(encoding="utf-8").replace('"level": "city"', '"level": "capital"')
    [problem] = guides.check(NAME, text.encode())
    assert problem.element == "level" and "'capital'" in problem.message and problem.line is not None
    assert '"level": "capital"' in text.splitlines()[problem.line - 1]


@pytest.mark.parametrize("field", ["code", "name", "type", "case_type", "level", "process", "department",
                                   "legal_basis", "promised_days", "statutory_days", "acceptance_conditions",
                                   "materials", "fees", "delivery_methods", "excluded_periods", "channels"])
def test_every_required_field_is_required(field: str) -> None:
    data = food()
    del data[field]
    assert paths(data) == [field]


@pytest.mark.parametrize("field", ["co_departments", "calendar", "supervision", "rating"])
def test_optional_fields_may_be_left_out(field: str) -> None:
    data = food()
    del data[field]
    assert problems(data) == []


@pytest.mark.parametrize("change, path", [
    ({"type": "31"}, "type"),
    ({"case_type": 2}, "case_type"),
    ({"promised_days": "10"}, "promised_days"),
    ({"promised_days": -1}, "promised_days"),
    ({"statutory_days": 20.5}, "statutory_days"),
    ({"department": {"code": "SCJG"}}, "department.name"),
    ({"department": "SCJG"}, "department"),
    ({"co_departments": [{"code": "", "name": "卫生健康委"}]}, "co_departments[0].code"),
    ({"legal_basis": []}, "legal_basis"),
    ({"delivery_methods": ["window", "drone"]}, "delivery_methods[1]"),
    ({"delivery_methods": ["window", "window"]}, "delivery_methods[1]"),
    ({"fees": [{"name": "工本费", "amount": -5, "basis": "无"}]}, "fees[0].amount"),
    ({"excluded_periods": [{"type": "lunch", "max_days": 1}]}, "excluded_periods[0].type"),
    ({"excluded_periods": [{"type": "inspection", "max_days": 0}]}, "excluded_periods[0].max_days"),
    ({"channels": {"consultation": "12345"}}, "channels.complaint"),
    ({"supervision": {"remind_days": "1"}}, "supervision.remind_days"),
    ({"rating": {"rectify_days": 0}}, "rating.rectify_days"),
    ({"calendar": ""}, "calendar"),
])
def test_each_invalid_value_is_reported_by_its_path(change: dict[str, Any], path: str) -> None:
    assert paths({**food(), **change}) == [path]


@pytest.mark.parametrize("index, key, value", [
    (0, "form", "scan"), (1, "copies", "one"), (2, "electronic", "yes"), (3, "key", 1), (4, "name", ""),
    (5, "departments", ["WJW"]),
])
def test_each_material_field_is_checked(index: int, key: str, value: Any) -> None:
    data = food()
    data["materials"][index][key] = value
    expected = f"materials[{index}].{key}" + ("[0]" if key == "departments" else "")
    assert paths(data) == [expected]


def test_a_material_list_has_no_catch_alls_and_no_duplicates() -> None:
    data = food()
    data["materials"].append({"name": "其他相关材料", "form": "copy", "copies": 1})
    data["materials"].append({"name": "食品经营许可申请书", "form": "copy", "copies": 1})
    found = problems(data)
    assert [p for p, _ in found] == ["materials[7].name", "materials[8].name"]
    assert "catch-all" in found[0][1] and "listed twice (also materials[0])" in found[1][1]
    for vague in ("其他材料", "有关材料", "相关材料", "营业执照等材料"):
        data = food()
        data["materials"][0]["name"] = vague
        assert paths(data) == ["materials[0].name"], vague


def test_promised_days_may_not_exceed_statutory_days() -> None:
    [(path, message)] = problems({**food(), "promised_days": 25})
    assert path == "promised_days" and "exceeds statutory_days 10" in message
    assert problems({**food(), "promised_days": 10}) == []  # equal limits are allowed


def test_an_on_the_spot_item_promises_zero_days() -> None:
    assert paths({**food(), "case_type": "1"}) == ["promised_days"]
    assert problems({**food(), "case_type": "1", "promised_days": 0}) == []


def test_the_code_is_the_item_folder_name() -> None:
    [(path, message)] = problems(food(), name="SCJG-XK-0002/guide.json")
    assert path == "code" and "'SCJG-XK-0002'" in message
    assert problems(food(), name="bpmn/SCJG-XK-0001/guide.json") == []
    assert problems(food(), name="guide.json") == []  # no folder to compare with
    assert paths({**food(), "code": "SCJG XK/1"}, name="guide.json") == ["code"]


def test_undocumented_fields_are_kept_unchecked() -> None:
    data = {**food(), "online_url": "https://zwfw.example.gov.cn/item/SCJG-XK-0001", "rating": {"rectify_days": 5,
                                                                                             "per_contact": True}}
    assert problems(data) == []


def test_value_lines_follow_nested_paths() -> None:
    text = '{\n  "a": [\n    {"b": 1},\n    {\n      "c": [true, null]\n    }\n  ],\n  "d": "x"\n}'
    lines = guides.value_lines(text)
    assert lines["a"] == 2 and lines["a[0].b"] == 3 and lines["a[1]"] == 4 and lines["a[1].c[1]"] == 5
    assert lines["d"] == 8


def test_nan_and_infinity_are_not_json_and_are_refused_not_crashed_on() -> None:
    for token in ("NaN", "Infinity", "-Infinity"):
        text = json.dumps(food(), ensure_ascii=False, indent=2).replace('"promised_days": 10', f'"promised_days": {token}')
        [problem] = guides.check(NAME, text.encode())
        assert problem.message == f"malformed JSON: {token} is not a JSON number"


def test_texts_stored_in_columns_are_bounded() -> None:
    guide = food()
    guide["department"] = {"code": "S" * 51, "name": "市场监督管理局"}
    assert ("department.code", "department.code may be at most 50 characters") in problems(guide)
    assert ("name", "name may be at most 500 characters") in problems({**food(), "name": "许" * 501})
    long_material = food()
    long_material["materials"][0]["name"] = "申" * 201  # Material.name and MaterialMark.name hold 200
    assert ("materials[0].name", "materials[0].name may be at most 200 characters") in problems(long_material)


def test_a_bundle_s_members_name_their_process_department_and_verdict() -> None:
    bundle_path = ROOT / "bpmn" / "SCJG-YJS-0001" / "guide.json"
    bundle = json.loads(bundle_path.read_text(encoding="utf-8"))
    name = "SCJG-YJS-0001/guide.json"
    assert guides.check(name, bundle_path.read_bytes()) == []
    first, second = bundle["members"][0], bundle["members"][1]
    bundle["members"] = [
        {**first, "department": {"code": "WJW", "name": "卫生健康委员会"}},  # not a department of the bundle
        {**second, "process": first["process"], "verdict": "food licence"},  # listed twice; not a name
        {"name": "无流程", "department": first["department"], "legal_basis": [""]},
        {**second, "process": bundle["process"]},
        "restaurant_food_licence",
    ]
    found = dict(problems(bundle, name))
    assert "is neither the department nor a co-department of the bundle" in found["members[0].department"]
    assert "is listed twice (also members[0])" in found["members[1].process"]
    assert "'food licence' is not a variable name" in found["members[1].verdict"]
    assert "required field 'members[2].process' is missing" in found["members[2].process"]
    assert found["members[2].legal_basis[0]"] == "members[2].legal_basis[0] must be a non-empty string"
    assert "is the bundle's own process" in found["members[3].process"]
    assert found["members[4]"] == "members[4] must be an object"


def test_the_library_names_each_department_one_way() -> None:
    """The catalogue lists a department under the name its guides give it: one code, one name."""
    import json
    from collections import defaultdict
    from pathlib import Path

    names: dict[str, set[str]] = defaultdict(set)
    for path in (Path(__file__).resolve().parents[2] / "bpmn").glob("*/guide.json"):
        content = json.loads(path.read_text(encoding="utf-8"))
        for department in [content["department"], *content.get("co_departments", []),
                           *(m["department"] for m in content.get("members", []))]:
            names[department["code"]].add(department["name"])
    assert len(names) >= 5
    assert {code: found for code, found in names.items() if len(found) > 1} == {}
