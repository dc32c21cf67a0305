"""One row per resource for the model: the row text, its named columns, and short text for FHIR datatypes."""
