from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from starlette.testclient import TestClient

from gateway.facade import FacadeSettings, create_facade_app
from gateway.search import DateRange, SearchRequest
from gateway.store import SearchPage, StoredResource, SurfaceState, SurfaceWriteSummary
from tests.facade.conftest import AUTH, BASE, TOKEN


class BrokenStore:
    """A ResourceStore whose reads blow up, to see the facade's last-resort handler."""

    def write_surface(
        self,
        surface: str,
        resources: Sequence[dict[str, Any]],
        *,
        problems: Sequence[str] = (),
        now: datetime,
        sync_state: Mapping[str, Any] | None = None,
    ) -> SurfaceWriteSummary:
        raise NotImplementedError

    def get_sync_state(self, surface: str) -> dict[str, Any]:
        raise NotImplementedError

    def record_surface_failure(self, surface: str, error: str, *, now: datetime) -> None:
        raise NotImplementedError

    def read(self, resource_type: str, resource_id: str) -> StoredResource | None:
        raise RuntimeError("disk on fire: /secret/path")

    def search(self, request: SearchRequest) -> SearchPage:
        raise RuntimeError("disk on fire: /secret/path")

    def read_version(self, resource_type: str, resource_id: str, version_id: int) -> StoredResource | None:
        raise RuntimeError("disk on fire: /secret/path")

    def history(self, resource_type: str, resource_id: str) -> list[StoredResource]:
        raise RuntimeError("disk on fire: /secret/path")

    def everything(
        self,
        patient_id: str,
        *,
        since: datetime | None,
        types: Sequence[str],
        count: int,
        cursor: str | None,
        window: DateRange | None = None,
    ) -> SearchPage:
        raise RuntimeError("disk on fire: /secret/path")

    def surface_states(self) -> list[SurfaceState]:
        return []

    def close(self) -> None:
        pass


def test_unexpected_errors_become_500_exception_without_details() -> None:
    app = create_facade_app(BrokenStore(), FacadeSettings(token=TOKEN))
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as client:
        responses = [client.get(path, headers=AUTH) for path in ("/fhir/Patient/p1", "/fhir/Patient/p1/_history/1")]
    for response in responses:
        _assert_hidden_500(response)


def _assert_hidden_500(response: Any) -> None:
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/fhir+json; charset=utf-8"
    body = response.json()
    assert body["issue"][0]["code"] == "exception"
    assert "secret" not in response.text and "Traceback" not in response.text
