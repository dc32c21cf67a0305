"""gateway.kaiser"""
