"""Saving a week's planned agendas: upserts keyed on (manager, week) and (agenda, item key).

Content columns are rewritten by every build; the manager's columns (status, reason, who and when) are
never in the update list, and notes and commitments are separate rows, so a rebuild after a new sync
updates what the agenda says and keeps everything the manager wrote. An item the rebuild no longer finds
is deleted when nobody touched it, and otherwise kept and marked ``is_current=False``.
"""

from datetime import date, datetime

from django.db import transaction
from django.db.models import Exists, OuterRef

from coaching.agendas.plan import AgendaPlan
from coaching.models import Agenda, AgendaItem, AgendaNote, Commitment
from crm.models import Org

CONTENT_FIELDS = [
    "kind",
    "position",
    "code",
    "family",
    "person_sf_id",
    "opportunity_sf_id",
    "metric",
    "carried_from",
    "title",
    "evidence",
    "question",
    "action",
    "deals",
    "details",
    "value",
    "team_value",
    "severity",
    "confidence",
    "revenue_at_stake",
    "score",
    "minutes",
    "is_current",
    "updated_at",
]


def save_plans(org: Org, week_start: date, plans: list[AgendaPlan], built_at: datetime) -> list[Agenda]:
    with transaction.atomic():
        Agenda.objects.bulk_create(
            [
                Agenda(
                    org=org,
                    manager_sf_id=plan.team.manager_sf_id,
                    week_start=week_start,
                    one_on_one_minutes=plan.one_on_one_minutes,
                    content=plan.content(),
                    built_at=built_at,
                )
                for plan in plans
            ],
            update_conflicts=True,
            unique_fields=["org", "manager_sf_id", "week_start"],
            update_fields=["one_on_one_minutes", "content", "built_at"],
        )
        agendas = {agenda.manager_sf_id: agenda for agenda in Agenda.objects.filter(org=org, week_start=week_start)}
        _adopt_older_keys(agendas, plans)
        rows = [_item_row(agendas[plan.team.manager_sf_id], item) for plan in plans for item in plan.items()]
        AgendaItem.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["agenda", "key"], update_fields=CONTENT_FIELDS
        )
        _retire_stale(org, week_start, {(row.agenda_id, row.key) for row in rows})
        planned = {plan.team.manager_sf_id for plan in plans}
        stale_agendas = [agenda for manager, agenda in agendas.items() if manager not in planned]
        for agenda in stale_agendas:
            agenda.content = {**agenda.content, "no_longer_frontline": True}
        Agenda.objects.bulk_update(stale_agendas, ["content"])
    return [agendas[plan.team.manager_sf_id] for plan in plans]


def _adopt_older_keys(agendas: dict[str, Agenda], plans: list[AgendaPlan]) -> None:
    """An item saved under a key it no longer has (a flag keyed by itself before flags were keyed by their
    cause) takes its new key, so the manager's status, notes and commitments stay with it."""
    wanted = {
        (agendas[plan.team.manager_sf_id].pk, alias): item.key
        for plan in plans
        for item in plan.items()
        for alias in item.aliases
    }
    if not wanted:
        return
    rows = AgendaItem.objects.filter(
        agenda_id__in={agenda_id for agenda_id, _ in wanted},
        key__in={alias for _, alias in wanted} | set(wanted.values()),
    ).values_list("id", "agenda_id", "key", "status")
    taken = {(agenda_id, key) for _, agenda_id, key, _ in rows}
    # A handled row before an untouched one: it is the one whose state matters.
    for item_id, agenda_id, key, _status in sorted(rows, key=lambda row: row[3] == AgendaItem.Status.OPEN):
        new = wanted.get((agenda_id, key))
        if new is not None and (agenda_id, new) not in taken:
            AgendaItem.objects.filter(id=item_id).update(key=new)
            taken.add((agenda_id, new))


def _item_row(agenda: Agenda, item) -> AgendaItem:
    return AgendaItem(
        agenda_id=agenda.pk,
        key=item.key,
        kind=item.kind,
        position=item.position,
        code=item.code,
        family=item.family,
        person_sf_id=item.person_sf_id,
        opportunity_sf_id=item.opportunity_sf_id,
        metric=item.metric,
        carried_from_id=item.carried_from_id,
        title=item.title,
        evidence=item.evidence,
        question=item.question,
        action=item.action,
        deals=item.deals,
        details=item.details,
        value=item.value,
        team_value=item.team_value,
        severity=item.severity,
        confidence=item.confidence,
        revenue_at_stake=item.revenue_at_stake,
        score=item.score,
        minutes=item.minutes,
        is_current=True,
    )


def _retire_stale(org: Org, week_start: date, wanted: set[tuple[int, str]]) -> None:
    """Delete untouched items the build no longer produced; keep touched ones, marked not current."""
    existing = (
        AgendaItem.objects.filter(agenda__org=org, agenda__week_start=week_start)
        .annotate(
            noted=Exists(AgendaNote.objects.filter(item=OuterRef("pk"))),
            committed=Exists(Commitment.objects.filter(item=OuterRef("pk"))),
        )
        .values_list("id", "agenda_id", "key", "status", "noted", "committed", "is_current")
    )
    untouched, touched = [], []
    for item_id, agenda_id, key, status, noted, committed, is_current in existing:
        if (agenda_id, key) in wanted:
            continue
        if status == AgendaItem.Status.OPEN and not noted and not committed:
            untouched.append(item_id)
        elif is_current:
            touched.append(item_id)
    # Later weeks may carry from an item; their link is cleared (SET_NULL) rather than blocking the delete.
    if untouched:
        AgendaItem.objects.filter(id__in=untouched).delete()
    if touched:
        AgendaItem.objects.filter(id__in=touched).update(is_current=False)
