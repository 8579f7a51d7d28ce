"""The notice of a special procedure (Administrative Licensing Law Art 45: hearings, testing, inspection, expert
review ... are not counted in the time limit, and the applicant is told in writing how long they take): a
special procedure started by hand issues it from the library's ``special_procedure_notice`` template in the
pause's transaction, with the working days the item's guide lets it last. The food licence accepted on Monday
2 March 2026, its guide listing an on-site inspection (现场核查) of at most 10 working days; paused on 4 March."""
from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from sqlalchemy import select

from engine.models import CaseClock, Document, OutboxEvent, SpecialProcedure
from tests.api.test_documents import deploy, documents_of, download, pdf_text
from tests.api.test_extension_notice import accepted, history, row
from tests.api.test_pages_public import library_files
from tests.case_pages import signed_in

NOTICE = "special_procedure_notice"
ART_45 = "《中华人民共和国行政许可法》第四十五条"


def pause(api: Any, case_id: int, reason: str, *, expect: int = 200) -> dict[str, Any]:
    response = api.as_("window_clerk").post(f"/api/process-instances/{case_id}/clock/pause",
                                            json={"kind": "inspection", "reason": reason})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def notices(api: Any, case_id: int) -> list[dict[str, Any]]:
    return [d for d in documents_of(api, case_id, user="supervisor") if d["name"] == NOTICE]


def test_a_special_procedure_started_by_hand_tells_the_applicant_how_long_it_takes(app: Any, api: Any,
                                                                                   now: Any) -> None:
    started = accepted(api, now, "SCJG-2026-0301")
    case_id = started["id"]
    assert pause(api, case_id, "需核实经营场所布局与申请材料是否一致")["state"] == "paused"

    [notice] = notices(api, case_id)
    assert (notice["title"], notice["element_id"], notice["origin"]) == ("特别程序告知书", None, "special_procedure")
    response = download(api, case_id, notice["id"], "html")
    assert hashlib.sha256(response.data).hexdigest() == notice["html_sha256"]
    html = response.data.decode()
    assert "<title>特别程序告知书</title>" in html and "某某餐饮有限公司：" in html
    assert f"因办理该申请需要进行现场核查，根据{ART_45}的规定，现场核查所需时间不计算在办理期限内" in html
    # 4 March + 10 working days: 18 March; the time limit goes on after it.
    assert "现场核查自2026年3月4日开始，所需时间不超过10个工作日，预计于2026年3月18日前结束。" in html
    assert "需要进行现场核查的理由：需核实经营场所布局与申请材料是否一致" in html
    assert (row(html, "特别程序"), row(html, "开始日期"), row(html, "所需时间"), row(html, "法律依据"),
            row(html, "告知机关")) == ("现场核查", "2026年3月4日", "不超过10个工作日（预计2026年3月18日前结束）",
                                    ART_45, "市市场监督管理局")
    pdf = download(api, case_id, notice["id"], "pdf")
    assert hashlib.sha256(pdf.data).hexdigest() == notice["pdf_sha256"] and "特别程序告知书" in pdf_text(pdf.data)

    *_, paused, issued = history(api, case_id)
    assert (paused["event"], issued["event"], issued["actor"]) == ("clock.paused", "document.issued", "window_clerk")
    assert (issued["data"]["document_id"], issued["data"]["origin"]) == (notice["id"], "special_procedure")
    with api.runtime.uow() as uow:
        announced = uow.session.scalars(select(OutboxEvent).where(OutboxEvent.event == "document.issued")
                                        .order_by(OutboxEvent.id)).all()[-1]
        assert announced.data["document_id"] == notice["id"] and announced.data["actor"] == "window_clerk"

    # The applicant's progress lists it; the case page names where it came from.
    progress = api.client.get("/api/public/progress/SCJG-2026-0301", query_string={"code": started["query_code"]})
    assert [d["name"] for d in progress.get_json()["documents"]] == ["受理通知书", "特别程序告知书"]
    page = signed_in(app, api.runtime, "procedure_reader", roles=["supervisor"]).get(f"/cases/{case_id}").text
    listed_row = page.split(f'data-document="{notice["id"]}"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="document-step">特别程序</td>' in listed_row


def test_an_item_without_a_guide_has_the_notice_say_the_time_it_actually_takes(api: Any, now: Any) -> None:
    """A guide sets how long each special procedure it lists may last; an item without one allows every kind
    of Art 45, for no length set in advance."""
    files = [(name, content) for name, content in library_files() if name != "SCJG-XK-0001/guide.json"]
    assert len(files) == len(library_files()) - 1
    case_id = accepted(api, now, "SCJG-2026-0302", files=files)["id"]
    pause(api, case_id, "需核实经营场所")
    [notice] = notices(api, case_id)
    html = download(api, case_id, notice["id"], "html").data.decode()
    assert "现场核查自2026年3月4日开始，所需时间以实际进行的时间为准。" in html and "预计" not in html
    assert row(html, "所需时间") == "以实际进行的时间为准"


def test_without_the_template_the_pause_stands_and_the_history_records_the_missing_notice(api: Any,
                                                                                         now: Any) -> None:
    case_id = accepted(api, now, "SCJG-2026-0303", templates=False)["id"]
    assert pause(api, case_id, "需核实经营场所")["state"] == "paused"
    assert documents_of(api, case_id, user="supervisor") == []
    *_, paused, missing = history(api, case_id)
    assert paused["event"] == "clock.paused"
    assert (missing["event"], missing["data"]) == (
        "document.missing", {"name": NOTICE, "template": "documents/special_procedure_notice.html"})


def test_a_notice_failing_on_the_case_refuses_the_pause_and_changes_nothing(api: Any, now: Any) -> None:
    case_id = accepted(api, now, "SCJG-2026-0304")["id"]
    failing = ('{% extends "layout.html" %}{% block title %}特别程序告知书{% endblock %}'
               "{% block body %}{{ 1 // (procedure.reason|length - 4) }}{% endblock %}").encode()
    deploy(api, [("documents/special_procedure_notice.html", failing)])  # passes on the sample's reason

    refused = pause(api, case_id, "核实场所", expect=422)["error"]
    assert refused["code"] == "process_error" and "documents/special_procedure_notice.html" in refused["message"]
    with api.runtime.uow() as uow:
        assert uow.session.get(CaseClock, case_id).state == "running"
        assert uow.session.scalars(select(SpecialProcedure).where(SpecialProcedure.instance_id == case_id)).all() == []
        assert [d.name for d in uow.session.scalars(select(Document).where(Document.instance_id == case_id))] == \
            ["acceptance_notice"]
    assert history(api, case_id)[-1]["event"] != "clock.paused"
    assert pause(api, case_id, "需核实经营场所")["state"] == "paused"  # a reason it does not fail on
    assert len(notices(api, case_id)) == 1


def test_the_case_page_s_pause_issues_the_notice_too(app: Any, api: Any, now: Any) -> None:
    from tests.api.test_pages_case_clock import submit

    case_id = accepted(api, now, "SCJG-2026-0305")["id"]
    clerk = signed_in(app, api.runtime, "window_clerk_2", roles=["clerk"], groups=["window"])
    page = submit(clerk, case_id, "pause-form", kind="inspection", reason="需核实经营场所")
    [notice] = notices(api, case_id)
    assert notice["origin"] == "special_procedure" and f'data-document="{notice["id"]}"' in page.text
    assert notice["issued_at"].startswith(date(2026, 3, 4).isoformat())
