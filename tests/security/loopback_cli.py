"""`fhirgate` commands run as subprocesses under the test network guard (``loopback_only/sitecustomize.py``):
any name lookup or connection outside loopback is refused and written to ``network_log``."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from mcp import StdioServerParameters

REPO = Path(__file__).resolve().parents[2]
GUARD = Path(__file__).resolve().parent / "loopback_only"
KAISER = "https://healthy.kaiserpermanente.org"


@dataclass(frozen=True)
class GuardedCli:
    home: Path
    network_log: Path

    def at(self, home: Path) -> GuardedCli:
        """The same guard (and log) over another home."""
        return replace(self, home=home)

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("FHIRGATE_")}
        env.update(
            FHIRGATE_HOME=str(self.home),
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
            PYTHONPATH=os.pathsep.join([str(GUARD), str(REPO)]),
            FHIRGATE_TEST_NETWORK_LOG=str(self.network_log),
            COLUMNS="250",  # rich wraps table cells to the terminal width
            # Were a home to fall back to Kaiser's addresses, the guard would see kp.org looked up.
            FHIRGATE_KAISER_PORTAL_URL=KAISER,
        )
        return env

    def run(
        self, *args: str, timeout: float = 180, extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "fhirgate", *args],
            env={**self.env(), **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=REPO,
        )

    def mcp(self, *args: str) -> StdioServerParameters:
        return StdioServerParameters(command=sys.executable, args=["-m", "fhirgate", "mcp", *args], env=self.env())

    def attempts(self) -> list[str]:
        return self.network_log.read_text(encoding="utf-8").splitlines() if self.network_log.exists() else []
