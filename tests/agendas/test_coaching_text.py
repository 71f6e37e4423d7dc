"""The coaching text: a wording for every gap rule, filled from the gap, never a broken sentence."""

import re
from string import Formatter

import pytest

from coaching.agendas.coaching_text import (
    BARE_TITLE,
    GENERIC,
    GENERIC_STRENGTH,
    OPTIONAL,
    Wording,
    fill,
    known_codes,
    wording_for,
)
from coaching.gaps.catalogue import RULES

PLACEHOLDERS = {
    "rep",
    "label",
    "label_lower",
    "value",
    "team_value",
    "org_value",
    "ref",
    "ref_value",
    "n",
    "stake",
    "deals",
    "top_deal",
    "weeks_open",
    "flagged",
    "won",
    "decided",
    "deals_pushed",
    "stalled",
    "typical_vs_team",
    "product",
    "top_product_share",
    "reps",
    "count",
    "team_size",
    *OPTIONAL,
}
# Words that make coaching read as surveillance or blame.
BLAME = re.compile(r"\b(fail\w*|underperform\w*|poor\w*|lazy|monitor\w*|tracking you|not good enough)\b", re.I)


def texts(wording: Wording) -> list[str]:
    return [
        wording.title,
        wording.question,
        wording.action,
        wording.team_title,
        wording.team_question,
        wording.team_action,
    ]


def test_every_gap_rule_has_its_own_wording():
    gap_codes = {rule.code for rule in RULES if not rule.is_strength}
    assert gap_codes - known_codes() == set()
    assert known_codes() - gap_codes == set()  # no wording for a code that no longer exists


@pytest.mark.parametrize("code", sorted(known_codes()))
def test_wordings_use_known_placeholders_and_a_supportive_tone(code):
    for text in texts(wording_for(code)):
        fields = {name for _, name, _, _ in Formatter().parse(text) if name}
        assert fields <= PLACEHOLDERS, f"{code}: unknown placeholders {fields - PLACEHOLDERS}"
        assert not BLAME.search(text), f"{code}: {text!r}"
    words = wording_for(code)
    assert words.question.endswith("?") and words.team_question.endswith("?")
    assert words.action.endswith((".", "{peer_hint}")) and words.team_action.endswith(".")


def test_generic_wordings_are_supportive_too():
    for text in texts(GENERIC) + texts(GENERIC_STRENGTH):
        assert not BLAME.search(text)


def test_a_missing_fact_falls_back_to_the_generic_wording_not_a_broken_sentence():
    words = wording_for("WIN_RATE_LOW")
    context = {"label": "Win rate", "value": "18%", "ref": "team", "ref_value": "31%", "peer_hint": ""}
    assert fill(words.title, GENERIC.title, context) == "Win rate 18% vs team 31%"  # no won/lost counts
    context |= {"won": "4", "decided": "22"}
    assert fill(words.title, GENERIC.title, context) == "Win rate 18% vs team 31%: 4 won of 22 closed in 6 months"
    # The org was the yardstick: the title says so.
    context |= {"ref": "org", "ref_value": "38%"}
    assert fill(words.title, GENERIC.title, context) == "Win rate 18% vs org 38%: 4 won of 22 closed in 6 months"
    assert fill(words.action, GENERIC.action, {"rep": "Ana", "peer_hint": ""}).endswith("three first meetings.")
    assert fill("{value}", "{label}", {}) == ""  # nothing at all: empty, not "{label}"


def test_a_title_without_a_reference_is_the_figure_alone_not_a_blank_vs_team():
    """Issue 13: "Quota attainment 212 % vs team " — no yardstick, so no "vs" at all."""
    context = {"label": "Quota attainment", "value": "212%", "ref": "", "ref_value": "", "peer_hint": ""}
    assert fill(GENERIC.title, GENERIC.title, context, BARE_TITLE) == "Quota attainment 212%"


def test_unknown_codes_get_the_generic_wording():
    assert wording_for("SOMETHING_NEW") is GENERIC
