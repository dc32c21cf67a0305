"""Apply the US Core rule table to every resource that claims a US Core profile in ``meta.profile``."""

from __future__ import annotations

from typing import Any

from conformance.fhir_paths import has, values
from conformance.us_core_rules import PROFILES, RULES, Rule

__all__ = ["US_CORE_PREFIX", "claimed_profiles", "us_core_errors"]

US_CORE_PREFIX = "http://hl7.org/fhir/us/core/StructureDefinition/"
_BY_URL = {url: name for name, url in PROFILES.items()}


def claimed_profiles(resource: dict[str, Any]) -> list[str]:
    """The US Core profile canonicals ``resource`` claims (a ``|version`` suffix removed)."""
    claimed = values(resource, "meta.profile")
    return [str(url).split("|", 1)[0] for url in claimed if str(url).startswith(US_CORE_PREFIX)]


def us_core_errors(resource: dict[str, Any]) -> list[str]:
    """Every broken rule of every US Core profile ``resource`` claims, each with its citation."""
    errors = []
    for url in claimed_profiles(resource):
        name = _BY_URL.get(url)
        if name is None:
            errors.append(f"claims {url}, for which the suite has no US Core 6.1.0 rules")
            continue
        errors.extend(
            f"{rule.kind} {rule.element}: {rule.citation}"
            for rule in RULES
            if rule.profile == name and not _holds(rule, resource)
        )
    return errors


def _holds(rule: Rule, resource: dict[str, Any]) -> bool:
    if rule.kind in {"required", "must-support"}:
        return has(resource, rule.element)
    if rule.kind == "each":
        return all(has(parent, rule.child) for parent in values(resource, rule.element))
    if rule.kind == "coding":
        return any(
            c.get("system") == rule.system and c.get("code") == rule.code for c in values(resource, rule.element)
        )
    if rule.kind == "codes":
        return all(value in rule.allowed for value in values(resource, rule.element))
    if rule.kind == "invariant" and rule.predicate is not None:
        return rule.predicate(resource)
    raise ValueError(f"rule of unknown kind {rule.kind!r} for {rule.profile}")
