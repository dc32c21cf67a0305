"""A practice's ids and references move into the practice's namespace; nothing else changes."""

from __future__ import annotations

from fhirgate.record_out.namespacing import SourceNamespace

BASE = "https://ehr.example/fhir/r4/abc"


def test_ids_and_references_are_prefixed_and_absolute_links_to_the_practice_become_relative() -> None:
    ns = SourceNamespace("Valley Clinic", BASE)
    observation = {
        "resourceType": "Observation",
        "id": "42",
        "meta": {"versionId": "7", "source": "#x"},
        "subject": {"reference": "Patient/p1"},
        "performer": [{"reference": f"{BASE}/Practitioner/dr.9/_history/2"}],
        "hasMember": [{"reference": "https://elsewhere.example/fhir/Observation/1"}, {"reference": "#contained-1"}],
        "extension": [{"url": f"{BASE}/StructureDefinition/x", "valueString": "Patient/p1"}],
        "derivedFrom": [{"reference": "urn:uuid:9f0c1a52-0000-4000-8000-000000000000"}],
    }
    rewritten = ns.rewrite(observation)
    assert rewritten["id"] == "Valley-Clinic.42"
    assert rewritten["meta"] == {"source": "urn:fhirgate:practice:Valley-Clinic"}
    assert rewritten["subject"] == {"reference": "Patient/Valley-Clinic.p1"}
    assert rewritten["performer"] == [{"reference": "Practitioner/Valley-Clinic.dr.9/_history/2"}]
    assert rewritten["hasMember"] == observation["hasMember"]
    assert rewritten["extension"] == observation["extension"]
    assert rewritten["derivedFrom"] == observation["derivedFrom"]
    assert observation["id"] == "42"  # the input is left as it was


def test_attachment_links_to_the_practice_binary_follow_the_binary() -> None:
    ns = SourceNamespace("valley", BASE)
    document = {
        "resourceType": "DocumentReference",
        "id": "d1",
        "content": [{"attachment": {"url": "Binary/b1"}}, {"attachment": {"url": f"{BASE}/Binary/b2"}}],
    }
    urls = [c["attachment"]["url"] for c in ns.rewrite(document)["content"]]
    assert urls == ["Binary/valley.b1", "Binary/valley.b2"]
    assert ns.rewrite({"resourceType": "Binary", "id": "b1"})["id"] == "valley.b1"


def test_an_id_that_would_pass_64_characters_is_digested_stably_and_references_agree() -> None:
    ns = SourceNamespace("a-practice-with-a-rather-long-name", BASE)
    long_id = "x" * 60
    first = ns.resource_id(long_id)
    assert len(first) <= 64 and first == ns.resource_id(long_id) and first.startswith("a-practice-with-a-rather")
    assert ns.reference(f"Encounter/{long_id}") == f"Encounter/{first}"
    assert ns.resource_id("y" * 60) != first


def test_two_practices_never_share_an_id_and_kaiser_ids_have_no_dot() -> None:
    one, two = SourceNamespace("north", BASE), SourceNamespace("north-east", BASE)
    assert one.resource_id("east.1") != two.resource_id("1")
    assert "." in one.resource_id("1")
