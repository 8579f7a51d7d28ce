"""The notice of an extension (Administrative Licensing Law Art 42: the extension and its reason are told to
the applicant): every extension granted, by the head's own decision or by approving a clerk's request, issues it
from the library's ``extension_notice`` template in the extension's transaction, listed and downloaded as
every other document; without the template the extension stands and the history says no notice was issued.
The food licence with its guide (an allowance of 5 working days by a special regulation) accepted on Monday
2 March 2026, due 16 March, led by the market regulator."""
from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from sqlalchemy import select

from engine.models import CaseClock, Document, OutboxEvent, SpecialProcedure
from tests.api.test_documents import deploy, documents_of, download, pdf_text
from tests.api.test_pages_public import accepted_food_case, library_files
from tests.case_pages import signed_in
from tests.heads import head
from tests.helpers import CAST, seed_national_calendar

# A clerk of the regulator's food review section, the case's lead department, asks for extensions.
CAST.setdefault("food_reviewer", {"groups": ["food_review"], "roles": ["clerk"]})
NOTICE = "extension_notice"
LAWS = "《中华人民共和国行政许可法》第四十二条和《食品经营许可和备案管理办法》第二十一条"


def accepted(api: Any, now: Any, number: str, *, templates: bool = True, calendar: bool = True,
             files: list[tuple[str, bytes]] | None = None) -> dict[str, Any]:
    """The library (or ``files``) deployed, without its document templates unless ``templates``, and the
    national calendar unless not ``calendar``; a food licence accepted on 2 March with the departments its
    head heads; the clock commands then run on 4 March."""
    if calendar:
        seed_national_calendar(api.runtime)
    deploy(api, [(name, content) for name, content in files or library_files()
                 if templates or not name.startswith("documents/")])
    now(date(2026, 3, 2))
    started = accepted_food_case(api, number)
    head(api)
    now(date(2026, 3, 4))
    return started


def extend(api: Any, case_id: int, days: int, reason: str) -> dict[str, Any]:
    response = api.as_("head").post(f"/api/process-instances/{case_id}/clock/extend",
                                    json={"days": days, "reason": reason})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def notices(api: Any, case_id: int) -> list[dict[str, Any]]:
    return [d for d in documents_of(api, case_id, user="supervisor") if d["name"] == NOTICE]


def history(api: Any, case_id: int) -> list[dict[str, Any]]:
    return api.as_("supervisor").get(f"/api/process-instances/{case_id}/history").get_json()


def row(html: str, header: str) -> str:
    return html.split(f"<th>{header}</th><td>", 1)[1].split("</td>", 1)[0]


def test_the_heads_extension_issues_the_notice_with_its_days_deadline_and_reason(app: Any, api: Any,
                                                                                 now: Any) -> None:
    started = accepted(api, now, "SCJG-2026-0201")
    case_id = started["id"]
    clock = extend(api, case_id, 3, "需组织专家对经营场所布局进行评审")
    assert clock["deadline_date"] == "2026-03-19"  # 16 March + 3 working days

    [notice] = notices(api, case_id)
    assert (notice["title"], notice["element_id"], notice["origin"]) == ("延长期限告知书", None, "extension")
    response = download(api, case_id, notice["id"], "html")
    assert hashlib.sha256(response.data).hexdigest() == notice["html_sha256"]
    html = response.data.decode()
    assert "<title>延长期限告知书</title>" in html and "办件编号：SCJG-2026-0201" in html
    assert "某某餐饮有限公司：" in html and "提出的食品经营许可申请" in html
    assert "办理期限延长3个工作日，本机关将于2026年3月19日前作出决定" in html
    assert f"根据{LAWS}的规定" in html
    assert "延长期限的理由：需组织专家对经营场所布局进行评审" in html
    assert (row(html, "受理日期"), row(html, "原办理期限"), row(html, "延长期限"), row(html, "延长后办理期限"),
            row(html, "延长理由"), row(html, "法律依据"), row(html, "批准机关")) == \
        ("2026年3月2日", "2026年3月16日前", "3个工作日", "2026年3月19日前", "需组织专家对经营场所布局进行评审", LAWS,
         "市市场监督管理局")
    assert '<p class="sign">2026年3月4日</p>' in html  # issued the day of the extension

    pdf = download(api, case_id, notice["id"], "pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert hashlib.sha256(pdf.data).hexdigest() == notice["pdf_sha256"]
    assert "延长期限告知书" in pdf_text(pdf.data) and "SCJG-2026-0201" in pdf_text(pdf.data)

    # In the history right after the extension, by the head; announced after the extension's own event.
    *_, extended, issued = history(api, case_id)
    assert (extended["event"], issued["event"], issued["actor"]) == ("clock.extended", "document.issued", "head")
    assert (issued["data"]["document_id"], issued["data"]["name"], issued["data"]["origin"]) == (
        notice["id"], NOTICE, "extension")
    with api.runtime.uow() as uow:
        [announced] = uow.session.scalars(select(OutboxEvent).where(OutboxEvent.event == "document.issued",
                                                                   OutboxEvent.instance_id == case_id)
                                          .order_by(OutboxEvent.id)).all()[-1:]
        assert announced.data["document_id"] == notice["id"]
        assert announced.data["pdf_sha256"] == notice["pdf_sha256"] and announced.data["actor"] == "head"
        assert announced.data["origin"] == "extension"
        [moved] = uow.session.scalars(select(OutboxEvent.id).where(OutboxEvent.event == "extended")).all()
        assert moved < announced.id
    stands = api.as_("supervisor").get(f"/api/process-instances/{case_id}").get_json()["case_state"]
    assert announced.data["case_state"] == stands  # as a step's document.issued says where the case stands

    # The applicant's progress lists it and downloads it with the code; the case page lists it.
    progress = api.client.get("/api/public/progress/SCJG-2026-0201", query_string={"code": started["query_code"]})
    listed = progress.get_json()["documents"]
    assert [d["name"] for d in listed] == ["受理通知书", "延长期限告知书"]
    public = api.client.get(listed[1]["download_url"], query_string={"code": started["query_code"]})
    assert public.status_code == 200 and public.data == pdf.data
    page = signed_in(app, api.runtime, "notice_reader", roles=["supervisor"]).get(f"/cases/{case_id}").text
    assert f'data-document="{notice["id"]}"' in page and "延长期限告知书" in page
    listed_row = page.split(f'data-document="{notice["id"]}"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="document-step">延期审批</td>' in listed_row  # issued by the extension, not a diagram step


def test_an_approved_request_issues_one_notice_with_the_days_the_head_granted(api: Any, now: Any) -> None:
    case_id = accepted(api, now, "SCJG-2026-0202")["id"]
    asked = api.as_("food_reviewer").post(f"/api/process-instances/{case_id}/clock/extension-requests",
                                          json={"days": 5, "reason": "1. 需征求卫生健康部门意见\n2. 需补充现场核查"})
    assert asked.status_code == 201, asked.get_json()
    assert notices(api, case_id) == []  # nothing is extended, nor told, until the head approves
    approved = api.as_("head").post(f"/api/extension-requests/{asked.get_json()['id']}/approve",
                                    json={"days": 2, "opinion": "同意延长两个工作日，内部意见"})
    assert approved.status_code == 200, approved.get_json()

    [notice] = notices(api, case_id)
    html = download(api, case_id, notice["id"], "html").data.decode()
    assert "办理期限延长2个工作日，本机关将于2026年3月18日前作出决定" in html  # 16 March + 2 working days
    assert "<li>需征求卫生健康部门意见</li>" in html and "<li>需补充现场核查</li>" in html
    assert row(html, "延长理由") == "需征求卫生健康部门意见；需补充现场核查"
    assert "内部意见" not in html  # the head's opinion is the office's, not the applicant's
    pdf = download(api, case_id, notice["id"], "pdf")
    assert pdf.data.startswith(b"%PDF-") and hashlib.sha256(pdf.data).hexdigest() == notice["pdf_sha256"]
    *_, extended, issued = history(api, case_id)
    assert extended["event"] == "clock.extended" and extended["data"]["request_id"] == asked.get_json()["id"]
    assert issued["event"] == "document.issued" and issued["data"]["document_id"] == notice["id"]


def test_a_refused_request_issues_nothing(api: Any, now: Any) -> None:
    case_id = accepted(api, now, "SCJG-2026-0203")["id"]
    asked = api.as_("food_reviewer").post(f"/api/process-instances/{case_id}/clock/extension-requests",
                                          json={"days": 3, "reason": "需征求相关部门意见"})
    refused = api.as_("head").post(f"/api/extension-requests/{asked.get_json()['id']}/refuse",
                                   json={"opinion": "材料足以作出决定"})
    assert refused.status_code == 200, refused.get_json()
    assert [d["name"] for d in documents_of(api, case_id, user="supervisor")] == ["acceptance_notice"]
    assert history(api, case_id)[-1]["event"] == "clock.extension_refused"


def test_without_the_template_the_extension_stands_and_the_history_records_the_missing_notice(
        api: Any, now: Any) -> None:
    case_id = accepted(api, now, "SCJG-2026-0204", templates=False)["id"]
    assert extend(api, case_id, 3, "需组织专家评审")["deadline_date"] == "2026-03-19"

    assert documents_of(api, case_id, user="supervisor") == []
    *_, extended, missing = history(api, case_id)
    assert extended["event"] == "clock.extended" and extended["data"]["days"] == 3
    assert (missing["event"], missing["actor"], missing["data"]) == (
        "document.missing", "head", {"name": NOTICE, "template": "documents/extension_notice.html"})
    with api.runtime.uow() as uow:
        assert uow.session.scalars(select(OutboxEvent).where(OutboxEvent.event == "document.issued")).all() == []


def test_a_notice_failing_on_the_case_refuses_the_extension_and_changes_nothing(api: Any, now: Any) -> None:
    """A template passes its deploy check on the sample case (5 days) yet fails on this one (4 days): the
    extension is refused as a step whose document fails is, the applicant being owed its notice."""
    case_id = accepted(api, now, "SCJG-2026-0205")["id"]
    failing = ('{% extends "layout.html" %}{% block title %}延长期限告知书{% endblock %}'
               "{% block body %}<p>{{ 100 // (extension.days - 4) }}</p>{% endblock %}").encode()
    deploy(api, [("documents/extension_notice.html", failing)])

    refused = api.as_("head").post(f"/api/process-instances/{case_id}/clock/extend",
                                   json={"days": 4, "reason": "需组织专家评审"})
    assert refused.status_code == 422, refused.get_json()
    error = refused.get_json()["error"]
    assert error["code"] == "process_error" and "documents/extension_notice.html" in error["message"]
    with api.runtime.uow() as uow:
        assert uow.session.get(CaseClock, case_id).extension_days == 0
        assert uow.session.scalars(select(SpecialProcedure).where(SpecialProcedure.instance_id == case_id)).all() == []
        assert [d.name for d in uow.session.scalars(select(Document).where(Document.instance_id == case_id))] == \
            ["acceptance_notice"]
        # Nor is the applicant texted of it (engine.notify): the text is in the refused transaction too.
        assert [e.data["event"] for e in uow.session.scalars(select(OutboxEvent).where(
            OutboxEvent.event == "notice", OutboxEvent.instance_id == case_id))] == ["accepted"]
    assert history(api, case_id)[-1]["event"] != "clock.extended"
    extend(api, case_id, 3, "需组织专家评审")  # on which the template does not fail
    assert len(notices(api, case_id)) == 1


def test_a_notice_failing_on_a_confidential_value_does_not_quote_it(api: Any, now: Any) -> None:
    """The refusal reaches the head and the log: a confidential value the template failed on is taken out of
    it, as it is out of a diagram step's failing document."""
    secret = b'<camunda:property name="govflow.confidential" value="applicant_name" />\n        '
    files = [(name, content.replace(b'<camunda:property name="govflow.promisedDays"',
                                    secret + b'<camunda:property name="govflow.promisedDays"')
              if name.endswith("food_business_licence.bpmn") else content) for name, content in library_files()]
    assert any(secret in content for _, content in files)
    case_id = accepted(api, now, "SCJG-2026-0206", files=files)["id"]
    failing = ('{% extends "layout.html" %}{% block title %}延长期限告知书{% endblock %}'
               "{% block body %}{% if extension.days == 4 %}{{ v[v.applicant_name].x }}{% endif %}{% endblock %}").encode()
    deploy(api, [("documents/extension_notice.html", failing)])

    refused = api.as_("head").post(f"/api/process-instances/{case_id}/clock/extend",
                                   json={"days": 4, "reason": "需组织专家评审"})
    assert refused.status_code == 422, refused.get_json()
    said = str(refused.get_json())
    assert "documents/extension_notice.html" in said and "某某餐饮有限公司" not in said


def test_a_notice_of_an_extension_while_the_clock_is_paused_names_no_deadline(api: Any, now: Any) -> None:
    """While a special procedure pauses the clock both deadlines move on by the pause: the notice says the
    extension's days and that the time limit runs on after the pause, not a date the pause will change."""
    case_id = accepted(api, now, "SCJG-2026-0207")["id"]
    paused = api.as_("supervisor").post(f"/api/process-instances/{case_id}/clock/pause",
                                        json={"kind": "inspection", "reason": "现场核查"})
    assert paused.status_code == 200, paused.get_json()
    extend(api, case_id, 3, "需组织专家评审")
    [notice] = notices(api, case_id)
    html = download(api, case_id, notice["id"], "html").data.decode()
    assert "决定将办理期限延长3个工作日。暂停计时期间不计算在办理期限内，恢复计时后办理期限相应顺延。" in html
    assert "原应于" not in html and "本机关将于" not in html and "原办理期限" not in html
    assert (row(html, "延长期限"), row(html, "延长后办理期限")) == ("3个工作日", "暂停计时中，恢复计时后顺延")


def test_a_notice_counting_a_year_whose_holidays_are_not_announced_says_its_deadline_is_estimated(
        api: Any, now: Any) -> None:
    case_id = accepted(api, now, "SCJG-2026-0208", calendar=False)["id"]  # 2026 counts weekdays only
    with api.runtime.uow() as uow:
        assert uow.session.get(CaseClock, case_id).provisional
    extend(api, case_id, 3, "需组织专家评审")
    [notice] = notices(api, case_id)
    html = download(api, case_id, notice["id"], "html").data.decode()
    assert "法定节假日安排尚未公布，暂按工作日估算" in html
    assert row(html, "延长后办理期限").endswith("前（估算）")


def test_upgrading_to_0036_says_the_notices_already_issued_came_from_extensions(api: Any, now: Any) -> None:
    """Documents issued before 0036 carry no origin: those without an element are the notices of extension."""
    from tests.helpers import migrate

    case_id = accepted(api, now, "SCJG-2026-0209")["id"]
    extend(api, case_id, 3, "需组织专家评审")
    migrate(api.runtime, "0035", down=True)
    migrate(api.runtime, "head")
    assert [(d["name"], d["origin"]) for d in documents_of(api, case_id, user="supervisor")] == [
        ("acceptance_notice", "step"), (NOTICE, "extension")]


def test_the_notice_and_the_applicants_text_read_the_case_once(api: Any, now: Any,
                                                                  monkeypatch: Any) -> None:
    """The written notice and the text at once read the same variables: the case's state is restored once."""
    from engine import execution

    case_id = accepted(api, now, "SCJG-2026-0209")["id"]
    opened: list[int] = []
    original = execution.open_case
    monkeypatch.setattr(execution, "open_case", lambda uow, instance_id, **kw: opened.append(instance_id)
                        or original(uow, instance_id, **kw))
    extend(api, case_id, 3, "需组织专家对经营场所布局进行评审")
    assert len(notices(api, case_id)) == 1 and opened == [case_id]


def test_the_head_reads_what_the_case_holds_before_deciding_and_submits_nothing(api: Any, now: Any) -> None:
    """The head deciding an extension reads the case's materials and documents, as its history; files are
    the window's and the applicant's to submit."""
    import io

    case_id = accepted(api, now, "SCJG-2026-0210")["id"]
    the_head = api.as_("head")
    for path in ("materials", "materials/checklist", "documents"):
        answer = the_head.get(f"/api/process-instances/{case_id}/{path}")
        assert answer.status_code == 200, (path, answer.get_json())
    assert any(d["title"] == "受理通知书" for d in the_head.get(f"/api/process-instances/{case_id}/documents")
               .get_json())
    refused = the_head.post(f"/api/process-instances/{case_id}/materials", content_type="multipart/form-data",
                            data={"name": "营业执照", "file": (io.BytesIO(b"%PDF-1.4"), "scan.pdf")})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
