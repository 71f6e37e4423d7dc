"""The error pages a person meets in production (DEBUG off): 400, 403, 404 and 500 in the portal's style,
each saying what happened in words and offering a way back. API paths answer JSON instead.

The 500 page is rendered without the request's context processors or the database: whatever broke the page
may have broken those too.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

TITLES = {
    400: "That request did not make sense",
    403: "Not allowed",
    404: "Nothing here",
    500: "Something went wrong on our side",
}
DEFAULT_MESSAGES = {
    400: "The address or the form had something we could not read.",
    403: "Your account may not open this page.",
    404: "The page does not exist, or it is not one your account may open.",
    500: "The error has been logged. Try again in a minute; if it keeps happening, tell your coachapp admin.",
}


def _message(status: int, exception: Exception | None) -> str:
    # Only our own messages are shown (a BadRequest or Http404 raised with words for people); Django's
    # internal ones ("No Agenda matches the given query.") read as noise.
    text = str(exception or "").strip() if exception is not None else ""
    if not text or text.startswith(("No ", "Resolver404", "{")) or "matches the given query" in text:
        return DEFAULT_MESSAGES[status]
    return text


def error_page(request: HttpRequest | None, status: int, exception: Exception | None = None) -> HttpResponse:
    message = _message(status, exception)
    if request is not None and request.path.startswith("/api/"):
        return JsonResponse({"error": TITLES[status], "detail": message}, status=status)
    context = {"status": status, "title": TITLES[status], "message": message}
    html = loader.get_template("errors/page.html").render(context)  # no request: no context processors
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 400, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 403, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, 404, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(request, 500)
