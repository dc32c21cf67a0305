"""Exceptions raised by the translators' helpers (the ``translate_*`` functions never raise).

::

    TranslatorError (Exception)
    ├── UntranslatableError      the portal payload lacks what a resource's identity needs
    └── InvalidResourceError     a built resource failed FHIR R4 validation (also a ValueError)

``translate_*`` catch both and turn them into :class:`translators.types.TranslationWarning` rows;
only :func:`translators.profile.patient_id_from_profile` and :func:`translators.validation.validated`
let them escape, because their callers must decide what a missing identity or an invalid resource means.
"""

from __future__ import annotations


class TranslatorError(Exception):
    """Base of every exception the translators raise."""


class UntranslatableError(TranslatorError):
    """The payload has no key from which a stable resource identity can be derived."""


class InvalidResourceError(TranslatorError, ValueError):
    """A resource does not validate as FHIR R4: built by a translator, or handed to the store (a bug upstream)."""
