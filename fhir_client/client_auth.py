"""Who fhirgate is at a token endpoint: the registered app's client id and how it authenticates
(`client_secret_basic`, `client_secret_post`, `private_key_jwt`, or none for a public client).

Plain data, so a connected source can be opened without loading authlib; `oauth_client.py` configures
authlib's client from it when a token request is made.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["ClientAuthMethod", "ClientCredentials"]


class ClientAuthMethod(enum.Enum):
    """Token endpoint authentication methods, by their RFC 7591 names."""

    CLIENT_SECRET_BASIC = "client_secret_basic"
    CLIENT_SECRET_POST = "client_secret_post"
    PRIVATE_KEY_JWT = "private_key_jwt"
    NONE = "none"


@dataclass(frozen=True)
class ClientCredentials:
    """The registered app: its client id, how it authenticates, and its secret or private JWK."""

    client_id: str
    method: ClientAuthMethod = ClientAuthMethod.NONE
    client_secret: str | None = field(default=None, repr=False)
    private_jwk: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.client_id:
            raise ValueError("a client id is required")
        secret_methods = (ClientAuthMethod.CLIENT_SECRET_BASIC, ClientAuthMethod.CLIENT_SECRET_POST)
        if self.method in secret_methods and not self.client_secret:
            raise ValueError(f"{self.method.value} needs a client secret")
        if self.method is ClientAuthMethod.PRIVATE_KEY_JWT and not self.private_jwk:
            raise ValueError("private_key_jwt needs a private key (`fhirgate keys create`)")
