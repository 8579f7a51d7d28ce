"""Documents for applicants: issued when a govflow.document element completes, downloadable as HTML and
PDF with their SHA-256, announced as document.issued, and kept in the case archive."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pypdf
import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import select

from api.cli import main as govflow
from engine import jobs, schema, timeline
from engine.models import Deployment, HistoryEvent, Job, OutboxEvent, Resource
from engine.users import SYSTEM
from tests.helpers import ROOT, complete_open_task, guide_samples, statements
from tests.service_items import food_application, supply_materials

FOOD = ROOT / "bpmn" / "SCJG-XK-0001" / "food_business_licence.bpmn"
# The library's shared templates, and the food licence's own (制证 issues the 食品经营许可证).
TEMPLATES = sorted([*(ROOT / "bpmn" / "documents").glob("*.html"), *(FOOD.parent / "documents").glob("*.html")],
                   key=lambda path: path.name)
FORMS = sorted((ROOT / "forms").glob("*.form"))


def deploy(api: Any, files: list[tuple[str, bytes]], expect: int = 201) -> Any:
    analyst = api.as_("analyst")
    response = analyst.client.post("/api/deployments", headers=analyst.headers(), content_type="multipart/form-data",
                                   data={"files": [(io.BytesIO(content), name) for name, content in files]})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def library(*, templates: list[Path] = TEMPLATES, folder: str = "documents/") -> list[tuple[str, bytes]]:
    """The food licence with its forms and templates, each template uploaded as ``<folder><name>.html``."""
    return [(FOOD.name, FOOD.read_bytes()), *((f.name, f.read_bytes()) for f in FORMS),
            *((f"{folder}{t.name}", t.read_bytes()) for t in templates)]


def start(api: Any, business_key: str, applicant: str = "某某餐饮管理有限公司") -> int:
    return api.start("food_business_licence", business_key=business_key,
                     variables=food_application(applicant_name=applicant))["id"]


def decided(api: Any, business_key: str, **steps: Any) -> int:
    """A case accepted at the window, reviewed and decided with ``steps`` (the review's and decision's fields)."""
    case_id = start(api, business_key)
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", reader="admin",
                       acceptance_decision="accept")
    complete_open_task(api, case_id, "review", reader="admin", review_opinion=steps["review_opinion"],
                       conditions_met=steps["conditions_met"])
    complete_open_task(api, case_id, "decide", reader="admin", decision=steps["decision"],
                       decision_opinion=steps["decision_opinion"])
    return case_id


def documents_of(api: Any, instance_id: int, user: str = "integrator") -> list[dict[str, Any]]:
    response = api.as_(user).get(f"/api/process-instances/{instance_id}/documents")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def download(api: Any, instance_id: int, document_id: int, fmt: str, user: str = "integrator") -> Any:
    response = api.as_(user).get(f"/api/process-instances/{instance_id}/documents/{document_id}?format={fmt}")
    assert response.status_code == 200, response.get_json()
    return response


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_acceptance_issues_a_notice_as_html_and_pdf_whose_hashes_match_the_listing(api):
    deploy(api, library())
    case_id = start(api, "SCJG-2026-0001", applicant="张三<b>餐馆</b>")
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", reader="admin",
                       acceptance_decision="accept")

    [document] = documents_of(api, case_id)
    assert (document["name"], document["title"], document["element_id"], document["origin"]) == (
        "acceptance_notice", "受理通知书", "acceptance_notice", "step")
    html = download(api, case_id, document["id"], "html")
    assert html.mimetype == "text/html" and html.headers["ETag"] == f'"{document["html_sha256"]}"'
    assert hashlib.sha256(html.data).hexdigest() == document["html_sha256"]
    assert "sandbox" in html.headers["Content-Security-Policy"]
    text = html.data.decode()
    assert "办件编号：SCJG-2026-0001" in text and "决定予以受理" in text and "第三十二条第一款第（五）项" in text
    assert "张三&lt;b&gt;餐馆&lt;/b&gt;" in text and "<b>餐馆" not in text  # case data is escaped
    assert "个工作日内（" in text  # the clock started with this step: its deadline is stated

    pdf = download(api, case_id, document["id"], "pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert pdf.headers["ETag"] == f'"{document["pdf_sha256"]}"' == f'"{hashlib.sha256(pdf.data).hexdigest()}"'
    extracted = pdf_text(pdf.data)
    assert "受理通知书" in extracted and "SCJG-2026-0001" in extracted and "张三<b>餐馆</b>" in extracted
    integrator = api.as_("integrator")
    again = integrator.client.get(f"/api/process-instances/{case_id}/documents/{document['id']}?format=pdf",
                                  headers={**integrator.headers(), "If-None-Match": f'"{document["pdf_sha256"]}"'})
    assert again.status_code == 304

    with api.runtime.uow() as uow:
        [event] = uow.session.scalars(select(OutboxEvent).where(OutboxEvent.event == "document.issued")).all()
        assert event.instance_id == case_id and event.data["document_id"] == document["id"]
        assert event.data["pdf_sha256"] == document["pdf_sha256"]
        # Announced after the step's own business event, in the same transaction.
        accepted = uow.session.scalars(select(OutboxEvent).where(OutboxEvent.event == "accepted")).one()
        assert accepted.id < event.id
    timeline = api.as_("supervisor").get(f"/api/process-instances/{case_id}/history").get_json()
    assert [e["data"]["title"] for e in timeline if e["event"] == "document.issued"] == ["受理通知书"]


def test_a_decided_case_has_its_notice_and_decision_in_the_archive_with_their_hashes(api):
    deploy(api, library())
    case_id = decided(api, "SCJG-2026-0002", review_opinion="经现场核查，经营场所符合要求", conditions_met=True,
                      decision="grant", decision_opinion="符合食品经营许可条件")

    listed = documents_of(api, case_id, user="supervisor")
    assert [(d["name"], d["title"]) for d in listed] == [("acceptance_notice", "受理通知书"),
                                                          ("grant_decision", "准予行政许可决定书")]
    decision = download(api, case_id, listed[1]["id"], "html").data.decode()
    assert "决定准予行政许可" in decision and "符合食品经营许可条件" in decision and "SCJG-2026-0002" in decision
    assert "第三十八条第一款" in decision

    response = api.as_("supervisor").get(f"/api/process-instances/{case_id}/archive")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
        sums = dict(reversed(line.split("  ", 1)) for line in zipped.read("SHA256SUMS").decode().splitlines())
        assert [d["title"] for d in manifest["documents"]] == ["受理通知书", "准予行政许可决定书"]
        for entry, listing in zip(manifest["documents"], listed):
            assert (entry["html_sha256"], entry["pdf_sha256"]) == (listing["html_sha256"], listing["pdf_sha256"])
            files = {f["column"]: f for f in entry["files"]}
            assert files["html"]["path"] == f"documents/{entry['id']}-{entry['title']}.html"
            assert files["pdf"]["path"].endswith(".pdf")
            for column in ("html", "pdf"):
                content = zipped.read(files[column]["path"])
                assert hashlib.sha256(content).hexdigest() == entry[f"{column}_sha256"] == sums[files[column]["path"]]


def test_the_supplement_notice_lists_every_missing_material_with_its_reason(api):
    deploy(api, library())
    case_id = start(api, "SCJG-2026-0003")
    missing = "1、食品经营许可申请书：未签字盖章\n2、食品安全管理制度文本：缺少进货查验记录制度\n\n3、营业执照复印件"
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", reader="admin",
                       acceptance_decision="incomplete", missing_materials=missing)

    [document] = documents_of(api, case_id)
    assert document["title"] == "一次性告知通知书" and document["element_id"] == "supplement_notice"
    html = download(api, case_id, document["id"], "html").data.decode()
    assert "共3项" in html and "第三十二条第一款第（四）项" in html
    for row in ("<td>1</td><td>食品经营许可申请书</td><td>未签字盖章</td>",
                "<td>2</td><td>食品安全管理制度文本</td><td>缺少进货查验记录制度</td>",
                "<td>3</td><td>营业执照复印件</td><td>请按办事指南的要求提交</td>"):
        assert row in html
    text = pdf_text(download(api, case_id, document["id"], "pdf").data)
    assert "食品安全管理制度文本" in text and "缺少进货查验记录制度" in text


def test_the_rejection_notice_gives_every_reason_and_the_remedies(api):
    deploy(api, library())
    case_id = start(api, "SCJG-2026-0004")
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", reader="admin",
                       acceptance_decision="reject", reject_reason="申请事项不属于本机关职权范围\n申请人未取得营业执照")

    [document] = documents_of(api, case_id)
    assert document["title"] == "不予受理通知书"
    html = download(api, case_id, document["id"], "html").data.decode()
    assert "<li>申请事项不属于本机关职权范围</li>" in html and "<li>申请人未取得营业执照</li>" in html
    assert "决定不予受理" in html and "行政复议" in html and "行政诉讼" in html
    assert api.get(f"/api/process-instances/{case_id}").get_json()["state"] == "completed"


def test_a_denial_states_its_reasons(api):
    deploy(api, library())
    case_id = decided(api, "SCJG-2026-0005", review_opinion="经营场所与申请不符", conditions_met=False,
                      decision="deny", decision_opinion="经营场所面积不符合要求")

    titles = [d["title"] for d in documents_of(api, case_id)]
    assert titles == ["受理通知书", "不予行政许可决定书"]
    denial = documents_of(api, case_id)[1]
    html = download(api, case_id, denial["id"], "html").data.decode()
    assert "决定不予行政许可" in html and "<li>经营场所面积不符合要求</li>" in html and "第三十八条第二款" in html


def test_documents_are_for_those_who_may_read_the_case(api):
    deploy(api, library())
    case_id = start(api, "SCJG-2026-0006")
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", reader="admin",
                       acceptance_decision="accept")
    [document] = documents_of(api, case_id, user="window_clerk")  # the clerk who had the task
    url = f"/api/process-instances/{case_id}/documents"
    assert api.as_("analyst").get(url).status_code == 403
    assert api.as_("office_clerk").get(f"{url}/{document['id']}?format=pdf").status_code == 404  # not theirs
    assert api.get("/api/process-instances/424242/documents").status_code == 404
    assert api.get(f"{url}/999999?format=pdf").status_code == 404
    refused = api.get(f"{url}/{document['id']}?format=docx")
    assert refused.status_code == 422 and "format" in json.dumps(refused.get_json())


def test_a_template_that_does_not_compile_is_refused_at_deploy_with_its_line(api):
    broken = b"<title>\xe5\x8f\x97\xe7\x90\x86\xe9\x80\x9a\xe7\x9f\xa5\xe4\xb9\xa6</title>\n<p>{{ applicant }}</p>\n" \
             b"{% if case.number %}\n<p>unclosed</p>\n"
    refused = deploy(api, [(FOOD.name, FOOD.read_bytes()), ("documents/acceptance_notice.html", broken)], expect=422)
    [problem] = [d for d in refused["error"]["details"] if d["severity"] == "error"]
    assert problem["file"] == "documents/acceptance_notice.html" and problem["line"] == 4
    assert "does not compile" in problem["message"]

    unsafe = b"<title>x</title>\n\n<p>{{ applicant.__class__.__mro__ }}</p>\n"
    refused = deploy(api, [("documents/acceptance_notice.html", unsafe)], expect=422)
    [problem] = refused["error"]["details"]
    assert problem["line"] == 3 and "unsafe" in problem["message"]


def test_a_redeployed_template_is_used_for_the_next_document(api):
    deploy(api, library())
    first = start(api, "SCJG-2026-0007")
    complete_open_task(api, first, "acceptance_check", user="window_clerk", reader="admin",
                       acceptance_decision="accept")
    notice = ROOT / "bpmn" / "documents" / "acceptance_notice.html"
    changed = notice.read_bytes().replace("办理进度和结果可凭办件编号和查询码查询；".encode(), "咨询电话：12345。".encode())
    assert deploy(api, [("documents/acceptance_notice.html", changed)])["definitions"] == []  # templates alone
    second = start(api, "SCJG-2026-0008")
    complete_open_task(api, second, "acceptance_check", user="window_clerk", reader="admin",
                       acceptance_decision="accept")

    [old], [new] = documents_of(api, first), documents_of(api, second)
    assert old["template_sha256"] == hashlib.sha256(notice.read_bytes()).hexdigest()
    assert new["template_sha256"] == hashlib.sha256(changed).hexdigest()
    assert "咨询电话：12345。" in download(api, second, new["id"], "html").data.decode()
    assert "咨询电话" not in download(api, first, old["id"], "html").data.decode()  # issued documents stay


def test_a_redeployed_layout_changes_the_letterhead_of_every_later_document(api):
    deploy(api, library())
    first = start(api, "SCJG-2026-0017")
    complete_open_task(api, first, "acceptance_check", user="window_clerk", reader="admin",
                       acceptance_decision="accept")
    layout = ROOT / "bpmn" / "documents" / "layout.html"
    changed = layout.read_bytes().replace("（印章）</p>".encode(), "（印章）</p>\n<p>政务服务热线：12345</p>".encode())
    deploy(api, [("documents/layout.html", changed)])
    second = start(api, "SCJG-2026-0018")
    complete_open_task(api, second, "acceptance_check", user="window_clerk", reader="admin",
                       acceptance_decision="accept")
    [old], [new] = documents_of(api, first), documents_of(api, second)
    assert "政务服务热线：12345" in download(api, second, new["id"], "html").data.decode()
    assert "政务服务热线" not in download(api, first, old["id"], "html").data.decode()  # issued documents stay


def test_a_template_whose_layout_is_nowhere_is_refused_at_deploy(api):
    notice = ROOT / "bpmn" / "documents" / "acceptance_notice.html"
    refused = deploy(api, [("documents/acceptance_notice.html", notice.read_bytes())], expect=422)
    [problem] = refused["error"]["details"]
    assert problem["file"] == "documents/acceptance_notice.html"
    assert problem["message"] == "template uses layout.html, which is neither in this deployment nor deployed before"


def test_without_a_deployed_template_the_step_goes_on_and_the_gap_is_recorded(api):
    deployed = deploy(api, library(templates=[]))
    warned = [w for w in deployed["warnings"] if "document template" in w["message"]]
    assert {w["element"] for w in warned} == {"acceptance_notice", "rejection_notice", "supplement_notice",
                                              "grant_decision", "denial_decision", "certify"}
    case_id = start(api, "SCJG-2026-0009")
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", reader="admin",
                       acceptance_decision="accept")
    assert documents_of(api, case_id) == []
    with api.runtime.uow() as uow:
        [missing] = uow.session.scalars(select(HistoryEvent).where(HistoryEvent.instance_id == case_id,
                                                                   HistoryEvent.event == "document.missing")).all()
        assert missing.element_id == "acceptance_notice" and missing.data["template"] == "documents/acceptance_notice.html"


def test_a_template_failing_on_the_case_s_data_refuses_the_step_and_changes_nothing(api):
    # Compiles and renders the sample case, but divides by a value this case sets to zero (two food categories).
    fragile = b"<title>x</title>\n<p>{{ 100 // ((v.food_categories|default([]))|length - 2) }}</p>\n"
    templates = [t for t in TEMPLATES if t.name != "acceptance_notice.html"]
    deploy(api, library(templates=templates) + [("documents/acceptance_notice.html", fragile)])
    case_id = api.start("food_business_licence", business_key="SCJG-2026-0010",
                        variables=food_application(applicant_name="张三"))["id"]
    refused = complete_open_task(api, case_id, "acceptance_check", user="window_clerk", reader="admin", expect=422,
                                 acceptance_decision="accept")
    assert "acceptance_notice" in refused["error"]["message"]
    case = api.get(f"/api/process-instances/{case_id}").get_json()
    assert [t["bpmn_id"] for t in case["tasks"]] == ["acceptance_check"]  # the step did not happen
    assert documents_of(api, case_id) == []


def test_the_item_s_guide_names_the_issuing_department_and_the_legal_basis(api):
    guide_path = FOOD.parent / "guide.json"
    guide = json.loads(guide_path.read_text(encoding="utf-8"))
    deploy(api, library() + [(f"{guide['code']}/guide.json", guide_path.read_bytes())]
           + guide_samples(guide_path.read_bytes(), guide_path.parent))
    case_id = start(api, "SCJG-2026-0011")
    supply_materials(api, case_id, guide["code"])
    complete_open_task(api, case_id, "acceptance_check", user="window_clerk", reader="admin",
                       acceptance_decision="accept")

    [document] = documents_of(api, case_id)
    html = download(api, case_id, document["id"], "html").data.decode()
    assert f"<h1>{guide['department']['name']}</h1>" in html
    assert f"{guide['department']['name']}（印章）" in html and "（行政机关名称）" not in html
    assert f"{guide['name']}（{guide['code']}）" in html
    for basis in guide["legal_basis"]:
        assert basis in html


def test_the_accepting_step_reads_the_item_s_guide_once_for_its_clock_and_its_notice(api):
    guide_path = FOOD.parent / "guide.json"
    guide = json.loads(guide_path.read_text(encoding="utf-8"))
    deploy(api, library() + [(f"{guide['code']}/guide.json", guide_path.read_bytes())]
           + guide_samples(guide_path.read_bytes(), guide_path.parent))
    case_id = start(api, "SCJG-2026-0012")
    supply_materials(api, case_id, guide["code"])  # the acceptance checks them against that same guide
    with statements(api.runtime) as seen:
        complete_open_task(api, case_id, "acceptance_check", user="window_clerk", reader="admin",
                           acceptance_decision="accept")

    assert len([s for s in seen if s.startswith("SELECT") and "FROM guides" in s]) == 1
    clock = api.get(f"/api/process-instances/{case_id}/clock").get_json()
    assert clock["promised_days"] == guide["promised_days"]  # the guide's limit, read for the clock
    [document] = documents_of(api, case_id)
    assert f"{guide['name']}（{guide['code']}）" in download(api, case_id, document["id"], "html").data.decode()


def test_a_case_deemed_accepted_by_the_timer_gets_its_notice_from_the_worker(api):
    deploy(api, library())
    case_id = start(api, "SCJG-2026-0012")
    with api.runtime.uow() as uow:
        [job] = uow.session.scalars(select(Job).where(Job.instance_id == case_id, Job.bpmn_id == "notice_deadline")).all()
    # No notice within five working days (行政许可法 art 32): the case counts as accepted.
    assert jobs.run_due(api.runtime, worker_id="w1", now=job.due_at + timedelta(seconds=1)) == 1

    [document] = documents_of(api, case_id)
    assert (document["title"], document["element_id"]) == ("受理通知书", "acceptance_notice")
    html = download(api, case_id, document["id"], "html").data.decode()
    assert "自收到申请材料之日起即为受理" in html and "决定予以受理" not in html


def accepted_with_notice(api: Any, business_key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A food licence case started, accepted at the window (出具受理通知书), and its one document."""
    started = api.start("food_business_licence", business_key=business_key,
                        variables=food_application(applicant_name="张三"))
    complete_open_task(api, started["id"], "acceptance_check", user="window_clerk", reader="admin",
                       acceptance_decision="accept")
    [document] = documents_of(api, started["id"])
    return started, document


# curl -F files=@bpmn/documents/x.html sends the bare name; a client may send any path.
@pytest.mark.parametrize("folder", ["", "documents/", "bpmn/documents/"], ids=["bare", "documents", "path"])
def test_templates_uploaded_under_a_bare_name_or_any_path_issue_the_documents(api, folder):
    deployed = deploy(api, library(folder=folder))
    assert [w for w in deployed["warnings"] if "document template" in w["message"]] == []
    started, document = accepted_with_notice(api, "SCJG-2026-0101")

    notice = ROOT / "bpmn" / "documents" / "acceptance_notice.html"
    assert (document["name"], document["title"]) == ("acceptance_notice", "受理通知书")
    assert document["template_sha256"] == hashlib.sha256(notice.read_bytes()).hexdigest()
    html = download(api, started["id"], document["id"], "html")
    assert html.headers["Content-Type"] == "text/html; charset=utf-8"  # one charset, not two
    assert "决定予以受理" in html.data.decode()
    with api.runtime.uow() as uow:
        stored = uow.session.scalars(select(Resource.name).where(Resource.kind == "document")).all()
    assert sorted(stored) == [f"documents/{t.name}" for t in TEMPLATES]

    # The applicant sees it on the public progress page and downloads it there too.
    body = api.client.get(f"/api/public/progress/{started['business_key']}",
                          query_string={"code": started["query_code"]}).get_json()
    assert [d["name"] for d in body["documents"]] == ["受理通知书"]
    public = api.client.get(body["documents"][0]["download_url"],
                            query_string={"code": started["query_code"], "format": "html"})
    assert public.status_code == 200 and public.headers["Content-Type"] == "text/html; charset=utf-8"
    # The clerk's case timeline says it was issued, after the acceptance step that issued it.
    entries = timeline.case_file(api.runtime.uow(), started["id"], actor=SYSTEM).timeline
    events = [e.event for e in entries]
    assert events.index("document.issued") > events.index("task.completed")
    assert [e.data.get("title") for e in entries if e.event == "document.issued"] == ["受理通知书"]


def test_templates_deployed_by_the_command_line_from_a_folder_or_as_one_file_issue_the_documents(api, tmp_path):
    env = {"DATABASE_URL": api.runtime.settings.database_url, "GOVFLOW_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(govflow, ["deploy", str(ROOT / "bpmn" / "documents"), str(FOOD), str(ROOT / "forms")],
                                env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "document template acceptance_notice\n" in result.stdout
    _, old = accepted_with_notice(api, "SCJG-2026-0102")

    # A single file named on the command line is a template wherever it lies.
    changed = tmp_path / "drafts" / "acceptance_notice.html"
    changed.parent.mkdir()
    changed.write_bytes((ROOT / "bpmn" / "documents" / "acceptance_notice.html").read_bytes()
                        .replace("办理进度和结果可凭办件编号和查询码查询；".encode(), "咨询电话：12345。".encode()))
    result = CliRunner().invoke(govflow, ["deploy", str(changed)], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    second, new = accepted_with_notice(api, "SCJG-2026-0103")

    assert new["template_sha256"] == hashlib.sha256(changed.read_bytes()).hexdigest() != old["template_sha256"]
    assert "咨询电话：12345。" in download(api, second["id"], new["id"], "html").data.decode()


def test_two_templates_of_one_name_in_a_deployment_are_refused_naming_both_files(api):
    notice = (ROOT / "bpmn" / "documents" / "acceptance_notice.html").read_bytes()
    refused = deploy(api, library() + [("SCJG-XK-0001/documents/acceptance_notice.html", notice)], expect=422)
    [problem] = [d for d in refused["error"]["details"] if d["severity"] == "error"]
    assert problem["file"] == "SCJG-XK-0001/documents/acceptance_notice.html"
    assert "'acceptance_notice' is also in documents/acceptance_notice.html" in problem["message"]


def test_templates_stored_under_their_upload_path_before_migration_0012_are_renamed_and_found(api):
    deploy(api, library())
    notice = (ROOT / "bpmn" / "documents" / "acceptance_notice.html").read_bytes()
    older = notice.replace("办理进度和结果可凭办件编号和查询码查询；".encode(), "咨询电话：12345。".encode())
    engine = api.runtime.engine
    with engine.begin() as connection:  # the schema as it was: an HTTP deployment kept the uploaded path
        config = schema.alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        command.downgrade(config, "0011")
    with api.runtime.uow() as uow:
        deployment = Deployment(name="older", deployed_by="analyst")
        deployment.resources.append(Resource(name="bpmn/documents/acceptance_notice.html", kind="document",
                                             content=older, sha256=hashlib.sha256(older).hexdigest()))
        uow.session.add(deployment)
        uow.commit()
    schema.upgrade(engine)
    with api.runtime.uow() as uow:
        assert "bpmn/documents/acceptance_notice.html" not in set(uow.session.scalars(select(Resource.name)))
    started, document = accepted_with_notice(api, "SCJG-2026-0104")
    assert document["template_sha256"] == hashlib.sha256(older).hexdigest()
    assert "咨询电话：12345。" in download(api, started["id"], document["id"], "html").data.decode()