"""eClinicalWorks' practice directory read into `Practice`s, and practices found by name.

eCW publishes every practice's FHIR endpoint as a Bundle of `Endpoint` + `Organization`
resources (id = practice code; name; address), at `ecwopendev/external/practiceList`, paged.
Reading it drops test and training databases and inactive endpoints, and moves each address
from the provider host to the patient host (`patient_hosts`). Pure functions: no I/O here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from fhir_client.patient_hosts import ECW_PATIENT_HOSTS, patient_base_url

__all__ = [
    "DEFAULT_DIRECTORY_URL",
    "Practice",
    "PracticeNotFound",
    "find_practices",
    "is_test_database",
    "looks_like_address",
    "match_practice",
    "practices_from_bundle",
]

DEFAULT_DIRECTORY_URL = "https://fhir.eclinicalworks.com/ecwopendev/external/practiceList"
_TEST_DATABASE = re.compile(r"\b(test|testing|training|train|demo|sandbox|dummy)\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+")
_CODE = re.compile(r"[A-Z0-9]{4,12}")
_HOST_LIKE = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?(/\S*)?")


def looks_like_address(text: str) -> bool:
    """Whether `text` is meant as an address (a URL, or a host name with no scheme), not a practice's name."""
    text = text.strip()
    return "://" in text or bool(_HOST_LIKE.fullmatch(text))


@dataclass(frozen=True)
class Practice:
    """One practice of the directory: its code, name, where it is, and its patient-host base URL."""

    code: str
    name: str
    base_url: str
    city: str = ""
    state: str = ""
    postal_code: str = ""
    line: str = ""

    def to_json(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Practice:
        return cls(**{key: str(data.get(key) or "") for key in cls.__dataclass_fields__})

    def describe(self) -> str:
        where = ", ".join(part for part in (self.city, self.state) if part)
        return f"{self.name} ({where}) code {self.code}" if where else f"{self.name} code {self.code}"


class PracticeNotFound(LookupError):
    """No practice, or more than one, answers a name; the message lists the candidates."""


def is_test_database(name: str) -> bool:
    return bool(_TEST_DATABASE.search(name))


def _text(value: object, limit: int = 200) -> str:
    return " ".join(value.split())[:limit] if isinstance(value, str) else ""


def practices_from_bundle(bundle: Mapping[str, Any], hosts: Mapping[str, str] = ECW_PATIENT_HOSTS) -> list[Practice]:
    """The real, active practices of one directory page, addresses on the patient host."""
    resources = [e.get("resource") for e in bundle.get("entry") or [] if isinstance(e, dict)]
    organizations = {
        str(r.get("id")): r for r in resources if isinstance(r, dict) and r.get("resourceType") == "Organization"
    }
    found: list[Practice] = []
    for endpoint in resources:
        if not isinstance(endpoint, dict) or endpoint.get("resourceType") != "Endpoint":
            continue
        address, code = endpoint.get("address"), _text(endpoint.get("id"), 64)
        if not isinstance(address, str) or not address.startswith(("https://", "http://")) or not code:
            continue
        if endpoint.get("status", "active") != "active":
            continue
        reference = endpoint.get("managingOrganization")
        org_id = str(reference.get("reference", "")).rpartition("/")[2] if isinstance(reference, dict) else code
        organization = organizations.get(org_id or code, {})
        name = _text(organization.get("name")) or _text(endpoint.get("name"))
        if not name or is_test_database(name) or is_test_database(_text(endpoint.get("name"))):
            continue
        addresses = organization.get("address")
        place = addresses[0] if isinstance(addresses, list) and addresses and isinstance(addresses[0], dict) else {}
        lines = place.get("line")
        found.append(
            Practice(
                code=code,
                name=name,
                base_url=patient_base_url(address, hosts).url.rstrip("/"),
                city=_text(place.get("city"), 80),
                state=_text(place.get("state"), 40).upper(),
                postal_code=_text(place.get("postalCode"), 20),
                line=_text(lines[0], 120) if isinstance(lines, list) and lines else "",
            )
        )
    return found


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def find_practices(
    practices: Iterable[Practice], name: str, *, city: str | None = None, state: str | None = None, limit: int = 20
) -> list[Practice]:
    """Practices whose name holds every word of `name` (any order), best matches first."""
    wanted = _words(name)
    if not wanted:
        return []
    matches: list[tuple[int, Practice]] = []
    for practice in practices:
        words = _words(practice.name)
        if not all(any(w.startswith(part) for w in words) for part in wanted):
            continue
        if state and practice.state.lower() != state.strip().lower():
            continue
        if city and _words(practice.city) != _words(city):
            continue
        rank = 0 if words == wanted else 1 if words[: len(wanted)] == wanted else 2
        matches.append((rank, practice))
    matches.sort(key=lambda pair: (pair[0], pair[1].name, pair[1].state, pair[1].city, pair[1].code))
    return [practice for _, practice in matches[:limit]]


def match_practice(practices: Sequence[Practice], query: str, *, state: str | None = None) -> Practice:
    """The one practice `query` names: a practice code, or a name (narrowed by `state`)."""
    text = query.strip()
    if _CODE.fullmatch(text):
        by_code = [p for p in practices if p.code == text]
        if by_code:
            return by_code[0]
    found = find_practices(practices, text, state=state, limit=6)
    exact = [p for p in found if _words(p.name) == _words(text)]
    if len(exact) == 1 or len(found) == 1:
        return exact[0] if len(exact) == 1 else found[0]
    if not found:
        raise PracticeNotFound(
            f"no practice in eClinicalWorks' directory is called {text[:100]!r}"
            + (f" in {state}" if state else "")
            + "; try fewer words, or `fhirgate practices update` if it joined recently"
        )
    listing = "; ".join(p.describe() for p in found[:5])
    raise PracticeNotFound(f"{len(found)} practices match {text[:100]!r}: {listing}. Give the code (or the state)")
