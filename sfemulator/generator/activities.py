"""Logged activity: calls, emails and to-dos (Task) and meetings (Event), on deals and on accounts.

How much a rep logs and in what mix are traits. On open deals the last touch lies some days back (longer
for neglectful reps: stale deals), and disciplined reps have the next call or meeting already scheduled,
so the demo's current week holds future items as well as past ones.
"""

import bisect
from collections.abc import Iterator
from random import Random
from typing import Any

from sfemulator.generator.accounts import AccountInfo
from sfemulator.generator.deal_path import DealLife
from sfemulator.generator.people import Person
from sfemulator.generator.picklists import NEEDS_ANALYSIS, NEGOTIATION, PROPOSAL, VALUE_PROPOSITION
from sfemulator.generator.record_ids import IdAllocator
from sfemulator.generator.sampling import clamp, pick_weighted, poisson, spread
from sfemulator.generator.timeline import (
    DAY,
    HOUR,
    Timeline,
    datetime_text,
    day_text,
    work_moment,
    work_time,
)
from sfemulator.generator.traits import RepTraits

_KINDS = ("call", "email", "meeting", "todo")
_CALL_SUBJECTS = ("Call", "Discovery call", "Follow-up call", "Check-in call", "Pricing call")
_EMAIL_SUBJECTS = ("Email: Follow-up", "Email: Proposal", "Email: Meeting recap", "Email: Pricing", "Email: Intro")
_TODO_SUBJECTS = (
    "Send proposal",
    "Prepare quote",
    "Update mutual action plan",
    "Internal deal review",
    "Send contract",
)
_PROSPECTING_SUBJECTS = ("Prospecting call", "Email: Introduction", "Email: Quarterly check-in", "Account review")


def _meeting_subject(stage: int) -> str:
    if stage < NEEDS_ANALYSIS:
        return "Discovery meeting"
    if stage < VALUE_PROPOSITION:
        return "Product demo"
    if stage < PROPOSAL:
        return "Stakeholder workshop"
    return "Proposal review" if stage < NEGOTIATION else "Negotiation meeting"


class ActivityMaker:
    """Builds Task and Event records for one org; keeps the archive cut-off and the clock."""

    def __init__(self, timeline: Timeline, ids: IdAllocator, per_opportunity: float) -> None:
        self.timeline = timeline
        self.ids = ids
        self.per_opportunity = per_opportunity
        # Salesforce archives closed activities older than a year: visible to queryAll only.
        self.archive_before = timeline.as_of - 365 * DAY

    def for_deal(
        self, rng: Random, rep: Person, opportunity_id: str, account: AccountInfo, who: list[str], life: DealLife,
        horizon: int, traits: RepTraits | None = None,
    ) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:  # fmt: skip
        """The deal's activities and its LastActivityDate, or None when nothing was logged.

        LastActivityDate is Salesforce's: the latest of the closed tasks' and all events' dates, so a
        meeting booked for next week already counts. ``traits``: the deal's own, when outcome wiring forced them.
        """
        traits = traits or rep.rep_traits
        start = life.snapshots[0].ts
        stop = life.last.ts if life.is_closed else horizon
        if life.dark_since is not None:
            stop = life.dark_since
        elif not life.is_closed:
            # Gamma(2): days since the last touch cluster around the rep's habit, rarely near zero.
            gap = rng.gammavariate(2.0, traits.neglect / 2.0) * DAY
            stop = max(start + HOUR, int(stop - gap))
        contacts = who or (account.contacts if rng.random() < 0.5 else [])
        mean = self.per_opportunity * traits.activity * clamp((stop - start) / DAY / 35.0, 0.3, 3.0)
        stamps = [snapshot.ts for snapshot in life.snapshots]
        records: list[tuple[str, dict[str, Any]]] = []
        last_day: str | None = None
        for _ in range(poisson(rng, mean)):
            moment = work_moment(rng, start, max(stop, start + HOUR), rep.offset)
            kind = pick_weighted(rng, _KINDS, traits.mix)
            contact = rng.choice(contacts) if contacts and rng.random() < 0.85 else None
            if kind == "meeting":
                stage = life.snapshots[max(0, bisect.bisect_right(stamps, moment) - 1)].stage
                records.append(self.event(rng, rep, opportunity_id, contact, moment, _meeting_subject(stage), start))
            else:
                records.append(self.task(rng, rep, opportunity_id, contact, moment, kind))
            last_day = _later(last_day, records[-1][1]["ActivityDate"])
        if not life.is_closed and life.dark_since is None and rep.is_active and self.per_opportunity > 0:
            for sobject, record in self._scheduled(rng, rep, opportunity_id, contacts, life, stop):
                records.append((sobject, record))
                if sobject == "Event":
                    last_day = _later(last_day, record["ActivityDate"])
        return records, last_day

    def _scheduled(
        self, rng: Random, rep: Person, what: str, contacts: list[str], life: DealLife, last_touch: int
    ) -> list[tuple[str, dict[str, Any]]]:
        """The next call or meeting already booked, or an overdue to-do someone forgot."""
        traits, now = rep.rep_traits, self.timeline.as_of
        contact = rng.choice(contacts) if contacts else None
        # A deal nobody touched for two weeks has no next meeting booked either: that is what makes it stale.
        engaged = min(1.0, traits.activity * 1.5) if now - last_touch < 14 * DAY else 0.0
        planned = []
        if rng.random() < (0.3 + 0.6 * traits.discipline) * engaged:
            due = work_moment(rng, now, now + 10 * DAY, rep.offset)
            created = max(life.snapshots[0].ts, now - int(rng.uniform(0.1, 7) * DAY))
            planned.append(self.task(rng, rep, what, contact, due, "call", created=created))
        if rng.random() < 0.35 * engaged:
            start = work_moment(rng, now, now + 14 * DAY, rep.offset)
            meeting = _meeting_subject(life.last.stage)
            planned.append(self.event(rng, rep, what, contact, start, meeting, life.snapshots[0].ts))
        if rng.random() < 0.5 * (1.0 - traits.discipline) and now - last_touch > 4 * DAY:
            due = work_moment(rng, last_touch + 2 * DAY, now - DAY // 2, rep.offset)
            planned.append(self.task(rng, rep, what, contact, due, "todo", created=last_touch))
        return planned

    def for_accounts(
        self, rng: Random, rep: Person, book: list[AccountInfo], start: int, stop: int
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Prospecting and account-care touches not tied to a deal."""
        if stop - start < DAY or not book:
            return
        weeks = (stop - start) / (7 * DAY)
        for _ in range(poisson(rng, weeks * 0.3 * self.per_opportunity * rep.rep_traits.activity)):
            moment = work_moment(rng, start, stop, rep.offset)
            candidates = [account for account in book if account.created < moment]
            if not candidates:
                continue
            account = rng.choice(candidates)
            contact = rng.choice(account.contacts) if account.contacts and rng.random() < 0.8 else None
            if rng.random() < 0.1:
                yield self.event(rng, rep, account.id, contact, moment, "Account review", account.created)
            else:
                yield self.task(rng, rep, account.id, contact, moment, rng.choice(("call", "email")), prospecting=True)

    def task(
        self, rng: Random, rep: Person, what: str, who: str | None, moment: int, kind: str,
        created: int | None = None, prospecting: bool = False,
    ) -> tuple[str, dict[str, Any]]:  # fmt: skip
        """A task due or done at ``moment``; one created before the clock and due later stays open."""
        done = created is None
        call = kind == "call"
        if prospecting:
            subject = _PROSPECTING_SUBJECTS[0] if call else rng.choice(_PROSPECTING_SUBJECTS[1:])
        else:
            subject = rng.choice({"call": _CALL_SUBJECTS, "email": _EMAIL_SUBJECTS}.get(kind, _TODO_SUBJECTS))
        connected = call and rng.random() < 0.6
        if created is None:  # done
            created = min(moment + int(rng.uniform(0, 2) * HOUR), self.timeline.as_of - 1)
        modified = created
        local_day = (moment + rep.offset * HOUR) // DAY
        record = {
            "attributes": {"type": "Task"}, "Id": self.ids.new("Task"), "Subject": subject, "OwnerId": rep.id,
            "WhatId": what, "WhoId": who, "ActivityDate": day_text(local_day),
            "Status": "Completed" if done else "Not Started", "IsClosed": done,
            "Priority": "High" if rng.random() < 0.12 else "Normal",
            "Type": {"call": "Call", "email": "Email"}.get(kind, "Other"),
            "TaskSubtype": {"call": "Call", "email": "Email"}.get(kind, "Task"),
            "CallType": ("Outbound" if rng.random() < 0.85 else "Inbound") if call and done else None,
            "CallDurationInSeconds": (int(clamp(spread(rng, 420, 0.7), 60, 3600)) if connected
                                      else rng.randint(15, 50)) if call and done else None,
            "CallDisposition": ("Connected" if connected else "Left voicemail") if call and done else None,
            "CompletedDateTime": datetime_text(moment) if done else None,
            "IsArchived": done and moment < self.archive_before,
            "CreatedDate": datetime_text(created), "LastModifiedDate": datetime_text(modified),
            "SystemModstamp": datetime_text(modified), "IsDeleted": False,
        }  # fmt: skip
        return "Task", record

    def event(
        self, rng: Random, rep: Person, what: str, who: str | None, moment: int, subject: str, earliest: int
    ) -> tuple[str, dict[str, Any]]:
        start = moment - moment % 900
        minutes = rng.choice((30, 30, 45, 60, 60, 90))
        # Meetings are booked during the working day, some days ahead.
        booked_day = (start + rep.offset * HOUR) // DAY - rng.randint(1, 10)
        booked = max(earliest, work_time(rng, booked_day, rep.offset))
        if booked >= self.timeline.as_of:
            booked = max(earliest, self.timeline.as_of - int(rng.uniform(1, 72) * HOUR))
        local_day = (start + rep.offset * HOUR) // DAY
        record = {
            "attributes": {"type": "Event"}, "Id": self.ids.new("Event"), "Subject": subject, "OwnerId": rep.id,
            "WhatId": what, "WhoId": who, "StartDateTime": datetime_text(start),
            "EndDateTime": datetime_text(start + minutes * 60), "ActivityDateTime": datetime_text(start),
            "ActivityDate": day_text(local_day), "DurationInMinutes": minutes, "IsAllDayEvent": False,
            "Type": "Meeting", "EventSubtype": "Event", "ShowAs": "Busy",
            "IsArchived": start + minutes * 60 < self.archive_before,
            "CreatedDate": datetime_text(booked), "LastModifiedDate": datetime_text(booked),
            "SystemModstamp": datetime_text(booked), "IsDeleted": False,
        }  # fmt: skip
        return "Event", record


def _later(current: str | None, activity_date: str) -> str:
    # ISO dates sort as text.
    return activity_date if current is None or activity_date > current else current
