"""Test-only network guard for fhirgate subprocesses: put this directory on PYTHONPATH and set
``FHIRGATE_TEST_NETWORK_LOG`` to a file. Any name lookup of a non-loopback host and any socket connection
to a non-loopback address is refused (``OSError``) and appended to that file, so a test can assert that a
run tried nothing outside 127.0.0.1 / ::1. Python imports ``sitecustomize`` at start-up by itself."""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Any

_LOG = os.environ.get("FHIRGATE_TEST_NETWORK_LOG")
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_loopback_host(host: object) -> bool:
    if host is None:
        return True
    name = host.decode() if isinstance(host, bytes) else str(host)
    name = name.strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(what: str) -> OSError:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {what}\n")
    return OSError(f"test network guard: {what} is not loopback")


def _allowed(sock: socket.socket, address: Any) -> bool:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return True  # unix sockets, netlink: not the network
    host = address[0] if isinstance(address, tuple) else address
    return _is_loopback_host(host)


if _LOG:
    _getaddrinfo = socket.getaddrinfo
    _connect = socket.socket.connect
    _connect_ex = socket.socket.connect_ex

    def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback_host(host):
            raise _refuse(f"getaddrinfo {host!r}")
        return _getaddrinfo(host, *args, **kwargs)

    def _guarded_connect(self: socket.socket, address: Any) -> None:
        if not _allowed(self, address):
            raise _refuse(f"connect {address!r}")
        _connect(self, address)

    def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
        if not _allowed(self, address):
            raise _refuse(f"connect_ex {address!r}")
        return _connect_ex(self, address)

    socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
