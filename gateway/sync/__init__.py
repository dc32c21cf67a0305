"""Pulling the Kaiser record into the store: one table of surfaces, one engine, progress reporting."""
