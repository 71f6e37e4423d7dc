"""Celery tasks for the weekly digests: thin wrappers over ``coaching.digests.send``.

Beat runs ``send_due_digests`` every 15 minutes (CELERY_BEAT_SCHEDULE); each org's due digests are sent by
``send_org_digests``. A failed attempt is queued again after its back-off (``retry_digest``); the next beat
tick would pick it up too, and the delivery row's claim keeps the two from both sending. Registered with
the worker through ``CELERY_IMPORTS`` in settings (autodiscovery only looks at ``coaching.tasks``).
"""

from celery import current_app, shared_task

from coaching.digests.send import SendReport, retry_delivery, send_due
from crm.models import Org


@shared_task
def send_due_digests() -> list[int]:
    """Beat, every 15 minutes: queue each org's digests that are due by their managers' local clocks."""
    org_ids = list(Org.objects.order_by("pk").values_list("pk", flat=True))
    for org_id in org_ids:
        send_org_digests.delay(org_id)
    return org_ids


@shared_task(acks_late=True)
def send_org_digests(org_id: int) -> list[str]:
    report = send_due(Org.objects.get(pk=org_id))
    _queue_retries(report)
    return report.lines()


@shared_task(acks_late=True)
def retry_digest(delivery_id: int) -> list[str]:
    report = retry_delivery(delivery_id)
    if report is None:
        return [f"delivery {delivery_id} no longer exists"]
    _queue_retries(report)
    return report.lines()


def _queue_retries(report: SendReport) -> None:
    # Run eagerly (no broker: the demo), a countdown would be ignored and retry at once; beat's next tick
    # retries instead.
    if current_app.conf.task_always_eager:
        return
    for outcome in report.outcomes:
        if outcome.retry_at is not None:  # retrying
            retry_digest.apply_async((outcome.delivery_id,), eta=outcome.retry_at)
