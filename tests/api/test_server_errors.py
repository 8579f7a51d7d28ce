"""``govflow serve``: requests gunicorn refuses itself, before the app sees them (a request line or headers
over its limits, a malformed request line), are answered in the API's one JSON error shape, as every
other error is."""
from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import LiveServer


@pytest.fixture(scope="module")
def server(migrated, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(migrated.database_url, tmp_path_factory.mktemp("serve"), workers=1)
    try:
        yield live
    finally:
        live.stop()


def exchange(server: LiveServer, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Sends raw bytes (http.client refuses to send what these tests need) and reads the whole answer: the
    server closes the connection after an error."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (h.partition(":") for h in header_lines)}
    return int(status_line.split()[1]), headers, body


def error_of(headers: dict[str, str], body: bytes) -> dict[str, object]:
    assert headers["content-type"] == "application/json"
    assert int(headers["content-length"]) == len(body)
    document = json.loads(body)
    assert list(document) == ["error"] and set(document["error"]) == {"code", "message", "details"}
    assert document["error"]["details"] == []
    return document["error"]


def test_a_10_kb_request_line_is_414_in_the_error_shape(server: LiveServer):
    status, headers, body = exchange(server, b"GET /api/health?pad=" + b"x" * 10_240 + b" HTTP/1.1\r\n"
                                             b"Host: localhost\r\n\r\n")
    error = error_of(headers, body)
    assert status == 414 and error["code"] == "request_uri_too_long"
    assert "request line" in str(error["message"]) and "4094 bytes" in str(error["message"])


def test_a_huge_header_is_431_in_the_error_shape(server: LiveServer):
    status, headers, body = exchange(server, b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n"
                                             b"X-Pad: " + b"x" * 20_000 + b"\r\n\r\n")
    error = error_of(headers, body)
    assert status == 431 and error["code"] == "request_header_fields_too_large"
    assert "header" in str(error["message"])


def test_too_many_headers_are_431_in_the_error_shape(server: LiveServer):
    many = b"".join(b"X-H%d: v\r\n" % i for i in range(150))
    status, headers, body = exchange(server, b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n" + many + b"\r\n")
    assert status == 431 and error_of(headers, body)["code"] == "request_header_fields_too_large"


def test_a_malformed_request_line_is_400_in_the_error_shape(server: LiveServer):
    status, headers, body = exchange(server, b"GET /api/health HTTP/9.9\r\nHost: localhost\r\n\r\n")
    error = error_of(headers, body)
    assert status == 400 and error["code"] == "bad_request" and "HTTP" in str(error["message"])


def test_the_app_still_answers_and_its_own_errors_keep_their_shape(server: LiveServer):
    status, headers, body = exchange(server, b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    assert status == 200
    status, headers, body = exchange(server, b"GET /api/nope HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    assert status == 404 and error_of(headers, body)["code"] == "not_found"


def test_an_unsupported_transfer_coding_is_501_naming_it(server: LiveServer):
    status, headers, body = exchange(server, b"POST /api/messages HTTP/1.1\r\nHost: localhost\r\n"
                                             b"Transfer-Encoding: bogus\r\n\r\n")
    error = error_of(headers, body)
    assert status == 501 and error["code"] == "not_implemented" and "transfer coding: 'bogus'" in str(error["message"])


def test_the_server_opens_no_gunicorn_control_socket(server: LiveServer):
    """gunicorn's control socket has one path per user: a second server on the host would take it over."""
    exchange(server, b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    server.log.flush()
    log = Path(server.log.name).read_text(encoding="utf-8")
    assert "Listening at" in log and "ontrol socket" not in log
