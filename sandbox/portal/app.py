"""``create_portal_app``: one starlette app playing every kp.org host on a single loopback origin."""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware

from sandbox.portal.access_logs_api import access_logs_routes
from sandbox.portal.allergies_api import allergies_routes
from sandbox.portal.bootstrap import bootstrap_routes
from sandbox.portal.care_team_api import care_team_routes
from sandbox.portal.compose_api import compose_routes
from sandbox.portal.config import PortalConfig
from sandbox.portal.faults import FaultMiddleware
from sandbox.portal.identity import identity_routes
from sandbox.portal.implants_api import implants_routes
from sandbox.portal.messages_api import messages_routes
from sandbox.portal.mycare import mycare_routes
from sandbox.portal.orders_api import orders_routes
from sandbox.portal.pharmacy import pharmacy_routes
from sandbox.portal.problems_api import problems_routes
from sandbox.portal.refill_api import refill_routes
from sandbox.portal.relationships_api import relationships_routes
from sandbox.portal.result_pdf_api import result_document_routes
from sandbox.portal.results_api import results_routes
from sandbox.portal.sessions import SessionStore
from sandbox.portal.signin_ledger import SignInLedger
from sandbox.portal.state import PortalState
from sandbox.portal.visit_notes_api import visit_notes_routes
from sandbox.portal.visits_api import visits_routes

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
        *compose_routes(state),
        *refill_routes(state),
        *problems_routes(state),
        *allergies_routes(state),
        *visits_routes(state),
        *result_document_routes(state, visit_notes_routes(state)),  # result PDFs share the AVS viewer
        *implants_routes(state),
        *orders_routes(state),
        *relationships_routes(state),
        *care_team_routes(state),
        *messages_routes(state),
        *access_logs_routes(state),
    ]
    return Starlette(routes=routes, middleware=[Middleware(FaultMiddleware, config=config)])
