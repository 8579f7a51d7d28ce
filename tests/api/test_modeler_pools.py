"""The modeler's save is checked process by process: an edit page of a file with two pools knows the
latest version of both and saves them, a version of either deployed since is refused naming it until
saved anyway, a pool added while editing saves. A save whose session ended without its form expiring
(a changed password) goes back to its page by way of the login, not to the home page. Flask's test
client; the browser side is tests/e2e/test_modeler_pools.py."""
from __future__ import annotations

import re
from typing import Any

import pytest

from engine import Runtime, definitions, users
from tests.api.test_modeler_saves import analyst_named, latest_version, save
from tests.api.test_pages import PAGES, Browser, embedded_xml, person

POOLS = (PAGES / "permit_pools.bpmn").read_text()
EDIT = "/analyst/modeler/pages_window/1"
BOTH_AT_1 = {"pages_window": "1", "pages_review": "1"}


def reviewed(n: int) -> str:
    """The file with the task of its second pool renamed."""
    return POOLS.replace('name="审查"', f'name="审查{n}"')


def review_alone() -> str:
    """A file of the second pool's process only (the first one not executable): its next version alone."""
    return reviewed(9).replace('id="pages_window" name="占道申请收件" isExecutable="true"',
                               'id="pages_window" name="占道申请收件" isExecutable="false"')


def deploy_as(runtime: Runtime, who: str, xml: str, file_name: str = "permit_pools.bpmn") -> dict[str, int]:
    result = definitions.deploy(runtime.uow(), [(file_name, xml.encode())], actor=analyst_named(who))
    return {d.definition.key: d.definition.version for d in result.definitions}


@pytest.fixture
def analyst(runtime: Runtime, app: Any) -> Browser:
    """Zhao at the modeler, with version 1 of both pools deployed by Li."""
    browser = Browser(app.test_client())
    person(runtime, "zhao", roles=["analyst"])
    assert browser.log_in("zhao").status_code == 302
    assert deploy_as(runtime, "li", POOLS) == {"pages_window": 1, "pages_review": 1}
    return browser


def known(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="latest\.([\w\-.]+)" value="(\d+)">', page))


def test_the_edit_page_of_either_pool_knows_both_processes(analyst: Browser) -> None:
    assert known(analyst.get(EDIT).text) == BOTH_AT_1
    assert known(analyst.get("/analyst/modeler/pages_review/1").text) == BOTH_AT_1


def test_an_older_version_s_page_knows_the_latest_of_each_process(runtime: Runtime, analyst: Browser) -> None:
    deploy_as(runtime, "qian", reviewed(1))
    deploy_as(runtime, "qian", review_alone(), "review.bpmn")
    assert known(analyst.get(EDIT).text) == {"pages_window": "2", "pages_review": "3"}


def test_an_edit_in_the_second_pool_saves_both_processes(runtime: Runtime, analyst: Browser) -> None:
    response = save(analyst, EDIT, reviewed(1), latest=BOTH_AT_1, file_name="permit_pools.bpmn")
    assert response.headers["Location"] == "/analyst/definitions/pages_window/2"
    assert latest_version(runtime, "pages_window") == latest_version(runtime, "pages_review") == 2


def test_a_version_of_the_second_pool_deployed_since_is_refused_naming_it_until_saved_anyway(
        runtime: Runtime, analyst: Browser) -> None:
    assert deploy_as(runtime, "qian", review_alone(), "review.bpmn") == {"pages_review": 2}
    refused = save(analyst, EDIT, reviewed(1), latest=BOTH_AT_1)
    assert refused.status_code == 409 and latest_version(runtime, "pages_window") == 1
    page = refused.text
    assert re.search(r"pages_review 已有更新的版本 2，由 qian 于 [\d\- :]+ 部署；此流程图是在版本 1 上修改的。", page)
    assert "pages_window 已有更新的版本" not in page
    assert '<input type="checkbox" name="overwrite.pages_review" value="2" form="modeler-form">' in page
    assert 'name="overwrite.pages_window"' not in page
    assert known(page) == BOTH_AT_1 and embedded_xml(page) == reviewed(1)

    saved = save(analyst, EDIT, reviewed(1), latest=BOTH_AT_1, overwrite={"pages_review": "2"})
    assert saved.headers["Location"] == "/analyst/definitions/pages_window/2"
    assert latest_version(runtime, "pages_review") == 3


def test_both_pools_moved_on_are_both_named_and_each_saved_over_on_purpose(runtime: Runtime,
                                                                           analyst: Browser) -> None:
    deploy_as(runtime, "qian", reviewed(2))
    refused = save(analyst, EDIT, reviewed(1), latest=BOTH_AT_1)
    assert {m for m in re.findall(r'name="overwrite\.([\w\-]+)" value="2"', refused.text)} == {"pages_window",
                                                                                              "pages_review"}
    one_ticked = save(analyst, EDIT, reviewed(1), latest=BOTH_AT_1, overwrite={"pages_window": "2"})
    assert one_ticked.status_code == 409 and "pages_review 已有更新的版本 2" in one_ticked.text
    assert known(one_ticked.text) == {"pages_window": "2", "pages_review": "1"}  # the one ticked is known now
    both = save(analyst, EDIT, reviewed(1), latest={"pages_window": "2", "pages_review": "1"},
                overwrite={"pages_review": "2"})
    assert both.headers["Location"] == "/analyst/definitions/pages_window/3"


def test_a_pool_added_while_editing_saves_and_one_with_a_deployed_id_is_refused(runtime: Runtime,
                                                                                analyst: Browser) -> None:
    deploy_as(runtime, "qian", (PAGES / "permit_v1.bpmn").read_text(), "permit.bpmn")

    def with_pool(process_id: str) -> str:
        return POOLS.replace("</bpmn:definitions>", f'<bpmn:process id="{process_id}" isExecutable="true">'
                             '<bpmn:startEvent id="n_start" /></bpmn:process></bpmn:definitions>')

    taken = save(analyst, EDIT, with_pool("pages_permit"), latest=BOTH_AT_1)
    assert taken.status_code == 409 and "流程 ID pages_permit 已被占用" in taken.text
    assert 'name="overwrite.' not in taken.text  # someone else's item is not saved over from here
    saved = save(analyst, EDIT, with_pool("pages_notice"), latest=BOTH_AT_1)
    assert saved.status_code == 302 and latest_version(runtime, "pages_notice") == 1
    assert latest_version(runtime, "pages_window") == 2


def test_overwrite_names_a_version_for_a_process_the_page_knew_of_only(runtime: Runtime, analyst: Browser) -> None:
    deploy_as(runtime, "qian", (PAGES / "permit_v1.bpmn").read_text(), "permit.bpmn")
    added = POOLS.replace('processRef="pages_review"', 'processRef="pages_permit"')
    added = added.replace('id="pages_review" name="占道申请审查"', 'id="pages_permit" name="占道申请审查"')
    response = save(analyst, EDIT, added, latest={"pages_window": "1"}, overwrite={"pages_permit": "1"})
    assert response.status_code == 409 and "流程 ID pages_permit 已被占用" in response.text


def test_a_bad_version_field_is_refused_naming_it_with_the_diagram_kept(analyst: Browser) -> None:
    bad = save(analyst, EDIT, reviewed(1), latest={"pages_window": "1", "pages_review": "x"})
    assert bad.status_code == 400 and "latest.pages_review must be a version number" in bad.text
    assert embedded_xml(bad.text) == reviewed(1) and known(bad.text) == {"pages_window": "1"}


@pytest.mark.parametrize("ended_by", ["password", "deactivated"])
def test_a_save_whose_session_ended_without_its_form_expiring_goes_back_to_its_page(
        runtime: Runtime, analyst: Browser, ended_by: str) -> None:
    token = analyst.csrf(EDIT)  # the form on screen still matches the session cookie
    if ended_by == "password":
        users.set_password(runtime.uow(), "zhao", "a-new-password-1", actor=users.SYSTEM)
    else:
        users.set_active(runtime.uow(), "zhao", False, actor=users.SYSTEM)
    ended = analyst.client.post(EDIT, data={"csrf_token": token, "xml": reviewed(1), "file_name": "pools.bpmn",
                                            "latest.pages_window": "1", "latest.pages_review": "1"})
    assert ended.status_code == 302 and ended.headers["Location"] == EDIT  # not the login, then the home page
    assert latest_version(runtime, "pages_window") == 1
    to_login = analyst.get(EDIT)
    assert to_login.headers["Location"] == f"/login?next={EDIT}"
    assert "流程图未保存。草稿保存在本浏览器中" in analyst.get(to_login.headers["Location"]).text
    if ended_by == "password":
        assert analyst.log_in("zhao", "a-new-password-1", next=EDIT).headers["Location"] == EDIT

