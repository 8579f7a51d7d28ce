"""The FEEL subset of form conditions: parsing, FEEL's null logic, and refusing everything else."""
from __future__ import annotations

from typing import Any

import pytest

from engine import feel

DATA = {"accepted": True, "amount": 1200, "kind": "company", "missing_materials": ["id_card"],
        "applicant": {"type": "person", "address": {"city": "深圳"}}, "zero": 0, "empty": ""}


@pytest.mark.parametrize(("text", "expected"), [
    ("accepted", True),
    ("accepted = true", True),
    ("accepted = false", False),
    ("amount > 1000", True),
    ("amount >= 1200 and amount <= 1200", True),
    ("amount < 1000", False),
    ("amount != 1200", False),
    ("kind = \"company\"", True),
    ("kind < \"d\"", True),
    ("applicant.type = \"person\"", True),
    ("applicant.address.city = \"深圳\"", True),
    ("applicant.address.street = null", True),
    ("nothing = null", True),
    ("nothing.deeper = null", True),
    ("zero = null", False),
    ("empty = null", False),
    ("zero != null", True),
    ("-1 < zero", True),
    ("1.5 > 1", True),
    ("not(accepted)", False),
    ("not(amount > 5000)", True),
    ("not(kind = \"company\") or amount > 1000", True),
    ("kind = \"person\" or accepted and amount > 1000", True),
    ("(kind = \"person\" or accepted) and amount > 5000", False),
    ("kind in [\"company\", \"individual\"]", True),
    ("kind in (\"person\", \"individual\")", False),
    ("\"id_card\" in missing_materials", True),
    ("amount in [1, 2]", False),
    ("missing_materials = [\"id_card\"]", True),
    ("true", True),
    ("null = null", True),
    ("\"say \\\"hi\\\"\" = \"say \\\"hi\\\"\"", True),
])
def test_supported_expressions_evaluate_like_feel(text: str, expected: Any) -> None:
    assert feel.parse(text).evaluate(DATA) == expected


@pytest.mark.parametrize("text", [
    "amount = \"1200\"",  # a number is not a string
    "accepted = 1",  # nor a boolean
    "nothing > 5",  # ordering null
    "accepted < true",  # ordering booleans
    "amount > \"5\"",  # ordering mixed types
    "not(kind)",  # not() of a non-boolean
    "nothing and accepted",  # null and true
    "nothing or false",  # null or false
])
def test_incomparable_values_give_null_as_in_feel(text: str) -> None:
    assert feel.parse(text).evaluate(DATA) is None
    assert feel.parse(text).is_true(DATA) is False


def test_three_valued_logic_lets_a_definite_operand_decide() -> None:
    assert feel.parse("nothing > 1 or accepted").evaluate(DATA) is True
    assert feel.parse("nothing > 1 and false").evaluate(DATA) is False


def test_only_a_boolean_true_counts_as_met() -> None:
    assert feel.parse("kind").is_true(DATA) is False  # a non-empty string is not true in FEEL
    assert feel.parse("accepted").is_true(DATA) is True


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty expression"),
    ("amount + 1 > 2", "arithmetic is not supported"),
    ("amount > 1 * 2", "arithmetic is not supported"),
    ("count(missing_materials) > 1", "function 'count' is not supported"),
    ("is defined(amount)", "expected the end of the expression"),
    ("amount = = 1", "expected a value"),
    ("amount =", "expected a value"),
    ("(accepted", "expected ')'"),
    ("kind in [\"a\", \"b\"", "expected ']'"),
    ("amount in [1..3]", "expected ']'"),
    ("kind = 'company'", "unexpected character \"'\""),
    ("applicant.", "expected a field name after '.'"),
    ("applicant.and", "expected a field name after '.'"),
    ("accepted and", "expected a value"),
    ("amount > 1 amount", "expected the end of the expression"),
    ("a = b = c", "expected the end of the expression"),
])
def test_anything_outside_the_subset_is_refused_with_where_and_why(text: str, message: str) -> None:
    with pytest.raises(feel.FeelError) as caught:
        feel.parse(text)
    assert message in str(caught.value)
    if text:
        assert repr(text) in str(caught.value)
