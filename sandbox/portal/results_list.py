"""The GetList answer (KAISER_API.md §2.6.1) built from the patient's orders for one request body.

Pure: no request, no session. ``newResults`` is keyed by ``<orderKey>^`` (trailing caret), newest
first; groups list only the orders actually returned.
"""

from __future__ import annotations

from typing import Any

from sandbox.patient import LabOrder

__all__ = ["MAX_RESULTS_CEILING", "build_result_list"]

MAX_RESULTS_CEILING = 200
"""Inferred server-side cap (OpenKP caps its own requests at 200)."""


def _newest_first(orders: tuple[LabOrder, ...]) -> list[LabOrder]:
    return sorted(orders, key=lambda o: o.list_entry["orderMetadata"]["prioritizedInstantISO"], reverse=True)


def _matches(order: LabOrder, needle: str) -> bool:
    if not needle:
        return True
    return needle.casefold() in str(order.list_entry["name"]).casefold()


def build_result_list(
    orders: tuple[LabOrder, ...], *, group_type: str, search: str, max_results: int
) -> dict[str, Any]:
    if group_type == "UNINITIALIZED":
        # The page-warmup call: nothing comes back (exact empty shape inferred).
        return {
            "areResultsFullyLoaded": False,
            "isGroupingFullyLoaded": False,
            "groupBy": group_type,
            "newResultGroups": [],
            "newResults": {},
        }
    matching = [order for order in _newest_first(orders) if _matches(order, search.strip())]
    returned = matching[: max(0, min(max_results, MAX_RESULTS_CEILING))]
    returned_keys = {order.key for order in returned}
    groups: dict[str, dict[str, Any]] = {}
    for order in returned:
        group_key = str(order.group["key"])
        if group_key not in groups:
            groups[group_key] = {
                **order.group,
                "resultList": [k for k in order.group["resultList"] if k in returned_keys],
            }
    return {
        # Inferred meaning: true when nothing was cut off by maxResults.
        "areResultsFullyLoaded": len(returned) == len(matching),
        "isGroupingFullyLoaded": True,
        "groupBy": "ORDER",
        "newResultGroups": list(groups.values()),
        "newResults": {f"{order.key}^": order.list_entry for order in returned},
    }
