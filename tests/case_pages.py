"""A case page as a signed-in person reads and acts on it: its clock panel, the panel's forms, a post to a
clock action and what the page flashes back."""
from __future__ import annotations

import html
import re
from typing import Any

from tests.api.test_pages import Browser, person


def signed_in(app: Any, runtime: Any, name: str, **spec: Any) -> Browser:
    browser = Browser(app.test_client())
    person(runtime, name, **spec)
    assert browser.log_in(name).status_code == 302
    return browser


def clock_of(page: str) -> str:
    return page.split('id="clock"')[1].split("</section>")[0]


def clock_form(page: str, form: str) -> str:
    """One of the clock panel's forms on a case page, by its class, up to its end."""
    return clock_of(page).split(f'class="stacked {form}"')[1].split("</form>")[0]


def post(browser: Browser, case_id: int, action: str, **fields: Any) -> Any:
    """Post to a clock action directly (a form the page does not show, or one stale), coming from the case."""
    return browser.post(f"/cases/{case_id}/clock/{action}", {"next": f"/cases/{case_id}", **fields},
                        token_from=f"/cases/{case_id}")


def flashed(page: Any) -> str:
    return " ".join(html.unescape(t) for t in re.findall(r'<div class="flash flash-\w+"[^>]*>(.*?)</div>',
                                                        page.text, re.DOTALL))


def refused(browser: Browser, response: Any, case_id: int) -> str:
    """A refusal the engine explained: the case page again (422), its reason said; nothing left for the
    next page to say."""
    assert response.status_code == 422 and 'id="clock"' in response.text, response.text
    assert flashed(browser.get(f"/cases/{case_id}")) == ""
    return flashed(response)
