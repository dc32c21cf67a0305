"""The seeded synthetic patient the sandbox portal serves (all data invented)."""

from sandbox.patient.generator import generate_patient
from sandbox.patient.model import LabOrder, SyntheticPatient

__all__ = ["LabOrder", "SyntheticPatient", "generate_patient"]
