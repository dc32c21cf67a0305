"""The problem-list surface: one ``LoadListData`` call -> Conditions."""

from __future__ import annotations

from gateway.kaiser.surfaces import problems
from gateway.sync.surfaces.base import Collected, Surface, SyncContext
from translators.problems import translate_problem_list


async def _collect(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(problems.SURFACE, 1)
    body = await problems.fetch_problem_list(ctx.client)
    collected = Collected(result=translate_problem_list(body, ctx.translation()))
    ctx.progress.surface_advanced(problems.SURFACE)
    return collected


PROBLEMS = Surface(problems.SURFACE, "Problem list", ("Condition",), _collect)
