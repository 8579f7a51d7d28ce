"""A webhook named by a host whose DNS points at an address no receiver has (a cloud metadata service's) is
not posted to: the check at subscription sees only the name. The name is resolved once per delivery and the
connection goes to the addresses checked, so a second, different answer (DNS rebinding) is never used."""
from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

from engine import delivery


def resolving_to(*answers: str, asked: list[str] | None = None) -> Any:
    """A resolver answering a name with ``answers[0]`` first, then each next one (the last one from then on);
    an address is its own answer, as a real resolver's."""
    names: list[str] = [] if asked is None else asked

    def getaddrinfo(host: str, port: Any = None, *args: Any, **kwargs: Any) -> list[Any]:
        try:
            ipaddress.ip_address(host)
            address = host
        except ValueError:
            names.append(host)
            address = answers[min(len(names), len(answers)) - 1]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port or 0))]
    return getaddrinfo


@pytest.mark.parametrize("address", ["169.254.169.254", "fe80::1", "0.0.0.0", "224.0.0.1", "100.100.100.200",
                                     "2002:a9fe:a9fe::1", "64:ff9b::a9fe:a9fe", "::ffff:169.254.169.254"])
def test_a_name_resolving_to_a_link_local_address_is_not_posted_to(monkeypatch, address):
    monkeypatch.setattr(delivery.socket, "getaddrinfo", resolving_to(address))
    opened: list[Any] = []
    monkeypatch.setattr(delivery, "opener", lambda addresses: opened.append(addresses))
    status, error = delivery.post("https://metadata.internal.example/latest", b"{}", {}, 5)
    assert (status, opened) == (None, [])
    assert error == f"not sent: metadata.internal.example resolves to {address}, which is never a receiver"


def test_a_name_resolving_to_an_ordinary_address_is_posted_to_that_address(monkeypatch):
    monkeypatch.setattr(delivery.socket, "getaddrinfo", resolving_to("10.0.0.7"))
    tried: list[Any] = []

    def refuse(address: Any, *args: Any) -> Any:
        tried.append(address)
        raise OSError("connection refused")
    monkeypatch.setattr(delivery.socket, "create_connection", refuse)
    status, error = delivery.post("https://receiver.example/hook", b"{}", {}, 5)
    assert tried == [("10.0.0.7", 443)] and status is None and "connection refused" in error


def test_the_connection_goes_to_the_address_checked_not_a_second_answer(monkeypatch, receiver):
    """Before, the name was resolved for the check and again by the connection: a resolver answering a
    harmless address first and the metadata service's second had the case data posted there."""
    asked: list[str] = []
    monkeypatch.setattr(delivery.socket, "getaddrinfo", resolving_to("127.0.0.1", "169.254.169.254", asked=asked))
    url = f"http://receiver.example:{receiver.port}/hook"

    assert delivery.post(url, b'{"ok": true}', {"Content-Type": "application/json"}, 5) == (200, None)

    assert asked == ["receiver.example"]
    [received] = receiver.received
    assert received.headers["Host"] == f"receiver.example:{receiver.port}" and received.body == b'{"ok": true}'


def test_tls_is_spoken_to_the_checked_address_under_the_urls_name(monkeypatch, receiver):
    """https: the pinned address is connected to and TLS starts there (this receiver speaks plain HTTP, so
    the handshake fails: nothing is posted, nothing else is tried)."""
    asked: list[str] = []
    monkeypatch.setattr(delivery.socket, "getaddrinfo", resolving_to("127.0.0.1", "169.254.169.254", asked=asked))
    status, error = delivery.post(f"https://receiver.example:{receiver.port}/hook", b"{}", {}, 5)
    assert status is None and "SSL" in error and asked == ["receiver.example"] and receiver.received == []


def test_a_name_that_does_not_resolve_is_a_failed_delivery(monkeypatch):
    def nothing(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    monkeypatch.setattr(delivery.socket, "getaddrinfo", nothing)
    status, error = delivery.post("https://gone.example/hook", b"{}", {}, 5)
    assert status is None and error.startswith("gaierror: gone.example does not resolve")
