"""`fhirgate export DIR` and `fhirgate export --bundle FILE`: the whole record, from every source, as NDJSON
files with a manifest or as one collection Bundle."""

from __future__ import annotations

import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from fhirgate.cli_app import UserFacingError, app, err, fail, run_async, settings_from_env

NEITHER_OR_BOTH = "give either a DIRECTORY or --bundle FILE"
SinceOption = Annotated[
    str | None, typer.Option(help="Only resources changed at or after this date or instant (2024-01-01T00:00:00Z).")
]
SourceOption = Annotated[
    list[str] | None, typer.Option("--source", help="Only this source (repeatable): kaiser or a practice's name.")
]


def parse_since(raw: str | None) -> datetime | None:
    """A date (midnight UTC) or an instant; naive instants are taken as UTC."""
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise fail(f"--since must be a date or an instant like 2024-01-01T00:00:00Z, not {raw[:40]!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@app.command()
def export(
    directory: Annotated[
        Path | None, typer.Argument(help="Empty or new directory for NDJSON files + manifest.")
    ] = None,
    bundle: Annotated[Path | None, typer.Option("--bundle", help="Write one collection Bundle to this file.")] = None,
    since: SinceOption = None,
    source: SourceOption = None,
) -> None:
    """Take your whole record out: every source (Kaiser's stored record and each connected practice)."""
    if (directory is None) == (bundle is None):
        raise fail(NEITHER_OR_BOTH)
    settings = settings_from_env()
    since_at = parse_since(since)
    request = "fhirgate " + " ".join(shlex.quote(a) for a in sys.argv[1:])

    async def work() -> None:
        from fhirgate.record_out.opening import UnknownSourceError
        from fhirgate.record_out.reading import read_home_record
        from fhirgate.record_out.sinks import CollectionBundleFile, NdjsonDirectory, RecordSink

        started = datetime.now(UTC)

        def sink() -> RecordSink:
            try:
                if bundle is not None:
                    return CollectionBundleFile(bundle, transaction_time=started)
                if directory is not None:
                    return NdjsonDirectory(directory, transaction_time=started, request=request)
            except FileExistsError as exc:
                raise UserFacingError(str(exc)) from None
            raise UserFacingError(NEITHER_OR_BOTH)

        try:
            report = await read_home_record(settings, source or [], since_at, sink, err)
        except UnknownSourceError as exc:
            raise UserFacingError(str(exc)) from None
        where = bundle if bundle is not None else directory
        total = sum(report.counts.values())
        per_source = ", ".join(f"{name} {count}" for name, count in report.counts.items())
        seconds = (datetime.now(UTC) - started).total_seconds()
        err.print(f"exported {total} resources ({per_source}) to {where} in {seconds:.1f} s", highlight=False)
        for problem in report.problems:
            err.print(f"warning: {problem}", highlight=False, markup=False)  # a source's words: no markup
        if report.failed:
            raise UserFacingError(f"could not export everything from: {', '.join(report.failed)}")

    run_async(work)
