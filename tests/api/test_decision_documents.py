"""Decision documents say what was decided (行政许可法 Art 38): the joint review meeting (ZWFW-LH-0001), the
parallel approval (ZRZY-BL-0001) and each member item of the one-thing bundle (SCJG-YJS-0001) issue a grant
with its conditions or a denial with its reasons and the applicant's remedies, in the name of the department
that decided, promising only what the item does next. Each case is driven through the API with the library
deployed as ``govflow deploy bpmn/ forms/`` deploys it, and the issued HTML is read back."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from typing import Any

import pypdf

from tests.api.test_joint_review_meeting import set_up_departments, today
from tests.api.test_one_thing_bundle import APPLICATION, REVIEWS
from tests.helpers import (
    ROOT,
    ApiClient,
    by_bpmn_id,
    case_tasks,
    complete_open_task,
    complete_task,
    cover_year,
)
from tests.service_items import deploy_item, guide, supply_materials

REMEDIES = "可以自收到本决定书之日起六十日内依法申请行政复议，或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼"
CERTIFICATE = "行政许可证件"  # what the shared grant promises; none of these items has a certificate step


def issued(api: ApiClient, case_id: int) -> list[dict[str, Any]]:
    """The case's documents as listed, each with the HTML the applicant downloads under ``html``."""
    integrator = api.as_("integrator")
    listed = integrator.get(f"/api/process-instances/{case_id}/documents")
    assert listed.status_code == 200, listed.get_json()
    documents = listed.get_json()
    for document in documents:
        response = integrator.get(f"/api/process-instances/{case_id}/documents/{document['id']}?format=html")
        assert response.status_code == 200
        document["html"] = response.get_data(as_text=True)
    return documents


def issued_by(api: ApiClient, case_id: int, element_id: str) -> dict[str, Any]:
    [document] = [d for d in issued(api, case_id) if d["element_id"] == element_id]
    return document


# ---- 联合审批会议 (ZWFW-LH-0001) ---------------------------------------------------------------------

MEMBERS = ("FGW", "ZRZY", "ZJJ")
CLERKS = {"fgw": "fgw_clerk", "zrzy": "zrzy_clerk", "zjj": "zjj_clerk"}


def meeting_convened(api: ApiClient, business_key: str, members: tuple[str, ...] = MEMBERS) -> dict[str, Any]:
    """A joint review meeting accepted and convened for today (its ballots open at once) with these member
    departments (set up here); returns the case."""
    deploy_item(api, "ZWFW-LH-0001")
    set_up_departments(api, members)
    case = api.start("joint_review_meeting", business_key=business_key, variables={
        "applicant_name": "市城市建设投资集团有限公司", "project_name": "市民中心二期"})
    supply_materials(api, case["id"], "ZWFW-LH-0001")
    complete_open_task(api, case, "acceptance", user="zwfw_clerk", acceptance={"decision": "accept"})
    cover_year(api.runtime, date.fromisoformat(today()))
    complete_open_task(api, case, "convene", user="zwfw_clerk", member_departments=list(members),
                       meeting_date=today(), meeting_place="政务服务中心第一会议室")
    return case


def meeting_voted(api: ApiClient, business_key: str, ballots: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A joint review meeting convened and voted on (``ballots``: group -> the member's form fields); returns
    the chair's task."""
    case = meeting_convened(api, business_key)
    for ballot in [t for t in case_tasks(api, case) if t["bpmn_id"] == "vote"]:
        [group] = ballot["candidate_groups"]
        name = api.as_(CLERKS[group]).get(f"/api/tasks/{ballot['id']}/form").get_json()["data"]["member"]["name"]
        complete_task(api, ballot, user=CLERKS[group], member={"name": name, **ballots[group]})
    return open_task_of(api, case, "chair_decision")


def meeting_day_words() -> str:
    """The meeting date of meeting_convened as the decision writes it (2026年3月10日)."""
    day = date.fromisoformat(today())
    return f"{day.year}年{day.month}月{day.day}日"


def open_task_of(api: ApiClient, case: dict[str, Any], bpmn_id: str) -> dict[str, Any]:
    return by_bpmn_id(case_tasks(api, case))[bpmn_id]


def test_a_joint_review_grant_carries_the_meeting_s_conditions_and_promises_no_certificate(api):
    chair = meeting_voted(api, "LH-2026-0101", {
        "fgw": {"vote": "approve", "opinion": "项目须纳入年度投资计划"},
        "zrzy": {"vote": "approve"},
        "zjj": {"vote": "reject", "reason": "消防车道宽度不足"}})
    complete_task(api, chair, user="meeting_chair", chair_decision="confirm",
                  chair_opinion="同意项目按方案实施\n开工前完成施工图审查")

    document = issued_by(api, chair["process_instance_id"], "approval_issued")
    html = document["html"]
    assert document["title"] == "准予行政许可决定书"
    assert "<li>同意项目按方案实施</li>" in html and "<li>开工前完成施工图审查</li>" in html
    assert "<td>市发展和改革委员会</td><td>项目须纳入年度投资计划</td>" in html  # an approving department's condition
    assert "消防车道宽度不足" not in html  # a dissent is no condition of the grant
    assert f"于{meeting_day_words()}在政务服务中心第一会议室" in html and "表决同意2家、不同意1家、弃权0家" in html
    assert "第三十八条第一款" in html and "就市民中心二期" in html
    assert f"<h1>{guide('ZWFW-LH-0001')['department']['name']}</h1>" in html
    assert CERTIFICATE not in html and "颁发" not in html


def test_a_joint_review_denial_gives_the_chair_s_and_each_dissenting_department_s_reasons_and_the_remedies(api):
    chair = meeting_voted(api, "LH-2026-0102", {
        "fgw": {"vote": "approve", "opinion": "符合产业政策"},
        "zrzy": {"vote": "reject", "reason": "用地不符合国土空间规划\n容积率超出规划条件"},
        "zjj": {"vote": "reject", "reason": "消防车道宽度不足"}})
    complete_task(api, chair, user="meeting_chair", chair_decision="confirm", chair_opinion="项目选址须重新论证")

    document = issued_by(api, chair["process_instance_id"], "rejection_issued")
    html = document["html"]
    assert document["title"] == "不予行政许可决定书"
    assert "<li>项目选址须重新论证</li>" in html
    assert "<li>市自然资源和规划局意见：用地不符合国土空间规划；容积率超出规划条件</li>" in html
    assert "<li>市住房和城乡建设局意见：消防车道宽度不足</li>" in html
    assert "符合产业政策" not in html and "申请不符合法定条件、标准。</li>" not in html
    assert "第三十八条第二款" in html and REMEDIES in html and "未获出席单位半数以上同意" in html


def test_a_department_voting_against_must_give_its_reasons(api):
    case = meeting_convened(api, "LH-2026-0103", MEMBERS[:1])
    ballot = open_task_of(api, case, "vote")
    member = {"name": "市发展和改革委员会", "vote": "reject"}
    refused = complete_task(api, ballot, user="fgw_clerk", expect=422, member={**member, "opinion": "不同意"})
    assert [(d["field"], d["rule"]) for d in refused["error"]["details"]] == [("variables.member.reason", "required")]
    assert refused["error"]["code"] == "validation_failed"
    complete_task(api, ballot, user="fgw_clerk", member={**member, "reason": "项目未取得节能审查意见"})
    assert open_task_of(api, case, "chair_decision")  # the vote counted
    # The form tells the department where its reasons go.
    vote = json.loads((ROOT / "forms" / "joint-review-vote.form").read_text(encoding="utf-8"))
    [reason] = [c for c in vote["components"] if c.get("key") == "member.reason"]
    assert "不予行政许可决定书" in reason["description"]


# ---- 工程建设项目并联审批 (ZRZY-BL-0001) ---------------------------------------------------------------

def parallel_reviewed(api: ApiClient, business_key: str, results: dict[str, str]) -> dict[str, Any]:
    """A parallel approval accepted and reviewed by every department (``results``: form key -> result; the
    planning permit is not reviewed when the land pre-review denies); returns the lead's joint result task."""
    deploy_item(api, "ZRZY-BL-0001")
    case = api.start("construction_parallel_approval", business_key=business_key, variables={
        "project_name": "滨河路小学新建工程", "applicant_name": "市教育投资有限公司"})
    supply_materials(api, case["id"], "ZRZY-BL-0001")
    complete_task(api, case["tasks"][0], user="zrzy_clerk", acceptance={"decision": "accept"})
    opinions = {"land_pre_review": "符合国土空间规划", "planning_permit": "建筑限高24米",
                "environment_review": "施工期噪声须符合GB 12523", "fire_design_review": "消防车道宽度不足4米"}
    steps = [("land_review", "zrzy_clerk", "land_pre_review"), ("planning_review", "zrzy_clerk", "planning_permit"),
             ("environment_review", "sthj_clerk", "environment_review"),
             ("fire_design_review", "zjj_clerk", "fire_design_review")]
    for bpmn_id, clerk, key in steps:
        if key == "planning_permit" and results["land_pre_review"] != "approve":
            continue
        verdict: dict[str, Any] = {key: {"result": results[key], "opinion": opinions[key]}}
        complete_open_task(api, case, bpmn_id, user=clerk, **verdict)
    return open_task_of(api, case, "joint_result")


def test_a_parallel_grant_lists_every_department_s_conclusion_and_conditions_and_promises_no_certificate(api):
    joint = parallel_reviewed(api, "BL-2026-0101", dict.fromkeys(
        ("land_pre_review", "planning_permit", "environment_review", "fire_design_review"), "approve"))
    complete_task(api, joint, user="zrzy_clerk", joint_result={"decision": "grant", "opinion": "各部门均同意，准予"})

    document = issued_by(api, joint["process_instance_id"], "grant_issued")
    html = document["html"]
    for row in ("<td>1</td><td>建设项目用地预审</td><td>市自然资源和规划局</td><td>同意</td><td>符合国土空间规划</td>",
                "<td>2</td><td>建设工程规划许可</td><td>市自然资源和规划局</td><td>同意</td><td>建筑限高24米</td>",
                "<td>3</td><td>环境影响评价审批</td><td>市生态环境局</td><td>同意</td><td>施工期噪声须符合GB 12523</td>",
                "<td>4</td><td>消防设计审查</td><td>市住房和城乡建设局</td><td>同意</td><td>消防车道宽度不足4米</td>"):
        assert row in html
    assert "牵头部门意见：各部门均同意，准予" in html and "第三十八条第一款" in html
    assert "<h1>市自然资源和规划局</h1>" in html
    assert CERTIFICATE not in html and "颁发" not in html
    pdf = api.as_("integrator").get(f"/api/process-instances/{joint['process_instance_id']}/documents/"
                                    f"{document['id']}?format=pdf")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    assert "施工期噪声" in text and "牵头部门意见" in text


def test_a_parallel_denial_gives_the_lead_s_reasons_and_each_refusing_department_s_and_the_remedies(api):
    joint = parallel_reviewed(api, "BL-2026-0102", {"land_pre_review": "deny", "environment_review": "approve",
                                                   "fire_design_review": "deny"})
    complete_task(api, joint, user="zrzy_clerk", joint_result={"decision": "deny", "opinion": "用地预审未通过"})

    html = issued_by(api, joint["process_instance_id"], "denial_issued")["html"]
    assert "<li>用地预审未通过</li>" in html
    assert "<li>建设项目用地预审（市自然资源和规划局，不同意）：符合国土空间规划</li>" in html
    # The dependent item never started: the reason says why.
    assert "<li>建设工程规划许可（市自然资源和规划局，未启动）：前置事项建设项目用地预审未通过，建设工程规划许可不予启动</li>" in html
    assert "<li>消防设计审查（市住房和城乡建设局，不同意）：消防车道宽度不足4米</li>" in html
    assert "施工期噪声" not in html.split("理由如下")[1].split("</ol>")[0]  # an approval is no reason
    assert "第三十八条第二款" in html and REMEDIES in html


# ---- 开办餐饮店一件事 (SCJG-YJS-0001) -------------------------------------------------------------------

def test_each_member_item_of_the_bundle_issues_its_own_decision_in_its_department_s_name(api):
    deploy_item(api, "SCJG-YJS-0001")
    case = api.start("restaurant_opening", business_key="YJS-2026-0101", variables=APPLICATION)
    supply_materials(api, case["id"], "SCJG-YJS-0001")
    complete_task(api, case["tasks"][0], user="window_clerk", bundle_acceptance={"decision": "accept"})
    verdicts = {"registration_review": ("grant", "准予设立登记"), "food_licence_review": ("grant", "限热食类食品制售"),
                "signboard_review": ("deny", "招牌面积超过3平方米\n招牌采用闪烁灯光")}
    for bpmn_id, (clerk, key) in REVIEWS.items():
        result, opinion = verdicts[bpmn_id]
        verdict: dict[str, Any] = {key: {"result": result, "opinion": opinion}}
        complete_open_task(api, case, bpmn_id, user=clerk, **verdict)

    documents = {d["element_id"]: d for d in issued(api, case["id"])}
    assert set(documents) == {"acceptance_notice", "registration_granted", "food_licence_granted",
                              "signboard_denied"}
    registration, food, signboard = (documents[k] for k in ("registration_granted", "food_licence_granted",
                                                            "signboard_denied"))
    assert [registration["title"], food["title"], signboard["title"]] == [
        "准予行政许可决定书（营业执照（设立登记））", "准予行政许可决定书（食品经营许可）", "不予行政许可决定书（户外招牌设置许可）"]
    assert "<h1>市市场监督管理局</h1>" in registration["html"] and "<h1>市市场监督管理局</h1>" in food["html"]
    assert "<h1>市城市管理局</h1>" in signboard["html"] and "市城市管理局（印章）" in signboard["html"]
    assert "（行政机关名称）" not in registration["html"] + food["html"] + signboard["html"]
    assert "审批意见：限热食类食品制售" in food["html"] and "《中华人民共和国食品安全法》第三十五条" in food["html"]
    assert "通过“开办餐饮店一件事”集成办理提出的食品经营许可申请" in food["html"]
    assert "由综合窗口作为一个结果包统一送达" in food["html"] and CERTIFICATE not in food["html"]
    assert "<li>招牌面积超过3平方米</li>" in signboard["html"] and "<li>招牌采用闪烁灯光</li>" in signboard["html"]
    assert "第三十八条第二款" in signboard["html"] and REMEDIES in signboard["html"]
    assert "《城市市容和环境卫生管理条例》第十一条" in signboard["html"]
    assert "食品安全法" not in signboard["html"]  # each member states its own legal basis

    # The bundle case's archive keeps them, with the package the window delivers.
    complete_open_task(api, case, "deliver_package", user="window_clerk", delivery={"method": "window"})
    archive = api.as_("supervisor").get(f"/api/process-instances/{case['id']}/archive")
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.data)) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
    assert [d["title"] for d in manifest["documents"]] == [
        "受理通知书", "准予行政许可决定书（营业执照（设立登记））", "准予行政许可决定书（食品经营许可）",
        "不予行政许可决定书（户外招牌设置许可）"]


def test_a_member_item_with_a_guide_of_its_own_still_decides_as_the_bundle_s_member(api, tmp_path):
    """The food licence published as an item of its own (its own guide naming the member process): inside the
    bundle, its decision is still the bundle's member decision, with the verdict the bundle's entry names."""
    deploy_item(api, "SCJG-YJS-0001")
    own = {**guide("SCJG-XK-0001"), "code": "SCJG-XK-0099", "name": "食品经营许可（单独办理）",
           "process": "restaurant_food_licence"}
    path = tmp_path / "guide.json"
    path.write_text(json.dumps(own, ensure_ascii=False), encoding="utf-8")
    api.deploy(path)
    case = api.start("restaurant_opening", business_key="YJS-2026-0102", variables=APPLICATION)
    supply_materials(api, case["id"], "SCJG-YJS-0001")
    complete_task(api, case["tasks"][0], user="window_clerk", bundle_acceptance={"decision": "accept"})
    complete_open_task(api, case, "food_licence_review", user="scjg_clerk",
                       food_licence={"result": "grant", "opinion": "限热食类食品制售"})
    food = issued_by(api, case["id"], "food_licence_granted")
    assert food["title"] == "准予行政许可决定书（食品经营许可）"
    assert "审批意见：限热食类食品制售" in food["html"]
    assert "通过“开办餐饮店一件事”集成办理" in food["html"]
