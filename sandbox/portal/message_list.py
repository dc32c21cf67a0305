"""The GetConversationList answer (§2.4.2) for one folder and cursor: pure, no request, no session.

Threads are ordered by their latest message, newest first. An empty cursor selects the newest page;
otherwise only threads older than the cursor. ``searchQuery`` filters within the selected page only
(as the real portal does), so a page can hold 0 hits while the cursor still advances. Only each
thread's latest message is inlined, without the details-only fields.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PAGE_SIZE", "conversation_page"]

PAGE_SIZE = 50
_DETAIL_ONLY = (
    "totalMessages",
    "replyFlags",
    "hasPreviouslyViewed",
    "lastViewedByStaffInstantISO",
    "messageIdUsedToLoad",
)


def _latest(conversation: dict[str, Any]) -> str:
    return str(conversation["messages"][0]["deliveryInstantISO"])


def _summary(conversation: dict[str, Any]) -> dict[str, Any]:
    listed = {key: value for key, value in conversation.items() if key not in _DETAIL_ONLY}
    latest = {
        key: value for key, value in conversation["messages"][0].items() if key not in ("tasks", "suggestedActions")
    }
    listed["messages"] = [latest]
    return listed


def _matches(conversation: dict[str, Any], needle: str) -> bool:
    if not needle:
        return True
    haystack = " ".join(
        [conversation["subject"], conversation["previewText"], *conversation["userOverrideNames"].values()]
    )
    return needle.casefold() in haystack.casefold()


def conversation_page(center: dict[str, Any], *, tag: int, cursor: str, search: str) -> dict[str, Any]:
    folder = [t["conversation"] for t in center.get("threads", []) if t["folder"] == tag]
    older = sorted((c for c in folder if not cursor or _latest(c) < cursor), key=_latest, reverse=True)
    page = older[:PAGE_SIZE]
    hits = [c for c in page if _matches(c, search.strip())]
    keys = {key for c in hits for key in (*c["userKeys"], *c["viewerKeys"])}
    oldest = _latest(page[-1]) if page else ""
    return {
        "legacyXUnreadCount": sum(1 for c in folder if c["tags"].get("Unread")),
        "conversations": [_summary(c) for c in hits],
        "users": {key: value for key, value in center.get("users", {}).items() if key in keys},
        "viewers": {key: value for key, value in center.get("viewers", {}).items() if key in keys},
        "localSummary": {
            "hasMoreConversations": len(older) > len(page),
            "newestLoadedInstantISO": _latest(page[0]) if page else "",
            "oldestLoadedInstantISO": oldest,
            "oldestSearchedInstantISO": oldest or cursor,
            "numberLoaded": len(page),
            "pagingInfo": 0,
        },
    }
