"""`fhirgate doctor`'s checks: each says what it found and, when broken, how to fix it."""

from __future__ import annotations

import socket
import sqlite3
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx2

from fhirgate.home_reach import SANDBOX_NOT_RUNNING, HomeReach
from fhirgate.secret_errors import SecretsUnusable, UnusableFileError
from fhirgate.secrets import FileKeyring, SecretStore
from fhirgate.settings import Settings
from gateway.kaiser.browser import find_browser
from gateway.kaiser.errors import LoginFailed
from gateway.kaiser.session import load_session

DEMO_START = "fhirgate mcp --demo (or fhirgate demo)"


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    warning: bool = False  # informational: not broken, but worth knowing


def check_browser(settings: Settings) -> CheckResult:
    try:
        path = find_browser(settings.browser_path)
    except LoginFailed as exc:
        return CheckResult("browser", False, str(exc), "sudo apt-get install chromium, or set FHIRGATE_BROWSER")
    try:
        done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=20, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as exc:
        return CheckResult("browser", False, f"{path} does not start: {type(exc).__name__}", "reinstall Chromium")
    version = (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr).strip() else path
    return CheckResult("browser", done.returncode == 0, version, "" if done.returncode == 0 else "reinstall Chromium")


def check_secrets(secrets: SecretStore) -> CheckResult:
    """Whether the secret store is usable: its files (the fallback, the keychain index) are what fhirgate
    wrote and private, and the backend reads back what is written to it."""
    fallback = isinstance(secrets.backend, FileKeyring)
    try:
        if isinstance(secrets.backend, FileKeyring):
            secrets.backend.file.read()
        if secrets.index is not None:
            secrets.index.entries()
    except UnusableFileError as exc:
        return CheckResult("secrets", False, f"{exc.path} {exc.problem}", _file_fix(exc))
    problem = secrets.probe()
    if problem is not None:
        return CheckResult(
            "secrets",
            False,
            problem,
            "use another keychain (PYTHON_KEYRING_BACKEND) or none (the file fallback); then sign in again",
        )
    return CheckResult(
        "secrets",
        True,
        secrets.description,
        "install a keychain (e.g. gnome-keyring) to keep secrets out of files" if fallback else "",
        warning=fallback,
    )


def _file_fix(exc: UnusableFileError) -> str:
    if exc.fix.startswith("run: chmod"):
        return exc.fix.removeprefix("run: ")
    return (
        f"keep a copy (mv {exc.path} {exc.path}.damaged), then sign in again: "
        "`fhirgate login kaiser`, `fhirgate connect` for each practice"
    )


def check_permissions(settings: Settings) -> CheckResult:
    if not settings.home.exists():
        return CheckResult("permissions", True, f"{settings.home} does not exist yet")
    loose: list[str] = []
    for path in [settings.home, *sorted(settings.home.rglob("*"))]:
        if path.is_symlink():
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            loose.append(f"{path} ({oct(mode)})")
    if loose:
        return CheckResult(
            "permissions",
            False,
            f"{len(loose)} path(s) readable by others: {', '.join(loose[:3])}",
            f"chmod -R go-rwx {settings.home}",
        )
    return CheckResult("permissions", True, f"{settings.home} is private to you (0700/0600)")


def check_store(settings: Settings) -> CheckResult:
    path = settings.store_path
    if not path.exists():
        return CheckResult("store", True, "no store yet", "run `fhirgate sync` after `fhirgate login kaiser`", True)
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.Error as exc:
        return CheckResult("store", False, f"cannot open {path}: {exc}", "restore it or run `fhirgate wipe` and sync")
    size = _size_of(path)
    ok = verdict == "ok"
    return CheckResult("store", ok, f"{path} ({size / 1e6:.1f} MB) integrity {verdict}", "" if ok else "fhirgate wipe")


def check_facade_port(settings: Settings) -> CheckResult:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", settings.facade_port))
        except OSError:
            return CheckResult(
                "facade port",
                True,
                f"127.0.0.1:{settings.facade_port} is in use (fine if `fhirgate serve` is running)",
                "set FHIRGATE_FACADE_PORT to another port if something else holds it",
                warning=True,
            )
    return CheckResult("facade port", True, f"127.0.0.1:{settings.facade_port} is free")


def check_kaiser_session(
    settings: Settings, secrets: SecretStore, transport: httpx2.BaseTransport | None = None
) -> CheckResult:
    reach = HomeReach.for_settings(settings)
    refused = reach.refusal(settings.kaiser.portal_url)
    if refused == SANDBOX_NOT_RUNNING:
        return CheckResult("kaiser session", False, "demo home: the sandbox portal is not running", DEMO_START)
    if refused is not None:
        return CheckResult("kaiser session", False, refused, "")
    try:
        session = load_session(secrets)
    except SecretsUnusable:
        return CheckResult("kaiser session", False, "cannot be read: the secrets check says why", "fix that first")
    if session is None:
        return CheckResult("kaiser session", False, "not signed in", "fhirgate login kaiser")
    url = f"{settings.kaiser.portal_url}/{settings.kaiser.region_prefix}/keepalive.asp"
    try:
        with httpx2.Client(transport=transport, cookies=session.cookie_jar(), timeout=15) as client:
            response = client.get(url, params={"cnt": "0"}, headers={"User-Agent": session.user_agent})
    except httpx2.TransportError as exc:
        return CheckResult("kaiser session", False, f"kp.org unreachable ({type(exc).__name__})", "check the network")
    if response.status_code == 200:
        return CheckResult("kaiser session", True, "alive (keepalive answered 200)")
    return CheckResult(
        "kaiser session", False, f"expired (keepalive answered {response.status_code})", "fhirgate login kaiser"
    )


def _size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


Check = Callable[[], CheckResult]


def all_checks(settings: Settings, secrets: SecretStore) -> list[Check]:
    return [
        lambda: check_browser(settings),
        lambda: check_secrets(secrets),
        lambda: check_permissions(settings),
        lambda: check_store(settings),
        lambda: check_facade_port(settings),
        lambda: check_kaiser_session(settings, secrets),
    ]
