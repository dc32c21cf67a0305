"""``FacadeSettings``: everything one facade app is built from besides its store (who may call it, which
hosts it answers to, which surfaces yield which types, how searches refresh, and its extensions)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from gateway.facade.extension import FacadeExtension
from gateway.facade.refresh import RefreshPolicy

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
DEFAULT_MAX_IN_FLIGHT = 64


@dataclass(frozen=True)
class FacadeSettings:
    """How one facade app is built. Give either ``token`` or ``verify_token``."""

    token: str | None = None
    """The local facade token every protected request must carry."""
    verify_token: Callable[[str], bool] | None = None
    """Instead of ``token``: a check of the presented bearer (e.g. the sandbox EHR's OAuth access tokens)."""
    allowed_hosts: Sequence[str] = LOOPBACK_HOSTS
    port: int | None = None
    """The port the Host header must name (None: any, for in-process use)."""
    cors_origins: Sequence[str] = ()
    """Browser origins allowed to call the facade (none by default: no CORS headers)."""
    surface_types: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """The sync table's surface -> types, so never-synced surfaces are reported."""
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT
    refresh: RefreshPolicy | None = None
    """How searches first refresh stale surfaces (None: offline, the store is served as it is)."""
    extensions: Sequence[FacadeExtension] = ()
    """What features above the facade add to it (``gateway.writes``, ``gateway.bulk``, ``gateway.smart_server``
    each make theirs), in route order."""
