"""Browser tests: Debian's headless Chromium driven by Playwright's sync API against a live server.

tests/e2e/conftest.py provides the fixtures ``browser`` (one per session), ``server`` and ``page``.
Tests skip, saying why, only when /usr/bin/chromium or the playwright package is missing; CI
gets both from scripts/setup.sh. Screenshots go to test-artifacts/screenshots/ for people to look at.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import Runtime, users
from tests.live import ROOT, LiveServer

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}  # a window clerk's screen
# Without the background-networking flags Chromium keeps calling out, which this closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
PASSWORD = "window-2026"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium (scripts/system-packages.sh installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed "
                                   "(pip install -e '.[test]')")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def server(runtime: Runtime, tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(runtime.settings.database_url, tmp_path, workers=2)
    yield live
    live.stop()


@pytest.fixture
def page(browser: Any, server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", base_url=server.url)
    context.set_default_timeout(15_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    # Console errors include refused loads and Content-Security-Policy violations: pages fetch nothing
    # from elsewhere and run no inline script. 4xx answers the test provoked on purpose are not errors.
    opened.on("console", lambda message: errors.append(message.text) if message.type == "error"
              and "status of 4" not in message.text else None)
    yield opened
    context.close()
    assert not errors, f"errors in the browser console: {errors}"


def add_user(runtime: Runtime, name: str, *, groups: list[str] | None = None, roles: list[str]) -> None:
    users.add_user(runtime.uow(), name, groups=groups or [], roles=roles, actor=users.SYSTEM)
    users.set_password(runtime.uow(), name, PASSWORD, actor=users.SYSTEM)


def log_in(page: Any, name: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#name", name)
    page.fill("#secret", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"^(?!.*/login)"))


def log_out(page: Any) -> None:
    page.click(".who button[type=submit]")
    page.wait_for_url(re.compile(r"/login"))


def shot(page: Any, name: str, *, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
