"""`fhirgate sandbox portal`: the sandbox kp.org standalone, with its patient and fault switches."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from fhirgate.cli_app import app, err, fail

sandbox_app = typer.Typer(help="Run a sandbox (simulated) service on loopback.", no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")


@sandbox_app.command()
def portal(
    size: Annotated[str, typer.Option(help="Synthetic patient size: small or large.")] = "small",
    port: Annotated[int, typer.Option(help="Loopback port (0 picks a free one).")] = 0,
    seed: Annotated[int, typer.Option(help="Patient seed (same seed, same patient).")] = 1,
    faults: Annotated[
        str, typer.Option(help="Fault switches, e.g. 'latency=0.15,429-every=10,write-fail=placeorderMail'.")
    ] = "",
) -> None:
    """Serve the sandbox kp.org until Ctrl-C; prints its URL, the sign-in and every texted MFA code."""
    from fhirgate.serving import serve_in_thread
    from sandbox.patient import generate_patient
    from sandbox.portal import PortalConfig, create_portal_app
    from sandbox.portal.fault_spec import FaultSpecError, parse_faults
    from sandbox.sms import SmsOutbox

    if size not in ("small", "large"):
        raise fail("--size must be small or large")
    try:
        switches = parse_faults(faults)
    except FaultSpecError as exc:
        raise fail(str(exc)) from None
    patient = generate_patient(seed, size="large" if size == "large" else "small")
    outbox = SmsOutbox()
    config = PortalConfig(patient=patient, sms_outbox=outbox, faults=switches)
    with serve_in_thread(create_portal_app(config), port=port) as server:
        # stdout: the URL and sign-in are this command's output (scripts read them).
        typer.echo(f"url: {server.base_url}")
        typer.echo(f"username: {patient.username}")
        typer.echo(f"password: {patient.password}")
        typer.echo(f"mycare api key: {config.api_key}")
        typer.echo(f"pharmacy client id: {config.pharmacy_client_id}")
        err.print("sandbox portal running; MFA codes appear below; Ctrl-C stops it")
        shown = 0
        try:
            while True:
                if len(outbox) > shown:
                    shown = len(outbox)
                    typer.echo(f"MFA code texted: {outbox.latest_code()}")
                time.sleep(0.2)
        except KeyboardInterrupt:
            err.print("stopped")
