"""Answering a search for the model: paging across sources, the token budget, cursors, and fencing record text."""
