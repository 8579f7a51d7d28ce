"""GET /api/health: what a load balancer polls. It answers 200 only while the database answers."""
from __future__ import annotations

import logging

from api import create_app
from engine import Runtime, Settings


def test_health_is_ok_while_the_database_answers(api):
    answer = api.client.get("/api/health")
    assert answer.status_code == 200 and answer.get_json() == {"status": "ok"}


def test_an_outage_answers_503_and_is_logged_once_as_it_starts_and_once_as_it_ends(tmp_path, caplog):
    """Before, the health check answered 200 without reading the database."""
    path = tmp_path / "govflow.db"
    path.mkdir()  # a folder where the database file should be: SQLite cannot open it
    runtime = Runtime(Settings(database_url=f"sqlite:///{path}", data_dir=tmp_path))
    client = create_app({"TESTING": True}, runtime=runtime).test_client()
    try:
        with caplog.at_level(logging.INFO):
            down = [client.get("/api/health") for _ in range(3)]
            path.rmdir()  # the database is back (a new, empty file)
            up = [client.get("/api/health") for _ in range(2)]
    finally:
        runtime.dispose()

    for answer in down:
        assert answer.status_code == 503
        assert answer.get_json() == {"error": {"code": "database_unavailable", "details": [],
                                               "message": "the database cannot be reached"}}
        assert str(tmp_path) not in answer.get_data(as_text=True)
    assert [a.status_code for a in up] == [200, 200]
    health = [r for r in caplog.records if r.name == "api.health"]
    assert [r.levelname for r in health] == ["ERROR", "WARNING"]
    assert "unable to open database file" in health[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info], "no traceback for an outage"
