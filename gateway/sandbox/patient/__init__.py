"""The seeded synthetic patient the sandbox portal serves (all data invented)."""

from gateway.sandbox.patient.generator import generate_patient
from gateway.sandbox.patient.model import LabOrder, SyntheticPatient

__all__ = ["LabOrder", "SyntheticPatient", "generate_patient"]
