"""Query parameters of each endpoint, as serializers: validated with one message per bad parameter (a 400 in
the API's error shape) and described in the OpenAPI schema from the same declaration."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Max, QuerySet
from rest_framework import serializers

from coaching.gaps.catalogue import RULES_BY_CODE
from coaching.metrics.names import METRIC_NAMES
from coaching.models import Family
from coaching.weeks import require_monday
from integrations.models import SyncRun


def choice(choices: Iterable[str], **kwargs: Any) -> serializers.ChoiceField:
    values = list(choices)
    shown = ", ".join(values)
    return serializers.ChoiceField(
        choices=values, error_messages={"invalid_choice": f"{{input}} is not one of: {shown}."}, **kwargs
    )


class WeekField(serializers.DateField):
    """The Monday an ISO week starts on, YYYY-MM-DD."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text", "The Monday the ISO week starts on, YYYY-MM-DD. Left out: the latest week there is."
        )
        super().__init__(input_formats=["iso-8601"], **kwargs)

    def to_internal_value(self, value: Any) -> date:
        day = super().to_internal_value(value)
        try:
            return require_monday(day, name="week")
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None


class WeekQuery(serializers.Serializer):
    week = WeekField()


class MetricsQuery(WeekQuery):
    name = serializers.ListField(
        child=choice(METRIC_NAMES),
        required=False,
        help_text="Only these metrics (repeat the parameter for several: ?name=win_rate&name=open_count).",
    )


class GapsQuery(WeekQuery):
    family = choice(Family.values, required=False, help_text="Only gaps of this family.")
    code = serializers.ListField(
        child=choice(RULES_BY_CODE), required=False, help_text="Only these rules (repeat for several)."
    )
    kind = choice(["gap", "strength"], required=False, help_text="Only gaps, or only strengths (default: both).")


class SyncRunsQuery(serializers.Serializer):
    status = choice(SyncRun.Status.values, required=False)
    kind = choice(SyncRun.Kind.values, required=False)
    started_after = serializers.DateTimeField(required=False, help_text="ISO 8601; runs started at or after it.")
    started_before = serializers.DateTimeField(required=False, help_text="ISO 8601; runs started before it.")

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        after, before = data.get("started_after"), data.get("started_before")
        if after and before and before <= after:
            raise serializers.ValidationError({"started_before": ["started_before must be later than started_after."]})
        return data


def parse(query_class: type[serializers.Serializer], params: Any) -> dict[str, Any]:
    """The validated query; a parameter sent empty (``?week=``) is an error, not the parameter left out."""
    if not params:
        # Every parameter is optional and has no default (tests hold this), so there is nothing to check; the
        # serializer would cost more than the rest of a ping.
        return {}
    empty = {
        name: [f"{name} is empty: give a value or leave the parameter out."]
        for name in query_class().get_fields()
        if name in params and any(value == "" for value in params.getlist(name))
    }
    if empty:
        raise serializers.ValidationError(empty)
    query = query_class(data=params)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


def latest_week(queryset: QuerySet) -> date | None:
    """The latest ``week_start`` among ``queryset``'s rows (one index lookup on the org's week index)."""
    return queryset.aggregate(latest=Max("week_start"))["latest"]


def apply_gap_filters(queryset: QuerySet, query: dict[str, Any]) -> QuerySet:
    if query.get("family"):
        queryset = queryset.filter(family=query["family"])
    if query.get("code"):
        queryset = queryset.filter(code__in=query["code"])
    if query.get("kind"):
        queryset = queryset.filter(is_strength=query["kind"] == "strength")
    return queryset


def apply_sync_run_filters(queryset: QuerySet, query: dict[str, Any]) -> QuerySet:
    for name, lookup in (
        ("status", "status"),
        ("kind", "kind"),
        ("started_after", "started_at__gte"),
        ("started_before", "started_at__lt"),
    ):
        if query.get(name) is not None:
            queryset = queryset.filter(**{lookup: query[name]})
    return queryset
