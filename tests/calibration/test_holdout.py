"""The randomised hold-out: off by default; where an org opts in, a share of mild, measurable 1:1 topics is
kept off the agenda by a seeded draw anyone can recompute, recorded, and becomes the control the page
names as randomised."""

import hashlib
from datetime import date

import pytest

from coachapp.errors import InvalidInput
from coaching.agendas import build_agendas
from coaching.calibration.director import calibration
from coaching.calibration.effect import Case, control_pools, estimate
from coaching.calibration.holdout import draw
from coaching.gaps.catalogue import clean_thresholds
from coaching.models import AgendaItem, GapRuleSetting, HeldOutItem, Membership
from coaching.visibility import scope_for
from crm.models import Org
from tests.calibration.conftest import GAP_WEEK, PAGE_WEEK, build_coaching_org
from tests.factories import GapFactory, OrgFactory, PersonFactory

WEEK = date(2026, 3, 2)


def expected_draw(org_id: int, week: date, key: str) -> float:
    """The documented formula, written again: SHA-256 of "org:week:key", first 8 bytes over 2**64."""
    return int(hashlib.sha256(f"{org_id}:{week}:{key}".encode()).hexdigest()[:16], 16) / 2**64


def test_the_draw_is_seeded_by_org_week_and_item_and_uniform():
    assert draw(7, WEEK, "gap:ACTIVITY_LOW:005A::") == expected_draw(7, WEEK, "gap:ACTIVITY_LOW:005A::")
    assert draw(7, WEEK, "k") != draw(8, WEEK, "k") != draw(7, date(2026, 3, 9), "k")
    values = [draw(1, WEEK, f"gap:X:{n}::") for n in range(4000)]
    assert all(0 <= value < 1 for value in values)
    below = sum(value < 0.1 for value in values)
    assert 340 < below < 460  # 400 expected; binomial sd 19, so this fails one run in millions


def org_with_gaps(share: float | None, *, until_drawn: bool = False) -> tuple[Org, list]:
    """Twelve reps with a mild and a moderate gap each; with ``until_drawn``, more until the draw of the org's
    share holds out at least one (the draw hangs on the org's id, which the test database hands out)."""
    org = OrgFactory(name=f"holdout{share}")
    if share is not None:
        GapRuleSetting.objects.create(org=org, code="HOLDOUT", thresholds={"share": share})
    reps = [with_gaps(org, n) for n in range(12)]
    while until_drawn and share and not any(is_drawn(org, rep, share) for rep in reps):
        reps.append(with_gaps(org, len(reps)))
    return org, reps


def with_gaps(org: Org, n: int):
    # One rep per manager: three reps of one team sharing a code would make it a team topic instead.
    manager = PersonFactory(org=org, name=f"Manager {n}")
    rep = PersonFactory(org=org, name=f"Rep {n}", manager_sf_id=manager.sf_id)
    common = {"org": org, "week_start": WEEK, "person_sf_id": rep.sf_id, "manager_sf_id": manager.sf_id}
    GapFactory(**common, code="ACTIVITY_LOW", metric="activities_per_week", severity=0.2)  # mild: may be held out
    GapFactory(**common, code="STALE_DEALS", metric="stale_open_count", severity=0.6)  # moderate: never held out
    return rep


def is_drawn(org: Org, rep, share: float) -> bool:
    return expected_draw(org.pk, WEEK, f"gap:ACTIVITY_LOW:{rep.sf_id}:") < share


def on_agenda(org: Org) -> set[tuple[str, str]]:
    return set(AgendaItem.objects.filter(agenda__org=org, kind="gap").values_list("person_sf_id", "code"))


@pytest.mark.django_db
def test_no_hold_out_unless_the_org_opts_in():
    org, reps = org_with_gaps(None)
    build_agendas(org, WEEK)
    assert HeldOutItem.objects.count() == 0
    assert {rep for rep, code in on_agenda(org) if code == "ACTIVITY_LOW"} == {rep.sf_id for rep in reps}


@pytest.mark.django_db
def test_an_org_that_opts_in_holds_out_exactly_the_drawn_mild_topics_and_records_them():
    org, reps = org_with_gaps(0.2, until_drawn=True)
    build_agendas(org, WEEK)
    build_agendas(org, WEEK)  # a rebuild draws the same
    drawn = {rep.sf_id for rep in reps if is_drawn(org, rep, 0.2)}
    held = {row.person_sf_id: row for row in HeldOutItem.objects.filter(org=org)}
    assert set(held) == drawn and drawn
    assert all(row.share == 0.2 and row.draw < 0.2 and row.code == "ACTIVITY_LOW" for row in held.values())
    agenda = on_agenda(org)
    assert not any((rep, "ACTIVITY_LOW") in agenda for rep in drawn)
    assert all((rep.sf_id, "STALE_DEALS") in agenda for rep in reps)  # moderate topics always stay

    GapRuleSetting.objects.filter(org=org, code="HOLDOUT").update(thresholds={"share": 0.0})
    build_agendas(org, WEEK)  # opting out again puts them back, and the records go
    assert HeldOutItem.objects.filter(org=org).count() == 0
    assert {rep for rep, code in on_agenda(org) if code == "ACTIVITY_LOW"} == {rep.sf_id for rep in reps}


def test_a_large_share_is_refused():
    assert clean_thresholds("HOLDOUT", {"share": 0.1}) == {"share": 0.1}
    with pytest.raises(InvalidInput, match=r"at most 0\.2"):
        clean_thresholds("HOLDOUT", {"share": 0.5})


def case(rep: str, change: float, *, discussed=False, held=False, severity=0.2) -> Case:
    return Case("m", rep, "ACTIVITY_LOW", WEEK, severity, discussed, 0.0, change, held_out=held)


def test_a_stratum_with_enough_hold_outs_uses_them_alone_otherwise_the_matched_controls():
    treated = [case(f"t{n}", 4.0 + n / 10, discussed=True) for n in range(6)]
    held = [case(f"h{n}", value, held=True) for n, value in enumerate((0.0, 1.0, 2.0))]
    others = [case(f"o{n}", value) for n, value in enumerate((5.0, 6.0, 7.0))]
    pools = control_pools(held + others)
    assert pools["ACTIVITY_LOW", "mild"].kind == "randomised" and pools["ACTIVITY_LOW", "mild"].changes == [0, 1, 2]
    effect = estimate(treated, pools)
    assert effect.control_kind == "randomised" and effect.controls == 3 and effect.low > 0
    matched = estimate(treated, control_pools(held[:2] + others))  # two hold-outs are too few
    assert matched.control_kind == "matched" and matched.controls == 5
    moderate = [case(f"m{n}", value, severity=0.5) for n, value in enumerate((0.0, 1.0, 2.0))]
    both = estimate([*treated, case("x", 1.0, discussed=True, severity=0.5)], control_pools(held + moderate))
    assert both.control_kind == "mixed"


def test_the_page_says_when_its_control_is_randomised(db):
    org = build_coaching_org(seed=5)
    for rep in org.reps["cleo"]:  # Cleo's topics held out at random instead of left open
        HeldOutItem.objects.create(org=org.org, week_start=GAP_WEEK, manager_sf_id=org.managers["cleo"].sf_id,
                                   person_sf_id=rep.sf_id, code="ACTIVITY_LOW", key=f"gap:ACTIVITY_LOW:{rep.sf_id}:",
                                   severity=0.5, draw=0.01, share=0.1)  # fmt: skip
    dana = org.user(org.dana, Membership.Role.DIRECTOR, "dana5")
    page = calibration(scope_for(dana), PAGE_WEEK, PAGE_WEEK)
    ana = next(row for row in page.managers if row.name == "Ana Manager").effect
    assert ana.control_kind == "randomised" and ana.controls == 8  # Cleo's eight, not Dora's
    assert page.as_json()["managers"][0]["coaching_effect"]["control"] == "randomised"
