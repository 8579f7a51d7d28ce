"""A required text answered with spaces alone is no answer: the browser says so beside the field as soon as it is
left, the server (engine forms) refuses it, and the task is completed only with a visible answer."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest

from engine import Runtime, definitions, instances, tasks
from engine.users import SYSTEM, Actor
from tests.browser import add_user, log_in
from tests.live import ROOT

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow
SAMPLE = ROOT / "bpmn" / "window-acceptance" / "window_acceptance.bpmn"
FORM = ROOT / "tests" / "fixtures" / "pages" / "window-accept.form"


def test_spaces_alone_in_a_required_text_are_refused_in_the_browser(page: Any, runtime: Runtime) -> None:
    schema = json.loads(FORM.read_text(encoding="utf-8"))
    [opinion] = [c for c in schema["components"] if c.get("key") == "opinion"]
    opinion["validate"] = {"required": True, "maxLength": 500}
    definitions.deploy(runtime.uow(), [(SAMPLE.name, SAMPLE.read_bytes()),
                                       (FORM.name, json.dumps(schema, ensure_ascii=False).encode())], actor=SYSTEM)
    add_user(runtime, "wang", groups=["window"], roles=["clerk"])
    view, _ = instances.start(runtime.uow(), "window_acceptance", actor=Actor("portal", roles=frozenset({"integrator"})),
                              business_key="SX-2026-000321", variables={"applicantName": "张三"})
    tasks.claim(runtime.uow(), view.tasks[0].id, actor=Actor("wang", frozenset({"window"}), frozenset({"clerk"})))
    log_in(page, "wang")
    page.goto(f"/tasks/{view.tasks[0].id}")
    expect(page.locator("#complete-form")).to_have_attribute("data-ready", "true")

    page.get_by_label("受理", exact=True).check()
    page.get_by_label("受理意见").fill("   ")
    page.get_by_label("受理意见").press("Tab")  # the browser says it at once
    field = page.locator(".fjs-form-field", has_text="受理意见")
    expect(field.locator(".fjs-form-field-error")).to_have_text("必填项")

    page.click("#complete-button")  # sent anyway: the server refuses it too, beside the field
    expect(page.locator("#form-errors-summary")).to_contain_text("受理意见")
    expect(field.locator(".fjs-form-field-error")).to_contain_text("必填项")
    assert tasks.get_task(runtime.uow(), view.tasks[0].id, actor=SYSTEM).state == "READY"

    page.get_by_label("受理意见").fill("材料齐全，予以受理。")
    page.click("#complete-button")
    page.wait_for_url(re.compile(r"/queue"))
    [done] = [e for e in instances.history(runtime.uow(), view.id, actor=SYSTEM) if e.event == "task.completed"]
    assert done.data["variables"]["opinion"] == "材料齐全，予以受理。"
