"""Where an exported record goes: a directory of NDJSON files with a manifest, or one ``collection`` Bundle.

Both are created private (directories 0700, files 0600). The manifest follows the Bulk Data manifest's
shape, with file names relative to it and ``requiresAccessToken: false``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Protocol

from fhirgate.record_out.parts import RecordItem
from gateway.bulk import NdjsonFiles, private_dir, private_file

MANIFEST = "manifest.json"
ERROR_FILE = "OperationOutcome.ndjson"


def _instant(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def problems_outcome(problems: list[str]) -> dict[str, Any]:
    """One OperationOutcome naming each source failure or partial answer."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "warning", "code": "incomplete", "diagnostics": p[:500]} for p in problems],
    }


class RecordSink(Protocol):
    def write(self, item: RecordItem) -> None: ...

    def finish(self, problems: list[str]) -> None: ...


class NdjsonDirectory:
    """``<Type>.ndjson`` per type and ``manifest.json`` in ``directory`` (which must be empty or absent)."""

    def __init__(self, directory: Path, *, transaction_time: datetime, request: str) -> None:
        if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
            raise FileExistsError(f"{directory} exists and is not an empty directory")
        self.directory = private_dir(directory)
        self._files = NdjsonFiles(directory)
        self._transaction_time = transaction_time
        self._request = request

    @property
    def counts(self) -> dict[str, int]:
        return dict(self._files.counts)

    def write(self, item: RecordItem) -> None:
        self._files.write(item.resource_type, item.json_text)

    def finish(self, problems: list[str]) -> None:
        self._files.close()
        errors = []
        if problems:
            with private_file(self.directory / ERROR_FILE) as handle:
                handle.write(json.dumps(problems_outcome(problems), separators=(",", ":")) + "\n")
            errors.append({"type": "OperationOutcome", "url": ERROR_FILE})
        manifest = {
            "transactionTime": _instant(self._transaction_time),
            "request": self._request,
            "requiresAccessToken": False,
            "output": [
                {"type": t, "url": self._files.path_for(t).name, "count": n} for t, n in self._files.counts.items()
            ],
            "error": errors,
        }
        with private_file(self.directory / MANIFEST) as handle:
            json.dump(manifest, handle, indent=2)
            handle.write("\n")


class CollectionBundleFile:
    """One ``collection`` Bundle streamed into ``path``: entries as they come, stored JSON text unparsed.

    Entries carry no ``fullUrl``: the resources reference each other as relative ``Type/id``, which a
    reader resolves within the Bundle; an invented base URL would suggest a server that does not exist.
    Source problems are appended as a final OperationOutcome entry.
    """

    def __init__(self, path: Path, *, transaction_time: datetime) -> None:
        private_dir(path.parent)
        self.path = path
        self.counts: dict[str, int] = {}
        self._handle: IO[str] = private_file(path)
        head = {"resourceType": "Bundle", "type": "collection", "timestamp": _instant(transaction_time)}
        self._handle.write(json.dumps(head, separators=(",", ":"))[:-1] + ',"entry":[')
        self._first = True

    def _entry(self, json_text: str) -> None:
        self._handle.write(("" if self._first else ",") + '{"resource":' + json_text + "}")
        self._first = False

    def write(self, item: RecordItem) -> None:
        self._entry(item.json_text)
        self.counts[item.resource_type] = self.counts.get(item.resource_type, 0) + 1

    def finish(self, problems: list[str]) -> None:
        if problems:
            self._entry(json.dumps(problems_outcome(problems), separators=(",", ":")))
        self._handle.write("]}\n")
        self._handle.close()


class RecordList:
    """The record kept in memory (what a push sends); problems are kept for the report."""

    def __init__(self) -> None:
        self.items: list[RecordItem] = []
        self.problems: list[str] = []

    def write(self, item: RecordItem) -> None:
        self.items.append(item)

    def finish(self, problems: list[str]) -> None:
        self.problems = list(problems)
