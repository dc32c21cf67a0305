"""fhirgate"""
