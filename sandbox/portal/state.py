"""Everything one running portal instance remembers, handed to each route module."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.portal.config import PortalConfig
from sandbox.portal.sessions import PortalSession, SessionStore
from sandbox.portal.signin_ledger import SignInLedger

__all__ = ["PortalState"]


@dataclass
class PortalState:
    config: PortalConfig
    sessions: SessionStore
    ledger: SignInLedger

    def display_name(self, session: PortalSession) -> str:
        identity = self.config.patient.profile["UserAccountData"]["userIdentityInfo"]
        return str(identity.get("preferredGivenName") or session.username)
