"""What every facade handler works with: the store, which surfaces yield which types, the base URL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from starlette.requests import Request

from gateway.store import ResourceStore


@dataclass(frozen=True)
class FacadeContext:
    """Shared, read-only state of one facade app."""

    store: ResourceStore
    surface_types: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Sync table: surface name -> FHIR types it yields (for "never synced" outcomes)."""


def fhir_base(request: Request) -> str:
    """Absolute base URL of the FHIR endpoint as the client addressed it (``http://127.0.0.1:8765/fhir``)."""
    return str(request.base_url).rstrip("/") + "/fhir"


def is_lenient(request: Request) -> bool:
    """``Prefer: handling=lenient`` (the default, ``strict``, rejects unknown parameters)."""
    return "handling=lenient" in request.headers.get("prefer", "").replace(" ", "").lower()
