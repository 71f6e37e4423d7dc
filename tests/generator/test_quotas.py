import statistics
from collections import defaultdict

import pytest


def test_one_quota_per_seller_and_quarter_starting_on_the_quarter(team_org: tuple) -> None:
    records, build = team_org
    periods = {period["Id"]: period for period in records["Period"]}
    seen = set()
    for quota in records["ForecastingQuota"]:
        key = (quota["QuotaOwnerId"], quota["StartDate"])
        assert key not in seen
        seen.add(key)
        assert quota["StartDate"][5:] in ("01-01", "04-01", "07-01", "10-01")
        assert periods[quota["PeriodId"]]["StartDate"] == quota["StartDate"]
        assert quota["QuotaAmount"] > 0
    # 2025-11-29 to 2026-11-28: Q4 2025 to Q4 2026; Q1 2027 quotas are not set yet, 34 days ahead.
    assert sorted(period["StartDate"] for period in records["Period"]) == [
        "2025-10-01", "2026-01-01", "2026-04-01", "2026-07-01", "2026-10-01",
    ]  # fmt: skip
    for rep in build.chart.reps:
        if rep.is_active and rep.hired < build.timeline.start:
            assert sum(owner == rep.id for owner, _ in seen) == 5


def test_manager_director_and_vp_quotas_roll_up_from_their_reps(team_org: tuple) -> None:
    records, build = team_org
    amount = {
        (quota["QuotaOwnerId"], quota["StartDate"]): quota["QuotaAmount"] for quota in records["ForecastingQuota"]
    }
    for start in {quota["StartDate"] for quota in records["ForecastingQuota"]}:
        everyone = 0.0
        for team in build.chart.teams:
            reps = sum(amount.get((rep.id, start), 0.0) for rep in team.reps)
            assert amount[(team.manager.id, start)] == pytest.approx(reps)
            everyone += reps
        assert amount[(build.chart.vp.id, start)] == pytest.approx(everyone)


def test_attainment_is_plausible_and_separates_strong_from_weak(team_org: tuple) -> None:
    records, build = team_org
    quota_total: dict[str, float] = defaultdict(float)
    for quota in records["ForecastingQuota"]:
        if "2025-12-01" <= quota["StartDate"] <= "2026-09-30":  # the span's full quarters
            quota_total[quota["QuotaOwnerId"]] += quota["QuotaAmount"]
    won: dict[str, float] = defaultdict(float)
    for deal in records["Opportunity"]:
        if deal["IsWon"] and "2026-01-01" <= deal["CloseDate"] <= "2026-09-30":
            won[deal["OwnerId"]] += deal["Amount"]
    settled = [rep for rep in build.chart.reps if rep.is_active and rep.hired < build.timeline.start]
    attainment = {rep.id: won[rep.id] / quota_total[rep.id] for rep in settled}
    ordinary = [attainment[rep.id] for rep in settled if not rep.traits.labels]
    assert 0.4 < statistics.median(ordinary) < 1.4
    by_label = {label: attainment[rep.id] for rep in settled for label in rep.traits.labels}
    # Attainment mixes closing with pipeline and deal size, so only the extremes are compared.
    assert by_label["top_closer"] > by_label["weak_closer"]
