"""An analyst in a real browser opens the comparison of a version with the one before it from the version's
page, sees the task the new version added, and compares the other way round with the version selector."""
from __future__ import annotations

import re
from typing import Any

import pytest

from engine import Runtime, definitions
from engine.users import SYSTEM
from tests.browser import log_in, shot
from tests.live import ROOT

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow


def test_the_version_page_opens_the_comparison_and_the_selector_compares_backwards(
        page: Any, runtime: Runtime, analyst: str) -> None:
    v2 = ROOT / "tests" / "fixtures" / "pages" / "permit_v2.bpmn"
    definitions.deploy(runtime.uow(), [(v2.name, v2.read_bytes())], actor=SYSTEM)
    log_in(page, analyst)
    page.goto("/analyst/definitions/pages_permit/2")
    page.click('a:has-text("与上一版本比较")')
    page.wait_for_url(re.compile(r"/analyst/definitions/pages_permit/diff\?from=1&to=2$"))
    added = page.locator('section[data-change="added"] article[data-element-id="approve"]')
    expect(added).to_contain_text("审批")
    expect(added.locator('tr[data-attribute="candidate_groups"]')).to_contain_text("chief")
    expect(page.locator('section[data-change="changed"] article[data-element-id="f2"] tr[data-attribute="target"]')
           ).to_contain_text("approve")
    shot(page, "14-version-diff")

    page.select_option("#diff-from", "2")
    page.select_option("#diff-to", "1")
    page.click('form.version-choice button[type="submit"]')
    expect(page.locator('section[data-change="removed"] article[data-element-id="approve"]')).to_contain_text("审批")
