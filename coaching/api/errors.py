"""One error shape for every API failure, whatever raised it:

    {"error": {"code": "invalid", "message": "week: 2024-06-26 is a Wednesday …", "fields": {"week": ["…"]}}}

``code`` is stable and machine-readable (``invalid``, ``parse_error``, ``not_authenticated``,
``authentication_failed``, ``permission_denied``, ``not_found``, ``method_not_allowed``, ``not_acceptable``,
``unsupported_media_type``, ``throttled``, ``server_error``); ``message`` is one sentence for a person;
``fields`` maps each bad input (a body field, a query parameter or a path parameter) to its messages and is
empty when the error is not about one input.
"""

import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


def error_body(code: str, message: str, fields: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": dict(fields or {})}}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's handler (status, headers such as Retry-After and WWW-Authenticate), with the body reshaped."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        # Anything unexpected (DRF answers only its own exceptions): logged with its traceback, answered in the
        # same shape without internals.
        logger.exception("API error in %s", context.get("view").__class__.__name__, exc_info=exc)
        return Response(
            error_body("server_error", "The server failed to answer this request; it has been logged."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten(exc.detail)
        response.data = error_body("invalid", summary(fields), fields)
    else:
        codes = exc.get_codes()
        response.data = error_body(codes if isinstance(codes, str) else exc.default_code, _text(exc.detail))
    return response


def flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field" or "field.0.sub": [messages]}; errors not about a field under
    "non_field_errors"."""
    if isinstance(detail, Mapping):
        found: dict[str, list[str]] = {}
        for key, value in detail.items():
            found.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return found
    if isinstance(detail, list) and any(isinstance(item, (Mapping, list)) for item in detail):
        found = {}
        for index, value in enumerate(detail):
            found.update(flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return found
    messages = [str(item) for item in detail] if isinstance(detail, list) else [str(detail)]
    return {prefix or "non_field_errors": messages}


def summary(fields: Mapping[str, list[str]]) -> str:
    parts = [
        " ".join(messages) if name == "non_field_errors" else f"{name}: {' '.join(messages)}"
        for name, messages in fields.items()
    ]
    return " ".join(parts) or "The request is invalid."


def _text(detail: Any) -> str:
    if isinstance(detail, list):
        return " ".join(str(item) for item in detail)
    if isinstance(detail, Mapping):
        return summary(flatten(detail))
    return str(detail)


def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any path under /api/ that names no endpoint: the API's 404, not the site's HTML page."""
    return JsonResponse(
        error_body("not_found", f"No API endpoint at {request.path}. The endpoints are listed at /api/docs/."),
        status=404,
    )
