"""GOVFLOW_DATA_DIR (materials, the page session's key) is made absolute once, when the process builds its
settings: a working directory changed later does not move it. A material whose file is gone answers 404
without the server's path."""
from __future__ import annotations

import io
import logging
from pathlib import Path

from engine import Settings, storage

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"


def test_a_relative_data_dir_stays_where_it_was_when_the_working_directory_changes(tmp_path, monkeypatch):
    """Before, Settings kept a relative data_dir: materials went under whatever directory the process was in."""
    (tmp_path / "start").mkdir()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "start")
    settings = Settings(database_url="sqlite://", data_dir=Path("data"))
    monkeypatch.chdir(tmp_path / "elsewhere")

    blob = storage.for_settings(settings).put([PDF], max_bytes=len(PDF))

    assert settings.data_dir == tmp_path / "start" / "data"
    assert storage.for_settings(settings).open(blob.sha256).read() == PDF
    assert list((tmp_path / "start" / "data" / "materials").rglob(blob.sha256))
    assert not (tmp_path / "elsewhere" / "data").exists()


def test_govflow_data_dir_expands_home_and_empty_means_unset(tmp_path, monkeypatch):
    """Before, "~/govflow" was a folder named "~" under the working directory, and an empty value the working
    directory itself."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GOVFLOW_DATA_DIR", "~/govflow")
    assert Settings.from_env().data_dir == tmp_path / "home" / "govflow"
    monkeypatch.setenv("GOVFLOW_DATA_DIR", "")
    assert Settings.from_env().data_dir == tmp_path / "var"


def test_a_material_whose_file_is_gone_answers_404_without_the_servers_path(api, caplog):
    api.deploy("simple_approval.bpmn")
    case = api.start("simple_approval", variables={"reviewGroup": "office"})
    caller = api.as_("integrator")
    uploaded = caller.client.post(f"/api/process-instances/{case['id']}/materials",
                                  data={"file": (io.BytesIO(PDF), "营业执照.pdf"), "name": "营业执照"},
                                  headers=caller.headers(), content_type="multipart/form-data").get_json()
    root = api.runtime.settings.data_dir
    [stored] = (root / "materials").rglob(uploaded["sha256"])
    stored.unlink()

    with caplog.at_level(logging.WARNING, logger="engine.storage"):
        answer = caller.get(f"/api/process-instances/{case['id']}/materials/{uploaded['id']}")

    assert answer.status_code == 404
    error = answer.get_json()["error"]
    assert error["code"] == "not_found" and uploaded["sha256"] in error["message"]
    assert str(root) not in answer.get_data(as_text=True) and "/" not in error["message"]
    assert [str(stored) in r.getMessage() for r in caplog.records if r.name == "engine.storage"] == [True]


def test_a_relative_sqlite_path_in_database_url_stays_where_it_was(tmp_path, monkeypatch):
    """Before, sqlite:///cases.db was opened against whatever directory the process was in at each connection:
    a server that changed directory would have made a new, empty database."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///db/cases.db?timeout=5")
    assert Settings.from_env().database_url == f"sqlite:///{tmp_path}/db/cases.db?timeout=5"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DATABASE_URL", "sqlite:///~/cases.db")  # as GOVFLOW_DATA_DIR="~/govflow" is read
    assert Settings.from_env().database_url == f"sqlite:///{tmp_path}/home/cases.db"
    for unchanged in ("sqlite://", "sqlite:///:memory:", f"sqlite:///{tmp_path}/x.db",
                      "postgresql+psycopg://postgres@127.0.0.1:5432/test", "sqlite:///file:x.db?uri=true",
                      "sqlite://tmp/x.db"):
        monkeypatch.setenv("DATABASE_URL", unchanged)
        assert Settings.from_env().database_url == unchanged
