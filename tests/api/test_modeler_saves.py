"""The modeler's saves never take over someone else's work: a blank page's process id that is already
deployed is refused, an edit page's save over a version deployed since it was opened is refused until the
analyst saves anyway, a save whose session ended comes back to its page, and a save done names the
browser's draft for the page to drop. Flask's test client; the browser side is tests/e2e/test_modeler.py."""
from __future__ import annotations

import re
from typing import Any

import pytest

from api.pages import local_time
from api.pages.modeler import SAVED_COOKIE
from engine import Runtime, definitions, versions
from engine.errors import Conflict
from engine.users import SYSTEM, Actor
from tests.api.test_pages import PAGES, Browser, embedded_xml, person

V1 = (PAGES / "permit_v1.bpmn").read_text()
V2 = (PAGES / "permit_v2.bpmn").read_text()


def analyst_named(name: str) -> Actor:
    return Actor(name, roles=frozenset({"analyst"}))


def deploy_as(runtime: Runtime, who: str, xml: str, file_name: str = "permit_v1.bpmn") -> int:
    result = definitions.deploy(runtime.uow(), [(file_name, xml.encode())], actor=analyst_named(who))
    return result.definitions[0].definition.version


@pytest.fixture
def analyst(runtime: Runtime, app: Any) -> Browser:
    """Zhao at the modeler, with version 1 of the permit item deployed by Li."""
    browser = Browser(app.test_client())
    person(runtime, "zhao", roles=["analyst"])
    assert browser.log_in("zhao").status_code == 302
    deploy_as(runtime, "li", V1)
    return browser


def save(analyst: Browser, url: str, xml: str, *, latest: dict[str, str] | None = None,
         overwrite: dict[str, str] | None = None, **fields: str) -> Any:
    """Post the modeler's form; ``latest`` and ``overwrite`` by process key, as latest.KEY and overwrite.KEY."""
    versions_known = {f"latest.{k}": v for k, v in (latest or {}).items()}
    saved_over = {f"overwrite.{k}": v for k, v in (overwrite or {}).items()}
    return analyst.post(url, {"xml": xml, "file_name": "permit.bpmn", **versions_known, **saved_over, **fields},
                        token_from="/analyst/modeler")


def latest_version(runtime: Runtime, key: str = "pages_permit") -> int:
    return definitions.get_definition(runtime.uow(), key).version


def renamed(xml: str, key: str) -> str:
    return xml.replace('"pages_permit"', f'"{key}"')


# ---- the blank page -------------------------------------------------------------------------------

def test_a_new_diagram_whose_process_id_is_deployed_is_refused_naming_that_version(runtime: Runtime,
                                                                                     analyst: Browser) -> None:
    response = save(analyst, "/analyst/modeler", V2, name="新事项")
    assert response.status_code == 409
    assert latest_version(runtime) == 1  # not silently version 2 of Li's item
    page = response.text
    when = local_time(versions.diagram_version(runtime.uow(), "pages_permit", actor=SYSTEM).info.deployed_at)
    assert f"流程 ID pages_permit 已被占用：pages_permit 版本 1 由 li 于 {when} 部署。" in page
    assert "请在属性面板中给流程另取一个 ID 后再保存" in page
    assert 'href="/analyst/modeler/pages_permit/1"' in page  # open that definition to edit it
    assert 'name="overwrite.' not in page  # a new diagram is not saved over an item
    # The diagram and the names as typed, still posting as a new diagram
    assert embedded_xml(page) == V2
    assert 'id="modeler-file-name" value="permit.bpmn"' in page and 'value="新事项"' in page
    assert 'action="/analyst/modeler"' in page and 'data-unsaved="true"' in page


def test_a_new_diagram_with_a_process_id_of_its_own_becomes_version_1_of_it(runtime: Runtime,
                                                                             analyst: Browser) -> None:
    response = save(analyst, "/analyst/modeler", renamed(V1, "Process_0k3x9qa"))
    assert response.headers["Location"] == "/analyst/definitions/Process_0k3x9qa/1"
    assert latest_version(runtime) == 1


def test_the_blank_page_posts_as_a_new_diagram_and_an_edit_page_to_its_own_address(analyst: Browser) -> None:
    blank = analyst.get("/analyst/modeler").text
    assert 'action="/analyst/modeler"' in blank and 'data-page="new"' in blank and 'name="latest.' not in blank
    assert 'data-user="zhao"' in blank and 'data-modeler-path="/analyst/modeler"' in blank
    edit = analyst.get("/analyst/modeler/pages_permit/1").text
    assert 'action="/analyst/modeler/pages_permit/1"' in edit and 'data-page="pages_permit/1"' in edit
    assert '<input type="hidden" name="latest.pages_permit" value="1">' in edit
    assert re.search(r'data-deployed-at="\d{4}-\d\d-\d\dT[\d:.]+\+00:00"', edit)


# ---- an edit page ---------------------------------------------------------------------------------

def test_an_edit_over_a_version_deployed_since_is_refused_until_saved_anyway(runtime: Runtime,
                                                                               analyst: Browser) -> None:
    opened = analyst.get("/analyst/modeler/pages_permit/1").text
    assert '<input type="hidden" name="latest.pages_permit" value="1">' in opened
    assert deploy_as(runtime, "qian", V2) == 2  # meanwhile, another analyst

    edited = V1.replace('name="受理"', 'name="受理（综合窗口）"')
    refused = save(analyst, "/analyst/modeler/pages_permit/1", edited, latest={"pages_permit": "1"})
    assert refused.status_code == 409 and latest_version(runtime) == 2
    page = refused.text
    assert re.search(r"pages_permit 已有更新的版本 2，由 qian 于 [\d\- :]+ 部署；此流程图是在版本 1 上修改的。", page)
    assert 'href="/analyst/definitions/pages_permit/2"' in page
    assert re.search(r'<input type="checkbox" name="overwrite.pages_permit" value="2" form="modeler-form"', page)
    assert "仍然保存为下一版本（版本 3）" in page
    assert embedded_xml(page) == edited  # the edit is kept
    assert '<input type="hidden" name="latest.pages_permit" value="1">' in page  # unticked, the next save is refused again
    assert 'action="/analyst/modeler/pages_permit/1"' in page and "data-stored" not in page

    # Ticked after yet another version came: refused again, naming that one.
    assert deploy_as(runtime, "sun", V1.replace('name="办结"', 'name="结束"')) == 3
    again = save(analyst, "/analyst/modeler/pages_permit/1", edited, latest={"pages_permit": "1"}, overwrite={"pages_permit": "2"})
    assert again.status_code == 409 and "已有更新的版本 3，由 sun" in again.text
    assert 'name="overwrite.pages_permit" value="3"' in again.text

    # Ticked, but refused for another reason: the version saved over is the one the page knows of now.
    bad_name = save(analyst, "/analyst/modeler/pages_permit/1", edited, latest={"pages_permit": "1"}, overwrite={"pages_permit": "3"}, file_name="a b")
    assert bad_name.status_code == 400 and '<input type="hidden" name="latest.pages_permit" value="3">' in bad_name.text

    saved = save(analyst, "/analyst/modeler/pages_permit/1", edited, latest={"pages_permit": "3"})
    assert saved.headers["Location"] == "/analyst/definitions/pages_permit/4"


def test_an_edit_of_the_latest_version_saves_the_next_one(runtime: Runtime, analyst: Browser) -> None:
    response = save(analyst, "/analyst/modeler/pages_permit/1", V2, latest={"pages_permit": "1"})
    assert response.headers["Location"] == "/analyst/definitions/pages_permit/2"


def test_an_edit_page_without_the_version_it_knew_of_is_checked_against_the_one_it_opened(
        runtime: Runtime, analyst: Browser) -> None:
    deploy_as(runtime, "qian", V2)
    response = save(analyst, "/analyst/modeler/pages_permit/1", V1.replace("受理", "受理2"))
    assert response.status_code == 409 and "已有更新的版本 2" in response.text
    bad = save(analyst, "/analyst/modeler/pages_permit/1", V1, latest={"pages_permit": "two"})
    assert bad.status_code == 400 and "latest.pages_permit must be a version number" in bad.text and embedded_xml(bad.text) == V1


def test_an_edit_whose_process_id_became_another_deployed_item_is_refused(runtime: Runtime,
                                                                          analyst: Browser) -> None:
    deploy_as(runtime, "qian", renamed(V1, "other_item"), "other_item.bpmn")
    response = save(analyst, "/analyst/modeler/pages_permit/1", renamed(V1, "other_item"), latest={"pages_permit": "1"})
    assert response.status_code == 409
    assert "流程 ID other_item 已被占用：other_item 版本 1 由 qian" in response.text
    assert 'name="overwrite.' not in response.text  # "save anyway" is for the processes the page opened only
    assert latest_version(runtime, "other_item") == 1


def test_the_engine_names_every_version_in_the_way(runtime: Runtime, analyst: Browser) -> None:
    deploy_as(runtime, "qian", V2)
    with pytest.raises(Conflict) as refused:
        definitions.deploy(runtime.uow(), [("permit.bpmn", V1.encode())], actor=analyst_named("zhao"),
                           based_on={"pages_permit": 1})
    [detail] = refused.value.details
    assert detail["key"] == "pages_permit" and detail["version"] == 2 and detail["based_on"] == 1
    assert detail["deployed_by"] == "qian" and detail["deployed_at"].endswith("+00:00")
    assert "newer than version 1" in refused.value.message
    with pytest.raises(Conflict, match="already deployed"):
        definitions.deploy(runtime.uow(), [("permit.bpmn", V1.encode())], actor=analyst_named("zhao"), based_on={})
    # Uploads and the CLI pass no base: a changed diagram is the next version, as before.
    assert deploy_as(runtime, "zhao", V1.replace("受理", "受理3")) == 3


# ---- sessions and drafts --------------------------------------------------------------------------

def test_a_save_whose_session_ended_goes_back_to_its_page_by_way_of_the_login(runtime: Runtime,
                                                                              analyst: Browser) -> None:
    stale = analyst.client.post("/analyst/modeler/pages_permit/1", data={
        "csrf_token": "from-a-page-of-another-session", "xml": V2, "file_name": "permit.bpmn", "latest.pages_permit": "1"})
    assert stale.status_code == 302 and stale.headers["Location"] == "/analyst/modeler/pages_permit/1"
    page = analyst.get("/analyst/modeler/pages_permit/1").text
    assert "流程图未保存。草稿保存在本浏览器中" in page and latest_version(runtime) == 1

    analyst.client.delete_cookie("govflow_session")  # the session ended
    ended = analyst.client.post("/analyst/modeler", data={"csrf_token": "x", "xml": V2, "file_name": "a.bpmn"})
    assert ended.headers["Location"] == "/analyst/modeler"
    assert analyst.get("/analyst/modeler").headers["Location"] == "/login?next=/analyst/modeler"


def test_a_save_done_names_its_draft_for_the_page_to_drop_and_a_refused_one_keeps_it(analyst: Browser) -> None:
    refused = save(analyst, "/analyst/modeler", V2, draft="k2j4h5g6f7d8s9a0")
    assert refused.status_code == 409 and SAVED_COOKIE not in refused.headers.get("Set-Cookie", "")
    assert 'name="draft" id="modeler-draft-id" value="k2j4h5g6f7d8s9a0"' in refused.text

    saved = save(analyst, "/analyst/modeler", renamed(V1, "Process_aaaaaaa"), draft="k2j4h5g6f7d8s9a0")
    cookie = saved.headers["Set-Cookie"]
    assert cookie.startswith(f"{SAVED_COOKIE}=k2j4h5g6f7d8s9a0;") and "Path=/analyst/modeler" in cookie
    assert "HttpOnly" not in cookie  # the page's script reads it
    second = save(analyst, "/analyst/modeler", renamed(V1, "Process_bbbbbbb"), draft="zzzzzzzz11111111")
    assert second.headers["Set-Cookie"].startswith(f"{SAVED_COOKIE}=k2j4h5g6f7d8s9a0.zzzzzzzz11111111;")
    odd = save(analyst, "/analyst/modeler", renamed(V1, "Process_ccccccc"), draft="../<x>")
    assert odd.status_code == 302 and SAVED_COOKIE not in odd.headers.get("Set-Cookie", "")


def test_a_diagram_deployed_under_a_name_the_modeler_refuses_opens_under_one_it_saves(runtime: Runtime,
                                                                                     analyst: Browser) -> None:
    """The API and the command line keep any file name (受理流程 v1.bpmn): the modeler offers one its save takes."""
    deploy_as(runtime, "li", renamed(V1, "pages_spaced"), file_name="受理流程 v1.bpmn")
    page = analyst.get("/analyst/modeler/pages_spaced/1").text
    offered = re.search(r'id="modeler-file-name" value="([^"]*)"', page).group(1)
    assert offered == "受理流程_v1.bpmn"
    saved = analyst.post("/analyst/modeler/pages_spaced/1", {"xml": renamed(V1, "pages_spaced").replace(
        "许可", "许可（改）", 1), "file_name": offered, "latest.pages_spaced": "1"}, token_from="/analyst/modeler")
    assert saved.status_code in (302, 303), saved.text[:500]
    assert latest_version(runtime, "pages_spaced") == 2
