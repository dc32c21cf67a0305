"""Scopes enforced on every read over real HTTP: per type for v1 and v2 forms, system search ``_type``,
``_include``/``_revinclude`` and ``$everything`` filtered to granted types, writes and ``$export`` refused;
the static token keeps full access."""

from __future__ import annotations

import httpx2
import pytest

from gateway.smart_server import TokenStore, grant_for
from gateway.smart_server.tokens import TokenGrant
from tests.smart_server.harness import STATIC_TOKEN, SmartHome


def _token(home: SmartHome, scope: str) -> str:
    tokens: TokenStore = home.smart.tokens
    return tokens.issue(TokenGrant("test-client", scope), with_refresh=False).access_token


def _get(home: SmartHome, path: str, token: str) -> httpx2.Response:
    url = home.fhir_base + path if path.startswith("?") else f"{home.fhir_base}/{path}"
    return httpx2.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def _types(bundle: dict[str, object]) -> set[str]:
    entries = bundle.get("entry") or []
    assert isinstance(entries, list)
    return {e["resource"]["resourceType"] for e in entries}


@pytest.mark.parametrize("scope", ["patient/Observation.read", "patient/Observation.rs", "patient/Observation.r"])
def test_observation_scope_reads_observations_only(served: SmartHome, scope: str) -> None:
    token = _token(served, scope)
    assert _get(served, "Observation?_count=2", token).status_code == 200
    for refused in ("Condition", f"Patient/{served.patient_id}", "MedicationRequest?_count=1"):
        answer = _get(served, refused, token)
        assert answer.status_code == 403, refused
        outcome = answer.json()
        assert outcome["resourceType"] == "OperationOutcome" and outcome["issue"][0]["code"] == "forbidden"


@pytest.mark.parametrize("scope", ["patient/*.read", "patient/*.rs", "patient/*.cruds"])
def test_wildcard_scopes_read_every_type(served: SmartHome, scope: str) -> None:
    token = _token(served, scope)
    for path in ("Condition?_count=1", f"Patient/{served.patient_id}", "Observation?_count=1"):
        assert _get(served, path, token).status_code == 200, path


def test_write_scopes_grant_nothing(served: SmartHome) -> None:
    token = _token(served, "patient/Observation.write patient/Condition.cud")
    assert _get(served, "Observation?_count=1", token).status_code == 403
    assert _get(served, "Condition?_count=1", token).status_code == 403


def test_writes_and_export_are_refused_to_app_tokens_even_with_every_read(served: SmartHome) -> None:
    token = _token(served, "patient/*.read")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}
    refill = httpx2.post(f"{served.fhir_base}/MedicationRequest/x/$refill", headers=headers, content=b"{}")
    assert refill.status_code == 403 and refill.json()["issue"][0]["code"] == "forbidden"
    send = httpx2.post(f"{served.fhir_base}/Communication/$send", headers=headers, content=b"{}")
    assert send.status_code == 403
    assert _get(served, "Patient/$export", token).status_code == 403


def test_compartment_search_needs_the_searched_type(served: SmartHome) -> None:
    token = _token(served, "patient/Observation.rs")
    answer = _get(served, f"Patient/{served.patient_id}/Observation?_count=2", token)
    assert answer.status_code == 200 and _types(answer.json()) == {"Observation"}
    assert _get(served, f"Patient/{served.patient_id}/Condition?_count=2", token).status_code == 403


def test_system_search_needs_every_named_type(served: SmartHome) -> None:
    token = _token(served, "patient/Observation.read patient/Condition.read")
    assert _get(served, "?_type=Observation,Condition&_count=1", token).status_code == 200
    assert _get(served, "?_type=Observation,Encounter&_count=1", token).status_code == 403


def test_includes_are_filtered_to_granted_types(served: SmartHome) -> None:
    static = _get(served, "Observation?_include=Observation:patient&_count=5&_total=accurate", STATIC_TOKEN).json()
    assert "Patient" in _types(static)
    token = _token(served, "patient/Observation.read")
    scoped = _get(served, "Observation?_include=Observation:patient&_count=5&_total=accurate", token).json()
    assert _types(scoped) == {"Observation"}
    assert scoped["total"] == static["total"]


def test_everything_is_filtered_to_granted_types(served: SmartHome) -> None:
    path = f"Patient/{served.patient_id}/$everything?_count=500"
    everything = _get(served, path, STATIC_TOKEN).json()
    assert {"Patient", "Observation", "Condition"} <= _types(everything)
    scoped = _get(served, path, _token(served, "patient/Patient.read patient/Condition.rs")).json()
    assert _types(scoped) <= {"Patient", "Condition", "OperationOutcome"}
    assert "Condition" in _types(scoped)
    assert "total" not in scoped or scoped["total"] == len(scoped["entry"])


def test_static_token_keeps_full_access_and_unknown_tokens_get_401(served: SmartHome) -> None:
    assert _get(served, "Condition?_count=1", STATIC_TOKEN).status_code == 200
    assert _get(served, "Condition?_count=1", "not-a-token").status_code == 401


def test_metadata_stays_public_with_an_app_token(served: SmartHome) -> None:
    assert _get(served, "metadata", _token(served, "patient/Observation.read")).status_code == 200


@pytest.mark.parametrize(
    ("requested", "granted"),
    [
        ("patient/Observation.cruds launch/patient", "patient/Observation.rs launch/patient"),
        ("patient/*.read patient/*.write user/*.read system/*.read", "patient/*.read"),
        ("patient/Condition.rs patient/Condition.rs openid", "patient/Condition.rs openid"),
        ("patient/observation.read patient/Observation.x", ""),
    ],
)
def test_only_read_scopes_are_granted(requested: str, granted: str) -> None:
    assert grant_for(requested).text == granted
