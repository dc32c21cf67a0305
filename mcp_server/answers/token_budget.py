"""Offline, conservative token estimates for answers the model reads.

No tokenizer ships offline with the SDK, so the estimate errs high. Measured with o200k_base
(tests/benchmarks/bench_mcp.py), our answers cost 2.2-2.9 UTF-8 bytes per token: hex ids,
dates and numbers tokenize far worse than prose. We count one token per 2 bytes.

An answer's frame (fhirgate's own header, legend, fence warning and markers, the tail with its
cursor) is mostly English words: measured at 2.6-4.0 bytes per token (docs/benchmarks.md, small
budgets), so `estimate_frame_tokens` counts one token per 2.5 bytes, still erring high.
"""

from __future__ import annotations

__all__ = [
    "BYTES_PER_TOKEN",
    "DEFAULT_MAX_TOKENS",
    "MAX_MAX_TOKENS",
    "MIN_MAX_TOKENS",
    "estimate_frame_tokens",
    "estimate_tokens",
]

DEFAULT_MAX_TOKENS = 4_000
MIN_MAX_TOKENS = 500
MAX_MAX_TOKENS = 50_000
BYTES_PER_TOKEN = 2


def estimate_tokens(text: str) -> int:
    """An upper-leaning estimate of how many tokens `text` costs."""
    return -(-len(text.encode("utf-8")) // BYTES_PER_TOKEN)


def estimate_frame_tokens(text: str) -> int:
    """An upper-leaning estimate for fhirgate's own frame of an answer (2.5 bytes per token)."""
    return -(-len(text.encode("utf-8")) * 2 // 5)
