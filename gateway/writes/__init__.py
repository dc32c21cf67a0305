"""Guarded writes to Kaiser (refill, secure message): preview first, commit only with a confirmation
token bound to the previewed content, every step appended to the audit log."""
