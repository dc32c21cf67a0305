"""Tests of the sandbox portal, its synthetic patient and its SMS outbox."""
