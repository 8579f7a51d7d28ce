"""Service-item lint (engine.lint): each rule against the shipped library, changed one thing at a time."""
from __future__ import annotations

import json
from collections.abc import Callable

from engine import lint
from engine.bpmn_xml import Problem
from tests.helpers import FIXTURES, ROOT

FOOD_DIR = ROOT / "bpmn" / "SCJG-XK-0001"
WINDOW_DIR = ROOT / "bpmn" / "window-acceptance"
FOOD = "bpmn/SCJG-XK-0001/food_business_licence.bpmn"
FOOD_GUIDE = "bpmn/SCJG-XK-0001/guide.json"
WINDOW = "bpmn/window-acceptance/window_acceptance.bpmn"


def library() -> dict[str, bytes]:
    files = {f"bpmn/{p.parent.name}/{p.name}": p.read_bytes()
             for d in (FOOD_DIR, WINDOW_DIR) for p in sorted(d.iterdir()) if p.suffix in (".bpmn", ".json")}
    files.update({f"forms/{p.name}": p.read_bytes() for p in sorted((ROOT / "forms").glob("*.form"))})
    files.update({f"bpmn/{d.name}/samples/{p.name}": p.read_bytes()  # the samples the guides name
                  for d in (FOOD_DIR, WINDOW_DIR) for p in sorted((d / "samples").iterdir())})
    return files


def findings(change: Callable[[dict[str, bytes]], None] | None = None) -> list[Problem]:
    files = library()
    if change:
        change(files)
    return lint.lint_files(list(files.items()))


def edit(name: str, old: str, new: str) -> Callable[[dict[str, bytes]], None]:
    def apply(files: dict[str, bytes]) -> None:
        text = files[name].decode()
        assert old in text, old
        files[name] = text.replace(old, new).encode()
    return apply


def about(problems: list[Problem], element: str) -> list[tuple[str, str]]:
    return [(p.severity, p.message) for p in problems if p.element == element]


def test_the_shipped_items_are_clean() -> None:
    assert findings() == []


def test_a_user_task_needs_someone_to_work_it() -> None:
    problems = findings(edit(FOOD, 'id="review" name="审查（业务科室）" camunda:candidateGroups="food_review"',
                             'id="review" name="审查（业务科室）"'))
    [(severity, message)] = about(problems, "review")
    assert severity == "error" and "no candidate groups, candidate users, assignee or lane" in message
    problem = next(p for p in problems if p.element == "review")
    assert problem.file == FOOD and problem.line == files_line(FOOD, 'id="review"')


def files_line(name: str, text: str) -> int:
    return next(i for i, line in enumerate(library()[name].decode().splitlines(), 1) if text in line)


def test_a_user_task_needs_a_form_and_the_form_must_exist() -> None:
    [(severity, message)] = about(findings(edit(WINDOW, ' camunda:formKey="window-certify.form"', "")), "certify")
    assert severity == "error" and "has no form (camunda:formKey)" in message

    def drop_form(files: dict[str, bytes]) -> None:
        del files["forms/window-certify.form"]
    [(severity, message)] = about(findings(drop_form), "certify")
    assert severity == "error" and "names form 'window-certify.form', which is not among the linted files" in message


def test_a_user_task_needs_a_due_date_unless_the_clock_runs_over_it() -> None:
    # review lies inside the clock (after 出具受理通知书, before the decision): no due date needed.
    assert about(findings(edit(FOOD, 'camunda:formKey="review.form" camunda:dueDate="${workdays(5)}"',
                               'camunda:formKey="review.form"')), "review") == []
    # deliver comes after the decision stopped the clock.
    [(severity, message)] = about(findings(edit(FOOD, 'camunda:formKey="delivery.form" camunda:dueDate="${workdays(1)}"',
                                               'camunda:formKey="delivery.form"')), "deliver")
    assert severity == "warning" and "no due date" in message


def test_the_acceptance_step_decides_one_of_three() -> None:
    # The window item without its supplement branch: accept and reject only.
    def no_supplement(files: dict[str, bytes]) -> None:
        text = files[WINDOW].decode()
        text = text.replace("${decision == 'supplement'}", "${decision == 'later'}")
        text = text.replace('name="材料不全，一次性告知补正"', 'name="其他"')
        text = text.replace('<camunda:property name="govflow.event" value="supplement_requested" />', "")
        text = text.replace('<camunda:property name="govflow.caseState" value="补正(开始)" />', "")
        text = text.replace('name="出具一次性告知通知书"', 'name="通知"').replace('name="申请人补正材料"', 'name="等待"')
        files[WINDOW] = text.replace('name="补正后重新审查"', 'name="重新审查"').encode()
    [(severity, message)] = about(findings(no_supplement), "accept")
    assert severity == "error"
    assert "decides 受理 (accept), 不予受理 (reject) through gateway 'gw_accept'" in message
    assert "missing: 一次性告知补正 (supplement)" in message


def test_outcomes_are_read_from_condition_literals_and_names_too() -> None:
    # Without any govflow.event or caseState marks, the food item's outcomes still read as three:
    # 'accept' / 'reject' in the conditions, 材料不全 as the name of the default flow.
    def unmarked(files: dict[str, bytes]) -> None:
        text = files[FOOD].decode()
        for mark in ('<camunda:property name="govflow.event" value="rejected" />',
                     '<camunda:property name="govflow.event" value="supplement_requested" />',
                     '<camunda:property name="govflow.caseState" value="不予受理" />',
                     '<camunda:property name="govflow.caseState" value="补正(开始)" />'):
            text = text.replace(mark, "")
        files[FOOD] = text.replace('name="出具不予受理通知书"', 'name="通知"').replace(
            'name="出具一次性告知通知书"', 'name="告知"').encode()
    assert about(findings(unmarked), "acceptance_check") == []


def test_an_item_without_an_acceptance_step_is_warned_about() -> None:
    # The acceptance task renamed and its gateway no longer leading to the clock start.
    def hidden(files: dict[str, bytes]) -> None:
        edit(WINDOW, 'name="受理审查（综合窗口）"', 'name="核对"')(files)
        edit(WINDOW, '<camunda:property name="govflow.clock" value="start" />', "")(files)
    problems = findings(hidden)
    expected = ("no acceptance step found: a user task followed by an exclusive gateway that leads to the "
                "govflow.clock=start element (受理, 不予受理, 一次性告知补正)")
    assert ("warning", expected) in about(problems, "window_acceptance")



def both(*changes: Callable[[dict[str, bytes]], None]) -> Callable[[dict[str, bytes]], None]:
    def apply(files: dict[str, bytes]) -> None:
        for change in changes:
            change(files)
    return apply


def public_service(files: dict[str, bytes]) -> None:
    """The window item's guide says it is a public service (type 20), not a licence."""
    guide = json.loads(files["bpmn/window-acceptance/guide.json"])
    files["bpmn/window-acceptance/guide.json"] = json.dumps({**guide, "type": "20"}).encode()


def review_marked(name: str, value: str) -> Callable[[dict[str, bytes]], None]:
    """The window item's review step with one more govflow property."""
    opened = 'camunda:formKey="window-review.form" camunda:dueDate="${workdays(5)}">'
    return edit(WINDOW, opened, f'{opened}<bpmn:extensionElements><camunda:properties><camunda:property '
                                f'name="{name}" value="{value}" /></camunda:properties></bpmn:extensionElements>')


def test_a_licence_item_s_acceptance_step_needs_the_deemed_acceptance_timer() -> None:
    """Art 32: an application not told within 5 days what to supplement counts as accepted, so a licence
    item's acceptance step carries a timer that starts the clock; other kinds of item need none."""
    moved = edit(WINDOW, 'attachedToRef="accept"', 'attachedToRef="review"')
    [(severity, message)] = about(findings(moved), "accept")
    assert severity == "warning" and "行政许可法 Art 32" in message and "'受理审查（综合窗口）'" in message
    assert about(findings(both(moved, public_service)), "accept") == []
    # A timer whose path needs a clerk before the clock starts deems nothing.
    unclocked = both(
        edit(WINDOW, '<bpmn:sequenceFlow id="deemed_to_notice" sourceRef="deemed_accepted" '
                     'targetRef="acceptance_notice" />',
             '<bpmn:sequenceFlow id="deemed_to_notice" sourceRef="deemed_accepted" targetRef="review" />'),
        edit(WINDOW, '<camunda:property name="govflow.clock" value="start" />\n          <camunda:property '
                     'name="govflow.clockFrom"', '<camunda:property name="govflow.clockFrom"'))
    assert [s for s, m in about(findings(unclocked), "accept") if "Art 32" in m] == ["warning"]
    # Nor one whose clock starts only when a clerk completes a user task.
    started_by_a_clerk = both(unclocked, review_marked("govflow.clock", "start"))
    assert [s for s, m in about(findings(started_by_a_clerk), "accept") if "Art 32" in m] == ["warning"]


def test_a_licence_item_with_steps_after_its_decision_marks_the_delivery() -> None:
    """Art 44 gives 10 working days from the decision to deliver: with 制证 and 送达 after the decision, the
    step that delivers is marked so that supervision sees when it is done."""
    unmarked = edit(WINDOW, '<camunda:property name="govflow.event" value="delivered" />', "")
    [(severity, message)] = [(s, m) for s, m in about(findings(unmarked), "window_acceptance") if "Art 44" in m]
    assert severity == "warning" and "govflow.event=delivered" in message
    assert not [m for _, m in about(findings(both(unmarked, public_service)), "window_acceptance") if "Art 44" in m]
    # A mark before the decision would never end the days.
    marked_early = both(unmarked, review_marked("govflow.event", "delivered"))
    assert [s for s, m in about(findings(marked_early), "window_acceptance") if "Art 44" in m] == ["warning"]


def test_promised_days_may_not_exceed_statutory_days_in_the_diagram_or_the_guide() -> None:
    problems = findings(edit(FOOD, '<camunda:property name="govflow.promisedDays" value="10" />',
                             '<camunda:property name="govflow.promisedDays" value="30" />'))
    messages = about(problems, "food_business_licence")
    assert ("error", "govflow.promisedDays 30 exceeds govflow.statutoryDays 10") in messages
    assert any(s == "warning" and "differs from promised_days 10 of the guide" in m for s, m in messages)
    problems = findings(edit(FOOD_GUIDE, '"promised_days": 10', '"promised_days": 21'))
    [problem] = [p for p in problems if p.file == FOOD_GUIDE]
    assert (problem.severity, problem.element) == ("error", "promised_days")


def test_catch_all_materials_are_errors() -> None:
    problems = findings(edit(FOOD_GUIDE, "食品安全管理人员身份证明及培训考核合格证明", "其他有关材料"))
    [problem] = problems
    assert (problem.file, problem.element, problem.severity) == (FOOD_GUIDE, "materials[4].name", "error")
    assert problem.line == files_line(FOOD_GUIDE, "食品安全管理人员身份证明及培训考核合格证明")


def test_a_gateway_reads_only_fields_a_preceding_form_asks_for() -> None:
    problems = findings(edit(WINDOW, "${approved}", "${approved and fee_paid}"))
    [(severity, message)] = about(problems, "flow_grant")
    assert severity == "warning" and "reads 'fee_paid'" in message
    # The case's functions are known (a condition on the case's deadline, say).
    assert about(findings(edit(WINDOW, "${approved}", "approved and case_deadline() is not None")), "flow_grant") == []
    # A field of a form of a task after the gateway does not count either.
    problems = findings(edit(WINDOW, "${approved}", "${approved and delivery_method == 'mail'}"))
    assert [m for _, m in about(problems, "flow_grant")] and "reads 'delivery_method'" in about(problems, "flow_grant")[0][1]
    # Set by a script task: fine.
    assert about(findings(edit(FOOD, "${decision == 'grant'}</bpmn:conditionExpression>\n    </bpmn:sequenceFlow>\n"
                                     "    <bpmn:sequenceFlow id=\"to_deny\"",
                               "${decision == 'grant' and deemed_accepted}</bpmn:conditionExpression>\n"
                               "    </bpmn:sequenceFlow>\n    <bpmn:sequenceFlow id=\"to_deny\"")), "to_grant") == []


def test_the_guide_must_name_a_linted_process_and_agree_with_its_clock() -> None:
    problems = findings(edit(FOOD_GUIDE, '"process": "food_business_licence"', '"process": "food_licence"'))
    assert [(p.file, p.element, p.severity) for p in problems] == [(FOOD_GUIDE, "process", "error")]
    problems = findings(edit(FOOD_GUIDE, '"calendar": "CN"', '"calendar": "SX"'))
    [(severity, message)] = about(problems, "food_business_licence")
    assert severity == "warning" and "calendar 'SX'" in message

    def no_clock(files: dict[str, bytes]) -> None:
        edit(WINDOW, '<camunda:property name="govflow.clock" value="start" />', "")(files)
    assert any("no element is marked govflow.clock=start" in m for _, m in about(findings(no_clock), "window_acceptance"))


def test_findings_print_as_file_line_element_message_severity() -> None:
    problem = Problem("bpmn/x/a.bpmn", 12, "review", "has no form", "error")
    assert lint.format_problem(problem) == "bpmn/x/a.bpmn:12: review: has no form (error)"
    assert lint.format_problem(Problem("guide.json", None, None, "bad", "warning")) == "guide.json: bad (warning)"


def test_a_broken_form_is_reported_and_does_not_crash_the_rules() -> None:
    def broken(files: dict[str, bytes]) -> None:
        files["forms/review.form"] = json.dumps({"components": "nope"}).encode()
    problems = findings(broken)
    assert any(p.file == "forms/review.form" and p.severity == "error" for p in problems)
    # It is among the linted files: its errors are said once, not again at the task naming it.
    assert not any(p.element == "review" and "not among the linted files" in p.message for p in problems)


def test_two_files_deploy_would_store_under_one_name_are_an_error():
    diagram = (FIXTURES / "simple_approval.bpmn").read_bytes()
    other = (FIXTURES / "routed_task.bpmn").read_bytes()
    found = lint.lint_files([("in/a/p.bpmn", diagram), ("in/b/p.bpmn", other), ("x/guide.json", b"{}"),
                             ("y/guide.json", b"{}")])
    clashes = [p for p in found if "needs a name of its own" in p.message]
    assert [(p.file, p.severity) for p in clashes] == [("in/b/p.bpmn", "error")]
    assert "in/a/p.bpmn" in clashes[0].message


def test_a_guide_named_inside_its_item_folder_is_deployed_under_the_folder_s_name(tmp_path, monkeypatch):
    item = tmp_path / "SX-XK-0001"
    item.mkdir()
    monkeypatch.chdir(item)
    assert lint.deployed_name("guide.json") == "SX-XK-0001/guide.json"
    assert lint.deployed_name("other/SX-XK-0002/guide.json") == "SX-XK-0002/guide.json"
    assert lint.deployed_name("forms/accept.form") == "accept.form"


def test_confidential_names_are_whole_variables_and_no_message_sends_them_unasked() -> None:
    head = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
            'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
            'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">'
            '<bpmn:message id="m" name="tip"/>')

    def tip(names: str, payload: str = "") -> list[tuple[str, str]]:
        diagram = (head + '<bpmn:process id="tips" isExecutable="true"><bpmn:extensionElements><camunda:properties>'
                   f'<camunda:property name="govflow.confidential" value="{names}"/></camunda:properties>'
                   '</bpmn:extensionElements><bpmn:startEvent id="s"/>'
                   '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="send"/>'
                   f'<bpmn:endEvent id="send"><bpmn:messageEventDefinition messageRef="m">{payload}'
                   '</bpmn:messageEventDefinition></bpmn:endEvent></bpmn:process></bpmn:definitions>')
        found = lint.lint_files([("tips.bpmn", diagram.encode())])
        return [(p.element or "", p.severity) for p in found if "confidential" in p.message]

    assert tip("reporter_name, reporter_phone") == [("send", "warning")]
    payload = ('<bpmn:extensionElements><spiffworkflow:messagePayload>{"topic": topic}'
               '</spiffworkflow:messagePayload></bpmn:extensionElements>')
    assert tip("reporter_name", payload) == []
    assert tip("applicant.id_no", payload) == [("tips", "warning")]


def test_recordable_is_true_or_false_on_a_step_that_waits_for_a_message() -> None:
    marked = '<camunda:property name="govflow.recordable" value="true" />'
    [(severity, message)] = about(findings(edit(FOOD, marked, marked.replace("true", "yes"))), "supplemented")
    assert severity == "error" and "govflow.recordable is 'yes': true" in message
    assert about(findings(edit(FOOD, marked, marked.replace("true", "false"))), "supplemented") == []
    # On the event-based gateway before it, the mark does nothing: the event taking the message is the step.
    gateway = '<bpmn:eventBasedGateway id="wait_supplement" name="等待补正">'
    problems = findings(edit(FOOD, gateway, gateway + '<bpmn:extensionElements><camunda:properties>'
                                                      f'{marked}</camunda:properties></bpmn:extensionElements>'))
    [(severity, message)] = about(problems, "wait_supplement")
    assert severity == "warning" and "waits for no message" in message and "event that takes the message" in message


def test_thrown_by_names_groups_on_an_error_boundary_event_of_a_user_task() -> None:
    def with_boundary(value: str, *, on_end: bool = False) -> list[Problem]:
        mark = ('<bpmn:extensionElements><camunda:properties>'
                f'<camunda:property name="govflow.thrownBy" value="{value}"/></camunda:properties>'
                '</bpmn:extensionElements>')
        boundary = (f'<bpmn:boundaryEvent id="review_ended" attachedToRef="review">{"" if on_end else mark}'
                    '<bpmn:outgoing>to_review_ended</bpmn:outgoing><bpmn:errorEventDefinition/></bpmn:boundaryEvent>'
                    '<bpmn:sequenceFlow id="to_review_ended" sourceRef="review_ended" targetRef="review_ended_end"/>'
                    f'<bpmn:endEvent id="review_ended_end">{mark if on_end else ""}'
                    '<bpmn:incoming>to_review_ended</bpmn:incoming></bpmn:endEvent></bpmn:process>')
        return findings(edit(FOOD, "</bpmn:process>", boundary))

    assert about(with_boundary("food_review, chief"), "review_ended") == []
    [(severity, message)] = about(with_boundary(" , "), "review_ended")
    assert severity == "error" and "govflow.thrownBy names no group" in message
    problems = with_boundary("food_review", on_end=True)
    [(severity, message)] = about(problems, "review_ended_end")
    assert severity == "warning" and "marks no error boundary event on a user task or around one" in message


def test_thrown_by_on_a_sub_process_around_user_tasks_is_no_warning() -> None:
    """The error goes outward to the event that catches it (engine.tasks.throw_error): a round's boundary
    lets the centre end any ballot in it."""
    problems = lint.lint_files([("thrown_by_scopes.bpmn", (FIXTURES / "thrown_by_scopes.bpmn").read_bytes())])
    assert not [p for p in problems if "govflow.thrownBy" in p.message]


def test_a_bundle_item_s_member_form_missing_from_the_linted_files_is_an_error() -> None:
    bundle = ROOT / "bpmn" / "SCJG-YJS-0001"
    files = {f"bpmn/SCJG-YJS-0001/{p.name}": p.read_bytes() for p in sorted(bundle.iterdir()) if p.is_file()}
    files.update({f"forms/{p.name}": p.read_bytes() for p in sorted((ROOT / "forms").glob("*.form"))
                  if p.name != "signboard-application.form"})
    found = [p for p in lint.lint_files(list(files.items())) if "signboard-application.form" in p.message]
    assert [(p.severity, p.element) for p in found] == [("error", "restaurant_opening")]
    assert "govflow.bundleForms names form 'signboard-application.form', which is not among" in found[0].message


def test_an_excluded_period_the_guide_does_not_list_is_warned_about() -> None:
    """The food licence's guide lists only 现场核查 (inspection): a step pausing the clock for a hearing would
    pause it for a period the applicant was never told of."""
    marked = '<camunda:property name="govflow.caseStateOnStart" value="部门开始办理" />'

    def excluded(kind: str) -> Callable[[dict[str, bytes]], None]:
        return edit("bpmn/SCJG-XK-0001/food_business_licence.bpmn", marked,
                    marked + f'<camunda:property name="govflow.excluded" value="{kind}" />')

    [(severity, message)] = about(findings(excluded("hearing")), "review")
    assert severity == "warning" and "'hearing'" in message and "excluded_periods: inspection" in message
    assert about(findings(excluded("inspection")), "review") == []
