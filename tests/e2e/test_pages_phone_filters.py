"""The lists' filters on a phone: a choice named by an item's full name (工程建设项目并联审批（用地预审、…）)
shrinks to the screen instead of widening the page."""
from __future__ import annotations

from typing import Any

import pytest

from engine import Runtime, calendar, definitions
from engine.users import SYSTEM
from tests.browser import add_user, log_in
from tests.service_items import item_files

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect
FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def test_the_case_list_and_the_queue_fit_a_phone_with_a_long_item_name(page: Any, runtime: Runtime) -> None:
    with runtime.uow() as uow:
        calendar.seed_national(uow)
    definitions.deploy(runtime.uow(), item_files("ZRZY-BL-0001"), actor=SYSTEM)
    add_user(runtime, "zhou", roles=["supervisor"])
    log_in(page, "zhou")
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/cases", "/queue"):
        page.goto(path)
        expect(page.locator(".filters select").first).to_be_visible()
        assert page.evaluate(FITS), path
