"""Rate limits per API key (per user for the portal's session calls, per address before authentication).

The rate is ``DEFAULT_THROTTLE_RATES["api"]`` in ``REST_FRAMEWORK`` (env ``API_THROTTLE_RATE``), read on each
request so that a settings override applies at once. Counts live in the default cache: Redis when
``REDIS_URL`` is set (shared by every web worker), otherwise per process.
"""

from typing import TYPE_CHECKING

from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from coachapp.client_address import client_address
from coaching.api.models import ApiKey

if TYPE_CHECKING:  # rest_framework.views imports this module through the settings
    from rest_framework.views import APIView


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self) -> str | None:
        # The stub types the rates as numbers; DRF's are strings such as "600/min" (SimpleRateThrottle.parse_rate).
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # type: ignore[return-value]

    def get_cache_key(self, request: Request, view: "APIView") -> str:
        if isinstance(request.auth, ApiKey):
            ident = f"key:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"addr:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def get_ident(self, request: Request) -> str:
        return client_address(request)


class UnauthenticatedThrottle(SimpleRateThrottle):
    """Requests without a valid key or session, per client address (``API_ANON_THROTTLE_RATE``).

    DRF checks throttles after permissions, so a request without credentials (or with a bad key) would be
    answered 401 before any throttle saw it: guessing keys would cost nothing. ``ApiView.initial`` counts
    those requests here first.
    """

    scope = "anon"

    def get_rate(self) -> str | None:
        # As ApiKeyRateThrottle.get_rate: DRF's rates are strings, its stub says numbers.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # type: ignore[return-value]

    def get_cache_key(self, request: Request, view: "APIView") -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


def throttle_unauthenticated(request: Request, view: "APIView") -> None:
    throttle = UnauthenticatedThrottle()
    if throttle.rate and not throttle.allow_request(request, view):
        raise Throttled(throttle.wait())
