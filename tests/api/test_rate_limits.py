"""Rate limits on the endpoints open without login: 429 in the one error shape with Retry-After, per client
address, reads and writes counted apart; everything behind a login is not limited by them."""
from __future__ import annotations

import pytest

from api import create_app
from tests.helpers import ApiClient


@pytest.fixture
def limited(runtime) -> ApiClient:  # type: ignore[no-untyped-def]
    app = create_app({"TESTING": True, "GOVFLOW_PUBLIC_RATE_LIMIT": "3 per minute",
                      "GOVFLOW_PUBLIC_WRITE_RATE_LIMIT": "2 per minute"}, runtime=runtime)
    return ApiClient(app.test_client(), runtime)


def test_the_fourth_progress_request_in_a_minute_gets_429_with_retry_after(limited):
    answers = [limited.client.get("/api/public/progress/SX-1", query_string={"code": "ABCDEFGH"})
               for _ in range(4)]
    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    refused = answers[-1]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    error = refused.get_json()["error"]
    assert error["code"] == "too_many_requests" and error["message"] == "请求过于频繁，请稍后再试"
    assert error["details"][0]["limit"] == "3 per 1 minute"
    assert error["details"][0]["retry_after_seconds"] == int(refused.headers["Retry-After"])  # one number, said twice
    assert answers[0].headers["X-RateLimit-Limit"] == "3" and answers[0].headers["X-RateLimit-Remaining"] == "2"
    assert "Retry-After" not in answers[0].headers  # it means "refused": an answer let through has none


def test_head_requests_count_with_the_gets_of_their_endpoint(limited):
    """A HEAD answers 404 or 200 as a GET does: it must not be a second budget of code guesses."""
    url, code = "/api/public/progress/SX-1", {"code": "ABCDEFGH"}
    statuses = [limited.client.get(url, query_string=code).status_code for _ in range(2)]
    statuses += [limited.client.head(url, query_string=code).status_code for _ in range(2)]
    assert statuses == [404, 404, 404, 429]


def test_each_client_address_has_its_own_count(limited):
    for _ in range(3):
        limited.client.get("/api/public/progress/SX-1", query_string={"code": "A"},
                           environ_base={"REMOTE_ADDR": "10.0.0.1"})
    other = limited.client.get("/api/public/progress/SX-1", query_string={"code": "A"},
                               environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 404
    same = limited.client.get("/api/public/progress/SX-1", query_string={"code": "A"},
                              environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert same.status_code == 429


def test_complaints_and_ratings_have_the_write_limit(limited):
    bad = {"name": "李四", "phone": "123", "content": "x"}
    complaints = [limited.client.post("/api/public/complaints", json=bad).status_code for _ in range(3)]
    assert complaints == [422, 422, 429]
    ratings = [limited.client.post("/api/public/ratings", json={"level": 9}).status_code for _ in range(3)]
    assert ratings == [422, 422, 429]
    invalid_json = limited.client.post("/api/public/ratings", data="{", content_type="application/json")
    assert invalid_json.status_code == 429  # refused before the body is read


def test_the_catalogue_is_limited_like_every_public_read(limited):
    answers = [limited.client.get("/api/catalogue").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_endpoints_behind_a_login_are_not_limited(limited):
    supervisor = limited.as_("supervisor")
    answers = [supervisor.get("/api/ratings/stats").status_code for _ in range(6)]
    assert answers == [200] * 6
    assert [limited.client.get("/api/health").status_code for _ in range(6)] == [200] * 6


def _login(client, name: str, secret: str, address: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    from tests.api.test_pages import Browser
    browser = Browser(client)
    token = browser.csrf()
    return client.post("/login", data={"name": name, "secret": secret, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_failed_logins_are_limited_per_address_and_per_name_and_successes_are_not_counted(runtime):
    from tests.api.test_pages import PASSWORD, person
    app = create_app({"TESTING": True, "GOVFLOW_LOGIN_RATE_LIMIT": "3 per minute",
                      "GOVFLOW_LOGIN_NAME_RATE_LIMIT": "5 per minute"}, runtime=runtime)
    person(runtime, "window_clerk", roles=["clerk"], groups=["window"])
    person(runtime, "review_clerk", roles=["clerk"], groups=["review"])
    for _ in range(5):  # the right password, again and again: never limited
        assert _login(app.test_client(), "window_clerk", PASSWORD).status_code == 302

    for _ in range(3):
        assert _login(app.test_client(), "window_clerk", "guess").status_code == 401
    # Over the limit, even the right password waits; the page says for how long.
    locked = _login(app.test_client(), "window_clerk", PASSWORD)
    assert locked.status_code == 429 and 0 < int(locked.headers["Retry-After"]) <= 60
    assert "登录失败次数过多，请 1 分钟后再试。" in locked.text
    # Another name from the guessing address: limited by the address.
    assert _login(app.test_client(), "review_clerk", PASSWORD).status_code == 429
    # The same name from another address: a few wrong passwords typed elsewhere do not lock its owner out...
    assert _login(app.test_client(), "window_clerk", PASSWORD, address="10.0.0.2").status_code == 302
    # ...but guesses of one account spread over many addresses are limited by the name.
    for n in range(2):
        assert _login(app.test_client(), "window_clerk", "guess", address=f"10.0.1.{n}").status_code == 401
    assert _login(app.test_client(), "WINDOW_CLERK", PASSWORD, address="10.0.0.4").status_code == 429
    # Another name from another address logs in.
    assert _login(app.test_client(), "review_clerk", PASSWORD, address="10.0.0.3").status_code == 302
