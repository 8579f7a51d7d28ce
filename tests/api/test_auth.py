"""Bearer tokens: missing, unknown, revoked and expired tokens are 401; the token names the user's rights."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from engine import users
from engine.clock import utcnow
from engine.models import ApiToken, User


def _get(api, token: str | None, scheme: str = "Bearer"):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    return api.client.get("/api/tasks", headers=headers)


def test_a_missing_or_malformed_authorization_header_is_401_with_a_bearer_challenge(api):
    for response in (_get(api, None), _get(api, api.token("window_clerk"), scheme="Basic"), _get(api, "")):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.get_json()["error"]["code"] == "unauthenticated"


def test_a_valid_token_is_accepted(api):
    assert _get(api, api.token("window_clerk")).status_code == 200


def test_a_revoked_token_is_refused(api):
    token = api.token("window_clerk")
    assert users.revoke_tokens(api.runtime.uow(), "window_clerk", actor=users.SYSTEM) == 1
    response = _get(api, token)
    assert response.status_code == 401 and "revoked" in response.get_json()["error"]["message"]


def test_a_new_token_works_after_the_old_ones_were_revoked(api):
    old = api.token("window_clerk")
    users.revoke_tokens(api.runtime.uow(), "window_clerk", actor=users.SYSTEM)
    new = users.issue_token(api.runtime.uow(), "window_clerk", actor=users.SYSTEM).token
    assert (_get(api, old).status_code, _get(api, new).status_code) == (401, 200)


def test_an_expired_token_is_refused(api):
    api.token("window_clerk")  # creates the user
    token = users.issue_token(api.runtime.uow(), "window_clerk", ttl_days=1, actor=users.SYSTEM).token
    assert _get(api, token).status_code == 200
    with api.runtime.uow() as uow:
        uow.session.execute(update(ApiToken).where(ApiToken.token_hash == users.hash_token(token))
                            .values(expires_at=utcnow() - timedelta(seconds=1)))
        uow.commit()
    response = _get(api, token)
    assert response.status_code == 401 and response.get_json()["error"]["message"] == "token expired"


def test_a_deactivated_users_token_is_refused(api):
    token = api.token("window_clerk")
    with api.runtime.uow() as uow:
        uow.session.execute(update(User).where(User.name == "window_clerk").values(active=False))
        uow.commit()
    assert _get(api, token).status_code == 401


def test_tokens_are_stored_only_as_hashes(api):
    token = api.token("window_clerk")
    with api.runtime.uow() as uow:
        stored = uow.session.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored and users.hash_token(token) in stored


def test_the_token_is_checked_before_the_body_is_read(api):
    api.deploy("simple_approval.bpmn")
    bodies = (b"not json", b'{"variables": {"a": ' + b"[" * 50_000 + b"]" * 50_000 + b"}}",
              b'{"business_key": "A\\u0000"}', b'{"variables": 5}')
    for body in bodies:
        for url in ("/api/process-definitions/simple_approval/start", "/api/tasks/x/complete", "/api/messages"):
            response = api.client.post(url, data=body, content_type="application/json")
            assert response.status_code == 401, (url, body[:20], response.get_json())
            assert response.get_json()["error"]["code"] == "unauthenticated"
    # What anyone may call still answers without a token, and an unknown endpoint is still a 404.
    assert api.client.get("/api/catalogue").status_code == 200
    assert api.client.get("/api/health").status_code == 200
    assert api.client.get("/api/openapi.json").status_code == 200
    assert api.client.get("/api/public/progress/SX-1?code=ABCDEFGH").status_code in (404, 422)
    assert api.client.get("/api/no-such-thing").status_code == 404


def test_an_id_is_ascii_digits(api):
    api.deploy("simple_approval.bpmn")
    case_id = str(api.start("simple_approval", variables={"reviewGroup": "office"})["id"])
    supervisor = api.as_("supervisor")
    assert supervisor.get(f"/api/process-instances/{case_id}").status_code == 200
    for digits in ("٠١٢٣٤٥٦٧٨٩", "０１２３４５６７８９"):  # Arabic-Indic, fullwidth: int() reads both
        lookalike = case_id.translate(str.maketrans("0123456789", digits))
        assert supervisor.get(f"/api/process-instances/{lookalike}").status_code == 404
