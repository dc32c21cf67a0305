"""eClinicalWorks' practice directory as the sandbox serves it (same shape, paged): parsed into
practices with test databases dropped and addresses moved to the patient host, searched by name,
cached in the home and fetched again only when older than 30 days."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from fhir_client import DirectoryCache, DirectoryUnavailable, Practice, PracticeNotFound, find_practices, match_practice
from fhir_client.practice_directory import is_test_database, looks_like_address
from tests.sandbox.ehr.ehr_harness import ORIGIN, FakeClock, ehr_config, ehr_in_process, in_process

SANDBOX_HOSTS = {"localhost": "127.0.0.1"}
DIRECTORY = f"{ORIGIN}/ecwopendev/external/practiceList"


class CountingTransport(httpx2.AsyncBaseTransport):
    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner, self.paths = inner, list[str]()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.paths.append(f"{request.url.path}?{request.url.query.decode()}")
        return await self.inner.handle_async_request(request)


async def test_the_directory_is_read_across_pages_without_test_databases_on_the_patient_host(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path, ehr_config(profile="ecw")) as ehr:
        transport = CountingTransport(in_process(ehr))
        cache = DirectoryCache(tmp_path / "directory.json", url=DIRECTORY, hosts=SANDBOX_HOSTS, transport=transport)
        practices = await cache.practices()
    assert transport.paths == ["/ecwopendev/external/practiceList?", "/ecwopendev/external/practiceList?page=2"]
    names = sorted(p.name for p in practices)
    assert names == ["Lee Family Medicine", "Lee Family Medicine", "Lee Pediatrics", "Oak Valley Internal Medicine"]
    own = next(p for p in practices if p.code == ehr.config.org_id)
    assert own.base_url == ehr.fhir_base(ORIGIN) and (own.city, own.state) == ("San Jose", "CA")
    assert all(p.base_url.startswith("http://127.0.0.1/") for p in practices)
    assert oct((tmp_path / "directory.json").stat().st_mode & 0o777) == "0o600"


async def test_the_cached_copy_is_used_until_it_is_thirty_days_old(tmp_path: Path) -> None:
    clock = FakeClock(1_800_000_000.0)
    with ehr_in_process(tmp_path, ehr_config(profile="ecw")) as ehr:
        transport = CountingTransport(in_process(ehr))
        cache = DirectoryCache(
            tmp_path / "directory.json", url=DIRECTORY, hosts=SANDBOX_HOSTS, transport=transport, clock=clock
        )
        assert cache.age() is None
        await cache.practices()
        clock.now += 29 * 86400
        again = await cache.practices()
        assert len(transport.paths) == 2 and len(again) == 4 and cache.age() == 29 * 86400
        clock.now += 2 * 86400
        await cache.practices()
        assert len(transport.paths) == 4 and cache.age() == 0
        other = DirectoryCache(tmp_path / "directory.json", url="https://elsewhere.example/list", transport=transport)
        assert other.age() is None  # a copy of another directory is not this one's
        clock.now += 40 * 86400
        offline = DirectoryCache(
            tmp_path / "directory.json", url=DIRECTORY, transport=transport, clock=clock, offline=True
        )
        assert len(await offline.practices()) == 4 and len(transport.paths) == 4  # stale, but never fetched
        with pytest.raises(DirectoryUnavailable, match="offline"):
            await DirectoryCache(tmp_path / "none.json", url=DIRECTORY, transport=transport, offline=True).practices()


def _practice(code: str, name: str, city: str, state: str) -> Practice:
    return Practice(code, name, f"https://fhir4.healow.com/fhir/r4/{code}", city, state)


PRACTICES = [
    _practice("AAAAAA", "Lee Family Medicine", "San Jose", "CA"),
    _practice("BBBBBB", "Lee Family Medicine", "Springfield", "IL"),
    _practice("CCCCCC", "Family Medicine of Lee County", "Fort Myers", "FL"),
    _practice("DDDDDD", "Oak Valley Internal Medicine", "Portland", "OR"),
]


def test_a_name_search_matches_every_word_best_first_and_narrows_by_state_and_city() -> None:
    found = find_practices(PRACTICES, "lee family medicine")
    assert [p.code for p in found] == ["AAAAAA", "BBBBBB", "CCCCCC"]
    assert [p.code for p in find_practices(PRACTICES, "Lee Family Medicine", state="ca")] == ["AAAAAA"]
    assert [p.code for p in find_practices(PRACTICES, "lee fam", city="springfield")] == ["BBBBBB"]
    assert find_practices(PRACTICES, "  ") == []


def test_one_practice_is_matched_by_code_or_unique_name_else_the_candidates_are_listed() -> None:
    assert match_practice(PRACTICES, "DDDDDD").name == "Oak Valley Internal Medicine"
    assert match_practice(PRACTICES, "oak valley").code == "DDDDDD"
    assert match_practice(PRACTICES, "lee family medicine", state="IL").code == "BBBBBB"
    with pytest.raises(PracticeNotFound, match=r"match 'lee family medicine'.*San Jose, CA.*Springfield, IL"):
        match_practice(PRACTICES, "lee family medicine")
    with pytest.raises(PracticeNotFound, match="no practice"):
        match_practice(PRACTICES, "Mayo")


@pytest.mark.parametrize(
    ("name", "test"),
    [("Lee Family Medicine TEST DB", True), ("Training Database", True), ("Testa Cardiology", False)],
)
def test_test_and_training_databases_are_recognised(name: str, test: bool) -> None:
    assert is_test_database(name) is test


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("https://fhir4.healow.com/fhir/r4/ABCDEF", True),
        ("fhir.example.org", True),
        ("fhir4.healow.com/fhir/r4/ABCDEF", True),
        ("ABCDEF", False),
        ("Lee Family Medicine", False),
        ("Dr. Lee's Clinic", False),
    ],
)
def test_an_address_is_told_from_a_practice_name_or_code(text: str, address: bool) -> None:
    assert looks_like_address(text) is address
