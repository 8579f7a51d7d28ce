"""Fixtures shared by the end-to-end tests: one Playwright and Chromium per session, a live server with a
1366×768 page per browser test (tests/browser.py), and an analyst with an item to work on."""
from __future__ import annotations

import pytest

from engine import Runtime, definitions
from engine.users import SYSTEM
from tests.browser import add_user, browser, page, server  # noqa: F401 (fixtures, which pytest finds by name)
from tests.live import ROOT


@pytest.fixture
def analyst(runtime: Runtime) -> str:
    """An analyst, and version 1 of a small permit item (tests/fixtures/pages) already deployed."""
    v1 = ROOT / "tests" / "fixtures" / "pages" / "permit_v1.bpmn"
    definitions.deploy(runtime.uow(), [(v1.name, v1.read_bytes())], actor=SYSTEM, name="first release")
    add_user(runtime, "zhao", roles=["analyst"])
    return "zhao"
