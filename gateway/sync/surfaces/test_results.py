"""The test-results surface: the list, then every order's details (bounded concurrency)."""

from __future__ import annotations

import asyncio
import logging

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.surfaces import test_results
from gateway.sync.surfaces.base import Collected, Surface, SyncContext
from translators.ids import stable_id
from translators.lab_results import translate_lab_result

log = logging.getLogger("fhirgate.sync")


async def _collect(ctx: SyncContext) -> Collected:
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


TEST_RESULTS = Surface(test_results.SURFACE, "Test results", ("DiagnosticReport", "Observation"), _collect)
