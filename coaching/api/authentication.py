"""API-key authentication: ``Authorization: Api-Key coach_<prefix>.<secret>`` (or ``Bearer`` in its place).

A request with no such header is left to the next authenticator (the portal's session); a request that
sends one must carry a live key, or it fails with 401 — never falls back to anonymous. The key authenticates
as its user; what that user may see is the visibility rule's business (``permissions.InScope``), which also
requires the key's org to be the user's org.
"""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from coaching.api.models import ApiKey, split_key

KEYWORDS = ("api-key", "bearer")
# last_used_at is written at most this often per key, so that reads do not each cost a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Send the key as 'Authorization: Api-Key <key>', with no spaces in the key.")
        try:
            plaintext = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("Invalid API key.") from None
        return self.authenticate_key(plaintext)

    def authenticate_key(self, plaintext: str) -> tuple:
        parsed = split_key(plaintext)
        keys = ApiKey.objects.select_related("user", "user__membership")  # the membership gives the scope
        key = keys.filter(prefix=parsed[0]).first() if parsed else None
        # One message for a key that is unknown, mistyped or forged: which it was is nobody's business.
        if key is None or not key.matches(plaintext):
            raise AuthenticationFailed("Invalid API key.")
        if key.is_revoked:
            raise AuthenticationFailed("This API key was revoked; ask your admin for a new one.")
        if not key.user.is_active:
            raise AuthenticationFailed("The user this API key belongs to is deactivated.")
        now = timezone.now()
        if key.is_expired(now):
            raise AuthenticationFailed(
                f"This API key expired on {key.expires_at:%Y-%m-%d}; ask your admin for a new one."
            )
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        return key.user, key

    def authenticate_header(self, request: Request) -> str:
        # Makes an unauthenticated request a 401 (with this challenge) rather than a 403.
        return 'Api-Key realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "coaching.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: object) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>` (or `Bearer <key>`); keys come from `manage.py create_api_key` "
            "or the admin.",
        }
