"""A write preview as the MCP tools hold it: parsed from the facade's Parameters, shown to the person in
an elicitation and to the model (fenced), and submitted unchanged as the pending approval's content."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PreparedWrite", "approval_message", "parse_preview", "preview_lines"]

_LABELS = {
    "rx_number": "Rx number",
    "for": "For",
    "estimated_copay": "Estimated copay (sent with the order)",
    "mail_option_copay": "Mail-order copay quoted by the pharmacy",
    "days_supply": "Days supply",
    "refills_remaining": "Refills remaining",
    "next_eligible_date": "Next eligible date",
    "ship_to": "Ship to",
    "payment_method_on_file": "Payment method on file",
    "text": "Message",
}


@dataclass(frozen=True)
class PreparedWrite:
    kind: str
    tool: str
    request: dict[str, str]
    preview: dict[str, bool | int | str]
    warnings: list[str] = field(default_factory=list)


def parse_preview(parameters: Mapping[str, Any]) -> tuple[dict[str, bool | int | str], list[str]]:
    """The preview parts and warnings of a facade write answer (a Parameters resource)."""
    preview: dict[str, bool | int | str] = {}
    warnings: list[str] = []
    for parameter in parameters.get("parameter") or []:
        if parameter.get("name") == "warning":
            warnings.append(str(parameter.get("valueString")))
        elif parameter.get("name") == "preview":
            for part in parameter.get("part") or []:
                value = next((v for k, v in part.items() if k.startswith("value")), None)
                if value is not None:
                    preview[str(part.get("name"))] = value if isinstance(value, bool | int) else str(value)
    return preview, warnings


def label(key: str) -> str:
    return _LABELS.get(key, key.replace("_", " ").capitalize())


def preview_lines(preview: Mapping[str, bool | int | str]) -> list[str]:
    lines: list[str] = []
    for key, value in preview.items():
        shown = ("yes" if value else "no") if isinstance(value, bool) else str(value)
        if "\n" in shown:
            lines.append(f"{label(key)}:")
            lines += [f"    {line}" for line in shown.split("\n")]
        else:
            lines.append(f"{label(key)}: {shown}")
    return lines


def approval_message(prepared: PreparedWrite) -> str:
    """What the person reads in the elicitation dialog: everything that will be sent."""
    what = "Order this prescription refill" if prepared.kind == "refill" else "Send this message to Kaiser"
    return "\n".join([f"{what}? Nothing is sent unless you approve.", "", *preview_lines(prepared.preview)])
