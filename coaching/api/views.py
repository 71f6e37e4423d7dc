"""The /api/v1/ endpoints. Each resolves its URL's ids through ``permissions`` (the visibility rule), reads a few
indexed queries and serializes; writes go through the same domain functions the portal calls."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed, NotFound, ValidationError
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from coaching.agendas import add_note, set_item_status
from coaching.agendas.lookup import load_view
from coaching.api import docs, filters, queries
from coaching.api.pagination import Pagination, WeekPagination
from coaching.api.params import OPPORTUNITY_PREFIX, USER_PREFIX, salesforce_id
from coaching.api.permissions import (
    deal_in_scope,
    gap_in_scope,
    item_in_scope,
    person_in_scope,
    require_manager,
    scoped,
    visible_agendas,
)
from coaching.api.serializers import (
    AgendaItemChangeSerializer,
    AgendaItemSerializer,
    AgendaSerializer,
    FlagSerializer,
    FlagsSerializer,
    GapSerializer,
    MetricSerializer,
    OpportunitySerializer,
    SnoozeCreateSerializer,
    SnoozeSerializer,
    SyncRunSerializer,
)
from coaching.api.throttling import throttle_unauthenticated
from coaching.gaps.snoozes import active_snoozes, snooze_gap
from coaching.models import AgendaItem, AgendaNote, Gap, MetricSnapshot
from coaching.visibility import Scope
from integrations.models import SyncRun

REP = docs.path_sf_id("sf_user_id", "rep", USER_PREFIX)
MANAGER = docs.path_sf_id("sf_user_id", "manager", USER_PREFIX)
DEAL = docs.path_sf_id("sf_opportunity_id", "opportunity", OPPORTUNITY_PREFIX)


class ApiView(GenericAPIView):
    # Authentication, InScope, throttling, pagination and the error shape come from REST_FRAMEWORK (settings).

    @property
    def scope(self) -> Scope:
        return scoped(self.request).scope

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Authenticate before the permission check, so that a request without valid credentials meets the
        # per-address throttle before its 401 (DRF would check throttles only after permissions).
        try:
            authenticated = bool(request.user and request.user.is_authenticated)
        except AuthenticationFailed:
            throttle_unauthenticated(request, self)
            raise
        if not authenticated:
            throttle_unauthenticated(request, self)
        super().initial(request, *args, **kwargs)

    def get_serializer_context(self) -> dict[str, Any]:
        # Serializers shape what they show by the caller's scope (a rep's gaps lose their peer evidence).
        return {**super().get_serializer_context(), "scope": getattr(self.request, "scope", None)}

    def rep(self) -> str:
        sf_id = salesforce_id(self.kwargs["sf_user_id"], field="sf_user_id", prefix=USER_PREFIX)
        return person_in_scope(self.scope, sf_id).sf_id


@extend_schema_view(
    get=extend_schema(
        operation_id="rep_metrics",
        summary="A rep's weekly metrics",
        description="The rep's metric snapshots for one week (default: the latest week the org has metrics for).",
        parameters=[REP, filters.MetricsQuery],
        responses={200: MetricSerializer(many=True), **docs.READ_ERRORS},
    )
)
class RepMetricsView(ApiView, ListAPIView):
    serializer_class = MetricSerializer
    pagination_class = WeekPagination
    queryset = MetricSnapshot.objects.none()

    def get_queryset(self) -> Any:
        rep = self.rep()
        query = filters.parse(filters.MetricsQuery, self.request.query_params)
        snapshots = MetricSnapshot.objects.filter(org_id=self.scope.org_id)
        self.week = query.get("week") or filters.latest_week(snapshots)
        if self.week is None:  # the org has no metrics yet
            return snapshots.none()
        rows = snapshots.filter(person_sf_id=rep, week_start=self.week).order_by("name")
        return rows.filter(name__in=query["name"]) if query.get("name") else rows


@extend_schema_view(
    get=extend_schema(
        operation_id="rep_gaps",
        summary="A rep's gaps and strengths",
        description="The rep's gaps (their deal-level ones too) and strengths for one week (default: the latest "
        "week the org has gaps for), most severe first, with any snooze that holds them.",
        parameters=[REP, filters.GapsQuery],
        responses={200: GapSerializer(many=True), **docs.READ_ERRORS},
    )
)
class RepGapsView(ApiView, ListAPIView):
    serializer_class = GapSerializer
    pagination_class = WeekPagination
    queryset = Gap.objects.none()

    def get_queryset(self) -> Any:
        rep = self.rep()
        query = filters.parse(filters.GapsQuery, self.request.query_params)
        gaps = Gap.objects.filter(org_id=self.scope.org_id)
        self.week = query.get("week") or filters.latest_week(gaps)
        if self.week is None:  # the org has no gaps yet
            return gaps.none()
        rows = filters.apply_gap_filters(gaps.filter(person_sf_id=rep, week_start=self.week), query)
        return rows.order_by("is_strength", "-severity", "code", "opportunity_sf_id", "id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None, "pagination_class is set, so there is always a page"
        context = {**self.get_serializer_context(), "snoozes": queries.snoozed_until(self.scope.org_id, page)}
        return self.get_paginated_response(GapSerializer(page, many=True, context=context).data)


@extend_schema_view(
    get=extend_schema(
        operation_id="opportunity_flags",
        summary="A deal's flags (for a widget on the Opportunity page)",
        description="Gaps on the deal itself, and its owner's gaps whose evidence names it, for one week (default: "
        "the latest week the org has gaps for). Strengths and snoozed gaps are left out.",
        parameters=[DEAL, filters.WeekQuery],
        responses={200: FlagsSerializer, **docs.READ_ERRORS},
    )
)
class DealFlagsView(ApiView):
    serializer_class = FlagsSerializer

    def get(self, request: Request, sf_opportunity_id: str) -> Response:
        sf_id = salesforce_id(sf_opportunity_id, field="sf_opportunity_id", prefix=OPPORTUNITY_PREFIX)
        deal = deal_in_scope(self.scope, sf_id)
        query = filters.parse(filters.WeekQuery, request.query_params)
        week, flags = queries.deal_flags(self.scope, deal, query.get("week"))
        context = {**self.get_serializer_context(), "opportunity_sf_id": deal.sf_id}
        return Response(
            {
                "opportunity": OpportunitySerializer(deal).data,
                "week_start": week.isoformat() if week else None,
                "flags": FlagSerializer(flags, many=True, context=context).data,
            }
        )


@extend_schema_view(
    get=extend_schema(
        operation_id="manager_agenda",
        summary="A manager's weekly coaching agenda",
        description="Items (with their notes), agenda notes and commitments of one week (default: the manager's "
        "latest agenda). An FSM opens their own; a director those of the managers below; an admin any.",
        parameters=[MANAGER, filters.WeekQuery],
        responses={200: AgendaSerializer, **docs.READ_ERRORS},
    )
)
class ManagerAgendaView(ApiView):
    serializer_class = AgendaSerializer

    def get(self, request: Request, sf_user_id: str) -> Response:
        manager = salesforce_id(sf_user_id, field="sf_user_id", prefix=USER_PREFIX)
        query = filters.parse(filters.WeekQuery, request.query_params)
        agendas = visible_agendas(self.scope).filter(manager_sf_id=manager)
        week = query.get("week")
        agenda = agendas.filter(week_start=week).first() if week else agendas.order_by("-week_start").first()
        if agenda is None:
            when = f" for the week of {week.isoformat()}" if week else ""
            raise NotFound(f"No agenda{when} of manager {manager} that you can open.")
        view = load_view(agenda)
        prefetch_related_objects(view.items, "status_changed_by")
        items = sorted(view.items, key=lambda item: (item.person_sf_id, item.kind, item.position, item.key))
        notes_by_item: dict[int | None, list[AgendaNote]] = {}  # None: notes on the agenda, not on an item
        for note in view.notes:
            notes_by_item.setdefault(note.item_id, []).append(note)
        data = {
            "id": agenda.pk,
            "manager_sf_id": agenda.manager_sf_id,
            "manager_name": view.name(agenda.manager_sf_id),
            "week_start": agenda.week_start,
            "built_at": agenda.built_at,
            "one_on_one_minutes": agenda.one_on_one_minutes,
            "content": agenda.content,
            "items": items,
            "notes": notes_by_item.get(None, []),
            "commitments": view.commitments,
            "effects": view.effects,
        }
        return Response(AgendaSerializer(data, context={"notes_by_item": notes_by_item}).data)


@extend_schema(parameters=[docs.path_row_id("agenda item")])
class AgendaItemView(ApiView):
    """One item of an agenda you can open (yours; a director's or admin's: those of managers below)."""

    serializer_class = AgendaItemSerializer

    @extend_schema(
        operation_id="agenda_item",
        summary="One agenda item with its notes",
        responses={200: AgendaItemSerializer, **docs.READ_ERRORS},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(self.item_data(item_in_scope(self.scope, id)))

    @extend_schema(
        operation_id="agenda_item_update",
        summary="Set an agenda item's status and/or add a note",
        description="status: open, discussed, deferred or dismissed (dismissing needs a reason). note: text added "
        "to the item's notes. Both are applied together or not at all.",
        request=AgendaItemChangeSerializer,
        responses={200: AgendaItemSerializer, **docs.WRITE_ERRORS},
    )
    def patch(self, request: Request, id: str) -> Response:
        item = item_in_scope(self.scope, id)
        require_manager(self.scope, "change agenda items")
        body = AgendaItemChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        change = body.validated_data
        try:
            with transaction.atomic():
                if "status" in change:
                    set_item_status(item, change["status"], reason=change.get("reason", ""), user=request.user)
                if "note" in change:
                    add_note(item, change["note"], user=request.user)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        return Response(self.item_data(AgendaItem.objects.get(pk=item.pk)))

    def item_data(self, item: AgendaItem) -> dict[str, Any]:
        prefetch_related_objects([item], "status_changed_by")
        notes = list(item.notes.select_related("created_by"))
        return AgendaItemSerializer(item, context={"notes_by_item": {item.pk: notes}}).data


@extend_schema_view(
    post=extend_schema(
        operation_id="gap_snooze",
        summary="Snooze a gap",
        description="Silence the gap for its rep (or, for a deal-level gap, its deal) until a day, with a reason; for "
        "a rep-level gap that names deals, opportunity_sf_id snoozes it for that one deal. Snoozing what is already "
        "snoozed updates that snooze (200) instead of adding one (201).",
        parameters=[docs.path_row_id("gap")],
        request=SnoozeCreateSerializer,
        responses={201: SnoozeSerializer, 200: SnoozeSerializer, **docs.WRITE_ERRORS},
    )
)
class GapSnoozeView(ApiView):
    serializer_class = SnoozeSerializer

    def post(self, request: Request, id: str) -> Response:
        gap = gap_in_scope(self.scope, id)
        require_manager(self.scope, "snooze gaps")
        body = SnoozeCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        deal = self.deal_of(gap, body.validated_data.get("opportunity_sf_id", ""))
        existed = (
            active_snoozes(gap.org, queries.today())
            .filter(code=gap.code, person_sf_id=gap.person_sf_id, opportunity_sf_id=deal)
            .exists()
        )
        try:
            snooze = snooze_gap(
                gap.org,
                gap.code,
                gap.person_sf_id,
                opportunity_sf_id=deal,
                reason=body.validated_data["reason"],
                until=body.validated_data["until"],
                user=request.user,
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from None
        return Response(
            SnoozeSerializer(snooze).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )

    def deal_of(self, gap: Gap, sent: str) -> str:
        sent = sent.strip()
        deal = salesforce_id(sent, field="opportunity_sf_id", prefix=OPPORTUNITY_PREFIX) if sent else ""
        if gap.opportunity_sf_id and deal and deal != gap.opportunity_sf_id:
            raise ValidationError(
                {"opportunity_sf_id": [f"This gap is about deal {gap.opportunity_sf_id}; leave opportunity_sf_id out."]}
            )
        return gap.opportunity_sf_id or deal


@extend_schema_view(
    get=extend_schema(
        operation_id="sync_runs",
        summary="The org's CRM sync runs, newest first",
        parameters=[filters.SyncRunsQuery],
        responses={200: SyncRunSerializer(many=True), **docs.errors(400, 401, 404, 406, 429)},
    )
)
class SyncRunsView(ApiView, ListAPIView):
    serializer_class = SyncRunSerializer
    pagination_class = Pagination
    queryset = SyncRun.objects.none()

    def get_queryset(self) -> Any:
        query = filters.parse(filters.SyncRunsQuery, self.request.query_params)
        runs = SyncRun.objects.filter(org_id=self.scope.org_id).prefetch_related("object_runs")
        return filters.apply_sync_run_filters(runs, query).order_by("-started_at", "-id")


@extend_schema_view(
    get=extend_schema(
        operation_id="ping",
        summary="Check a key: who it acts as",
        description="The cheapest authenticated call (authentication, scope, throttling and nothing else): for "
        "checking a key and for measuring what the framework costs beside the real endpoints. No query parameters.",
        responses={
            200: inline_serializer("Ping", {"ok": serializers.BooleanField(), "user": serializers.CharField()}),
            **docs.READ_ERRORS,
        },
    )
)
class PingView(ApiView):
    def get(self, request: Request) -> Response:
        if request.query_params:
            raise ValidationError({name: ["ping takes no query parameters."] for name in request.query_params})
        return Response({"ok": True, "user": request.user.get_username()})
