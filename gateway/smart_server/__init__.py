"""gateway.smart_server — a local SMART App Launch authorization server for the facade.

Registered apps (``AppRegistry``), the standalone launch with PKCE S256 through the person's consent in
the web app (``SmartAuthorizationServer``), token/revocation/JWKS endpoints next to the facade
(``oauth_routes``), and scope enforcement on every read (``ScopeEnforcementMiddleware``). Codes and
tokens are stored as SHA-256 digests in ``smart.sqlite3`` (``SmartDatabase``).
"""

from gateway.smart_server.authorization import AuthorizationRequest, SmartAuthorizationServer
from gateway.smart_server.database import SmartDatabase
from gateway.smart_server.endpoints import oauth_routes
from gateway.smart_server.enforcement import ScopeEnforcementMiddleware
from gateway.smart_server.errors import OAuthError, ScopeRefusedError
from gateway.smart_server.extension import smart_extension
from gateway.smart_server.registry import AppRegistry, NewApp, RegisteredApp
from gateway.smart_server.scopes import SUPPORTED_SCOPES, ScopeGrant, grant_for
from gateway.smart_server.signing import IdTokenSigner, new_signing_key
from gateway.smart_server.tokens import TokenStore

__all__ = [
    "SUPPORTED_SCOPES",
    "AppRegistry",
    "AuthorizationRequest",
    "IdTokenSigner",
    "NewApp",
    "OAuthError",
    "RegisteredApp",
    "ScopeEnforcementMiddleware",
    "ScopeGrant",
    "ScopeRefusedError",
    "SmartAuthorizationServer",
    "SmartDatabase",
    "TokenStore",
    "grant_for",
    "new_signing_key",
    "oauth_routes",
    "smart_extension",
]
