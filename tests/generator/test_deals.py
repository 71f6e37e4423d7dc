import itertools
from collections import defaultdict
from datetime import date

import pytest

from sfemulator.generator.picklists import STAGES
from tests.generator.conftest import Records

STAGE_ORDER = {name: index for index, (name, _, _) in enumerate(STAGES[:8])}
CENT = 0.0051  # money is rounded to the cent: half a cent, plus float noise
BY_NAME = {name: (probability, category) for name, probability, category in STAGES}


def _children(records: Records, sobject: str) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for record in records[sobject]:
        grouped[record["OpportunityId"]].append(record)
    return grouped


def _live_opportunities(records: Records) -> list[dict]:
    return [record for record in records["Opportunity"] if not record["IsDeleted"]]


def test_history_rows_chain_and_end_in_the_opportunitys_state(team_org: tuple) -> None:
    records, _ = team_org
    history = _children(records, "OpportunityHistory")
    for opportunity in _live_opportunities(records):
        rows = history[opportunity["Id"]]
        assert rows, opportunity["Id"]
        assert rows[0]["CreatedDate"] == opportunity["CreatedDate"]
        assert rows[0]["PrevAmount"] is None and rows[0]["PrevCloseDate"] is None
        for previous, row in itertools.pairwise(rows):
            assert previous["CreatedDate"] < row["CreatedDate"]
            assert row["PrevAmount"] == previous["Amount"]
            assert row["PrevCloseDate"] == previous["CloseDate"]
            assert row["FromOpportunityStageName"] == previous["StageName"]
            fields = ("StageName", "Amount", "CloseDate", "Probability")
            assert any(row[field] != previous[field] for field in fields), "a history row records a change"
        last = rows[-1]
        assert last["StageName"] == opportunity["StageName"]
        assert last["Amount"] == opportunity["Amount"]
        assert last["CloseDate"] == opportunity["CloseDate"]
        assert last["Probability"] == opportunity["Probability"]
        assert last["ForecastCategory"] == opportunity["ForecastCategoryName"]
        assert last["CreatedDate"] <= opportunity["LastModifiedDate"]
        for row in rows:
            assert (row["Probability"], row["ForecastCategory"]) == BY_NAME[row["StageName"]]
            if row["Amount"] is not None:
                assert row["ExpectedRevenue"] == pytest.approx(row["Amount"] * row["Probability"] / 100, abs=CENT)


def test_stage_fields_agree_with_each_other(team_org: tuple) -> None:
    records, _ = team_org
    for opportunity in _live_opportunities(records):
        stage = opportunity["StageName"]
        assert (opportunity["Probability"], opportunity["ForecastCategoryName"]) == BY_NAME[stage]
        assert opportunity["IsClosed"] == stage.startswith("Closed")
        assert opportunity["IsWon"] == (stage == "Closed Won")
        close = date.fromisoformat(opportunity["CloseDate"])
        assert (opportunity["FiscalQuarter"], opportunity["FiscalYear"]) == ((close.month - 1) // 3 + 1, close.year)
    stages = {opportunity["StageName"] for opportunity in _live_opportunities(records)}
    assert stages == set(BY_NAME), "every stage of the picklist is in use"


def test_deals_change_over_their_life_pushes_amount_changes_and_regressions(team_org: tuple) -> None:
    records, _ = team_org
    pushes = amount_changes = regressions = 0
    for row in records["OpportunityHistory"]:
        if row["PrevCloseDate"] and row["StageName"] == row["FromOpportunityStageName"]:
            assert row["CloseDate"] > row["PrevCloseDate"], "a close-date change without a stage change is a push"
            pushes += 1
        if row["PrevAmount"] is not None and row["Amount"] != row["PrevAmount"]:
            amount_changes += 1
        before, after = STAGE_ORDER.get(row["FromOpportunityStageName"]), STAGE_ORDER.get(row["StageName"])
        if before is not None and after is not None and after < before:
            regressions += 1
    deals = len(records["Opportunity"])
    assert pushes > 0.1 * deals
    assert amount_changes > 0.2 * deals
    assert 0.01 * deals < regressions < 0.3 * deals


def test_some_open_deals_are_past_their_close_date_and_some_are_old(team_org: tuple) -> None:
    records, build = team_org
    today = build.timeline.end.isoformat()
    open_deals = [deal for deal in _live_opportunities(records) if not deal["IsClosed"]]
    past_due = [deal for deal in open_deals if deal["CloseDate"] < today]
    assert 0.05 * len(open_deals) < len(past_due) < 0.6 * len(open_deals)
    assert any(deal["CreatedDate"] < "2026-06-01" for deal in open_deals)
    created_months = {deal["CreatedDate"][:7] for deal in _live_opportunities(records)}
    assert len(created_months) >= 12  # every month of the span (the partial first one may be a weekend)


def test_line_items_sum_to_the_amount_and_apply_their_discount(team_org: tuple) -> None:
    records, _ = team_org
    items = _children(records, "OpportunityLineItem")
    with_items = 0
    for opportunity in _live_opportunities(records):
        lines = items.get(opportunity["Id"], [])
        assert opportunity["HasOpportunityLineItem"] == bool(lines)
        if not lines:
            continue
        with_items += 1
        # Amount is the sum of the rounded line totals, to the cent.
        assert round(sum(line["TotalPrice"] for line in lines), 2) == opportunity["Amount"]
        for line in lines:
            discount = line["Discount"] or 0.0
            assert 0 <= discount < 50 and line["Quantity"] >= 1
            assert line["UnitPrice"] == line["ListPrice"]
            expected = line["Quantity"] * line["UnitPrice"] * (1 - discount / 100)
            assert line["TotalPrice"] == pytest.approx(expected, abs=CENT)
    assert with_items > 0.4 * len(records["Opportunity"])


def test_contact_roles_are_zero_to_five_contacts_of_the_deals_account(team_org: tuple) -> None:
    records, _ = team_org
    roles = _children(records, "OpportunityContactRole")
    contact_account = {contact["Id"]: contact["AccountId"] for contact in records["Contact"]}
    counts = []
    for opportunity in _live_opportunities(records):
        deal_roles = [role for role in roles.get(opportunity["Id"], []) if not role["IsDeleted"]]
        counts.append(len(deal_roles))
        assert len(deal_roles) <= 5
        assert len({role["ContactId"] for role in deal_roles}) == len(deal_roles)
        if deal_roles:
            assert sum(role["IsPrimary"] for role in deal_roles) == 1
        for role in deal_roles:
            assert role["ContactId"].startswith("003")
            assert contact_account[role["ContactId"]] == opportunity["AccountId"]
    assert 0 in counts and max(counts) == 5


def test_deal_sizes_are_skewed_like_real_ones(team_org: tuple) -> None:
    records, _ = team_org
    amounts = sorted(deal["Amount"] for deal in _live_opportunities(records) if deal["IsWon"])
    median, top = amounts[len(amounts) // 2], amounts[int(len(amounts) * 0.95)]
    assert top > 3 * median  # a long right tail, as lognormal deal sizes have
    assert 5_000 < median < 80_000


def test_next_steps_last_activity_and_types_are_filled_like_a_real_org(team_org: tuple) -> None:
    records, _ = team_org
    deals = _live_opportunities(records)
    open_deals = [deal for deal in deals if not deal["IsClosed"]]
    with_step = sum(1 for deal in open_deals if deal["NextStep"])
    assert 0.3 * len(open_deals) < with_step < 0.95 * len(open_deals)
    assert {deal["Type"] for deal in deals} >= {"New Business", "Existing Customer - Upgrade"}
    assert len({deal["LeadSource"] for deal in deals}) >= 5
    activity_dates: dict[str, str] = {}
    for sobject in ("Task", "Event"):
        for record in records[sobject]:
            if record["IsDeleted"] or (sobject == "Task" and not record["IsClosed"]):
                continue
            what = record["WhatId"]
            activity_dates[what] = max(activity_dates.get(what, ""), record["ActivityDate"])
    for deal in deals:
        assert deal["LastActivityDate"] == activity_dates.get(deal["Id"])
