"""gateway.search"""
