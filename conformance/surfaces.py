"""Every sync surface's translation of the synthetic patient, done as the sync does it.

The sync table (:data:`gateway.kaiser.surfaces.table.SURFACES`) names the surfaces. Surfaces in :data:`ADAPTERS` are
translated directly from the :class:`SyntheticPatient`'s raw documents (one unit per translator call, e.g. per
lab order, for a precise fidelity check, and timed for the translation rate). Every other surface, including
any added later, runs its real ``collect`` against the in-process sandbox portal, with the JSON the portal
answered recorded as its raw input.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance.sandbox_portal import SandboxPortal
from gateway.kaiser.surfaces.profile import patient_guid
from gateway.kaiser.surfaces.protocol import PortalSurface, SyncContext
from gateway.kaiser.surfaces.table import SURFACES
from gateway.sync.progress import SilentProgress
from sandbox.patient import SyntheticPatient
from translators import (
    TranslationContext,
    TranslationResult,
    patient_id_from_profile,
    translate_lab_result,
    translate_profile,
    translate_rx_details,
)
from translators.care_team import primary_care_reference
from translators.refill_orders import translate_refill_order

__all__ = ["ADAPTERS", "SurfaceAdapter", "SurfaceRun", "TranslationUnit", "translate_patient"]


@dataclass(frozen=True)
class TranslationUnit:
    """One translator call (or one surface's real sync): the raw JSON it read, by name, and what it returned."""

    label: str
    raw: dict[str, Any]
    result: TranslationResult


@dataclass(frozen=True)
class SurfaceAdapter:
    """How the sync translates one surface, given the documents the portal would serve."""

    patient_fields: tuple[str, ...]
    """The :class:`SyntheticPatient` fields it reads (documentation of where its raw JSON comes from)."""
    translate: Callable[[SyntheticPatient, TranslationContext], list[TranslationUnit]]


@dataclass
class SurfaceRun:
    units: dict[str, list[TranslationUnit]] = field(default_factory=dict)
    direct_seconds: float = 0.0
    """Time spent in direct translator calls (the translation rate's denominator)."""
    synced_seconds: float = 0.0
    """Time spent running real sync surfaces against the in-process portal (HTTP included)."""
    failed_surfaces: list[str] = field(default_factory=list)

    def resources(self, surface: str | None = None) -> list[dict[str, Any]]:
        names = [surface] if surface is not None else list(self.units)
        return [resource for name in names for unit in self.units[name] for resource in unit.result.resources]

    def direct_resources(self) -> int:
        return sum(len(self.resources(name)) for name in self.units if name in ADAPTERS)


def _profile(patient: SyntheticPatient, ctx: TranslationContext) -> list[TranslationUnit]:
    # As the sync's profile step: the Primary Care Provider comes from the care team's Load.
    practitioner = primary_care_reference(patient.care_team or None)
    result = translate_profile(patient.profile, ctx, general_practitioner=practitioner)
    return [TranslationUnit("profile", {"user": patient.profile}, result)]


def _test_results(patient: SyntheticPatient, ctx: TranslationContext) -> list[TranslationUnit]:
    units = []
    for order in patient.lab_orders:
        result = translate_lab_result(order.list_entry, order.detail, ctx, group=order.group)
        raw = {"list": order.list_entry, "group": order.group, "detail": order.detail}
        units.append(TranslationUnit(str(order.detail.get("orderName") or order.key[:12]), raw, result))
    return units


def _medications(patient: SyntheticPatient, ctx: TranslationContext) -> list[TranslationUnit]:
    units = [TranslationUnit("rxDetails", {"rx": patient.rx_details}, translate_rx_details(patient.rx_details, ctx))]
    for order in patient.refill_orders:  # refill-order tracking (orderDetails): Task + MedicationDispense
        number = str(order.get("orderNumber"))
        units.append(
            TranslationUnit(f"orderDetails {number[-14:]}", {"order": order}, translate_refill_order(order, ctx))
        )
    return units


ADAPTERS: dict[str, SurfaceAdapter] = {
    "profile": SurfaceAdapter(("profile",), _profile),
    "test-results": SurfaceAdapter(("lab_orders",), _test_results),
    "medications": SurfaceAdapter(("rx_details", "refill_orders"), _medications),
}
"""Surfaces translated directly (name as in the sync table); all others run through the sandbox portal."""


def translate_patient(patient: SyntheticPatient, *, region: str = "NCA", portal: bool = True) -> SurfaceRun:
    """Translate every surface of the sync table, in sync order; ``portal=False`` does only the direct ones."""
    ctx = TranslationContext(patient_id=patient_id_from_profile(patient.profile), region=region)
    run = SurfaceRun()
    started = time.perf_counter()
    for surface in SURFACES:
        if (adapter := ADAPTERS.get(surface.name)) is not None:
            run.units[surface.name] = adapter.translate(patient, ctx)
    run.direct_seconds = time.perf_counter() - started
    others = [surface for surface in SURFACES if surface.name not in ADAPTERS]
    if portal and others:
        started = time.perf_counter()
        asyncio.run(_sync_through_portal(patient, others, ctx, run))
        run.synced_seconds = time.perf_counter() - started
    # Ordered as the sync table.
    run.units = {s.name: run.units[s.name] for s in SURFACES if s.name in run.units}
    return run


async def _sync_through_portal(
    patient: SyntheticPatient, surfaces: list[PortalSurface], translation: TranslationContext, run: SurfaceRun
) -> None:
    portal = SandboxPortal(patient)
    async with await portal.client() as client:
        ctx = SyncContext(
            client=client,
            progress=SilentProgress(),
            region=translation.region,
            patient_id=translation.patient_id,
            guid=patient_guid(patient.profile),
            full=True,
        )
        for surface in surfaces:
            portal.recorder.bodies.clear()
            try:
                collected = await surface.collect(ctx)
            except Exception as error:  # any failure of a surface is a finding, not a crash of the suite
                run.failed_surfaces.append(f"{surface.name}: {type(error).__name__}: {error}")
                continue
            raw: dict[str, list[Any]] = {}
            for endpoint, body in portal.recorder.bodies:
                raw.setdefault(endpoint, []).append(body)
            run.units[surface.name] = [TranslationUnit(surface.name, raw, collected.result)]
