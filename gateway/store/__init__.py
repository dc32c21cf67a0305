"""gateway.store"""
