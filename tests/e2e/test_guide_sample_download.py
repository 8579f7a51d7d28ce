"""An applicant in a real browser, without an account, downloads a material's sample (样表) from an item's
guide: the 示范文本 laid out as a PDF, saved under its Chinese title."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine import Runtime, calendar, definitions
from engine.users import SYSTEM
from tests.api.test_pages_public import library_files
from tests.browser import shot

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow


def test_an_applicant_downloads_the_sample_of_a_material_from_the_guide(page: Any, runtime: Runtime) -> None:
    calendar.seed_national(runtime.uow())
    definitions.deploy(runtime.uow(), library_files(), actor=SYSTEM)
    page.goto("/public/catalogue")
    page.click("a.item-link >> text=食品经营许可")
    expect(page.locator("h1")).to_have_text("食品经营许可")
    row = page.locator("table.materials-table tbody tr").first
    expect(row.locator(".material-sample")).to_contain_text("样表：食品经营许可申请书（示范文本）")
    expect(page.locator("a.sample-download")).to_have_count(3)
    shot(page, "public-guide-samples")
    with page.expect_download() as download:
        row.locator("a.sample-download", has_text="下载样表").click()
    assert download.value.suggested_filename == "食品经营许可申请书（示范文本）.pdf"
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    assert download.value.url.endswith("/api/catalogue/SCJG-XK-0001/samples/food_licence_application.html")
