"""Dependency order for a push: every resource after the resources it references, so a server resolving
references (HAPI's referential integrity, Medplum's) finds each target already there.

The reference graph's strongly connected components (Tarjan, iterative) come out targets-first; a cycle
stays together in one transaction, where its members reference each other by ``urn:uuid``. Components are
packed into batches of about ``batch_size`` resources (a larger cycle makes a larger batch).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fhirgate.record_out.parts import RecordItem

Key = tuple[str, str]
_REFERENCE = re.compile(r'"(?:reference|url)":"([A-Z][A-Za-z]{1,63})/([A-Za-z0-9\-.]{1,64})"')


def references(item: RecordItem) -> list[Key]:
    """The relative ``Type/id`` references (and attachment links) in a resource's compact JSON text."""
    return [(m.group(1), m.group(2)) for m in _REFERENCE.finditer(item.json_text)]


def _components(nodes: Sequence[Key], edges: dict[Key, list[Key]]) -> list[list[Key]]:
    index: dict[Key, int] = {}
    low: dict[Key, int] = {}
    on_stack: set[Key] = set()
    stack: list[Key] = []
    found: list[list[Key]] = []
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[Key, int]] = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = edges.get(node, [])
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[Key] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(component)
    return found


def push_batches(items: Sequence[RecordItem], batch_size: int) -> list[list[RecordItem]]:
    """``items`` in dependency order, cut into batches; references to resources not among ``items`` are
    not edges (they are sent as they are)."""
    by_key = {(item.resource_type, item.id): item for item in items}
    nodes = sorted(by_key)
    edges = {key: [t for t in dict.fromkeys(references(by_key[key])) if t in by_key and t != key] for key in nodes}
    batches: list[list[RecordItem]] = []
    current: list[RecordItem] = []
    for component in _components(nodes, edges):
        if current and len(current) + len(component) > batch_size:
            batches.append(current)
            current = []
        current += [by_key[key] for key in sorted(component)]
    if current:
        batches.append(current)
    return batches
