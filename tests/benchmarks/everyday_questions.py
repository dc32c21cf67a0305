"""Twelve everyday questions for `bench_mcp` (issue 15): each one MCP tool call across two sources, the `large`
sandbox patient synced into a store (every surface) and the demo practice's record (the sandbox SMART EHR),
with the facts a person asks about measured in the answer.

The resources an answer covers are its rows (`Type/id | ...` lines in its fence), or, for a tool
without rows (`lab_trend`), the `Type/id` references in its text. Their facts are taken from the stored resources
by element kind, the same for every question (`key_facts`): the clinical date, value, unit, flag and
status (as for the 20 questions), what it is (code, vaccine, medication, type or topic as text), the
people and roles named, instructions (dosage text, `patientInstruction`), reactions, criticality,
clinical status, and a device's names, maker, serial number and UDI.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from mcp import Client
from mcp_types import TextContent

from fhirgate.kaiser_source import in_process_kaiser_client
from gateway.store import SqliteStore
from mcp_server import RecordSource, SourceRegistry, build_server
from tests.benchmarks.answer_rows import row_refs
from tests.benchmarks.bench_mcp_facts import two_sources
from tests.benchmarks.benchmarks_doc import replace_section
from tests.benchmarks.record_facts import appears
from tests.benchmarks.small_budgets import SMALL_BUDGETS_SECTION, read_small_pages, small_budgets_report

__all__ = [
    "EVERYDAY_QUESTIONS",
    "EVERYDAY_SECTION",
    "Everyday",
    "ask_everyday_questions",
    "everyday_report",
    "everyday_sections",
    "key_facts",
]

EVERYDAY_SECTION = "## MCP answers (large patient, twelve everyday questions)"
TODAY = date(2026, 11, 23)
"""The sandbox portal's clock (its patient's "today"), for `when=upcoming`."""

# (question, tool, arguments)
EVERYDAY_QUESTIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("latest A1c", "search_observation", {"code": "http://loinc.org|4548-4"}),
    ("labs last year", "search_observation", {"category": "laboratory", "date": "ge2025-11-23"}),
    ("active meds with instructions", "search_medication_request", {"status": "active"}),
    ("allergies", "list_allergies", {}),
    ("problems", "list_problems", {}),
    ("upcoming appointments", "list_appointments", {"when": "upcoming"}),
    ("last visit note", "search_document_reference", {"type": "progress-note"}),
    ("care team", "list_care_team", {}),
    ("immunizations", "list_immunizations", {}),
    ("glucose trend", "lab_trend", {"code_or_name": "http://loinc.org|2345-7", "chart": False}),
    ("latest doctor message", "list_messages", {}),
    ("implants", "list_implants", {}),
]

_CLINICAL_DATES = (
    "effectiveDateTime",
    "effectivePeriod",
    "occurrenceDateTime",
    "authoredOn",
    "onsetDateTime",
    "recordedDate",
    "sent",
    "start",
    "date",
    "period",
)
_WHAT = ("code", "vaccineCode", "medicationCodeableConcept", "type", "serviceType", "topic")
_PEOPLE = ("sender", "requester", "asserter", "performer", "participant")
_REFERENCE = re.compile(r"\b([A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64})\b")


def _concept(value: Any) -> str:
    """A CodeableConcept's text, else its first coding's display, else its first code."""
    value = value[0] if isinstance(value, list) and value else value
    if not isinstance(value, Mapping):
        return ""
    if isinstance(value.get("text"), str):
        return str(value["text"])
    for coding in value.get("coding") or []:
        for key in ("display", "code"):
            if isinstance(coding, Mapping) and isinstance(coding.get(key), str):
                return str(coding[key])
    return ""


def _clinical_date(resource: Mapping[str, Any]) -> str:
    for key in _CLINICAL_DATES:
        value = resource.get(key)
        value = value.get("start") if isinstance(value, Mapping) else value
        if isinstance(value, str):
            return value[:10]
    return ""


def _people(resource: Mapping[str, Any]) -> Iterator[str]:
    for key in _PEOPLE:
        value = resource.get(key)
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, Mapping):
                continue
            for reference in (item, item.get("actor"), item.get("member")):
                if isinstance(reference, Mapping) and isinstance(reference.get("display"), str):
                    yield reference["display"]
            yield from (_concept(role) for role in item.get("role") or [])


def _device(resource: Mapping[str, Any]) -> Iterator[str]:
    yield from (str(n["name"]) for n in resource.get("deviceName") or [] if isinstance(n.get("name"), str))
    yield from (str(resource[key]) for key in ("manufacturer", "serialNumber") if isinstance(resource.get(key), str))
    for carrier in resource.get("udiCarrier") or []:
        yield str(carrier.get("carrierHRF") or carrier.get("deviceIdentifier") or "")


def key_facts(resource: Mapping[str, Any]) -> list[str]:
    """The facts a person asks about in `resource`, as the record writes them (see the module docstring)."""
    found = [_clinical_date(resource), *(_concept(resource.get(key)) for key in _WHAT if key in resource)][:2]
    quantity = resource.get("valueQuantity")
    if isinstance(quantity, Mapping):
        found += [str(quantity.get("value", "")), str(quantity.get("unit", ""))]
    found += [_concept(resource.get("valueCodeableConcept")), str(resource.get("valueString") or "")]
    found += [c["code"] for i in resource.get("interpretation") or [] for c in i.get("coding") or [] if "code" in c]
    found += [str(resource.get("status") or ""), _concept(resource.get("clinicalStatus"))]
    found += list(_people(resource))
    found += [str(d["text"]) for d in resource.get("dosageInstruction") or [] if isinstance(d.get("text"), str)]
    found += [str(resource.get("patientInstruction") or ""), str(resource.get("criticality") or "")]
    found += [_concept(m) for r in resource.get("reaction") or [] for m in r.get("manifestation") or []]
    found += list(_device(resource))
    return [fact for fact in found if fact.strip()]


def _kept(fact: str, text: str) -> bool:
    return appears(fact, text)


@dataclass
class Everyday:
    question: str
    tool: str
    arguments: dict[str, Any]
    covered: int
    facts: int
    kept: int
    lost: list[str]
    text: str


def _covered_refs(text: str) -> list[str]:
    return row_refs(text) or list(dict.fromkeys(_REFERENCE.findall(text)))


def _stored(path: Path) -> dict[str, dict[str, Any]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT resource_type, id, json FROM resources").fetchall()
    return {f"{kind}/{resource_id}": json.loads(text) for kind, resource_id, text in rows}


async def ask_everyday_questions(kaiser: Path, practice: Path) -> list[Everyday]:
    """Each question once, across both sources, through an in-process MCP client session."""
    stored = {**_stored(practice), **_stored(kaiser)}
    stores = {"kaiser": SqliteStore.open(kaiser), "demo-practice": SqliteStore.open(practice)}
    registry = SourceRegistry(
        {
            name: RecordSource(name, in_process_kaiser_client(store), kind="kaiser" if name == "kaiser" else "practice")
            for name, store in stores.items()
        }
    )
    answers = []
    try:
        async with Client(build_server(registry, today=lambda: TODAY)) as client:
            for question, tool, arguments in EVERYDAY_QUESTIONS:
                result = await client.call_tool(tool, arguments)
                text = "\n".join(block.text for block in result.content if isinstance(block, TextContent))
                assert not result.is_error, (question, text)
                refs = [ref for ref in _covered_refs(text) if ref in stored]
                facts = [(ref, fact) for ref in refs for fact in key_facts(stored[ref])]
                lost = [f"{ref}: {fact}" for ref, fact in facts if not _kept(fact, text)]
                answers.append(
                    Everyday(question, tool, arguments, len(refs), len(facts), len(facts) - len(lost), lost, text)
                )
    finally:
        await registry.aclose()
        for store in stores.values():
            store.close()
    return answers


def everyday_report(answers: list[Everyday], tokens: list[int], counter: str) -> str:
    lines = [
        EVERYDAY_SECTION,
        "",
        "`python -m tests.benchmarks.bench_mcp`: two sources, the sandbox's `large` patient (seed 11) synced into a "
        "store (every surface) and the demo practice's record (the sandbox SMART EHR, seed 1); each question is one "
        "MCP tool call across both at the default budget (4,000 tokens); `today` is the sandbox's "
        f"{TODAY.isoformat()}. *Covered*: "
        "the resources the answer shows (its rows; for `lab_trend`, the ids in its table). *Facts*: "
        "per covered resource, what a person asks about, derived by element kind (`key_facts` in "
        f"`tests/benchmarks/everyday_questions.py`): clinical date, what it is, value, unit, flag, status, "
        f"people and roles, instructions, reactions, device names, maker, serial and UDI. Tokens: {counter}.",
        "",
        "| question | tool call | covered | answer tokens | facts kept |",
        "|---|---|---:|---:|---:|",
    ]
    for answer, count in zip(answers, tokens, strict=True):
        call = f"`{answer.tool}({json.dumps(answer.arguments)[1:-1]})`".replace("|", "\\|")
        lines.append(f"| {answer.question} | {call} | {answer.covered} | {count} | {answer.kept}/{answer.facts} |")
    facts, kept = sum(a.facts for a in answers), sum(a.kept for a in answers)
    lines += ["", f"Facts kept, all twelve (target 100 %): {kept}/{facts} = {100 * kept / max(facts, 1):.1f} %.", ""]
    lost = [f"{a.question}: {item}" for a in answers for item in a.lost]
    if lost:
        lines += [f"Lost ({len(lost)}; first 20):", "", *(f"- {item}" for item in lost[:20]), ""]
    return "\n".join(lines)


def everyday_sections(count: Callable[[list[str]], tuple[list[int], str]]) -> list[str]:
    """Sync the large patient (every surface) beside the demo practice's record, ask the twelve questions and
    read first pages at small budgets; write both sections of docs/benchmarks.md and return them."""
    with tempfile.TemporaryDirectory() as scratch:
        kaiser, practice = two_sources(Path(scratch))
        answers = asyncio.run(ask_everyday_questions(kaiser, practice))
        pages = asyncio.run(read_small_pages(kaiser))
    tokens, counter = count([answer.text for answer in answers])
    sections = [everyday_report(answers, tokens, counter), small_budgets_report(pages, count)]
    replace_section(EVERYDAY_SECTION, sections[0])
    replace_section(SMALL_BUDGETS_SECTION, sections[1])
    return sections
