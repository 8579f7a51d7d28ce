"""Test helpers: an API client that knows the standard cast of users and speaks JSON."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from engine import Runtime, users

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parent.parent

CAST = {
    "admin": dict(groups=[], roles=["admin"]),
    "analyst": dict(groups=[], roles=["analyst"]),
    "window_clerk": dict(groups=["window"], roles=["clerk"]),
    "window_clerk2": dict(groups=["window"], roles=["clerk"]),
    "office_clerk": dict(groups=["office"], roles=["clerk"]),
    "supervisor": dict(groups=[], roles=["supervisor"]),
    "integrator": dict(groups=[], roles=["integrator"]),
    # Departments of the joint review meeting, parallel approval and one-thing bundle items.
    "zwfw_clerk": dict(groups=["zwfw"], roles=["clerk"]),
    "meeting_chair": dict(groups=["meeting_chair"], roles=["clerk"]),
    "fgw_clerk": dict(groups=["fgw"], roles=["clerk"]),
    "zrzy_clerk": dict(groups=["zrzy"], roles=["clerk"]),
    "zjj_clerk": dict(groups=["zjj"], roles=["clerk"]),
    "sthj_clerk": dict(groups=["sthj"], roles=["clerk"]),
    "scjg_clerk": dict(groups=["scjg"], roles=["clerk"]),
    "cgj_clerk": dict(groups=["cgj"], roles=["clerk"]),
    # Sections of the tolerant-acceptance, commitment-approval and internal joint review items.
    "chief_rep": dict(groups=["chief"], roles=["clerk"]),
    "certificate_clerk": dict(groups=["certificate"], roles=["clerk"]),
    "permit_clerk": dict(groups=["construction_permit"], roles=["clerk"]),
    "hygiene_clerk": dict(groups=["hygiene_approval"], roles=["clerk"]),
    "hygiene_inspector": dict(groups=["hygiene_supervision"], roles=["clerk"]),
    "planning_clerk": dict(groups=["planning_permit"], roles=["clerk"]),
    "zoning_clerk": dict(groups=["detailed_planning"], roles=["clerk"]),
    "municipal_clerk": dict(groups=["municipal_planning"], roles=["clerk"]),
}


class ApiClient:
    def __init__(self, client: Any, runtime: Runtime) -> None:
        self.client = client
        self.runtime = runtime
        self.tokens: dict[str, str] = {}
        self.user = "admin"

    def token(self, name: str) -> str:
        if name not in self.tokens:
            spec = CAST.get(name, dict(groups=[], roles=["clerk"]))
            _, self.tokens[name] = users.add_user(self.runtime.uow(), name, **spec)
        return self.tokens[name]

    def as_(self, name: str) -> ApiClient:
        other = ApiClient(self.client, self.runtime)
        other.tokens, other.user = self.tokens, name
        return other

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(self.user)}"}

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, headers=self.headers(), **kwargs)

    def post(self, url: str, json: Any = None, **kwargs: Any) -> Any:
        if json is None and "data" not in kwargs:
            json = {}
        return self.client.post(url, json=json, headers=self.headers(), **kwargs)

    def put(self, url: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.put(url, json={} if json is None else json, headers=self.headers(), **kwargs)

    def deploy(self, *paths: str | Path, expect: int = 201) -> Any:
        files = []
        for path in paths:
            path = Path(path) if Path(path).is_absolute() else FIXTURES / path
            files.append((path.open("rb"), path.name))
        response = self.as_("analyst").client.post(
            "/api/deployments", data={"files": files}, headers=self.as_("analyst").headers(),
            content_type="multipart/form-data")
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def start(self, key: str, expect: int = 201, **body: Any) -> Any:
        response = self.as_("integrator").post(f"/api/process-definitions/{key}/start", json=body)
        assert response.status_code == expect, response.get_json()
        return response.get_json()


def complete_task(api: ApiClient, user: str, task: dict[str, Any], expect: int = 200, **variables: Any) -> Any:
    """Complete a task (as returned by the API) as ``user``; returns the case the answer shows."""
    response = api.as_(user).post(f"/api/tasks/{task['id']}/complete", json={"variables": variables})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def case_tasks(api: ApiClient, case: dict[str, Any]) -> list[dict[str, Any]]:
    """A case's open tasks, as a supervisor reads them."""
    return api.as_("supervisor").get(f"/api/process-instances/{case['id']}").get_json()["tasks"]
