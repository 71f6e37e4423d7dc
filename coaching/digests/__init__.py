"""Weekly email digests: one per manager per week, at the manager's local send time, at most once.

- ``schedule``: who gets a digest and whose is due now (``recipients``, ``Recipient.due_week``).
- ``compose``: what each digest says, through the visibility rule (``compose_digests``).
- ``message``: the email — templates ``emails/digest-subject.txt``, ``digest.txt``, ``digest.html``.
- ``send``: claim a delivery row, send, record, back off (``send_due``, ``send_week``, ``preview``).
- ``links``, ``unsubscribe``, ``preferences``: signed links, the one-click unsubscribe, the settings page.
- ``tasks``: the Celery tasks beat runs.

How it works and why: docs/digests.md.
"""
