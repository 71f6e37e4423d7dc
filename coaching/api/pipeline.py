"""/api/v1/managers/{sf_user_id}/pipeline: a manager's Monday pipeline inspection (``coaching.pipeline``)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from coaching.api import docs, filters
from coaching.api.params import USER_PREFIX, salesforce_id
from coaching.api.views import MANAGER, ApiView
from coaching.models import Membership
from coaching.pipeline.changes import CATEGORIES
from coaching.pipeline.inspection import inspection
from coaching.weeks import monday_of
from crm.models import Org, Person


def _tally(name: str) -> serializers.Serializer:
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(help_text="Deals in the category."),
            "amount": serializers.FloatField(help_text="Their amount (for amount up/down: the change)."),
        },
    )


Changes = inline_serializer(
    name="PipelineChanges", fields={name: _tally(f"PipelineTally_{name}") for name in CATEGORIES}
)
Span = inline_serializer(
    name="PipelineCoverage",
    fields={
        "label": serializers.CharField(),
        "start": serializers.DateField(),
        "end": serializers.DateField(),
        "open_amount": serializers.FloatField(),
        "quota": serializers.FloatField(allow_null=True, help_text="Quota still to win (pro rata for 90 days)."),
        "won_amount": serializers.FloatField(allow_null=True),
        "coverage": serializers.FloatField(allow_null=True, help_text="open_amount / quota; null without quota."),
    },
)
Quarter = inline_serializer(
    name="FiscalQuarter", fields={"start": serializers.DateField(), "end": serializers.DateField(),
                                  "label": serializers.CharField()}
)  # fmt: skip
Deal = inline_serializer(
    name="DealToInspect",
    fields={
        "sf_id": serializers.CharField(),
        "name": serializers.CharField(),
        "stage": serializers.CharField(),
        "amount": serializers.FloatField(),
        "close_date": serializers.DateField(allow_null=True),
        "risk": serializers.FloatField(help_text="0.1-1, from pushes, overdue, no activity, last week's moves."),
        "reasons": serializers.ListField(child=serializers.CharField()),
        "changes": serializers.ListField(child=serializers.CharField(), help_text="Last week's moves."),
        "url": serializers.URLField(allow_null=True, help_text="The deal in the CRM."),
    },
)
Inspection = inline_serializer(
    name="PipelineInspection",
    fields={
        "manager": serializers.CharField(),
        "week_start": serializers.DateField(),
        "reviewed": inline_serializer(
            name="ReviewedDays", fields={"start": serializers.DateField(), "end": serializers.DateField()}
        ),
        "fiscal_calendar": serializers.ChoiceField(["crm", "calendar"]),
        "current_quarter": Quarter,
        "next_quarter": Quarter,
        "totals": Changes,
        "reps": serializers.ListField(
            child=inline_serializer(
                name="RepPipeline",
                fields={
                    "sf_id": serializers.CharField(),
                    "name": serializers.CharField(),
                    "changes": Changes,
                    "coverage": inline_serializer(
                        name="RepCoverage",
                        fields={"next_90_days": Span, "current_quarter": Span, "next_quarter": Span},
                    ),
                    "deals_to_inspect": serializers.ListField(child=Deal),
                },
            )
        ),
    },
)


@extend_schema_view(
    get=extend_schema(
        operation_id="manager_pipeline",
        summary="A manager's Monday pipeline inspection",
        description="Per rep of the manager's team: the pipeline changes of the seven days before the week (new, won, "
        "lost, pulled in, pushed out, amount up/down, stage forward/back, with amounts), coverage for the next 90 days "
        "and the current and next fiscal quarter, and up to five deals to inspect. Default week: this one. An FSM "
        "opens their own team; a director the managers below; an admin any.",
        parameters=[MANAGER, filters.WeekQuery],
        responses={200: Inspection, **docs.READ_ERRORS},
    )
)
class ManagerPipelineView(ApiView):
    def get(self, request: Request, sf_user_id: str) -> Response:
        manager = salesforce_id(sf_user_id, field="sf_user_id", prefix=USER_PREFIX)
        query = filters.parse(filters.WeekQuery, request.query_params)
        scope = self.scope
        visible = scope.role != Membership.Role.REP and scope.allows(manager)
        if not visible or not Person.live.filter(org_id=scope.org_id, sf_id=manager).exists():
            raise NotFound(f"No manager {manager} on your team.")
        week = query.get("week") or monday_of(timezone.now().date())
        org = Org.objects.get(pk=scope.org_id)
        return Response(inspection(org, manager, week).as_json())
