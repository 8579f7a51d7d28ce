"""DMN decision tables at deploy time: FEEL/JUEL cells checked and translated, and the business rule
tasks that call them given a script that maps the result into the case."""
from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from lxml import etree

from . import expressions, scripting
from .bpmn_xml import NS, SPIFF_NS, PreparedDiagram, Problem, bpmn, camunda, local
from .problem_codes import Said, said

DMN_LANGUAGES = {"", "feel", "juel", "python", "http://www.omg.org/spec/feel/20140401",
                 "https://www.omg.org/spec/dmn/20191111/feel/", "http://www.omg.org/spec/dmn/20180521/feel/"}
AGGREGATIONS = {"SUM": "sum", "MIN": "min", "MAX": "max", "COUNT": "len"}


@dataclass
class Decision:
    """One decision of a DMN file, ready for the parser: SpiffWorkflow reads one decision per document."""

    id: str
    file: str
    tree: Any  # a copy of the document with only this decision, its entries translated to Python
    outputs: list[str]
    hit_policy: str
    aggregation: str | None


def prepare_dmn(name: str, root: Any) -> tuple[list[Decision], list[Problem]]:
    """Split a DMN file into one document per decision and translate its FEEL entries to Python.

    SpiffWorkflow registers only the first decision of a file (and fails with an AttributeError when there
    are several), and evaluates entries as Python. What cannot run is a problem naming file, line, element.
    """
    problems: list[Problem] = []
    if local(root.tag) != "definitions":
        return [], [Problem.of(name, root.sourceline, None, said("dmn.not_dmn", root=local(root.tag)))]
    ids = [d.get("id") for d in root if local(d.tag) == "decision"]
    if not ids:
        return [], [Problem.of(name, root.sourceline, None, said("dmn.no_decision"))]
    decisions = []
    for decision_id in ids:
        tree = deepcopy(root)
        for other in [d for d in tree if local(d.tag) == "decision" and d.get("id") != decision_id]:
            tree.remove(other)
        decision = next(d for d in tree if local(d.tag) == "decision")
        found = _prepare_decision(name, decision, problems)
        if found is not None:
            decisions.append(Decision(decision_id, name, tree, *found))
    return decisions, problems


def _prepare_decision(name: str, decision: Any, problems: list[Problem]) -> tuple[list[str], str, str | None] | None:
    def problem(node: Any, message: Said) -> None:
        problems.append(Problem.of(name, node.sourceline, node.get("id"), message))

    label = decision.get("name") or decision.get("id")
    tables = [c for c in decision if local(c.tag) == "decisionTable"]
    if len(tables) != 1:
        problem(decision, said("dmn.several_tables" if tables else "dmn.no_table", decision=label))
        return None
    required = decision.xpath("./*[local-name()='informationRequirement']/*[local-name()='requiredDecision']")
    if required:
        needed = ", ".join(r.get("href", "").lstrip("#") for r in required)
        problem(decision, said("dmn.required", decision=label, needed=needed))
        return None
    table = tables[0]
    before = len(problems)
    for node in decision.iter():
        language = (node.get("expressionLanguage") or "").strip().lower() if isinstance(node.tag, str) else ""
        if language not in DMN_LANGUAGES:
            problem(node, said("dmn.language", language=node.get("expressionLanguage"), decision=label))
    for text in table.xpath("./*[local-name()='input']/*[local-name()='inputExpression']/*[local-name()='text']"):
        _dmn_translate(text, problem, expressions.feel_value, "input expression", label)
    for entry in table.xpath("./*[local-name()='rule']/*[local-name()='inputEntry']"):
        for text in entry.xpath("./*[local-name()='text']"):
            _dmn_translate(text, problem, expressions.feel_unary_tests, "input entry", label, test=True)
    for entry in table.xpath("./*[local-name()='rule']/*[local-name()='outputEntry']"):
        for text in entry.xpath("./*[local-name()='text']"):
            if (text.text or "").strip():
                _dmn_translate(text, problem, expressions.feel_value, "output entry", label)
    outputs = [o.get("name") or o.get("label") or "" for o in table if local(o.tag) == "output"]
    hit_policy = (table.get("hitPolicy") or "UNIQUE").upper()
    aggregation = (table.get("aggregation") or "").upper() or None
    if aggregation and (hit_policy != "COLLECT" or aggregation not in AGGREGATIONS):
        problem(table, said("dmn.aggregation", aggregation=aggregation, decision=label))
    return (outputs, hit_policy, aggregation) if len(problems) == before else None


def _dmn_translate(text_node: Any, problem: Any, translate: Any, what: str, label: str, *, test: bool = False) -> None:
    """FEEL (or JUEL) to Python; text that is not FEEL but runs as Python — SpiffWorkflow's own DMN
    dialect — is kept as it is."""
    source = (text_node.text or "").strip()
    owner = text_node.getparent()
    if not source and not test:
        return  # an input without an expression: SpiffWorkflow falls back to its label
    try:
        python = expressions.translate_juel(source) if expressions.is_juel(source) else translate(source)
    except expressions.ExpressionError as exc:
        runs = not scripting.check_expression(source) or (test and not scripting.check_expression(f"v {source}"))
        if not runs:
            problem(owner, said("dmn.entry", what=what, source=source, decision=label, reason=str(exc)))
        return
    text_node.text = python or None  # no text: SpiffWorkflow's "any value" (an empty string would compare)


def map_decision_results(diagram: PreparedDiagram, decisions: dict[str, Decision]) -> list[Problem]:
    """Camunda's camunda:resultVariable and camunda:mapDecisionResult, and a COLLECT table's aggregation,
    as a post-script of the business rule task. SpiffWorkflow merges the matched rules' outputs into the
    task data; Camunda puts the mapped result into the result variable and nothing else."""
    problems: list[Problem] = []
    for task in diagram.tree.iter(bpmn("businessRuleTask")):
        called = task.xpath(".//spiffworkflow:calledDecisionId", namespaces=NS)
        decision = decisions.get((called[0].text or "").strip()) if called else None
        result = task.get(camunda("resultVariable"))
        if decision is None or (not result and not decision.aggregation):
            continue
        bad = [o for o in decision.outputs if not o.isidentifier() or o.startswith("_")]
        if bad or (result and (not result.isidentifier() or result.startswith("_"))):
            problems.append(Problem.of(diagram.name, task.sourceline, task.get("id"),
                                       said("dmn.result_names", bad=str(bad), result=result)))
            continue
        mapping = task.get(camunda("mapDecisionResult")) or "resultList"
        if mapping not in ("singleEntry", "singleResult", "collectEntries", "resultList"):
            problems.append(Problem.of(diagram.name, task.sourceline, task.get("id"),
                                       said("dmn.map_unknown", mapping=mapping)))
            continue
        if mapping in ("singleEntry", "collectEntries") and result and len(decision.outputs) != 1:
            problems.append(Problem.of(diagram.name, task.sourceline, task.get("id"),
                                       said("dmn.map_one_output", mapping=mapping, decision=decision.id,
                                            outputs=len(decision.outputs))))
            continue
        ext = task.find(bpmn("extensionElements"))
        if ext is None:
            ext = etree.Element(bpmn("extensionElements"))
            task.insert(0, ext)
        post = ext.find(f"{{{SPIFF_NS}}}postScript")
        if post is None:
            post = etree.SubElement(ext, f"{{{SPIFF_NS}}}postScript")
        script = _decision_result_script(decision, result, mapping)
        post.text = script + ("\n" + post.text if (post.text or "").strip() else "")
    return problems


def _decision_result_script(decision: Decision, result: str | None, mapping: str) -> str:
    outputs, collect = decision.outputs, decision.hit_policy == "COLLECT"
    lines = ["govflow_dmn = {}"]
    for name in outputs:  # a table where no rule matched leaves its outputs unset
        lines += ["try:", f"    govflow_dmn[{name!r}] = {name}", f"    del {name}", "except Exception:", "    pass"]
    if decision.aggregation:
        function = AGGREGATIONS[decision.aggregation]
        lines += ["for govflow_key in list(govflow_dmn):",
                  (f"    govflow_dmn[govflow_key] = {function}(govflow_dmn[govflow_key]) "
                   "if govflow_dmn[govflow_key] else None"),
                  "del govflow_key"]
        collect = False  # one aggregated value per output
    if not result:  # aggregation only: the outputs stay where SpiffWorkflow put them
        lines += [f"{name} = govflow_dmn.get({name!r})" for name in outputs]
    elif collect:
        lines.append(f"govflow_rows = [dict(zip({outputs!r}, row)) for row in "
                     f"zip(*[govflow_dmn.get(key, []) for key in {outputs!r}])]")
        if mapping in ("singleEntry", "singleResult"):
            lines += ["if len(govflow_rows) > 1:",
                      (f"    raise ValueError('decision {decision.id} matched ' + str(len(govflow_rows)) + "
                       f"' rules; {mapping} takes one')")]
        pick = {"singleEntry": f"govflow_rows[0][{outputs[0]!r}] if govflow_rows else None",
                "singleResult": "govflow_rows[0] if govflow_rows else None",
                "collectEntries": f"[row[{outputs[0]!r}] for row in govflow_rows]",
                "resultList": "govflow_rows"}[mapping]
        lines += [f"{result} = {pick}", "del govflow_rows"]
    else:
        pick = {"singleEntry": f"govflow_dmn.get({outputs[0]!r})",
                "singleResult": "dict(govflow_dmn) if govflow_dmn else None",
                "collectEntries": f"[govflow_dmn[{outputs[0]!r}]] if govflow_dmn else []",
                "resultList": "[dict(govflow_dmn)] if govflow_dmn else []"}[mapping]
        lines.append(f"{result} = {pick}")
    lines.append("del govflow_dmn")
    return "\n".join(lines)
