"""``FacadeExtension``: what a feature above the facade adds to it (the guarded writes, Bulk Data export,
the SMART App Launch server) without the facade importing that feature: routes and the operations they
declare, public paths, middleware after the bearer check, further tokens accepted, SMART scopes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from starlette.middleware import Middleware
from starlette.routing import BaseRoute

OperationDeclarations = Mapping[str, Sequence[dict[str, str]]]


@dataclass(frozen=True)
class FacadeExtension:
    routes: Sequence[BaseRoute] = ()
    """Served before the facade's own routes."""
    operations: OperationDeclarations = field(default_factory=dict)
    """The CapabilityStatement's operations of ``routes``, by resource type."""
    system_operations: Sequence[dict[str, str]] = ()
    """The CapabilityStatement's system-level operations of ``routes``."""
    public_paths: Sequence[str] = ()
    """Paths of ``routes`` reached without a bearer token."""
    middleware: Sequence[Middleware] = ()
    """Run after the bearer check, in this order."""
    accepts_token: Callable[[str], bool] | None = None
    """Bearer tokens accepted besides the facade's own (e.g. the SMART server's access tokens)."""
    smart_scopes: Sequence[str] | None = None
    """With SMART App Launch: the scopes the metadata and ``smart-configuration`` advertise."""
