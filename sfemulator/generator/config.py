"""What a generated org looks like: size, time span, seed, and how busy its reps are."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sfemulator.generator.coaching import CoachingStyles
from sfemulator.generator.wiring import check_links

MAX_REPS = 10_000
MAX_MONTHS = 60
_COMPANY_RE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


class GeneratorConfigError(ValueError):
    """An argument of the generator is out of range; the message names it and the allowed values."""


@dataclass(frozen=True)
class GeneratorConfig:
    """The arguments of one generated org. The same config always yields the same records.

    ``end`` is the last day with data: the org looks as it would at the end of that day (UTC), or at
    ``until`` if that comes first (``generate_org`` passes the moment of generation, so an org generated for
    today has nothing stamped after it was made).
    """

    reps: int = 24
    months: int = 12
    seed: int = 1
    end: date = field(default_factory=date.today)
    opportunities_per_rep_month: float = 5.0
    activities_per_opportunity: float = 10.0
    company: str = "acme"
    until: datetime | None = None
    # What the org is for (sfemulator.generator.scenarios): "realistic" for demos, the others to measure.
    scenario: str = "realistic"
    # The month the org's fiscal year starts in (1 = January, Salesforce's default): Period and FiscalQuarter.
    fiscal_year_start_month: int = 1
    # None: outcomes as usual. A tuple of behaviours (wiring.BEHAVIOURS): outcomes wired to those only.
    outcome_links: tuple[str, ...] | None = None
    # None: no coaching. Managers who coach differently (sfemulator.generator.coaching): engaged teams' reps
    # log more calls after the discussion; the portal actions are the coaching plan, not records.
    coaching: CoachingStyles | None = None

    def __post_init__(self) -> None:
        problems = []
        if not _is_int(self.reps) or not 1 <= self.reps <= MAX_REPS:
            problems.append(f"reps must be a whole number from 1 to {MAX_REPS}, got {self.reps!r}")
        if not _is_int(self.months) or not 1 <= self.months <= MAX_MONTHS:
            problems.append(f"months must be a whole number from 1 to {MAX_MONTHS}, got {self.months!r}")
        if not _is_int(self.seed):
            problems.append(f"seed must be a whole number, got {self.seed!r}")
        if not isinstance(self.end, date) or not 2000 <= self.end.year <= 2200:
            problems.append(f"end must be a date between the years 2000 and 2200, got {self.end!r}")
        if not _is_number(self.opportunities_per_rep_month) or not 0.1 <= self.opportunities_per_rep_month <= 60:
            problems.append(
                f"opportunities per rep and month must be from 0.1 to 60, got {self.opportunities_per_rep_month!r}"
            )
        if not _is_number(self.activities_per_opportunity) or not 0 <= self.activities_per_opportunity <= 200:
            problems.append(
                f"activities per opportunity must be from 0 to 200, got {self.activities_per_opportunity!r}"
            )
        if not isinstance(self.company, str) or not _COMPANY_RE.match(self.company):
            problems.append(
                "company must be 1-40 lower-case letters, digits or dashes starting with a letter, "
                f"got {self.company!r}"
            )
        if self.until is not None and (not isinstance(self.until, datetime) or self.until.tzinfo is None):
            problems.append(f"until must be a timezone-aware datetime, got {self.until!r}")
        from sfemulator.generator.scenarios import SCENARIOS

        if self.scenario not in SCENARIOS:
            problems.append(f"scenario must be one of {', '.join(SCENARIOS)}, got {self.scenario!r}")
        if not _is_int(self.fiscal_year_start_month) or not 1 <= self.fiscal_year_start_month <= 12:
            problems.append(
                f"fiscal year start month must be a month number from 1 to 12, got {self.fiscal_year_start_month!r}"
            )
        if self.coaching is not None:
            problems += (
                self.coaching.problems()
                if isinstance(self.coaching, CoachingStyles)
                else [f"coaching must be CoachingStyles, got {self.coaching!r}"]
            )
        links_problem = check_links(self.outcome_links)
        if links_problem:
            problems.append(links_problem)
        if problems:
            raise GeneratorConfigError("; ".join(problems) + ".")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value
