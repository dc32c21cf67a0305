"""The whole record out of fhirgate: every source's part, written as NDJSON or a Bundle, or pushed to a FHIR server."""
