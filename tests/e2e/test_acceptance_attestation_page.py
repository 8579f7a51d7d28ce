"""The window item's acceptance in a real browser: 材料齐全、符合法定形式 is shown only once 受理 is chosen, and
then must be ticked — form-js says so beside it and sends nothing — before the case is accepted."""
from __future__ import annotations

import re
from typing import Any

import pytest

from engine import Runtime, instances, materials, tasks
from engine.instances import InstanceView
from engine.users import SYSTEM
from tests.browser import log_in
from tests.e2e.test_acceptance_checklist_page import CODE, WANG, window_case
from tests.service_items import guide

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow
ATTESTATION = "材料齐全、符合法定形式"


@pytest.fixture
def case(runtime: Runtime) -> InstanceView:
    """The window item deployed, a case whose materials were all checked on paper, its acceptance task
    claimed by the window clerk."""
    view = window_case(runtime, "SX-2026-000322")
    materials.record(runtime.uow(), view.id, actor=WANG,
                     marks=[materials.NewMark(m["name"], "paper_checked") for m in guide(CODE)["materials"]])
    tasks.claim(runtime.uow(), view.tasks[0].id, actor=WANG)
    return view


def test_the_attestation_shows_for_an_acceptance_and_must_be_ticked(page: Any, runtime: Runtime,
                                                                    case: InstanceView) -> None:
    log_in(page, "wang")
    page.goto(f"/tasks/{case.tasks[0].id}")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")
    expect(page.get_by_label(ATTESTATION)).to_have_count(0)  # no outcome chosen yet
    page.get_by_label("不予受理", exact=True).check()
    expect(page.get_by_label(ATTESTATION)).to_have_count(0)
    page.get_by_label("受理", exact=True).check()
    expect(page.get_by_label(ATTESTATION)).to_be_visible()

    page.click("#complete-button")
    field = page.locator(".fjs-form-field", has_text=ATTESTATION)
    expect(field.locator(".fjs-form-field-error")).to_have_text("必填项")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")  # the form drawn again
    assert tasks.get_task(runtime.uow(), case.tasks[0].id, actor=SYSTEM).state == "READY"

    page.get_by_label(ATTESTATION).check()
    page.click("#complete-button")
    page.wait_for_url(re.compile(r"/queue"))
    after = instances.get(runtime.uow(), case.id, actor=SYSTEM)
    assert [t.bpmn_id for t in after.tasks] == ["review"] and after.variables["materials_complete"] is True
