"""translators"""
