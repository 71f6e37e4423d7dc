"""The standout reps' gaps show in the data itself, measured the way a coaching metric would."""

import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from sfemulator.generator import GeneratorConfig
from sfemulator.generator.traits import ARCHETYPES, standout_labels
from tests.generator.conftest import END, Records, collect
from tests.generator.test_deals import STAGE_ORDER


@dataclass
class RepNumbers:
    deals: int = 0
    won: int = 0
    closed: int = 0
    activities: int = 0
    roles: list[int] = field(default_factory=list)
    discounts: list[float] = field(default_factory=list)
    open_deals: int = 0
    open_with_step: int = 0
    past_due: int = 0
    aged: int = 0  # open deals older than a month
    stale: int = 0  # ... of which untouched for a month
    pushes: int = 0
    families: set[str] = field(default_factory=set)
    amounts: list[float] = field(default_factory=list)
    idle_days: list[int] = field(default_factory=list)  # per open deal: days since its last activity
    regressions: int = 0

    @property
    def win_rate(self) -> float:
        return self.won / self.closed if self.closed else 0.0


def measure(records: Records, today: date) -> dict[str, RepNumbers]:
    numbers: dict[str, RepNumbers] = defaultdict(RepNumbers)
    owner = {}
    month_ago = (today - timedelta(days=30)).isoformat()
    for deal in records["Opportunity"]:
        if deal["IsDeleted"]:
            continue
        rep = numbers[deal["OwnerId"]]
        owner[deal["Id"]] = rep
        rep.deals += 1
        if deal["Amount"]:
            rep.amounts.append(deal["Amount"])
        if deal["IsClosed"]:
            rep.closed += 1
            rep.won += deal["IsWon"]
        else:
            rep.open_deals += 1
            rep.open_with_step += bool(deal["NextStep"])
            rep.past_due += deal["CloseDate"] < today.isoformat()
            touched = date.fromisoformat(deal["LastActivityDate"] or deal["CreatedDate"][:10])
            rep.idle_days.append(max(0, (today - touched).days))
            if deal["CreatedDate"] < month_ago:  # a deal younger than a month cannot have gone a month untouched
                rep.aged += 1
                rep.stale += (deal["LastActivityDate"] or "") < month_ago
    per_deal_roles: dict[str, int] = defaultdict(int)
    for role in records["OpportunityContactRole"]:
        if not role["IsDeleted"]:
            per_deal_roles[role["OpportunityId"]] += 1
    for deal_id, rep in owner.items():
        rep.roles.append(per_deal_roles.get(deal_id, 0))
    won = {deal["Id"] for deal in records["Opportunity"] if deal["IsWon"]}
    family = {product["Id"]: product["Family"] for product in records["Product2"]}
    listed: dict[str, float] = defaultdict(float)
    paid: dict[str, float] = defaultdict(float)
    for line in records["OpportunityLineItem"]:
        owner[line["OpportunityId"]].families.add(family[line["Product2Id"]])
        if line["OpportunityId"] in won:
            listed[line["OpportunityId"]] += line["ListPrice"] * line["Quantity"]
            paid[line["OpportunityId"]] += line["TotalPrice"]
    for deal_id, total in listed.items():
        owner[deal_id].discounts.append(100 * (1 - paid[deal_id] / total))
    for row in records["OpportunityHistory"]:
        # A push: the close date moved later, whether or not the stage changed with it.
        if row["PrevCloseDate"] and row["CloseDate"] > row["PrevCloseDate"] and row["OpportunityId"] in owner:
            owner[row["OpportunityId"]].pushes += 1
        before, after = STAGE_ORDER.get(row["FromOpportunityStageName"]), STAGE_ORDER.get(row["StageName"])
        if before is not None and after is not None and after < before and row["OpportunityId"] in owner:
            owner[row["OpportunityId"]].regressions += 1
    for sobject in ("Task", "Event"):
        for record in records[sobject]:
            numbers[record["OwnerId"]].activities += 1
    return numbers


@pytest.fixture(scope="module")
def reps(team_org: tuple) -> tuple[dict[str, RepNumbers], dict[str, RepNumbers]]:
    """(standouts by label, ordinary settled reps by id)"""
    records, build = team_org
    numbers = measure(records, build.timeline.end)
    settled = [rep for rep in build.chart.reps if rep.is_active and rep.hired < build.timeline.start]
    standouts = {label: numbers[rep.id] for rep in settled for label in rep.traits.labels}
    standouts.update({f"{label}#{rep.id}": numbers[rep.id] for rep in settled for label in rep.traits.labels})
    ordinary = {rep.id: numbers[rep.id] for rep in settled if not rep.traits.labels}
    assert len(ordinary) >= 6
    return standouts, ordinary


def _median(ordinary: dict[str, RepNumbers], metric: Callable[[RepNumbers], float]) -> float:
    return statistics.median(metric(rep) for rep in ordinary.values())


def test_a_two_dozen_rep_org_has_the_main_kinds_of_standout(team_org: tuple) -> None:
    _, build = team_org
    labels = {label for rep in build.chart.reps for label in rep.traits.labels}
    expected = {
        "thin_activity", "top_closer", "heavy_discounter", "single_threaded", "close_date_slipper", "weak_closer",
        "no_next_steps", "stalled_pipeline", "pipeline_builder", "narrow_product_mix",
    }  # fmt: skip
    assert labels >= expected
    assert sum("thin_activity" in rep.traits.labels for rep in build.chart.reps) == 2


def test_thin_activity_reps_log_almost_nothing(reps: tuple) -> None:
    standouts, ordinary = reps
    typical = _median(ordinary, lambda rep: rep.activities / max(1, rep.deals))
    thin = [numbers for label, numbers in standouts.items() if label.startswith("thin_activity#")]
    assert len(thin) == 2
    for numbers in thin:
        assert numbers.deals > 10, "thin data, not no data: they still work deals"
        assert numbers.activities / numbers.deals < 0.1 * typical


def test_closers_win_rates_stand_apart(reps: tuple) -> None:
    standouts, ordinary = reps
    typical = _median(ordinary, lambda rep: rep.win_rate)
    assert standouts["top_closer"].win_rate > typical + 0.1
    assert standouts["weak_closer"].win_rate < typical - 0.05


def test_the_heavy_discounter_discounts_more_than_anyone_ordinary(reps: tuple) -> None:
    standouts, ordinary = reps
    deepest = max(statistics.mean(rep.discounts) for rep in ordinary.values() if rep.discounts)
    assert statistics.mean(standouts["heavy_discounter"].discounts) > deepest + 8


def test_single_threaded_deals_have_fewer_contacts(reps: tuple) -> None:
    standouts, ordinary = reps
    fewest = min(statistics.mean(rep.roles) for rep in ordinary.values())
    assert statistics.mean(standouts["single_threaded"].roles) < min(0.5, fewest / 2)


def test_next_step_and_close_date_hygiene_gaps(reps: tuple) -> None:
    standouts, ordinary = reps
    sloppy = standouts["no_next_steps"]
    assert sloppy.open_with_step / sloppy.open_deals < 0.2
    typical_past_due = _median(ordinary, lambda rep: rep.past_due / max(1, rep.open_deals))
    assert sloppy.past_due / sloppy.open_deals > 1.5 * typical_past_due
    slipper = standouts["close_date_slipper"]
    assert slipper.pushes / slipper.deals > 1.4 * _median(ordinary, lambda rep: rep.pushes / rep.deals)


def test_pipeline_generation_and_product_breadth_differ(reps: tuple) -> None:
    standouts, ordinary = reps
    assert standouts["pipeline_builder"].deals > 1.4 * _median(ordinary, lambda rep: rep.deals)
    assert standouts["narrow_product_mix"].families == {"Platform"}
    assert statistics.mean(len(rep.families) for rep in ordinary.values()) > 2


def test_stalled_pipelines_go_untouched(reps: tuple) -> None:
    standouts, ordinary = reps
    stalled = standouts["stalled_pipeline"]

    def idle_share(rep: RepNumbers) -> float:  # open deals untouched for two weeks
        return sum(days > 14 for days in rep.idle_days) / max(1, len(rep.idle_days))

    assert idle_share(stalled) > max(0.45, 1.5 * _median(ordinary, idle_share))


@pytest.mark.parametrize("rep_count", [1, 3, 4, 12, 24, 40, 400])
def test_standout_counts(rep_count: int) -> None:
    from random import Random

    labels = standout_labels(rep_count, Random(1))
    positions = [position for position, _ in labels]
    assert len(set(positions)) == len(positions) and all(0 <= position < rep_count for position in positions)
    if rep_count < 4:
        assert labels == []
    else:
        assert 3 <= len(labels) <= max(len(ARCHETYPES), round(rep_count * 0.3))
        assert labels[0][1] == "thin_activity"


def test_the_rarer_kinds_show_in_a_larger_org() -> None:
    records, build = collect(GeneratorConfig(reps=40, months=6, seed=5, end=END))
    numbers = measure(records, build.timeline.end)
    by_label = {label: numbers[rep.id] for rep in build.chart.reps for label in rep.traits.labels}
    ordinary = [numbers[rep.id] for rep in build.chart.reps if rep.is_active and not rep.traits.labels]
    median_size = statistics.median(statistics.median(rep.amounts) for rep in ordinary)
    assert statistics.median(by_label["big_deal_hunter"].amounts) > 1.5 * median_size
    assert by_label["high_activity"].activities > 1.5 * statistics.median(rep.activities for rep in ordinary)
    assert by_label["low_pipeline"].deals < 0.6 * statistics.median(rep.deals for rep in ordinary)
    typical_roles = statistics.median(statistics.mean(rep.roles) for rep in ordinary)
    assert statistics.mean(by_label["multi_threaded"].roles) > 1.5 * typical_roles
    typical_regressions = statistics.median(rep.regressions / rep.deals for rep in ordinary)
    assert by_label["stage_regressor"].regressions / by_label["stage_regressor"].deals > 2 * typical_regressions


def test_where_gaps_reps_win_more_in_their_strong_segment_and_less_in_their_weak_industry(team_org: tuple) -> None:
    records, build = team_org
    account = {record["Id"]: record for record in records["Account"]}
    traits = {rep.id: rep.traits for rep in build.chart.reps}
    tallies: dict[str, list[int]] = {"strong": [0, 0], "other": [0, 0], "weak_industry": [0, 0]}
    for deal in records["Opportunity"]:
        if not deal["IsClosed"] or deal["IsDeleted"]:
            continue
        rep, where = traits[deal["OwnerId"]], account[deal["AccountId"]]
        employees = where["NumberOfEmployees"]
        segment = "SMB" if employees < 200 else "Mid-Market" if employees < 2000 else "Enterprise"
        bucket = (
            "weak_industry"
            if where["Industry"] == rep.weak_industry
            else "strong"
            if segment == rep.strong_segment
            else "other"
        )
        tallies[bucket][0] += deal["IsWon"]
        tallies[bucket][1] += 1
    rate = {bucket: won / closed for bucket, (won, closed) in tallies.items()}
    assert rate["strong"] > 1.3 * rate["other"]
    assert rate["weak_industry"] < 0.8 * rate["other"]
