"""JUEL operators coerce their operands as Camunda 7 does (EL 2.2, as JUEL implements it).

Each case is translated and run the way the engine runs a condition (task data as globals, the
JUEL helpers beside it); Python's own operators would answer most of them differently.
"""
from typing import Any

import pytest
from RestrictedPython.compile import compile_restricted_eval

from engine.expressions import JUEL_FUNCTIONS, JuelCoercionError, feel_unary_tests, to_python, translate_juel


def evaluate(text: str, **data: Any) -> Any:
    return eval(translate_juel(text), {"__builtins__": {}, **JUEL_FUNCTIONS, **data})


# --- == and != -----------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b, expected", [
    # null: equal only to null
    (None, None, True), (None, 0, False), (0, None, False), (None, "", False), (None, False, False),
    # a boolean against a string: Boolean.valueOf, case-insensitive, anything else is false
    (True, "true", True), (True, "TRUE", True), (True, "True", True), ("true", True, True),
    (False, "false", True), (False, "no", True), (True, "yes", False), (True, "1", False),
    (False, "", True), (True, "", False), (True, True, True), (True, False, False),
    # an integer against a string: the string read as a whole number
    (1, "1", True), ("1", 1, True), (1, "01", True), (2, "1", False), (-3, "-3", True), (0, "", True),
    # a float against a string or a number: compared as floats
    (1.5, "1.5", True), ("2.50", 2.5, True), (1.0, "1.0", True), (1000.0, "1e3", True), (1, 1.0, True),
    (2.0, "2", True), (0.1, "0.10", True), (1.0, "1.5", False),
    # a string against a string, and other values as they are
    ("a", "a", True), ("a", "A", False), ("", "", True), ([1], [1], True), ({"a": 1}, {"a": 2}, False),
    # a string against a non-string, non-number, non-boolean: both rendered as strings
    ("[1]", [1], True),
])
def test_equality_coerces_like_juel(a: Any, b: Any, expected: bool) -> None:
    assert evaluate("${a == b}", a=a, b=b) is expected
    assert evaluate("${a eq b}", a=a, b=b) is expected
    assert evaluate("${a != b}", a=a, b=b) is (not expected)
    assert evaluate("${a ne b}", a=a, b=b) is (not expected)


def test_a_checkbox_boolean_equals_the_string_a_modeler_writes() -> None:
    """The reported bug: ${approved == "true"} with approved from a checkbox took the other branch."""
    assert evaluate('${approved == "true"}', approved=True) is True
    assert evaluate('${approved == "true"}', approved=False) is False
    assert evaluate('${approved != "true"}', approved=False) is True
    assert evaluate("${approved == 'false'}", approved=False) is True


def test_literals_in_the_expression_coerce_too() -> None:
    assert evaluate("${'5' == 5}") is True
    assert evaluate("${true == 'true'}") is True
    assert evaluate("${null == null}") is True
    assert evaluate("${count == '3' && kind == 'x'}", count=3, kind="x") is True


# --- <, >, <=, >= ----------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b, lt, gt", [
    (1, 2, True, False), (2, 1, False, True), (1, 1, False, False),
    # a string against a number: read as a number, not compared as text ("10" < "9" as strings)
    ("10", 9, False, True), (9, "10", True, False), ("2.5", 3.0, True, False), (3.0, "2.5", False, True),
    (1000.0, "1e3", False, False), (0.5, "", False, True), ("", 1, True, False),
    (1, 1.5, True, False), (2.0, 2, False, False),
    # strings against strings: lexically (UTF-16 code units, as String.compareTo)
    ("10", "9", True, False), ("abc", "abd", True, False), ("b", "a", False, True), ("a", "a", False, False),
    ("\uffff", "\U0001f600", False, True),  # Python's code points would order these the other way
    # a boolean against a string: both as strings; booleans against booleans: false < true
    (True, "u", True, False), (False, True, True, False),
])
def test_relational_operators_coerce_like_juel(a: Any, b: Any, lt: bool, gt: bool) -> None:
    assert evaluate("${a < b}", a=a, b=b) is lt
    assert evaluate("${a lt b}", a=a, b=b) is lt
    assert evaluate("${a > b}", a=a, b=b) is gt
    assert evaluate("${a gt b}", a=a, b=b) is gt
    assert evaluate("${a <= b}", a=a, b=b) is (not gt)
    assert evaluate("${a le b}", a=a, b=b) is (not gt)
    assert evaluate("${a >= b}", a=a, b=b) is (not lt)
    assert evaluate("${a ge b}", a=a, b=b) is (not lt)


@pytest.mark.parametrize("a, b", [(None, 1), (1, None), (None, "a"), ("a", None), (None, True)])
def test_a_null_operand_makes_every_relational_operator_false(a: Any, b: Any) -> None:
    for op in ("<", ">", "<=", ">="):
        assert evaluate(f"${{a {op} b}}", a=a, b=b) is False, op


def test_null_against_null_is_equal_but_not_less_or_greater() -> None:
    assert [evaluate(f"${{a {op} b}}", a=None, b=None) for op in ("<", ">", "<=", ">=")] == [False, False, True, True]


def test_numbers_typed_in_a_form_as_text_compare_as_numbers() -> None:
    assert evaluate("${amount > 1000}", amount="1500") is True
    assert evaluate("${amount > 1000}", amount="999") is False
    assert evaluate("${amount >= 1000.5}", amount="1000.5") is True


# --- coercion failures ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, data, named", [
    ("${a == 1}", {"a": "abc"}, "'abc'"),
    ("${a != 1}", {"a": "abc"}, "'abc'"),
    ("${a > 1}", {"a": "abc"}, "'abc'"),
    ("${a <= 1.5}", {"a": "1,5"}, "'1,5'"),
    ("${a == 2}", {"a": " 2"}, "' 2'"),            # Long.valueOf takes no spaces
    ("${a == 1}", {"a": True}, "true"),             # a boolean is no number
    ("${a < 1}", {"a": False}, "false"),
    ("${a == true}", {"a": [1]}, "[1]"),            # nor is a list a boolean
    ("${a < b}", {"a": [1], "b": [2]}, "[1]"),      # lists have no order
    ("${a > b}", {"a": {"k": 1}, "b": {"k": 2}}, "{'k': 1}"),
    ("${a < 1}", {"a": "Infinity x"}, "'Infinity x'"),
    ("${a == 1}", {"a": "1.x"}, "'1.x'"),           # neither a whole number nor a decimal one
])
def test_a_value_that_cannot_be_coerced_is_a_clear_error(text: str, data: dict[str, Any], named: str) -> None:
    with pytest.raises(JuelCoercionError) as caught:
        evaluate(text, **data)
    message = str(caught.value)
    assert message.startswith("cannot evaluate ") and named in message
    assert isinstance(caught.value, ValueError)


def test_an_integer_against_a_string_written_with_a_dot_compares_as_floats() -> None:
    """Strict EL coerces both operands to Long when either is a whole number, and Long.valueOf("1.0") fails
    (Camunda raises an ELException). A form's number sent as text ("99.90") against ${amount > 100} would
    then fail the step, where the answer is plain: such a string is read as a decimal number."""
    assert evaluate('${count == "1.0"}', count=1) is True
    assert evaluate("${amount > 1}", amount="2.5") is True
    assert evaluate("${amount > 1000}", amount="1e3") is False
    assert evaluate("${amount >= 1000}", amount="1e3") is True
    assert evaluate('${count == "1.5"}', count=1) is False


def test_the_error_says_what_the_value_should_have_been() -> None:
    with pytest.raises(JuelCoercionError, match=r"cannot evaluate 'abc' > 1: JUEL compares them as whole "
                                                 r"numbers and 'abc' is not a whole number"):
        evaluate("${a > 1}", a="abc")
    with pytest.raises(JuelCoercionError, match=r"true == 1: .* true is not a whole number"):
        evaluate("${a == 1}", a=True)


# --- !, &&, || and the ?: condition: operands coerced to booleans ---------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), (None, False), ("", False),
    # Boolean.valueOf: "true" in any case is true, every other string is false
    ("true", True), ("TRUE", True), ("True", True), ("false", False), ("FALSE", False), ("yes", False), ("1", False),
])
def test_logical_operators_coerce_their_operands_to_booleans(value: Any, expected: bool) -> None:
    assert evaluate("${!v}", v=value) is (not expected)
    assert evaluate("${not v}", v=value) is (not expected)
    assert evaluate("${v && true}", v=value) is expected
    assert evaluate("${true and v}", v=value) is expected
    assert evaluate("${v || false}", v=value) is expected
    assert evaluate("${false or v}", v=value) is expected
    assert evaluate("${v ? 'yes' : 'no'}", v=value) == ("yes" if expected else "no")


def test_a_forms_false_is_false() -> None:
    """The reported bug: ${!approved} with a form's "false" was False, and ${approved && x} truthy."""
    assert evaluate("${!approved}", approved="false") is True
    assert evaluate("${approved && x}", approved="false", x=True) is False
    assert evaluate("${approved ? 'granted' : 'refused'}", approved="false") == "refused"


def test_and_and_or_give_booleans_and_short_circuit() -> None:
    assert evaluate("${a && b}", a="true", b="TRUE") is True
    assert evaluate("${a || b}", a="", b="true") is True
    # The right operand is neither evaluated nor coerced once the left one decides, as in JUEL.
    assert evaluate("${a && b}", a=False, b=5) is False
    assert evaluate("${a || b}", a="true", b=[1]) is True
    assert evaluate("${a ? 1 : b}", a=True, b=[1]) == 1


@pytest.mark.parametrize("text, data", [
    ("${!a}", {"a": 5}),
    ("${not a}", {"a": 0}),
    ("${a && true}", {"a": 1}),
    ("${true && a}", {"a": [1]}),
    ("${false || a}", {"a": {"k": 1}}),
    ("${a or false}", {"a": 1.5}),
    ("${a ? 'x' : 'y'}", {"a": 0}),
])
def test_a_value_that_is_no_boolean_is_a_clear_error(text: str, data: dict[str, Any]) -> None:
    [value] = data.values()
    with pytest.raises(JuelCoercionError, match=r"^cannot evaluate .* as true or false: JUEL takes the operands of "
                                                r"!, &&, \|\| and \?: as booleans and .* is not a boolean$") as caught:
        evaluate(text, **data)
    assert f"and {value!r} is not a boolean" in str(caught.value)


# --- arithmetic: operands coerced to numbers (EL 2.2 section 1.7) -------------------------------------------

@pytest.mark.parametrize("text, data, expected", [
    # strings are read as numbers, never concatenated; null and "" are 0
    ('${"3" + 1}', {}, 4), ("${a + b}", {"a": "3", "b": "1"}, 4), ("${a + 1}", {"a": None}, 1),
    ("${a + b}", {"a": None, "b": None}, 0), ("${a - 1}", {"a": ""}, -1), ("${a * b}", {"a": "4", "b": "-2"}, -8),
    # a float, or a string written with '.', 'e' or 'E', makes both floats; otherwise both stay whole numbers
    ("${a * 2}", {"a": "1.5"}, 3.0), ("${a + 1}", {"a": "1e3"}, 1001.0), ("${a - b}", {"a": 2, "b": 0.5}, 1.5),
    ("${a + 1}", {"a": " 2.5 "}, 3.5),  # Double.valueOf ignores surrounding spaces
    # / and div always give a float
    ("${a / b}", {"a": "7", "b": 2}, 3.5), ("${a div b}", {"a": 8, "b": 4}, 2.0), ("${a / b}", {"a": None, "b": None}, 0),
    # % and mod: whole numbers stay whole; the remainder takes the dividend's sign, as in Java
    ("${a % b}", {"a": "7", "b": 3}, 1), ("${a mod b}", {"a": -7, "b": 3}, -1), ("${a % b}", {"a": 7, "b": -3}, 1),
    ("${a % b}", {"a": "-7.5", "b": 2}, -1.5), ("${a mod b}", {"a": 7.5, "b": 2}, 1.5),
    # unary minus
    ("${-a}", {"a": "5"}, -5), ("${-a}", {"a": "2.5"}, -2.5), ("${-a}", {"a": None}, 0), ("${-a}", {"a": 1.5}, -1.5),
    # and the result compares as a number
    ("${a + 1 > 3}", {"a": "3"}, True),
])
def test_arithmetic_coerces_its_operands_to_numbers(text: str, data: dict[str, Any], expected: Any) -> None:
    result = evaluate(text, **data)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize("text, data, message", [
    ("${a + 1}", {"a": "abc"}, "'abc' + 1: JUEL calculates with them as whole numbers and 'abc' is not a whole number"),
    ("${a + b}", {"a": "核查：", "b": "张三"}, "'核查：' is not a whole number"),  # no string concatenation
    ("${a * 2}", {"a": "1,5"}, "'1,5' is not a whole number"),
    ("${a + 1}", {"a": "yes"}, "'yes' + 1: JUEL calculates with them as numbers and 'yes' is not a number"),
    ("${a - 1}", {"a": True}, "true is not a whole number"),
    ("${a - b}", {"a": 1.5, "b": False}, "false is not a number"),
    ("${a + 1}", {"a": [1]}, "[1] is not a whole number"),
    ("${a / 2}", {"a": "x"}, "'x' / 2: JUEL calculates with them as numbers and 'x' is not a number"),
    ("${a % 2}", {"a": {"k": 1}}, "{'k': 1} is not a whole number"),
    ("${-a}", {"a": "abc"}, "-'abc': JUEL negates numbers only and 'abc' is not a whole number"),
    ("${-a}", {"a": True}, "-true: JUEL negates numbers only and true is not a number"),
    ("${a / b}", {"a": 1, "b": 0}, "1 / 0: division by zero"),
    ("${a % b}", {"a": 1, "b": "0"}, "1 % '0': division by zero"),
    ("${a mod b}", {"a": 1.5, "b": 0.0}, "1.5 % 0.0: division by zero"),
])
def test_arithmetic_on_a_value_that_is_no_number_is_a_clear_error(text: str, data: dict[str, Any], message: str) -> None:
    with pytest.raises(JuelCoercionError) as caught:
        evaluate(text, **data)
    assert str(caught.value).startswith("cannot evaluate ") and str(caught.value).endswith(message)


# --- same-typed values answer as before, and the translation stays in the sandbox ------------------------

@pytest.mark.parametrize("a, b", [(1, 2), (2, 2), (2.5, 1), ("a", "b"), ("b", "b"), (True, False), (False, False)])
def test_same_typed_operands_answer_as_python_did(a: Any, b: Any) -> None:
    for op in ("==", "!=", "<", ">", "<=", ">="):
        assert evaluate(f"${{a {op} b}}", a=a, b=b) is eval(f"a {op} b", {"a": a, "b": b}), op


def test_comparisons_translate_to_the_helpers_and_compile_in_the_sandbox() -> None:
    code = translate_juel("${a == 'x' && b != 1 || c < 2 && d > 3 || e <= 4 && f >= 5}")
    assert code == ("(((juel_eq(a, 'x') and juel_ne(b, 1)) or (juel_lt(c, 2) and juel_gt(d, 3))) "
                    "or (juel_le(e, 4) and juel_ge(f, 5)))")
    assert compile_restricted_eval(code).errors == ()
    assert translate_juel("Total: ${n > 1 ? 'many' : 'one'}") == "'Total: ' + juel_str(('many' if juel_gt(n, 1) else 'one'))"


def test_logic_and_arithmetic_translate_to_the_helpers_and_compile_in_the_sandbox() -> None:
    """Operands that are booleans already (comparisons, !, &&, ||, empty, true, false) are not coerced again,
    and a negative number literal stays a literal."""
    assert translate_juel("${!ok && (n + 1) * -2 > -3}") == \
        "((not juel_bool(ok)) and juel_gt(juel_mul(juel_add(n, 1), (-2)), (-3)))"
    assert translate_juel("${a || empty s || true}") == "((juel_bool(a) or juel_empty(s)) or True)"
    code = translate_juel("${v ? a % b : a / b - -c}")
    assert code == "(juel_mod(a, b) if juel_bool(v) else juel_sub(juel_div(a, b), juel_neg(c)))"
    assert compile_restricted_eval(code).errors == ()
    assert translate_juel("${a mod b div c}") == "juel_div(juel_mod(a, b), c)"


def test_feel_and_python_expressions_keep_their_own_operators() -> None:
    assert feel_unary_tests('"true"') == "(? == 'true')"
    assert feel_unary_tests("< 5") == "(? < 5)"
    assert feel_unary_tests('not("a", "b")') == "not ((? == 'a') or (? == 'b'))"
    assert to_python("not approved and amount + 1 > 2 or -x") == "not approved and amount + 1 > 2 or -x"


def test_two_strings_compare_as_strings_even_written_as_decimals() -> None:
    """Only a number on the other side makes a decimal string a number (EL compares strings as strings)."""
    assert evaluate('${a == b}', a="1.0", b="1.00") is False
    assert evaluate('${a < b}', a="10.5", b="9.5") is True
    assert evaluate('${a == b}', a=True, b="1.0") is False
