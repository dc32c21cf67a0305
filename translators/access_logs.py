"""Access logs (``api/access-logs/GetPortalAccessLogEntries`` / ``GetThirdPartyAccessLogEntries``) -> AuditEvent.

Entries carry no id, so an AuditEvent's id hashes the log kind and the entry's own fields (plus an
occurrence counter for exact repeats): re-syncing the same log gives the same ids. The integer enums
(``entryType``, ``ccdAction``, ``accessMethod``) have unknown meanings and are kept verbatim as extensions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from translators.dates import DateParseError, fhir_instant
from translators.errors import InvalidResourceError
from translators.ids import stable_id
from translators.portal import PortalNode, WarningLog, root
from translators.pruning import pruned
from translators.resource_meta import meta, patient_reference
from translators.types import TranslationContext, TranslationResult
from translators.validation import validated

SURFACE = "access-logs"
LogKind = Literal["portal", "third-party"]

DICOM = "http://dicom.nema.org/resources/ontology/DCM"
_PATIENT_RECORD = {"system": DICOM, "code": "110110", "display": "Patient Record"}
_APPLICATION = {"coding": [{"system": DICOM, "code": "110150", "display": "Application"}]}
_EXTENSION = "urn:fhirgate:kaiser:extension:access-log-"
LOG_KIND = _EXTENSION + "kind"
"""AuditEvent: which portal log the entry came from (``portal`` or ``third-party``)."""
ENUM_FIELDS = ("entryType", "ccdAction", "accessMethod")
"""Raw integer enums, each kept as ``urn:fhirgate:kaiser:extension:access-log-<field>`` (valueInteger)."""


def translate_access_log(entries: Sequence[Any], kind: LogKind, ctx: TranslationContext) -> TranslationResult:
    """One AuditEvent per entry of one log; entries without a readable ``accessTime`` are skipped with a warning."""
    result = TranslationResult()
    log = WarningLog(SURFACE, kind, result.warnings)
    occurrences: dict[str, int] = {}
    for index, raw in enumerate(root(list(entries), log).items()):
        if not raw.is_object():
            log.warn(raw.path, "entry is not an object; skipped")
            continue
        fingerprint = json.dumps(raw.value, sort_keys=True, separators=(",", ":"), default=str)
        occurrences[fingerprint] = occurrences.get(fingerprint, 0) + 1
        key = f"{kind}:{fingerprint}#{occurrences[fingerprint]}"
        entry_log = log.for_key(f"{kind}[{index}]")
        entry = PortalNode(raw.value, raw.path, entry_log)
        try:
            recorded = fhir_instant(entry.get("accessTime").value)
        except DateParseError as error:
            entry_log.warn("accessTime", f"{error}; entry skipped")
            continue
        if recorded is None:
            entry_log.warn("accessTime", "no access time; entry skipped")
            continue
        event = _audit_event(entry, stable_id(SURFACE, key), recorded, kind, ctx)
        try:
            result.resources.append(validated(pruned(event)))
        except InvalidResourceError as error:
            entry_log.warn("AuditEvent", f"skipped: {error}")
    return result


def _audit_event(entry: PortalNode, event_id: str, recorded: str, kind: LogKind, ctx: TranslationContext) -> Any:
    action = entry.get("action").text()
    accessor = entry.get("accessor").text()
    extensions: list[Mapping[str, Any]] = [{"url": LOG_KIND, "valueString": kind}]
    for name in ENUM_FIELDS:
        value = entry.get(name).integer()
        if value is not None:
            extensions.append({"url": _EXTENSION + name, "valueInteger": value})
    return {
        "resourceType": "AuditEvent",
        "id": event_id,
        "meta": meta(SURFACE),
        "extension": extensions,
        "type": _PATIENT_RECORD,
        "subtype": [{"display": action}] if action else None,
        "action": "R" if kind == "portal" else None,  # a portal entry is a view; third-party actions vary
        "recorded": recorded,
        "agent": [
            {
                "type": _APPLICATION if kind == "third-party" else None,
                "who": {"display": accessor or "unknown accessor"},
                "requestor": True,
            }
        ],
        "source": {"observer": {"display": "Kaiser Permanente"}},
        "entity": [{"what": patient_reference(ctx.patient_id)}],
    }
