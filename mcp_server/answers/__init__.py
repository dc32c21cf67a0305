"""Answering a search for the model: paging across sources, the token budget, cursors, and the errors a tool answers."""
