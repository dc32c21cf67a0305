"""The sandbox kp.org portal: sign-in with MFA, sessions, and the JSON surfaces with their quirks."""

from sandbox.portal.app import create_portal_app
from sandbox.portal.config import FaultSwitches, PortalConfig

__all__ = ["FaultSwitches", "PortalConfig", "create_portal_app"]
