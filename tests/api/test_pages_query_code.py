"""The case page's new query code (查询码): asked for with the tick 原查询码将失效 (checked by the server, a
request without it changes nothing), answered with the receipt to print, the new code on it once and never
in an address. A case no guide names: tests/api/test_pages.py."""
from __future__ import annotations

import re

import pytest

from engine import query_codes
from engine.errors import NotFound
from engine.models import HistoryEvent
from tests.api.test_pages_intake import Browser
from tests.helpers import ApiClient
from tests.service_items import deploy_item, guide

CODE, KEY = "window-acceptance", "window_acceptance"
NUMBER = "SX-2026-000960"
RECEIPT_CODE = re.compile(r'<strong class="mono" id="receipt-code">([A-Z2-9]{8})</strong>')


@pytest.fixture
def started(api: ApiClient) -> dict[str, object]:
    deploy_item(api, CODE)
    return dict(api.start(KEY, business_key=NUMBER, variables={"applicant_name": "张三"}))


def reissued(api: ApiClient, case_id: int) -> int:
    with api.runtime.uow() as uow:
        return sum(1 for e in uow.session.query(HistoryEvent).filter_by(instance_id=case_id)
                   if e.event == query_codes.REISSUED)


def test_the_case_page_asks_to_confirm_that_the_old_code_stops_working(api: ApiClient,
                                                                       started: dict[str, object]) -> None:
    case_id, first = int(started["id"]), str(started["query_code"])
    window = Browser(api, "window_clerk")
    page = window.get(f"/cases/{case_id}").text
    form = re.search(r'<form[^>]*class="inline new-query-code-form".*?</form>', page, re.DOTALL).group(0)
    assert 'type="checkbox" name="confirm" value="1" required' in form and "原查询码将失效" in form
    refused = window.post(f"/cases/{case_id}/query-code", {})  # the tick left out (the form edited by hand)
    assert refused.status_code == 303 and refused.headers["Location"].endswith(f"/cases/{case_id}")
    assert "请先勾选“原查询码将失效”，再生成新查询码。" in window.get(f"/cases/{case_id}").text
    assert window.post(f"/cases/{case_id}/query-code", {"confirm": "yes"}).status_code == 303
    assert reissued(api, case_id) == 0
    query_codes.verify(api.runtime.uow(), NUMBER, first)  # the applicant's code still works


def test_the_new_code_is_shown_once_on_a_printable_receipt(api: ApiClient, started: dict[str, object]) -> None:
    case_id, first = int(started["id"]), str(started["query_code"])
    window = Browser(api, "window_clerk")
    answer = window.post(f"/cases/{case_id}/query-code", {"confirm": "1"})
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    page = answer.text
    code = RECEIPT_CODE.search(page).group(1)
    assert code != first and code not in answer.request.url
    assert '<h1 id="receipt-title">收件回执</h1>' in page and "data-print" in page
    assert "已生成新查询码，原查询码已失效。" in page and f'id="receipt-number">{NUMBER}<' in page
    assert guide(CODE)["name"] in page and 'id="receipt-limit"' in page and 'id="receipt-list"' in page
    assert "new-query-code-form" not in page and f'href="/cases/{case_id}"' in page
    query_codes.verify(api.runtime.uow(), NUMBER, code)
    with pytest.raises(NotFound):
        query_codes.verify(api.runtime.uow(), NUMBER, first)
    assert reissued(api, case_id) == 1
    again = window.get(f"/cases/{case_id}").text
    assert code not in again and "receipt-code" not in again  # shown on that one answer only

