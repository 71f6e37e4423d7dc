"""Response and request bodies. Money is a JSON number (not DRF's default string), CRM ids are 18 characters,
and a blank CRM reference is ``null`` rather than ``""``."""

from functools import cached_property
from typing import Any

from django.contrib.auth.models import User
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coaching.agendas.state import MAX_TEXT
from coaching.api.queries import owner_name
from coaching.calibration.wording import effect_words
from coaching.gaps.catalogue import RULES_BY_CODE
from coaching.gaps.snoozes import MAX_REASON
from coaching.metrics.names import METRICS
from coaching.models import AgendaItem, AgendaNote, CoachingEffect, Commitment, Gap, MetricSnapshot, Snooze
from coaching.visibility import evidence_for
from crm.models import Opportunity
from integrations.models import SyncObjectRun, SyncRun


def money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=False, allow_null=True, **kwargs)


class BlankAsNullField(serializers.CharField):
    """A CRM reference that may be blank in the database: ``null`` in the API."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, read_only=True, **kwargs)

    # The stub's CharField always represents as str; with allow_null, DRF renders None as null.
    def to_representation(self, value: str) -> str | None:  # type: ignore[override]
        return value or None


class TextField(serializers.CharField):
    """Text, strictly: DRF's CharField would take 12 or true and store "12" or "True"."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class MetricSerializer(serializers.ModelSerializer):
    # The serializer metaclass moves declared fields off the class; the stub sees this clash with Field.label.
    label = serializers.SerializerMethodField()  # type: ignore[assignment]
    unit = serializers.SerializerMethodField()
    better = serializers.SerializerMethodField()

    class Meta:
        model = MetricSnapshot
        fields = [
            "name",
            "label",
            "unit",
            "better",
            "value",
            "n",
            "person_sf_id",
            "manager_sf_id",
            "week_start",
            "as_of",
            "window_start",
            "window_end",
            "details",
        ]

    def get_label(self, snapshot: MetricSnapshot) -> str:
        definition = METRICS.get(snapshot.name)
        return definition.label if definition else snapshot.name

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_unit(self, snapshot: MetricSnapshot) -> str | None:
        definition = METRICS.get(snapshot.name)
        return definition.unit if definition else None

    @extend_schema_field(serializers.ChoiceField(choices=["higher", "lower"], allow_null=True))
    def get_better(self, snapshot: MetricSnapshot) -> str | None:
        definition = METRICS.get(snapshot.name)
        return definition.better if definition else None


def rule_title(code: str) -> str:
    rule = RULES_BY_CODE.get(code)
    return rule.title if rule else code


class GapSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    manager_sf_id = BlankAsNullField()
    opportunity_sf_id = BlankAsNullField(help_text="Set for a deal-level gap.")
    revenue_at_stake = money(read_only=True)
    snoozed_until = serializers.SerializerMethodField(
        help_text="The day an active snooze of this gap (for the rep, or for this deal) lasts until."
    )

    class Meta:
        model = Gap
        fields = [
            "id",
            "week_start",
            "code",
            "title",
            "summary",
            "family",
            "is_strength",
            "person_sf_id",
            "manager_sf_id",
            "opportunity_sf_id",
            "metric",
            "value",
            "team_value",
            "org_value",
            "n",
            "severity",
            "confidence",
            "revenue_at_stake",
            "first_week",
            "weeks_open",
            "snoozed_until",
            "evidence",
        ]

    def get_title(self, gap: Gap) -> str:
        return rule_title(gap.code)

    def to_representation(self, gap: Gap) -> dict[str, Any]:
        data = super().to_representation(gap)
        # The one visibility rule decides what of the evidence this caller reads (a rep: nothing on teammates).
        data["evidence"] = evidence_for(self.context.get("scope"), data.get("evidence"))
        return data

    def get_summary(self, gap: Gap) -> str:
        return str((gap.evidence or {}).get("summary") or rule_title(gap.code))

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_snoozed_until(self, gap: Gap) -> str | None:
        until = self.context.get("snoozes", {}).get(gap.pk)
        return until.isoformat() if until else None


class FlagSerializer(GapSerializer):
    """A gap as it bears on one deal: on the deal itself (``level: deal``) or on its owner, naming the deal."""

    level = serializers.SerializerMethodField()
    deal = serializers.SerializerMethodField(help_text="What the gap's evidence says about this deal.")
    backtest = serializers.SerializerMethodField(help_text="How this flag's deals ended in the org, in one line.")

    class Meta(GapSerializer.Meta):
        fields = ["level", "deal", "backtest", *[name for name in GapSerializer.Meta.fields if name != "snoozed_until"]]

    @extend_schema_field(serializers.ChoiceField(choices=["deal", "rep"]))
    def get_level(self, gap: Gap) -> str:
        return "deal" if gap.opportunity_sf_id else "rep"

    def get_backtest(self, gap: Gap) -> str:
        return str((gap.evidence or {}).get("backtest_line") or "")

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_deal(self, gap: Gap) -> dict[str, Any] | None:
        deal_id = self.context["opportunity_sf_id"]
        for record in (gap.evidence or {}).get("deals") or []:
            if isinstance(record, dict) and record.get("sf_id") == deal_id:
                return record
        return None


class OpportunitySerializer(serializers.ModelSerializer):
    amount = money(read_only=True)
    owner_name = serializers.SerializerMethodField()

    class Meta:
        model = Opportunity
        fields = ["sf_id", "name", "owner_sf_id", "owner_name", "stage", "amount", "close_date", "is_closed", "is_won"]

    def get_owner_name(self, deal: Opportunity) -> str:
        return owner_name(deal)


class FlagsSerializer(serializers.Serializer):
    opportunity = OpportunitySerializer()
    week_start = serializers.DateField(allow_null=True, help_text="The week the flags are from; null: none yet.")
    flags = FlagSerializer(many=True)


class NoteSerializer(serializers.ModelSerializer):
    created_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = AgendaNote
        fields = ["id", "text", "created_by", "created_at"]


class AgendaItemSerializer(serializers.ModelSerializer):
    person_sf_id = BlankAsNullField(help_text="The rep; null for a team topic.")
    opportunity_sf_id = BlankAsNullField()
    revenue_at_stake = money(read_only=True)
    status_changed_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    notes = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "kind",
            "position",
            "code",
            "family",
            "person_sf_id",
            "opportunity_sf_id",
            "metric",
            "title",
            "evidence",
            "question",
            "action",
            "deals",
            "value",
            "team_value",
            "severity",
            "confidence",
            "revenue_at_stake",
            "score",
            "minutes",
            "is_current",
            "status",
            "status_reason",
            "status_changed_at",
            "status_changed_by",
            "notes",
        ]

    @extend_schema_field(NoteSerializer(many=True))
    def get_notes(self, item: AgendaItem) -> list[dict[str, Any]]:
        notes = self.context.get("notes_by_item", {}).get(item.pk, [])
        return [self.note_serializer.to_representation(note) for note in notes]

    @cached_property
    def note_serializer(self) -> NoteSerializer:
        # One for every item of a response: a ModelSerializer works its fields out anew for each instance.
        return NoteSerializer()


class CommitmentSerializer(serializers.ModelSerializer):
    item_id = serializers.IntegerField(read_only=True, allow_null=True)
    week_start = serializers.DateField(source="agenda.week_start", read_only=True, help_text="The week made in.")

    class Meta:
        model = Commitment
        fields = ["id", "item_id", "week_start", "text", "owner_sf_id", "due_date", "status", "closed_at"]


class EffectSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="item.code", read_only=True)
    leading_metric = serializers.SerializerMethodField(help_text="What before and after measure (28 days).")
    verdict = serializers.SerializerMethodField(help_text="moved / flat / worse against the controls; waiting.")
    text = serializers.SerializerMethodField(help_text="The effect in words, or why there is not enough data yet.")

    class Meta:
        model = CoachingEffect
        fields = [
            "item_id",
            "code",
            "weeks_after",
            "metric",
            "target_week",
            "leading_metric",
            "before",
            "after",
            "control_change",
            "controls",
            "control_kind",
            "score",
            "moved",
            "measured_on",
            "verdict",
            "text",
        ]

    def get_leading_metric(self, effect: CoachingEffect) -> str:
        return effect_words(effect, effect.item.code).label

    def get_verdict(self, effect: CoachingEffect) -> str:
        return effect_words(effect, effect.item.code).verdict

    def get_text(self, effect: CoachingEffect) -> str:
        return effect_words(effect, effect.item.code).text


class AgendaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    manager_sf_id = serializers.CharField()
    manager_name = serializers.CharField()
    week_start = serializers.DateField()
    built_at = serializers.DateTimeField()
    one_on_one_minutes = serializers.IntegerField()
    content = serializers.JSONField(help_text="Reps with their minutes, the team session, trends and totals.")
    items = AgendaItemSerializer(many=True)
    notes = NoteSerializer(many=True, help_text="Notes on the agenda as a whole (item notes sit on the items).")
    commitments = CommitmentSerializer(many=True, help_text="This week's, and earlier ones still open.")
    effects = EffectSerializer(
        many=True, help_text="Whether metrics behind items discussed earlier moved 2 and 4 weeks later."
    )


class AgendaItemChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=AgendaItem.Status.values,
        required=False,
        error_messages={"invalid_choice": f"{{input}} is not one of: {', '.join(AgendaItem.Status.values)}."},
    )
    reason = TextField(
        required=False, allow_blank=True, max_length=MAX_TEXT, help_text="Why; required to dismiss an item."
    )
    note = TextField(
        required=False, max_length=MAX_TEXT, help_text="A note to add to the item (notes are kept, never replaced)."
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if not data:
            raise serializers.ValidationError("Send status (with reason when dismissing), note, or both.")
        if "reason" in data and "status" not in data:
            raise serializers.ValidationError({"reason": ["A reason goes with a status; send status too."]})
        if data.get("status") == AgendaItem.Status.DISMISSED and not data.get("reason", "").strip():
            raise serializers.ValidationError(
                {"reason": ["Dismissing an item needs a reason: it is shown when the gap is left out later."]}
            )
        return data


class SnoozeCreateSerializer(serializers.Serializer):
    until = serializers.DateField(help_text="The last day the snooze holds (YYYY-MM-DD), at most a year ahead.")
    reason = TextField(max_length=MAX_REASON, help_text="Why: shown to whoever reads the agenda later.")
    opportunity_sf_id = TextField(
        required=False,
        allow_blank=True,
        help_text="For a rep-level gap that names deals: snooze it for this one deal only.",
    )


class SnoozeSerializer(serializers.ModelSerializer):
    opportunity_sf_id = BlankAsNullField()
    created_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Snooze
        fields = ["id", "code", "person_sf_id", "opportunity_sf_id", "reason", "until", "created_by", "created_at"]


class SyncObjectRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = SyncObjectRun
        fields = ["sobject", "status", "fetched", "upserted", "deleted", "failed", "api_calls", "message"]


class SyncRunSerializer(serializers.ModelSerializer):
    objects = SyncObjectRunSerializer(source="object_runs", many=True, read_only=True)

    class Meta:
        model = SyncRun
        fields = [
            "id",
            "kind",
            "status",
            "started_at",
            "finished_at",
            "api_calls",
            "api_usage_used",
            "api_usage_max",
            "current_object",
            "errors",
            "objects",
        ]
