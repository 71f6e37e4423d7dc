"""``evaluate_gaps``: the week's gaps for an org, judged from its metric snapshots and written as ``Gap`` rows.

One run: make sure the week's snapshots exist as of the judging day (the metrics engine computes them
otherwise), load them for the whole org, run the enabled rules with the org's thresholds, leave out what
managers snoozed, name the records behind each gap, carry "week N of this gap" over from the week before,
and replace the week's rows — updating the gaps that persist in place, so that their ids (which agenda
items point at) survive a rebuild. A constant number of queries, whatever the number of reps.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from coaching.backtest.pricing import price_findings, win_chances
from coaching.gaps.catalogue import ACTIVITY_COVERAGE, SIGNAL
from coaching.gaps.context import RuleContext, load_reps
from coaching.gaps.coverage import Silence, silences, thin_activity
from coaching.gaps.measure import judge_findings, ramp_silences
from coaching.gaps.org_settings import OrgRuleSettings
from coaching.gaps.records import attach_records, chunk_size
from coaching.gaps.rule import Finding
from coaching.gaps.snoozes import snoozed_on
from coaching.gaps.stakes import concentrated_deals, price_rep_gaps
from coaching.gaps.wording import summary
from coaching.metrics import names
from coaching.models import Gap, MetricSnapshot
from coaching.weeks import judging_day, monday_of
from crm.models import Org

# Metrics the rules read besides their own: revenue at stake, coverage, product breadth, contact roles.
SUPPORTING_METRICS = frozenset(
    {
        names.ACTIVITIES_PER_WEEK,
        names.WIN_RATE,
        names.OPEN_PIPELINE_AMOUNT,
        names.TOP_PRODUCT_SHARE,
        names.AVG_WON_AMOUNT,
        names.CONTACT_ROLES_PER_DEAL,
    }
)
GAP_IDENTITY = ["org", "week_start", "code", "person_sf_id", "opportunity_sf_id"]
GAP_CONTENT = [
    "family",
    "is_strength",
    "manager_sf_id",
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
    "evidence",
    "updated_at",
]


@dataclass
class WeekGaps:
    """What a build of one week found: the gaps written, the rules silenced and why, what was snoozed."""

    org: Org
    week_start: date
    as_of: date
    gaps: list[Gap]
    silenced: list[Silence] = field(default_factory=list)
    snoozed: int = 0
    warnings: list[str] = field(default_factory=list)
    computed_metrics: bool = False


def ensure_snapshots(org: Org, week_start: date, as_of: date) -> bool:
    """Compute and store the week's metrics unless they are stored as of that very day; True if computed."""
    stored = set(
        MetricSnapshot.objects.filter(org=org, week_start=week_start).values_list("as_of", flat=True).distinct()
    )
    if stored == {as_of}:
        return False
    # Imported here: the metrics engine is heavy and only needed when the week is not stored yet.
    from coaching.metrics.compute import compute_metrics
    from coaching.metrics.snapshots import store_snapshots

    store_snapshots(compute_metrics(org, as_of))
    return True


def evaluate_gaps(org: Org, week_start: date, *, as_of: date | None = None) -> list[Gap]:
    """The gaps open for ``org`` in the ISO week starting ``week_start`` (any day of it is taken as that
    week), judged as of ``as_of`` (default: the week's last day, or today if earlier). Writes them."""
    return build_week(org, week_start, as_of=as_of).gaps


def build_week(org: Org, week_start: date, *, as_of: date | None = None, today: date | None = None) -> WeekGaps:
    """``evaluate_gaps`` with the rest of what the build learnt (silences, snoozes, warnings)."""
    week_start = monday_of(week_start)
    as_of = judging_day(week_start, as_of, today)
    computed = ensure_snapshots(org, week_start, as_of)
    settings = OrgRuleSettings.load(org)
    rules = settings.rules()
    metrics = {rule.metric for rule, _ in rules} | SUPPORTING_METRICS
    reps = load_reps(org, week_start, metrics)

    guard = settings.guard(ACTIVITY_COVERAGE.code)
    thin = thin_activity(reps, guard) if guard is not None and reps else {}
    whole, deal_snoozes = snoozed_on(org, as_of)
    context = RuleContext(
        org=org,
        week_start=week_start,
        as_of=as_of,
        reps=reps,
        thin_activity={person: reason for person, (reason, _) in thin.items()},
        snoozed_deals=deal_snoozes,
    )
    raised = [finding for rule, thresholds in rules for finding in rule.evaluate(context, thresholds)]
    # The rules say what they would flag; the model says which of it is real (coaching.gaps.measure).
    bar = settings.guard(SIGNAL.code)
    strictness = {"min_confidence": 0.0, "fdr": 1.0} if bar is None else dict(bar)
    found, ramping = judge_findings(context, list(rules), raised, **strictness)
    kept = [finding for finding in found if not _snoozed(finding, whole, deal_snoozes)]
    _link_skills(kept)
    attach_records(org, kept, as_of)
    price_findings(org, kept, as_of)
    price_rep_gaps(context, kept, win_chances(org, as_of, concentrated_deals(kept)))
    gaps = _replace_week(org, week_start, as_of, kept)
    return WeekGaps(
        org=org,
        week_start=week_start,
        as_of=as_of,
        gaps=gaps,
        silenced=silences(reps, thin, settings.activity_codes()) + ramp_silences(context, ramping),
        snoozed=len(found) - len(kept),
        warnings=settings.warnings,
        computed_metrics=computed,
    )


def _snoozed(finding: Finding, whole: set[tuple[str, str]], deals: dict[tuple[str, str], set[str]]) -> bool:
    key = (finding.code, finding.person_sf_id)
    return key in whole or (bool(finding.opportunity_sf_id) and finding.opportunity_sf_id in deals.get(key, set()))


def _link_skills(findings: list[Finding]) -> None:
    """Point each gap at teammates strong in the same skill, and each strength at teammates who need it."""
    strong: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
    weak: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
    for finding in findings:
        key = (finding.manager_sf_id, finding.skill)
        (strong if finding.is_strength else weak)[key].append(finding.person_sf_id)
    for finding in findings:
        key = (finding.manager_sf_id, finding.skill)
        if finding.is_strength:
            finding.evidence["can_help"] = sorted(set(weak[key]) - {finding.person_sf_id})
        else:
            finding.evidence["learn_from"] = sorted(set(strong[key]) - {finding.person_sf_id})


# The column holds 16 digits before the point; anything near that is a data error, not revenue.
MAX_MONEY = 10.0**15


def _money(value: float | None) -> Decimal | None:
    if value is None or value != value:  # NaN: nothing to estimate
        return None
    return Decimal(str(round(min(MAX_MONEY, max(0.0, float(value))), 2)))


def _clamp(value: float) -> float:
    return round(min(1.0, max(0.0, float(value))), 3)


@transaction.atomic
def _replace_week(org: Org, week_start: date, as_of: date, findings: list[Finding]) -> list[Gap]:
    previous = {
        (code, person, deal): (first_week, weeks_open)
        for code, person, deal, first_week, weeks_open in Gap.objects.filter(
            org=org, week_start=week_start - timedelta(days=7)
        ).values_list("code", "person_sf_id", "opportunity_sf_id", "first_week", "weeks_open")
    }
    existing = {
        (code, person, deal): pk
        for code, person, deal, pk in Gap.objects.filter(org=org, week_start=week_start).values_list(
            "code", "person_sf_id", "opportunity_sf_id", "id"
        )
    }
    keep = {finding.identity for finding in findings}
    gone = [pk for identity, pk in existing.items() if identity not in keep]
    size = chunk_size()
    for start in range(0, len(gone), size):
        Gap.objects.filter(id__in=gone[start : start + size]).delete()
    rows = []
    for finding in findings:
        first_week, weeks_open = week_start, 1
        if finding.identity in previous:
            first_week, weeks_before = previous[finding.identity]
            weeks_open = weeks_before + 1
        evidence = {
            **finding.evidence,
            # Every record a rule names is a deal: listed most telling first, with the full count beside.
            "deals": finding.records,
            "deals_total": finding.records_total,
            "as_of": as_of.isoformat(),
        }
        evidence["summary"] = summary(finding, evidence)
        rows.append(
            Gap(
                org=org,
                week_start=week_start,
                code=finding.code,
                family=str(finding.family),
                is_strength=finding.is_strength,
                person_sf_id=finding.person_sf_id,
                manager_sf_id=finding.manager_sf_id,
                opportunity_sf_id=finding.opportunity_sf_id,
                metric=finding.metric,
                value=finding.value,
                team_value=finding.team_value,
                org_value=finding.org_value,
                n=finding.n,
                severity=_clamp(finding.severity),
                confidence=_clamp(finding.confidence),
                revenue_at_stake=_money(finding.revenue_at_stake),
                first_week=first_week,
                weeks_open=weeks_open,
                evidence=evidence,
            )
        )
    Gap.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=GAP_IDENTITY,
        update_fields=GAP_CONTENT,
    )
    return list(
        Gap.objects.filter(org=org, week_start=week_start).order_by(
            "manager_sf_id", "person_sf_id", "is_strength", "-severity", "code", "opportunity_sf_id"
        )
    )


__all__ = ["WeekGaps", "build_week", "evaluate_gaps"]
