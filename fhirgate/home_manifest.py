"""What a home belongs to: ``FHIRGATE_HOME/home.json`` (0600, replaced atomically).

A **kaiser** home records the portal it signed in to (written by `fhirgate login kaiser`); later commands
use those addresses, and an environment naming another portal is refused rather than mixing two
accounts in one store. A **demo** home (written by `fhirgate demo` and `fhirgate mcp --demo`) records its
sandboxes' loopback addresses and, while they run, the process serving them; every command on it uses
those addresses whatever the environment says, so a demo home never reaches kp.org. A home without a
manifest behaves as before: the environment names the portal, and without a saved session nothing is
contacted.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal

from fhirgate.settings import KaiserSettings, Settings, ensure_private_dir

__all__ = [
    "MANIFEST_NAME",
    "HomeManifest",
    "HomeMismatch",
    "SandboxRun",
    "add_demo_sandbox",
    "demo_sandboxes_stopped",
    "home_settings",
    "read_manifest",
    "record_demo_sandboxes",
    "record_kaiser_portal",
    "write_manifest",
]

MANIFEST_NAME = "home.json"
HomeKind = Literal["kaiser", "demo"]
_PORTAL_VARIABLES = {
    "portal_url": "FHIRGATE_KAISER_PORTAL_URL",
    "identity_url": "FHIRGATE_KAISER_IDENTITY_URL",
    "pharmacy_url": "FHIRGATE_KAISER_PHARMACY_URL",
}


class HomeMismatch(ValueError):
    """The environment asks a home to reach a portal it does not belong to (one line for the user)."""


@dataclass(frozen=True)
class SandboxRun:
    """A demo home's sandboxes: their loopback origins, and the process serving them (None once it exited)."""

    origins: tuple[str, ...]
    pid: int | None = None

    @property
    def running(self) -> bool:
        if self.pid is None:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # alive, but another user's: not our demo
            return False
        return True


@dataclass(frozen=True)
class HomeManifest:
    kind: HomeKind
    kaiser: KaiserSettings | None = None
    sandboxes: SandboxRun | None = None

    @property
    def is_demo(self) -> bool:
        return self.kind == "demo"

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "kind": self.kind,
            "kaiser": asdict(self.kaiser) if self.kaiser is not None else None,
            "sandboxes": (
                {"origins": list(self.sandboxes.origins), "pid": self.sandboxes.pid}
                if self.sandboxes is not None
                else None
            ),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HomeManifest:
        kind = data.get("kind")
        if kind not in ("kaiser", "demo"):
            raise ValueError(f"unknown home kind {kind!r}")
        kaiser = data.get("kaiser")
        known = {field.name for field in fields(KaiserSettings)}
        portal = KaiserSettings(**{k: str(v) for k, v in kaiser.items() if k in known}) if kaiser else None
        run = data.get("sandboxes")
        sandboxes = None
        if isinstance(run, Mapping):
            pid = run.get("pid")
            sandboxes = SandboxRun(
                tuple(str(o) for o in run.get("origins") or ()), pid if isinstance(pid, int) else None
            )
        return cls(kind, portal, sandboxes)


def read_manifest(home: Path) -> HomeManifest | None:
    """The home's manifest; None when it has none. A damaged manifest is an error, never silently ignored
    (ignoring it would let a demo home fall back to kp.org)."""
    path = home / MANIFEST_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return HomeManifest.from_json(data)
    except (ValueError, TypeError) as exc:
        raise HomeMismatch(f"{path} is damaged ({exc}); remove it and sign in again") from None


def write_manifest(home: Path, manifest: HomeManifest) -> None:
    """Replace the manifest atomically (a reader sees the old one or the new one), mode 0600."""
    ensure_private_dir(home)
    handle, temporary = tempfile.mkstemp(dir=home, prefix=".home.", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(manifest.to_json(), out, indent=2)
            out.write("\n")
        os.chmod(temporary, 0o600)
        os.replace(temporary, home / MANIFEST_NAME)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def home_settings(settings: Settings, environ: Mapping[str, str]) -> Settings:
    """``settings`` (from ``environ``) bound to what the home's manifest records."""
    manifest = read_manifest(settings.home)
    if manifest is None or manifest.kaiser is None:
        return settings
    if manifest.is_demo:
        return settings.with_kaiser(manifest.kaiser)
    recorded = manifest.kaiser
    for name, variable in _PORTAL_VARIABLES.items():
        asked = environ.get(variable, "").rstrip("/")
        if asked and asked != getattr(recorded, name):
            raise HomeMismatch(
                f"{settings.home} belongs to {getattr(recorded, name)}, but {variable} names {asked}: "
                "use another FHIRGATE_HOME for another portal (one home, one account)"
            )
    urls = {name: getattr(recorded, name) for name in _PORTAL_VARIABLES}
    return settings.with_kaiser(replace(settings.kaiser, **urls))


def record_kaiser_portal(home: Path, kaiser: KaiserSettings) -> None:
    """After a sign-in: remember which portal this home belongs to."""
    write_manifest(home, HomeManifest("kaiser", kaiser))


def record_demo_sandboxes(home: Path, kaiser: KaiserSettings, origins: tuple[str, ...], pid: int) -> None:
    """A demo's sandboxes are up in process ``pid``: the home is a demo home reaching only ``origins``.
    A home holds one running demo: a second one is refused while the first runs."""
    current = read_manifest(home)
    running = current.sandboxes if current is not None else None
    if running is not None and running.pid != pid and running.running:
        raise HomeMismatch(f"a demo already runs on {home} (process {running.pid}); stop it first")
    write_manifest(home, HomeManifest("demo", kaiser, SandboxRun(origins, pid)))


def add_demo_sandbox(home: Path, origin: str) -> None:
    """One more sandbox (the practice) served by the running demo."""
    manifest = read_manifest(home)
    if manifest is None or manifest.sandboxes is None:
        raise HomeMismatch(f"{home} has no running demo to add {origin} to")
    run = replace(manifest.sandboxes, origins=(*manifest.sandboxes.origins, origin))
    write_manifest(home, replace(manifest, sandboxes=run))


def demo_sandboxes_stopped(home: Path, pid: int) -> None:
    """The demo process ``pid`` is ending: its sandboxes go with it (a later run's record is left alone)."""
    manifest = read_manifest(home)
    if manifest is None or manifest.sandboxes is None or manifest.sandboxes.pid != pid:
        return
    write_manifest(home, replace(manifest, sandboxes=replace(manifest.sandboxes, pid=None)))
