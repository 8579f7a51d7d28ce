"""The case archive (电子信息库): one zip with a manifest, the materials and documents, and their hashes."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile

from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table, insert

from engine import archive
from engine.storage import LocalStorage
from tests.api.test_materials import PDF, PNG, upload


def fetch_archive(api, instance_id: int, user: str = "supervisor") -> zipfile.ZipFile:  # type: ignore[no-untyped-def]
    response = api.as_(user).get(f"/api/process-instances/{instance_id}/archive")
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/zip"
    assert f"case-{instance_id}.zip" in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.data))


def started_case(api) -> dict:  # type: ignore[no-untyped-def]
    api.deploy("simple_approval.bpmn")
    return api.start("simple_approval", business_key="ARCH-1", variables={"reviewGroup": "office", "applicant": "张三"})


def test_the_archive_holds_the_case_its_history_and_materials_with_verified_hashes(api):
    case = started_case(api)
    uploaded = [upload(api, "integrator", case["id"], PDF).get_json(),
                upload(api, "integrator", case["id"], PNG, filename="身份证.png", name="身份证").get_json()]
    [accept] = case["tasks"]
    api.as_("window_clerk").post(f"/api/tasks/{accept['id']}/complete", json={"variables": {"accepted": False}})
    with fetch_archive(api, case["id"]) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
        assert manifest["format"] == archive.FORMAT and manifest["generated_by"] == "supervisor"
        assert (manifest["case"]["id"], manifest["case"]["business_key"], manifest["case"]["state"]) == (
            case["id"], "ARCH-1", "completed")
        assert manifest["variables"]["applicant"] == "张三" and manifest["variables"]["accepted"] is False
        events = [e["event"] for e in manifest["history"]]
        assert events[0] == "instance.started" and events.count("material.uploaded") == 2
        assert "instance.completed" in events
        assert [t["completed_by"] for t in manifest["tasks"]] == ["window_clerk"]
        assert manifest["documents"] == []
        for entry, original, content in zip(manifest["materials"], uploaded, (PDF, PNG)):
            stored = zipped.read(entry["path"])
            assert stored == content and entry["sha256"] == original["sha256"] == hashlib.sha256(stored).hexdigest()
        sums = dict(reversed(line.split("  ", 1)) for line in zipped.read("SHA256SUMS").decode().splitlines())
        assert set(sums) == {"manifest.json", *(m["path"] for m in manifest["materials"])}
        for path, digest in sums.items():
            assert hashlib.sha256(zipped.read(path)).hexdigest() == digest, path


def test_the_archive_is_for_those_who_may_see_the_case_s_materials(api):
    case = started_case(api)
    assert api.as_("analyst").get(f"/api/process-instances/{case['id']}/archive").status_code == 403
    assert api.as_("office_clerk").get(f"/api/process-instances/{case['id']}/archive").status_code == 404  # not theirs
    assert api.get("/api/process-instances/424242/archive").status_code == 404
    with fetch_archive(api, case["id"], user="window_clerk") as zipped:
        assert json.loads(zipped.read("manifest.json"))["materials"] == []


def test_a_stored_file_that_no_longer_matches_its_hash_fails_the_archive(api, runtime):
    case = started_case(api)
    content = b"%PDF-1.4 only in this test " + case["business_key"].encode()
    material = upload(api, "integrator", case["id"], content).get_json()
    blob = LocalStorage(runtime.settings.data_dir / "materials")._path(material["sha256"])
    blob.write_bytes(content + b" tampered")
    response = api.as_("supervisor").get(f"/api/process-instances/{case['id']}/archive")
    assert response.status_code == 500 and response.get_json()["error"]["code"] == "internal_error"


def test_documents_issued_go_into_the_archive_with_their_hashes(api, runtime, monkeypatch):
    documents = Table("test_archive_documents", MetaData(), Column("id", Integer, primary_key=True),
                      Column("instance_id", Integer), Column("name", String(100)), Column("content", LargeBinary))
    documents.create(runtime.engine, checkfirst=True)
    try:
        case = started_case(api)
        notice = "受理通知书 ARCH-1".encode()
        with runtime.engine.begin() as connection:
            connection.execute(insert(documents).values(id=1, instance_id=case["id"], name="受理通知书.html",
                                                        content=notice))
        monkeypatch.setattr(archive, "documents_table", lambda: documents)
        with fetch_archive(api, case["id"]) as zipped:
            [entry] = json.loads(zipped.read("manifest.json"))["documents"]
            [file] = entry["files"]
            assert entry["name"] == "受理通知书.html" and zipped.read(file["path"]) == notice
            assert file["sha256"] == hashlib.sha256(notice).hexdigest()
            assert f"{file['sha256']}  {file['path']}" in zipped.read("SHA256SUMS").decode()
    finally:
        documents.drop(runtime.engine)
