"""Fixtures shared by the end-to-end tests: one Playwright and Chromium per session, and a live server
with a 1366×768 page per browser test (tests/browser.py)."""
from tests.browser import browser, page, server
