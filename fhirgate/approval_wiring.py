"""Where approvals and the web app meet a fhirgate home: the approvals and web-session databases under
the home, the address of the web app currently serving it (``FHIRGATE_HOME/web-address``, written by
whichever process serves it: `serve`, `mcp`, `open`, `demo`), and the MCP tools' ``ApprovalDesk``."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast, get_args
from urllib.parse import urlencode

import httpx2

from fhirgate.settings import Settings, ensure_private_dir
from fhirgate.watch_state import home_watch_note
from fhirgate.write_wiring import home_audit_log
from gateway.store.protocol import ResourceStore
from gateway.writes.approvals import ApprovalKind, ApprovalStore
from gateway.writes.decisions import ApprovalDecisions, ConnectStarter, Decision
from gateway.writes.operations import WriteOperations
from mcp_server.approvals.desk import ApprovalState

if TYPE_CHECKING:
    # The web app is imported where it is built: `fhirgate mcp` loads this module before its first answers.
    from starlette.applications import Starlette

    from gateway.smart_server import SmartAuthorizationServer
    from gateway.web import WebSessions

__all__ = [
    "HomeApprovalDesk",
    "approval_decisions",
    "home_web_app",
    "live_web_address",
    "login_link",
    "record_web_address",
    "recorded_web_address",
    "web_sessions",
]

WEB_ADDRESS_FILE = "web-address"


def approval_decisions(
    settings: Settings, *, writes: WriteOperations | None = None, connect: ConnectStarter | None = None
) -> ApprovalDecisions:
    store = ApprovalStore(ensure_private_dir(settings.home) / "approvals.sqlite3")
    return ApprovalDecisions(store, home_audit_log(settings), writes=writes, connect=connect)


def web_sessions(settings: Settings) -> WebSessions:
    from gateway.web import WebSessions

    return WebSessions(ensure_private_dir(settings.home) / "web.sqlite3")


def home_web_app(
    settings: Settings,
    decisions: ApprovalDecisions,
    *,
    port: int | None,
    smart: SmartAuthorizationServer | None = None,
    record: ResourceStore | None = None,
    offline: bool = False,
) -> Starlette:
    """The home's web app; with ``record`` (the store the facade serves) its record pages too, with the
    home's connected practices read live and, unless ``offline``, "Sync now"; with ``smart`` the consent
    page of SMART app launches."""
    from gateway.web import WebSettings, create_web_app

    sessions = web_sessions(settings)
    web = WebSettings(port=port, sync_note=lambda: home_watch_note(settings.home))
    if record is None:
        return create_web_app(web, sessions=sessions, approvals=decisions, smart=smart)
    from fhirgate.home_reach import GuardedTransport, HomeReach
    from fhirgate.practice_pages import HomePracticeReader
    from fhirgate.secrets import SecretStore
    from fhirgate.sync_now_launcher import home_sync_launcher

    def guarded() -> GuardedTransport:  # made per client: a demo adds its practice sandbox after this starts
        return HomeReach.for_settings(settings, offline=offline).transport()

    practices = HomePracticeReader(settings, transport=guarded)
    sync_now = None if offline else home_sync_launcher(settings, SecretStore.for_settings(settings))
    return create_web_app(
        web, sessions=sessions, approvals=decisions, smart=smart, record=record, sync_now=sync_now, practices=practices
    )


def record_web_address(settings: Settings, base_url: str) -> None:
    path = ensure_private_dir(settings.home) / WEB_ADDRESS_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, base_url.encode())
    finally:
        os.close(fd)


def recorded_web_address(settings: Settings) -> str | None:
    try:
        address = (settings.home / WEB_ADDRESS_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return address if address.startswith("http://127.0.0.1:") else None


def live_web_address(settings: Settings) -> str | None:
    """The recorded web app address if a server answers there as fhirgate's web app."""
    address = recorded_web_address(settings)
    if address is None:
        return None
    try:
        answer = httpx2.get(f"{address}/static/app.css", timeout=1.0)
    except httpx2.HTTPError:
        return None
    return address if answer.status_code == 200 and "content-security-policy" in answer.headers else None


def login_link(settings: Settings, base_url: str, *, next_page: str | None = None) -> str:
    """A one-time sign-in link for the web app at ``base_url`` (valid five minutes, once); ``next_page``:
    the web app's own page to land on (the web app ignores any other)."""
    link = f"{base_url}/login?token={web_sessions(settings).new_login_link_token()}"
    return link if next_page is None else f"{link}&{urlencode({'next': next_page})}"


class HomeApprovalDesk:
    """The MCP tools' ``ApprovalDesk`` over the home's approvals (``mcp_server.ApprovalDesk``)."""

    def __init__(self, decisions: ApprovalDecisions, web_address: Callable[[], str | None]) -> None:
        self._decisions = decisions
        self._web_address = web_address

    def submit(self, kind: str, request: Mapping[str, str], preview: Mapping[str, Any]) -> str:
        if kind not in get_args(ApprovalKind):
            raise ValueError(f"unknown approval kind {kind!r}")
        return self._decisions.store.submit(cast(ApprovalKind, kind), request, preview).id

    async def approve_by_elicitation(self, approval_id: str) -> ApprovalState:
        return _state(await self._decisions.approve(approval_id, "elicitation"))

    def reject_by_elicitation(self, approval_id: str, reason: str) -> ApprovalState:
        return _state(self._decisions.reject(approval_id, "elicitation", reason=reason))

    def status(self, approval_id: str) -> ApprovalState:
        return _state(self._decisions.status(approval_id))

    def page_url(self, approval_id: str) -> str | None:
        base = self._web_address()
        return f"{base}/approvals/{approval_id}" if base else None


def _state(decision: Decision) -> ApprovalState:
    return ApprovalState(decision.approval_id, decision.status, decision.detail, dict(decision.outcome))
