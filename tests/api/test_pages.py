"""The pages through Flask's test client: login and sessions, CSRF, queues, task, case and analyst
pages, error pages and the English catalogue. The browser tests (tests/e2e/test_pages_*) drive the
JavaScript; these pin down the server side fast."""
from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from api.pages.i18n import EN
from api.pages.work import RULE_TEXTS, RULE_VARIANTS, error_text
from engine import Runtime, definitions, instances, users
from engine.clock import utcnow
from engine.users import SYSTEM, Actor
from tests.helpers import FIXTURES

PASSWORD = "counter-2026"
ROOT = Path(__file__).resolve().parents[2]
PAGES = FIXTURES / "pages"
PORTAL = Actor("portal", roles=frozenset({"integrator"}))


class Browser:
    """A test client that logs in like a person: GET a form, take its CSRF token, POST."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def csrf(self, url: str = "/login") -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.client.get(url).text)
        assert found, f"no CSRF token on {url}"
        return found.group(1)

    def log_in(self, name: str, secret: str = PASSWORD, **extra: str) -> Any:
        return self.client.post("/login", data={"name": name, "secret": secret, "csrf_token": self.csrf(), **extra})

    def post(self, url: str, data: dict[str, Any] | None = None, *, token_from: str = "/queue", **kwargs: Any) -> Any:
        return self.client.post(url, data={"csrf_token": self.csrf(token_from), **(data or {})}, **kwargs)

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **kwargs)


def person(runtime: Runtime, name: str, *, roles: list[str], groups: list[str] | None = None) -> str:
    _, token = users.add_user(runtime.uow(), name, groups=groups or [], roles=roles, actor=users.SYSTEM)
    users.set_password(runtime.uow(), name, PASSWORD, actor=users.SYSTEM)
    return token


@pytest.fixture
def browser(app: Any) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def clerk(runtime: Runtime, browser: Browser) -> Browser:
    person(runtime, "wang", roles=["clerk"], groups=["window"])
    assert browser.log_in("wang").status_code == 302
    return browser


@pytest.fixture
def routed(runtime: Runtime) -> None:
    definitions.deploy(runtime.uow(), [("routed_task.bpmn", (FIXTURES / "routed_task.bpmn").read_bytes())], actor=SYSTEM)


def start_routed(runtime: Runtime, number: str, *, due: str | None, group: str = "window") -> Any:
    view, _ = instances.start(runtime.uow(), "routed_task", actor=PORTAL, business_key=number, variables={
        "group": group, "users": None, "assignee": None, "due": due, "priority": 50})
    return view


# ---- login, sessions, CSRF ------------------------------------------------------------------------

def test_pages_need_a_login_and_come_back_after_it(runtime: Runtime, browser: Browser) -> None:
    person(runtime, "wang", roles=["clerk"], groups=["window"])
    response = browser.get("/queue?queue=mine")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/queue?queue%3Dmine"
    response = browser.log_in("wang", next="/queue?queue=mine")
    assert response.status_code == 302 and response.headers["Location"] == "/queue?queue=mine"
    assert "我的待办" in browser.get("/queue").text


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(runtime: Runtime, browser: Browser) -> None:
    person(runtime, "wang", roles=["clerk"])
    wrong, unknown = browser.log_in("wang", "not-the-password"), browser.log_in("nobody", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码错误。" in wrong.text and "用户名或密码错误。" in unknown.text
    assert browser.get("/queue").status_code == 302
    assert browser.log_in("ｗａｎｇ ").status_code == 302  # typed full width by an input method: the same name


def test_an_api_token_also_logs_in_and_revoking_it_ends_the_session(runtime: Runtime, browser: Browser) -> None:
    token = person(runtime, "wang", roles=["clerk"])
    assert browser.log_in("wang", token).status_code == 302
    assert browser.get("/queue").status_code == 200
    users.revoke_tokens(runtime.uow(), "wang", actor=users.SYSTEM)
    assert browser.get("/queue").headers["Location"].startswith("/login")


def test_changing_the_password_ends_sessions_opened_with_the_old_one(runtime: Runtime, clerk: Browser) -> None:
    assert clerk.get("/queue").status_code == 200
    users.set_password(runtime.uow(), "wang", "a-new-password", actor=users.SYSTEM)
    assert clerk.get("/queue").status_code == 302


def test_a_post_without_the_csrf_token_is_refused(clerk: Browser, runtime: Runtime, routed: None) -> None:
    task_id = start_routed(runtime, "CSRF-1", due=None).tasks[0].id
    response = clerk.client.post(f"/tasks/{task_id}/claim", data={})
    assert response.status_code == 400 and "表单已过期" in response.text
    response = clerk.client.post(f"/tasks/{task_id}/claim", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert clerk.post(f"/tasks/{task_id}/claim").status_code == 302


def test_login_itself_needs_the_csrf_token(runtime: Runtime, browser: Browser) -> None:
    person(runtime, "wang", roles=["clerk"])
    response = browser.client.post("/login", data={"name": "wang", "secret": PASSWORD})
    assert response.status_code == 400


def test_pages_allow_scripts_only_from_this_server(clerk: Browser) -> None:
    headers = clerk.get("/queue").headers
    assert "script-src 'self';" in headers["Content-Security-Policy"] and headers["Cache-Control"] == "no-store"
    assert "<script>" not in clerk.get("/queue").text  # no inline script for the policy to refuse


def test_logout_ends_the_session(clerk: Browser) -> None:
    response = clerk.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert clerk.get("/queue").status_code == 302


def test_next_never_leads_off_the_site(runtime: Runtime, browser: Browser) -> None:
    person(runtime, "wang", roles=["clerk"])
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "/\r\nSet-Cookie: x=1", "/\tx"):
        response = browser.log_in("wang", next=target)
        assert response.status_code == 302 and response.headers["Location"] == "/", target
    assert browser.get("/lang/en?next=/%0d%0aX").status_code == 302


def test_the_session_cookie_is_the_product_s_own_lax_and_lasts_a_working_day(runtime: Runtime, browser: Browser
                                                                             ) -> None:
    person(runtime, "wang", roles=["clerk"])
    cookie = browser.log_in("wang").headers["Set-Cookie"]
    assert cookie.startswith("govflow_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http unless GOVFLOW_SECURE_COOKIES=1 says TLS is in front
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))  # type: ignore[union-attr]
    assert timedelta(hours=11) < expires - datetime.now(UTC) <= timedelta(hours=12)


def test_the_session_key_is_generated_once_and_kept_in_the_data_dir(runtime: Runtime, monkeypatch: Any) -> None:
    from api import create_app

    monkeypatch.delenv("GOVFLOW_SECRET_KEY", raising=False)
    first = create_app({"TESTING": True}, runtime=runtime).config["SECRET_KEY"]
    again = create_app({"TESTING": True}, runtime=runtime).config["SECRET_KEY"]
    key_file = runtime.settings.data_dir / "secret_key"
    assert first == again == key_file.read_text().strip() and len(first) == 64
    assert key_file.stat().st_mode & 0o077 == 0  # readable by the owner only
    monkeypatch.setenv("GOVFLOW_SECRET_KEY", "from-the-environment")
    assert create_app({"TESTING": True}, runtime=runtime).config["SECRET_KEY"] == "from-the-environment"
    # An emptied key file is refused, not used: an empty key signs nothing.
    monkeypatch.delenv("GOVFLOW_SECRET_KEY")
    key_file.write_text("\n")
    try:
        with pytest.raises(RuntimeError, match="secret_key is empty"):
            create_app({"TESTING": True}, runtime=runtime)
    finally:
        key_file.unlink()  # the data directory is shared: the next app makes a key again


# ---- queues ---------------------------------------------------------------------------------------

def test_queues_count_and_mark_overdue_and_due_soon_tasks(runtime: Runtime, clerk: Browser, routed: None) -> None:
    now = utcnow()
    start_routed(runtime, "LATE-1", due=(now - timedelta(hours=2)).isoformat())
    start_routed(runtime, "SOON-1", due=(now + timedelta(hours=3)).isoformat())
    start_routed(runtime, "LATER-1", due=(now + timedelta(days=30)).isoformat())
    start_routed(runtime, "OFFICE-1", due=None, group="office")  # not for a window clerk
    page = clerk.get("/queue?queue=group:window").text
    assert re.search(r'data-queue="group:window">[^<]*<span class="count">3</span>', page)
    assert re.search(r'data-queue="mine">[^<]*<span class="count">0</span>', page)
    rows = re.findall(r'<tr class="task-row([^"]*)"[^>]*>\s*<td[^>]*>[^<]*</td>\s*<td class="mono"[^>]*><a [^>]*>([^<]+)</a>',
                      page)
    assert rows == [(" row-overdue", "LATE-1"), (" row-due_soon", "SOON-1"), ("", "LATER-1")]  # by due date
    assert "OFFICE-1" not in page


@pytest.mark.parametrize(("query", "expected"), [
    ("urgency=overdue", ["LATE-1"]),
    ("urgency=due_soon", ["SOON-1"]),
    ("case=ATE", ["LATE-1", "LATER-1"]),
    ("sort=-due", ["LATER-1", "SOON-1", "LATE-1"]),
    ("item=routed_task&case=SOON", ["SOON-1"]),
    ("case=%EF%BC%B3%EF%BC%AF%EF%BC%AF%EF%BC%AE%EF%BC%8D%EF%BC%91", ["SOON-1"]),  # ＳＯＯＮ－１, full width
    ("item=other", []),
])
def test_the_queue_filters_by_due_date_case_number_and_item(runtime: Runtime, clerk: Browser, routed: None,
                                                          query: str, expected: list[str]) -> None:
    now = utcnow()
    start_routed(runtime, "LATE-1", due=(now - timedelta(hours=2)).isoformat())
    start_routed(runtime, "SOON-1", due=(now + timedelta(hours=3)).isoformat())
    start_routed(runtime, "LATER-1", due=(now + timedelta(days=30)).isoformat())
    page = clerk.get(f"/queue?{query}").text
    assert re.findall(r'<td class="mono"[^>]*><a [^>]*>([^<]+)</a>', page) == expected


def test_claim_and_unclaim_move_a_task_between_the_queues(runtime: Runtime, clerk: Browser, routed: None) -> None:
    task_id = start_routed(runtime, "CLAIM-1", due=None).tasks[0].id
    response = clerk.post(f"/tasks/{task_id}/claim", {"next": "/queue?queue=mine"})
    assert response.headers["Location"] == "/queue?queue=mine"
    page = clerk.get("/queue?queue=mine").text
    assert "已认领：办理" in page and "CLAIM-1" in page and 'class="button primary small work"' in page
    clerk.post(f"/tasks/{task_id}/unclaim")
    assert "CLAIM-1" not in clerk.get("/queue?queue=mine").text
    assert "CLAIM-1" in clerk.get("/queue?queue=group:window").text


def test_claiming_a_task_someone_else_took_says_who_has_it(runtime: Runtime, clerk: Browser, routed: None) -> None:
    from engine import tasks

    task_id = start_routed(runtime, "TAKEN-1", due=None).tasks[0].id
    tasks.claim(runtime.uow(), task_id, actor=Actor("li", frozenset({"window"}), frozenset({"clerk"})))
    response = clerk.post(f"/tasks/{task_id}/claim", {"next": "/queue"})
    assert response.status_code == 302 and response.headers["Location"] == "/queue"
    assert "该任务已由 li 认领。" in clerk.get("/queue").text


def test_an_address_naming_a_queue_or_order_the_page_does_not_offer_shows_all_the_work(
        runtime: Runtime, clerk: Browser, routed: None) -> None:
    """A bookmark outlives a clerk's move to another group, and an address may be typed: the page reads
    what it knows and says why it shows all the clerk's work instead of a 400."""
    start_routed(runtime, "KEPT-1", due=None)
    response = clerk.get("/queue?queue=group:someone-elses&page=3")
    assert response.status_code == 200 and "KEPT-1" in response.text
    assert "该队列不存在或已不属于您（例如已调离该组），下面是您的全部待办。" in response.text
    for address in ("/queue?sort=foo", "/queue?urgency=whenever", "/queue?queue=group:window&sort=&urgency=1"):
        shown = clerk.get(address)
        assert shown.status_code == 200 and "KEPT-1" in shown.text, address
        assert "操作未完成" not in shown.text and "unknown" not in shown.text, address
    # An item filtered on with no task left in the queue is offered, chosen: the filter says what is shown.
    definitions.deploy(runtime.uow(), [("simple_approval.bpmn", (FIXTURES / "simple_approval.bpmn").read_bytes())],
                       actor=SYSTEM)
    bookmarked = clerk.get("/queue?queue=group:window&item=simple_approval").text
    assert re.search(r'<option value="simple_approval" selected>', bookmarked) and "KEPT-1" not in bookmarked
    assert 'value="no_such_item"' not in clerk.get("/queue?item=no_such_item").text  # not an item: not offered


def test_a_case_list_or_board_address_with_a_filter_the_page_does_not_offer_shows_its_default(
        runtime: Runtime, browser: Browser, routed: None) -> None:
    person(runtime, "zhou", roles=["clerk", "supervisor"], groups=["window"])
    assert browser.log_in("zhou").status_code == 302
    start_routed(runtime, "KEPT-2", due=None)
    listed = browser.get("/cases?state=bogus")
    assert listed.status_code == 200 and "KEPT-2" in listed.text and "unknown state" not in listed.text
    board = browser.get("/supervision?level=bogus")
    assert board.status_code == 200 and "unknown level" not in board.text


def test_a_page_number_past_the_end_goes_to_the_last_page_with_its_filters(runtime: Runtime, clerk: Browser,
                                                                          routed: None) -> None:
    """A page left behind (its last task claimed since, a bookmark) shows the last page, not "2 / 1"."""
    for i in range(26):
        start_routed(runtime, f"P-{i:02d}", due=None)
    for url in ("/queue?queue=group:window&page=2", "/cases?page=2"):  # 26 a page of 25: two pages
        assert "<span>2 / 2</span>" in clerk.get(url).text, url
    for url, last in (("/queue?queue=group:window&page=7", "/queue?queue=group:window&page=2"),
                      ("/cases?page=9", "/cases?page=2"), ("/queue?page=99999999999999999999", "/queue?page=2"),
                      ("/cases?page=9223372036854775807", "/cases?page=2")):
        moved = clerk.get(url)
        assert moved.status_code == 302 and moved.headers["Location"] == last, (url, moved.headers.get("Location"))
        assert "<span>2 / 2</span>" in clerk.get(last).text
    assert clerk.get("/cases?number=NONE-SUCH&page=3").headers["Location"] == "/cases?number=NONE-SUCH&page=1"
    # The address is kept as typed, whatever it names: no parameter steers the redirect (scheme, method).
    odd = clerk.get("/cases?_method=POST&_scheme=http&page=9")
    assert odd.status_code == 302 and odd.headers["Location"] == "/cases?_method=POST&_scheme=http&page=2"
    assert clerk.get("/cases?number=NONE-SUCH&page=1").status_code == 200


def test_a_nul_in_a_task_form_is_refused_as_input_not_a_server_error(runtime: Runtime, routed: None) -> None:
    """The input check runs before the page reads its login: the refusal is an error page, not a form
    redrawn without a user (which failed, a 500 outside testing)."""
    from api import create_app

    task_id = start_routed(runtime, "NUL-1", due=None).tasks[0].id
    person(runtime, "wang", roles=["clerk"], groups=["window"])
    browser = Browser(create_app({"TESTING": False}, runtime=runtime).test_client())
    assert browser.log_in("wang").status_code == 302
    for response in (browser.post(f"/tasks/{task_id}?note=%00", {"data": "{}"}),
                     browser.post(f"/tasks/{task_id}", {"data": '{"x": "a\x00b"}'})):
        assert response.status_code == 422 and "<html" in response.text


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_an_address_that_matches_nothing_is_an_error_page_for_browsers_and_json_for_programs(
        app: Any, clerk: Browser) -> None:
    browser = Browser(app.test_client())  # no one signed in
    page = browser.get("/public/", headers={"Accept": BROWSER_ACCEPT})
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "页面不存在或无权查看。" in page.text
    assert 'href="/public/catalogue"' in page.text and 'href="/login"' in page.text
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    signed_in = clerk.get("/no-such-page", headers={"Accept": BROWSER_ACCEPT})
    assert signed_in.status_code == 404 and ">wang<" in signed_in.text  # the layout knows who is signed in
    for url, accept in [("/no-such-page", "application/json"), ("/no-such-page", "*/*"),
                        ("/api/no-such-thing", BROWSER_ACCEPT)]:
        response = browser.get(url, headers={"Accept": accept})
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found", (url, accept)


# ---- task page ------------------------------------------------------------------------------------

@pytest.fixture
def accept_task(runtime: Runtime) -> str:
    sample = ROOT / "bpmn" / "window-acceptance" / "window_acceptance.bpmn"
    form = PAGES / "window-accept.form"
    definitions.deploy(runtime.uow(), [(sample.name, sample.read_bytes()), (form.name, form.read_bytes())],
                       actor=SYSTEM)
    view, _ = instances.start(runtime.uow(), "window_acceptance", actor=PORTAL, business_key="TASK-1",
                              variables={"applicantName": "张三"})
    return str(view.tasks[0].id)


def test_the_task_page_embeds_the_form_prefilled_and_the_case_summary(clerk: Browser, accept_task: str) -> None:
    clerk.post(f"/tasks/{accept_task}/claim")
    page = clerk.get(f"/tasks/{accept_task}").text
    assert '<script type="application/json" id="form-schema">' in page and '"key": "decision"' in page
    assert re.search(r'id="form-data">\{"applicantName": "\\u5f20\\u4e09"\}', page)  # JSON-escaped, prefilled
    assert "TASK-1" in page and "张三" in page and 'id="complete-button"' in page
    assert "<dt>收件时间</dt>" in page  # received: the case may not be accepted (受理) yet


def test_the_case_materials_are_listed_beside_the_task_and_download(runtime: Runtime, clerk: Browser,
                                                                   accept_task: str) -> None:
    from engine import materials, tasks

    case_id = tasks.get_task(runtime.uow(), accept_task, actor=SYSTEM).instance_id
    pdf = b"%PDF-1.4 licence scan"
    item = materials.upload(runtime.uow(), case_id, actor=PORTAL, name="营业执照", filename="licence.pdf",
                            stream=io.BytesIO(pdf))
    page = clerk.get(f"/tasks/{accept_task}").text
    assert f'href="/cases/{case_id}/materials/{item.id}">营业执照</a>' in page and "licence.pdf" in page
    download = clerk.get(f"/cases/{case_id}/materials/{item.id}")
    assert download.status_code == 200 and download.data == pdf
    assert f"/cases/{case_id}/materials/{item.id}" in clerk.get(f"/cases/{case_id}").text


def test_a_task_not_claimed_by_me_shows_the_claim_button_and_no_submit(clerk: Browser, accept_task: str) -> None:
    page = clerk.get(f"/tasks/{accept_task}").text
    assert 'data-readonly="true"' in page and 'id="complete-button"' not in page and "认领后办理" in page


def test_a_refused_completion_comes_back_with_field_errors_and_what_was_typed(clerk: Browser,
                                                                             accept_task: str) -> None:
    clerk.post(f"/tasks/{accept_task}/claim")
    response = clerk.post(f"/tasks/{accept_task}", {"data": '{"applicantName": "李四"}'},
                          token_from=f"/tasks/{accept_task}")
    assert response.status_code == 422
    assert "<strong>受理决定</strong>：必填项" in summary(response)  # the summary names the field by its label
    assert [(e["field"], e["message"]) for e in form_errors(response)] == [("decision", "必填项")]  # for form.js
    assert "required" not in summary(response)  # neither the engine's English sentence nor its rule name
    assert re.search(r'id="form-data">\{"applicantName": "\\u674e\\u56db"\}', response.text)


def summary(response: Any) -> str:
    return re.search(r'id="form-errors-summary">(.*?)</div>', response.text, re.DOTALL).group(1)


def form_errors(response: Any) -> list[dict[str, Any]]:
    """The errors the page hands form.js to show next to their fields."""
    return json.loads(re.search(r'id="form-errors">(.*?)</script>', response.text).group(1))


# A missing required field, an option outside the list and a wrong type, as the clerk sees them.
WRONG = '{"decision": "maybe", "materialsComplete": "yes"}'
SAID = {"zh": [("申请人", "必填项"), ("受理决定", "须为以下之一：受理、不予受理"), ("材料齐全", "须为是或否")],
        "en": [("申请人", "Required"), ("受理决定", "Must be one of: 受理, 不予受理"), ("材料齐全", "Must be yes or no")]}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_field_errors_are_said_in_the_page_language_from_their_rule(clerk: Browser, accept_task: str,
                                                                    language: str) -> None:
    clerk.get(f"/lang/{language}?next=/queue")
    clerk.post(f"/tasks/{accept_task}/claim")
    response = clerk.post(f"/tasks/{accept_task}", {"data": WRONG}, token_from=f"/tasks/{accept_task}")
    assert response.status_code == 422
    errors = form_errors(response)
    assert [e["message"] for e in errors] == [message for _, message in SAID[language]]
    assert [e["rule"] for e in errors] == ["required", "options", "type"]
    colon = "：" if language == "zh" else ": "
    for label, message in SAID[language]:  # options are named by their labels, as the form shows them
        assert f"<strong>{label}</strong>{colon}{message}</li>" in summary(response)
    assert not re.search(r"required|options|type|expects|accept", summary(response))


def test_a_field_error_the_page_cannot_say_shows_the_engine_sentence_without_its_rule_name(app: Any) -> None:
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert error_text({"field": "a", "rule": "newRule", "params": {}, "message": "newRule: is broken"},
                          {}) == "is broken"
        assert error_text({"field": "a", "rule": None, "message": "Field may not be null."}, {}) == \
            "Field may not be null."
        assert error_text({"field": "n", "rule": "max", "params": {"max": 10}, "message": "max: ..."}, {}) == \
            "不能大于 10"
        assert error_text({"field": "n", "rule": "decimalDigits", "params": {"digits": 0}, "message": "..."},
                          {}) == "须为整数"
        assert error_text({"field": "d", "rule": "options", "params": {"options_key": "list"}, "message": "..."},
                          {}) == "须为可选项之一"


def test_every_field_error_text_has_its_english() -> None:
    texts = [*RULE_TEXTS.values(), *(text for _, variants in RULE_VARIANTS.values() for text in variants.values())]
    assert [text for text in texts if text not in EN] == []


def test_the_api_keeps_answering_in_english_with_the_rule_code(runtime: Runtime, clerk: Browser,
                                                               accept_task: str) -> None:
    clerk.post(f"/tasks/{accept_task}/claim")
    token = users.issue_token(runtime.uow(), "wang", actor=users.SYSTEM).token
    response = clerk.client.post(f"/api/tasks/{accept_task}/complete", json={"variables": json.loads(WRONG)},
                                 headers={"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN"})
    assert response.status_code == 422
    assert [(d["field"], d["rule"], d["params"], d["message"]) for d in response.get_json()["error"]["details"]] == [
        ("variables.applicantName", "required", {}, "required: a value is required"),
        ("variables.decision", "options", {"options": ["accept", "reject"]},
         "options: must be one of 'accept', 'reject'"),
        ("variables.materialsComplete", "type", {"expected": "boolean"}, "type: expects true or false")]


def test_a_valid_completion_goes_back_to_the_queue(runtime: Runtime, clerk: Browser, accept_task: str) -> None:
    clerk.post(f"/tasks/{accept_task}/claim")
    response = clerk.post(f"/tasks/{accept_task}", {"data": '{"applicantName": "张三", "decision": "accept"}'},
                          token_from=f"/tasks/{accept_task}")
    assert response.status_code == 302 and response.headers["Location"] == "/queue"
    assert "任务已完成（办件 TASK-1）" in clerk.get("/queue").text


def test_form_data_that_is_not_a_json_object_is_refused(clerk: Browser, accept_task: str) -> None:
    clerk.post(f"/tasks/{accept_task}/claim")
    response = clerk.post(f"/tasks/{accept_task}", {"data": "[1, 2]"}, token_from=f"/tasks/{accept_task}")
    assert response.status_code == 302  # back where the clerk was, with the message
    assert "the form data must be a JSON object" in clerk.get(f"/tasks/{accept_task}").text
    twice = clerk.post(f"/tasks/{accept_task}", {"data": '{"decision": "accept", "decision": "reject"}'},
                       token_from=f"/tasks/{accept_task}")
    assert twice.status_code == 302 and "names &#39;decision&#39; twice" in clerk.get(f"/tasks/{accept_task}").text


def test_a_task_of_another_group_is_not_found(runtime: Runtime, clerk: Browser, routed: None) -> None:
    task_id = start_routed(runtime, "OFFICE-2", due=None, group="office").tasks[0].id
    response = clerk.get(f"/tasks/{task_id}")
    assert response.status_code == 404 and "页面不存在或无权查看。" in response.text


# ---- case page ------------------------------------------------------------------------------------

def test_the_case_page_has_the_diagram_the_active_step_and_the_timeline(clerk: Browser, accept_task: str) -> None:
    page = clerk.get("/cases?number=TASK-1")
    case_id = re.search(r'href="/cases/(\d+)"', page.text).group(1)
    assert f'href="/cases/{case_id}"' in clerk.get("/cases?number= ＴＡＳＫ－１ ").text  # typed full width
    assert f'href="/cases/{case_id}"' in clerk.get("/cases?number=ASK-").text  # part of it, as the queue finds
    assert f'href="/cases/{case_id}"' not in clerk.get("/cases?number=TASK-2").text
    page = clerk.get(f"/cases/{case_id}").text
    # The step, and the timer waiting on it (视为受理 after 5 working days); start is done.
    assert 'data-active="[&#34;accept&#34;, &#34;notice_deadline&#34;]"' in page and "&#34;start&#34;" in page
    assert '<script type="application/json" id="diagram-xml">"\\u003c?xml' in page  # the XML, escaped
    assert "收件登记" in page and "已接件" in page and "受理审查（综合窗口）" in page


def test_a_window_clerk_hands_the_applicant_a_new_query_code_from_the_case_page(runtime: Runtime, clerk: Browser,
                                                                                accept_task: str) -> None:
    users.change_user(runtime.uow(), "wang", display_name="王芳", actor=users.SYSTEM)
    case_id = re.search(r'href="/cases/(\d+)"', clerk.get("/cases?number=TASK-1").text).group(1)
    assert "生成查询码" in clerk.get(f"/cases/{case_id}").text
    unconfirmed = clerk.post(f"/cases/{case_id}/query-code", token_from=f"/cases/{case_id}")
    assert unconfirmed.status_code == 303 and "receipt-code" not in unconfirmed.text
    page = clerk.post(f"/cases/{case_id}/query-code", {"confirm": "1"}, token_from=f"/cases/{case_id}")
    assert page.status_code == 200
    # The receipt to print, for a case no guide names: the process's name stands for the item.
    code = re.search(r'<strong class="mono" id="receipt-code">([A-Z2-9]{8})</strong>', page.text).group(1)
    assert "TASK-1" in page.text and "原查询码已失效" in page.text and "data-print" in page.text
    # 经办人: the clerk handing it over, by the name people read, not whoever started the case online
    assert 'id="receipt-clerk">王芳<' in page.text and "portal" not in page.text
    assert 'id="receipt-limit"' not in page.text and re.search(r"<dt>事项</dt><dd>[^<\s][^<]*</dd>", page.text)
    progress = clerk.client.get("/api/public/progress/TASK-1", query_string={"code": code})
    assert progress.status_code == 200
    assert code not in clerk.get(f"/cases/{case_id}").text  # shown on that one answer only



# Every history event name the engine writes as a literal (element.<state> is built from STATE_NAMES).
HISTORY_NAME = re.compile(r'"((?:instance|task|element|message|clock|supervision|document|material|timer|event|'
                          r'incident|query_code)\.[a-z_]+)"')
CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
# Data with every key an event carries, in ASCII so the English line shows any text left untranslated.
SAMPLE = {"kind": "testing", "reason": "lab late", "days": 3, "deadline_at": "2026-03-24T15:59:59+00:00",
          "deadline_date": "2026-03-24", "promised_days": 10, "paused_working_days": 2, "used_working_days": 12,
          "on_time": False, "remaining_working_days": 1, "due_at": "2026-03-20T02:00:00+00:00",
          "task_name": "Review", "category": "coordination", "title": "Notice", "name": "notice",
          "template": "documents/notice.html", "filename": "id.pdf", "message": "paid", "error": "boom",
          "note": "fixed", "expires_at": "2026-03-20T02:00:00+00:00", "type": "signal", "assignee": "li",
          "candidate_groups": ["window"]}


def history_event_names() -> set[str]:
    from engine import execution

    names = {n for p in (ROOT / "engine").glob("*.py") for n in HISTORY_NAME.findall(p.read_text())}
    return names | {f"element.{state}" for state in execution.STATE_NAMES.values()}


def timeline_line(app: Any, event: str, language: str, data: dict[str, Any] | None = None, *,
                  element: str | None = "Review") -> str:
    from flask import render_template_string

    from engine.timeline import TimelineEntry

    entry = TimelineEntry(at=utcnow(), event=event, actor=None, element_id=element and element.lower(),
                          element_name=element, element_type="UserTask", data=SAMPLE if data is None else data)
    with app.test_request_context("/cases/1", headers={"Accept-Language": language}):
        html = render_template_string('{% import "pages/_macros.html" as m with context %}{{ m.timeline_text(e) }}',
                                      e=entry)
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def test_every_history_event_reads_in_words_in_both_languages(app: Any) -> None:
    names = history_event_names()
    assert {"clock.extended", "supervision.overdue_reason", "element.cancelled", "query_code.issued"} <= names
    for name in sorted(names):
        zh, en = timeline_line(app, name, "zh-CN"), timeline_line(app, name, "en")
        assert not zh.startswith(f"事件 {name}") and not en.startswith(f"Event {name}"), f"{name} has no words"
        assert not CJK_CHAR.search(en), f"{name} reads {en!r} in English"
        assert CJK_CHAR.search(zh), f"{name} reads {zh!r} in Chinese"
    assert timeline_line(app, "clock.extended", "en") == "Extended 3 working days, deadline 2026-03-24 (lab late)"
    assert timeline_line(app, "supervision.step_overrun", "zh-CN") == "环节超时：Review，期限 2026-03-20 10:00"
    # Without the data it usually carries, or a step, an event still reads as a whole sentence.
    for name in sorted(names):
        for element in ("Review", None):
            zh, en = timeline_line(app, name, "zh-CN", {}, element=element), \
                timeline_line(app, name, "en", {}, element=element)
            assert zh and en and not zh.endswith("：") and not en.endswith(":"), (name, element, zh, en)
            assert "None" not in zh + en and "个工作日" not in zh, (name, element, zh)
    assert timeline_line(app, "clock.stopped", "en", {}) == "Clock stopped"


def test_an_event_the_timeline_does_not_know_names_itself(app: Any) -> None:
    assert timeline_line(app, "rating.received", "zh-CN") == "事件 rating.received：Review"
    assert timeline_line(app, "rating.received", "en") == "Event rating.received: Review"
    entry_without_step = timeline_line(app, "element.completed", "zh-CN", {})
    assert entry_without_step == "到达：Review"


# ---- analyst pages --------------------------------------------------------------------------------

@pytest.fixture
def analyst(runtime: Runtime, browser: Browser) -> Browser:
    person(runtime, "zhao", roles=["analyst"])
    assert browser.log_in("zhao").headers["Location"] == "/"
    return browser


def deploy_page(analyst: Browser, *names: str) -> Any:
    files = [(io.BytesIO((PAGES / name).read_bytes()), name) for name in names]
    return analyst.post("/analyst/deploy", {"files": files, "name": "release"}, token_from="/analyst/deploy",
                        content_type="multipart/form-data")


def test_an_upload_refused_lists_file_line_and_element(analyst: Browser) -> None:
    response = deploy_page(analyst, "permit_v2_broken.bpmn")
    assert response.status_code == 422
    assert re.search(r'<td class="mono">permit_v2_broken.bpmn</td><td class="mono line">9</td>\s*'
                     r'<td class="mono">f2</td>', response.text)


def test_an_upload_deployed_shows_its_version_and_the_list_has_every_version(analyst: Browser) -> None:
    assert deploy_page(analyst, "permit_v1.bpmn").headers["Location"] == "/analyst/definitions/pages_permit/1"
    response = deploy_page(analyst, "permit_v2.bpmn")
    assert response.headers["Location"] == "/analyst/definitions/pages_permit/2"
    page = analyst.get("/analyst/definitions/pages_permit/2").text
    assert "已部署 pages_permit 版本 2" in page and "permit_v2.bpmn" in page and 'id="diagram-xml"' in page
    listing = analyst.get("/analyst/definitions").text
    assert 'href="/analyst/definitions/pages_permit/2"' in listing and 'href="/analyst/definitions/pages_permit/1"' in listing
    download = analyst.get("/analyst/definitions/pages_permit/1/diagram.bpmn")
    assert download.data == (PAGES / "permit_v1.bpmn").read_bytes()
    assert download.headers["Content-Disposition"] == 'attachment; filename=pages_permit-v1.bpmn'


def test_an_upload_taking_over_another_item_s_process_is_deployed_only_once_confirmed(analyst: Browser) -> None:
    """A third-party file that kept an item's process id would quietly become that item's next version: the page
    names it, stores nothing, and deploys it only when the analyst ticks the confirmation."""
    deploy_page(analyst, "permit_v1.bpmn")
    stub = (PAGES / "permit_v1.bpmn").read_bytes().replace("临时占道许可".encode(), "第三方示例".encode())

    def upload(**fields: str) -> Any:
        return analyst.post("/analyst/deploy", {"files": [(io.BytesIO(stub), "vendor_example.bpmn")], **fields},
                            token_from="/analyst/deploy", content_type="multipart/form-data")

    refused = upload()
    assert refused.status_code == 422 and 'id="deploy-takeover" role="alert"' in refused.text
    assert re.search(r'<li><span class="mono">pages_permit</span>（vendor_example.bpmn）</li>', refused.text)
    assert 'name="take_over" value="true"' in refused.text
    assert "would take it over" not in refused.text  # said in the page's words, not the engine's
    assert 'href="/analyst/definitions/pages_permit/2"' not in analyst.get("/analyst/definitions").text
    confirmed = upload(take_over="true")
    assert confirmed.headers["Location"] == "/analyst/definitions/pages_permit/2"
    shown = analyst.get(confirmed.headers["Location"]).text
    assert "已部署 pages_permit 版本 2" in shown and "was deployed from" not in shown  # confirmed: no warning
    again = deploy_page(analyst, "permit_v1.bpmn")  # the item's own file: its name was deployed before
    assert again.headers["Location"] == "/analyst/definitions/pages_permit/3"


def test_a_deployment_over_the_size_limit_says_the_limit_on_the_staff_page_with_a_way_back(
        analyst: Browser, monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused before the session is read (api/limits.py): still the analyst's page, with the limit."""
    monkeypatch.setitem(analyst.client.application.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    big = b"<?xml version='1.0'?>" + b" " * (128 * 1024)
    refused = analyst.post("/analyst/deploy", {"files": [(io.BytesIO(big), "big.bpmn")]}, token_from="/analyst/deploy",
                           content_type="multipart/form-data", headers={"Referer": "http://localhost/analyst/deploy"})
    assert refused.status_code == 413
    assert "上传的文件过大：每次提交至多 64 KB。" in refused.text
    assert 'href="/analyst/deploy">返回上一页</a>' in refused.text
    assert "工作人员登录" not in refused.text and 'href="/analyst/definitions"' in refused.text  # staff navigation
    elsewhere = analyst.post("/analyst/deploy", {"files": [(io.BytesIO(big), "big.bpmn")]},
                             token_from="/analyst/deploy", content_type="multipart/form-data",
                             headers={"Referer": "http://localhost//evil.example/x"})
    assert elsewhere.status_code == 413 and "返回上一页" not in elsewhere.text  # only this site's pages


def test_a_refused_upload_whose_session_cannot_be_read_still_gets_the_error_page(
        analyst: Browser, monkeypatch: pytest.MonkeyPatch) -> None:
    """The session read fails (the database gone): the plain error page, not a second error."""
    from api.pages import errors

    def broken() -> None:
        raise RuntimeError("database unreachable")

    monkeypatch.setitem(analyst.client.application.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    monkeypatch.setattr(errors, "load_actor", broken)
    refused = analyst.post("/analyst/deploy", {"files": [(io.BytesIO(b" " * (128 * 1024)), "big.bpmn")]},
                           token_from="/analyst/deploy", content_type="multipart/form-data")
    assert refused.status_code == 413 and "上传的文件过大：每次提交至多 64 KB。" in refused.text


def test_a_diagram_whose_process_id_is_chinese_downloads_under_its_name(analyst: Browser) -> None:
    """A header is Latin-1: the name goes as RFC 6266's UTF-8 ``filename*``, an ASCII one beside it."""
    chinese = (PAGES / "permit_v1.bpmn").read_bytes().replace(b'"pages_permit"', '"食品许可"'.encode())
    deployed = analyst.post("/analyst/deploy", {"files": [(io.BytesIO(chinese), "food.bpmn")], "name": "release"},
                            token_from="/analyst/deploy", content_type="multipart/form-data")
    assert deployed.status_code == 302, deployed.text
    download = analyst.get("/analyst/definitions/食品许可/1/diagram.bpmn")
    assert download.status_code == 200 and download.data == chinese
    disposition = download.headers["Content-Disposition"]
    assert disposition.isascii() and 'filename="process-v1.bpmn"' in disposition
    assert "filename*=UTF-8''%E9%A3%9F%E5%93%81%E8%AE%B8%E5%8F%AF-v1.bpmn" in disposition


def test_an_upload_whose_file_name_is_not_utf_8_says_so(analyst: Browser) -> None:
    token = analyst.csrf("/analyst/deploy")
    body = (b'--XYZ\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + token.encode() + b"\r\n"
            b'--XYZ\r\nContent-Disposition: form-data; name="files"; filename="' + "许可.bpmn".encode("gbk")
            + b'"\r\n\r\n' + (PAGES / "permit_v1.bpmn").read_bytes() + b"\r\n--XYZ--\r\n")
    page = analyst.client.post("/analyst/deploy", data=body, content_type="multipart/form-data; boundary=XYZ")
    assert page.status_code == 400 and "<html" in page.text and "文件名不是 UTF-8 编码" in page.text
    assert "pages_permit" not in analyst.get("/analyst/definitions").text


def test_an_upload_with_camunda_form_data_names_the_forms_generated(analyst: Browser) -> None:
    files = [(io.BytesIO((FIXTURES / "camunda_form_data.bpmn").read_bytes()), "camunda_form_data.bpmn")]
    deployed = analyst.post("/analyst/deploy", {"files": files}, token_from="/analyst/deploy",
                            content_type="multipart/form-data")
    page = analyst.get(deployed.headers["Location"]).text
    assert "已由 camunda:formData 生成表单 form_data.review.generated.form" in page
    assert "已由 camunda:formData 生成表单 form_data.apply.generated.form" in page


def test_the_modeler_saves_through_the_deploy_path(analyst: Browser) -> None:
    deploy_page(analyst, "permit_v1.bpmn")
    assert "permit_v1.bpmn" in analyst.get("/analyst/modeler/pages_permit/1").text
    xml = (PAGES / "permit_v2.bpmn").read_text()
    response = analyst.post("/analyst/modeler/pages_permit/1", {"xml": xml, "file_name": "permit_v1.bpmn",
                                                                "latest.pages_permit": "1"},
                            token_from="/analyst/modeler")
    assert response.headers["Location"] == "/analyst/definitions/pages_permit/2"
    broken = analyst.post("/analyst/modeler/pages_permit/2", {
        "xml": xml.replace('targetRef="approve"', 'targetRef="gone"'), "file_name": "permit_v1.bpmn",
        "latest.pages_permit": "2"}, token_from="/analyst/modeler")
    assert broken.status_code == 422 and "保存失败，未部署" in broken.text and "gone" in broken.text


def test_an_older_version_opened_in_the_modeler_says_so_and_saved_becomes_the_next_version(analyst: Browser) -> None:
    deploy_page(analyst, "permit_v1.bpmn")
    deploy_page(analyst, "permit_v2.bpmn")
    latest = analyst.get("/analyst/modeler/pages_permit/2").text
    assert 'data-stored="true"' in latest and "modeler-old-version" not in latest
    old = analyst.get("/analyst/modeler/pages_permit/1").text
    assert 'data-stored="true"' not in old and 'id="modeler-unchanged"' not in old  # no "unchanged" claim
    assert "这是版本 1，不是最新版本：新办件按版本 2 办理。保存后，此处的流程图成为版本 3" in old
    assert 'href="/analyst/modeler/pages_permit/2"' in old
    back = analyst.post("/analyst/modeler/pages_permit/1", {"xml": embedded_xml(old), "file_name": "permit_v1.bpmn",
                                                            "latest.pages_permit": "2"}, token_from="/analyst/modeler")
    assert back.headers["Location"] == "/analyst/definitions/pages_permit/3"  # the way back to version 1


def test_a_diagram_deployed_as_bpmn20_xml_is_saved_from_the_modeler_under_its_name(analyst: Browser) -> None:
    """Camunda's own export name (.bpmn20.xml) deploys, so the modeler saves it under that name too."""
    xml = (PAGES / "permit_v1.bpmn").read_bytes()
    deployed = analyst.post("/analyst/deploy", {"files": [(io.BytesIO(xml), "permit.bpmn20.xml")]},
                            token_from="/analyst/deploy", content_type="multipart/form-data")
    assert deployed.headers["Location"] == "/analyst/definitions/pages_permit/1"
    page = analyst.get("/analyst/modeler/pages_permit/1").text
    assert 'value="permit.bpmn20.xml"' in page
    saved = analyst.post("/analyst/modeler/pages_permit/1", {
        "xml": (PAGES / "permit_v2.bpmn").read_text(), "file_name": "permit.bpmn20.xml",
        "latest.pages_permit": "1"}, token_from="/analyst/modeler/pages_permit/1")
    assert saved.headers["Location"] == "/analyst/definitions/pages_permit/2"


def embedded_xml(page: str) -> Any:
    """The diagram XML the modeler page hands to bpmn-js (None: it starts a blank diagram)."""
    found = re.search(r'<script type="application/json" id="diagram-xml">(.*?)</script>', page, re.DOTALL)
    assert found, "no diagram data on the page"
    return json.loads(found.group(1))


@pytest.mark.parametrize(("file_name", "xml", "status", "message"), [
    ("my diagram.bpmn", "permit_v2.bpmn", 400, "the file name must be letters"),
    ("permit_v1.xml", "permit_v2.bpmn", 400, "end in .bpmn, .bpmn20.xml, .bpmn2"),
    ("permit_v1.bpmn", "  \n", 400, "the diagram is empty"),
    ("permit_v1.bpmn", "permit_v2_broken.bpmn", 422, "approve_step"),
], ids=["bad-file-name", "not-a-diagram-name", "empty-diagram", "deployment-refused"])
def test_a_refused_modeler_save_comes_back_with_the_diagram_and_names_as_typed(
        analyst: Browser, file_name: str, xml: str, status: int, message: str) -> None:
    deploy_page(analyst, "permit_v1.bpmn")
    submitted = (PAGES / xml).read_text() if xml.endswith(".bpmn") else xml
    response = analyst.post("/analyst/modeler/pages_permit/1", {"xml": submitted, "file_name": file_name,
                                                                "name": "第三批 <发布>", "latest.pages_permit": "1"},
                            token_from="/analyst/modeler/pages_permit/1")
    assert response.status_code == status
    assert "保存失败，未部署" in response.text and message in response.text
    # The diagram as submitted (a blank one for an empty submission), and both names as typed
    assert embedded_xml(response.text) == (submitted if submitted.strip() else None)
    assert f'id="modeler-file-name" value="{file_name}"' in response.text
    assert 'id="modeler-name" value="第三批 &lt;发布&gt;"' in response.text
    assert "操作未完成" not in response.text  # not the generic flash-and-redirect
    assert 'href="/analyst/definitions/pages_permit/2"' not in analyst.get("/analyst/definitions").text


def test_the_modeler_offers_no_save_of_an_unedited_version_unless_it_shows_that_version(analyst: Browser) -> None:
    deploy_page(analyst, "permit_v1.bpmn")
    stored = analyst.get("/analyst/modeler/pages_permit/1").text
    assert 'data-stored="true"' in stored and "pages_permit 内容未变，仍为版本 1" in stored
    assert 'id="modeler-name" value=""' in stored
    # A refused save shows the submitted diagram, not the stored version: saving it is not a no-op.
    refused = analyst.post("/analyst/modeler/pages_permit/1", {"xml": (PAGES / "permit_v1.bpmn").read_text(),
                                                               "file_name": "bad name", "latest.pages_permit": "1"},
                           token_from="/analyst/modeler/pages_permit/1").text
    assert "data-stored" not in refused and "modeler-unchanged" not in refused
    assert "data-stored" not in analyst.get("/analyst/modeler").text


def test_clerks_may_not_open_the_analyst_pages(clerk: Browser) -> None:
    for url in ("/analyst/definitions", "/analyst/deploy", "/analyst/modeler"):
        assert clerk.get(url).status_code == 403, url
    assert ">流程定义<" not in clerk.get("/queue").text  # nor see them in the navigation


def test_an_analyst_sees_how_many_cases_each_version_has_but_opens_no_case(runtime: Runtime,
                                                                              analyst: Browser) -> None:
    deploy_page(analyst, "permit_v1.bpmn")
    for number in ("ZD-1", "ZD-2"):
        instances.start(runtime.uow(), "pages_permit", actor=PORTAL, business_key=number,
                        variables={"applicant_name": "张三"})
    deploy_page(analyst, "permit_v2.bpmn")
    listing = analyst.get("/analyst/definitions")
    assert listing.status_code == 200
    # Each version's row: its link, then file, deployer and time, then the number of its cases
    row = r'href="/analyst/definitions/pages_permit/(\d)">.*?</td>(?:\s*<td.*?</td>){3}\s*<td>(\d+)</td>'
    counts = re.findall(row, listing.text, re.DOTALL)
    assert counts == [("2", "0"), ("1", "2")]  # newest first
    version = analyst.get("/analyst/definitions/pages_permit/1").text
    assert re.search(r"<dt>办件数</dt><dd>2</dd>", version)
    assert 'href="/cases"' not in version  # no 办件 in the navigation for a role that reads no case
    case_id = instances.list_instances(runtime.uow(), actor=SYSTEM, business_key="ZD-1")[0][0].id
    for url in ("/cases", "/cases?number=ZD-1", f"/cases/{case_id}"):
        refused = analyst.get(url)
        assert refused.status_code == 403 and "您无权执行此操作。" in refused.text, url
        assert "张三" not in refused.text and f'href="/cases/{case_id}"' not in refused.text, url


def test_an_analyst_who_also_supervises_opens_the_cases(runtime: Runtime, browser: Browser) -> None:
    definitions.deploy(runtime.uow(), [("permit_v1.bpmn", (PAGES / "permit_v1.bpmn").read_bytes())], actor=SYSTEM)
    view, _ = instances.start(runtime.uow(), "pages_permit", actor=PORTAL, business_key="ZD-3", variables={})
    person(runtime, "qian", roles=["analyst", "supervisor"])
    browser.log_in("qian")
    assert "ZD-3" in browser.get("/cases").text and "ZD-3" in browser.get(f"/cases/{view.id}").text
    definitions_page = browser.get("/analyst/definitions")
    assert definitions_page.status_code == 200 and 'href="/cases"' in definitions_page.text


# ---- language -------------------------------------------------------------------------------------

def test_english_is_chosen_by_the_browser_or_by_the_switch(runtime: Runtime, clerk: Browser) -> None:
    assert "My queue" in clerk.get("/queue", headers={"Accept-Language": "en-US,en;q=0.9"}).text
    assert "我的待办" in clerk.get("/queue", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).text
    clerk.get("/lang/en?next=/queue")
    assert "My queue" in clerk.get("/queue").text


# Every quoted Chinese literal: _("...") calls, and labels in dicts and lists that reach _() later.
CJK = re.compile(r'"([^"\n{}]*[\u4e00-\u9fff][^"\n{}]*)"|\'([^\'\n{}]*[\u4e00-\u9fff][^\'\n{}]*)\'')
NOT_TRANSLATED = {"中文"}  # the switch back to Chinese is written in Chinese on purpose


def test_every_chinese_text_of_the_pages_has_its_english() -> None:
    sources = [*(ROOT / "api" / "templates" / "pages").glob("*.html"),
               *(p for p in (ROOT / "api" / "pages").glob("*.py") if p.name != "i18n.py")]
    found = {a or b for source in sources for a, b in CJK.findall(source.read_text())}
    assert len(found) > 100  # the scan itself finds the texts
    missing = {text for text in found if text not in EN and text not in NOT_TRANSLATED}
    assert not missing, f"add English for: {sorted(missing)}"
