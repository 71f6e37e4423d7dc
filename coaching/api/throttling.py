"""Rate limits per API key (per user for the portal's session calls, per address before authentication).

The rate is ``DEFAULT_THROTTLE_RATES["api"]`` in ``REST_FRAMEWORK`` (env ``API_THROTTLE_RATE``), read on each
request so that a settings override applies at once. Counts live in the default cache: Redis when
``REDIS_URL`` is set (shared by every web worker), otherwise per process.
"""

from typing import TYPE_CHECKING

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

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
