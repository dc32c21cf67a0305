"""Whole-record-out benchmark (``make bench``; never part of ``make test``): the ``large`` sandbox patient.

Seeds a home's store with the large patient as the sync would (every surface translated, one write each),
then measures, each as the user runs it: the facade's Bulk Data job (in-process), ``fhirgate export DIR``,
``fhirgate export --bundle FILE``, ``fhirgate push`` into Medplum's FHIR router on loopback and a second
push of the same record. Prints a table and rewrites the export section of docs/benchmarks.md.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from conformance.surfaces import translate_patient
from gateway.bulk import EXPORTABLE_TYPES, ExportJobs, ExportLevel, ExportRequest
from sandbox.patient import generate_patient
from tests.bulk.small_record import T0
from tests.push_server.medplum_server import medplum_server

SEED = 11
DOCS = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
SECTION = "## Whole record out: export and push (large patient)"
_PUSHED = re.compile(
    r"pushed (\d+) resources to \S+ in [\d.]+ s: (\d+) created, (\d+) updated, (\d+) unchanged, (\d+) failed"
    r" \((\d+) transactions\)"
)


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def _run(home: Path, *args: str) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FHIRGATE_")}
    env.update(FHIRGATE_HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", COLUMNS="120")
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "fhirgate", *args], env=env, capture_output=True, text=True, check=False, timeout=3600
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"fhirgate {args[0]} failed: {done.stderr[-2000:]}")
    return seconds, " ".join(done.stderr.split())


def _seed(home: Path) -> int:
    from datetime import timedelta

    from gateway.store import SqliteStore

    run = translate_patient(generate_patient(SEED, "large"))
    store = SqliteStore.open(home / "store.sqlite3")
    try:
        for hour, surface in enumerate(run.units):
            store.write_surface(surface, run.resources(surface), now=T0 + timedelta(hours=hour))
    finally:
        store.close()
    return len({(r["resourceType"], r["id"]) for r in run.resources()})


def main() -> None:
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="fhirgate-bench-export-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir(mode=0o700)
        started = time.perf_counter()
        stored = _seed(home)
        print(f"seeded {stored} resources in {time.perf_counter() - started:.1f} s", file=sys.stderr)

        seconds, resources, size = _bulk(home)
        rows.append(
            ("facade $export job (in-process, NDJSON)", f"{resources:,}", f"{size / 1e6:.1f} MB", f"{seconds:.1f} s")
        )

        seconds, said = _run(home, "export", str(home / "out"))
        total = int(re.search(r"exported (\d+) resources", said).group(1))  # type: ignore[union-attr]
        rows.append(("fhirgate export DIR", f"{total:,}", f"{_size(home / 'out') / 1e6:.1f} MB", f"{seconds:.1f} s"))

        seconds, said = _run(home, "export", "--bundle", str(home / "record.json"))
        total = int(re.search(r"exported (\d+) resources", said).group(1))  # type: ignore[union-attr]
        rows.append(
            (
                "fhirgate export --bundle FILE",
                f"{total:,}",
                f"{_size(home / 'record.json') / 1e6:.1f} MB",
                f"{seconds:.1f} s",
            )
        )

        with medplum_server() as base:
            for label in ("fhirgate push (first)", "fhirgate push (again, same record)"):
                seconds, said = _run(home, "push", base)
                found = _PUSHED.search(said)
                if found is None:
                    raise RuntimeError(f"unexpected push output: {said[-500:]}")
                sent, created, updated, unchanged, failed, transactions = (int(g) for g in found.groups())
                detail = (
                    f"{created:,} created, {updated:,} updated, {unchanged:,} unchanged, {failed} failed; "
                    f"{transactions} transactions"
                )
                rows.append((label, f"{sent:,}", detail, f"{seconds:.1f} s"))
    table = ["| run | resources | size / outcome | wall time |", "|---|---:|---|---:|"]
    table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    text = "\n".join(table)
    print(text)
    write_section(stored, text)


def _bulk(home: Path) -> tuple[float, int, int]:
    from gateway.store import SqliteStore

    store = SqliteStore.open(home / "store.sqlite3")
    jobs = ExportJobs(store, home / "exports")
    try:
        started = time.perf_counter()
        job = jobs.start(ExportRequest(ExportLevel.SYSTEM, EXPORTABLE_TYPES, None, "bench"))
        if job is None or job.thread is None:
            raise RuntimeError("the export job did not start")
        job.thread.join()
        seconds = time.perf_counter() - started
        return seconds, job.written, _size(job.directory)
    finally:
        jobs.close()
        store.close()


def write_section(stored: int, table: str) -> None:
    text = (
        f"{SECTION}\n\n"
        f"`make bench` (`tests/benchmarks/bench_export.py`): the `large` sandbox patient (seed {SEED}, {stored:,} "
        "resources in the store, Kaiser only), on the shared 2-core machine. Export times are the whole command "
        "(process start, reading the store, writing the files); push goes to Medplum's FHIR router over its "
        "in-memory repository (`tests/push_server`, Node 20; the shim indexes the conditional updates' "
        "identifier searches) on loopback, 100 resources per transaction. The second push sends nothing: every "
        "resource's content equals what the server confirmed.\n\n"
        f"{table}\n"
    )
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    if SECTION in current:
        before, _, after = current.partition(SECTION)
        rest = after.split("\n## ", 1)
        current = before + (("## " + rest[1]) if len(rest) > 1 else "")
    DOCS.write_text(current.rstrip("\n") + "\n\n" + text, encoding="utf-8")


if __name__ == "__main__":
    main()
