"""Provider hosts and their patient twins: eClinicalWorks serves one practice on two hosts.

Patient-facing apps (standalone patient launch) use `https://fhir4.healow.com/fhir/r4/<code>`;
the provider host `fhir4.eclinicalworks.com` answers a patient launch with 403. Users copy the
provider address from eCW's directory and older READMEs, so it is rewritten before any call.
`FHIRGATE_PROVIDER_HOSTS` (`provider=patient,...`) adds pairs, which the sandbox uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

__all__ = ["ECW_PATIENT_HOSTS", "PatientBase", "patient_base_url", "patient_hosts_from"]

#: Provider host -> the host patient apps must use for the same practice.
ECW_PATIENT_HOSTS: Mapping[str, str] = {"fhir4.eclinicalworks.com": "fhir4.healow.com"}


@dataclass(frozen=True)
class PatientBase:
    """The base URL to use, and why it differs from the one given (None when it does not)."""

    url: str
    explanation: str | None = None


def patient_hosts_from(environ: Mapping[str, str]) -> dict[str, str]:
    """The eCW pairs plus any `FHIRGATE_PROVIDER_HOSTS=provider=patient,...` pairs."""
    hosts = dict(ECW_PATIENT_HOSTS)
    for pair in environ.get("FHIRGATE_PROVIDER_HOSTS", "").split(","):
        provider, _, patient = pair.strip().partition("=")
        if provider and patient:
            hosts[provider.lower()] = patient.lower()
    return hosts


def patient_base_url(url: str, hosts: Mapping[str, str] = ECW_PATIENT_HOSTS) -> PatientBase:
    """`url` moved to the patient host when it names a provider host (path, port and scheme kept)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    patient = hosts.get(host)
    if patient is None:
        return PatientBase(url.strip())
    netloc = f"{patient}:{parts.port}" if parts.port else patient
    moved = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return PatientBase(
        moved,
        f"{host} is eClinicalWorks' host for provider apps and refuses a patient's sign-in (403); "
        f"the same practice is served to patient apps at {patient}, so fhirgate uses {moved}",
    )
