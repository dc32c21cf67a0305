"""gateway.facade"""
