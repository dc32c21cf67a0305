"""Async SMART-on-FHIR client: one `FhirClient` for the Kaiser facade and every practice.

Retries, origin-checked paging and one error tree live here; SMART OAuth plugs in as an
`httpx2.Auth`.
"""

from fhir_client.auth import BearerTokenAuth
from fhir_client.bundles import SearchParams, bundle_link, entries, normalize_params
from fhir_client.client import FhirClient, same_origin
from fhir_client.errors import (
    FhirClientError,
    FhirHTTPError,
    FhirTransportError,
    InvalidFhirRequest,
    InvalidFhirResponse,
    describe_outcome,
    safe_url,
)
from fhir_client.retry import RetryPolicy, parse_retry_after

__all__ = [
    "BearerTokenAuth",
    "FhirClient",
    "FhirClientError",
    "FhirHTTPError",
    "FhirTransportError",
    "InvalidFhirRequest",
    "InvalidFhirResponse",
    "RetryPolicy",
    "SearchParams",
    "bundle_link",
    "describe_outcome",
    "entries",
    "normalize_params",
    "parse_retry_after",
    "safe_url",
    "same_origin",
]
