"""Outcome wiring: a generated org whose deal outcomes depend on some deal behaviours and not on others.

With ``GeneratorConfig.outcome_links`` set, each deal draws, for every behaviour below, whether it shows
it ("bad" or not). A linked behaviour is drawn from the deal's outcome (lost deals show it far more often
than won ones); an unlinked one is drawn with the same chance whatever the outcome. The deal's life is then
simulated with traits forced to show exactly the drawn behaviours, so the data carries them and nothing
else tells a lost deal from a won one: a lost deal runs as long as a won one and never "goes dark". That is
the answer key a backtest of the deal flags is checked against: linked flags predict, unlinked ones don't.
"""

from dataclasses import replace
from random import Random

from sfemulator.generator.traits import RepTraits

BEHAVIOURS = ("stale", "overdue", "stall", "single_threaded", "pushed", "regression")
# Chance that a deal shows a linked behaviour when it is lost / won, and an unlinked one either way.
LINKED_LOST, LINKED_WON, UNLINKED = 0.6, 0.15, 0.3


def check_links(links: object) -> str | None:
    """A problem with ``outcome_links`` as a sentence, or None when it is valid (None or known names)."""
    if links is None:
        return None
    if not isinstance(links, tuple) or not all(isinstance(name, str) for name in links):
        return f"outcome links must be a tuple of behaviour names, got {links!r}"
    unknown = sorted(set(links) - set(BEHAVIOURS))
    if unknown:
        return f"outcome links {', '.join(unknown)} are not behaviours (known: {', '.join(BEHAVIOURS)})"
    return None


def draw_behaviours(rng: Random, won: bool, links: tuple[str, ...]) -> frozenset[str]:
    shown = set()
    for behaviour in BEHAVIOURS:
        chance = (LINKED_WON if won else LINKED_LOST) if behaviour in links else UNLINKED
        if rng.random() < chance:
            shown.add(behaviour)
    return frozenset(shown)


def wired_traits(traits: RepTraits, shown: frozenset[str]) -> RepTraits:
    """The rep's traits forced so that the deal shows exactly the behaviours in ``shown`` (close dates: see
    ``DealPlan.wired``, which the deal path reads for "overdue" and "pushed")."""
    return replace(
        traits,
        activity=traits.activity * (0.12 if "stale" in shown else 1.6),
        neglect=30.0 if "stale" in shown else 2.0,
        stall=1.0 if "stall" in shown else 0.0,
        regression=1.0 if "regression" in shown else 0.0,
        contacts=0.15 if "single_threaded" in shown else 3.5,
    )
