"""Value types shared by every translator: the context a translation runs in and what it yields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FhirJson = dict[str, Any]


@dataclass(frozen=True)
class TranslationContext:
    """What a translator needs besides the raw portal JSON (no clock reads, no I/O)."""

    patient_id: str
    """Logical id of the Patient every clinical resource refers to (``Patient/<patient_id>``)."""
    region: str = "NCA"
    """Kaiser region code, used in identifier system URIs."""


@dataclass(frozen=True)
class TranslationWarning:
    """One portal item (or field) that could not be translated faithfully."""

    surface: str
    key: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"surface={self.surface} key={self.key} field={self.field}: {self.message}"


@dataclass
class TranslationResult:
    """Validated FHIR R4 resources (JSON dicts) plus warnings about what was skipped or degraded."""

    resources: list[FhirJson] = field(default_factory=list)
    warnings: list[TranslationWarning] = field(default_factory=list)

    def extend(self, other: TranslationResult) -> None:
        self.resources.extend(other.resources)
        self.warnings.extend(other.warnings)
