"""Labs as the pages show them: results grouped by test (analyte: LOINC code, else the test's name, and
its unit), each group with its trend, latest value, flag and reference range; and one report with its
components, comments and PDF."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from markupsafe import Markup

from gateway.labs import LabPoint, lab_point, reconciled
from gateway.web.fhir_display import concept_text, date_text, displays, quantity_text
from gateway.web.record_reading import LIVE, FactOrigin, RecordReader, Resource, origin_of
from gateway.web.trend_svg import trend_svg

__all__ = ["AnalyteView", "LabResultRow", "ReportView", "analytes", "report_view"]

_LOINC = "http://loinc.org"


@dataclass(frozen=True)
class LabResultRow:
    name: str
    when: str
    value: str
    flag: str
    reference_range: str
    comments: list[str]
    report_url: str | None
    origin: FactOrigin
    new: bool = False
    """Stored here after the person last marked the record as seen."""


@dataclass
class AnalyteView:
    name: str
    unit: str
    loinc: str
    results: list[LabResultRow] = field(default_factory=list)
    chart: Markup | None = None
    """Inline SVG when the analyte has numeric values (rendered only for the page shown)."""
    points: list[tuple[date, float]] = field(default_factory=list)
    """The charted values, in ``unit`` (converted where UCUM makes it a scale change)."""
    band: tuple[float | None, float | None] = (None, None)
    sources: list[str] = field(default_factory=list)
    unconverted: int = 0
    """Numeric results in a unit that does not scale into ``unit``: listed, left off the chart."""

    @property
    def anchor(self) -> str:
        return "analyte-" + "".join(c if c.isalnum() else "-" for c in (self.loinc or self.name).lower())


@dataclass(frozen=True)
class ReportView:
    title: str
    when: str
    status: str
    performer: str
    conclusion: str
    components: list[LabResultRow]
    pdf_urls: list[str]
    origin: FactOrigin


def analytes(reader: RecordReader, since: datetime | None = None) -> list[AnalyteView]:
    """Every lab analyte (across the store and the practices the reader holds), most recently measured
    first, its numeric points reconciled into one unit as ``lab_trend`` does; charts are not drawn yet
    (see ``with_charts``). With ``since`` (when the person last looked), rows stored after it are new."""
    report_of = _report_of_observation(reader.all("DiagnosticReport"))
    groups: dict[str, AnalyteView] = {}
    measured: dict[str, list[LabPoint]] = {}
    for observation in reader.all("Observation"):
        if not _is_lab(observation):
            continue
        name = concept_text(observation.get("code"))
        loinc = _loinc(observation)
        key = loinc or name.lower()
        group = groups.setdefault(key, AnalyteView(name=name, unit="", loinc=loinc))
        stored = origin_of(observation).surface != LIVE  # a practice's ids are its own: no store report
        row = _row(observation, report_of.get(str(observation.get("id"))) if stored else None)
        if stored and since is not None and _updated_after(observation, since):
            row = replace(row, new=True)
        group.results.append(row)
        point = lab_point(observation, row.origin.source)
        if point is not None:
            measured.setdefault(key, []).append(point)
    for key, group in groups.items():
        group.results.sort(key=lambda r: r.when, reverse=True)
        if key in measured:
            series = reconciled(measured[key])
            group.unit = series.unit
            group.points = [(point.when, value) for point, value in series.charted]
            group.band = series.band
            group.sources = series.sources
            group.unconverted = len(series.points) - len(group.points)
    return sorted(groups.values(), key=lambda g: g.results[0].when if g.results else "", reverse=True)


def with_charts(groups: list[AnalyteView]) -> list[AnalyteView]:
    for group in groups:
        if group.points:
            group.chart = trend_svg(group.points, label=group.name, unit=group.unit or "value", band=group.band)
    return groups


def report_view(reader: RecordReader, report_id: str) -> ReportView | None:
    report = reader.one("DiagnosticReport", report_id)
    if report is None:
        return None
    components = []
    for reference in report.get("result") or []:
        kind, _, result_id = str(reference.get("reference", "")).partition("/")
        observation = reader.one(kind, result_id) if kind == "Observation" else None
        if observation is not None:
            components.append(_row(observation, None))
    return ReportView(
        title=concept_text(report.get("code")) or "Report",
        when=date_text(report.get("effectiveDateTime") or report.get("issued")),
        status=str(report.get("status", "")),
        performer=displays(report.get("performer")),
        conclusion=str(report.get("conclusion") or ""),
        components=components,
        pdf_urls=_pdf_urls(reader, report),
        origin=origin_of(report),
    )


def _pdf_urls(reader: RecordReader, report: Resource) -> list[str]:
    """The report's PDFs: its ``presentedForm`` and the DocumentReferences whose context names it."""
    attachments = [a for a in report.get("presentedForm") or [] if isinstance(a, dict)]
    target = f"DiagnosticReport/{report.get('id')}"
    for document in reader.all("DocumentReference"):
        related = (document.get("context") or {}).get("related") or []
        if any(isinstance(r, dict) and r.get("reference") == target for r in related):
            attachments += [c.get("attachment") or {} for c in document.get("content") or []]
    urls = []
    for attachment in attachments:
        url = str(attachment.get("url") or "")
        if str(attachment.get("contentType", "")).startswith("application/pdf") and url.startswith("Binary/"):
            urls.append("/binary/" + url.removeprefix("Binary/"))
    return list(dict.fromkeys(urls))


def _report_of_observation(reports: list[Resource]) -> dict[str, str]:
    found: dict[str, str] = {}
    for report in reports:
        for reference in report.get("result") or []:
            kind, _, observation_id = str(reference.get("reference", "")).partition("/")
            if kind == "Observation":
                found[observation_id] = str(report.get("id"))
    return found


def _row(observation: Resource, report_id: str | None) -> LabResultRow:
    return LabResultRow(
        name=concept_text(observation.get("code")),
        when=date_text(observation.get("effectiveDateTime") or observation.get("issued")),
        value=quantity_text(observation.get("valueQuantity"))
        or str(observation.get("valueString") or concept_text(observation.get("valueCodeableConcept"))),
        flag=", ".join(concept_text(i) for i in observation.get("interpretation") or [] if concept_text(i) != "Normal"),
        reference_range="; ".join(_range_text(r) for r in observation.get("referenceRange") or []),
        comments=[str(n.get("text")) for n in observation.get("note") or [] if isinstance(n, dict) and n.get("text")],
        report_url=f"/labs/reports/{report_id}" if report_id else None,
        origin=origin_of(observation),
    )


def _range_text(reference_range: Any) -> str:
    if not isinstance(reference_range, dict):
        return ""
    if reference_range.get("text"):
        return str(reference_range["text"])
    low, high = quantity_text(reference_range.get("low")), quantity_text(reference_range.get("high"))
    return f"{low} – {high}" if low and high else (f"≥ {low}" if low else (f"≤ {high}" if high else ""))


def _updated_after(resource: Resource, since: datetime) -> bool:
    text = str((resource.get("meta") or {}).get("lastUpdated", ""))
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) > since
    except ValueError:
        return False


def _is_lab(observation: Resource) -> bool:
    for category in observation.get("category") or []:
        for coding in (category or {}).get("coding") or []:
            if coding.get("code") == "laboratory":
                return True
    return False


def _loinc(observation: Resource) -> str:
    for coding in (observation.get("code") or {}).get("coding") or []:
        if coding.get("system") == _LOINC and coding.get("code"):
            return str(coding["code"])
    return ""
