"""What a good coach would say about each gap: a title with the numbers, a question to ask, a next action.

One wording per gap code of the rules (coaching.gaps.catalogue; a test keeps the two in step), a generic one
for anything else. The tone is deliberate: managers told us that flags read as surveillance, so the
questions are open and about customers and deals, the actions are concrete and small (this week, these
deals), and nothing counts a rep's keystrokes. Placeholders are filled from the gap and its evidence, all
pre-formatted in the metric's unit: {rep} {value} {team_value} {org_value} {ref} {ref_value} {n} {stake}
{deals} {top_deal} {weeks_open} {label} {label_lower} {peer_hint}, from the evidence {flagged} {won} {decided}
{deals_pushed} {stalled} {typical_vs_team} {product} {top_product_share}; for team topics also
{reps} {count} {team_size}.
A template whose placeholder has no value falls back to the generic wording, never to a broken sentence.
Titles compare with {ref} {ref_value}: the yardstick the rule really used ("teammates' median" or "org
median"), never the team when the rep was judged against the org.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Wording:
    title: str
    question: str
    action: str
    team_title: str = "{label}: {count} of {team_size} reps ({reps})"
    team_question: str = (
        "What makes {label_lower} hard for us right now, and what do the people for whom it works do differently?"
    )
    team_action: str = "Agree one habit the whole team tries for two weeks, and check {label_lower} again after."


GENERIC = Wording(
    title="{label} {value} vs {ref} {ref_value}",
    question="How do you read this number: what is behind it, and what would you change first?",
    action="Pick one deal where it shows and agree one concrete change to try before we next meet.{peer_hint}",
)

GENERIC_STRENGTH = Wording(
    title="{label} {value} vs {ref} {ref_value}",
    question="What do you do here that others don't? Walk me through the deal where it showed most.",
    action="Say it in the 1:1, name the deal, and recognise it in front of the team.{teach_hint}",
)

_BY_CODE: dict[str, Wording] = {
    # Where they sell: pipeline, conversion, forecast.
    "PIPELINE_COVERAGE_LOW": Wording(
        title="Pipeline covers {value} of the quota still to win ({ref} {ref_value})",
        question="Where does the rest of this quarter's number come from? Which accounts could open a deal in 30 days?",
        action=(
            "List five accounts with a reason to buy now and plan a first outreach for each; go through them "
            "together next week.{peer_hint}"
        ),
        team_question="Where is next quarter's pipeline coming from, and which accounts are we not talking to?",
        team_action="Each rep brings three target accounts with a reason to buy now; share the angles that work.",
    ),
    "WIN_RATE_LOW": Wording(
        title="Win rate {value} vs {ref} {ref_value}: {won} won of {decided} closed in 6 months",
        question=(
            "Of the deals you lost, which did you see coming early and which surprised you? What was the first sign?"
        ),
        action=(
            "Replay the largest losses below against our qualification steps, and agree one discovery question "
            "{rep} asks in the next three first meetings.{peer_hint}"
        ),
        team_question="Across our losses, where do deals turn: qualification, the proposal, or the decision?",
        team_action=(
            "Each rep brings one loss; together, name the stage it was really lost in and one question that "
            "would have surfaced it."
        ),
    ),
    "CYCLE_LONG": Wording(
        title="Deals take {value} to close vs {ref} {ref_value}",
        question="In the won deals below, where did they wait the longest, and for whom on the customer side?",
        action=(
            "Take the longest of the won deals below and mark where it waited; then agree a mutual plan with "
            "dates on the open deal most like it.{peer_hint}"
        ),
    ),
    "CLOSE_DATE_SLIPPAGE": Wording(
        title="Close dates slip: {value} ({ref} {ref_value}); {deals_pushed} moved out",
        question=(
            "When a close date moved, what did we learn that we didn't know before? "
            "Which of these dates has the buyer confirmed?"
        ),
        action=(
            "For the deals below, write down the customer's own next milestone and set each close date from it."
            "{peer_hint}"
        ),
        team_question="Whose date is a close date: ours or the buyer's? What makes us set it before we know?",
        team_action=(
            "Agree that a close date goes in only with a buyer milestone behind it; review pushed deals next week."
        ),
    ),
    "PIPELINE_CONCENTRATED": Wording(
        title="{value} of the open pipeline rides on one deal: {top_deal}",
        question="If {top_deal} slipped a quarter, what would the quarter look like, and what is plan B?",
        action="Name two accounts that could become back-up deals of a similar size this month; plan the first call.",
    ),
    "NEW_PIPELINE_LOW": Wording(
        title="New pipeline {value} in 91 days vs {ref} {ref_value}",
        question="What has worked best for you to open new deals, and what has crowded it out lately?",
        action=(
            "Agree a weekly number of first meetings for the next month and pick the first ten accounts together."
            "{peer_hint}"
        ),
        team_question="Where did our best recent deals come from, and how do we find more like them?",
        team_action="Each rep brings five look-alike accounts of their best recent win; agree a prospecting hour.",
    ),
    "FORECAST_OVERDUE": Wording(
        title="{flagged} of {n} open deals are past their close date ({stake} at stake)",
        question="For each of these, is it still alive, and what date is the customer actually working to?",
        action="Re-date or close each deal below before Friday, so the forecast shows what we really believe.",
        team_action="Clean the overdue close dates together now; everyone leaves with a forecast they would defend.",
    ),
    # How they sell: activity, hygiene, deal progress.
    "ACTIVITY_LOW": Wording(
        title="Customer touches: {value} vs {ref} {ref_value}",
        question=(
            "How is your week split between customers and everything else? What could I take off your plate to "
            "free selling time?"
        ),
        action=(
            "Block two hours for outreach in each of the next two weeks and pick the accounts for them together "
            "now.{peer_hint}"
        ),
        team_question="What eats our selling time? What could we stop, share or automate?",
        team_action="Each rep names one recurring task that costs selling time; remove or share two of them.",
    ),
    "STALE_DEALS": Wording(
        title="{flagged} of {n} open deals without a touch in 14 days ({stake} at stake)",
        question="Which of these still has a buyer waiting on us, and what would a useful next touch be for each?",
        action=(
            "Open the deals below together: give each a dated next step this week, or close it out honestly.{peer_hint}"
        ),
        team_title="Deals gone quiet for 14 days: {count} of {team_size} reps ({stake} at stake)",
        team_question="What makes a deal go quiet here, and how do we notice before two weeks pass?",
        team_action=(
            "Ten minutes of pipeline hygiene together: every quiet deal gets a dated next step or is closed; "
            "agree a weekly slot to repeat it."
        ),
    ),
    "STAGE_STALL": Wording(
        title="{stalled} stalled in their stage, about {typical_vs_team} the team's usual stay",
        question="What would move each of these deals to the next stage, and who on the customer side decides?",
        action=(
            "For each deal below, agree the exit criterion of its stage and a date to meet it, or close it.{peer_hint}"
        ),
    ),
    "SINGLE_THREADED": Wording(
        title="{flagged} of {n} late-stage deals rely on a single contact ({stake} at stake)",
        question="If your contact on these deals went quiet tomorrow, who else would carry them?",
        action=(
            "For each deal below, name a second contact (the economic buyer or a user lead) and plan the "
            "introduction.{peer_hint}"
        ),
        team_question="How do we reach a second and third contact early, before a deal depends on one person?",
        team_action="Share one multi-threading move that worked; each rep applies it to one single-threaded deal.",
    ),
    "NO_NEXT_STEP": Wording(
        title="{flagged} of {n} open deals have no next step",
        question="What is the next thing the customer does on each of these deals, and by when?",
        action="Add a dated, customer-side next step to each deal below before the end of the week.",
        team_action="Five minutes now: every open deal gets a dated, customer-side next step in the CRM.",
    ),
    "STAGE_REGRESSION": Wording(
        title="{flagged} of {n} stage moves in 91 days went backwards ({ref} {ref_value})",
        question="When a deal moved back, what had we assumed too early?",
        action="For each deal below, agree the stage it truly is in and what evidence would move it forward.",
    ),
    # What they sell: deal size, mix, discount, products.
    "DEAL_SIZE_SMALL": Wording(
        title="Typical won deal {value} vs {ref} {ref_value}",
        question="Which customers on your list could use the full solution rather than a first step?",
        action="Pick one open deal and build the business case for the broader scope together.{peer_hint}",
    ),
    "PRODUCT_MIX_NARROW": Wording(
        title="Sells {value} products vs {ref} {ref_value}; one product is {top_product_share} of won value",
        question="Which of your customers has a need our other products answer?",
        action="Pick two existing customers and prepare a conversation about one more product.{peer_hint}",
    ),
    "DISCOUNT_HIGH": Wording(
        title="Average discount {value} vs {ref} {ref_value}",
        question="When you gave discount, what did you get in return? Was it asked for, or offered?",
        action=(
            "Before the next discount, agree the trade (term, volume, timing) and role-play the conversation "
            "together.{peer_hint}"
        ),
        team_question="When do we give discount without a trade, and what could we ask for instead?",
        team_action="Agree the team's give-get list: what we ask in return for each step of discount.",
    ),
    "PRODUCT_WIN_RATE_LOW": Wording(
        title="Win rate on {product} {value} vs {ref} {ref_value}",
        question="Where does {product} lose: fit, price, or the way we position it?",
        action="Review one lost {product} deal together and prepare the positioning for the next one.",
    ),
}


def wording_for(code: str) -> Wording:
    """The wording of a gap code; the generic wording for a code without its own."""
    return _BY_CODE.get(code, GENERIC)


def known_codes() -> set[str]:
    return set(_BY_CODE)


def strength_wording(code: str) -> Wording:
    return GENERIC_STRENGTH


# Optional sentences: empty when there is nothing to say, and a template still reads well without them.
OPTIONAL = frozenset({"peer_hint", "teach_hint"})


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        raise KeyError(key)


# The last resort of a title: the figure alone, when there is no reference to name ("212% vs team " read
# as a broken sentence).
BARE_TITLE = "{label} {value}"


def fill(template: str, fallback: str, context: dict[str, str], *more: str) -> str:
    """``template`` with the context's values; ``fallback`` (then ``more``) when a value it needs is missing
    or empty."""
    for text in (template, fallback, *more):
        try:
            known = {k: v for k, v in context.items() if v not in (None, "") or k in OPTIONAL}
            return text.format_map(_Missing(known))
        except KeyError:
            continue
    return fallback.format_map(_Blank(context))


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""
