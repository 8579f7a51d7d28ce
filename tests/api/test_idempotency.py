"""Idempotency-Key: a retried command returns the first response; another request under the same key
is 422; a retry while the first still runs is 409; keys belong to one user and expire."""
from __future__ import annotations

import io
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from engine import idempotency, instances
from engine.clock import utcnow
from engine.errors import InProgress, KeyReused
from engine.models import IdempotencyKey, ProcessInstance, User
from tests.api.test_materials import PDF
from tests.applicants import COMPLAINT, COMPLAINT_FORMS
from tests.conftest import FIXTURES

START = "/api/process-definitions/simple_approval/start"
BODY = {"variables": {"reviewGroup": "office", "amount": 10}}


def post(api, user: str, url: str, key: str | None, **kwargs):  # type: ignore[no-untyped-def]
    caller = api.as_(user)
    headers = {**caller.headers(), **({"Idempotency-Key": key} if key else {})}
    return caller.client.post(url, headers=headers, **kwargs)


def cases(runtime) -> int:  # type: ignore[no-untyped-def]
    with runtime.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(ProcessInstance)) or 0


@pytest.fixture
def deployed(api):  # type: ignore[no-untyped-def]
    api.deploy("simple_approval.bpmn")


def test_a_retried_start_returns_the_first_response_and_starts_one_case(api, runtime, deployed):
    first = post(api, "integrator", START, "start-1", json=BODY)
    again = post(api, "integrator", START, "start-1", json={"variables": {"amount": 10, "reviewGroup": "office"}})
    assert first.status_code == again.status_code == 201
    # The applicant's query code is shown once: the stored response is the first one without it.
    shown_once = {k: v for k, v in first.get_json().items() if k != "query_code"}
    assert again.get_json() == shown_once and again.headers["Idempotent-Replayed"] == "true"
    assert "query_code" in first.get_json() and "Idempotent-Replayed" not in first.headers
    assert cases(runtime) == 1
    assert post(api, "integrator", START, None, json=BODY).status_code == 201 and cases(runtime) == 2


def test_the_same_key_with_another_request_is_422(api, runtime, deployed):
    assert post(api, "integrator", START, "k-2", json=BODY).status_code == 201
    other_body = post(api, "integrator", START, "k-2", json={"variables": {"reviewGroup": "window"}})
    assert other_body.status_code == 422 and other_body.get_json()["error"]["code"] == "idempotency_key_reused"
    other_path = post(api, "integrator", "/api/messages", "k-2", json={"name": "x"})
    assert other_path.status_code == 422
    assert cases(runtime) == 1


def test_keys_belong_to_one_user(api, runtime, deployed):
    api.token("integrator2")
    with runtime.uow() as uow:
        uow.session.execute(update(User).where(User.name == "integrator2").values(roles=["integrator"]))
        uow.commit()
    mine = post(api, "integrator", START, "shared-key", json=BODY).get_json()
    theirs = post(api, "integrator2", START, "shared-key", json=BODY).get_json()
    assert mine["id"] != theirs["id"] and cases(runtime) == 2


def test_a_retried_completion_is_answered_as_the_first_was_not_as_a_conflict(api, deployed):
    [accept] = api.start("simple_approval", **BODY)["tasks"]
    url = f"/api/tasks/{accept['id']}/complete"
    body = {"variables": {"accepted": True, "amount": 10}}
    first = post(api, "window_clerk", url, "complete-1", json=body)
    assert first.status_code == 200
    retried = post(api, "window_clerk", url, "complete-1", json=body)
    assert retried.status_code == 200 and retried.get_json() == first.get_json()
    assert post(api, "window_clerk", url, "complete-2", json=body).status_code == 409  # a new key runs again


def test_a_conflict_is_not_kept_so_a_retry_may_succeed(api, deployed):
    [accept] = api.start("simple_approval", **BODY)["tasks"]
    assert api.as_("window_clerk2").post(f"/api/tasks/{accept['id']}/claim").status_code == 200
    claim = f"/api/tasks/{accept['id']}/claim"
    assert post(api, "window_clerk", claim, "claim-1").status_code == 409
    assert api.as_("window_clerk2").post(f"/api/tasks/{accept['id']}/unclaim").status_code == 200
    retried = post(api, "window_clerk", claim, "claim-1")
    assert retried.status_code == 200 and retried.get_json()["assignee"] == "window_clerk"


def test_a_refusal_is_not_kept_so_the_retry_runs_once_the_cause_is_gone(api):
    """A 4xx changed nothing; what refused it may change (the process deployed, the case now waiting for
    the message): replaying the refusal for 24 hours would defeat the retry the key is for."""
    first = post(api, "integrator", START, "start-early", json=BODY)
    assert first.status_code == 404 and "Idempotent-Replayed" not in first.headers
    api.deploy("simple_approval.bpmn")
    retried = post(api, "integrator", START, "start-early", json=BODY)
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    again = post(api, "integrator", START, "start-early", json=BODY)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == retried.get_json()["id"]


def test_a_multipart_upload_retried_with_a_new_boundary_is_the_same_request(api, runtime, deployed):
    case = api.start("simple_approval", **BODY)
    url = f"/api/process-instances/{case['id']}/materials"

    def send(content: bytes):  # type: ignore[no-untyped-def]
        return post(api, "integrator", url, "upload-1", content_type="multipart/form-data",
                    data={"name": "营业执照", "file": (io.BytesIO(content), "a.pdf")})

    first, again = send(PDF), send(PDF)
    assert first.status_code == again.status_code == 201 and again.get_json()["id"] == first.get_json()["id"]
    assert send(PDF + b"changed").status_code == 422
    assert len(api.as_("integrator").get(url).get_json()) == 1


def test_an_expired_key_runs_the_request_again(api, runtime, deployed):
    first = post(api, "integrator", START, "old-key", json=BODY).get_json()
    with runtime.uow() as uow:
        uow.session.execute(update(IdempotencyKey).values(expires_at=utcnow() - timedelta(seconds=1)))
        uow.commit()
    again = post(api, "integrator", START, "old-key", json=BODY)
    assert again.status_code == 201 and again.get_json()["id"] != first["id"]
    with runtime.uow() as uow:
        uow.session.execute(update(IdempotencyKey).values(expires_at=utcnow() - timedelta(seconds=1)))
        uow.commit()
    assert idempotency.purge(runtime.uow()) == 1


def test_keys_live_for_the_configured_time(api, runtime, deployed):
    post(api, "integrator", START, "ttl-key", json=BODY)
    with runtime.uow() as uow:
        row = uow.session.scalars(select(IdempotencyKey)).one()
    assert row.expires_at - row.created_at == timedelta(seconds=runtime.settings.idempotency_ttl_seconds)
    assert runtime.settings.idempotency_ttl_seconds == 24 * 3600


def test_concurrent_requests_with_one_key_run_once_and_the_others_hear_it_is_in_progress(api, runtime, deployed,
                                                                                            monkeypatch):
    real_start = instances.start

    def slow_start(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(0.5)  # long enough for every thread to arrive while the first one runs
        return real_start(*args, **kwargs)

    monkeypatch.setattr(instances, "start", slow_start)
    api.token("integrator")
    results: list[tuple[int, dict]] = []
    barrier = threading.Barrier(4)

    def attempt() -> None:
        barrier.wait()
        response = post(api, "integrator", START, "race-1", json=BODY)
        results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 1 and statuses.count(409) == 3, statuses
    assert all(body["error"]["code"] == "in_progress" for status, body in results if status == 409)
    assert cases(runtime) == 1


def test_the_engine_refuses_a_second_reservation_while_the_first_runs(runtime):
    assert idempotency.begin(runtime.uow(), user="u", key="k", fingerprint="a") is None
    with pytest.raises(InProgress):
        idempotency.begin(runtime.uow(), user="u", key="k", fingerprint="a")
    with pytest.raises(KeyReused):
        idempotency.begin(runtime.uow(), user="u", key="k", fingerprint="b")
    later = utcnow() + idempotency.STALE_AFTER + timedelta(seconds=1)  # its process died mid-request
    assert idempotency.begin(runtime.uow(), user="u", key="k", fingerprint="a", now=later) is None


def test_a_malformed_key_is_400_and_a_key_without_a_valid_token_is_401(api, runtime, deployed):
    assert post(api, "integrator", START, "x" * 256, json=BODY).status_code == 400
    assert post(api, "integrator", START, "schlüssel", json=BODY).status_code == 400
    anonymous = api.client.post(START, json=BODY, headers={"Idempotency-Key": "anon-1"})
    bad_token = api.client.post(START, json=BODY, headers={"Idempotency-Key": "anon-1", "Authorization": "Bearer x"})
    assert anonymous.status_code == bad_token.status_code == 401
    with runtime.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0


def test_a_retried_deployment_returns_the_first_answer(api):
    analyst = api.as_("analyst")

    def deploy(path: str):  # type: ignore[no-untyped-def]
        return post(api, "analyst", "/api/deployments", "deploy-1", content_type="multipart/form-data",
                    data={"files": [((FIXTURES / path).open("rb"), path)]})

    first, again = deploy("simple_approval.bpmn"), deploy("simple_approval.bpmn")
    assert first.status_code == again.status_code == 201 and again.get_json() == first.get_json()
    assert deploy("supplement.bpmn").status_code == 422  # another file under the same key
    assert analyst.get("/api/process-definitions").get_json()[0]["key"] == "simple_approval"


def test_a_stored_fingerprint_is_keyed_so_a_public_bodys_query_code_cannot_be_guessed_from_it(api):
    import hashlib
    import json

    api.deploy(COMPLAINT, *COMPLAINT_FORMS)
    body = {"name": "张三", "phone": "13800138000", "content": "窗口未一次性告知需补正的材料"}
    response = api.client.post("/api/public/complaints", json=body, headers={"Idempotency-Key": "complain-1"})
    assert response.status_code == 201, response.get_json()
    with api.runtime.uow() as uow:
        stored = uow.session.scalars(select(IdempotencyKey).where(IdempotencyKey.key == "complain-1")).one()
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    plain = hashlib.sha256(b"POST /api/public/complaints?\n" + canonical).hexdigest()
    assert stored.user_name.startswith("public:") and stored.fingerprint != plain


def test_a_multipart_part_without_a_name_is_no_500_under_a_key(api):
    """Werkzeug names an unreadable part None; fingerprinting such a request must not fail."""
    body = (b'--B\r\nContent-Disposition: form-data; filename="a.bpmn"\r\n\r\n<x/>\r\n'
            b'--B\r\nContent-Disposition: form-data; name="files"; filename="b.bpmn"\r\n\r\n<y/>\r\n--B--\r\n')
    analyst = api.as_("analyst")
    response = analyst.client.post("/api/deployments", data=body, content_type="multipart/form-data; boundary=B",
                                   headers={**analyst.headers(), "Idempotency-Key": "odd-part"})
    assert response.status_code == 422, response.get_json()
