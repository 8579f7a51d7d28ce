"""Clerks racing for the same task, integrators retrying the same start, against a live multi-process server:
exactly one wins."""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest
import requests

from engine import Runtime, users
from tests.helpers import FIXTURES
from tests.live import LiveServer

RACERS = 8


@pytest.fixture
def server(runtime: Runtime, tmp_path) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    live = LiveServer(runtime.settings.database_url, tmp_path, workers=4)
    yield live
    live.stop()


def _tokens(runtime: Runtime) -> dict[str, str]:
    tokens = {}
    for name, groups, roles in [("analyst", [], ["analyst"]), ("integrator", [], ["integrator"])] + \
            [(f"clerk{i}", ["window", "office"], ["clerk"]) for i in range(RACERS)]:
        tokens[name] = users.add_user(runtime.uow(), name, groups=groups, roles=roles, actor=users.SYSTEM)[1]
    return tokens


def _race(url: str, tokens: list[str], body: dict | None = None) -> Counter:  # type: ignore[type-arg]
    return Counter(response.status_code for response in _responses(url, tokens, body))


def _responses(url: str, tokens: list[str], body: dict | None = None) -> list[requests.Response]:  # type: ignore[type-arg]
    """The same request from every token at once (released together by a barrier)."""
    barrier = threading.Barrier(len(tokens))
    responses: list[requests.Response] = []

    def go(token: str) -> None:
        session = requests.Session()
        barrier.wait()
        responses.append(session.post(url, json=body or {}, headers={"Authorization": f"Bearer {token}"},
                                      timeout=60))

    threads = [threading.Thread(target=go, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def test_parallel_claims_and_completions_have_exactly_one_winner(server: LiveServer, runtime: Runtime):
    tokens = _tokens(runtime)
    with (FIXTURES / "simple_approval.bpmn").open("rb") as f:
        deployed = requests.post(server.url + "/api/deployments", files={"files": f},
                                 headers={"Authorization": f"Bearer {tokens['analyst']}"})
    assert deployed.status_code == 201, deployed.text
    racers = [tokens[f"clerk{i}"] for i in range(RACERS)]
    for _ in range(3):  # several rounds: a lucky interleaving should not make this pass
        case = requests.post(server.url + "/api/process-definitions/simple_approval/start",
                             json={"variables": {"reviewGroup": "office"}},
                             headers={"Authorization": f"Bearer {tokens['integrator']}"}).json()
        task_id = case["tasks"][0]["id"]
        claims = _race(f"{server.url}/api/tasks/{task_id}/claim", racers)
        assert claims == Counter({200: 1, 409: RACERS - 1})

        case = requests.post(server.url + "/api/process-definitions/simple_approval/start",
                             json={"variables": {"reviewGroup": "office"}},
                             headers={"Authorization": f"Bearer {tokens['integrator']}"}).json()
        task_id = case["tasks"][0]["id"]
        completions = _race(f"{server.url}/api/tasks/{task_id}/complete", racers,
                            {"variables": {"accepted": True, "amount": 5}})
        assert completions == Counter({200: 1, 409: RACERS - 1})
        state = requests.get(f"{server.url}/api/process-instances/{case['id']}",
                             headers={"Authorization": f"Bearer {tokens['integrator']}"}).json()
        assert [t["name"] for t in state["tasks"]] == ["审查"]  # advanced exactly once


def test_parallel_work_on_different_cases_all_succeeds(server: LiveServer, runtime: Runtime):
    tokens = _tokens(runtime)
    with (FIXTURES / "simple_approval.bpmn").open("rb") as f:
        requests.post(server.url + "/api/deployments", files={"files": f},
                      headers={"Authorization": f"Bearer {tokens['analyst']}"})
    task_ids = []
    for _ in range(RACERS):
        case = requests.post(server.url + "/api/process-definitions/simple_approval/start",
                             json={"variables": {"reviewGroup": "office"}},
                             headers={"Authorization": f"Bearer {tokens['integrator']}"}).json()
        task_ids.append(case["tasks"][0]["id"])
    barrier = threading.Barrier(RACERS)
    codes: Counter = Counter()  # type: ignore[type-arg]

    def work(i: int) -> None:
        barrier.wait()
        response = requests.post(f"{server.url}/api/tasks/{task_ids[i]}/complete",
                                 json={"variables": {"accepted": True, "amount": i}},
                                 headers={"Authorization": f"Bearer {tokens[f'clerk{i}']}"}, timeout=60)
        codes[response.status_code] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(RACERS)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert codes == Counter({200: RACERS})


def test_parallel_starts_with_one_business_key_make_one_case_and_all_get_it(server: LiveServer, runtime: Runtime):
    """Integrators retry: the same start sent at once gives one 201 and 200s carrying that same case."""
    tokens = _tokens(runtime)
    with (FIXTURES / "simple_approval.bpmn").open("rb") as f:
        requests.post(server.url + "/api/deployments", files={"files": f},
                      headers={"Authorization": f"Bearer {tokens['analyst']}"})
    for round_no in range(3):
        responses = _responses(f"{server.url}/api/process-definitions/simple_approval/start",
                               [tokens["integrator"]] * RACERS,
                               {"business_key": f"RACE-{round_no}", "variables": {"reviewGroup": "office"}})
        assert Counter(r.status_code for r in responses) == Counter({201: 1, 200: RACERS - 1})
        cases = [r.json() for r in responses]
        assert len({c["id"] for c in cases}) == 1
        assert all(c["variables"]["reviewGroup"] == "office" and c["tasks"] for c in cases)
