"""Variables from outside: JSON objects of plain values whose names scripts can use."""
from __future__ import annotations

import pytest

from engine.errors import ValidationFailed
from engine.variables import MAX_DEPTH, check_variables


def _fields(variables: object) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        check_variables(variables)
    return {d["field"]: d["message"] for d in caught.value.details}


def test_plain_json_values_pass_unchanged():
    variables = {"name": "张三", "amount": 12.5, "items": [{"kind": "id card", "copies": 2}], "ok": True, "x": None}
    assert check_variables(variables) is variables
    assert check_variables(None) == {}


def test_names_must_be_identifiers_not_starting_with_an_underscore():
    assert set(_fields({"bad name": 1, "1st": 2, "_hidden": 3, "fine": 4})) == {
        "variables.bad name", "variables.1st", "variables._hidden"}


def test_a_typename_key_anywhere_is_reserved():
    assert "variables.form.typename" in _fields({"form": {"typename": "BpmnWorkflow"}})


def test_non_finite_numbers_integers_beyond_64_bits_and_deep_nesting_are_refused():
    deep: object = 1
    for _ in range(MAX_DEPTH + 2):
        deep = [deep]
    problems = _fields({"nan": float("nan"), "deep": deep, "big": [2**63], "small": -(2**63) - 1})
    assert problems["variables.nan"] == "numbers must be finite"
    assert problems["variables.big.0"] == problems["variables.small"] == (
        "integers must fit in 64 bits; send larger numbers as strings")
    assert check_variables({"edge": [2**63 - 1, -(2**63)]})["edge"] == [2**63 - 1, -(2**63)]
    assert any(field.startswith("variables.deep.0") and "deeper" in message for field, message in problems.items())


def test_variables_must_be_an_object():
    assert _fields([1, 2]) == {"variables": "not an object"}
