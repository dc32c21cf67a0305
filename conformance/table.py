"""Plain-text rendering of a :class:`ConformanceReport`: the per-type table, fidelity per surface, findings."""

from __future__ import annotations

from collections.abc import Sequence

from conformance.pipeline import ConformanceReport

__all__ = ["render_report"]


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]
    line = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    return [line.format(*headers), "  ".join("-" * w for w in widths), *(line.format(*row) for row in rows)]


def _grouped(missing: Sequence[str]) -> list[str]:
    """``surface [unit] path = value`` lines as one line per surface and path, with a count and examples."""
    groups: dict[tuple[str, str], list[str]] = {}
    for line in missing:
        surface, _, rest = line.partition(" [")
        path, _, value = rest.partition("] ")[2].partition(" = ")
        groups.setdefault((surface, path), []).append(value)
    return [
        f"{surface} {path} x{len(values)}: {', '.join(sorted(set(values))[:3])}"
        for (surface, path), values in groups.items()
    ]


def render_report(report: ConformanceReport, *, detail_limit: int = 60) -> str:
    fidelity = report.fidelity
    type_rows = []
    for row in sorted(report.rows.values(), key=lambda r: r.resource_type):
        tallies = [fidelity[s] for s in sorted(row.surfaces) if s in fidelity]
        percent = min((t.percent for t in tallies), default=100.0)
        type_rows.append(
            (
                row.resource_type,
                str(row.count),
                str(row.model_errors),
                str(row.medplum_errors),
                f"{row.us_core_errors} / {row.us_core_claims}",
                f"{percent:.1f}%",
            )
        )
    total = sum(r.count for r in report.rows.values())
    lines = [f"fhirgate conformance: sandbox patient size={report.size} seed={report.seed}", ""]
    headers = ("resource type", "count", "validator 1 err", "validator 2 err", "US Core err / claims", "fidelity")
    lines += _table(headers, type_rows)
    synced = report.resources - report.direct_resources
    lines += [
        "",
        f"{total} resources; translation rate {report.rate:,.0f} resources/s"
        f" ({report.direct_resources} translated directly in {report.translate_seconds:.3f} s);"
        f" {synced} more by the real sync against the in-process sandbox portal in {report.synced_seconds:.2f} s",
        "",
    ]
    surface_rows = [
        (name, str(t.total), str(t.carried), str(t.dropped), str(len(t.missing)), f"{t.percent:.1f}%")
        for name, t in fidelity.items()
    ]
    lines += _table(("surface", "leaves", "carried", "dropped", "missing", "fidelity"), surface_rows)
    served = f"facade: {report.facade.read} resources read back and {report.facade.served} found by search unchanged"
    lines += ["", f"{served}, {len(report.facade.generated)} facade-generated resources validated"]
    missing = _grouped([m for t in fidelity.values() for m in t.missing])
    for title, items in (
        ("validation findings", report.findings),
        ("fidelity: portal leaves not found in the FHIR output (by path: count, examples)", missing),
        ("translator warnings", report.translator_warnings),
    ):
        if items:
            lines += ["", f"{title} ({len(items)}):"]
            lines += [f"  {item}" for item in items[:detail_limit]]
            if len(items) > detail_limit:
                lines.append(f"  ... and {len(items) - detail_limit} more")
    verdict = "PASS" if report.ok else f"FAIL: {len(report.findings)} validation findings"
    lines += ["", verdict]
    return "\n".join(lines)
