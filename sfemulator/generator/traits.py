"""Who each rep is as a seller: persistent traits that shape every deal and activity they generate.

Most reps are drawn from moderate ranges, so that a handful of standouts - clearly weak or clearly strong
at one thing - make gaps the coaching engine can find and explain. The standouts carry a label (the
manifest lists them), which is the answer key for checking that a metric sees what was put in.
"""

from dataclasses import dataclass, replace
from random import Random
from typing import TypedDict

from sfemulator.generator.picklists import INDUSTRIES, SEGMENTS
from sfemulator.generator.sampling import clamp, spread


@dataclass(frozen=True)
class RepTraits:
    win_skill: float  # multiplies the chance that a deal is won
    qualification: float  # 0-1: 1 drops losing deals early in the funnel, 0 loses them late
    activity: float  # multiplies logged activities
    mix: tuple[float, float, float, float]  # relative weights of calls, emails, meetings, to-dos
    discount: float  # typical discount given in negotiation, percent
    deal_size: float  # multiplies deal size
    breadth: int  # product families sold, 1-4
    optimism: float  # 0-1 (a slipper's 1.2): how far too early first close dates are set (slippage)
    contacts: float  # mean buyer contacts per deal (multi-threading)
    discipline: float  # 0-1: next steps filled in, past-due close dates fixed
    pipeline: float  # multiplies opportunities created
    cycle: float  # multiplies sales-cycle length
    regression: float  # chance that a deal moves back a stage
    stall: float  # chance that a deal stalls in one stage
    neglect: float  # mean days since the last touch on an open deal
    strong_segment: str  # where they win best
    industries: tuple[str, ...]  # the verticals their territory centres on
    weak_industry: str  # one of them, where they win worst
    senior: bool
    labels: tuple[str, ...] = ()
    # Scenario knobs (sfemulator.generator.scenarios); the defaults leave the realistic org as it was.
    segment_win: tuple[float, float, float] = (1.0, 1.0, 1.0)  # win odds by segment: SMB, Mid-Market, Enterprise
    book_mix: tuple[float, float, float] | None = None  # share of the book per segment; None: the usual shares


# label: (what it means, the traits it forces). Ordered by how much a small demo org needs each one.
class Forced(TypedDict, total=False):
    """The traits an archetype sets."""

    win_skill: float
    qualification: float
    activity: float
    discount: float
    breadth: int
    optimism: float
    contacts: float
    discipline: float
    pipeline: float
    regression: float
    stall: float
    neglect: float
    deal_size: float


ARCHETYPES: dict[str, tuple[str, Forced]] = {
    "thin_activity": ("logs almost no activity (thin data)", {"activity": 0.03}),
    "top_closer": ("wins far more often than peers", {"win_skill": 2.3, "qualification": 0.85}),
    "heavy_discounter": ("gives deep discounts", {"discount": 27.0}),
    "single_threaded": ("deals hang on one contact or none", {"contacts": 0.0}),
    # Clear standouts (issue 10): close dates set at a tenth of the time left (optimism past the everyday 0-1
    # range) and moved as soon as they pass, no contact on the deals, most multi-stage deals moving back
    # once, a tenth of the usual new deals. At the old strengths (optimism 0.95, contacts 0.25, regression
    # 0.45, pipeline 0.35) they sat about one practical margin from the peers on what the rules measure,
    # where ``bench signal --power`` shows no honest test finds them on one rep's data (docs/benchmarks.md).
    "close_date_slipper": ("close dates keep slipping", {"optimism": 1.2, "discipline": 0.95}),
    "weak_closer": ("loses most deals, late in the funnel", {"win_skill": 0.35, "qualification": 0.08}),
    "no_next_steps": ("leaves next steps blank and past-due dates unfixed", {"discipline": 0.04}),
    "stalled_pipeline": ("deals stall and go untouched for weeks", {"stall": 0.7, "neglect": 60.0}),
    "thin_activity_2": ("logs almost no activity (thin data)", {"activity": 0.03}),
    "pipeline_builder": ("creates far more pipeline than peers", {"pipeline": 2.2}),
    "narrow_product_mix": ("sells only the core platform", {"breadth": 1}),
    "low_pipeline": ("creates little new pipeline", {"pipeline": 0.1}),
    "multi_threaded": ("engages many buyer contacts per deal", {"contacts": 4.5}),
    "high_activity": ("logs far more activity than peers", {"activity": 2.3}),
    "stage_regressor": ("deals often move backwards a stage", {"regression": 0.9}),
    "big_deal_hunter": ("works much larger deals", {"deal_size": 3.0}),
    "disciplined": ("accurate close dates and next steps", {"discipline": 0.98, "optimism": 0.04}),
}


def base_label(label: str) -> str:
    """``thin_activity_2`` is a second rep of the same kind."""
    return label.rsplit("_", 1)[0] if label[-1].isdigit() else label


def draw_traits(rng: Random) -> RepTraits:
    calls, emails = rng.uniform(0.25, 0.45), rng.uniform(0.25, 0.45)
    focus = tuple(rng.sample(INDUSTRIES, rng.randint(3, 5)))
    return RepTraits(
        win_skill=clamp(spread(rng, 1.0, 0.15), 0.75, 1.3),
        qualification=rng.uniform(0.35, 0.75),
        activity=clamp(spread(rng, 1.0, 0.2), 0.65, 1.45),
        mix=(calls, emails, rng.uniform(0.1, 0.25), rng.uniform(0.05, 0.15)),
        discount=rng.uniform(5.0, 12.0),
        deal_size=clamp(spread(rng, 1.0, 0.2), 0.7, 1.4),
        breadth=rng.choice((2, 2, 3, 3, 4)),
        optimism=rng.uniform(0.1, 0.35),
        contacts=rng.uniform(0.8, 2.0),
        discipline=rng.uniform(0.55, 0.9),
        pipeline=clamp(spread(rng, 1.0, 0.15), 0.75, 1.3),
        cycle=clamp(spread(rng, 1.0, 0.15), 0.7, 1.4),
        regression=rng.uniform(0.04, 0.12),
        stall=rng.uniform(0.05, 0.2),
        neglect=rng.uniform(2.0, 8.0),
        strong_segment=rng.choice(SEGMENTS),
        industries=focus,
        weak_industry=focus[0],
        senior=rng.random() < 0.35,
    )


def standout_labels(candidates: int, rng: Random) -> list[tuple[int, str]]:
    """(position among ``candidates``, label) for the standouts among that many settled reps.

    Orgs of fewer than four have none: a lone rep with no activity would be no demo. Small orgs get one
    of each kind, in the order above, for about half their reps; large orgs 30 %, cycling through the kinds.
    """
    if candidates < 4:
        return []
    kinds = list(ARCHETYPES)
    count = max(min(len(kinds), max(3, round(candidates * 0.5))), round(candidates * 0.3))
    positions = rng.sample(range(candidates), min(count, candidates))
    return [(position, kinds[index % len(kinds)]) for index, position in enumerate(positions)]


def apply_label(traits: RepTraits, label: str) -> RepTraits:
    _, forced = ARCHETYPES[label]
    return replace(traits, labels=(*traits.labels, base_label(label)), **forced)
