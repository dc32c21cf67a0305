"""`fhirgate sandbox portal`: its options are checked before anything is served."""

from __future__ import annotations

from typer.testing import CliRunner

from fhirgate.cli import app


def test_bad_fault_switch_is_one_line_and_exit_1() -> None:
    result = CliRunner().invoke(app, ["sandbox", "portal", "--faults", "latency=fast"])
    assert result.exit_code == 1
    assert "bad fault 'latency=fast'" in result.output


def test_unknown_size_is_refused() -> None:
    result = CliRunner().invoke(app, ["sandbox", "portal", "--size", "huge"])
    assert result.exit_code == 1
    assert "--size must be small or large" in result.output


def test_write_fail_switch_names_the_steps_it_knows() -> None:
    result = CliRunner().invoke(app, ["sandbox", "portal", "--faults", "write-fail=placeOrder"])
    assert result.exit_code == 1
    assert "write-fail must be one of SaveMedicalAdviceRequestDraft, SendMedicalAdviceRequest, placeorderMail" in (
        result.output
    )
