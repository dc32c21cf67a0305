"""The mail-order refill chain against the sandbox pharmacy BFFs (§3.1)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gateway.writes.errors import WriteChainError
from gateway.writes.refill import RefillChain
from tests.writes.conftest import SignedInPortal


def _rx(portal: SignedInPortal, bucket: str, **want: Any) -> str:
    for rx in portal.config.patient.rx_details["prescriptions"][bucket]:
        if all(str(rx.get(k)) == str(v) for k, v in want.items()) and int(rx["refillsRemaining"]) > 0:
            return str(rx["afcInfo"]["rxnbr"])
    raise AssertionError(f"no {bucket} prescription with {want}")


def _chain(portal: SignedInPortal) -> RefillChain:
    return RefillChain(portal.client, today=lambda: date(2026, 11, 23))


async def test_preview_of_a_mailable_fillable_prescription_is_committable(portal: SignedInPortal) -> None:
    rx_number = _rx(portal, "fillable", mailable="true")
    preview = await _chain(portal).preview(rx_number)
    assert preview.can_confirm, preview.warnings
    assert preview.content["payment_method_on_file"] is True and preview.content["delivery"] == "mail"
    assert "1004" not in str(preview.content) and "paymentToken" not in str(preview.content)
    assert portal.config.writes.placed_orders == []


async def test_commit_places_the_order_with_the_documented_body(portal: SignedInPortal) -> None:
    rx_number = _rx(portal, "fillable", mailable="true")
    preview, result = await _chain(portal).commit(rx_number)
    assert result is not None and result.succeeded, (preview.warnings, result)
    assert result.order_number.startswith("030")
    [placed] = portal.config.writes.placed_orders
    assert (placed["orderNumber"], placed["rxNumbers"]) == (result.order_number, [rx_number])
    assert portal.config.writes.carts == [rx_number]


async def test_unknown_prescription_is_not_committable(portal: SignedInPortal) -> None:
    preview, result = await _chain(portal).commit("0000000")
    assert result is None and preview.warnings == ["prescription not found"]


async def test_non_fillable_prescription_is_blocked_with_the_reason(portal: SignedInPortal) -> None:
    non_fillable = portal.config.patient.rx_details["prescriptions"]["nonFillable"]
    if not non_fillable:
        pytest.fail("the sandbox patient should have a non-fillable prescription")
    preview, result = await _chain(portal).commit(str(non_fillable[0]["afcInfo"]["rxnbr"]))
    assert result is None and any("cannot take a web order" in w for w in preview.warnings)
    assert portal.config.writes.placed_orders == []


async def test_an_order_the_portal_refuses_is_a_failed_result_not_success(portal: SignedInPortal) -> None:
    portal.config.writes.fail_at = "placeorderMail"
    rx_number = _rx(portal, "fillable", mailable="true")
    try:
        _, result = await _chain(portal).commit(rx_number)
    except WriteChainError as failure:  # the request layer may reject the failure code itself
        assert failure.step == "placeorderMail" and failure.sent
    else:
        assert result is not None and not result.succeeded and result.rx_response_code == "812"
    assert portal.config.writes.placed_orders == []


async def test_the_preview_shows_every_fact_the_order_carries_as_it_carries_it(portal: SignedInPortal) -> None:
    from gateway.writes.refill import _preferred_address

    chain = _chain(portal)
    prepared = await chain.prepare(_rx(portal, "fillable", mailable="true"))
    order = chain._order_body(prepared, "tx-1", _preferred_address(prepared.profile), None)
    shown = prepared.preview.content
    address = order["shippingAddress"]
    [rx_info] = order["rxDetails"]["rxInfo"]
    assert shown["ship_to"] == f"{address['street1']}, {address['city']}, {address['state']} {address['zip']}"
    assert shown["estimated_copay"] == f"${rx_info['estimatedCopay']}"
    assert shown["medication"] == rx_info["rxName"] and shown["for"] == rx_info["memberName"]
    assert shown["days_supply"] == rx_info["daysSupplyRequested"] and shown["delivery"] == "mail"
    assert str(order["creditCardDetails"]["cardType"]) and "card from the Kaiser wallet" in str(shown["payment"])
    assert portal.config.writes.placed_orders == []
