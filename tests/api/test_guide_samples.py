"""Sample files of a guide's materials (样表, 示范文本): deployed with the guide from its item's samples folder
(refused when missing or malformed, not stored again unchanged), named in the catalogue with their download
address, downloaded without login (an HTML sample as PDF, others as deployed) under their Chinese title, and
linked from the public guide page and the window's intake page."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, select

from engine import guides
from engine.models import Guide, Resource
from tests.api.test_pages import Browser
from tests.api.test_pages_intake import Browser as StaffBrowser
from tests.helpers import ROOT, ApiClient, seed_national_calendar

FOOD = ROOT / "bpmn" / "SCJG-XK-0001"
FORMS = sorted((ROOT / "forms").glob("*.form"))
APPLICATION = "samples/food_licence_application.html"
TITLE = "食品经营许可申请书（示范文本）"
URL = f"/api/catalogue/SCJG-XK-0001/{APPLICATION}"


def food_files(*, guide: bytes | None = None, leave_out: tuple[str, ...] = (),
               extra: tuple[tuple[str, bytes], ...] = ()) -> list[tuple[str, bytes]]:
    """The food licence as ``govflow deploy bpmn/`` names its files, with its samples (``<code>/samples/…``)."""
    files = [("food_business_licence.bpmn", (FOOD / "food_business_licence.bpmn").read_bytes()),
             ("SCJG-XK-0001/guide.json", guide if guide is not None else (FOOD / "guide.json").read_bytes())]
    files += [(f"SCJG-XK-0001/samples/{p.name}", p.read_bytes()) for p in sorted((FOOD / "samples").iterdir())
              if f"samples/{p.name}" not in leave_out]
    files += [(p.name, p.read_bytes()) for p in FORMS]
    return files + list(extra)


def deploy(api: ApiClient, files: list[tuple[str, bytes]], expect: int = 201) -> Any:
    seed_national_calendar(api.runtime)  # the food licence's guide names the national calendar
    analyst = api.as_("analyst")
    response = analyst.client.post("/api/deployments", headers=analyst.headers(), content_type="multipart/form-data",
                                   data={"files": [(io.BytesIO(content), name) for name, content in files]})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def edited_guide(edit: Any) -> bytes:
    data = json.loads((FOOD / "guide.json").read_text(encoding="utf-8"))
    edit(data["materials"])
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def sample_rows(api: ApiClient, name: str) -> int:
    with api.runtime.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Resource)
                                      .where(Resource.kind == "sample", Resource.name == name)) or 0)


def test_a_guide_naming_a_sample_file_neither_deployed_nor_given_is_refused_naming_guide_line_and_material(
        api: ApiClient) -> None:
    refused = deploy(api, food_files(leave_out=(APPLICATION,)), expect=422)["error"]
    [problem] = [p for p in refused["details"] if p["file"] == "SCJG-XK-0001/guide.json"]
    text = (FOOD / "guide.json").read_text(encoding="utf-8")
    assert problem["element"] == "materials[0].sample.file"
    assert problem["line"] == guides.value_lines(text)["materials[0].sample.file"]
    assert APPLICATION in text.splitlines()[problem["line"] - 1]
    assert "'食品经营许可申请书'" in problem["message"] and APPLICATION in problem["message"]
    assert "neither in this deployment" in problem["message"]

    deploy(api, food_files())
    # Deployed before: the guide alone (reformatted, one material's title changed) finds its samples.
    alone = edited_guide(lambda materials: materials[0]["sample"].update(title="食品经营许可申请书（2026年版示范文本）"))
    body = deploy(api, [("SCJG-XK-0001/guide.json", alone)])
    assert [(g["code"], g["version"], g["new"]) for g in body["guides"]] == [("SCJG-XK-0001", 2, True)]


def test_a_malformed_or_mistyped_sample_file_is_refused_with_its_line(api: ApiClient) -> None:
    broken = (b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>\xe6\xa0\xb7</title></head><body>\n"
              b"<h1>Sample</h1>\n<table><tr><td>a</td></tr>\n<img src=\"x.png\">\n</body></html>\n")
    files = [(n, broken if n.endswith(APPLICATION) else c) for n, c in food_files()]
    details = deploy(api, files, expect=422)["error"]["details"]
    found = {(p["line"], p["message"]) for p in details if p["file"] == f"SCJG-XK-0001/{APPLICATION}"}
    assert (5, ("malformed sample HTML: <img> is not laid out in the PDF (use b, div, em, footer, h1, h2, h3, header, "
                "i, li, ol, p, section, span, strong, table, tbody, td, tfoot, th, thead, tr, u, ul)")) in found
    assert (6, "malformed sample HTML: </body> closes <table> opened at line 4") in found

    # A .docx that is no Office package, and a .pdf that is no PDF.
    guide = edited_guide(lambda materials: (materials[1].update(sample={"title": "营业执照（示例）",
                                                                          "file": "samples/licence.pdf"}),
                                            materials[3].update(sample={"title": "制度目录（示范文本）",
                                                                          "file": "samples/rules.docx"})))
    details = deploy(api, food_files(guide=guide, extra=(("SCJG-XK-0001/samples/licence.pdf", b"not a pdf"),
                                                         ("SCJG-XK-0001/samples/rules.docx", b"PK not a zip"))),
                     expect=422)["error"]["details"]
    assert {p["file"]: p["message"].split(" (")[0] for p in details} == {
        "SCJG-XK-0001/samples/licence.pdf": "not a PDF file", "SCJG-XK-0001/samples/rules.docx": "not a DOCX file"}
    # A sample named outside the item's samples folder, or of another format, is the guide's error.
    guide = edited_guide(lambda materials: (materials[1].update(sample={"title": "x", "file": "../guide.json"}),
                                            materials[3].update(sample={"title": "y", "file": "samples/a.exe"})))
    details = deploy(api, food_files(guide=guide), expect=422)["error"]["details"]
    assert {p["element"] for p in details} == {"materials[1].sample.file", "materials[3].sample.file"}


def test_redeploying_unchanged_samples_stores_nothing_new_and_a_changed_one_is_served_next(api: ApiClient) -> None:
    deploy(api, food_files())
    again = deploy(api, food_files())
    assert [(g["version"], g["new"]) for g in again["guides"]] == [(1, False)]
    assert sample_rows(api, f"SCJG-XK-0001/{APPLICATION}") == 1
    first = api.client.get(URL)
    assert first.headers["ETag"].strip('"') == hashlib.sha256((FOOD / APPLICATION).read_bytes()).hexdigest()

    changed = (FOOD / APPLICATION).read_bytes().replace("申请人声明".encode(), "申请人承诺".encode())
    body = deploy(api, [(f"SCJG-XK-0001/{APPLICATION}", changed)])  # a sample alone, its guide unchanged
    assert body["guides"] == [] and sample_rows(api, f"SCJG-XK-0001/{APPLICATION}") == 2
    with api.runtime.uow() as uow:
        assert uow.session.scalar(select(func.max(Guide.version)).where(Guide.code == "SCJG-XK-0001")) == 1
    assert api.client.get(URL).headers["ETag"].strip('"') == hashlib.sha256(changed).hexdigest()


def test_the_catalogue_gives_each_sample_its_title_and_download_address(api: ApiClient) -> None:
    guide = edited_guide(lambda materials: materials[1].update(sample="营业执照（示例）"))  # a title only
    deploy(api, food_files(guide=guide))
    materials = api.client.get("/api/catalogue/SCJG-XK-0001").get_json()["materials"]
    assert {k: materials[0][k] for k in ("sample", "sample_url", "sample_format")} == {
        "sample": TITLE, "sample_url": URL, "sample_format": "pdf"}
    assert materials[1]["sample"] == "营业执照（示例）" and "sample_url" not in materials[1]
    assert "sample" not in materials[3] and "sample_url" not in materials[3]
    assert materials[2]["sample_url"] == "/api/catalogue/SCJG-XK-0001/samples/premises_layout_and_equipment.html"


def test_a_sample_downloads_without_login_as_a_pdf_named_by_its_title(api: ApiClient) -> None:
    deploy(api, food_files())
    response = api.client.get(URL)  # no token, no session
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data[:5] == b"%PDF-"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert f"filename*=UTF-8''{quote(TITLE + '.pdf', safe='')}" in disposition
    # Each sample its own plain name, for clients reading only filename= (all were SCJG-XK-0001-sample.pdf).
    assert 'filename="SCJG-XK-0001-food_licence_application.pdf"' in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_docx_sample_is_served_as_deployed(api: ApiClient) -> None:
    content = docx()
    guide = edited_guide(lambda materials: materials[3].update(sample={"title": "规章制度目录清单（示范文本）",
                                                                         "file": "samples/rules.docx"}))
    deploy(api, food_files(guide=guide, extra=(("SCJG-XK-0001/samples/rules.docx", content),)))
    response = api.client.get("/api/catalogue/SCJG-XK-0001/samples/rules.docx")
    assert response.status_code == 200 and response.data == content
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert quote("规章制度目录清单（示范文本）.docx", safe="") in response.headers["Content-Disposition"]


def test_an_unknown_sample_or_item_is_not_found(api: ApiClient) -> None:
    stray = ("SCJG-XK-0001/samples/stray.html", (FOOD / APPLICATION).read_bytes())
    deploy(api, food_files(extra=(stray,)))
    for url in ("/api/catalogue/SCJG-XK-0001/samples/nothing.html", "/api/catalogue/NO-SUCH/" + APPLICATION,
                "/api/catalogue/SCJG-XK-0001/samples/stray.html",  # deployed, but the guide names it not
                "/api/catalogue/SCJG-XK-0001/guide.json", "/api/catalogue/SCJG-XK-0001/samples/../guide.json"):
        response = api.client.get(url)
        assert response.status_code == 404, url
        assert response.get_json()["error"]["code"] == "not_found", url


def test_the_public_guide_page_and_the_intake_page_link_each_sample(api: ApiClient, app: Any) -> None:
    guide = edited_guide(lambda materials: materials[1].update(sample="营业执照（示例）"))
    deploy(api, food_files(guide=guide))
    html = Browser(app.test_client()).get("/public/catalogue/SCJG-XK-0001").text
    assert f'<a class="sample-download" href="{URL}" aria-label="下载样表：{TITLE}">下载样表</a>' in html
    assert html.count('class="sample-download"') == 3  # the three files; the title alone has no link
    assert "样表：营业执照（示例）</div>" in html
    english = Browser(app.test_client()).get("/public/catalogue/SCJG-XK-0001",
                                             headers={"Accept-Language": "en"}).text
    assert ">Download the sample</a>" in english

    intake = StaffBrowser(api, "window_clerk").get("/work/intake/SCJG-XK-0001").text
    assert f'href="{URL}"' in intake and intake.count('class="sample-download"') == 3
