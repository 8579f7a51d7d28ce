"""DMN input entries (FEEL simple unary tests) and values, translated to the Python SpiffWorkflow runs."""
from __future__ import annotations

from typing import Any

import pytest

from engine.expressions import ExpressionError, feel_unary_tests, feel_value


def matches(entry: str, value: Any, **data: Any) -> bool:
    """Evaluate a translated entry the way SpiffWorkflow does: '?' stands for the input value."""
    python = feel_unary_tests(entry)
    return True if python is None else eval(python.replace("?", "dmn_input"), {"dmn_input": value, **data})


@pytest.mark.parametrize(("entry", "value", "expected"), [
    ('"a","b"', "b", True), ('"a","b"', "c", False),  # as Python this is a tuple, never equal to the input
    ("[1..8]", 1, True), ("[1.. 8]", 8, True), ("]1..8[", 1, False), ("(1..8)", 7.5, True), ("[1..8[", 8, False),
    ("< 250", 249.99, True), ("<=95", 96, False), (">= 6", 6, True), ("!= 3", 3, False), ("= 3", 3, True),
    ('not("Wale")', "Clams", True), ('not ("Wale")', "Wale", False), ('not("a", "b")', "b", False),
    ("true", True, True), ("false", True, False), ("null", None, True), ("-25", -25, True),
    ("0, >5", 0, True), ("0, >5", 3, False), ("0, >5", 6, True),
    ('"Won\'t Pay"', "Won't Pay", True), ("-", "anything", True), ("", None, True),
])
def test_a_feel_unary_test_matches_what_camunda_matches(entry: str, value: Any, expected: bool) -> None:
    assert matches(entry, value) is expected


def test_a_unary_test_may_compare_with_another_variable() -> None:
    assert matches("> limit.max", 11, limit={"max": 10}) is True


def test_translated_tests_keep_quote_characters_out_of_the_way_of_spiffs_question_mark() -> None:
    # SpiffWorkflow replaces '?' only outside quotes, counting quote characters of both kinds.
    assert feel_unary_tests('"it\'s", "a \\"b\\""') == "(? == 'it\\x27s') or (? == 'a \\x22b\\x22')"


@pytest.mark.parametrize("entry", ["x in y", 'date("2020-01-01")', "[1..", "> ", "not(1"])
def test_anything_outside_simple_unary_tests_is_an_error(entry: str) -> None:
    with pytest.raises(ExpressionError):
        feel_unary_tests(entry)


def test_feel_values_are_literals_or_variable_paths() -> None:
    assert feel_value('"day-to-day expense"') == "'day-to-day expense'"
    assert feel_value("application.applicant.age") == "application['applicant']['age']"
    assert (feel_value("true"), feel_value("null"), feel_value("-80"), feel_value("2.5")) == ("True", "None", "-80", "2.5")
    with pytest.raises(ExpressionError):
        feel_value("a + b")
