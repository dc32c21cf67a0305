"""The write operations as FHIR operations on the facade:

- ``POST /fhir/MedicationRequest/{id}/$refill`` (Parameters: ``delivery`` = mail, optional ``confirm``)
- ``POST /fhir/Communication/$send`` (Parameters: ``recipient``, ``topic``, ``subject``, ``text``, optional ``confirm``)
- ``POST /fhir/Communication/$send-options``: the portal's own recipients and topics (a read; Parameters
  ``recipient`` / ``topic``, one string each)

Without ``confirm`` the answer is a preview Parameters (what would be sent, blockers, a confirmation
token); with it, the commit. Refusals are 409 (token for other content, or reused) or 422 (expired,
malformed, or the preview now shows a blocker); a chain that failed at the portal is 502. Every failure is
raised as a member of the facade's error tree (``gateway.facade.errors``), which the facade's one handler
turns into an OperationOutcome, as for every other request.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.facade import FhirJSONResponse, InvalidBodyError, ResourceNotFoundError, bounded_quote, read_json
from gateway.facade.errors import (
    BusinessRuleError,
    ConflictError,
    MissingParameterError,
    SourceLoginRequiredError,
    UnsupportedOptionError,
    UpstreamFailureError,
)
from gateway.facade.extension import FacadeExtension
from gateway.kaiser.errors import KaiserError, LoginFailed, LoginRequired, SessionExpired
from gateway.search import FhirError
from gateway.store import ResourceStore
from gateway.writes.message import MessageDraft
from gateway.writes.operations import REFILL, WriteOperations, WriteOutcome
from translators.refill_orders import task_id

RX_NUMBER_KIND = ":rx-number"
WRITE_OPERATIONS = {
    "MedicationRequest": [
        {"name": "refill", "definition": "urn:fhirgate:OperationDefinition:MedicationRequest-refill"}
    ],
    "Communication": [
        {"name": "send", "definition": "urn:fhirgate:OperationDefinition:Communication-send"},
        {"name": "send-options", "definition": "urn:fhirgate:OperationDefinition:Communication-send-options"},
    ],
}
_REFUSAL_ERRORS: dict[str, type[FhirError]] = {"mismatch": ConflictError, "reused": ConflictError}
"""Refusals that are conflicts (409); every other refusal breaks a business rule (422)."""


def write_extension(store: ResourceStore, operations: WriteOperations) -> FacadeExtension:
    """The guarded writes on the facade: their routes and their CapabilityStatement declarations."""
    return FacadeExtension(routes=write_routes(store, operations), operations=WRITE_OPERATIONS)


def write_routes(store: ResourceStore, operations: WriteOperations) -> list[Route]:
    async def refill(request: Request) -> Response:
        params = await _parameters(request)
        delivery = params.get("delivery", "mail")
        if delivery != "mail":
            raise UnsupportedOptionError("only mail-order refills are supported (local pickup was never captured)")
        stored = store.read("MedicationRequest", request.path_params["id"])
        if stored is None:
            raise ResourceNotFoundError(
                f"MedicationRequest/{bounded_quote(request.path_params['id'])} is not in the store"
            )
        rx_number = _rx_number(json.loads(stored.json_text))
        if rx_number is None:
            raise BusinessRuleError("this MedicationRequest has no Kaiser Rx number to refill")
        try:
            outcome = await operations.refill(rx_number, resource_id=stored.id, confirm=params.get("confirm"))
        except KaiserError as exc:
            raise _portal_failure(exc) from None
        return _answer(outcome)

    async def send(request: Request) -> Response:
        params = await _parameters(request)
        missing = [name for name in ("recipient", "topic", "subject", "text") if name not in params]
        if missing:
            raise MissingParameterError(f"missing parameter(s): {', '.join(missing)}")
        draft = MessageDraft(params["recipient"], params["topic"], params["subject"], params["text"])
        try:
            outcome = await operations.send_message(draft, confirm=params.get("confirm"))
        except KaiserError as exc:
            raise _portal_failure(exc) from None
        return _answer(outcome)

    async def send_options(request: Request) -> Response:
        try:
            options = await operations.send_options()
        except KaiserError as exc:
            raise _portal_failure(exc) from None
        parameters = [{"name": kind, "valueString": value} for kind, values in options.items() for value in values]
        return FhirJSONResponse({"resourceType": "Parameters", "parameter": parameters})

    return [
        Route("/fhir/Communication/$send-options", send_options, methods=["POST"]),
        Route("/fhir/MedicationRequest/{id}/$refill", refill, methods=["POST"]),
        Route("/fhir/Communication/$send", send, methods=["POST"]),
    ]


async def _parameters(request: Request) -> dict[str, str]:
    try:
        body = await read_json(request, empty={})
    except InvalidBodyError as exc:
        raise InvalidBodyError(f"the body must be a FHIR Parameters resource in JSON: {exc.diagnostics}") from None
    if not isinstance(body, dict) or body.get("resourceType", "Parameters") != "Parameters":
        raise InvalidBodyError("the body must be a FHIR Parameters resource")
    if not isinstance(body.get("parameter") or [], list):
        raise InvalidBodyError("Parameters.parameter must be a list")
    values: dict[str, str] = {}
    for parameter in body.get("parameter") or []:
        if not isinstance(parameter, dict) or "name" not in parameter:
            raise InvalidBodyError("every parameter needs a name")
        value = next((v for k, v in parameter.items() if k.startswith("value")), None)
        if not isinstance(value, str | int | bool):
            raise InvalidBodyError(f"parameter {bounded_quote(str(parameter['name']))!r} needs a primitive value")
        values[str(parameter["name"])] = str(value)
    return values


def _rx_number(resource: dict[str, Any]) -> str | None:
    for identifier in resource.get("identifier") or []:
        if str(identifier.get("system", "")).endswith(RX_NUMBER_KIND) and identifier.get("value"):
            return str(identifier["value"])
    return None


def _answer(outcome: WriteOutcome) -> Response:
    if outcome.status == "refused":
        raise _REFUSAL_ERRORS.get(outcome.refusal or "", BusinessRuleError)(outcome.detail or "refused")
    if outcome.status == "failed":
        raise UpstreamFailureError(outcome.detail or "the portal did not accept the request")
    parameters: list[dict[str, Any]] = [
        {"name": "operation", "valueCode": outcome.operation},
        {"name": "status", "valueCode": outcome.status},
        {"name": "preview", "part": [_part(key, value) for key, value in outcome.content.items() if value is not None]},
    ]
    parameters += [{"name": "warning", "valueString": warning} for warning in outcome.warnings]
    if outcome.confirmation_token and outcome.confirmation_expires:
        parameters.append({"name": "confirmationToken", "valueString": outcome.confirmation_token})
        parameters.append(
            {"name": "expires", "valueInstant": outcome.confirmation_expires.isoformat(timespec="seconds")}
        )
    if outcome.reference:
        parameters.append({"name": "reference", "valueString": outcome.reference})
        if outcome.operation == REFILL and outcome.status == "committed":
            # The order's tracking Task gets this id once the medications surface syncs again.
            parameters.append(
                {"name": "tracking", "valueReference": {"reference": f"Task/{task_id(outcome.reference)}"}}
            )
    return FhirJSONResponse({"resourceType": "Parameters", "parameter": parameters})


def _part(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"name": name, "valueBoolean": value}
    if isinstance(value, int):
        return {"name": name, "valueInteger": value}
    return {"name": name, "valueString": str(value)}


def _portal_failure(exc: KaiserError) -> FhirError:
    """The member of the facade's error tree a portal failure is answered as."""
    if isinstance(exc, LoginRequired | SessionExpired | LoginFailed):
        return SourceLoginRequiredError(f"{exc} (run `fhirgate login kaiser`)")
    return UpstreamFailureError(f"the Kaiser portal could not be reached for the preview: {exc}")
