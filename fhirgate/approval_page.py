"""The web app an MCP server serves for its approval page, started off the path of the client's first
answers: `fhirgate mcp` answers `initialize` and `tools/list` without building it (jinja2, starlette,
uvicorn), starts it in the background a moment later (then records its address under the home, as
before), and at once if a write needs the page's address first."""

from __future__ import annotations

import logging
import threading
from contextlib import ExitStack
from types import TracebackType
from typing import TYPE_CHECKING

from fhirgate.settings import Settings

if TYPE_CHECKING:
    from gateway.writes.decisions import ApprovalDecisions

__all__ = ["START_DELAY_SECONDS", "ApprovalPage"]

logger = logging.getLogger(__name__)

START_DELAY_SECONDS = 2.0
"""How long after the server starts the page starts in the background: long enough for a client's
`initialize` and `tools/list` to be answered first."""


class ApprovalPage:
    """The home's web app on a free loopback port, started once (by whichever comes first: the background
    start or `base_url`) and stopped when the block exits."""

    def __init__(self, settings: Settings, decisions: ApprovalDecisions, *, delay: float = START_DELAY_SECONDS):
        self._settings = settings
        self._decisions = decisions
        self._lock = threading.Lock()
        self._served = ExitStack()
        self._address: str | None = None
        self._closed = False
        self._timer = threading.Timer(delay, self._start_in_background)
        self._timer.daemon = True

    def __enter__(self) -> ApprovalPage:
        self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._timer.cancel()
        with self._lock:
            self._closed = True
            self._address = None
            self._served.close()

    def base_url(self) -> str | None:
        """The web app's address, starting it now if it is not running yet; None once the block has exited
        or if it could not start (logged; the next call tries again)."""
        with self._lock:
            if self._address is None and not self._closed:
                try:
                    self._address = self._start()
                except (OSError, RuntimeError) as exc:
                    logger.warning("approval page did not start: %s", type(exc).__name__)
            return self._address

    def _start(self) -> str:
        from fhirgate.approval_wiring import home_web_app, record_web_address
        from fhirgate.serving import free_port, serve_in_thread

        port = free_port()
        app = home_web_app(self._settings, self._decisions, port=port)
        running = self._served.enter_context(serve_in_thread(app, port=port))
        record_web_address(self._settings, running.base_url)
        return running.base_url

    def _start_in_background(self) -> None:
        self.base_url()
