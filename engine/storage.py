"""Where the bytes of materials live: content-addressed blobs behind a small interface.

A blob's name is the SHA-256 of its content, so storing the same file twice keeps one copy, and a
blob can never change under a name already recorded. Blobs are written before the database row that
names them commits; a rolled-back command leaves an unreferenced blob behind, never a row without bytes.

Backends: ``LocalStorage`` (a directory under the data dir, the default) and ``S3Storage`` (any
S3-compatible service; install the ``s3`` extra for boto3).
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from .errors import NotFound, TooLarge
from .settings import Settings

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
_HASH = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Blob:
    sha256: str
    size: int


class Storage(Protocol):
    def put(self, chunks: Iterable[bytes], *, max_bytes: int) -> Blob:
        """Store the bytes; returns their hash and size. Raises TooLarge past ``max_bytes``."""

    def open(self, sha256: str) -> IO[bytes]:
        """A readable stream of a stored blob. Raises NotFound."""

    def exists(self, sha256: str) -> bool: ...


def read_chunks(stream: IO[bytes], size: int = CHUNK) -> Iterator[bytes]:
    while chunk := stream.read(size):
        yield chunk


def _check_name(sha256: str) -> str:
    if not _HASH.match(sha256):
        raise NotFound(f"blob {sha256!r} not found")
    return sha256


def _copy_hashed(chunks: Iterable[bytes], out: IO[bytes], max_bytes: int) -> tuple[Blob, bytes]:
    """Copy chunks to ``out`` while hashing them; refuse past ``max_bytes``. Returns the blob and raw digest."""
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(f"the file is larger than {max_bytes} bytes", limit=max_bytes)
        digest.update(chunk)
        out.write(chunk)
    return Blob(digest.hexdigest(), size), digest.digest()


class LocalStorage:
    """Blobs as files ``<root>/ab/cd/<hash>``, written to a temporary file and renamed into place, so
    a reader never sees half a file and a crash leaves at most a stray temporary file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, chunks: Iterable[bytes], *, max_bytes: int) -> Blob:
        incoming = self.root / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=incoming)
        try:
            with os.fdopen(fd, "wb") as out:
                blob, _ = _copy_hashed(chunks, out, max_bytes)
                out.flush()
                os.fsync(out.fileno())
            target = self._path(blob.sha256)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, target)  # atomic; the same content under the same name is harmless
            return blob
        finally:
            if os.path.exists(temp):
                os.unlink(temp)

    def open(self, sha256: str) -> IO[bytes]:
        path = self._path(_check_name(sha256))
        try:
            return path.open("rb")
        except FileNotFoundError:
            log.warning("stored file missing: %s", path)  # the server's path, for the operator only
            raise _missing(sha256) from None

    def exists(self, sha256: str) -> bool:
        return bool(_HASH.match(sha256)) and self._path(sha256).is_file()


class S3Storage:
    """Blobs as objects ``<prefix><hash>`` in a bucket of any S3-compatible service (MinIO, OSS, COS ...).

    ``client`` is a boto3 S3 client or anything with ``put_object``, ``get_object`` and ``head_object``.
    The object key is the hash, known only after reading, so the upload is spooled to a temporary file
    (in memory up to 8 MiB) first; S3 checks the body against the SHA-256 sent along.
    """

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def put(self, chunks: Iterable[bytes], *, max_bytes: int) -> Blob:
        import base64

        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
            blob, digest = _copy_hashed(chunks, spool, max_bytes)
            if not self.exists(blob.sha256):
                spool.seek(0)
                self.client.put_object(Bucket=self.bucket, Key=self.prefix + blob.sha256, Body=spool,
                                       ContentLength=blob.size, ChecksumSHA256=base64.b64encode(digest).decode())
        return blob

    def open(self, sha256: str) -> IO[bytes]:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.prefix + _check_name(sha256))["Body"]
        except Exception as exc:
            if _is_missing(exc):
                log.warning("stored file missing: s3://%s/%s%s", self.bucket, self.prefix, sha256)
                raise _missing(sha256) from None
            raise

    def exists(self, sha256: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.prefix + _check_name(sha256))
            return True
        except Exception as exc:
            if _is_missing(exc):
                return False
            raise


def _missing(sha256: str) -> NotFound:
    """What a caller learns of a file gone from storage: not where the server keeps it (that is logged)."""
    return NotFound(f"the stored file {sha256} is missing")


def _is_missing(exc: Exception) -> bool:
    """botocore's ClientError carries the S3 error code; NoSuchKey / 404 mean the object is absent."""
    response = getattr(exc, "response", None)
    code = str(response.get("Error", {}).get("Code")) if isinstance(response, dict) else ""
    return code in ("404", "NoSuchKey", "NotFound")


_cache: dict[tuple[str | None, str | None, Path], Storage] = {}
_lock = threading.Lock()


def for_settings(settings: Settings) -> Storage:
    """The storage the settings name, built once per process."""
    key = (settings.storage_url, settings.s3_endpoint_url, settings.data_dir)
    with _lock:
        if key not in _cache:
            _cache[key] = _build(settings)
        return _cache[key]


def _build(settings: Settings) -> Storage:
    url = settings.storage_url
    if not url:
        return LocalStorage(settings.data_dir / "materials")
    if url.startswith("s3://"):
        import boto3  # the optional "s3" extra

        bucket, _, prefix = url[len("s3://"):].partition("/")
        client = boto3.client("s3", endpoint_url=settings.s3_endpoint_url)
        return S3Storage(client, bucket, prefix.rstrip("/") + "/" if prefix else "")
    if url.startswith(("file://", "/")):
        return LocalStorage(Path(url.removeprefix("file://")))
    raise ValueError(f"unsupported GOVFLOW_STORAGE_URL {url!r}: use s3://bucket/prefix or a directory")
