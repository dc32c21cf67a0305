"""fhir_client"""
