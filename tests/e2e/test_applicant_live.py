"""The applicants' side over HTTP against a live server: an integrator starts a case and hands the query
code to the applicant, who follows it without an account, rates it badly once it is done (the window
then finds the rectification in its queue), files a complaint and follows that too, and is slowed down
with 429 when guessing codes."""
from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import requests

from engine import calendar, definitions, users
from engine.users import SYSTEM
from tests.applicants import (
    COMPLAINT,
    COMPLAINT_FORMS,
    RECTIFICATION,
    RECTIFICATION_FORMS,
    WINDOW,
)
from tests.live import LiveServer

pytestmark = pytest.mark.slow


class Http:
    def __init__(self, url: str, token: str | None = None) -> None:
        self.url, self.headers = url, ({"Authorization": f"Bearer {token}"} if token else {})

    def get(self, path: str, **params: Any) -> requests.Response:
        return requests.get(self.url + path, params=params, headers=self.headers, timeout=10)

    def post(self, path: str, body: Any) -> requests.Response:
        return requests.post(self.url + path, json=body, headers=self.headers, timeout=10)

    def complete(self, instance_id: int, bpmn_id: str, **variables: Any) -> None:
        case = self.get(f"/api/process-instances/{instance_id}").json()
        [task] = [t for t in case["tasks"] if t["bpmn_id"] == bpmn_id]
        done = self.post(f"/api/tasks/{task['id']}/complete", {"variables": variables})
        assert done.status_code == 200, done.text


def test_an_applicant_follows_rates_and_complains_over_http(runtime, tmp_path, monkeypatch):
    calendar.seed_national(runtime.uow())
    files = [(p.name, p.read_bytes()) for p in (WINDOW, RECTIFICATION, COMPLAINT, *RECTIFICATION_FORMS,
                                                 *COMPLAINT_FORMS)]
    definitions.deploy(runtime.uow(), files, actor=SYSTEM)
    cast = (("integrator", [], ["integrator"]), ("window_clerk", ["window"], ["clerk"]), ("admin", [], ["admin"]),
            ("desk_clerk", ["complaints"], ["clerk"]))
    tokens = {name: users.add_user(runtime.uow(), name, groups=groups, roles=roles, actor=SYSTEM)[1]
              for name, groups, roles in cast}
    monkeypatch.setenv("GOVFLOW_PUBLIC_RATE_LIMIT", "30 per minute")
    server = LiveServer(runtime.settings.database_url, tmp_path, workers=1)  # one process: one exact count
    try:
        integrator, window, admin = (Http(server.url, tokens[n]) for n in ("integrator", "window_clerk", "admin"))
        applicant = Http(server.url)

        started = integrator.post("/api/process-definitions/window_acceptance/start",
                                  {"business_key": "SX-2026-100001", "variables": {"applicant_name": "张三"}})
        assert started.status_code == 201
        case, code = started.json(), started.json()["query_code"]
        first = applicant.get("/api/public/progress/SX-2026-100001", code=code)
        assert first.status_code == 200 and first.json()["case_state"] == "已接件"
        assert first.json()["current_steps"] == ["受理审查（综合窗口）"]

        window.complete(case["id"], "accept", decision="accept")
        for step, variables in (("review", {"review_opinion": "同意"}), ("decide", {"approved": True}),
                                ("certify", {})):
            admin.complete(case["id"], step, **variables)
        window.complete(case["id"], "deliver", delivery_method="window")
        done = applicant.get("/api/public/progress/SX-2026-100001", code=code).json()
        assert done["status"] == "已办结" and done["case_state"] == "办结(通过)"
        assert [step["name"] for step in done["steps"][-2:]] == ["统一出件（送达）", "办结（准予）"]

        rated = applicant.post("/api/public/ratings", {"case_no": "SX-2026-100001", "code": code, "level": 4,
                                                       "comment": "等候时间太长"})
        assert rated.status_code == 201 and rated.json()["rectification"] is True
        queue = window.get("/api/tasks", mine="true").json()["items"]
        assert [t["name"] for t in queue] == ["差评整改（责任部门）"] and queue[0]["due_at"]

        filed = applicant.post("/api/public/complaints", {"name": "李四", "phone": "13812345678",
                                                          "content": "等候时间太长", "case_no": "SX-2026-100001"})
        assert filed.status_code == 201
        complaint = applicant.get(f"/api/public/progress/{filed.json()['complaint_no']}",
                                  code=filed.json()["query_code"])
        assert complaint.status_code == 200 and complaint.json()["item_name"] == "政务服务投诉"
        assert Http(server.url, tokens["desk_clerk"]).get("/api/tasks", mine="true").json()["total"] == 1

        guesses = [applicant.get("/api/public/progress/SX-2026-100001", code="ABCDEFGH") for _ in range(30)]
        statuses = [g.status_code for g in guesses]
        assert 429 in statuses and set(statuses) <= {404, 429}
        refused = guesses[statuses.index(429)]
        assert int(refused.headers["Retry-After"]) >= 1 and refused.json()["error"]["code"] == "too_many_requests"
        forged = requests.get(server.url + "/api/no-such%0A127.0.0.1 - - FORGED %1b[31m")
        assert forged.status_code == 404 and forged.json()["error"]["code"] == "not_found"
        basic = base64.b64encode("x\n127.0.0.1 - admin [FORGED-USER]:pw".encode()).decode()
        assert requests.get(server.url + "/api/不存在", headers={"Authorization": f"Basic {basic}"}).status_code == 404
    finally:
        server.stop()
    # The access log names the lookups but never the query codes they carried.
    log = Path(server.log.name).read_text(encoding="utf-8")
    assert "GET /api/public/progress/SX-2026-100001 HTTP/1.1" in log
    assert code not in log and "ABCDEFGH" not in log and filed.json()["query_code"] not in log
    # A path cannot write a line of its own into the log: its control characters are written as escapes.
    assert "/api/no-such\\x0a127.0.0.1 - - FORGED \\x1b[31m" in log
    assert not any(line.startswith("127.0.0.1 - - FORGED") for line in log.splitlines())
    assert "FORGED-USER" in log and not any(line.startswith("127.0.0.1 - admin") for line in log.splitlines())
    assert "GET /api/不存在 HTTP/1.1" in log  # Chinese in a path is written as Chinese
