"""What the sandbox EHR is configured with: its registered client apps, its patient login,
token lifetimes, its rate limit, and the fault switches tests and the demo flip at run time."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["ClientAuth", "EhrClient", "EhrConfig", "EhrFaults", "EhrProfile", "load_clients"]

ClientAuth = Literal["client_secret", "private_key_jwt", "public"]
#: `ecw`: behaves like eClinicalWorks (see `ecw_profile`); `generic`: a permissive SMART server.
EhrProfile = Literal["ecw", "generic"]


@dataclass(frozen=True)
class EhrClient:
    """A registered app. Loopback redirect URIs match on any port (RFC 8252 §7.3)."""

    client_id: str
    auth: ClientAuth = "public"
    client_secret: str | None = field(default=None, repr=False)
    jwks: dict[str, Any] | None = None
    redirect_uris: tuple[str, ...] = ("http://127.0.0.1/callback",)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EhrClient:
        return cls(
            client_id=str(data["client_id"]),
            auth=data.get("auth", "public"),
            client_secret=data.get("client_secret"),
            jwks=data.get("jwks"),
            redirect_uris=tuple(data.get("redirect_uris", ("http://127.0.0.1/callback",))),
        )


@dataclass
class EhrFaults:
    """Switches for misbehaviour, read on every request (flip them while the server runs).

    - `refresh_expired` / `refresh_revoked`: every refresh token is refused (`invalid_grant`).
    - `refresh_reused`: the next refresh is treated as a replay of a used token (`invalid_grant`).
    - `rate_limited`: every FHIR call answers 429 with `Retry-After: retry_after`.
    - `server_errors`: the next N FHIR calls answer 503.
    - `foreign_next_link`: searchset `next` links point at another origin.
    - `omit_patient`: token responses carry no `patient`.
    """

    refresh_expired: bool = False
    refresh_revoked: bool = False
    refresh_reused: bool = False
    rate_limited: bool = False
    retry_after: int = 2
    server_errors: int = 0
    foreign_next_link: bool = False
    omit_patient: bool = False


@dataclass
class EhrConfig:
    """`provider_host` is the Host name the `ecw` profile treats as eCW's provider host
    (`fhir4.eclinicalworks.com`): a patient launch whose `aud` names it is refused with 403."""

    clients: tuple[EhrClient, ...]
    org_id: str = "SBXPRACTICE"
    seed: int = 1
    username: str = "patient"
    password: str = field(default="sandbox-ehr-password", repr=False)
    access_token_ttl: int = 3600
    refresh_token_ttl: int = 90 * 24 * 3600
    rate_limit_per_minute: int = 250
    smart_configuration: bool = True
    faults: EhrFaults = field(default_factory=EhrFaults)
    clock: Callable[[], float] = time.time
    profile: EhrProfile = "ecw"
    provider_host: str = "localhost"

    def client(self, client_id: str) -> EhrClient | None:
        return next((c for c in self.clients if c.client_id == client_id), None)


def load_clients(path: Path) -> tuple[EhrClient, ...]:
    """Registered clients from a JSON file: `{"clients": [{"client_id": ..., "auth": ...}, ...]}`."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(EhrClient.from_json(item) for item in data.get("clients", []))
