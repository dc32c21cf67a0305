"""Async SMART-on-FHIR client: one `FhirClient` for the Kaiser facade and every practice.

Retries, origin-checked paging, rate limiting and one error tree live here; SMART App Launch
(discovery, PKCE, token exchange and refresh via authlib) plugs in as an `httpx2.Auth`.
"""

import importlib
import typing

from fhir_client.auth import BearerTokenAuth
from fhir_client.bundles import SearchParams, bundle_link, entries, normalize_params
from fhir_client.client import FhirClient, same_origin, within_base
from fhir_client.client_auth import ClientAuthMethod, ClientCredentials
from fhir_client.errors import (
    AuthorizationError,
    DiscoveryError,
    FhirClientError,
    FhirHTTPError,
    FhirTransportError,
    InvalidFhirRequest,
    InvalidFhirResponse,
    ReconnectRequired,
    SmartError,
    TokenEndpointError,
    describe_outcome,
    safe_url,
)
from fhir_client.identity import SourceIdentity, WhoAmI
from fhir_client.minute_window import MinuteWindow
from fhir_client.patient_hosts import PatientBase, patient_base_url, patient_hosts_from
from fhir_client.practice_directory import Practice, PracticeNotFound, find_practices, match_practice
from fhir_client.practice_directory_cache import DirectoryCache, DirectoryUnavailable
from fhir_client.rate_limit import RateLimiter, RequestPacer
from fhir_client.retry import RetryPolicy, parse_retry_after
from fhir_client.scopes import ScopeSyntax, requested_scopes, scope_syntax
from fhir_client.smart_discovery import SmartConfiguration, discover_smart_configuration
from fhir_client.source_catalog import SourceCatalog, SourceRecord
from fhir_client.source_secrets import SecretBackend, SourceSecrets, private_key_name
from fhir_client.tokens import TokenSet

if typing.TYPE_CHECKING:
    # SMART App Launch and connected sources load on first use, not with the package: the MCP server answers
    # its first requests, and reads the Kaiser facade, without them (authlib, joserfc and cryptography load
    # later still, with the first token request: oauth_client.py).
    from fhir_client.smart_launch import begin_launch, code_from_redirect, complete_launch
    from fhir_client.smart_session import SmartAuth, SmartSession
    from fhir_client.smart_source import disconnect_source, open_smart_client

_LOADED_ON_FIRST_USE = {
    "begin_launch": "fhir_client.smart_launch",
    "code_from_redirect": "fhir_client.smart_launch",
    "complete_launch": "fhir_client.smart_launch",
    "SmartAuth": "fhir_client.smart_session",
    "SmartSession": "fhir_client.smart_session",
    "disconnect_source": "fhir_client.smart_source",
    "open_smart_client": "fhir_client.smart_source",
}


def __getattr__(name: str) -> object:
    module = _LOADED_ON_FIRST_USE.get(name)
    if module is None:
        raise AttributeError(f"module 'fhir_client' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_LOADED_ON_FIRST_USE})


__all__ = [
    "AuthorizationError",
    "BearerTokenAuth",
    "ClientAuthMethod",
    "ClientCredentials",
    "DirectoryCache",
    "DirectoryUnavailable",
    "DiscoveryError",
    "FhirClient",
    "FhirClientError",
    "FhirHTTPError",
    "FhirTransportError",
    "InvalidFhirRequest",
    "InvalidFhirResponse",
    "MinuteWindow",
    "PatientBase",
    "Practice",
    "PracticeNotFound",
    "RateLimiter",
    "ReconnectRequired",
    "RequestPacer",
    "RetryPolicy",
    "ScopeSyntax",
    "SearchParams",
    "SecretBackend",
    "SmartAuth",
    "SmartConfiguration",
    "SmartError",
    "SmartSession",
    "SourceCatalog",
    "SourceIdentity",
    "SourceRecord",
    "SourceSecrets",
    "TokenEndpointError",
    "TokenSet",
    "WhoAmI",
    "begin_launch",
    "bundle_link",
    "code_from_redirect",
    "complete_launch",
    "describe_outcome",
    "disconnect_source",
    "discover_smart_configuration",
    "entries",
    "find_practices",
    "match_practice",
    "normalize_params",
    "open_smart_client",
    "parse_retry_after",
    "patient_base_url",
    "patient_hosts_from",
    "private_key_name",
    "requested_scopes",
    "safe_url",
    "same_origin",
    "scope_syntax",
    "within_base",
]
