"""The RestrictedPython sandbox for BPMN scripts and expressions."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

# Until the project is installed (pip install -e .), make `engine` importable from the checkout.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from engine import scripting
from engine.diagram_functions import refuse
from engine.errors import ValidationFailed
from engine.scripting import (
    RestrictedEnvironment,
    ScriptRestrictionError,
    check_expression,
    check_script,
    make_script_engine,
)


def double(value: int) -> int:
    return value * 2


@pytest.fixture
def env() -> RestrictedEnvironment:
    return RestrictedEnvironment({"double": double})


def run(env: RestrictedEnvironment, script: str, **data: object) -> dict:
    env.execute(script, data)
    return data


# --- what scripts and expressions can do --------------------------------------------------

def test_arithmetic_expressions_see_task_data(env):
    assert env.evaluate("amount * 2 + 1 > 2000", {"amount": 1000}) is True
    assert env.evaluate("divmod(total, 7)", {"total": 23}) == (3, 2)


def test_expressions_from_xml_may_carry_surrounding_whitespace(env):
    assert env.evaluate("\n      x > 2\n    ", {"x": 3}) is True


def test_comprehensions_work(env):
    data = run(env, "squares = [i * i for i in items if i % 2]\nby_name = {p['name']: p for p in people}",
               items=[1, 2, 3], people=[{"name": "a"}])
    assert data["squares"] == [1, 9]
    assert data["by_name"] == {"a": {"name": "a"}}


def test_dicts_and_lists_can_be_mutated(env):
    data = run(env, "form['status'] = 'ok'\nitems.append(4)\nitems[0] = 0\ndel form['tmp']",
               form={"tmp": 1}, items=[1, 2, 3])
    assert data["form"] == {"status": "ok"}
    assert data["items"] == [0, 2, 3, 4]


def test_augmented_assignment_works_on_names(env):
    data = run(env, "count += 1\ntotal *= 3\nitems += [2]", count=1, total=2, items=[1])
    assert data == {"count": 2, "total": 6, "items": [1, 2]}


def test_augmented_assignment_of_items_is_rejected_by_restrictedpython(env):
    # RestrictedPython refuses `d['k'] += 1`; analysts must write `d['k'] = d['k'] + 1`.
    with pytest.raises(ScriptRestrictionError, match="Augmented assignment"):
        run(env, "d['k'] += 1", d={"k": 1})


def test_tuple_unpacking_works(env):
    data = run(env, "a, b = pair\nfor k, v in sorted(d.items()):\n    last = k + str(v)",
               pair=(1, 2), d={"x": 1})
    assert (data["a"], data["b"], data["last"]) == (1, 2, "x1")


def test_datetime_classes_are_available(env):
    data = run(env, "due = datetime(2024, 1, 31, tzinfo=timezone.utc) + timedelta(days=1)\n"
                    "day = date(2024, 2, 1).isoformat()")
    assert data["due"] == datetime.fromisoformat("2024-02-01T00:00:00+00:00")
    assert data["day"] == "2024-02-01"


def test_datetime_methods_that_import_internally_work(env):
    # date.today(), strftime and strptime import modules from C via the sandbox's builtins.
    data = run(env, "today = date.today().isoformat()\n"
                    "label = datetime(2024, 3, 1).strftime('%Y/%m')\n"
                    "parsed = datetime.strptime('2024-03-01', '%Y-%m-%d').day")
    assert data["today"] == date.today().isoformat()
    assert (data["label"], data["parsed"]) == ("2024/03", 1)


def test_new_variables_land_in_task_data_without_helpers(env):
    data = run(env, "def helper(n):\n    return n + 1\nresult = helper(x)\nprint('debug', result)", x=1)
    # Builtins, guard helpers, the print collector and the script's own function are gone.
    assert data == {"x": 1, "result": 2}


def test_provided_functions_are_callable_and_not_left_in_task_data(env):
    data = run(env, "y = double(x)", x=21)
    assert data == {"x": 21, "y": 42}
    assert env.evaluate("double(x)", {"x": 2}) == 4


def test_external_context_is_visible_but_not_kept(env):
    data = {"x": 1}
    env.execute("y = x + offset", data, {"offset": 10})
    assert data == {"x": 1, "y": 11}
    assert env.evaluate("x + offset", {"x": 1}, {"offset": 10}) == 11


def test_task_data_shadowing_a_function_is_an_error(env):
    with pytest.raises(ValueError, match=r"overwrites predefined function.*double"):
        run(env, "y = 1", double=3)


def test_missing_attribute_raises_instead_of_returning_none(env):
    with pytest.raises(AttributeError):
        env.evaluate("d.nonexistent", {"d": {}})


def test_compiled_code_is_cached():
    first = scripting._code("x > 2 and y < 3", "eval")
    assert scripting._code("x > 2 and y < 3", "eval") is first


def test_service_calls_raise_a_clear_error(env):
    with pytest.raises(NotImplementedError, match="no services are configured"):
        env.call_service({}, operation_name="x")


# --- what they cannot do ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("script", "error"),
    [
        ("import os", ScriptRestrictionError),
        ("from os import path", ScriptRestrictionError),
        ("os = __import__('os')", ScriptRestrictionError),
        ("x = ().__class__.__base__.__subclasses__()", ScriptRestrictionError),
        ("x = getattr(1, '__class__')", NameError),
        ("x = open('/etc/passwd').read()", NameError),
        ("x = eval('1')", ScriptRestrictionError),
        ("exec('x = 1')", ScriptRestrictionError),
        ("x = globals()", NameError),
        ("x = type(1).__subclasses__()", ScriptRestrictionError),
        ("x = type(1)", NameError),
        ("x = (i for i in [1]).gi_frame", ScriptRestrictionError),
        ("x = f'{(1).__class__}'", ScriptRestrictionError),
        ("class A:\n    pass", ScriptRestrictionError),
        ("d = date.today()\nd.year = 1", TypeError),
    ],
)
def test_escape_attempts_fail(env, script, error):
    data: dict = {}
    with pytest.raises(error):
        env.execute(script, data)
    assert "x" not in data


@pytest.mark.parametrize(
    "expression",
    [
        "'{0.__class__}'.format(1)",
        "str.format('{0.__class__.__base__}', 1)",
        "'{a.__class__}'.format_map({'a': 1})",
    ],
)
def test_format_string_attribute_tricks_are_blocked(env, expression):
    # They compile (the dunder is inside a string) but safer_getattr refuses str.format*.
    assert check_expression(expression) == []
    with pytest.raises(NotImplementedError, match="format"):
        env.evaluate(expression, {})


def test_expressions_are_restricted_too(env):
    with pytest.raises(ScriptRestrictionError):
        env.evaluate("().__class__", {})


# --- deploy-time checks -------------------------------------------------------------------

def test_check_script_accepts_valid_code():
    assert check_script("x = len(items)\nif x > 2:\n    y = 'many'") == []
    assert check_expression("x > 2 and juel_empty(name)") == []


def test_check_script_reports_forbidden_constructs_with_line_numbers():
    problems = check_script("x = 1\ny = ().__class__\nimport os")
    assert len(problems) == 2
    assert problems[0].startswith("Line 2:") and "__class__" in problems[0]
    assert problems[1] == "Line 3: Imports are not allowed."


def test_check_script_reports_syntax_errors_with_line_numbers():
    [problem] = check_script("x = 1\ny = x +")
    assert problem.startswith("Line 2: SyntaxError")


def test_check_expression_reports_problems():
    assert check_expression("x >")[0].startswith("Line 1: SyntaxError")
    assert "_secret" in check_expression("_secret + 1")[0]
    # A statement is not an expression.
    assert check_expression("x = 1")


def test_engine_validate_applies_the_restricted_checks():
    engine = make_script_engine()
    engine.validate("x > 2")
    with pytest.raises(SyntaxError, match="Imports are not allowed"):
        engine.validate("import os")


# --- end to end ---------------------------------------------------------------------------

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="defs" targetNamespace="http://example.org/bpmn">
  <bpmn:process id="demo" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="script"/>
    <bpmn:scriptTask id="script" scriptFormat="python">
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="script" targetRef="gateway"/>
    <bpmn:exclusiveGateway id="gateway" default="f4"/>
    <bpmn:sequenceFlow id="f3" sourceRef="gateway" targetRef="big">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">x &gt; 2</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="gateway" targetRef="small"/>
    <bpmn:endEvent id="big"/>
    <bpmn:endEvent id="small"/>
  </bpmn:process>
</bpmn:definitions>
"""


def make_workflow(script: str) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(BPMN.format(script=script).encode())
    return BpmnWorkflow(parser.get_spec("demo"), script_engine=make_script_engine())


def test_workflow_runs_script_and_condition_in_the_sandbox():
    workflow = make_workflow("x = len([1, 2, 3])")
    workflow.do_engine_steps()
    assert workflow.completed
    assert workflow.data == {"x": 3}
    finished = {t.task_spec.name for t in workflow.get_tasks(state=TaskState.COMPLETED)}
    assert "big" in finished and "small" not in finished


def test_workflow_script_with_import_makes_the_task_error():
    workflow = make_workflow("import os\nx = 3")
    with pytest.raises(WorkflowTaskException, match="Imports are not allowed") as caught:
        workflow.do_engine_steps()
    assert caught.value.line_number == 1
    assert not workflow.completed
    [failed] = workflow.get_tasks(state=TaskState.ERROR)
    assert failed.task_spec.name == "script"


def test_workflow_runtime_error_with_non_string_argument_is_reported():
    # Spiff's own handler would raise TypeError while formatting KeyError(1).
    workflow = make_workflow("d = {}\nx = d[1]")
    with pytest.raises(WorkflowTaskException, match="KeyError") as caught:
        workflow.do_engine_steps()
    assert caught.value.line_number == 2


def test_a_script_refusing_its_input_reaches_the_caller_as_that_refusal_not_as_a_script_failure():
    # diagram_functions.refuse: the engine answers it as a form error on the field, not as a failed process.
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(BPMN.format(script="if x &gt; 2:\n    refuse('x', 'x 不能大于 2')").encode())
    workflow = BpmnWorkflow(parser.get_spec("demo"), script_engine=make_script_engine({"refuse": refuse}))
    workflow.get_tasks(spec_name="start")[0].data["x"] = 3
    with pytest.raises(ValidationFailed) as caught:
        workflow.do_engine_steps()
    assert caught.value.details == [{"field": "x", "message": "x 不能大于 2", "label": None, "rule": "refused",
                                     "params": {}}]
