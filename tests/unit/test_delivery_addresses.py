"""A webhook named by a host whose DNS points at an address no receiver has (a cloud metadata service's) is
not posted to: the check at subscription sees only the name."""
from __future__ import annotations

import socket
from typing import Any

import pytest

from engine import delivery


def resolving_to(address: str) -> Any:
    def getaddrinfo(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, 443))]
    return getaddrinfo


@pytest.mark.parametrize("address", ["169.254.169.254", "fe80::1", "0.0.0.0", "224.0.0.1"])
def test_a_name_resolving_to_a_link_local_address_is_not_posted_to(monkeypatch, address):
    monkeypatch.setattr(delivery.socket, "getaddrinfo", resolving_to(address))
    opened: list[Any] = []
    monkeypatch.setattr(delivery._opener, "open", lambda *args, **kwargs: opened.append(args))
    status, error = delivery.post("https://metadata.internal.example/latest", b"{}", {}, 5)
    assert (status, opened) == (None, [])
    assert error == f"not sent: metadata.internal.example resolves to {address}, which is never a receiver"


def test_a_name_resolving_to_an_ordinary_address_is_posted_to(monkeypatch):
    monkeypatch.setattr(delivery.socket, "getaddrinfo", resolving_to("10.0.0.7"))
    opened: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        opened.append(args)
        raise OSError("connection refused")
    monkeypatch.setattr(delivery._opener, "open", refuse)
    status, error = delivery.post("https://receiver.example/hook", b"{}", {}, 5)
    assert len(opened) == 1 and status is None and error == "OSError: connection refused"
