"""Enacting a generated org's coaching plan in coachapp: the portal actions the generator describes (it writes
only Salesforce records) done through coachapp's own functions, on the gaps coachapp would show."""

from datetime import UTC, datetime
from random import Random

from coaching.agendas.state import set_item_status
from coaching.models import Agenda, AgendaItem
from crm.models import Org
from sfemulator.generator import PortalAction
from tests.factories import GapFactory


def enact(org: Org, plan: list[PortalAction], seed: int = 14) -> None:
    """Each planned topic as a moderate gap on the rep, an item on the manager's agenda of its week, and the
    manager's action on it (discussed through ``set_item_status``; open otherwise)."""
    rng = Random(seed)
    agendas: dict[tuple[str, object], Agenda] = {}
    for action in plan:
        GapFactory(org=org, week_start=action.week, code=action.code, family="how", person_sf_id=action.rep_id,
                   manager_sf_id=action.manager_id, metric="activities_per_week",
                   severity=rng.uniform(0.4, 0.6))  # fmt: skip
        key = (action.manager_id, action.week)
        if key not in agendas:
            built = datetime(action.week.year, action.week.month, action.week.day, 6, tzinfo=UTC)
            agendas[key] = Agenda.objects.create(org=org, manager_sf_id=action.manager_id, week_start=action.week,
                                                 built_at=built)  # fmt: skip
        item = AgendaItem.objects.create(agenda=agendas[key], key=f"gap:{action.code}:{action.rep_id}:",
                                         kind=AgendaItem.Kind.GAP, code=action.code, person_sf_id=action.rep_id,
                                         metric="activities_per_week", title="Log more activity")  # fmt: skip
        if action.status != AgendaItem.Status.OPEN:
            set_item_status(item, action.status)
