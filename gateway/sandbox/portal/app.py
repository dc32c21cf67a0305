"""``create_portal_app``: one starlette app playing every kp.org host on a single loopback origin."""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.applications import Starlette

from gateway.sandbox.portal.bootstrap import bootstrap_routes
from gateway.sandbox.portal.config import PortalConfig
from gateway.sandbox.portal.identity import identity_routes
from gateway.sandbox.portal.mycare import mycare_routes
from gateway.sandbox.portal.pharmacy import pharmacy_routes
from gateway.sandbox.portal.results_api import results_routes
from gateway.sandbox.portal.sessions import SessionStore
from gateway.sandbox.portal.signin_ledger import SignInLedger
from gateway.sandbox.portal.state import PortalState

__all__ = ["create_portal_app"]


def create_portal_app(config: PortalConfig, *, clock: Callable[[], float] = time.monotonic) -> Starlette:
    """The sandbox portal for ``config``; ``clock`` drives session idle expiry (seconds, monotonic)."""
    state = PortalState(config=config, sessions=SessionStore(config, clock), ledger=SignInLedger())
    routes = [
        *identity_routes(state),
        *bootstrap_routes(state),
        *results_routes(state),
        *mycare_routes(state),
        *pharmacy_routes(state),
    ]
    return Starlette(routes=routes)
