"""The local web app of DESIGN.md §9 (served at ``/`` next to the facade at ``/fhir``): one-time-link
sign-in, a browser session the model never holds, the record's pages and the approvals page."""

from gateway.web.app import WebSettings, create_web_app
from gateway.web.mounting import facade_and_web
from gateway.web.sessions import SESSION_COOKIE, WebSessions

__all__ = ["SESSION_COOKIE", "WebSessions", "WebSettings", "create_web_app", "facade_and_web"]
