"""One conformance run over the ``small`` sandbox patient, shared by the tests that inspect it."""

from __future__ import annotations

import pytest

from conformance.pipeline import ConformanceReport, run_conformance


@pytest.fixture(scope="session")
def small_report() -> ConformanceReport:
    return run_conformance("small", seed=1)
