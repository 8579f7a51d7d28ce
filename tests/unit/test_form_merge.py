"""Merging member forms of a one-thing bundle (engine.form_merge.merge): union by data key, shared fields
once, rules combined strictly, incompatible definitions refused naming both forms."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest

from engine._form_compiler import compile_form
from engine.errors import ValidationFailed
from engine.form_merge import FormConflict, merge


def form(form_id: str, *components: dict[str, Any]) -> dict[str, Any]:
    return {"type": "default", "id": form_id, "components": list(components)}


def text(key: str, **validate: Any) -> dict[str, Any]:
    return {"type": "textfield", "key": key, "label": key, "id": f"F_{key}", "validate": validate}


def test_a_field_asked_by_two_forms_must_match_both_patterns():
    merged, shared = merge([("a.form", form("a", text("code", pattern="^[A-Z]"))),
                            ("b.form", form("b", text("code", pattern="[0-9]$")))], form_id="m")
    assert shared == ["code"]
    pattern = re.compile(merged["components"][0]["components"][0]["validate"]["pattern"])
    assert [bool(pattern.search(v)) for v in ("A12", "A1b", "a12")] == [True, False, False]
    compiled = compile_form("m.form", json.dumps(merged).encode())
    assert compiled.validate({"code": "B7"}, {}) == {"code": "B7"}
    with pytest.raises(ValidationFailed) as failed:
        compiled.validate({"code": "B"}, {})
    assert failed.value.details[0]["field"] == "code"


def test_groups_dissolve_into_dotted_keys_and_unshared_fields_stay_with_their_form():
    grouped = {"type": "group", "id": "G", "label": "申请人", "path": "applicant",
               "components": [text("name", required=True), text("phone")]}
    merged, shared = merge([("a.form", form("a", grouped, text("purpose"))),
                            ("b.form", form("b", text("applicant.name", maxLength=20)))], form_id="m")
    assert shared == ["applicant.name"]
    [common, first] = merged["components"]
    assert common["components"][0]["validate"] == {"required": True, "maxLength": 20}
    assert [c["key"] for c in first["components"]] == ["applicant.phone", "purpose"]
    assert compile_form("m.form", json.dumps(merged).encode()).validate(
        {"applicant": {"name": "张三"}, "purpose": "x"}, {}) == {"applicant": {"name": "张三"}, "purpose": "x"}


@pytest.mark.parametrize("ours, theirs, message", [
    ({"type": "radio", "values": [{"value": "a"}, {"value": "b"}]},
     {"type": "radio", "values": [{"value": "a"}, {"value": "c"}]}, "options"),
    ({"type": "textfield", "validate": {"minLength": 10}}, {"type": "textfield", "validate": {"maxLength": 5}},
     "no value satisfies both"),
    ({"type": "textfield", "validate": {"validationType": "email"}},
     {"type": "textfield", "validate": {"validationType": "phone"}}, "validationType"),
    ({"type": "textfield", "conditional": {"hide": "=x"}}, {"type": "textfield"}, "conditional"),
    ({"type": "number"}, {"type": "textfield"}, "type number vs textfield"),
])
def test_incompatible_definitions_are_refused_naming_the_field_and_both_forms(ours, theirs, message):
    with pytest.raises(FormConflict) as conflict:
        merge([("a.form", form("a", {**ours, "key": "k", "id": "A"})),
               ("b.form", form("b", {**theirs, "key": "k", "id": "B"}))], form_id="m")
    [detail] = conflict.value.details
    assert (detail["field"], detail["forms"]) == ("k", ["a.form", "b.form"]) and message in detail["message"]


def test_a_group_with_its_own_condition_cannot_be_merged():
    grouped = {"type": "group", "id": "G", "path": "p", "conditional": {"hide": "=true"}, "components": [text("x")]}
    with pytest.raises(FormConflict) as conflict:
        merge([("a.form", form("a", grouped))], form_id="m")
    assert "group" in conflict.value.message and conflict.value.details[0]["forms"] == ["a.form"]
