"""Managers who coach differently, so that a coaching effect can be measured against a known truth.

Each frontline team gets a style, cycled over the teams in chart order:

- ``engaged``: discusses the topic and follows up, and the discussion moves the reps' behaviour;
- ``talks``: discusses the topic just as often, and nothing changes;
- ``absent``: never opens the portal (its topics stay open).

The generator writes Salesforce records only. What a manager does in coachapp's portal is not Salesforce
data: it is the org's *coaching plan* (``coaching_plan``, also in the manifest), for a test or a benchmark to
enact through coachapp's own functions. What the CRM shows of it is the reps' behaviour: in an engaged team
each rep logs ``lift`` more completed calls a week in the 28 days after the week their activity topic is
discussed (``coaching_plan.py``). Those calls come from their own seeded stream and are written last, so the
rest of the org is the same record for record with or without coaching styles.
"""

from dataclasses import dataclass
from datetime import date

STYLES = ("engaged", "talks", "absent")
# Per style, what the manager does with any topic (shares discussed, deferred, dismissed; the rest stays
# open) and the share of commitments kept on time.
HABITS = {"engaged": (0.75, 0.1, 0.1, 0.8), "talks": (0.75, 0.1, 0.1, 0.5), "absent": (0.0, 0.0, 0.0, 0.0)}
TOPIC = "ACTIVITY_LOW"  # the topic every rep's manager meets in ``week`` (discussed unless absent)
WINDOW_DAYS = 28


@dataclass(frozen=True)
class CoachingStyles:
    week: date  # the Monday of the 1:1s where each rep's activity topic comes up
    styles: tuple[str, ...] = STYLES  # cycled over the teams
    lift: float = 1.5  # extra completed calls a week, engaged teams, the 28 days after ``week``

    def problems(self) -> list[str]:
        found = []
        if not isinstance(self.week, date) or self.week.weekday() != 0:
            found.append(f"coaching week must be a Monday, got {self.week!r}")
        if not self.styles or any(style not in STYLES for style in self.styles):
            found.append(f"coaching styles must be some of {', '.join(STYLES)}, got {self.styles!r}")
        if isinstance(self.lift, bool) or not isinstance(self.lift, int | float) or not 0 <= self.lift <= 20:
            found.append(f"coaching lift must be from 0 to 20 calls a week, got {self.lift!r}")
        return found
