"""Sending digests exactly once: a delivery row per manager and week, claimed before anything is sent.

The protocol (healthchecks' sendreports habit, with a row instead of a date):

1. A digest that is due gets its ``DigestDelivery`` row (unique on org, manager, week; creating it twice is a
   no-op), status ``pending``.
2. A sender claims a row with one conditional UPDATE — pending and past its back-off, or ``sending`` but
   claimed longer ago than ``DIGEST_CLAIM_TIMEOUT_SECONDS`` (its worker died) — and sends only if the UPDATE
   changed the row. Two schedulers, a task delivered twice, or the command beside beat: one of them wins.
3. The outcome is written at once: ``sent``; ``skipped`` (nothing to say, no address, no longer a recipient);
   or, on an SMTP error, back to ``pending`` with the next attempt after an exponential back-off, until
   ``DIGEST_MAX_ATTEMPTS`` is spent (or the server refused for good) and it is ``failed``.

What this cannot rule out: a worker dying after the mail server accepted the message but before step 3.
The stale claim is then taken over and the digest sent again — once more at most per claim timeout, with the
same Message-ID, which lets mail systems recognise the copy. Losing a digest silently would be worse.
"""

import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db.models import F, Q
from django.utils import timezone

from coaching.digests.compose import Digest, compose_digests
from coaching.digests.message import build_message
from coaching.digests.models import DigestDelivery
from coaching.digests.schedule import Recipient, recipients
from coaching.models import Agenda
from coaching.weeks import require_monday
from crm.models import Org

log = logging.getLogger(__name__)

Status = DigestDelivery.Status
SMTP_TIMEOUT_SECONDS = 30  # well below the claim timeout, so a hung server cannot outlive a claim
MAX_BACKOFF = timedelta(hours=6)
ERROR_LENGTH = 2000


@dataclass
class Outcome:
    manager_sf_id: str
    week_start: date
    status: str
    detail: str = ""
    retry_at: datetime | None = None
    delivery_id: int | None = None


@dataclass
class SendReport:
    org: Org
    outcomes: list[Outcome] = field(default_factory=list)
    waiting: set[date] = field(default_factory=set)  # weeks due whose agendas are not built yet
    expired: int = 0

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def retrying(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.retry_at is not None]

    def lines(self) -> list[str]:
        counts = ", ".join(
            f"{self.count(status)} {status}" for status in (Status.SENT, Status.SKIPPED, Status.FAILED, "retrying")
        )
        lines = [f"{self.org.name}: {counts}."]
        for outcome in self.outcomes:
            if outcome.status != Status.SENT:
                when = f"; next attempt {outcome.retry_at:%Y-%m-%d %H:%M} UTC" if outcome.retry_at else ""
                lines.append(f"  {outcome.manager_sf_id} week of {outcome.week_start}: {outcome.status}")
                lines[-1] += f" ({outcome.detail}{when})" if outcome.detail else ""
        for week in sorted(self.waiting):
            lines.append(
                f"  Week of {week}: its agendas are not built yet; digests go out once they are "
                f"(build_agendas {self.org.name} --week {week})."
            )
        if self.expired:
            lines.append(f"  {self.expired} unsent digests of past weeks marked failed.")
        return lines


def claim_timeout() -> timedelta:
    return timedelta(seconds=settings.DIGEST_CLAIM_TIMEOUT_SECONDS)


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failed try: the base, doubling, at most six hours."""
    return min(timedelta(seconds=settings.DIGEST_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def send_due(org: Org, now: datetime | None = None) -> SendReport:
    """Send the org's digests that are due now by each manager's local clock (what beat runs)."""
    now = now or timezone.now()
    found = recipients(org)
    report = SendReport(org, expired=_expire(org, now))
    wanted: dict[date, list[Recipient]] = defaultdict(list)
    for recipient in found:
        week = recipient.due_week(now)
        if week is not None:
            wanted[week].append(recipient)
    _open_rows(org, wanted, report)
    _deliver(org, _claimable(DigestDelivery.objects.filter(org=org), now), found, now, report)
    return report


def send_week(org: Org, week_start: date, now: datetime | None = None) -> SendReport:
    """Send every manager's digest of one week now, whatever their send time; still once each."""
    require_monday(week_start)
    now = now or timezone.now()
    found = recipients(org)
    report = SendReport(org)
    _open_rows(org, {week_start: [r for r in found if r.enabled]}, report)
    rows = DigestDelivery.objects.filter(org=org, week_start=week_start)
    _deliver(org, _claimable(rows, now), found, now, report)
    for row in rows.exclude(pk__in=[o.delivery_id for o in report.outcomes]):
        status = f"already {row.status}"
        if row.status == Status.PENDING and row.next_attempt_at:
            status = f"retrying at {row.next_attempt_at:%Y-%m-%d %H:%M} UTC"
        report.outcomes.append(Outcome(row.manager_sf_id, week_start, status, delivery_id=row.pk))
    return report


def retry_delivery(delivery_id: int, now: datetime | None = None) -> SendReport | None:
    """Try one delivery again (the back-off task); nothing when it is not due or another sender has it."""
    row = DigestDelivery.objects.filter(pk=delivery_id).select_related("org").first()
    if row is None:
        return None
    now = now or timezone.now()
    report = SendReport(row.org)
    found = recipients(row.org, {row.manager_sf_id})
    _deliver(row.org, _claimable(DigestDelivery.objects.filter(pk=row.pk), now), found, now, report)
    return report


def preview(org: Org, week_start: date | None = None, now: datetime | None = None) -> tuple[list[Digest], SendReport]:
    """The digests that would go out (due now, or all of ``week_start``), composed but neither sent nor recorded."""
    now = now or timezone.now()
    report = SendReport(org)
    wanted: dict[date, list[Recipient]] = defaultdict(list)
    for recipient in recipients(org):
        week = week_start if week_start and recipient.enabled else recipient.due_week(now)
        if week is not None:
            wanted[week].append(recipient)
    digests: list[Digest] = []
    for week, group in sorted(wanted.items()):
        if not Agenda.objects.filter(org=org, week_start=week).exists():
            report.waiting.add(week)
            continue
        done = set(
            DigestDelivery.objects.filter(org=org, week_start=week)
            .exclude(status=Status.PENDING)
            .values_list("manager_sf_id", flat=True)
        )
        for recipient in group:
            if recipient.manager_sf_id in done:
                report.outcomes.append(Outcome(recipient.manager_sf_id, week, "already done"))
        composed = compose_digests(org, week, [r for r in group if r.manager_sf_id not in done])
        digests += composed.values()
    return digests, report


def requeue_failed(rows) -> int:
    """Give failed deliveries a fresh set of attempts (after the mail setup was fixed); returns how many."""
    return rows.filter(status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=None, claimed_at=None, updated_at=timezone.now()
    )


def _open_rows(org: Org, wanted: dict[date, list[Recipient]], report: SendReport) -> None:
    """A pending row for each due digest whose week's agendas exist (a build in progress is waited for)."""
    for week, group in wanted.items():
        # Once a week's rows exist, the sweeps for the rest of the week read them and write nothing.
        existing = set(
            DigestDelivery.objects.filter(
                org=org, week_start=week, manager_sf_id__in=[r.manager_sf_id for r in group]
            ).values_list("manager_sf_id", flat=True)
        )
        missing = [r for r in group if r.manager_sf_id not in existing]
        if not missing:
            continue
        if not Agenda.objects.filter(org=org, week_start=week).exists():
            report.waiting.add(week)
            continue
        DigestDelivery.objects.bulk_create(
            [DigestDelivery(org=org, manager_sf_id=r.manager_sf_id, week_start=week) for r in missing],
            ignore_conflicts=True,  # a concurrent sender may have created some since
        )


def _claimable(rows, now: datetime):
    return rows.filter(_claimable_q(now))


def _claimable_q(now: datetime) -> Q:
    ready = Q(status=Status.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    stale = Q(status=Status.SENDING, claimed_at__lt=now - claim_timeout())
    return ready | stale


def claim(row: DigestDelivery, now: datetime) -> bool:
    """Take the delivery for this sender: True only for the one sender whose conditional UPDATE changed it."""
    won = (
        DigestDelivery.objects.filter(pk=row.pk)
        .filter(_claimable_q(now))
        .update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now)
    )
    if won:
        row.refresh_from_db(fields=["status", "claimed_at", "attempts"])
    return bool(won)


def _deliver(org: Org, rows, found: list[Recipient], now: datetime, report: SendReport) -> None:
    by_manager = {recipient.manager_sf_id: recipient for recipient in found}
    by_week: dict[date, list[DigestDelivery]] = defaultdict(list)
    for row in rows.order_by("week_start", "manager_sf_id"):
        by_week[row.week_start].append(row)
    for week, week_rows in sorted(by_week.items()):
        wanted = [by_manager[row.manager_sf_id] for row in week_rows if _still_wanted(by_manager, row)]
        digests = compose_digests(org, week, wanted)
        for row in week_rows:
            report.outcomes.append(_deliver_one(row, digests.get(row.manager_sf_id), now))


def _still_wanted(by_manager: dict[str, Recipient], row: DigestDelivery) -> bool:
    recipient = by_manager.get(row.manager_sf_id)
    return recipient is not None and recipient.enabled


def _deliver_one(row: DigestDelivery, digest: Digest | None, now: datetime) -> Outcome:
    outcome = Outcome(row.manager_sf_id, row.week_start, "", delivery_id=row.pk)
    if not claim(row, now):
        outcome.status = "taken by another sender"
        return outcome
    if row.attempts > settings.DIGEST_MAX_ATTEMPTS:
        # Only a stale claim gets here: every earlier sender died mid-send.
        return _fail(row, now, outcome, "every attempt stopped mid-send (the worker died); not tried again")
    if digest is None:
        return _skip(row, now, outcome, "no longer a recipient (unsubscribed, switched off or no portal access)")
    if not digest.recipient.email:
        return _skip(row, now, outcome, "no email address: add one to the portal account or the CRM user")
    if digest.is_empty:
        return _skip(row, now, outcome, "nothing to say this week")
    try:
        message = build_message(digest, connection=_connection())
    except Exception as error:  # a bug in one digest must not stop the others; it is logged with its trace
        log.exception("Digest for %s, week of %s, could not be rendered", row.manager_sf_id, row.week_start)
        return _fail(row, now, outcome, f"could not be rendered: {type(error).__name__}: {error}")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        return _failed_attempt(row, now, outcome, error, digest.recipient.email)
    DigestDelivery.objects.filter(pk=row.pk).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        recipient=digest.recipient.email,
        message_id=message.extra_headers["Message-ID"],
        last_error="",
        next_attempt_at=None,
        updated_at=timezone.now(),
    )
    outcome.status = Status.SENT
    return outcome


def _connection():
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or SMTP_TIMEOUT_SECONDS
    return get_connection(fail_silently=False, timeout=timeout)


def _skip(row: DigestDelivery, now: datetime, outcome: Outcome, why: str) -> Outcome:
    DigestDelivery.objects.filter(pk=row.pk).update(
        status=Status.SKIPPED, note=why, next_attempt_at=None, updated_at=now
    )
    outcome.status, outcome.detail = Status.SKIPPED, why
    return outcome


def _fail(row: DigestDelivery, now: datetime, outcome: Outcome, why: str) -> Outcome:
    DigestDelivery.objects.filter(pk=row.pk).update(
        status=Status.FAILED, last_error=why[:ERROR_LENGTH], next_attempt_at=None, updated_at=now
    )
    outcome.status, outcome.detail = Status.FAILED, why
    log.error("Digest for %s, week of %s, failed: %s", row.manager_sf_id, row.week_start, why)
    return outcome


def _failed_attempt(row: DigestDelivery, now: datetime, outcome: Outcome, error: Exception, to: str) -> Outcome:
    why = f"attempt {row.attempts} to {to}: {type(error).__name__}: {error}"
    if _permanent(error) or row.attempts >= settings.DIGEST_MAX_ATTEMPTS:
        return _fail(row, now, outcome, why)
    retry_at = now + backoff(row.attempts)
    DigestDelivery.objects.filter(pk=row.pk, status=Status.SENDING).update(
        status=Status.PENDING, last_error=why[:ERROR_LENGTH], next_attempt_at=retry_at, updated_at=now
    )
    log.warning("Digest for %s, week of %s: %s; next attempt at %s", row.manager_sf_id, row.week_start, why, retry_at)
    outcome.status, outcome.detail, outcome.retry_at = "retrying", why, retry_at
    return outcome


def _permanent(error: Exception) -> bool:
    """A 5xx answer about the recipient or the message: sending it again cannot help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500 and not isinstance(error, smtplib.SMTPAuthenticationError)
    return False


def _expire(org: Org, now: datetime) -> int:
    """Unsent digests of weeks that ended in every time zone: failed, not sent late."""
    ended = now.date() - timedelta(days=8)
    return DigestDelivery.objects.filter(
        org=org, week_start__lt=ended, status__in=[Status.PENDING, Status.SENDING]
    ).update(status=Status.FAILED, last_error="the week ended before the digest could be sent", updated_at=now)
