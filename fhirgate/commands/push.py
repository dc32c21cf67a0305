"""`fhirgate push URL`: the whole record into an existing FHIR server (HAPI, Medplum, Google Cloud Healthcare,
Azure Health Data Services, AWS HealthLake) as dependency-ordered transaction Bundles of conditional
updates; idempotent, resumable, with per-type counts."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

import typer
from rich.table import Table

from fhirgate.cli_app import UserFacingError, app, err, fail, run_async, settings_from_env
from fhirgate.commands.export import SinceOption, SourceOption, parse_since

if TYPE_CHECKING:
    from fhirgate.record_out.pushing import PushReport

_LOOPBACK = ("127.0.0.1", "localhost", "::1")
PUSH_STATE = "push.sqlite3"


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise fail(f"{url[:80]!r} is not an http(s) FHIR base URL")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise fail("refusing to send your record over plain http to another machine: use https")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise fail("give the FHIR base URL alone (no credentials, query or fragment); use --token for a token")
    return url.rstrip("/")


def _table(report: PushReport) -> Table:
    table = Table(title="Push summary")
    for column in ("type", "created", "updated", "unchanged", "failed"):
        table.add_column(column, justify="left" if column == "type" else "right")
    for resource_type in sorted(report.by_type):
        counts = report.by_type[resource_type]
        table.add_row(
            resource_type, str(counts.created), str(counts.updated), str(counts.unchanged), str(counts.failed)
        )
    return table


@app.command()
def push(
    url: Annotated[str, typer.Argument(help="The FHIR server's base URL (https, or http on this machine).")],
    token: Annotated[
        str | None, typer.Option(envvar="FHIRGATE_PUSH_TOKEN", help="Bearer token for the server.", show_default=False)
    ] = None,
    source: SourceOption = None,
    since: SinceOption = None,
    batch_size: Annotated[int, typer.Option(min=1, max=1000, help="Resources per transaction.")] = 100,
    full: Annotated[bool, typer.Option("--full", help="Send everything again, even what the server has.")] = False,
) -> None:
    """Send your whole record to an existing FHIR server; a re-run sends only what changed."""
    base_url = _check_url(url)
    settings = settings_from_env()
    since_at = parse_since(since)

    async def work() -> None:
        from fhirgate.record_out.opening import UnknownSourceError
        from fhirgate.record_out.progress import RichPushProgress
        from fhirgate.record_out.push_client import TransactionClient
        from fhirgate.record_out.push_state import PushState
        from fhirgate.record_out.pushing import RecordPusher
        from fhirgate.record_out.reading import read_home_record
        from fhirgate.record_out.sinks import RecordList

        started = time.monotonic()
        record = RecordList()
        try:
            collected = await read_home_record(settings, source or [], since_at, lambda: record, err)
        except UnknownSourceError as exc:
            raise UserFacingError(str(exc)) from None
        state = PushState(settings.home / PUSH_STATE, base_url)
        client = TransactionClient(base_url, token=token)
        try:
            with RichPushProgress(err) as progress:
                report = await RecordPusher(client, state, progress, batch_size=batch_size, full=full).push(
                    record.items
                )
        finally:
            await client.aclose()
            state.close()
        err.print(_table(report))
        seconds = time.monotonic() - started
        total = report.total()
        err.print(
            f"pushed {len(record.items)} resources to {base_url} in {seconds:.1f} s: {total.created} created, "
            f"{total.updated} updated, {total.unchanged} unchanged, {total.failed} failed "
            f"({report.transactions} transactions)",
            highlight=False,
            markup=False,
        )
        for problem in [*record.problems, *report.failures]:
            err.print(f"warning: {problem}", highlight=False, markup=False)
        if report.failed or collected.failed:
            raise UserFacingError("not everything was pushed; run the same command again to retry what failed")

    run_async(work)
