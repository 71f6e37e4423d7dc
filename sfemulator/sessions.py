"""Session ids the org accepts: those its logins issued and those listed in org.json, until revoked."""

import secrets
import threading


class SessionBook:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._issued: dict[str, str] = {}  # session id -> username
        self._revoked: set[str] = set()

    def issue(self, org_id: str, username: str) -> str:
        # Shaped like Salesforce's: the org id, "!", then an opaque token (no XML-special characters).
        session_id = f"{org_id[:15]}!AQ{secrets.token_urlsafe(48)}"
        with self._lock:
            self._issued[session_id] = username
        return session_id

    def is_valid(self, session_id: str, configured: list[str]) -> bool:
        with self._lock:
            if session_id in self._issued:
                return True
            return session_id in configured and session_id not in self._revoked

    def revoke_all(self, configured: list[str]) -> int:
        """Expire every session alive now, org.json's included; later logins get fresh ones."""
        with self._lock:
            revoked = len(self._issued) + len(set(configured) - self._revoked)
            self._revoked.update(self._issued, configured)
            self._issued.clear()
            return revoked

    def active_count(self, configured: list[str]) -> int:
        with self._lock:
            return len(self._issued) + len(set(configured) - self._revoked)
