"""`fhirgate doctor`'s checks of what lies outside the home: each practice's tokens, and Claude Desktop's
config entry for this install.

A practice's token is checked without being spent: eClinicalWorks refresh tokens are single use, so the
check asks whether a refresh is possible (connected, a refresh token kept), not whether one succeeds.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from fhirgate.doctor_checks import DEMO_START, CheckResult
from fhirgate.secret_errors import SecretsUnusable
from fhirgate.settings import Settings

if TYPE_CHECKING:  # fhir_client pulls in authlib; `fhirgate --help` should not wait for it
    from fhir_client import SecretBackend

INSTALL = "fhirgate mcp --install-claude-desktop"


def check_practice_tokens(
    settings: Settings, secrets: SecretBackend, now: float | None = None, *, sandbox_down: bool = False
) -> list[CheckResult]:
    """One result per connected or pending practice: can its access token be renewed by itself? In a demo
    home whose sandboxes are down (``sandbox_down``), each practice is reported unreachable instead."""
    from fhir_client import SourceSecrets
    from fhirgate.smart_connect import catalog_for

    if not (settings.home / "sources.sqlite3").exists():
        return []
    moment = time.time() if now is None else now
    results = []
    for record in catalog_for(settings).all():
        name, reconnect = f"practice {record.name}", f"fhirgate connect {record.name} {record.base_url}"
        try:
            access, refresh = SourceSecrets(secrets, record.name).tokens()
        except SecretsUnusable:
            results.append(
                CheckResult(name, False, "tokens cannot be read: the secrets check says why", "fix that first")
            )
            continue
        if sandbox_down:
            results.append(CheckResult(name, False, "demo home: the sandbox practice is not running", DEMO_START))
        elif record.state == "pending":
            results.append(CheckResult(name, False, "connection never finished", reconnect))
        elif record.state == "reconnect":
            results.append(CheckResult(name, False, "the practice no longer accepts the refresh token", reconnect))
        elif refresh:
            results.append(CheckResult(name, True, "connected; the refresh token renews access by itself"))
        elif access and record.access_expires_at and record.access_expires_at > moment:
            minutes = int((record.access_expires_at - moment) // 60)
            detail = f"connected without a refresh token; access ends in {minutes} min"
            results.append(CheckResult(name, True, detail, f"then: {reconnect}", warning=True))
        else:
            results.append(CheckResult(name, False, "access expired and no refresh token is kept", reconnect))
    return results


def check_claude_desktop(config: Path, executable: str, home: Path) -> CheckResult:
    """Does Claude Desktop's config launch this install (this executable, this home)?"""
    name = "claude desktop"
    if not config.exists():
        return CheckResult(name, True, f"no config at {config} (fine without Claude Desktop)", INSTALL, warning=True)
    try:
        servers = json.loads(config.read_text(encoding="utf-8") or "{}").get("mcpServers")
    except (ValueError, AttributeError):
        return CheckResult(name, False, f"{config} is not a JSON object", f"fix or remove it, then {INSTALL}")
    entry = servers.get("fhirgate") if isinstance(servers, dict) else None
    if not isinstance(entry, dict):
        return CheckResult(name, True, f"{config} has no fhirgate entry", INSTALL, warning=True)
    command = str(entry.get("command") or "")
    if not Path(command).is_file():
        return CheckResult(name, False, f"the fhirgate entry runs {command or 'nothing'}, which is missing", INSTALL)
    env = entry.get("env")
    home_setting = env.get("FHIRGATE_HOME") if isinstance(env, dict) else None
    configured_home = Path(str(home_setting or Path.home() / ".fhirgate")).expanduser()
    if Path(command).resolve() != Path(executable).resolve() or configured_home.resolve() != home.resolve():
        detail = f"the fhirgate entry runs {command} on {configured_home}, not this install ({executable}, {home})"
        return CheckResult(name, True, detail, f"{INSTALL} to point it here", warning=True)
    return CheckResult(name, True, f"{config} launches this install")
