"""Kaiser's ``contactInfo`` -> FHIR ``telecom`` (ContactPoint) and ``address`` (Address), in a stable order.

Phones arrive as integers (``subscriber`` 123 means ``0123``), in a different order on every call, often
with no primary; postal codes arrive as JSON numbers (``945010001`` is ZIP+4 ``94501-0001``; ``2134`` is
``02134``). Values are written ``555-555-0123`` (NANP digits with hyphens: no country code is invented,
and the form searches well); the portal's ``extension`` becomes `` ext. <n>``. An address's ``type`` gives
``Address.type`` (MAILING) or ``Address.use`` (TEMPORARY -> ``temp``); ``preferredIn`` is kept in HL7's
``iso21090-preferred`` extension.
"""

from __future__ import annotations

from typing import Any

from translators.portal import PortalNode

PHONE_USES = {"RESIDENCE": "home", "EVENING": "home", "DAY": "work", "SMS": "mobile"}
"""Kaiser phone ``type`` -> ContactPoint.use; other types get no ``use``."""

ADDRESS_TYPES = {"MAILING": "postal"}
"""Kaiser address ``type`` -> Address.type; other types get no ``type``."""

ADDRESS_USES = {"TEMPORARY": "temp", "HOME": "home", "RESIDENCE": "home"}
"""Kaiser address ``type`` -> Address.use (a temporary address is a use, not a postal/physical type)."""

PREFERRED = "http://hl7.org/fhir/StructureDefinition/iso21090-preferred"
"""HL7's core extension flagging the preferred Address/ContactPoint: carries the portal's ``preferredIn``."""

_PHONE_PARTS = (("area", 3), ("exchange", 3), ("subscriber", 4))


def phone_value(number: PortalNode) -> str | None:
    """``555-555-0123`` from ``{area, exchange, subscriber, extension}``; ``None`` (warned) when malformed."""
    digits: list[str] = []
    for part, width in _PHONE_PARTS:
        value = number.get(part).integer()
        if value is None or not 0 <= value < 10**width:
            if not number.absent:
                number.log.warn(f"{number.path}.{part}", f"phone part {part} missing or out of range; phone skipped")
            return None
        digits.append(str(value).zfill(width))
    text = "-".join(digits)
    extension = number.get("extension").key_text()
    return f"{text} ext. {extension}" if extension else text


def telecom(phones: PortalNode, email: str | None) -> list[dict[str, Any]]:
    """Phones then email, deduplicated and sorted (primary first, then by value and use)."""
    points: list[dict[str, Any]] = []
    for phone in phones.items():
        value = phone_value(phone.get("phoneNumber"))
        if value is None:
            continue
        point: dict[str, Any] = {"system": "phone", "value": value}
        use = PHONE_USES.get((phone.get("type").text() or "").upper())
        if use is not None:
            point["use"] = use
        if phone.get("primaryIndicator").boolean() is True:
            point["rank"] = 1
        points.append(point)
    unique = {tuple(sorted(point.items())): point for point in points}
    ordered = sorted(
        unique.values(),
        key=lambda point: (point.get("rank") is None, point["value"], point.get("use", "")),
    )
    if email:
        ordered.append({"system": "email", "value": email})
    return ordered


def postal_code(node: PortalNode) -> str | None:
    """A US ZIP from Kaiser's number (or string): left-padded to 5 or 9 digits, ZIP+4 as ``NNNNN-NNNN``."""
    value = node.value
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            node.log.warn(node.path, f"negative postal code {value}; omitted")
            return None
        digits = str(value)
        if len(digits) <= 5:
            return digits.zfill(5)
        if len(digits) <= 9:
            digits = digits.zfill(9)
            return f"{digits[:5]}-{digits[5:]}"
        node.log.warn(node.path, f"postal code {value} has more than 9 digits; kept as is")
        return digits
    text = node.text()
    if text is not None and text.isdigit() and len(text) == 9:
        return f"{text[:5]}-{text[5:]}"
    return text


def addresses(infos: PortalNode) -> list[dict[str, Any]]:
    """Addresses with nulls dropped, the portal's preferred one first, the rest in a stable order."""
    found: list[tuple[bool, dict[str, Any]]] = []
    for info in infos.items():
        address: dict[str, Any] = {}
        kind = (info.get("type").text() or "").upper()
        preferred = info.get("preferredIn").boolean()
        if preferred is not None:
            address["extension"] = [{"url": PREFERRED, "valueBoolean": preferred}]
        if kind in ADDRESS_USES:
            address["use"] = ADDRESS_USES[kind]
        if kind in ADDRESS_TYPES:
            address["type"] = ADDRESS_TYPES[kind]
        lines = [line for line in (info.get("street1").text(), info.get("street2").text()) if line]
        if lines:
            address["line"] = lines
        for element, value in (
            ("city", info.get("city").text()),
            ("state", info.get("state").text()),
            ("postalCode", postal_code(info.get("postalCode"))),
        ):
            if value is not None:
                address[element] = value
        if set(address) - {"extension", "use", "type"}:
            found.append((preferred is True, address))
    found.sort(
        key=lambda pair: (
            not pair[0],
            pair[1].get("line", []),
            pair[1].get("city", ""),
            pair[1].get("state", ""),
            pair[1].get("postalCode", ""),
            pair[1].get("type", ""),
            pair[1].get("use", ""),
        )
    )
    return [address for _, address in found]
