"""How much the command line logs: ``FHIRGATE_LOG_LEVEL`` (default WARNING), always to stderr.

stdout belongs to the MCP transport and to command output, so logs never go there. A full run at
``FHIRGATE_LOG_LEVEL=DEBUG`` must still hold no secret; the security suite's canary test proves it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping

__all__ = ["LOG_LEVEL_VARIABLE", "configure_logging", "log_level"]

LOG_LEVEL_VARIABLE = "FHIRGATE_LOG_LEVEL"
_LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING, "ERROR": logging.ERROR}


def log_level(environ: Mapping[str, str]) -> int:
    """The level ``FHIRGATE_LOG_LEVEL`` names (case-insensitive); WARNING when unset or unknown."""
    return _LEVELS.get(environ.get(LOG_LEVEL_VARIABLE, "").strip().upper(), logging.WARNING)


def configure_logging(environ: Mapping[str, str]) -> int:
    """Send the root logger's records at the configured level to stderr; returns the level."""
    level = log_level(environ)
    logging.basicConfig(stream=sys.stderr, level=level, format="%(levelname)s %(name)s %(message)s")
    return level
