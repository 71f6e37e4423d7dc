"""One generated org from a config: its records as a stream, its credentials, and its answer key.

Records stream rep by rep, so memory holds one rep's book at a time whatever the org's size. Every
random draw comes from a ``Random`` seeded by the config's seed and what is being drawn, so the same
config yields the same records in the same order.
"""

from collections.abc import Callable, Iterator
from dataclasses import asdict
from random import Random
from typing import Any

from sfemulator.generator.accounts import CompanyNamer, build_book, finish_account
from sfemulator.generator.activities import ActivityMaker
from sfemulator.generator.coaching_plan import coaching_plan, lifted_calls, team_styles
from sfemulator.generator.config import GeneratorConfig
from sfemulator.generator.credentials import OrgCredentials, org_credentials
from sfemulator.generator.deals import DealMaker
from sfemulator.generator.people import build_org_chart, user_records
from sfemulator.generator.products import Catalogue
from sfemulator.generator.quotas import QuotaMaker
from sfemulator.generator.record_ids import IdAllocator
from sfemulator.generator.recycle import LiveDeal, RecycleBin
from sfemulator.generator.scenarios import answer_key
from sfemulator.generator.timeline import DAY, Timeline, datetime_text
from sfemulator.generator.traits import ARCHETYPES

Record = tuple[str, dict[str, Any]]
ProgressCallback = Callable[[int, int], None]

# The objects every generated org has, in the order their records first appear.
OBJECTS = (
    "UserRole", "User", "Pricebook2", "Product2", "PricebookEntry", "ForecastingType", "Period",
    "ForecastingQuota", "Opportunity", "OpportunityHistory", "OpportunityLineItem", "OpportunityContactRole",
    "Task", "Event", "Account", "Contact",
)  # fmt: skip


class OrgBuild:
    def __init__(self, config: GeneratorConfig) -> None:
        self.config = config
        self.timeline = Timeline(config.end, config.months, config.fiscal_year_start_month, until=config.until)
        self.ids = IdAllocator(config.seed)
        self.org_id = self.ids.new("Organization")
        self.chart = build_org_chart(config, self.timeline, self.ids)
        self.setup = self.timeline.start - 3 * 365 * DAY
        self.catalogue = Catalogue(self.ids, self.setup)
        self.quotas = QuotaMaker(self.timeline, self.ids, config.seed, config.opportunities_per_rep_month, self.setup)
        self.activities = ActivityMaker(self.timeline, self.ids, config.activities_per_opportunity)
        self.styles = {} if config.coaching is None else team_styles(self.chart, config.coaching)
        self.deals = DealMaker(
            self.timeline,
            self.ids,
            self.catalogue,
            self.activities,
            config.opportunities_per_rep_month,
            config.outcome_links,
        )

    def records(self, on_progress: ProgressCallback | None = None) -> Iterator[Record]:
        config, timeline = self.config, self.timeline
        for role in self.chart.roles:
            yield "UserRole", role
        for user in user_records(self.chart, timeline):
            yield "User", user
        yield from self.catalogue.records()
        yield from self.quotas.records(self.chart)

        namer = CompanyNamer(Random(f"{config.seed}:companies"))
        recycle = RecycleBin(timeline, self.ids, config.seed, config.reps)
        reps = self.chart.reps
        accounts: dict[int, list[str]] = {}
        accounts_per_rep = 12 + config.opportunities_per_rep_month * config.months * 0.35
        for position, rep in enumerate(reps):
            rng = Random(f"{config.seed}:rep:{position}")
            book = build_book(rng, rep, max(6, round(accounts_per_rep * rng.uniform(0.8, 1.2))), timeline, self.ids,
                              namer)  # fmt: skip
            offered = False
            for sobject, record in self.deals.for_rep(rng, rep, book):
                yield sobject, record
                if sobject == "OpportunityContactRole" and not offered and rep.is_active:
                    # One live deal per rep (with a contact) may get a deleted look-alike.
                    account = next(item for item in book if item.contacts and record["ContactId"] in item.contacts)
                    recycle.offer(LiveDeal(rep, record["OpportunityId"], account.id, account.name, record["ContactId"]))
                    offered = True
            horizon = rep.left if rep.left is not None else timeline.as_of
            yield from self.activities.for_accounts(rng, rep, book, max(timeline.start, rep.hired), horizon)
            accounts[position] = [account.id for account in book]
            for account in book:
                finish_account(account, rng, timeline)
                yield "Account", account.record
                for contact in account.contact_records:
                    yield "Contact", contact
            if on_progress is not None:
                on_progress(position + 1, len(reps))
        yield from recycle.records()
        if config.coaching is not None:  # last, so that every other record keeps its id
            for position, rep in enumerate(reps):
                style = self.styles.get(rep.reports_to.id, "")
                calls = lifted_calls(self.activities, config.seed, position, rep, style, config.coaching,
                                     accounts[position])  # fmt: skip
                yield from calls

    def credentials(self) -> OrgCredentials:
        logins = self.chart.admins
        # Enterprise Edition's daily API allowance: 100,000 plus 1,000 per user licence.
        limit = 100_000 + 1_000 * len(self.chart.everyone())
        return org_credentials(self.config.seed, self.config.company, self.org_id, self.timeline, logins, limit)

    def manifest(self, counts: dict[str, int]) -> dict[str, Any]:
        """The answer key: arguments, hierarchy and each rep's traits, for checking what the metrics find."""
        config = self.config
        return {
            "generator": "coachapp generate_org",
            "arguments": {
                "reps": config.reps,
                "months": config.months,
                "seed": config.seed,
                "end": config.end.isoformat(),
                "opportunities_per_rep_month": config.opportunities_per_rep_month,
                "activities_per_opportunity": config.activities_per_opportunity,
                "company": config.company,
                "scenario": config.scenario,
                "outcome_links": None if config.outcome_links is None else list(config.outcome_links),
            },
            "coaching": None
            if config.coaching is None
            else {
                "week": config.coaching.week.isoformat(),
                "lift": config.coaching.lift,
                "styles": self.styles,
                "plan": [action.as_json() for action in coaching_plan(self.chart, config.coaching)],
            },
            "as_of": self.timeline.as_of_text,
            "span_start": self.timeline.start_date.isoformat(),
            "org_id": self.org_id,
            "counts": counts,
            "labels": {label: meaning for label, (meaning, _) in ARCHETYPES.items() if not label[-1].isdigit()},
            "vp": self.chart.vp.id,
            "directors": [person.id for person in self.chart.directors],
            "teams": [
                {
                    "manager": team.manager.id,
                    "director": team.manager.reports_to.id,
                    "region": team.region.name,
                    "reps": [rep.id for rep in team.reps],
                }
                for team in self.chart.teams
            ],
            "reps": [
                {
                    "id": rep.id,
                    "name": rep.name,
                    "active": rep.is_active,
                    "hired": datetime_text(rep.hired),
                    "left": None if rep.left is None else datetime_text(rep.left),
                    "labels": list(rep.rep_traits.labels),
                    "truth": answer_key(rep, self.timeline),
                    "traits": {
                        key: _rounded(value) for key, value in asdict(rep.rep_traits).items() if key != "labels"
                    },
                }
                for rep in self.chart.reps
            ],
        }


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, tuple | list):
        return [_rounded(item) for item in value]
    return value


def generate(config: GeneratorConfig, on_progress: ProgressCallback | None = None) -> Iterator[Record]:
    """Every record of the org described by ``config``, as (sObject name, REST-shaped record), streamed."""
    return OrgBuild(config).records(on_progress)
