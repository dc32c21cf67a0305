"""SMART discovery: a server's OAuth endpoints and what it supports.

`/.well-known/smart-configuration` first; when a server has none (older SMART v1 servers), the
CapabilityStatement's `http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris`
extension on `rest.security` names the authorize, token and revoke endpoints.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx2

from fhir_client.errors import DiscoveryError, safe_url

__all__ = ["OAUTH_URIS_EXTENSION", "SmartConfiguration", "discover_smart_configuration"]

logger = logging.getLogger(__name__)

OAUTH_URIS_EXTENSION = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"


@dataclass(frozen=True)
class SmartConfiguration:
    """The parts of a server's SMART configuration fhirgate uses."""

    authorization_endpoint: str
    token_endpoint: str
    revocation_endpoint: str | None = None
    scopes_supported: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    code_challenge_methods: tuple[str, ...] = ()
    token_endpoint_auth_methods: tuple[str, ...] = ()
    source: str = field(default="smart-configuration", compare=False)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> SmartConfiguration:
        authorize, token = body.get("authorization_endpoint"), body.get("token_endpoint")
        if not isinstance(authorize, str) or not isinstance(token, str):
            raise DiscoveryError("the smart-configuration names no authorization_endpoint or token_endpoint")
        revoke = body.get("revocation_endpoint")
        return cls(
            authorization_endpoint=authorize,
            token_endpoint=token,
            revocation_endpoint=revoke if isinstance(revoke, str) else None,
            scopes_supported=_strings(body.get("scopes_supported")),
            capabilities=_strings(body.get("capabilities")),
            code_challenge_methods=_strings(body.get("code_challenge_methods_supported")),
            token_endpoint_auth_methods=_strings(body.get("token_endpoint_auth_methods_supported")),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "authorization_endpoint": self.authorization_endpoint,
            "token_endpoint": self.token_endpoint,
            "revocation_endpoint": self.revocation_endpoint,
            "scopes_supported": list(self.scopes_supported),
            "capabilities": list(self.capabilities),
            "code_challenge_methods_supported": list(self.code_challenge_methods),
            "token_endpoint_auth_methods_supported": list(self.token_endpoint_auth_methods),
        }


def _strings(value: object) -> tuple[str, ...]:
    return tuple(item for item in value if isinstance(item, str)) if isinstance(value, list) else ()


async def discover_smart_configuration(http: httpx2.AsyncClient, base_url: str) -> SmartConfiguration:
    """The SMART configuration of the FHIR server at `base_url`."""
    base = base_url.rstrip("/")
    well_known = await _get_json(http, f"{base}/.well-known/smart-configuration")
    if well_known is not None:
        try:
            return SmartConfiguration.from_json(well_known)
        except DiscoveryError:
            logger.info("smart discovery: smart-configuration incomplete, trying metadata base=%s", safe_url(base))
    capability = await _get_json(http, f"{base}/metadata")
    if capability is None or capability.get("resourceType") != "CapabilityStatement":
        raise DiscoveryError(
            f"{safe_url(base)} is not a SMART-on-FHIR server: no /.well-known/smart-configuration and no "
            "CapabilityStatement at /metadata (check the base URL)"
        )
    return _from_capability_statement(capability, base)


def _from_capability_statement(capability: dict[str, Any], base: str) -> SmartConfiguration:
    uris: dict[str, str] = {}
    for rest in _array(capability, "rest", "CapabilityStatement", base):
        security = _member(rest, "security", "rest", base)
        for extension in _array(security, "extension", "rest.security", base):
            if extension.get("url") == OAUTH_URIS_EXTENSION:
                for item in _array(extension, "extension", "the oauth-uris extension", base):
                    if isinstance(item.get("valueUri"), str):
                        uris[str(item.get("url"))] = item["valueUri"]
    if "authorize" not in uris or "token" not in uris:
        raise DiscoveryError(
            f"{safe_url(base)} advertises no OAuth endpoints (no smart-configuration, no oauth-uris extension); "
            "it does not offer SMART App Launch"
        )
    return SmartConfiguration(
        authorization_endpoint=uris["authorize"],
        token_endpoint=uris["token"],
        revocation_endpoint=uris.get("revoke"),
        source="CapabilityStatement",
    )


def _member(node: dict[str, Any], key: str, where: str, base: str) -> dict[str, Any]:
    """`node[key]`, a JSON object (absent or null reads as empty)."""
    value = node.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _malformed(f"{where}.{key} is not an object", base)
    return value


def _array(node: dict[str, Any], key: str, where: str, base: str) -> list[dict[str, Any]]:
    """`node[key]`, a JSON array of objects (absent or null reads as empty)."""
    value = node.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _malformed(f"{where}.{key} is not an array of objects", base)
    return value


def _malformed(what: str, base: str) -> DiscoveryError:
    return DiscoveryError(f"the server's CapabilityStatement is malformed: {what} ({safe_url(base)}/metadata)")


async def _get_json(http: httpx2.AsyncClient, url: str) -> dict[str, Any] | None:
    try:
        response = await http.get(url, headers={"Accept": "application/json, application/fhir+json"})
    except httpx2.TransportError as exc:
        raise DiscoveryError(f"could not reach {safe_url(url)} ({type(exc).__name__})") from exc
    if not response.is_success:
        logger.debug("smart discovery status=%d path=%s", response.status_code, response.url.path)
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
