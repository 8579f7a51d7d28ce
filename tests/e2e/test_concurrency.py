"""Clerks racing for the same task, integrators retrying the same start, against a live multi-process server:
exactly one wins."""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import date

import pytest
import requests

from engine import Runtime, users
from tests.helpers import FIXTURES
from tests.live import LiveServer
from tests.service_items import food_application

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


# ---- checks that read before they write: the second of two at once sees what the first wrote ------------

@pytest.fixture
def food_case(api, runtime: Runtime):  # type: ignore[no-untyped-def]
    """The food licence library deployed, today on the national calendar (the live server's clock is real)."""
    from tests.api.test_documents import deploy
    from tests.api.test_pages_public import library_files
    from tests.helpers import cover_year, seed_national_calendar

    seed_national_calendar(runtime)
    cover_year(runtime, date.today())
    deploy(api, [(name, content) for name, content in library_files() if not name.startswith("documents/")])
    return api


def test_extensions_at_once_never_pass_the_allowance_together(server: LiveServer, food_case) -> None:  # type: ignore[no-untyped-def]
    """Four heads' extensions of 3 working days at once, of the food licence's 5 allowed: one is granted."""
    from tests.api.test_pages_public import accepted_food_case
    from tests.heads import head

    api = food_case
    head(api)
    for round_no in range(3):
        case_id = accepted_food_case(api, f"SCJG-RACE-{round_no}")["id"]
        responses = _responses(f"{server.url}/api/process-instances/{case_id}/clock/extend",
                               [api.token("head")] * 4, {"days": 3, "reason": "需组织专家评审"})
        assert Counter(r.status_code for r in responses) == Counter({200: 1, 409: 3}), [r.text for r in responses]
        clock = api.as_("supervisor").get(f"/api/process-instances/{case_id}/clock").get_json()
        history = api.as_("supervisor").get(f"/api/process-instances/{case_id}/history").get_json()
        assert clock["extension_days"] == 3 and [e["event"] for e in history].count("clock.extended") == 1


def test_a_mark_taken_back_while_the_case_is_accepted_is_one_or_the_other(server: LiveServer, food_case) -> None:  # type: ignore[no-untyped-def]
    """受理 reads the materials; a paper mark taken back at that moment either waits and is refused (the case
    was accepted on it), or goes first and the acceptance is refused (the material is missing): never both."""
    from tests.service_items import guide, supply_materials

    api = food_case
    paper = guide("SCJG-XK-0001")["materials"][0]["name"]
    for round_no in range(4):
        case_id = api.start("food_business_licence", business_key=f"SCJG-MARK-{round_no}",
                            variables=food_application(applicant_name="某某餐饮有限公司"))["id"]
        supply_materials(api, case_id, "SCJG-XK-0001", paper=(paper,))
        mark_id = _checklist(api, case_id)[paper]["id"]
        [task] = api.as_("supervisor").get(f"/api/process-instances/{case_id}").get_json()["tasks"]
        answers = _at_once(server, api.token("window_clerk"), {
            "accept": ("POST", f"/api/tasks/{task['id']}/complete", {"variables": {"acceptance_decision": "accept"}}),
            "withdraw": ("DELETE", f"/api/process-instances/{case_id}/materials/marks/{mark_id}", None)})
        assert answers in ({"accept": 200, "withdraw": 409}, {"accept": 422, "withdraw": 204}), answers
        assert (_checklist(api, case_id)[paper] is not None) is (answers["accept"] == 200)


def _at_once(server: LiveServer, token: str, calls: dict) -> dict:  # type: ignore[type-arg]
    """Each call (method, path, body) sent at the same moment; the status each got, by its name."""
    barrier, answers = threading.Barrier(len(calls)), {}

    def send(name: str, method: str, path: str, body: dict | None) -> None:  # type: ignore[type-arg]
        barrier.wait()
        answers[name] = requests.request(method, server.url + path, json=body, timeout=60,
                                         headers={"Authorization": f"Bearer {token}"}).status_code

    threads = [threading.Thread(target=send, args=(name, *call)) for name, call in calls.items()]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return answers


def _checklist(api, case_id: int) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """Each material of the case's checklist by name: its window mark, or None."""
    answer = api.as_("supervisor").get(f"/api/process-instances/{case_id}/materials/checklist").get_json()
    return {item["name"]: item["mark"] for item in answer["items"]}
