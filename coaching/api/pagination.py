"""Page-number pagination with strict parameters: ``?page=2&page_size=100`` (page size 1-200, default from
``REST_FRAMEWORK["PAGE_SIZE"]``). A page or size that is not a number in range is a 400 that says so, and a
page past the last one is a 404 that names the last page; DRF would silently clamp or say "Invalid page"."""

from typing import TYPE_CHECKING, Any

from django.core.paginator import EmptyPage, Page
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

if TYPE_CHECKING:  # rest_framework.views imports this module through the settings
    from rest_framework.views import APIView

MAX_PAGE_SIZE = 200


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: "APIView | None" = None) -> list:
        self.request = request
        number = _whole(request.query_params.get(self.page_query_param, "1"), "page", 1, None)
        size = _whole(
            request.query_params.get(self.page_size_query_param, str(self.page_size)), "page_size", 1, MAX_PAGE_SIZE
        )
        paginator = self.django_paginator_class(queryset, size)
        if number == 1:
            # Most answers fit one page (a rep's week): read one row more than a page instead of COUNTing first;
            # only when there is more is the total counted.
            rows = list(queryset[: size + 1])
            if len(rows) <= size:
                paginator = self.django_paginator_class(rows, size)
            self.page = Page(rows[:size], 1, paginator)
            return rows[:size]
        try:
            self.page = paginator.page(number)
        except EmptyPage:
            raise NotFound(f"Page {number} is past the last page ({paginator.num_pages}).") from None
        return list(self.page)

    def get_schema_operation_parameters(self, view: "APIView") -> list[dict[str, Any]]:
        return [
            {
                "name": "page",
                "required": False,
                "in": "query",
                "description": "Page number, from 1.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"Results per page, 1 to {MAX_PAGE_SIZE}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]


class WeekPagination(Pagination):
    """Pages of one week's rows; the envelope says which week (``null`` when the org has none yet)."""

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: "APIView | None" = None) -> list:
        self.week = getattr(view, "week", None)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["week_start"] = self.week.isoformat() if self.week else None
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        envelope = super().get_paginated_response_schema(schema)
        envelope["required"] = [*envelope.get("required", []), "week_start"]
        envelope["properties"]["week_start"] = {
            "type": "string",
            "format": "date",
            "nullable": True,
            "description": "The week shown: the one asked for, else the latest the org has (null: none yet).",
        }
        return envelope


def _whole(text: str, name: str, low: int, high: int | None) -> int:
    bound = f"from {low} to {high}" if high else f"{low} or more"
    message = f"{name} must be a whole number {bound}, got {text!r}."
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise ValidationError({name: [message]})
    value = int(text)
    if value < low or (high is not None and value > high):
        raise ValidationError({name: [message]})
    return value
