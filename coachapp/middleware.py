"""``Cache-Control: private, no-store`` on every response Django renders (static files are served before it,
by WhiteNoise, with their own long cache headers).

Signed-in pages and API answers carry one org's coaching data; the sign-in, invite and digest-link pages
carry tokens. None of it belongs in a shared cache or the browser's disk cache (a shared computer's back
button), and the pages are cheap to render again.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, private=True, no_store=True)
        return response
