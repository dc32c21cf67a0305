"""The sandbox SMART EHR: a practice like an eClinicalWorks one, with SMART discovery, a login +
consent page, PKCE-only authorization codes, rotating single-use refresh tokens, a 250 calls/min
limit, fault switches, and a US Core-shaped FHIR R4 record served by the facade's engine.
Two profiles: `ecw` (the default: eClinicalWorks as it really behaves) and `generic` SMART."""

from sandbox.ehr.app import EhrApp, create_ehr_app
from sandbox.ehr.config import ClientAuth, EhrClient, EhrConfig, EhrFaults, EhrProfile, load_clients
from sandbox.ehr.fhir_api import FOREIGN_ORIGIN, scope_allows
from sandbox.ehr.record import EHR_SURFACE, EhrRecord, build_record

__all__ = [
    "EHR_SURFACE",
    "FOREIGN_ORIGIN",
    "ClientAuth",
    "EhrApp",
    "EhrClient",
    "EhrConfig",
    "EhrFaults",
    "EhrProfile",
    "EhrRecord",
    "build_record",
    "create_ehr_app",
    "load_clients",
    "scope_allows",
]
