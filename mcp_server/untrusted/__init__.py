"""Record text is untrusted: fencing it for the model and quoting what the model sent."""
