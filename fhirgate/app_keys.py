"""The app's `private_key_jwt` keys: RS384 JWKs made by `fhirgate keys create`.

The private JWK goes to the keychain; the public JWKS (what a practice's app registration asks
for, uploaded or served at a JWKS URL) is kept in `FHIRGATE_HOME/jwks.json`, which is not secret.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from joserfc.jwk import RSAKey

from fhir_client import private_key_name
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings, ensure_private_dir


def jwks_path(settings: Settings) -> Path:
    return settings.home / "jwks.json"


def load_jwks(settings: Settings) -> dict[str, Any]:
    path = jwks_path(settings)
    if not path.exists():
        return {"keys": []}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) and isinstance(data.get("keys"), list) else {"keys": []}


def create_key(settings: Settings, secrets: SecretStore) -> tuple[str, dict[str, Any]]:
    """A new RS384 key pair: private JWK in the keychain; returns its kid and the updated JWKS."""
    key = RSAKey.generate_key(2048, parameters={"alg": "RS384", "use": "sig"}, private=True)
    key.ensure_kid()
    kid = str(key.kid)
    secrets.set(private_key_name(kid), json.dumps(key.as_dict(private=True)))
    jwks = load_jwks(settings)
    jwks["keys"].append(key.as_dict(private=False))
    ensure_private_dir(settings.home)
    path = jwks_path(settings)
    path.write_text(json.dumps(jwks, indent=2) + "\n", encoding="utf-8")
    os.chmod(path, 0o600)
    return kid, jwks


def newest_key_id(settings: Settings) -> str | None:
    keys = load_jwks(settings)["keys"]
    return str(keys[-1]["kid"]) if keys else None
