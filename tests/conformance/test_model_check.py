"""Validator 1: the fhir.resources R4B model, including the round trip through the model."""

from __future__ import annotations

from conformance.model_check import model_errors


def test_valid_resource_passes() -> None:
    assert model_errors({"resourceType": "Observation", "status": "final", "code": {"text": "Sodium"}}) == []


def test_missing_required_element_and_unknown_element_and_type_fail() -> None:
    assert model_errors({"resourceType": "Observation", "code": {"text": "Sodium"}})
    assert model_errors({"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "colour": "red"})
    assert model_errors({"resourceType": "NoSuchType"}) == ["unknown resourceType 'NoSuchType'"]
    assert model_errors({"id": "x"}) == ["no resourceType"]


def test_a_resource_the_model_would_rewrite_is_reported() -> None:
    errors = model_errors({"resourceType": "Patient", "active": "true"})
    assert errors and "not stable through the model" in errors[0] and "Patient.active" in errors[0]
