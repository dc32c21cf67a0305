"""The table of portal surfaces: how each is fetched and translated. Sync, progress and status read it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces import medications, profile, test_results
from gateway.sync.progress import SyncProgress
from translators.ids import stable_id
from translators.lab_results import translate_lab_result
from translators.medications import translate_rx_details
from translators.profile import patient_id_from_profile, translate_profile
from translators.types import TranslationContext, TranslationResult

log = logging.getLogger("fhirgate.sync")


@dataclass
class SyncContext:
    """What later surfaces learn from earlier ones (the profile gives the patient id and GUID)."""

    client: PortalClient
    progress: SyncProgress
    region: str
    patient_id: str | None = None
    guid: str | None = None

    def translation(self) -> TranslationContext:
        if self.patient_id is None:
            raise RuntimeError("the profile surface must run first")
        return TranslationContext(patient_id=self.patient_id, region=self.region)


@dataclass
class Collected:
    result: TranslationResult = field(default_factory=TranslationResult)
    problems: list[str] = field(default_factory=list)
    failed: int = 0


@dataclass(frozen=True)
class Surface:
    name: str
    title: str
    resource_types: tuple[str, ...]
    collect: Callable[[SyncContext], Awaitable[Collected]]


async def _collect_profile(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(profile.SURFACE, 1)
    raw = await profile.fetch_profile(ctx.client)
    ctx.patient_id = patient_id_from_profile(raw)
    ctx.guid = profile.patient_guid(raw)
    collected = Collected(result=translate_profile(raw, ctx.translation()))
    ctx.progress.surface_advanced(profile.SURFACE)
    return collected


async def _collect_test_results(ctx: SyncContext) -> Collected:
    tokens = await test_results.page_tokens(ctx.client)
    items = await test_results.fetch_lab_list(ctx.client, tokens)
    ctx.progress.surface_total(test_results.SURFACE, len(items))
    translation = ctx.translation()
    collected = Collected()

    async def one(item: test_results.LabListItem) -> None:
        try:
            detail = await test_results.fetch_lab_detail(ctx.client, tokens, item.key)
        except MalformedPayload as exc:
            collected.failed += 1
            collected.problems.append(_skipped(item, exc.reason))
        else:
            collected.result.extend(translate_lab_result(item.entry, detail, translation, group=item.group))
        ctx.progress.surface_advanced(test_results.SURFACE)

    await asyncio.gather(*(one(item) for item in items))
    return collected


def _skipped(item: test_results.LabListItem, reason: str) -> str:
    # Name the result by its FHIR id and order name, not by Kaiser's opaque (sensitive) key.
    report_id = stable_id(test_results.SURFACE, f"dr:{item.key}")
    name = str(item.entry.get("name") or "unnamed order")
    message = f"surface=test-results result {name!r} (DiagnosticReport/{report_id}) skipped: {reason}"
    log.warning("event=item_skipped %s", message)
    return message


async def _collect_medications(ctx: SyncContext) -> Collected:
    if ctx.guid is None:
        raise RuntimeError("the profile surface must run first")
    ctx.progress.surface_total(medications.SURFACE, 1)
    raw = await medications.fetch_rx_details(ctx.client, ctx.guid)
    collected = Collected(result=translate_rx_details(raw, ctx.translation()))
    ctx.progress.surface_advanced(medications.SURFACE)
    return collected


SURFACES: tuple[Surface, ...] = (
    Surface(profile.SURFACE, "Profile", ("Patient", "Coverage", "Organization"), _collect_profile),
    Surface(test_results.SURFACE, "Test results", ("DiagnosticReport", "Observation"), _collect_test_results),
    Surface(
        medications.SURFACE,
        "Medications",
        ("MedicationRequest", "Medication", "MedicationDispense"),
        _collect_medications,
    ),
)
SURFACE_NAMES = tuple(surface.name for surface in SURFACES)


def surface_named(name: str) -> Surface:
    for surface in SURFACES:
        if surface.name == name:
            return surface
    raise KeyError(f"unknown surface {name!r}; known: {', '.join(SURFACE_NAMES)}")


def warning_lines(result: TranslationResult) -> list[str]:
    return [str(warning) for warning in result.warnings]
