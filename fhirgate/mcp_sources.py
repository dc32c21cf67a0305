"""The record sources `fhirgate mcp` serves, bound to what the home may reach: the Kaiser facade in-process
(or a running one), every connected practice behind the home's ``GuardedTransport``, and status probes that
say when a demo's sandbox is down or the server runs --offline."""

from __future__ import annotations

import dataclasses
import secrets as token_bytes
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx2

from fhir_client import FhirClient
from fhirgate.approval_page import ApprovalPage
from fhirgate.approval_wiring import HomeApprovalDesk, approval_decisions
from fhirgate.facade_on_first_request import IN_PROCESS_BASE, FacadeOnFirstRequest
from fhirgate.facade_token import facade_token
from fhirgate.home_reach import HomeReach
from fhirgate.practice_connector import SmartPracticeConnector, connection_starter, practice_sources
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings
from mcp_server import RecordSource, SourceRegistry
from mcp_server.sources.registry import SourceStatus, StatusProbe
from mcp_server.sources.surface_status import kaiser_status_probe

if TYPE_CHECKING:
    from gateway.store import SqliteStore
    from gateway.writes.operations import WriteOperations

__all__ = ["mcp_connector", "mcp_registry", "served_approval_desk"]


def mcp_registry(
    settings: Settings,
    secrets: SecretStore,
    store: SqliteStore,
    *,
    writes: WriteOperations,
    offline: bool,
    ttl_minutes: float,
    kaiser_url: str | None = None,
) -> SourceRegistry:
    reach = HomeReach.for_settings(settings, offline=offline)
    if kaiser_url:
        from fhirgate.kaiser_source import remote_kaiser_client

        client = remote_kaiser_client(kaiser_url, facade_token(secrets))
    else:
        client = kaiser_on_first_request(
            settings, secrets, store, writes=writes, offline=offline, ttl=timedelta(minutes=ttl_minutes)
        )
    kaiser_probe = reach_probe(kaiser_status_probe(store.surface_states), reach, stored=True)
    sources: dict[str, RecordSource] = {"kaiser": RecordSource("kaiser", client, kind="kaiser", status=kaiser_probe)}
    for name, source in practice_sources(settings, transport=reach.transport()).items():
        probe = reach_probe(source.status, reach, stored=False) if source.status is not None else None
        sources[name] = dataclasses.replace(source, status=probe)
    return SourceRegistry(sources)


def kaiser_on_first_request(
    settings: Settings,
    secrets: SecretStore,
    store: SqliteStore,
    *,
    writes: WriteOperations,
    offline: bool,
    ttl: timedelta,
) -> FhirClient:
    """The home's Kaiser source in this process (`home_kaiser_source`), its facade built (and the facade,
    sync and write-route modules imported) on the first tool call that reads it, not before tools/list."""
    token = token_bytes.token_urlsafe(32)

    def facade() -> httpx2.AsyncBaseTransport:
        from fhirgate.kaiser_source import home_kaiser_source

        source = home_kaiser_source(settings, secrets, store, writes=writes, offline=offline, ttl=ttl)
        return source.in_process_transport(token)

    return FhirClient(IN_PROCESS_BASE, bearer_token=token, transport=FacadeOnFirstRequest(facade))


def mcp_connector(settings: Settings, environ: Mapping[str, str], *, offline: bool) -> SmartPracticeConnector:
    """`connect_practice` for this home: its discovery and token requests go through the home's guard."""
    return SmartPracticeConnector(
        settings, environ, transport=HomeReach.for_settings(settings, offline=offline).transport()
    )


def reach_probe(probe: StatusProbe, reach: HomeReach, *, stored: bool) -> StatusProbe:
    """``probe``, plus why the source cannot be reached now; a source read live (``stored`` False) then
    reports that as its state."""

    async def reached() -> SourceStatus:
        status = await probe()
        refused = reach.general_refusal()
        if refused is None:
            return status
        state = status.state if stored else "unreachable"
        return dataclasses.replace(status, state=state, notes=(refused, *status.notes))

    return reached


@contextmanager
def served_approval_desk(
    settings: Settings, writes: WriteOperations, connector: SmartPracticeConnector
) -> Iterator[HomeApprovalDesk]:
    """The approval desk of an MCP server: the person decides through elicitation or, when the client cannot
    elicit, on the web app's approval page, served on a free loopback port for as long as the server runs
    (started after the client's first answers, or when a write first needs it: fhirgate.approval_page)."""
    decisions = approval_decisions(settings, writes=writes, connect=connection_starter(connector))
    with ApprovalPage(settings, decisions) as page:
        yield HomeApprovalDesk(decisions, page.base_url)
