"""What a tool asks an answer for: one FHIR search (`Query`) and the answer's format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mcp_server.untrusted.quoting import bounded_text

__all__ = ["AnswerFormat", "Query"]

AnswerFormat = Literal["rows", "fhir"]


@dataclass(frozen=True)
class Query:
    """One FHIR search as a tool issues it; `tool` names the tool the cursor line tells the model to call."""

    tool: str
    resource_type: str
    params: tuple[tuple[str, str], ...]

    @property
    def label(self) -> str:
        """The query as the header shows it; the model chose it, so it is quoted bounded."""
        from urllib.parse import urlencode

        return bounded_text(f"{self.resource_type}?{urlencode(self.params)}" if self.params else self.resource_type)
