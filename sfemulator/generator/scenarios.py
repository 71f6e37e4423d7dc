"""Orgs built to measure the coaching engine's signal, not to demo it: each with a known answer.

- ``realistic`` (the default): reps drawn from moderate ranges, a few labelled standouts, some newcomers.
- ``null``: every rep shares one set of traits; they differ only by their books, their luck and a little
  everyday jitter (a few percent on each trait). No rep is truly better or worse than another: every gap or
  strength the engine raises here is a false one.
- ``specialists``: the null org, but half the reps sell mostly to Enterprise accounts and half mostly to
  SMB, equally skilled: Enterprise deals are bigger, slower and won less often for everyone. A rule that
  flags Enterprise reps for their win rate (or SMB reps for their deal size) is measuring their book.
- ``newcomers``: the null org with about a third of the reps hired 2-5 months before the end: they ramp
  (fewer deals at first, the quick losses close before the slow wins) but sell as well as anyone.
- ``planted``: the null org with labelled standouts (``traits.ARCHETYPES``, one each, as ``standout_labels`` deals
  them: every kind once in a 40-rep org): the answer key for recall and precision, rule by rule.

Every non-realistic scenario gives segments their own odds of winning (``SEGMENT_WIN``), as real books have,
so that like-for-like comparisons are put to the test everywhere. The manifest lists each rep's traits and
labels, and ``answer_key`` says what each rep truly is.
"""

import math
from collections.abc import Sequence
from dataclasses import replace
from random import Random
from typing import Protocol

from sfemulator.generator.sampling import clamp
from sfemulator.generator.timeline import DAY, Timeline
from sfemulator.generator.traits import RepTraits, apply_label, draw_traits, standout_labels


class Rep(Protocol):
    """What a scenario shapes on a rep (``people.Person``, which imports this module)."""

    traits: RepTraits | None
    hired: int
    title: str

    @property
    def rep_traits(self) -> RepTraits: ...


SCENARIOS = ("realistic", "null", "specialists", "newcomers", "planted")
# Win odds by segment (SMB, Mid-Market, Enterprise) for everyone in a measuring scenario.
SEGMENT_WIN = (1.2, 1.0, 0.65)
ENTERPRISE_BOOK, SMB_BOOK = (0.1, 0.2, 0.7), (0.7, 0.2, 0.1)
NEWCOMER_SHARE = 0.33
NEWCOMER_DAYS = (61, 152)  # 2-5 months before the end


def common_traits(rng: Random) -> RepTraits:
    """The one seller every rep of a measuring scenario is: the middle of ``draw_traits``'s ranges."""
    drawn = draw_traits(rng)
    return replace(
        drawn,
        win_skill=1.0,
        qualification=0.55,
        activity=1.0,
        mix=(0.35, 0.35, 0.18, 0.1),
        discount=8.5,
        deal_size=1.0,
        breadth=3,
        optimism=0.22,
        contacts=1.4,
        discipline=0.72,
        pipeline=1.0,
        cycle=1.0,
        regression=0.08,
        stall=0.12,
        neglect=5.0,
        strong_segment="",
        weak_industry="",
        senior=False,
        segment_win=SEGMENT_WIN,
    )


def jittered(common: RepTraits, rng: Random) -> RepTraits:
    """Everyday rep-to-rep differences: a few percent on each trait, far inside any practical margin."""

    def times(value: float, sigma: float = 0.05) -> float:
        return value * math.exp(rng.gauss(0.0, sigma))

    return replace(
        common,
        win_skill=times(common.win_skill),
        qualification=clamp(common.qualification + rng.gauss(0, 0.03), 0.0, 1.0),
        activity=times(common.activity),
        discount=common.discount + rng.gauss(0, 0.4),
        deal_size=times(common.deal_size),
        optimism=clamp(common.optimism + rng.gauss(0, 0.02), 0.0, 1.0),
        contacts=times(common.contacts),
        discipline=clamp(common.discipline + rng.gauss(0, 0.02), 0.0, 1.0),
        pipeline=times(common.pipeline),
        cycle=times(common.cycle),
        regression=times(common.regression),
        stall=times(common.stall),
        neglect=times(common.neglect),
    )


def shape_measuring_reps(reps: Sequence[Rep], rng: Random, timeline: Timeline, scenario: str) -> None:
    """Traits (and hiring dates, for newcomers) of the reps of a measuring scenario."""
    common = common_traits(rng)
    for rep in reps:
        rep.traits = jittered(common, rng)
    if scenario == "specialists":
        for position, rep in enumerate(reps):
            rep.traits = replace(rep.rep_traits, book_mix=ENTERPRISE_BOOK if position % 2 else SMB_BOOK)
    elif scenario == "newcomers":
        for rep in rng.sample(reps, max(1, round(len(reps) * NEWCOMER_SHARE))):
            rep.hired = timeline.as_of - int(rng.uniform(*NEWCOMER_DAYS) * DAY)
    elif scenario == "planted":
        for position, label in standout_labels(len(reps), rng):
            reps[position].traits = apply_label(reps[position].rep_traits, label)
    for rep in reps:
        rep.title = "Account Executive"


def answer_key(rep: Rep, timeline: Timeline) -> dict[str, object]:
    """What a rep truly is, for scoring the engine: labels, book, and tenure at the end of the span."""
    traits = rep.rep_traits
    book = "usual" if traits.book_mix is None else "enterprise" if traits.book_mix == ENTERPRISE_BOOK else "smb"
    return {
        "labels": list(traits.labels),
        "book": book,
        "tenure_days": round((timeline.as_of - rep.hired) / DAY),
    }
