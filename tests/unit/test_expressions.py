"""Tests for translating Camunda JUEL expressions and ISO 8601 timers into Python."""

from typing import Any

import pytest
from hypothesis import given, settings, strategies
from RestrictedPython.compile import compile_restricted_eval
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.expressions import (
    JUEL_FUNCTIONS,
    ExpressionError,
    is_juel,
    juel_add,
    juel_bool,
    juel_div,
    juel_empty,
    juel_eq,
    juel_ge,
    juel_gt,
    juel_le,
    juel_lt,
    juel_mod,
    juel_mul,
    juel_ne,
    juel_neg,
    juel_str,
    juel_sub,
    timer_to_python,
    to_python,
    translate_juel,
)


def evaluate(text: str, **data: Any) -> Any:
    """Translate JUEL text and run the Python the way the engine does: task data as globals."""
    return eval(translate_juel(text), {"__builtins__": {}, **JUEL_FUNCTIONS, **data})


def error_for(text: str) -> str:
    with pytest.raises(ExpressionError) as caught:
        translate_juel(text)
    return str(caught.value)


# --- literals ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("${42}", 42),
    ("${007}", 7),
    ("${3.25}", 3.25),
    ("${.5}", 0.5),
    ("${1e3}", 1000.0),
    ("${2.5E-1}", 0.25),
    ("${'single'}", "single"),
    ('${"double"}', "double"),
    ("${true}", True),
    ("${false}", False),
    ("${null}", None),
])
def test_literals_evaluate_to_their_python_values(text: str, expected: Any) -> None:
    result = evaluate(text)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize("text, expected", [
    (r"${'it\'s'}", "it's"),
    (r'${"say \"hi\""}', 'say "hi"'),
    (r"${'back\\slash'}", "back\\slash"),
    (r"""${'a "double" inside single'}""", 'a "double" inside single'),
    (r"${'\n stays as written'}", "\\n stays as written"),
])
def test_string_escapes_follow_juel_rules(text: str, expected: str) -> None:
    assert evaluate(text) == expected


def test_true_false_null_translate_to_python_constants() -> None:
    assert translate_juel("${true}") == "True"
    assert translate_juel("${false}") == "False"
    assert translate_juel("${null}") == "None"


def test_non_ascii_identifiers_and_strings_are_kept() -> None:
    assert translate_juel("${申请人 == '张三'}") == "juel_eq(申请人, '张三')"
    assert evaluate("${申请人 == '张三'}", 申请人="张三") is True


# --- operators -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("${7 * 6}", 42),
    ("${7 / 2}", 3.5),
    ("${7 div 2}", 3.5),
    ("${7 % 3}", 1),
    ("${7 mod 3}", 1),
    ("${7 + 3}", 10),
    ("${7 - 3}", 4),
    ("${-x}", -5),
    ("${- -x}", 5),
])
def test_arithmetic_operators(text: str, expected: Any) -> None:
    assert evaluate(text, x=5) == expected


@pytest.mark.parametrize("text, expected", [
    ("${1 < 2}", True), ("${1 lt 2}", True),
    ("${1 > 2}", False), ("${1 gt 2}", False),
    ("${2 <= 2}", True), ("${3 le 2}", False),
    ("${2 >= 2}", True), ("${1 ge 2}", False),
    ("${2 == 2}", True), ("${2 eq 3}", False),
    ("${2 != 2}", False), ("${2 ne 3}", True),
    ("${'a' == 'a'}", True),
])
def test_relational_and_equality_operators_in_both_spellings(text: str, expected: bool) -> None:
    assert evaluate(text) is expected


def test_and_or_not_translate_to_python_keywords_over_booleans() -> None:
    assert translate_juel("${a && b}") == "(juel_bool(a) and juel_bool(b))"
    assert translate_juel("${a and b}") == "(juel_bool(a) and juel_bool(b))"
    assert translate_juel("${a || b}") == "(juel_bool(a) or juel_bool(b))"
    assert translate_juel("${a or b}") == "(juel_bool(a) or juel_bool(b))"
    assert translate_juel("${!a}") == "(not juel_bool(a))"
    assert translate_juel("${not a}") == "(not juel_bool(a))"


@pytest.mark.parametrize("a, b", [(True, True), (True, False), (False, True), (False, False)])
def test_logical_operators_match_their_truth_tables(a: bool, b: bool) -> None:
    assert evaluate("${a && b}", a=a, b=b) == (a and b)
    assert evaluate("${a || b}", a=a, b=b) == (a or b)
    assert evaluate("${!a}", a=a) == (not a)


def test_ternary_becomes_a_conditional_expression() -> None:
    assert translate_juel("${ok ? 'yes' : 'no'}") == "('yes' if juel_bool(ok) else 'no')"
    assert evaluate("${ok ? 'yes' : 'no'}", ok=True) == "yes"
    assert evaluate("${ok ? 'yes' : 'no'}", ok=False) == "no"


@pytest.mark.parametrize("value, expected", [
    (None, True), ("", True), ([], True), ({}, True), (set(), True),
    ("x", False), ([0], False), ({"k": 1}, False), (0, False), (False, False),
])
def test_empty_operator_checks_null_and_empty_values(value: Any, expected: bool) -> None:
    assert translate_juel("${empty v}") == "juel_empty(v)"
    assert evaluate("${empty v}", v=value) is expected
    assert evaluate("${not empty v}", v=value) is (not expected)


def test_not_equals_is_not_confused_with_negation() -> None:
    assert translate_juel("${a != b}") == "juel_ne(a, b)"
    assert translate_juel("${a!=b}") == "juel_ne(a, b)"
    assert translate_juel("${a != !b}") == "juel_ne(a, (not juel_bool(b)))"
    assert translate_juel("${!a==b}") == "juel_eq((not juel_bool(a)), b)"


# --- precedence ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("${1 + 2 * 3}", 7),
    ("${(1 + 2) * 3}", 9),
    ("${10 - 4 - 3}", 3),           # left-associative
    ("${16 / 4 / 2}", 2.0),
    ("${2 * 3 % 4}", 2),            # * and % share a level: (2 * 3) % 4
    ("${-2 + 3}", 1),               # unary minus binds tighter than +
    ("${1 + 2 < 4}", True),         # additive before relational
    ("${1 < 2 == true}", True),     # relational before equality
    ("${true > false > false}", True),  # (true > false) > false, not Python's chained ... and false > false
    ("${true || false && false}", True),   # && before ||
    ("${!true || true}", True),     # ! before ||
    ("${!'x' == 'false'}", False),  # ! before ==: (!'x') == 'false' is true == 'false'; !('x' == 'false') is true
    ("${empty s == false}", False), # empty before ==
    ("${false ? 1 : true ? 2 : 3}", 2),  # ternary is right-associative
    ("${true ? 1 : 2 + 3}", 1),     # ternary binds loosest
    ("${x == 0 ? 'zero' : 'other'}", "zero"),
])
def test_precedence_follows_juel(text: str, expected: Any) -> None:
    assert evaluate(text, x=0, s="") == expected


def test_chained_comparisons_are_parenthesised_so_python_does_not_chain() -> None:
    assert translate_juel("${1 < 2 < 3}") == "juel_lt(juel_lt(1, 2), 3)"


def test_output_is_fully_parenthesised() -> None:
    assert translate_juel("${a + b * -c}") == "juel_add(a, juel_mul(b, juel_neg(c)))"
    assert translate_juel("${!a && b || c}") == "(((not juel_bool(a)) and juel_bool(b)) or juel_bool(c))"


# --- property and index access -------------------------------------------------------------

ORDER = {"order": {"items": [{"price": 5}, {"price": 7}], "customer": {"name": "Li"}}, "key": "customer"}


@pytest.mark.parametrize("text, expected", [
    ("${order.customer.name}", "Li"),
    ("${order['customer']['name']}", "Li"),
    ('${order["customer"].name}', "Li"),
    ("${order.items[1].price}", 7),
    ("${order.items[0].price + order.items[1].price}", 12),
    ("${order[key].name}", "Li"),
    ("${order.items[1 - 1]['price']}", 5),
])
def test_property_and_index_access_on_nested_data(text: str, expected: Any) -> None:
    assert evaluate(text, **ORDER) == expected


def test_property_access_becomes_subscript() -> None:
    assert translate_juel("${a.b}") == "a['b']"
    assert translate_juel("${a['b'][0]}") == "a['b'][0]"


def test_property_names_may_be_keywords_because_they_are_only_dict_keys() -> None:
    assert translate_juel("${form.class}") == "form['class']"
    assert translate_juel("${form._id}") == "form['_id']"


# --- composite text ------------------------------------------------------------------------

def test_composite_text_builds_a_string() -> None:
    code = translate_juel("Order ${id} for ${name}")
    assert code == "'Order ' + juel_str(id) + ' for ' + juel_str(name)"
    assert evaluate("Order ${id} for ${name}", id=7, name="张三") == "Order 7 for 张三"


def test_adjacent_expressions_are_concatenated() -> None:
    assert evaluate("${a},${b}", a=1, b=2) == "1,2"
    assert evaluate("${a}${b}", a="x", b="y") == "xy"


def test_composite_text_renders_null_and_booleans_like_juel() -> None:
    assert evaluate("[${a}|${b}|${c}]", a=None, b=True, c=1.5) == "[|true|1.5]"


def test_single_expression_with_surrounding_whitespace_keeps_its_type() -> None:
    assert translate_juel("  ${amount > 1000}\n") == "juel_gt(amount, 1000)"
    assert evaluate("  ${amount}  ", amount=3) == 3


def test_deferred_hash_syntax_is_translated_too() -> None:
    assert translate_juel("#{a.b}") == "a['b']"
    assert evaluate("Hi #{name}!", name="Wang") == "Hi Wang!"


def test_text_without_expressions_becomes_a_string_literal() -> None:
    assert translate_juel("plain text") == "'plain text'"
    assert translate_juel("") == "''"
    assert evaluate("it's 100% {fine}") == "it's 100% {fine}"


def test_backslash_escapes_a_literal_dollar_brace() -> None:
    assert evaluate(r"cost \${x} is ${x}", x=3) == "cost ${x} is 3"


def test_strings_containing_operators_or_braces_are_not_mangled() -> None:
    assert evaluate("${'a && b || !c'}") == "a && b || !c"
    assert evaluate("${s == '}'}", s="}") is True
    assert evaluate('${"{${x}}"} and ${x}', x=1) == "{${x}} and 1"
    assert evaluate("${'a != b' != 'c'}") is True


# --- errors --------------------------------------------------------------------------------

def test_expression_error_is_a_value_error() -> None:
    assert issubclass(ExpressionError, ValueError)


@pytest.mark.parametrize("text, message", [
    ('${execution.getVariable("x")}', "method calls are not supported: execution.getVariable(...)"),
    ("${a.b[0].c(1, 2)}", "method calls are not supported: a.b[0].c(...)"),
    ("${foo(x)}", "function calls are not supported: foo(...)"),
    ("${fn:contains(s, 'x')}", "function calls are not supported: fn:contains(...)"),
    ("${(f)(x)}", "function calls are not supported: (f)(...)"),
])
def test_calls_are_rejected_naming_the_call(text: str, message: str) -> None:
    assert message in error_for(text)


@pytest.mark.parametrize("text", ["${_x}", "${_getitem_ == 1}", "${a + __import__}"])
def test_variable_names_starting_with_underscore_are_rejected(text: str) -> None:
    assert "starting with '_' are not allowed" in error_for(text)


@pytest.mark.parametrize("name", ["class", "from", "lambda", "import", "True", "None"])
def test_python_keywords_cannot_be_variable_names(name: str) -> None:
    assert f"{name!r} is a Python keyword" in error_for("${" + name + " == 1}")


@pytest.mark.parametrize("text, message", [
    ("${'abc}", "unterminated string starting at column 3"),
    ('${x == "abc', "unterminated string starting at column 8"),
    ("${a b}", "unexpected 'b' at column 5 after a complete expression"),
    ("${1 2}", "unexpected '2'"),
    ("${a)}", "unexpected ')'"),
    ("${a + }", "expected a value at column 7 but found the end of the expression"),
    ("${(a + b}", "expected ')'"),
    ("${a[0}", "expected ']'"),
    ("${a ? b}", "expected ':'"),
    ("${a.}", "expected a property name after '.'"),
    ("${a && || b}", "expected a value"),
    ("${a = 1}", "use '==' to compare"),
    ("${a & b}", "unexpected character '&'"),
    ("${a} and ${b", "unterminated expression: no '}' closes the one opened at column 10"),
    ("${}", "empty expression"),
    ("${ and }", "unexpected 'and'"),
    ("${x instanceof y}", "unexpected 'instanceof'"),
])
def test_malformed_expressions_get_a_helpful_message(text: str, message: str) -> None:
    error = error_for(text)
    assert message in error
    assert error.startswith(f"cannot translate {text!r}: ")
    assert "Traceback" not in error and "\n" not in error


# --- is_juel and to_python -----------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("${a}", True), ("#{a}", True), ("x ${a} y", True),
    ("a > 1", False), ("$a", False), ("{a}", False), ("", False),
])
def test_is_juel_detects_dollar_and_hash_expressions(text: str, expected: bool) -> None:
    assert is_juel(text) is expected


def test_to_python_translates_juel_and_leaves_python_alone() -> None:
    assert to_python("${amount > 1000}") == "juel_gt(amount, 1000)"
    assert to_python("amount > 1000 and not urgent") == "amount > 1000 and not urgent"
    assert to_python("Order ${id}") == "'Order ' + juel_str(id)"


def test_translated_code_compiles_in_the_restricted_python_sandbox() -> None:
    for text in ["${a.b[0] > 1 && !empty c ? 'x' : d}", "Order ${id} for ${name}"]:
        result = compile_restricted_eval(translate_juel(text))
        assert result.errors == (), result.errors


# --- runtime helpers -----------------------------------------------------------------------

def test_juel_functions_exposes_the_runtime_helpers() -> None:
    assert JUEL_FUNCTIONS == {"juel_empty": juel_empty, "juel_str": juel_str, "juel_eq": juel_eq, "juel_ne": juel_ne,
                              "juel_lt": juel_lt, "juel_gt": juel_gt, "juel_le": juel_le, "juel_ge": juel_ge,
                              "juel_bool": juel_bool, "juel_add": juel_add, "juel_sub": juel_sub, "juel_mul": juel_mul,
                              "juel_div": juel_div, "juel_mod": juel_mod, "juel_neg": juel_neg}


@pytest.mark.parametrize("value, expected", [
    (None, ""), (True, "true"), (False, "false"), (0, "0"), (2.5, "2.5"), ("s", "s"), ([1], "[1]"),
])
def test_juel_str_renders_values_like_juel(value: Any, expected: str) -> None:
    assert juel_str(value) == expected


# --- timers --------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "P5D", "PT72H", "P1Y2M3DT4H5M6S", "PT0.5S", "P2W", "P1M", "PT1M",
    "2026-12-01T09:00:00", "2026-12-01T09:00:00.123Z", "2026-12-01T09:00:00+08:00", "2026-12-01T09:00",
    "2026-12-01",
    "R3/PT1H", "R/PT1H", "R5/2026-12-01T09:00:00Z/PT1H", "R2/PT1H/2026-12-01T09:00:00",
    "p5d", "pt1h", "r3/pt1h",  # SpiffWorkflow reads either case
])
def test_bare_iso_8601_timer_values_become_string_literals(text: str) -> None:
    assert timer_to_python(text) == repr(text)
    assert eval(timer_to_python(f"  {text}\n")) == text


@pytest.mark.parametrize("text", ['"P5D"', "'PT1H'", "workdays(5)", "deadline", "PERIOD", "period",
                                  "'P5D' if urgent else 'P10D'"])
def test_timer_python_expressions_are_left_unchanged(text: str) -> None:
    assert timer_to_python(text) == text


@pytest.mark.parametrize(("kind", "text", "reason"), [
    ("timeDuration", "PT1H30", "'PT1H30' is not a duration: the number 30 at the end has no unit"),
    ("timeDuration", "P5X", "'P5X' is not a duration: 'X' is not a unit (Y, M, W, D; after T: H, M, S)"),
    ("timeDuration", "P5H", "'P5H' is not a duration: hours come after T: PT5H"),
    ("timeDuration", "PT5D", "'PT5D' is not a duration: days come before T: P5D"),
    ("timeDuration", "P1DT", "'P1DT' is not a duration: T is followed by no hours, minutes or seconds"),
    ("timeDuration", "PT", "'PT' is not a duration: T is followed by no hours, minutes or seconds"),
    ("timeDuration", "P", "'P' names no amount of time"),
    ("timeDuration", "P1W2D", "weeks are taken only on their own (P2W): count the days instead, e.g. P9D"),
    ("timeDuration", "P1D2Y", "the units are out of order or repeated"),
    ("timeDuration", "P99999999D", "so long a time that it would end after the year 9999"),
    # SpiffWorkflow counts a duration's years and months month by month: bounded before it is asked.
    ("timeDuration", "P10000000Y", "'P10000000Y' lasts more than 100 years"),
    ("timeDuration", "P101Y", "lasts more than 100 years"),
    ("timeCycle", "R3/P1300M", "lasts more than 100 years"),
    ("timeDuration", "pt1h30", "'pt1h30' is not a duration: the number 30 at the end has no unit"),
    # SpiffWorkflow's week-date parser reads a prefix; the job's due time is read in full.
    ("timeDate", "2026-W05-3garbage", "'2026-W05-3garbage' is not a date"),
    ("timeDate", "2026-13-01T00:00:00", "'2026-13-01T00:00:00' is not a date: month must be in 1..12"),
    ("timeDate", "2026-02-30", "'2026-02-30' is not a date: day is out of range for month"),
    ("timeCycle", "R3", "'R3' is not a repeating cycle: a cycle is R, the number of repetitions"),
    ("timeCycle", "R3/PT1X", "'PT1X' is neither a duration nor a date ('X' is not a unit"),
    ("timeCycle", "R3/2026-12-01T09:00:00/2026-12-02T09:00:00", "a cycle needs exactly one duration"),
    # In a Python expression, a literal value is checked as its bare text is.
    ("timeDuration", '"PT1H30"', "'PT1H30' is not a duration: the number 30 at the end has no unit"),
    ("timeDuration", "'P5D' if urgent else 'P5X'", "'P5X' is not a duration"),
    ("timeDuration", "${'P5X'}", "'P5X' is not a duration"),
    ("timeDate", "5", "5 is not a text: a timer value is an ISO 8601 text"),
    ("timeCycle", "0 0/5 * * * ?", "is a cron expression, which cannot run here; write an ISO 8601 repeating"),
])
def test_a_timer_value_spiffworkflow_would_fail_on_is_refused_saying_what_is_wrong(kind: str, text: str,
                                                                                   reason: str) -> None:
    with pytest.raises(ExpressionError) as refused:
        timer_to_python(text, kind)
    assert reason in str(refused.value)


@pytest.mark.parametrize(("kind", "text", "reason"), [
    ("timeDate", "P5D", "'P5D' is a duration, but this timer is a timeDate; make the timer a timeDuration"),
    ("timeDate", "R3/PT1H", "'R3/PT1H' is a repeating cycle, but this timer is a timeDate"),
    ("timeDuration", "2026-12-01T09:00:00", "'2026-12-01T09:00:00' is a date, but this timer is a timeDuration"),
    ("timeDuration", "R3/PT1H", "is a repeating cycle, but this timer is a timeDuration; make the timer a timeCycle"),
    ("timeCycle", "PT1H", "'PT1H' is a duration, but this timer is a timeCycle"),
    ("timeDuration", "${workdays(5)}", "workdays(n) gives a date, but this timer is a timeDuration"),
])
def test_a_timer_value_of_another_kind_is_refused(kind: str, text: str, reason: str) -> None:
    """What SpiffWorkflow does with it: a duration fails a timeDate's comparison with now, a date is no
    duration; a cycle read as a duration would run once, which is not what the diagram says."""
    with pytest.raises(ExpressionError) as refused:
        timer_to_python(text, kind)
    assert reason in str(refused.value)


@pytest.mark.parametrize(("kind", "text"), [
    ("timeDate", "2026-12-01T09:00:00"), ("timeDate", "2026-12-01"), ("timeDate", "2026-W05-3"),
    ("timeDate", "${workdays(5)}"), ("timeDuration", "P5D"), ("timeDuration", "P2W"), ("timeDuration", "P5d"),
    ("timeDuration", "P1Y2M"), ("timeCycle", "R3/PT1H"), ("timeCycle", "R/P1D"),
    ("timeCycle", "R2/PT1H/2026-12-01T09:00:00"),
])
def test_a_timer_value_of_its_own_kind_is_accepted(kind: str, text: str) -> None:
    python = timer_to_python(text, kind)
    assert python in (repr(text), "workdays(5)")


def test_timer_juel_is_translated() -> None:
    assert timer_to_python("${reviewPeriod}") == "reviewPeriod"
    assert eval(timer_to_python("P${days}D"), {**JUEL_FUNCTIONS, "days": 3}) == "P3D"


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_timer_is_an_error(text: str) -> None:
    with pytest.raises(ExpressionError, match="empty timer"):
        timer_to_python(text)


def test_quoted_timer_values_are_understood_by_spiffworkflow() -> None:
    parsed = TimerEventDefinition.parse_iso_duration(eval(timer_to_python("P1DT2H")))
    assert parsed == {"days": 1, "hours": 2}
    cycles, _, duration = TimerEventDefinition.parse_iso_recurring_interval(eval(timer_to_python("R3/PT1H")))
    assert (cycles, duration.total_seconds()) == (3, 3600)


# --- robustness ----------------------------------------------------------------------------

JUEL_PIECES = strategies.sampled_from([
    "${", "#{", "}", "a", "b.c", "[0]", "['k']", "1", "2.5", "'s'", '"t"', "\\", "(", ")",
    "+", "-", "*", "/", "div", "%", "==", "!=", "!", "<", ">=", "&&", "||", "and", "not",
    "empty", "?", ":", " ", "null", "true", "_x", "class", "f(", ",", "=", "张",
])


@settings(max_examples=500, deadline=None)
@given(strategies.lists(JUEL_PIECES, max_size=12).map("".join))
def test_any_text_either_translates_to_valid_python_or_raises_expression_error(text: str) -> None:
    try:
        code = translate_juel(text)
    except ExpressionError:
        return
    compile(code, "<juel>", "eval")


def test_govflow_functions_may_be_called_from_juel_and_others_may_not():
    assert translate_juel("${workdays(5)}") == "workdays(5)"
    assert eval(translate_juel("${workdays(n + 1)}"), {**JUEL_FUNCTIONS, "workdays": lambda d: d * 2, "n": 2}) == 6
    with pytest.raises(ExpressionError, match="function calls are not supported: open"):
        translate_juel("${open('x')}")
