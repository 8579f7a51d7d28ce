"""Material storage: content-addressed blobs on a local disk or in S3-compatible object storage."""
from __future__ import annotations

import base64
import hashlib
import io
import sys
import types
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from engine import storage
from engine.errors import NotFound, TooLarge
from engine.settings import Settings


def chunks(data: bytes, size: int = 7) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]


def test_a_local_blob_is_named_by_its_sha256_and_reads_back_unchanged(tmp_path: Path):
    store = storage.LocalStorage(tmp_path)
    data = b"%PDF-1.7 the applicant's licence"
    blob = store.put(chunks(data), max_bytes=1000)
    assert blob == storage.Blob(hashlib.sha256(data).hexdigest(), len(data))
    assert store.exists(blob.sha256)
    with store.open(blob.sha256) as stream:
        assert stream.read() == data
    assert (tmp_path / blob.sha256[:2] / blob.sha256[2:4] / blob.sha256).is_file()


def test_storing_the_same_content_twice_keeps_one_copy(tmp_path: Path):
    store = storage.LocalStorage(tmp_path)
    first, second = store.put([b"same"], max_bytes=10), store.put([b"sa", b"me"], max_bytes=10)
    assert first == second
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1


def test_a_blob_over_the_limit_is_refused_and_leaves_nothing_behind(tmp_path: Path):
    store = storage.LocalStorage(tmp_path)
    with pytest.raises(TooLarge):
        store.put(chunks(b"x" * 101), max_bytes=100)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert store.put([b"x" * 100], max_bytes=100).size == 100


def test_unknown_or_malformed_names_are_not_found(tmp_path: Path):
    store = storage.LocalStorage(tmp_path)
    with pytest.raises(NotFound):
        store.open("0" * 64)
    with pytest.raises(NotFound):
        store.open("../../etc/passwd")
    assert not store.exists("../../etc/passwd")


class FakeS3:
    """The three calls S3Storage makes, answering like botocore (ClientError carries .response)."""

    class ClientError(Exception):
        def __init__(self, code: str) -> None:
            super().__init__(code)
            self.response = {"Error": {"Code": code}}

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}
        self.puts: list[dict[str, Any]] = []

    def put_object(self, *, Bucket: str, Key: str, Body: Any, ContentLength: int, ChecksumSHA256: str) -> None:
        data = Body.read()
        assert len(data) == ContentLength
        assert base64.b64decode(ChecksumSHA256) == hashlib.sha256(data).digest()
        self.objects[(Bucket, Key)] = data
        self.puts.append({"Bucket": Bucket, "Key": Key})

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        if (Bucket, Key) not in self.objects:
            raise self.ClientError("NoSuchKey")
        return {"Body": io.BytesIO(self.objects[(Bucket, Key)])}

    def head_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        if (Bucket, Key) not in self.objects:
            raise self.ClientError("404")
        return {"ContentLength": len(self.objects[(Bucket, Key)])}


def test_s3_storage_puts_objects_under_their_hash_once_and_reads_them_back():
    client = FakeS3()
    store = storage.S3Storage(client, "materials", "govflow/")
    data = b"\x89PNG\r\n\x1a\n an identity card"
    blob = store.put(chunks(data), max_bytes=1000)
    assert client.puts == [{"Bucket": "materials", "Key": f"govflow/{blob.sha256}"}]
    assert store.put([data], max_bytes=1000) == blob and len(client.puts) == 1  # already there
    assert store.exists(blob.sha256) and store.open(blob.sha256).read() == data
    with pytest.raises(NotFound):
        store.open("f" * 64)
    assert not store.exists("f" * 64)
    with pytest.raises(TooLarge):
        store.put([b"x" * 11], max_bytes=10)


def test_s3_errors_other_than_a_missing_object_are_not_hidden():
    client = FakeS3()

    def denied(**_kwargs: Any) -> None:
        raise FakeS3.ClientError("AccessDenied")

    client.head_object = denied  # type: ignore[method-assign]
    with pytest.raises(FakeS3.ClientError):
        storage.S3Storage(client, "materials").exists("a" * 64)


def test_settings_choose_the_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    base = Settings(database_url="sqlite://", data_dir=tmp_path)
    local = storage.for_settings(base)
    assert isinstance(local, storage.LocalStorage) and local.root == tmp_path / "materials"
    assert storage.for_settings(base) is local  # built once per process
    made: dict[str, Any] = {}
    fake_boto3 = types.SimpleNamespace(client=lambda service, endpoint_url=None: made.update(
        service=service, endpoint_url=endpoint_url) or FakeS3())
    monkeypatch.setitem(sys.modules, "boto3", fake_boto3)
    s3 = storage.for_settings(replace(base, storage_url="s3://bucket/cases/", s3_endpoint_url="http://127.0.0.1:9000"))
    assert isinstance(s3, storage.S3Storage) and (s3.bucket, s3.prefix) == ("bucket", "cases/")
    assert made == {"service": "s3", "endpoint_url": "http://127.0.0.1:9000"}
    elsewhere = storage.for_settings(replace(base, storage_url=str(tmp_path / "elsewhere")))
    assert isinstance(elsewhere, storage.LocalStorage) and elsewhere.root == tmp_path / "elsewhere"
    with pytest.raises(ValueError):
        storage.for_settings(replace(base, storage_url="ftp://nowhere"))
