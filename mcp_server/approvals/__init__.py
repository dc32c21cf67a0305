"""Writes the model prepares and the person approves: the approval desk, write previews and the write tools."""
