"""What the rep sells: deal size, product mix, discounting and per-product win rates (the "what" family)."""

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

from coaching.gaps.context import Comparison, RuleContext, Snap, ValueOf, plain_value
from coaching.gaps.kinds import HIGH, LOW, LevelRule, rounded, trailing_window
from coaching.gaps.rule import Finding, Rule, Thresholds
from coaching.gaps.stats import (
    Summary,
    rate_confidence,
    severity_from_distance,
    shrunk_rate,
    summarize,
    wilson_interval,
)
from coaching.metrics import names
from coaching.models import Family


@dataclass(frozen=True)
class DealSizeSmall(LevelRule):
    def revenue(
        self, context: RuleContext, rep: str, snap: Snap, value: float, reference: float, t: Thresholds
    ) -> float | None:
        # The same deals won at the peers' typical size.
        return max(0.0, reference - value) * snap.n

    def extra_evidence(self, context: RuleContext, rep: str, snap: Snap, t: Thresholds) -> dict[str, Any]:
        return {"quartiles": snap.details.get("quartiles"), "deals_are": "won deals, largest first"}


@dataclass(frozen=True)
class ProductMixNarrow(LevelRule):
    def extra_evidence(self, context: RuleContext, rep: str, snap: Snap, t: Thresholds) -> dict[str, Any]:
        top = context.snap(rep, names.TOP_PRODUCT_SHARE)
        return {
            "top_product_share": rounded(top.value) if top else None,
            "by_product": (top.details.get("by_product") or [])[:5] if top else [],
        }

    def records(self, context: RuleContext, rep: str, snap: Snap) -> list[dict[str, Any]]:
        return []


def year_of_discounts(snap: Snap) -> dict[str, Any] | None:
    """The won line items of the trailing 365 days (``details["long"]`` of the discount metric: items,
    deals, mean and sample variance), or None for snapshots without them."""
    long = snap.details.get("long")
    if not isinstance(long, dict) or not long.get("items") or long.get("mean") is None:
        return None
    return long


@cache
def _on_year(min_n: float) -> ValueOf:
    """A peer's mean discount over the year, when it rests on at least ``min_n`` won line items."""

    def on_year(snap: Snap) -> float | None:
        year = year_of_discounts(snap)
        if year is None:
            return snap.value if snap.n >= min_n else None
        return float(year["mean"]) if int(year["items"]) >= min_n else None

    return on_year


@dataclass(frozen=True)
class DiscountHigh(LevelRule):
    """Judged on the year of won line items (``year_of_discounts``): a rep wins a dozen deals in 182 days,
    and a heavy discounter on half a typical sample went unseen. The 182-day figure is the fallback for
    snapshots without the year."""

    def value_of(self, snap: Snap) -> float | None:
        year = year_of_discounts(snap)
        return snap.value if year is None else float(year["mean"])

    def sample_of(self, snap: Snap) -> int:
        year = year_of_discounts(snap)
        return snap.n if year is None else int(year["items"])

    def compare(
        self, context: RuleContext, rep: str, value: float, t: Thresholds, value_of: ValueOf = plain_value
    ) -> Comparison:
        # The peers' sample floor is on the year too, not on the 182 days; one reader per floor, so that the
        # org's figures are summarized once (``RuleContext.org_values`` caches by the reader).
        return context.compare(
            rep, self.metric, value, min_n=0, min_peers=t["min_peers"], value_of=_on_year(t["min_n"])
        )

    def accept(
        self, context: RuleContext, rep: str, snap: Snap, value: float, comparison: Comparison, t: Thresholds
    ) -> bool:
        return value - (comparison.reference_value or 0.0) >= t["min_points"]

    def revenue(
        self, context: RuleContext, rep: str, snap: Snap, value: float, reference: float, t: Thresholds
    ) -> float | None:
        # Net won line-item value at the rep's discount, priced again at the peers' typical discount.
        top = context.snap(rep, names.TOP_PRODUCT_SHARE)
        net = float((top.details.get("won_line_item_amount") or 0.0) if top else 0.0)
        if net <= 0 or value >= 100:
            return None
        return net * (value - reference) / (100 - value)

    def extra_evidence(self, context: RuleContext, rep: str, snap: Snap, t: Thresholds) -> dict[str, Any]:
        year = year_of_discounts(snap)
        judged = {} if year is None else {"window": trailing_window(snap, int(year.get("days") or 365))}
        return judged | {
            "weighted_discount": rounded(snap.details.get("weighted_discount")),
            "recent_value": rounded(snap.value),
            "recent_n": snap.n,
            "year": None
            if year is None
            else {"days": year.get("days"), "items": year["items"], "deals": year.get("deals")},
            "deals_are": "won deals with a discount, deepest first",
        }


@dataclass(frozen=True)
class ProductPeers:
    """Each product's win rates, summarized once for the org and grouped by team.

    Judging a (rep, product) pair then costs the size of the rep's team, not of the org: summarizing the org's
    rates and scanning them for teammates once per pair made the rule quadratic in reps (1.8 s at 1,000 reps).
    """

    # product -> the summary of its rates across the org, the judged rep's own included
    org: dict[str, Summary | None]
    # (product, manager) -> (rep, rate) of the team's reps who closed enough deals with it
    teams: dict[tuple[str, str], list[tuple[str, float]]]

    @classmethod
    def of(cls, context: RuleContext, rates: dict[str, list[tuple[str, float]]]) -> "ProductPeers":
        teams: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
        for product, rows in rates.items():
            for rep, rate in rows:
                teams[(product, context.manager_of(rep))].append((rep, rate))
        org = {product: summarize([rate for _, rate in rows]) for product, rows in rates.items()}
        return cls(org=org, teams=dict(teams))

    def team_rates(self, product: str, manager: str, rep: str) -> list[float]:
        """The rates of ``rep``'s teammates on ``product``: the team's, the rep's own left out."""
        return [rate for other, rate in self.teams.get((product, manager), []) if other != rep]


@dataclass(frozen=True)
class ProductWinRateLow(Rule):
    """Products the rep loses far more often than teammates who sell them, each judged with the Wilson
    interval against the teammates' median win rate on that product (the org's when few teammates sell it)."""

    fires_when: str = "low"

    def evaluate(self, context: RuleContext, t: Thresholds) -> list[Finding]:
        peers = ProductPeers.of(context, self._rates(context, t))
        findings = []
        for rep in context.reps:
            snap = context.snap(rep, self.metric)
            if snap is None:
                continue
            judged = [self._judge(context, rep, row, peers, t) for row in snap.details.get("by_product") or []]
            weak = sorted(
                (found for found in judged if found), key=lambda found: (-found[1], found[0]["product_sf_id"])
            )
            if not weak:
                continue
            worst, worst_diff = weak[0][0], weak[0][1]
            avg_won = context.snap(rep, names.AVG_WON_AMOUNT)
            deal_value = avg_won.value if avg_won and avg_won.value else None
            # Deals lost beyond the peers' rate (the rep's rate shrunk toward it), at the rep's average win.
            revenue = sum(lost for _, _, lost in weak) * deal_value if deal_value else None
            findings.append(
                self.finding(
                    context,
                    rep,
                    value=worst["win_rate"],
                    team_value=worst["team_median"],
                    org_value=worst["org_median"],
                    n=worst["decided"],
                    severity=severity_from_distance(worst_diff, t["min_diff"], t["severe_diff"]),
                    confidence=worst["confidence"],
                    revenue_at_stake=revenue,
                    evidence={
                        "metric": self.metric,
                        "label": "Win rate by product",
                        "unit": "ratio",
                        "window": snap.window,
                        "value": worst["win_rate"],
                        "n": worst["decided"],
                        "product_sf_id": worst["product_sf_id"],
                        "product": worst["name"],
                        "reference": worst["reference"],
                        "peer_median": worst["peer_median"],
                        "team": {"median": worst["team_median"]},
                        "org": {"median": worst["org_median"]},
                        "products": [row for row, _, _ in weak],
                        "avg_won_amount": deal_value,
                        "thresholds": t.as_json(),
                    },
                )
            )
        return findings

    def _rates(self, context: RuleContext, t: Thresholds) -> dict[str, list[tuple[str, float]]]:
        """Every rep's win rate per product, where the rep closed at least ``min_n`` deals with it."""
        rates: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for rep in context.reps:
            snap = context.snap(rep, self.metric)
            for row in (snap.details.get("by_product") or []) if snap else []:
                decided = int(row.get("won") or 0) + int(row.get("lost") or 0)
                if decided >= t["min_n"]:
                    rates[row["product_sf_id"]].append((rep, row["won"] / decided))
        return rates

    def _judge(
        self,
        context: RuleContext,
        rep: str,
        row: dict[str, Any],
        peers: ProductPeers,
        t: Thresholds,
    ) -> tuple[dict[str, Any], float, float] | None:
        """(the product's evidence, how far below the peers, deals lost beyond the peers' rate) or None."""
        won, decided = int(row.get("won") or 0), int(row.get("won") or 0) + int(row.get("lost") or 0)
        if decided < t["min_n"]:
            return None
        product = row["product_sf_id"]
        team = summarize(peers.team_rates(product, context.manager_of(rep), rep))
        everyone = peers.org.get(product)
        if team is not None and team.n >= t["min_peers"]:
            reference, source = team.median, "team"
        elif everyone is not None and everyone.n - 1 >= t["min_peers"]:
            reference, source = everyone.median, "org"
        else:
            return None
        rate = won / decided
        low, high = wilson_interval(won, decided, t["z"])
        # Below the org's middle half on this product too, not only below a strong team.
        org_floor = everyone.p25 if everyone else reference
        if not (high < reference and reference - rate >= t["min_diff"] and rate < org_floor):
            return None
        shrunk = shrunk_rate(won, decided, reference, t["prior_weight"])
        row = {
            "product_sf_id": product,
            "name": row.get("name", ""),
            "won": won,
            "lost": decided - won,
            "decided": decided,
            "win_rate": rounded(rate),
            "interval": [rounded(low), rounded(high)],
            "shrunk": rounded(shrunk),
            "peer_median": rounded(reference),
            "reference": source,
            "team_median": rounded(team.median) if team else None,
            "org_median": rounded(everyone.median) if everyone else None,
            "diff": rounded(reference - rate),
            "confidence": round(rate_confidence(won, decided, reference), 3),
        }
        return row, reference - rate, max(0.0, reference - shrunk) * decided


WHAT_RULES = (
    DealSizeSmall(
        code="DEAL_SIZE_SMALL",
        family=Family.WHAT,
        metric=names.MEDIAN_WON_AMOUNT,
        title="Wins much smaller deals",
        measures="Median Amount of the deals won in the trailing 182 days.",
        fires_when=LOW,
        defaults={"min_n": 5, "min_peers": 3, "ratio": 0.6, "severe_ratio": 0.25},
    ),
    ProductMixNarrow(
        code="PRODUCT_MIX_NARROW",
        family=Family.WHAT,
        metric=names.PRODUCTS_WON_COUNT,
        title="Sells a narrow product mix",
        measures="Distinct products on the deals won in the trailing 182 days, with one product's share of them.",
        fires_when=LOW,
        defaults={"min_n": 5, "min_peers": 3, "ratio": 0.5, "severe_ratio": 0.25},
    ),
    DiscountHigh(
        code="DISCOUNT_HIGH",
        family=Family.WHAT,
        metric=names.AVG_DISCOUNT,
        title="Discounts much deeper than the team",
        measures="Mean line-item discount (percent) on the deals won in the trailing 365 days.",
        fires_when=HIGH,
        lists_deals=True,
        defaults={"min_n": 8, "min_peers": 3, "ratio": 1.5, "severe_ratio": 3.0, "min_points": 5},
    ),
    ProductWinRateLow(
        code="PRODUCT_WIN_RATE_LOW",
        family=Family.WHAT,
        metric=names.PRODUCT_WIN_RATE,
        title="Loses one product far more often",
        measures="Per product: won / closed deals with that product in the trailing 182 days.",
        defaults={"min_n": 8, "min_peers": 3, "min_diff": 0.15, "severe_diff": 0.4, "z": 1.645, "prior_weight": 10.0},
    ),
)
