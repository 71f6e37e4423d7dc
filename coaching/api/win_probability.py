"""GET /api/v1/opportunities/{id}/win-probability: the deal's calibrated win probability (docs/backtest.md)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from coaching.api import docs
from coaching.api.params import OPPORTUNITY_PREFIX, salesforce_id
from coaching.api.permissions import deal_in_scope
from coaching.api.views import DEAL, ApiView
from coaching.backtest.deal_probability import deal_win_probability


class WinProbabilityFlagSerializer(serializers.Serializer):
    flag = serializers.CharField(help_text="stale, overdue, stall, single, pushed or regressed")
    muted = serializers.BooleanField(help_text="the org's backtest (or an admin) muted this flag")
    line = serializers.CharField(help_text="the flag's backtest in one line, in plain words")
    plain = serializers.CharField()


class WinModelSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    closed_deals = serializers.IntegerField()
    brier = serializers.FloatField(allow_null=True)
    stage_brier = serializers.FloatField(allow_null=True)


class WinProbabilitySerializer(serializers.Serializer):
    """The response's shape, for the schema (the widget reads these fields)."""

    sf_id = serializers.CharField()
    probability = serializers.FloatField(allow_null=True, help_text="0-1; null with why_none")
    calibration_note = serializers.CharField(help_text="how the org's deals given as much did, and the Brier score")
    stage_probability = serializers.FloatField(allow_null=True, help_text="the stage's Probability field, 0-1")
    why_none = serializers.CharField()
    flags = WinProbabilityFlagSerializer(many=True)
    model = WinModelSerializer(allow_null=True)


class DealWinProbabilityView(ApiView):
    @extend_schema(
        operation_id="opportunity_win_probability",
        summary="A deal's win probability from the org's own history (stage + flags + rep)",
        description="Null with `why_none` when the org has not closed enough deals yet, or the deal is closed.",
        parameters=[DEAL],
        responses={200: WinProbabilitySerializer, **docs.READ_ERRORS},
    )
    def get(self, request: Request, sf_opportunity_id: str) -> Response:
        sf_id = salesforce_id(sf_opportunity_id, field="sf_opportunity_id", prefix=OPPORTUNITY_PREFIX)
        deal = deal_in_scope(self.scope, sf_id)
        return Response({"sf_id": deal.sf_id, **deal_win_probability(deal, timezone.now().date())})
