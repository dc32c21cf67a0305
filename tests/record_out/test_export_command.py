"""`fhirgate export DIR` and `--bundle FILE` as a user runs them (subprocesses), over a home with the Kaiser
store and a practice connected over loopback HTTP: the whole record from both, ids that cannot collide,
references kept consistent, ``meta.source`` on every resource, private files."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from tests.home_modes import loose_paths
from tests.record_out.two_sources import PRACTICE, TwoSourceHome, run_fhirgate

_REFERENCE = re.compile(r'"reference":"([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]+)"')


def _read_dir(directory: Path) -> dict[str, list[dict[str, Any]]]:
    manifest = json.loads((directory / "manifest.json").read_text())
    found: dict[str, list[dict[str, Any]]] = {}
    for output in manifest["output"]:
        lines = [json.loads(line) for line in (directory / output["url"]).read_text().splitlines()]
        assert len(lines) == output["count"]
        found[output["type"]] = lines
    return found


def test_export_dir_holds_every_source_in_one_namespace_each(two_sources: TwoSourceHome) -> None:
    out = two_sources.home / "export-all"
    done = two_sources.run("export", str(out))
    assert done.returncode == 0, done.stderr
    assert "kaiser" in done.stderr and PRACTICE in done.stderr and "exported" in done.stderr
    assert done.stdout == ""
    found = _read_dir(out)
    resources = [r for lines in found.values() for r in lines]
    by_source = Counter(
        "kaiser" if r["meta"]["source"].startswith("urn:fhirgate:kaiser:") else r["meta"]["source"] for r in resources
    )
    assert by_source["kaiser"] == sum(two_sources.kaiser.counts.values())
    assert by_source[f"urn:fhirgate:practice:{PRACTICE}"] > 0
    assert set(by_source) == {"kaiser", f"urn:fhirgate:practice:{PRACTICE}"}
    for resource_type, lines in found.items():
        assert len({r["id"] for r in lines}) == len(lines), resource_type
    practice = [r for r in resources if r["meta"]["source"].endswith(PRACTICE)]
    assert all(r["id"].startswith(f"{PRACTICE}.") for r in practice)
    exported = {(r["resourceType"], r["id"]) for r in resources}
    practice_refs = {m for r in practice for m in _REFERENCE.findall(json.dumps(r, separators=(",", ":")))}
    assert practice_refs and practice_refs <= exported  # every practice reference resolves inside the export
    (practice_patient,) = [r for r in found["Patient"] if r["id"].startswith(PRACTICE)]
    assert ("Patient", practice_patient["id"]) in practice_refs
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["error"] == [] and manifest["requiresAccessToken"] is False
    assert loose_paths(out) == []


def test_export_bundle_is_one_collection_of_the_same_record(two_sources: TwoSourceHome) -> None:
    target = two_sources.home / "record.json"
    done = two_sources.run("export", "--bundle", str(target))
    assert done.returncode == 0, done.stderr
    bundle = json.loads(target.read_text())
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    keys = [(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"]]
    assert len(keys) == len(set(keys))
    assert sum(1 for _, i in keys if i.startswith(f"{PRACTICE}.")) > 0
    assert sum(1 for _, i in keys if not i.startswith(f"{PRACTICE}.")) == sum(two_sources.kaiser.counts.values())
    assert target.stat().st_mode & 0o777 == 0o600


def test_source_and_since_select_what_is_exported(two_sources: TwoSourceHome) -> None:
    only_kaiser = two_sources.home / "kaiser-only"
    done = two_sources.run("export", str(only_kaiser), "--source", "kaiser", "--since", "2026-01-05T15:00:00Z")
    assert done.returncode == 0, done.stderr
    found = _read_dir(only_kaiser)
    resources = [r for lines in found.values() for r in lines]
    assert resources and all(r["meta"]["source"].startswith("urn:fhirgate:kaiser:") for r in resources)
    assert all(r["meta"]["lastUpdated"] >= "2026-01-05T15:00:00" for r in resources)
    assert len(resources) < sum(two_sources.kaiser.counts.values())


def test_an_unknown_source_or_a_used_directory_is_one_line_and_exit_1(two_sources: TwoSourceHome) -> None:
    unknown = two_sources.run("export", str(two_sources.home / "x"), "--source", "nowhere")
    assert unknown.returncode == 1 and "no source named 'nowhere'" in unknown.stderr
    assert "kaiser" in unknown.stderr and PRACTICE in unknown.stderr
    used = two_sources.home / "used"
    used.mkdir()
    (used / "keep.txt").write_text("mine")
    refused = two_sources.run("export", str(used))
    assert refused.returncode == 1 and "not an empty directory" in refused.stderr
    assert (used / "keep.txt").read_text() == "mine"


def test_a_practice_that_cannot_answer_is_reported_and_the_rest_is_exported(tmp_path: Path) -> None:
    from fhir_client import SourceCatalog
    from tests.bulk.small_record import seed_small_record
    from tests.fhirgate.source_records import add_practice

    home = tmp_path / "home"
    kaiser = seed_small_record(home / "store.sqlite3")
    kaiser.store.close()
    add_practice(SourceCatalog(home / "sources.sqlite3"), "hill-clinic", "connected", None)  # no tokens held
    out = tmp_path / "out"
    done = run_fhirgate(home, "export", str(out))
    assert done.returncode == 1
    assert "could not export everything from: hill-clinic" in done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert sum(o["count"] for o in manifest["output"]) == sum(kaiser.counts.values())
    (error,) = manifest["error"]
    outcome = json.loads((out / error["url"]).read_text())
    assert outcome["issue"][0]["diagnostics"].startswith("hill-clinic: not exported completely")
