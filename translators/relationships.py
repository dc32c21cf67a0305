"""Emergency contacts / relationships (``Demographics/Relationships/GetRelationshipList``) -> RelatedPerson.

One roster mixes emergency contacts, healthcare agents and conservators. Each entry becomes one
RelatedPerson: relationship codes are looked up in the payload's own ``CategoryData`` tables and coded in
v3 RoleCode only where the title maps exactly; the portal's title is always kept as ``text``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from translators.errors import InvalidResourceError
from translators.ids import identifier_system, stable_id
from translators.portal import PortalNode, WarningLog, root
from translators.pruning import pruned
from translators.resource_meta import meta, patient_reference
from translators.types import FhirJson, TranslationContext, TranslationResult
from translators.validation import validated

SURFACE = "relationships"

US_CORE_RELATED_PERSON = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-relatedperson"

ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
CONTACT_ROLE = "http://terminology.hl7.org/CodeSystem/v2-0131"
PRIMARY_CONTACT = "urn:fhirgate:kaiser:extension:primary-contact"
"""RelatedPerson: ``IsPrimary`` - the patient's primary contact (a property of the person, not of a phone)."""

RELATION_CODES: dict[str, tuple[str, str]] = {
    title.casefold(): (code, display)
    for title, code, display in (
        ("Spouse", "SPS", "spouse"),
        ("Husband", "HUSB", "husband"),
        ("Wife", "WIFE", "wife"),
        ("Domestic Partner", "DOMPART", "domestic partner"),
        ("Daughter", "DAU", "natural daughter"),
        ("Son", "SON", "natural son"),
        ("Child", "CHILD", "child"),
        ("Mother", "MTH", "mother"),
        ("Father", "FTH", "father"),
        ("Parent", "PRN", "parent"),
        ("Sister", "SIS", "sister"),
        ("Brother", "BRO", "brother"),
        ("Sibling", "SIB", "sibling"),
        ("Grandmother", "GRMTH", "grandmother"),
        ("Grandfather", "GRFTH", "grandfather"),
        ("Granddaughter", "GRNDDAU", "granddaughter"),
        ("Grandson", "GRNDSON", "grandson"),
        ("Aunt", "AUNT", "aunt"),
        ("Uncle", "UNCLE", "uncle"),
        ("Niece", "NIECE", "niece"),
        ("Nephew", "NEPHEW", "nephew"),
        ("Cousin", "COUSN", "cousin"),
        ("Friend", "FRND", "unrelated friend"),
        ("Neighbor", "NBOR", "neighbor"),
        ("Roommate", "ROOM", "Roommate"),
        ("Guardian", "GUARD", "guardian"),
    )
}
"""Exact ``CategoryData["1000"]`` titles (case-folded) -> v3 RoleCode; other titles (Caregiver...) stay text only."""

_HEALTHCARE_AGENT = (ROLE_CODE, "HPOWATT", "healthcare power of attorney")
_GUARDIAN = (ROLE_CODE, "GUARD", "guardian")
_EMERGENCY_CONTACT = {"coding": [{"system": CONTACT_ROLE, "code": "C", "display": "Emergency Contact"}]}
_PHONES = (("HomePhone", "home"), ("WorkPhone", "work"), ("MobilePhone", "mobile"))


def translate_relationships(raw: Mapping[str, Any], ctx: TranslationContext) -> TranslationResult:
    """One US Core RelatedPerson per roster entry; entries without an ``Id`` are skipped with a warning."""
    result = TranslationResult()
    log = WarningLog(SURFACE, "GetRelationshipList", result.warnings)
    payload = root(raw, log)
    if payload.get("Success").key_text() not in (None, "1"):
        log.warn("Success", f"portal reported Success={payload.get('Success').value!r}; roster translated anyway")
    relations = _titles(payload, ("1000",))
    legal = _titles(payload, ("1107", "1113"))  # 1113 wins over 1107 on a shared value (§2.2 lookup order)
    for index, entry in enumerate(payload.get("Relationships").items()):
        key = entry.get("Id").key_text()
        if key is None:
            log.warn(f"Relationships[{index}].Id", "entry has no Id; skipped")
            continue
        entry_log = log.for_key(key)
        entry = PortalNode(entry.value, entry.path, entry_log)
        resource = pruned(_related_person(entry, key, relations, legal, ctx))
        if "name" not in resource and "relationship" not in resource:
            entry_log.warn("FormattedName", "neither a name nor a relationship; US Core profile not claimed")
            del resource["meta"]["profile"]  # us-core-14 needs one of them
        try:
            result.resources.append(validated(resource))
        except InvalidResourceError as error:
            entry_log.warn("RelatedPerson", f"skipped: {error}")
    return result


def _titles(payload: PortalNode, categories: tuple[str, ...]) -> dict[str, str]:
    titles: dict[str, str] = {}
    for category in categories:
        for item in payload.get("CategoryData").get(category).get("CategoryItems").items():
            value, title = item.get("Value").key_text(), item.get("TitleUtf8").text() or item.get("Title").text()
            if value is not None and title is not None:
                titles[value] = title
    return titles


def _related_person(
    entry: PortalNode, key: str, relations: dict[str, str], legal: dict[str, str], ctx: TranslationContext
) -> FhirJson:
    telecom = _telecom(entry)
    primary = entry.get("IsPrimary").boolean()
    return {
        "resourceType": "RelatedPerson",
        "id": stable_id(SURFACE, f"related:{key}"),
        # active and patient are always produced; us-core-14 (name or relationship) is checked by the caller.
        "meta": meta(SURFACE, US_CORE_RELATED_PERSON),
        "extension": [{"url": PRIMARY_CONTACT, "valueBoolean": primary}] if primary is not None else None,
        "identifier": [{"system": identifier_system(ctx.region, "relationship"), "value": key}],
        "active": True,  # the portal lists only current contacts
        "patient": patient_reference(ctx.patient_id),
        "relationship": _relationships(entry, relations, legal, has_phone=any(p["system"] == "phone" for p in telecom)),
        "name": [_name(entry)],
        "telecom": telecom,
        "address": [_address(entry.get("AddressViewModel"))],
    }


def _relationships(entry: PortalNode, relations: dict[str, str], legal: dict[str, str], *, has_phone: bool) -> Any:
    concepts: list[dict[str, Any]] = []
    relation_value = entry.get("RelationToPatient").get("Value").key_text()
    if relation_value is not None:
        title = relations.get(relation_value)
        if title is None:
            entry.log.warn("RelationToPatient.Value", f"code {relation_value!r} is not in CategoryData 1000")
        else:
            code = RELATION_CODES.get(title.casefold())
            concepts.append(_concept(title, (ROLE_CODE, *code) if code else None))
    legal_value = entry.get("LegalRelationToPatient").get("Value").key_text()
    agent = entry.get("IsActiveHealthCareAgent").boolean() is True
    if legal_value is not None:
        title = legal.get(legal_value)
        if title is None:
            entry.log.warn("LegalRelationToPatient.Value", f"code {legal_value!r} is not in CategoryData 1113/1107")
        else:
            concepts.append(_concept(title, _legal_code(title, agent=agent)))
            agent = False  # already coded with the legal role
    if agent:
        concepts.append(_concept("Active health care agent", _HEALTHCARE_AGENT))
    if has_phone:
        # The roster is the portal's emergency-contact list; a contact with a phone can be called in one.
        concepts.append(_EMERGENCY_CONTACT)
    return concepts


def _legal_code(title: str, *, agent: bool) -> tuple[str, str, str] | None:
    folded = title.casefold()
    if "dpoahc" in folded or "power of attorney" in folded:
        return _HEALTHCARE_AGENT
    if "conservator" in folded or "guardian" in folded:
        return _GUARDIAN
    return _HEALTHCARE_AGENT if agent else None


def _concept(text: str, code: tuple[str, str, str] | None) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": text}
    if code is not None:
        concept["coding"] = [{"system": code[0], "code": code[1], "display": code[2]}]
    return concept


def _name(entry: PortalNode) -> dict[str, Any]:
    formatted = entry.get("FormattedName").text()
    first, last = entry.get("FirstName").text(), entry.get("LastName").text()
    # FormattedName may hold the user's own notes ("(CALL FIRST)"): kept verbatim as text.
    return {"text": formatted, "given": [first] if first else None, "family": last}


def _telecom(entry: PortalNode) -> list[dict[str, Any]]:
    points: list[dict[str, Any]] = []
    for field, use in _PHONES:
        value = entry.get(field).get("Value").text()  # "" means absent
        if value is not None:
            points.append({"system": "phone", "value": value, "use": use})
    email = entry.get("Email").get("Value").text()
    if email is not None:
        points.append({"system": "email", "value": email})
    return points


def _address(view: PortalNode) -> dict[str, Any] | None:
    street = view.get("Street").text()
    if street is None:
        return None  # blank Street = no address on file
    extra = [view.get(part).text() for part in ("Building", "Floor", "Unit")]
    formatted = [line.text() for line in view.get("FormattedValues").items()]
    return {
        "text": "\n".join(line for line in formatted if line) or None,
        "line": [street, *(line for line in extra if line)],
        "city": view.get("City").text(),
        "state": view.get("State").get("Abbreviation").text() or view.get("State").get("Title").text(),
        "postalCode": view.get("Zip").key_text(),
        "country": view.get("Country").get("Title").text(),
    }
