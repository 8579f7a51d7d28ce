"""What deploy keeps for error texts at run time: each element's translated expressions with the diagram's own
text (engine.diagrams), and how an error's text is put back into the diagram's words (engine._spiff)."""
from __future__ import annotations

from engine import _spiff, diagrams
from tests.helpers import FIXTURES


def test_a_condition_is_kept_with_the_gateway_that_evaluates_it():
    elements = diagrams.prepare("juel_routing.bpmn", (FIXTURES / "juel_routing.bpmn").read_bytes()).elements
    sources = elements["juel_routing"]["route"]["sources"]
    assert sources == {"(juel_eq(kind, 'x') and juel_gt(count, 3))": "${kind == 'x' && count > 3}",
                       "(not juel_bool(flag))": "#{!flag}", "juel_empty(items)": "${empty items}"}
    assert "sources" not in elements["juel_routing"]["express"]  # nothing translated there


def test_task_attributes_keep_their_text_and_literals_too():
    elements = diagrams.prepare("camunda_tasks.bpmn", (FIXTURES / "camunda_tasks.bpmn").read_bytes()).elements
    sources = elements["camunda_tasks"]["expression_task"]["sources"]
    assert sources["reviewGroup"] == "${reviewGroup}" and sources["juel_add(urgency, 10)"] == "${urgency + 10}"


def test_quoted_translations_are_replaced_in_one_pass():
    """'x' lies inside the longer expression's own text: replaced once, the result is not replaced again."""
    sources = {"x": "${x}", "juel_eq(kind, 'x')": "${kind == 'x'}"}
    message = "Error evaluating expression 'juel_eq(kind, 'x')' then 'x'"
    assert _spiff.in_diagram_words(message, sources) == "Error evaluating expression '${kind == 'x'}' then '${x}'"


def test_text_that_quotes_no_translation_is_left_as_it_is():
    message = "Error evaluating expression 'juel_bool(a)b'"
    assert _spiff.in_diagram_words(message, {"juel_bool(a)": "${a}"}) == message
    assert _spiff.in_diagram_words("no quotes", {}) == "no quotes"
