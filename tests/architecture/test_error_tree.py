"""The error tree is drawn once, in docs/architecture.md: its table matches the classes (code and status)."""

from __future__ import annotations

import re
from pathlib import Path

import gateway.bulk
import gateway.facade
import gateway.smart_server
from gateway.facade import outcome_response
from gateway.search import FhirError

ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"
LOADED = (gateway.bulk, gateway.facade, gateway.smart_server)  # every module that defines a member


def _members(root: type[FhirError]) -> list[type[FhirError]]:
    return [root, *(member for sub in root.__subclasses__() for member in _members(sub))]


def _documented() -> dict[str, tuple[str, int]]:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    table = text.split("<!-- error-table")[1].split("<!-- /error-table -->")[0]
    rows = re.findall(r"^\| (\w+) \| ([\w-]+) \| (\d{3}) \|", table, flags=re.MULTILINE)
    return {name: (code, int(status)) for name, code, status in rows}


def test_the_documented_table_is_the_class_tree() -> None:
    in_code = {member.__name__: (member.issue_code, member.http_status) for member in _members(FhirError)}
    assert _documented() == in_code


def test_every_member_becomes_its_operation_outcome() -> None:
    for member in _members(FhirError):
        response = outcome_response(member("why"))
        assert response.status_code == member.http_status, member.__name__
        assert f'"code":"{member.issue_code}"' in bytes(response.body).decode().replace(" ", ""), member.__name__
