"""Tools about the sources themselves: `list_sources`, `whoami`, `get_capability_statement`, `kaiser_login_status`.

Sign-in stays a CLI step (Kaiser needs the user at a browser for MFA), so these tools say
what to run rather than doing it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from fhir_client import FhirClientError, describe_outcome, entries, safe_url
from mcp_server.answers.tool_errors import to_tool_error
from mcp_server.rows.fhir_text import human_name
from mcp_server.sources.registry import RecordSource, UnknownSourceError
from mcp_server.tools.capability_text import capability_summary
from mcp_server.tools.context import SourceArg, ToolContext
from mcp_server.untrusted.fencing import Fence, fence, fenced_quote

__all__ = ["AdminTools"]

_LOGIN_STEPS = (
    'To sign in to kp.org, the user runs "fhirgate login kaiser" in a terminal (a browser window opens '
    'for the password and the texted code), then "fhirgate sync" to fetch the record. '
    "The sign-in cannot be done from this chat."
)


def _when(value: datetime) -> str:
    return value.isoformat(timespec="minutes")


class AdminTools:
    def __init__(self, context: ToolContext) -> None:
        self._context = context

    async def _probe(self, source: RecordSource) -> list[str]:
        lines: list[str] = []
        if source.status is not None:
            status = await source.status()
            line = f"state {status.state}"
            if status.last_sync is not None:
                line += f", last sync {_when(status.last_sync)}"
            if status.token_expires_at is not None:
                line += f", access token expires {_when(status.token_expires_at)}"
            if status.refresh_token_held is not None:
                line += ", refresh token " + ("held" if status.refresh_token_held else "not held")
                if status.refresh_token_held and status.refresh_expires_at is not None:
                    line += f" until {_when(status.refresh_expires_at)}"
            lines.append(line)
            lines += [f"note: {note}" for note in status.notes]
        try:
            bundle = await source.client.search("Patient", [("_count", "1")])
        except FhirClientError as error:
            failure = to_tool_error(error, source=source.name, target="Patient search", login_hint=source.login_hint)
            lines.append(f"not reachable: {failure}")
            return lines
        patients = list(entries(bundle, "match", None))
        meta = patients[0].get("meta") if patients else None
        updated = meta.get("lastUpdated") if isinstance(meta, dict) else None
        reach = "reachable" + (f", patient record updated {updated}" if isinstance(updated, str) else "")
        lines.append(reach if patients else "reachable, but no Patient found (not synced yet?)")
        lines += [
            f"note: the server said {fenced_quote(describe_outcome(o), limit=1000)}" for o in entries(bundle, "outcome")
        ]
        return lines

    async def list_sources(self) -> str:
        """The record sources (Kaiser, connected practices): kind, base URL, state, last sync, token expiry,
        whether it answers now, notes on stale or partial data."""
        sources = self._context.registry.select(None)
        if not sources:
            return "No sources are configured. " + _LOGIN_STEPS
        probes = await asyncio.gather(*(self._probe(s) for s in sources))
        blocks = []
        for source, lines in zip(sources, probes, strict=True):
            head = f"{source.name} ({source.kind}, {safe_url(source.client.base_url)})"
            blocks.append("\n".join([head, *(f"  {line}" for line in lines)]))
        return "\n".join(blocks)

    async def whoami(self, source: SourceArg = None) -> str:
        """Who the record belongs to at each source: Patient id, name, birth date, gender."""
        try:
            sources = self._context.registry.select(source)
        except UnknownSourceError as error:
            raise to_tool_error(error, source=source or "", target="whoami") from error
        lines: list[str] = []
        fenced = Fence()  # names, birth dates and genders are the sources' words
        for item in sources:
            try:
                bundle = await item.client.search("Patient", [("_count", "5")])
            except FhirClientError as error:
                failure = to_tool_error(error, source=item.name, target="Patient search", login_hint=item.login_hint)
                lines.append(f"{item.name}: {failure}")
                continue
            patients = [
                f"Patient/{patient.get('id')} {human_name(patient.get('name')) or '(no name)'}, "
                f"born {patient.get('birthDate', '?')}, {patient.get('gender', '?')}"
                for patient in entries(bundle, "match", None)
            ]
            if patients:
                lines += [f"{item.name}:", fenced.block("\n".join(patients))]
        if not lines:
            return "No patient found."
        if any(fenced.marker in line for line in lines):
            lines.insert(0, fenced.warning("patient data"))
        return "\n".join(lines)

    async def get_capability_statement(self, source: str) -> str:
        """What a source's FHIR server supports: resource types, interactions and search parameters (summarised)."""
        try:
            item = self._context.registry.source(source)
            capability = await item.client.capabilities()
        except UnknownSourceError as error:
            raise to_tool_error(error, source=source, target="metadata") from error
        except FhirClientError as error:
            raise to_tool_error(error, source=source, target="metadata", login_hint=item.login_hint) from error
        summary = capability_summary(capability, source)
        return f"What source {source} says it supports:\n{fence(summary, what='CapabilityStatement summary')}"

    async def kaiser_login_status(self) -> str:
        """Whether the Kaiser record is synced and fresh, and how the user signs in to kp.org (a CLI step)."""
        kaiser = [s for s in self._context.registry.select(None) if s.kind == "kaiser"]
        if not kaiser:
            return "Kaiser is not set up on this computer. " + _LOGIN_STEPS
        lines = [f"{s.name}: " + "; ".join(await self._probe(s)) for s in kaiser]
        return "\n".join([*lines, _LOGIN_STEPS])
