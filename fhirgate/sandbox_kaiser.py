"""The Kaiser settings a fhirgate client of a sandbox portal uses (the sandbox itself knows nothing of fhirgate)."""

from __future__ import annotations

from fhirgate.settings import KaiserSettings
from sandbox.portal import PortalConfig

__all__ = ["sandbox_kaiser_settings"]


def sandbox_kaiser_settings(config: PortalConfig, base_url: str) -> KaiserSettings:
    """What a client of the sandbox portal served at ``base_url`` is configured with: one host plays kp.org,
    the identity server and the API gateway, with that sandbox's client-app keys and patient."""
    return KaiserSettings(
        portal_url=base_url,
        identity_url=base_url,
        pharmacy_url=base_url,
        username=config.patient.username,
        mycare_api_key=config.api_key,
        pharmacy_client_id=config.pharmacy_client_id,
    )
