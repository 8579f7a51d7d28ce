"""收件 in a real browser of an item whose start form lacks the applicant's name and phone: the page asks them
beside the form drawn by form-js, one send carries both, and a refusal keeps both as filled in."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from engine import Runtime, calendar, definitions, execution
from engine.models import ProcessInstance
from engine.users import SYSTEM
from tests.api.test_intake_applicant_details import CODE, LACKING, shop_files
from tests.browser import add_user, log_in

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow


def test_the_details_asked_beside_the_start_form_are_sent_with_it_and_kept_after_a_refusal(
        page: Any, runtime: Runtime) -> None:
    with runtime.uow() as uow:
        calendar.seed_national(uow)
    definitions.deploy(runtime.uow(), shop_files(LACKING), actor=SYSTEM)
    add_user(runtime, "wang", groups=["window"], roles=["clerk"])
    log_in(page, "wang")
    page.goto(f"/work/intake/{CODE}")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    page.get_by_label("shop_name").fill("李记面馆")
    page.locator("#intake-applicant_phone").fill("13800138000")
    page.click("#intake-submit")  # no applicant: refused beside the field, the form-js data drawn again
    expect(page.locator("#intake-applicant_name-error")).to_have_text("请填写申请人。")
    expect(page.get_by_label("shop_name")).to_have_value("李记面馆")
    expect(page.locator("#intake-applicant_phone")).to_have_value("13800138000")

    page.locator("#intake-applicant_name").fill("张三")
    page.click("#intake-submit")
    expect(page.locator("#receipt-title")).to_have_text("收件回执")
    with runtime.uow() as uow:
        [row] = uow.session.scalars(select(ProcessInstance)).all()
        started = execution.case_variables(execution.open_case(uow, row.id).workflow)
    assert started["shop_name"] == "李记面馆"
    assert started["applicant_name"] == "张三" and started["applicant_phone"] == "13800138000"
