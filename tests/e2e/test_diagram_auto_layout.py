"""A diagram deployed without a drawn layout (no BPMN DI, as generators write them) in a real browser: the
definition and case pages lay it out and draw it, the case's active step marked; the modeler lays it out too
and saves it, layout included, as the next version without leaving a draft behind. Pools and lanes, which
the layout cannot draw, are refused with a message, and the modeler will not save them empty."""
from __future__ import annotations

import re
from typing import Any

import pytest

from engine import Runtime, definitions, instances
from engine.users import SYSTEM, Actor
from tests.browser import add_user, log_in, shot
from tests.live import ROOT

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect

pytestmark = pytest.mark.slow
FIXTURES = ROOT / "tests" / "fixtures" / "auto_layout"
DRAFTS = "() => Object.keys(localStorage).filter((key) => key.startsWith('govflow.modeler.draft/'))"


def deploy(runtime: Runtime, name: str) -> None:
    path = FIXTURES / name
    assert b"<bpmndi:" not in path.read_bytes()  # no layout drawn
    definitions.deploy(runtime.uow(), [(path.name, path.read_bytes())], actor=SYSTEM)


@pytest.fixture
def analyst(runtime: Runtime) -> str:
    """An analyst who also supervises (so opens case pages), and the item without layout deployed."""
    deploy(runtime, "no_layout.bpmn")
    add_user(runtime, "zhao", roles=["analyst", "supervisor"])
    return "zhao"


def drawn(page: Any, root: str, element: str) -> Any:
    return page.locator(f'{root} .djs-element.djs-shape[data-element-id="{element}"]')


def test_a_diagram_without_layout_is_drawn_and_saved_with_its_layout_from_the_modeler(page: Any, analyst: str) -> None:
    log_in(page, analyst)
    page.goto("/analyst/definitions/auto_permit/1")
    expect(page.locator("#diagram")).to_have_attribute("data-ready", "true")
    expect(page.locator("#diagram")).to_have_attribute("data-auto-layout", "true")
    expect(page.locator(".diagram-error")).to_be_hidden()
    for element in ("start", "accept", "review", "done"):
        expect(drawn(page, "#diagram", element)).to_have_count(1)
    expect(page.locator('#diagram .djs-connection[data-element-id="f2"]')).to_have_count(1)
    shot(page, "40-definition-auto-layout")

    page.click('a:has-text("在建模器中打开")')
    form = page.locator("#modeler-form")
    expect(form).to_have_attribute("data-ready", "true")
    expect(form).to_have_attribute("data-auto-layout", "true")
    expect(page.locator("#modeler-auto-layout")).to_be_visible()  # the analyst is told, in the page's words
    expect(page.locator("#modeler-auto-layout")).to_contain_text("已自动生成")
    expect(drawn(page, "#canvas", "review")).to_have_count(1)
    expect(page.locator("#modeler-draft")).to_be_hidden()
    shot(page, "41-modeler-auto-layout")

    # The latest version, unedited, but with a layout it did not have: saving stores it as version 2.
    page.click("#modeler-save")
    page.wait_for_url(re.compile(r"/analyst/definitions/auto_permit/2$"))
    expect(page.locator(".flash-success")).to_contain_text("已部署 auto_permit 版本 2")
    expect(page.locator("#diagram")).to_have_attribute("data-ready", "true")
    expect(page.locator("#diagram")).not_to_have_attribute("data-auto-layout", "true")  # drawn by its own DI
    expect(drawn(page, "#diagram", "accept")).to_have_count(1)
    assert page.evaluate(DRAFTS) == []  # nothing was edited: no draft to keep

    saved = page.request.get("/analyst/definitions/auto_permit/2/diagram.bpmn").text()
    assert re.search(r'<bpmndi:BPMNPlane id="[^"]+" bpmnElement="auto_permit"', saved)
    for element in ("start", "accept", "review", "done"):
        assert f'bpmnElement="{element}"' in saved
    assert 'camunda:candidateGroups="window"' in saved  # the Camunda properties kept

    page.goto("/analyst/modeler/auto_permit/2")
    expect(form).to_have_attribute("data-ready", "true")
    expect(form).not_to_have_attribute("data-auto-layout", "true")
    expect(page.locator("#modeler-draft")).to_be_hidden()
    expect(page.locator("#modeler-other-drafts")).to_be_hidden()


def test_the_case_page_of_a_diagram_without_layout_marks_the_active_step(page: Any, runtime: Runtime,
                                                                         analyst: str) -> None:
    view, _ = instances.start(runtime.uow(), "auto_permit", actor=Actor("portal", roles=frozenset({"integrator"})),
                              business_key="GG-2026-000001")
    log_in(page, analyst)
    page.goto(f"/cases/{view.id}")
    expect(page.locator("#diagram")).to_have_attribute("data-ready", "true")
    expect(page.locator('#diagram [data-element-id="accept"].gf-active')).to_have_count(1)
    expect(page.locator('#diagram [data-element-id="review"].gf-active')).to_have_count(0)
    expect(drawn(page, "#diagram", "review")).to_have_count(1)
    shot(page, "42-case-auto-layout")


def test_pools_without_layout_are_refused_with_a_message_and_not_saved_empty(page: Any, runtime: Runtime,
                                                                            analyst: str) -> None:
    deploy(runtime, "no_layout_pools.bpmn")
    log_in(page, analyst)
    page.goto("/analyst/definitions/auto_window/1")
    error = page.locator(".diagram-error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("data-reason", "layout-unsupported")
    expect(error).to_contain_text("泳池或泳道")
    expect(error).not_to_contain_text("no diagram to display")
    expect(page.locator("#diagram")).to_be_hidden()  # no blank canvas above the message
    shot(page, "43-definition-pools-without-layout")

    page.goto("/analyst/modeler/auto_window/1")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("data-reason", "layout-unsupported")
    expect(page.locator(".modeler")).to_be_hidden()
    expect(page.locator("#modeler-save")).to_be_disabled()
    shot(page, "44-modeler-pools-without-layout")
    page.press("#modeler-file-name", "Enter")  # a form's implicit submission: nothing is posted either
    page.wait_for_timeout(500)
    expect(page).to_have_url(re.compile(r"/analyst/modeler/auto_window/1$"))
    expect(page.locator(".problems")).to_have_count(0)
    assert page.evaluate(DRAFTS) == []
    assert page.request.get("/analyst/definitions/auto_window/2").status == 404  # no version deployed
