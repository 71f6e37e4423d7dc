"""/api/v1/calibration: the director's calibration view (``coaching.calibration``), for directors and admins."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from coaching.api import docs, filters
from coaching.api.views import ApiView
from coaching.calibration.director import calibration, may_calibrate
from coaching.weeks import monday_of

Effect = inline_serializer(
    name="CoachingEffect",
    fields={
        "cases": serializers.IntegerField(help_text="Discussed topics with a matched control."),
        "controls": serializers.IntegerField(help_text="Not-discussed gaps of the same codes and severity bands."),
        "enough_data": serializers.BooleanField(),
        "estimate": serializers.FloatField(allow_null=True, help_text="Null until there are enough cases."),
        "low": serializers.FloatField(allow_null=True, help_text="95 % interval, low end."),
        "high": serializers.FloatField(allow_null=True),
        "unit": serializers.CharField(),
        "codes": serializers.DictField(child=serializers.IntegerField(), help_text="Cases per gap code."),
    },
)
Manager = inline_serializer(
    name="CalibrationManager",
    fields={
        "sf_id": serializers.CharField(),
        "name": serializers.CharField(),
        "reps": serializers.IntegerField(),
        "topics": serializers.IntegerField(),
        "statuses": serializers.DictField(child=serializers.IntegerField()),
        "handled_share": serializers.FloatField(allow_null=True),
        "dismiss_reasons": serializers.ListField(
            child=inline_serializer(
                name="DismissReason", fields={"reason": serializers.CharField(), "count": serializers.IntegerField()}
            )
        ),
        "commitments_due": serializers.IntegerField(),
        "commitments_on_time": serializers.IntegerField(),
        "kept_share": serializers.FloatField(allow_null=True),
        "median_weeks_to_close": serializers.DictField(child=serializers.FloatField()),
        "coaching_effect": Effect,
    },
)
Calibration = inline_serializer(
    name="Calibration",
    fields={
        "week_start": serializers.DateField(),
        "first_week": serializers.DateField(),
        "effect_gap_weeks": serializers.ListField(child=serializers.DateField()),
        "leading_metrics": serializers.DictField(child=serializers.CharField()),
        "overall_effect": Effect,
        "managers": serializers.ListField(child=Manager),
        "note": serializers.CharField(),
    },
)


@extend_schema_view(
    get=extend_schema(
        operation_id="calibration",
        summary="Which managers coach, and whether it works (directors and admins)",
        description="Per frontline manager below the caller, over the 13 weeks to `week` (default: this week): "
        "topics handled, dismiss reasons, commitments kept on time, median weeks until each gap code closes, and "
        "the coaching effect of discussed topics against matched controls with a 95 % interval. For calibrating "
        "coaching, not ranking people. FSMs and reps: 404.",
        parameters=[filters.WeekQuery],
        responses={200: Calibration, **docs.READ_ERRORS},
    )
)
class CalibrationView(ApiView):
    def get(self, request: Request) -> Response:
        query = filters.parse(filters.WeekQuery, request.query_params)
        if not may_calibrate(self.scope):
            raise NotFound("The calibration view is for directors and org admins.")
        today = timezone.now().date()
        return Response(calibration(self.scope, query.get("week") or monday_of(today), today).as_json())
