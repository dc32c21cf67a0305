"""A practice's record is read through ``$everything`` when it answers it; an eClinicalWorks-like practice
that does not is read through ``fhir_client``'s per-type fallback, and the export says so."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from fhir_client import ClientAuthMethod
from fhirgate.record_out.practice_record import PracticeRecord
from sandbox.ehr.config import EhrProfile
from tests.sandbox.ehr.ehr_harness import connect_in_process, ehr_config, ehr_in_process


async def _read(tmp_path: Path, profile: EhrProfile) -> tuple[PracticeRecord, list[dict[str, object]], str]:
    with ehr_in_process(tmp_path / profile, ehr_config(profile=profile)) as ehr:
        connected = await connect_in_process(ehr, tmp_path / profile / "home", ClientAuthMethod.NONE)
        async with connected.client() as client:
            record = PracticeRecord(client, page_size=7)
            found = [resource async for resource in record.resources()]
        return record, found, ehr.record.patient_id


async def test_everything_is_paged_and_each_resource_comes_once(tmp_path: Path) -> None:
    record, found, patient_id = await _read(tmp_path, "generic")
    keys = Counter((r["resourceType"], r["id"]) for r in found)
    assert max(keys.values()) == 1 and len(keys) > 7  # more than one page
    assert ("Patient", patient_id) in keys
    assert record.notes == []


async def test_a_practice_without_everything_is_read_per_type_and_says_so(tmp_path: Path) -> None:
    _, via_everything, _ = await _read(tmp_path, "generic")
    fallback, via_searches, patient_id = await _read(tmp_path, "ecw")
    searched = {(r["resourceType"], r["id"]) for r in via_searches}
    assert ("Patient", patient_id) in searched
    assert {t for t, _ in searched} >= {"Patient", "Observation", "Condition"}
    same_types = {(r["resourceType"], r["id"]) for r in via_everything if r["resourceType"] in {t for t, _ in searched}}
    assert searched == same_types  # the same person's record (both sandboxes use one seed)
    assert any("does not answer Patient/$everything" in note for note in fallback.notes)
