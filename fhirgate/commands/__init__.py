"""One module per `fhirgate` command (or group); each registers itself on `fhirgate.cli_app.app`."""
