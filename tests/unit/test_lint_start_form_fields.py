"""``govflow lint`` knows the fields a case starts with: a gateway may read its start form's fields, and a
one-thing bundle's member forms merged into it (``govflow.bundleForms``)."""
from __future__ import annotations

from engine import lint
from engine.bpmn_xml import Problem
from tests.helpers import ROOT

FORMS = ROOT / "forms"
APPLICATION = "food-licence-application.form"  # asks food_safety_manager, among others
SIGNBOARD = "signboard-application.form"  # asks signboard_area


def diagram(condition: str, *, start_form: str | None = APPLICATION, bundle_forms: str | None = None) -> bytes:
    form = f' camunda:formKey="{start_form}"' if start_form else ""
    properties = (f'<bpmn:extensionElements><camunda:properties><camunda:property name="govflow.bundleForms" '
                  f'value="{bundle_forms}" /></camunda:properties></bpmn:extensionElements>') if bundle_forms else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Defs_gate" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="start_form_gate" name="按申请分流" isExecutable="true">
    {properties}
    <bpmn:startEvent id="applied"{form} />
    <bpmn:sequenceFlow id="f1" sourceRef="applied" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" name="是否分流" default="f_other" />
    <bpmn:sequenceFlow id="f_read" name="分流" sourceRef="gw" targetRef="read">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_other" sourceRef="gw" targetRef="other" />
    <bpmn:endEvent id="read" />
    <bpmn:endEvent id="other" />
  </bpmn:process>
</bpmn:definitions>
""".encode()


def lint_with(content: bytes, *form_names: str) -> list[Problem]:
    files = [("start_form_gate.bpmn", content)] + [(f"forms/{n}", (FORMS / n).read_bytes()) for n in form_names]
    return lint.lint_files(files)


def read_warnings(problems: list[Problem]) -> list[str]:
    return [p.message for p in problems if p.element == "f_read"]


def test_a_gateway_may_read_a_field_of_the_start_form() -> None:
    assert read_warnings(lint_with(diagram("${food_safety_manager != ''}"), APPLICATION)) == []


def test_a_name_the_start_form_does_not_ask_for_is_still_unknown() -> None:
    [message] = read_warnings(lint_with(diagram("${food_safety_manager != '' and fee_paid}"), APPLICATION))
    assert message == ("the condition of flow '分流' (gateway '是否分流') reads 'fee_paid', which neither the start "
                       "form nor a form of a user task before it asks for and no script sets")


def test_a_bundle_s_member_forms_merged_into_its_start_form_are_known() -> None:
    condition = "${signboard_area > 10 and food_safety_manager != ''}"
    # Its own start form and a member form: both are asked when a case starts.
    assert read_warnings(lint_with(diagram(condition, bundle_forms=SIGNBOARD), APPLICATION, SIGNBOARD)) == []
    # Member forms alone, without a start form of its own.
    both = f"{APPLICATION}, {SIGNBOARD}"
    assert read_warnings(lint_with(diagram(condition, start_form=None, bundle_forms=both), APPLICATION, SIGNBOARD)) == []
    # Without the member form, its field is unknown.
    [message] = read_warnings(lint_with(diagram(condition), APPLICATION))
    assert "reads 'signboard_area'" in message


def test_without_a_start_form_its_fields_are_unknown() -> None:
    [message] = read_warnings(lint_with(diagram("${food_safety_manager != ''}", start_form=None)))
    assert "reads 'food_safety_manager'" in message


def test_a_start_form_lint_cannot_read_leaves_the_gateways_unchecked() -> None:
    # The form is not among the linted files: whatever the case starts with may be read.
    assert read_warnings(lint_with(diagram("${anything}"))) == []
    # A page the client application renders: no schema to read.
    assert read_warnings(lint_with(diagram("${anything}", start_form="app:apply"))) == []
