"""`fhirgate apps add|list|remove` on a fresh home, as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FHIRGATE_")}
    env.update(FHIRGATE_HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", COLUMNS="200")
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "fhirgate", "apps", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_add_list_remove(tmp_path: Path) -> None:
    public = _run(tmp_path, "add", "Chart viewer", "--redirect-uri", "http://127.0.0.1:3000/cb")
    assert public.returncode == 0, public.stderr
    assert public.stdout.startswith("client_id: ") and "client_secret" not in public.stdout
    confidential = _run(tmp_path, "add", "Backend", "--redirect-uri", "https://app.example/cb", "--confidential")
    assert confidential.returncode == 0, confidential.stderr
    lines = dict(line.split(": ", 1) for line in confidential.stdout.splitlines())
    assert len(lines["client_secret"]) >= 40
    assert lines["client_secret"] not in (tmp_path / "smart.sqlite3").read_bytes().decode("latin-1")
    assert oct((tmp_path / "smart.sqlite3").stat().st_mode & 0o777) == "0o600"

    listed = _run(tmp_path, "list")
    assert "Chart viewer" in listed.stdout and "public" in listed.stdout
    assert "Backend" in listed.stdout and "confidential" in listed.stdout and lines["client_id"] in listed.stdout

    assert _run(tmp_path, "remove", "Backend").returncode == 0
    assert "Backend" not in _run(tmp_path, "list").stdout
    missing = _run(tmp_path, "remove", "Backend")
    assert missing.returncode == 1 and "no app named" in missing.stderr


def test_a_redirect_uri_must_be_https_or_loopback(tmp_path: Path) -> None:
    refused = _run(tmp_path, "add", "Sneaky", "--redirect-uri", "http://app.example/cb")
    assert refused.returncode == 1 and "redirect URIs must be https" in refused.stderr
