"""fhirgate's composition root: settings, secrets, the CLI and the demo that wire the parts together."""
