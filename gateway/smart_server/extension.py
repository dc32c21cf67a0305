"""The SMART App Launch server as a facade extension: its token endpoints beside the facade (public), its
access tokens accepted as bearers, their scopes enforced on every read, SMART scopes advertised."""

from __future__ import annotations

from starlette.middleware import Middleware

from gateway.facade.extension import FacadeExtension
from gateway.facade.smart import JWKS_PATH, REVOKE_PATH, TOKEN_PATH
from gateway.smart_server.authorization import SmartAuthorizationServer
from gateway.smart_server.endpoints import oauth_routes
from gateway.smart_server.enforcement import ScopeEnforcementMiddleware
from gateway.smart_server.scopes import SUPPORTED_SCOPES


def smart_extension(server: SmartAuthorizationServer) -> FacadeExtension:
    def accepts(presented: str) -> bool:
        return server.scope_grant(presented) is not None

    return FacadeExtension(
        routes=oauth_routes(server),
        public_paths=(TOKEN_PATH, REVOKE_PATH, JWKS_PATH),
        middleware=(Middleware(ScopeEnforcementMiddleware, scope_grant=server.scope_grant),),
        accepts_token=accepts,
        smart_scopes=SUPPORTED_SCOPES,
    )
