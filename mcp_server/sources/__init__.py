"""The record sources the tools reach, their status, and connecting a SMART practice from the chat."""
