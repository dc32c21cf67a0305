"""Who a source's record belongs to: the `fhirUser` and patient a token was issued for, and
`WhoAmI`, what `FhirClient.whoami` reports (with the name read from the server)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["SourceIdentity", "WhoAmI", "human_name"]


@dataclass(frozen=True)
class SourceIdentity:
    patient_id: str | None = None
    fhir_user: str | None = None


@dataclass(frozen=True)
class WhoAmI:
    """The user (`fhirUser`, e.g. `Patient/123`) and the patient whose record the source serves."""

    fhir_user: str | None
    patient_id: str | None
    name: str | None

    def describe(self) -> str:
        who = self.name or "unknown name"
        parts = [f"patient {who} (Patient/{self.patient_id})" if self.patient_id else who]
        if self.fhir_user and self.fhir_user.rsplit("/", 2)[-2:] != ["Patient", self.patient_id or ""]:
            parts.append(f"signed in as {self.fhir_user}")
        return ", ".join(parts)


def human_name(resource: dict[str, Any]) -> str | None:
    """The display name of a Patient/Practitioner/RelatedPerson: `text`, else given + family."""
    names = resource.get("name")
    if not isinstance(names, list) or not names:
        return None
    official = next((n for n in names if isinstance(n, dict) and n.get("use") == "official"), names[0])
    if not isinstance(official, dict):
        return None
    if isinstance(official.get("text"), str):
        return str(official["text"])
    given = " ".join(g for g in official.get("given") or [] if isinstance(g, str))
    family = official.get("family") if isinstance(official.get("family"), str) else ""
    return " ".join(p for p in (given, family) if p) or None
