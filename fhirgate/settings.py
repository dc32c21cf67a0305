"""Runtime settings, built from an environ mapping so tests pass a plain dict."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from gateway.kaiser.config import DEFAULT_IDENTITY_URL, DEFAULT_PHARMACY_URL, DEFAULT_PORTAL_URL, KaiserSettings

__all__ = [
    "DEFAULT_FACADE_PORT",
    "DEFAULT_IDENTITY_URL",
    "DEFAULT_PHARMACY_URL",
    "DEFAULT_PORTAL_URL",
    "KaiserSettings",
    "Settings",
    "ensure_private_dir",
]

DEFAULT_FACADE_PORT = 8765


@dataclass(frozen=True)
class Settings:
    home: Path
    kaiser: KaiserSettings
    browser_path: str | None = None
    facade_port: int = DEFAULT_FACADE_PORT

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        home = Path(environ.get("FHIRGATE_HOME") or Path.home() / ".fhirgate").expanduser()
        kaiser = KaiserSettings(
            portal_url=environ.get("FHIRGATE_KAISER_PORTAL_URL", DEFAULT_PORTAL_URL).rstrip("/"),
            identity_url=environ.get("FHIRGATE_KAISER_IDENTITY_URL", DEFAULT_IDENTITY_URL).rstrip("/"),
            pharmacy_url=environ.get("FHIRGATE_KAISER_PHARMACY_URL", DEFAULT_PHARMACY_URL).rstrip("/"),
            region=environ.get("FHIRGATE_KAISER_REGION", "NCA"),
            region_prefix=environ.get("FHIRGATE_KAISER_REGION_PREFIX", "mychartcn"),
            username=environ.get("FHIRGATE_KAISER_USERNAME", ""),
            mycare_api_key=environ.get("FHIRGATE_KAISER_MYCARE_API_KEY", ""),
            pharmacy_client_id=environ.get("FHIRGATE_KAISER_PHARMACY_CLIENT_ID", ""),
        )
        port = int(environ.get("FHIRGATE_FACADE_PORT", DEFAULT_FACADE_PORT))
        return cls(home=home, kaiser=kaiser, browser_path=environ.get("FHIRGATE_BROWSER"), facade_port=port)

    def with_kaiser(self, kaiser: KaiserSettings) -> Settings:
        return replace(self, kaiser=kaiser)

    @property
    def store_path(self) -> Path:
        return self.home / "store.sqlite3"

    @property
    def browser_profile_dir(self) -> Path:
        return self.home / "browser"

    @property
    def audit_log_path(self) -> Path:
        return self.home / "audit.log"

    @property
    def keyring_service(self) -> str:
        """Keychain service name; a non-default home gets its own namespace so the demo never
        touches the real account's secrets."""
        default = Path.home() / ".fhirgate"
        if self.home.resolve() == default.resolve():
            return "fhirgate"
        digest = hashlib.sha256(str(self.home.resolve()).encode()).hexdigest()[:12]
        return f"fhirgate-{digest}"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and any missing parents) with mode 0700 and tighten ``path`` if it already exists."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for directory in reversed(missing):  # mkdir(parents=True) would create the parents with the umask's mode
        directory.mkdir(mode=0o700, exist_ok=True)
    path.chmod(0o700)
    return path
