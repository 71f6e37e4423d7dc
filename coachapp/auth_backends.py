"""django-axes' sign-in limit as an authentication backend that lets request-less calls through.

Every login form (the portal's, the admin's) authenticates with the request, and axes counts and refuses
those. Code that authenticates without one (a shell session, a management command, a test client's
``login``) is no client guessing passwords over HTTP; axes' own backend would raise for it instead.
"""

from typing import Any

from axes.backends import AxesStandaloneBackend  # type: ignore[import-untyped]  # ships no type hints
from django.http import HttpRequest


class SignInLimitBackend(AxesStandaloneBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
