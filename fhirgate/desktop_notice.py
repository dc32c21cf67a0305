"""A desktop notification when a sync brings news: `notify-send` on Linux, `osascript` on macOS, found on
PATH with ``shutil.which``; nothing (and no error) where neither exists. The text is counts only
("2 new results from Kaiser"), never record text: notifications show on lock screens and in logs."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from collections.abc import Sequence

from gateway.record_news import NewsCount

__all__ = ["DesktopNotifier", "news_text"]

log = logging.getLogger(__name__)
TITLE = "fhirgate"
TIMEOUT_SECONDS = 10


def news_text(news: Sequence[NewsCount], source: str = "Kaiser") -> str | None:
    """``2 new results, 1 new messages from Kaiser``; None when nothing is new."""
    parts = [f"{item.count} {item.kind.label}" for item in news if item.count]
    return f"{', '.join(parts)} from {source}" if parts else None


class DesktopNotifier:
    def __init__(self, platform: str = sys.platform) -> None:
        self.platform = platform

    def command(self, text: str) -> list[str] | None:
        """The argv that shows ``text``, or None when this machine has no notifier."""
        if self.platform == "darwin":
            osascript = shutil.which("osascript")
            if osascript is None:
                return None
            quoted = text.replace("\\", "\\\\").replace('"', '\\"')
            return [osascript, "-e", f'display notification "{quoted}" with title "{TITLE}"']
        notify_send = shutil.which("notify-send")
        return None if notify_send is None else [notify_send, "--app-name", TITLE, TITLE, text]

    def notify(self, text: str) -> bool:
        """Show ``text``; False (logged, not raised) when there is no notifier or it failed."""
        argv = self.command(text)
        if argv is None:
            return False
        try:
            done = subprocess.run(argv, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)  # noqa: S603
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.info("desktop notification not shown: %s", type(exc).__name__)
            return False
        if done.returncode != 0:
            log.info("desktop notification not shown: exit %d", done.returncode)
        return done.returncode == 0
