"""Sandboxes fhirgate runs against without an account: the simulated kp.org portal (``portal``, with its
seeded synthetic ``patient`` and ``sms`` outbox) and the simulated SMART EHR (``ehr``)."""
