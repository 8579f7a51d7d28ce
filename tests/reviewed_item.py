"""An item whose diagram names its case states: accepted, reviewed, then approved or, with ``lapsed``,
deemed withdrawn at an end event that says why. Test modules deploy it under their own ids, with or without
a promised time limit and a clock started at acceptance."""
from __future__ import annotations


def reviewed_item_bpmn(process_id: str, name: str, *, withdrawn_end: tuple[str, str],
                       promised_days: int | None = None, clock_from_acceptance: bool = False) -> str:
    """The diagram's XML; ``withdrawn_end`` is the id and name of the deemed-withdrawn end event."""
    end_id, end_name = withdrawn_end
    promised = "" if promised_days is None else f"""
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="govflow.promisedDays" value="{promised_days}" />
    </camunda:properties></bpmn:extensionElements>"""
    clock = """
        <camunda:property name="govflow.clock" value="start" />""" if clock_from_acceptance else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    id="Defs_{process_id}" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="{process_id}" name="{name}" isExecutable="true">{promised}
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="accept" />
    <bpmn:userTask id="accept" name="受理" camunda:candidateGroups="window">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="govflow.event" value="accepted" />{clock}
      </camunda:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="accept" targetRef="review" />
    <bpmn:userTask id="review" name="审查" camunda:candidateGroups="office" />
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" default="f_done" />
    <bpmn:sequenceFlow id="f_done" sourceRef="gw" targetRef="done" />
    <bpmn:sequenceFlow id="f_withdrawn" sourceRef="gw" targetRef="{end_id}">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${{lapsed == true}}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="done" name="办结（准予）">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="govflow.caseState" value="办结(通过)" />
      </camunda:properties></bpmn:extensionElements>
    </bpmn:endEvent>
    <bpmn:endEvent id="{end_id}" name="{end_name}">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="govflow.caseState" value="撤回" />
      </camunda:properties></bpmn:extensionElements>
    </bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""

