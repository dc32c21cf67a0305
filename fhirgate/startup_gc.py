"""The cyclic garbage collector paused while a long-running server starts.

Starting `fhirgate mcp` imports thousands of classes (the MCP SDK's pydantic models, our dataclasses) and
builds every tool's argument model. Nearly all of it lives as long as the process, yet the collector,
run every 700 allocations, walks it again and again while it is being made: about a tenth of the cold
start (docs/benchmarks.md, bench_mcp). Once the server is built, what survived is frozen (kept out of
every later collection, which also shortens the pauses of a server that runs for weeks) and collection
resumes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Collect nothing inside; freeze what survived and collect as before after (also on an error)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
