"""One batch of the record as a FHIR ``transaction`` Bundle a server this project did not write accepts.

Each entry is a conditional update, ``PUT Type?identifier=urn:fhirgate:resource-id|<id>``, carrying
fhirgate's id as that identifier (``meta.tag`` with the same system and code for the few types without
``identifier``: Binary, AuditEvent, Provenance; then ``PUT Type?_tag=...``): the server creates the
resource once and updates it on every later push, whatever id it gave it. References to resources of the
same batch become the target entry's ``urn:uuid`` ``fullUrl`` (the server rewrites them); references to
resources pushed before become the server's own ``Type/id``.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from fhirgate.record_out.parts import RecordItem
from fhirgate.record_out.push_order import Key

FHIRGATE_ID_SYSTEM = "urn:fhirgate:resource-id"
_REFERENCE = re.compile(r'"(reference|url)":"([A-Z][A-Za-z]{1,63})/([A-Za-z0-9\-.]{1,64})"')
_SERVER_MANAGED = ("versionId", "lastUpdated")


@cache
def has_identifier(resource_type: str) -> bool:
    """Whether the R4 resource type has an ``identifier`` element (from the R4B models, equal to R4 here)."""
    from fhir.resources.R4B import get_fhir_model_class  # slow to import: only a push needs it

    try:
        return "identifier" in get_fhir_model_class(resource_type).model_fields
    except (KeyError, ValueError):
        return False


def conditional_url(resource_type: str, resource_id: str) -> str:
    """The conditional update URL that finds this resource on the server by fhirgate's id."""
    parameter = "identifier" if has_identifier(resource_type) else "_tag"
    return f"{resource_type}?{parameter}={FHIRGATE_ID_SYSTEM}|{resource_id}"


def entry_uuid(server: str, key: Key) -> str:
    """A stable ``urn:uuid`` for one resource's entry (the same on every push to the same server)."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{server}|{key[0]}/{key[1]}"))


def _marked(resource: dict[str, Any], resource_type: str, resource_id: str) -> dict[str, Any]:
    resource.pop("id", None)
    meta = {k: v for k, v in (resource.get("meta") or {}).items() if k not in _SERVER_MANAGED}
    mark = {"system": FHIRGATE_ID_SYSTEM}
    if has_identifier(resource_type):
        kept = [i for i in resource.get("identifier", []) if i.get("system") != FHIRGATE_ID_SYSTEM]
        resource["identifier"] = [*kept, {**mark, "value": resource_id}]
    else:
        kept = [t for t in meta.get("tag", []) if t.get("system") != FHIRGATE_ID_SYSTEM]
        meta["tag"] = [*kept, {**mark, "code": resource_id}]
    if meta:
        resource["meta"] = meta
    else:
        resource.pop("meta", None)
    return resource


def transaction_bundle(batch: Sequence[RecordItem], server: str, locations: Mapping[Key, str]) -> dict[str, Any]:
    """The transaction for ``batch``; ``locations`` maps resources pushed before to the server's ``Type/id``."""
    in_batch = {(item.resource_type, item.id): entry_uuid(server, (item.resource_type, item.id)) for item in batch}

    def target(match: re.Match[str]) -> str:
        field, key = match.group(1), (match.group(2), match.group(3))
        if field == "url" and key[0] != "Binary":
            return match.group(0)
        found = in_batch.get(key) or locations.get(key)
        return match.group(0) if found is None else f'"{field}":"{found}"'

    entries = []
    for item in batch:
        resource = json.loads(_REFERENCE.sub(target, item.json_text))
        entries.append(
            {
                "fullUrl": in_batch[(item.resource_type, item.id)],
                "resource": _marked(resource, item.resource_type, item.id),
                "request": {"method": "PUT", "url": conditional_url(item.resource_type, item.id)},
            }
        )
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}
