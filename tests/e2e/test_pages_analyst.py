"""An analyst in a real browser: a refused upload lists its problem with file, line and element; the
fixed diagram becomes version 2 and is drawn; the modeler opens a version, will not save it unedited,
keeps the edits and typed names through a refused save, and saves the next one."""
from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser import log_in, shot
from tests.live import ROOT

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow
FIXTURES = ROOT / "tests" / "fixtures" / "pages"


def test_a_refused_upload_shows_file_line_and_element_and_the_fixed_one_is_version_2(page: Any, analyst: str) -> None:
    log_in(page, analyst)
    expect(page).to_have_url(re.compile(r"/analyst/definitions$"))  # an analyst's home
    expect(page.locator('tbody.definition[data-key="pages_permit"]')).to_contain_text("v1")
    shot(page, "10-definitions")

    page.click('.mainnav a[href="/analyst/deploy"]')
    page.set_input_files("#files", str(FIXTURES / "permit_v2_broken.bpmn"))
    page.click("form.stacked button[type=submit]")
    problem = page.locator(".problems tr.error")
    expect(problem).to_have_count(1)
    expect(problem.locator("td").nth(0)).to_have_text("permit_v2_broken.bpmn")
    expect(problem.locator("td.line")).to_have_text("9")  # the line of the dangling sequence flow
    expect(problem.locator("td").nth(2)).to_have_text("f2")
    expect(problem).to_contain_text("approve_step")
    shot(page, "11-deploy-refused")

    page.set_input_files("#files", str(FIXTURES / "permit_v2.bpmn"))
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(re.compile(r"/analyst/definitions/pages_permit/2$"))
    expect(page.locator(".flash-success")).to_contain_text("pages_permit")
    expect(page.locator(".page-head .version")).to_contain_text("2")
    expect(page.locator("#diagram")).to_have_attribute("data-ready", "true")
    expect(page.locator('#diagram [data-element-id="approve"]')).to_have_count(1)
    shot(page, "12-definition-version-2")

    page.click('.versions a:has-text("v1")')
    expect(page.locator("#diagram")).to_have_attribute("data-ready", "true")
    expect(page.locator('#diagram [data-element-id="approve"]')).to_have_count(0)


def test_the_modeler_opens_a_version_and_saves_the_next(page: Any, analyst: str) -> None:
    log_in(page, analyst)
    page.goto("/analyst/definitions/pages_permit/1")
    page.click('a:has-text("在建模器中打开")')
    expect(page.locator("#modeler-form")).to_have_attribute("data-ready", "true")
    expect(page.locator("#modeler-file-name")).to_have_value("permit_v1.bpmn")
    # Nothing edited yet: saving says the version is unchanged instead of deploying a copy of it.
    page.click("#modeler-save")
    expect(page.locator("#modeler-unchanged")).to_be_visible()
    expect(page.locator("#modeler-unchanged")).to_contain_text("pages_permit 内容未变，仍为版本 1")
    expect(page).to_have_url(re.compile(r"/analyst/modeler/pages_permit/1$"))

    page.click('#canvas [data-element-id="accept"]')  # select the task: the properties panel shows it
    panel = page.locator("#properties .bio-properties-panel")
    expect(panel.locator(".bio-properties-panel-header")).to_contain_text("受理")
    page.click('#properties [data-group-id="group-general"] .bio-properties-panel-group-header')
    name = panel.locator("#bio-properties-panel-name")
    name.fill("受理（综合窗口）")
    name.press("Tab")
    # The Camunda 7 properties (moddle + provider) are there: the task's candidate group is shown.
    page.click('#properties [data-group-id="group-CamundaPlatform__UserAssignment"] .bio-properties-panel-group-header')
    expect(panel.locator("#bio-properties-panel-candidateGroups")).to_have_value("window")
    expect(page.locator("#modeler-unchanged")).to_be_hidden()  # an edit was made
    shot(page, "13-modeler")

    # A refused save (a space in the file name) comes back with the edit and both typed names kept.
    page.fill("#modeler-file-name", "my permit.bpmn")
    page.fill("#modeler-name", "综合窗口改造")
    page.click("#modeler-save")
    expect(page.locator(".problems")).to_contain_text("the file name must be")
    expect(page.locator("#modeler-form")).to_have_attribute("data-ready", "true")
    expect(page.locator("#modeler-file-name")).to_have_value("my permit.bpmn")
    expect(page.locator("#modeler-name")).to_have_value("综合窗口改造")
    expect(page.locator('#canvas [data-element-id="accept"]')).to_contain_text("受理（综合窗口）")
    shot(page, "13b-modeler-save-refused")

    page.fill("#modeler-file-name", "permit_v1.bpmn")
    page.click("#modeler-save")
    page.wait_for_url(re.compile(r"/analyst/definitions/pages_permit/2$"))
    expect(page.locator(".flash-success")).to_contain_text("pages_permit")
    expect(page.locator("#diagram")).to_have_attribute("data-ready", "true")
    expect(page.locator('#diagram [data-element-id="accept"]')).to_contain_text("受理（综合窗口）")
    shot(page, "14-modeler-saved-version-2")
