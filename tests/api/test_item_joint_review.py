"""建设工程规划许可证核发 (bpmn/ZRZY-XK-0003), an internal joint review (联审联办, SX8, SX23): the planning
permit section leads, the zoning and municipal sections give their opinions in parallel, a site
inspection runs as a special procedure whose days the time limit does not count (行政许可法 Art 45),
and the lead section decides."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from engine import execution
from engine.clock import LOCAL_TZ
from tests.helpers import ApiClient, complete_open_task, open_steps
from tests.service_items import (
    case,
    case_states,
    completed_elements,
    deploy_item,
    documents,
    guide,
    send_message,
    supply_materials,
)

CODE = "ZRZY-XK-0003"
KEY = "construction_planning_permit"


@pytest.fixture
def api(api: ApiClient) -> ApiClient:
    deploy_item(api, CODE)
    return api


@pytest.fixture
def on(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run the next commands on a given local working day: ``on(date(2026, 3, 2))``."""
    def set_day(day: date) -> None:
        moment = datetime(day.year, day.month, day.day, 10, tzinfo=LOCAL_TZ).astimezone(UTC)
        monkeypatch.setattr(execution, "utcnow", lambda: moment)
    return set_day


def clock(api: ApiClient, case_id: int) -> dict[str, Any]:
    response = api.as_("supervisor").get(f"/api/process-instances/{case_id}/clock")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def accepted(api: ApiClient, business_key: str) -> int:
    started = api.start(KEY, business_key=business_key, variables={
        "applicant_name": "洛阳某房地产开发有限公司", "project_name": "伊滨区某住宅小区一期"})
    supply_materials(api, started["id"], CODE)
    complete_open_task(api, started["id"], "acceptance_check", user="window_clerk", acceptance_decision="accept")
    return started["id"]


def start_joint_review(api: ApiClient, case_id: int) -> None:
    after = complete_open_task(api, case_id, "lead_review", user="planning_clerk",
                               preliminary_opinion="材料齐全，提请联审", inspection_days=5)
    assert sorted(t["bpmn_id"] for t in after["tasks"]) == ["inspect", "municipal_review", "zoning_review"]
    groups = {t["bpmn_id"]: t["candidate_groups"] for t in after["tasks"]}
    assert groups == {"inspect": ["planning_permit"], "municipal_review": ["municipal_planning"],
                      "zoning_review": ["detailed_planning"]}


def assist(api: ApiClient, case_id: int, zoning: str = "agree", municipal: str = "agree") -> None:
    complete_open_task(api, case_id, "zoning_review", user="zoning_clerk", zoning_result=zoning,
                       zoning_opinion="容积率2.5、建筑密度25%、绿地率35%，符合控规")
    complete_open_task(api, case_id, "municipal_review", user="municipal_clerk", municipal_result=municipal,
                       municipal_opinion="机动车出入口距交叉口不足50米" if municipal == "disagree"
                       else "交通市政条件满足")


def inspect(api: ApiClient, case_id: int) -> None:
    complete_open_task(api, case_id, "inspect", user="planning_clerk", inspection_date="2026-03-06",
                       site_conforms="yes", inspection_record="四至与总平面图一致，现状为空地")


def test_sections_assist_in_parallel_and_the_inspection_days_are_not_counted(api, on):
    on(date(2026, 3, 2))  # Monday: accepted, the clock starts
    case_id = accepted(api, "GH-2026-0001")
    assert clock(api, case_id)["deadline_date"] == "2026-03-16"  # 10 working days

    on(date(2026, 3, 3))  # the lead section starts the joint review and the site inspection
    start_joint_review(api, case_id)
    paused = clock(api, case_id)
    assert paused["state"] == "paused"
    assert [(p["kind"], p["element_id"]) for p in paused["procedures"]] == [("inspection", "site_inspection")]
    notice = documents(api, case_id)["site_inspection_notice"]  # told in writing how long it takes (Art 45)
    assert "预计需要5个工作日" in notice and "不计算在行政许可期限内" in notice

    on(date(2026, 3, 4))  # each assisting section gives its own opinion; none works another's task
    complete_open_task(api, case_id, "zoning_review", user="planning_clerk", expect=404, zoning_result="agree",
                       zoning_opinion="x")
    assist(api, case_id)
    assert open_steps(api, case_id) == ["inspect"]  # the lead decides only with the inspection done

    on(date(2026, 3, 9))  # Monday: the inspection ends, 4 working days (4, 5, 6, 9 March) not counted
    inspect(api, case_id)
    assert open_steps(api, case_id) == ["lead_decide"]
    resumed = clock(api, case_id)
    assert (resumed["state"], resumed["paused_working_days"], resumed["deadline_date"]) == ("running", 4, "2026-03-20")

    on(date(2026, 3, 10))
    complete_open_task(api, case_id, "lead_decide", user="zoning_clerk", expect=404, decision="grant",
                       decision_opinion="x")
    after = complete_open_task(api, case_id, "lead_decide", user="planning_clerk", decision="grant",
                               decision_opinion="各协办科室意见均为同意，现场与图纸一致，准予许可")
    variables = after["variables"]
    assert (variables["zoning_result"], variables["municipal_result"], variables["site_conforms"]) == \
        ("agree", "agree", "yes")
    stopped = clock(api, case_id)
    # 3, 4, 5, 6, 9, 10 March are six working days since acceptance; four of them were the inspection.
    assert (stopped["state"], stopped["used_working_days"], stopped["remaining_working_days"]) == ("stopped", 2, 8)
    assert stopped["procedures"][0]["days"] == 4

    complete_open_task(api, case_id, "certify", user="certificate_clerk", expect=422,
                       certificate_no="410302202603020001")
    complete_open_task(api, case_id, "certify", user="certificate_clerk", certificate_no="建字第410300260012号")
    done = complete_open_task(api, case_id, "deliver", user="window_clerk", delivery_method="window")
    assert done["state"] == "completed"
    assert case_states(api, case_id) == ["已接件", "已受理", "部门开始办理", "特别程序(开始)", "特别程序(结束)",
                                         "办结(通过)"]


def test_an_assisting_sections_objection_informs_a_denial(api, on):
    on(date(2026, 3, 2))
    case_id = accepted(api, "GH-2026-0002")
    start_joint_review(api, case_id)
    inspect(api, case_id)  # the inspection may end before the opinions arrive
    assert clock(api, case_id)["state"] == "running"
    assist(api, case_id, municipal="disagree")
    complete_open_task(api, case_id, "lead_decide", user="planning_clerk", decision="deny",
                       decision_opinion="市政交通规划科意见：出入口设置不符合要求，不予许可")
    done = complete_open_task(api, case_id, "deliver", user="window_clerk", delivery_method="electronic")
    assert done["state"] == "completed" and "denied" in completed_elements(api, case_id)
    assert case_states(api, case_id)[-1] == "办结(不通过)"


def test_an_incomplete_application_is_told_once_and_accepted_after_the_supplement(api):
    started = api.start(KEY, business_key="GH-2026-0003", variables={"applicant_name": "某公司"})
    case_id = started["id"]
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", acceptance_decision="incomplete",
                       missing_materials="建设工程设计方案（总平面图及建筑单体方案）：缺退界尺寸标注")
    assert case(api, case_id)["tasks"] == []
    send_message(api, "materials_supplemented", "GH-2026-0003")
    supply_materials(api, case_id, CODE)
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", acceptance_decision="accept")
    assert open_steps(api, case_id) == ["lead_review"]
    assert case_states(api, case_id) == ["已接件", "补正(开始)", "补正(结束)", "已受理", "部门开始办理"]


def test_the_guide_declares_the_inspection_the_diagram_excludes():
    [period] = guide(CODE)["excluded_periods"]
    assert period["type"] == "inspection"
