"""Whether the applicant withdrew a terminated case is decided once (engine.case_state.withdrawn_by_applicant):
the case's own state and supervision's statistics, which read its termination alone, agree on every case."""
from __future__ import annotations

from sqlalchemy import select

from engine import case_state
from engine.models import ProcessInstance
from tests.helpers import ApiClient

TERMINATIONS = {
    "said-withdrew": ("因材料问题终止", True),
    "said-office": ("申请人撤回申请", False),  # the call's word outweighs the reason's wording
    "reason-withdrew": ("应申请人要求撤件", None),
    "reason-office": ("超出本机关职权，终止办理", None),
}


def test_a_termination_reads_withdrawn_alike_for_the_case_and_for_the_statistics(api: ApiClient) -> None:
    api.deploy("simple_approval.bpmn")
    for key, (reason, withdrawn) in TERMINATIONS.items():
        case = api.start("simple_approval", business_key=key, variables={"reviewGroup": "office"})
        said = {"reason": reason} if withdrawn is None else {"reason": reason, "withdrawn": withdrawn}
        answer = api.as_("supervisor").post(f"/api/process-instances/{case['id']}/terminate", json=said)
        assert answer.status_code == 200, answer.get_json()
    with api.runtime.uow() as uow:
        rows = list(uow.session.scalars(select(ProcessInstance).order_by(ProcessInstance.id)))
        by_case = {row.business_key for row in rows if case_state.of_case(uow, row).end_kind == case_state.WITHDRAWN}
        by_termination = {row.business_key for row in rows
                          if row.id in case_state.withdrawn_terminations(uow, rows)}
    assert by_case == by_termination == {"said-withdrew", "reason-withdrew"}


def test_a_termination_the_history_lacks_is_read_by_the_case_s_reason() -> None:
    assert case_state.withdrawn_by_applicant(None, "申请人主动撤回") is True
    assert case_state.withdrawn_by_applicant(None, None) is False
    # The reason read is the case's own, whatever the history item carries besides whether it withdrew.
    assert case_state.withdrawn_by_applicant({"reason": "申请人撤回申请"}, "终止办理") is False
    assert case_state.withdrawn_by_applicant({"withdrawn": True}, "终止办理") is True
