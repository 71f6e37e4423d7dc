"""OpenAPI pieces the endpoints share: path parameters and the documented error responses."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

Error = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorDetail",
            fields={
                "code": serializers.CharField(help_text="Stable, e.g. invalid, not_found, throttled."),
                "message": serializers.CharField(help_text="One sentence for a person."),
                "fields": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField()),
                    help_text="Each bad input (body field, query or path parameter) and its messages.",
                ),
            },
        )
    },
)


def path_sf_id(name: str, what: str, prefix: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        OpenApiTypes.STR,
        OpenApiParameter.PATH,
        description=f"The {what}'s Salesforce id: 15 or 18 characters, starting {prefix}.",
        pattern=f"^{prefix}[0-9A-Za-z]{{12}}([0-9A-Za-z]{{3}})?$",
    )


def path_row_id(what: str) -> OpenApiParameter:
    return OpenApiParameter(
        "id", OpenApiTypes.INT64, OpenApiParameter.PATH, description=f"The {what}'s id (as the API returned it)."
    )


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The error responses an endpoint can give, each in the one error shape."""
    meaning = {
        400: "Bad input: a bad id, week, query parameter or body; `fields` says which.",
        401: "No credentials, or an unknown, revoked or orphaned API key.",
        403: "Visible, but reps cannot do this.",
        404: "No such record in your scope (another team's records answer the same).",
        406: "The Accept header asks for something other than JSON.",
        415: "The body is not JSON.",
        429: "Too many requests for this key; Retry-After says when to try again.",
    }
    return {code: OpenApiResponse(Error, description=meaning[code]) for code in codes}


READ_ERRORS = errors(400, 401, 404, 406, 429)
WRITE_ERRORS = errors(400, 401, 403, 404, 406, 415, 429)
