"""Reading diagrams at deploy time: safe XML and the Camunda translation, without a database."""
from __future__ import annotations

from engine import bpmn_xml, diagrams
from tests.helpers import FIXTURES


def prepared(name: str) -> diagrams.PreparedDiagram:
    return diagrams.prepare(name, (FIXTURES / name).read_bytes())


def test_a_doctype_is_refused_before_the_parser_sees_it():
    for name, line in (("invalid/xxe.bpmn", 2), ("invalid/billion_laughs.bpmn", 2)):
        tree, problem = diagrams.safe_parse(name, (FIXTURES / name).read_bytes())
        assert tree is None and problem is not None
        assert (problem.line, problem.message) == (line, bpmn_xml.DOCTYPE_REFUSED)


def test_doctype_text_inside_the_document_is_not_mistaken_for_one():
    content = b'<?xml version="1.0"?>\n<!-- a note -->\n<root><text>&lt;!DOCTYPE x&gt;</text><!--<!DOCTYPE--></root>'
    tree, problem = diagrams.safe_parse("ok.xml", content)
    assert problem is None and tree.tag == "root"


def test_an_oversized_file_is_refused_unparsed():
    tree, problem = diagrams.safe_parse("big.bpmn", b" " * (bpmn_xml.MAX_XML_BYTES + 1))
    assert tree is None and problem is not None and "larger than" in problem.message


def test_camunda_task_attributes_become_python_expressions():
    meta = prepared("camunda_tasks.bpmn").elements["camunda_tasks"]
    literal, expression, lane = meta["literal_task"], meta["expression_task"], meta["lane_task"]
    assert (literal["candidate_groups"], literal["priority"], literal["form_key"]) == ("'window, office'", "'80'",
                                                                                        "literal.form")
    assert literal["properties"] == {"statutoryDays": "5", "category": "许可"}
    assert (expression["candidate_groups"], expression["priority"]) == ("reviewGroup", "juel_add(urgency, 10)")
    assert expression["form_key_expression"] == "formName" and "form_key" not in expression
    assert (lane["lane"], lane["candidate_groups"]) == ("window", "'window'")  # the lane speaks when nobody else does


def test_juel_conditions_are_rewritten_to_python_in_the_tree_given_to_the_parser():
    diagram = prepared("juel_routing.bpmn")
    flows = diagram.tree.iter(diagrams.bpmn("sequenceFlow"))
    conditions = {flow.get("id"): flow[0].text for flow in flows if len(flow)}
    assert conditions == {"f_express": "(juel_eq(kind, 'x') and juel_gt(count, 3))", "f_unflagged": "(not juel_bool(flag))",
                          "f_no_items": "juel_empty(items)"}
    assert diagram.problems == []
