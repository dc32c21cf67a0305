"""How a write chain fails."""

from __future__ import annotations


class WriteChainError(Exception):
    """A write chain step failed; ``step`` names it and ``sent`` says whether the order/message may exist."""

    def __init__(self, step: str, message: str, *, sent: bool = False) -> None:
        super().__init__(f"{step}: {message}")
        self.step = step
        self.sent = sent
