"""Kaiser's configuration: where the portal lives and the static client-app header values it expects.

``fhirgate/`` builds it from its settings (environment) and hands it to the login and the portal client.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PORTAL_URL = "https://healthy.kaiserpermanente.org"
DEFAULT_IDENTITY_URL = "https://identityauth.kaiserpermanente.org"
DEFAULT_PHARMACY_URL = "https://apims.kaiserpermanente.org"


@dataclass(frozen=True)
class KaiserSettings:
    """Where the portal lives and the static client-app header values it expects.

    The header values are the portal web apps' public identifiers, not user secrets; they are
    configuration because Kaiser may change them and we never hard-code captured values.
    """

    portal_url: str = DEFAULT_PORTAL_URL
    identity_url: str = DEFAULT_IDENTITY_URL
    pharmacy_url: str = DEFAULT_PHARMACY_URL
    region: str = "NCA"
    region_prefix: str = "mychartcn"
    username: str = ""
    mycare_api_key: str = ""
    pharmacy_client_id: str = ""
