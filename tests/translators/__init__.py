"""Tests of the translators package."""
