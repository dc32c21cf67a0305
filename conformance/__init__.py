"""Conformance suite: proof that what fhirgate generates and serves is valid FHIR R4, meets the US Core 6.1.0
profiles it claims, and loses no clinical fact of the portal JSON.

Run it as ``python -m conformance [--size small|large] [--seed N]``; the library entry is
:func:`conformance.pipeline.run_conformance`. (Kept import-free so the checkers load without the facade.)
"""
