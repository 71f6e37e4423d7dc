"""docs/gaps.md documents every rule with its defaults: the catalogue and the docs stay in step."""

import re
from pathlib import Path

import pytest

from coaching.gaps.catalogue import GUARDS, RULES
from coaching.gaps.rule import THRESHOLD_HELP

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "gaps.md").read_text()
REQUIRED = {
    "where": [
        "PIPELINE_COVERAGE_LOW",
        "WIN_RATE_LOW",
        "CYCLE_LONG",
        "CLOSE_DATE_SLIPPAGE",
        "PIPELINE_CONCENTRATED",
        "NEW_PIPELINE_LOW",
        "FORECAST_OVERDUE",
    ],
    "how": ["ACTIVITY_LOW", "STALE_DEALS", "STAGE_STALL", "SINGLE_THREADED", "NO_NEXT_STEP", "STAGE_REGRESSION"],
    "what": ["DEAL_SIZE_SMALL", "PRODUCT_MIX_NARROW", "DISCOUNT_HIGH", "PRODUCT_WIN_RATE_LOW"],
}


def section(code: str) -> str:
    match = re.search(rf"^### {code}\n(.*?)(?=^##|\Z)", DOCS, re.M | re.S)
    assert match, f"docs/gaps.md has no section for {code}"
    return " ".join(match.group(1).split())


def test_the_required_rules_are_in_the_catalogue():
    families = {rule.code: rule.family for rule in RULES}
    assert len(families) == len(RULES)
    for family, codes in REQUIRED.items():
        assert {code: families.get(code) for code in codes} == dict.fromkeys(codes, family)
    assert {rule.family for rule in RULES} == {"where", "how", "what"}
    assert all(rule.code.startswith("STRENGTH_") == rule.is_strength for rule in RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_each_rule_is_documented_with_its_defaults(rule):
    text = section(rule.code)
    for key, value in rule.defaults.items():
        assert f"`{key}` = {value:g}" in text, f"{rule.code}: docs/gaps.md does not give {key} = {value:g}"
        assert key in THRESHOLD_HELP


def test_guards_are_documented():
    for guard in GUARDS.values():
        assert f"(`{guard.code}`)" in DOCS
        for key, value in guard.defaults.items():
            assert f"`{key}` = {value:g}" in DOCS
