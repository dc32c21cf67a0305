"""`create_ehr_app`: the sandbox SMART EHR, one practice like an eClinicalWorks one.

Routes: `/fhir/r4/<orgId>/.well-known/smart-configuration`, the FHIR API under `/fhir/r4/<orgId>`,
the OAuth server under `/oauth/oauth2/` (authorize, login, consent, token, revoke in the generic
profile), and eCW's practice directory at `/ecwopendev/external/practiceList`.
The record lives in a `SqliteStore` in `data_dir`, seeded from the synthetic person.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

from gateway.facade import LOOPBACK_HOSTS, FacadeSettings, create_facade_app
from gateway.store import SqliteStore
from sandbox.ehr.config import EhrConfig
from sandbox.ehr.consent import AuthorizePages
from sandbox.ehr.ecw_profile import FixedMinuteLimit, ecw_smart_configuration
from sandbox.ehr.fhir_api import FhirApi
from sandbox.ehr.grants import GrantLedger
from sandbox.ehr.practice_list import PRACTICE_LIST_PATH, PracticeList
from sandbox.ehr.record import EhrRecord, build_record, seed_store
from sandbox.ehr.token_api import TokenEndpoints

__all__ = ["EhrApp", "create_ehr_app"]

AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]
CAPABILITIES = [
    "launch-standalone",
    "client-public",
    "client-confidential-symmetric",
    "client-confidential-asymmetric",
    "context-standalone-patient",
    "permission-patient",
    "permission-offline",
    "permission-v1",
    "permission-v2",
    "sso-openid-connect",
]


@dataclass
class EhrApp:
    """The running pieces: the ASGI app, its store (close it), record, ledger and config."""

    app: ASGIApp
    store: SqliteStore
    record: EhrRecord
    ledger: GrantLedger
    config: EhrConfig

    def fhir_base(self, origin: str) -> str:
        return f"{origin.rstrip('/')}/fhir/r4/{self.config.org_id}"


def create_ehr_app(config: EhrConfig, data_dir: Path) -> EhrApp:
    record = build_record(config.seed)
    store = SqliteStore.open(data_dir / "ehr.sqlite3")
    seed_store(store, record)
    ledger = GrantLedger(config.clock)
    prefix = f"/fhir/r4/{config.org_id}"

    def verify(token: str) -> bool:
        return ledger.access_grant(token) is not None

    facade = create_facade_app(
        store, FacadeSettings(verify_token=verify, allowed_hosts=(*LOOPBACK_HOSTS, "testserver"))
    )
    person = record.person
    pages = AuthorizePages(config, ledger, record.patient_id, f"{person.first_name} {person.surname}")
    tokens = TokenEndpoints(config, ledger, config.clock)

    def smart_configuration(request: Request) -> Response:
        if not config.smart_configuration:
            return JSONResponse({"error": "not found"}, status_code=404)
        oauth = f"{str(request.base_url).rstrip('/')}/oauth/oauth2"
        if config.profile == "ecw":
            return JSONResponse(ecw_smart_configuration(f"{str(request.base_url).rstrip('/')}{prefix}", oauth))
        return JSONResponse(
            {
                "issuer": oauth,
                "authorization_endpoint": f"{oauth}/authorize",
                "token_endpoint": f"{oauth}/token",
                "revocation_endpoint": f"{oauth}/revoke",
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                    "private_key_jwt",
                ],
                "token_endpoint_auth_signing_alg_values_supported": ["RS384"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "scopes_supported": [
                    "openid",
                    "fhirUser",
                    "launch/patient",
                    "offline_access",
                    "patient/*.read",
                    "patient/*.rs",
                ],
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "capabilities": CAPABILITIES,
            }
        )

    routes = [
        Route(f"{prefix}/.well-known/smart-configuration", smart_configuration, methods=["GET"]),
        Route("/oauth/oauth2/authorize", pages.authorize, methods=["GET"]),
        Route("/oauth/oauth2/login", pages.login, methods=["POST"]),
        Route("/oauth/oauth2/consent", pages.consent, methods=["POST"]),
        Route("/oauth/oauth2/token", tokens.token, methods=["POST"]),
        Route(PRACTICE_LIST_PATH, PracticeList(config.org_id, config.provider_host).page, methods=["GET"]),
        Mount(prefix, app=FhirApi(facade, config, ledger, prefix)),
    ]
    if config.profile == "generic":
        routes.insert(5, Route("/oauth/oauth2/revoke", tokens.revoke, methods=["POST"]))
    app: ASGIApp = Starlette(routes=routes)
    if config.profile == "ecw":
        counted = (prefix, "/oauth/oauth2/authorize", "/oauth/oauth2/token")
        app = FixedMinuteLimit(app, config.rate_limit_per_minute, config.clock, counted)
    return EhrApp(app, store, record, ledger, config)
