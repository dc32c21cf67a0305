"""gateway.sync"""
