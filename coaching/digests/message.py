"""A composed digest as an email: subject, plain text and HTML from the templates side by side, and headers.

Templates: ``templates/emails/digest-subject.txt``, ``digest.txt`` and ``digest.html`` beside this module (inline
styles and table layout only: mail clients drop <style> blocks and ignore modern CSS layout).
"""

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string

from coaching.digests.compose import Digest
from coaching.digests.links import PREFERENCES, UNSUBSCRIBE, link_for


def message_id(org_id: int, manager_sf_id: str, week_start_iso: str) -> str:
    """The same Message-ID for every attempt at one digest, so a resend after a crash can be recognised."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "coachapp.localhost"
    return f"<digest.{org_id}.{manager_sf_id}.{week_start_iso}@{domain}>"


def render_digest(digest: Digest) -> tuple[str, str, str, dict[str, str]]:
    """(subject, text, html, context links) of a digest; also what ``send_digests --dry-run`` prints."""
    recipient = digest.recipient
    links = {
        "unsubscribe_url": link_for(UNSUBSCRIBE, recipient.org_id, recipient.manager_sf_id),
        "preferences_url": link_for(PREFERENCES, recipient.org_id, recipient.manager_sf_id),
    }
    context = {"digest": digest, **links}
    subject = " ".join(render_to_string("emails/digest-subject.txt", context).split())
    context["subject"] = subject
    text = render_to_string("emails/digest.txt", context)
    html = render_to_string("emails/digest.html", context)
    return subject, text, html, links


def build_message(digest: Digest, *, connection: BaseEmailBackend | None = None) -> EmailMultiAlternatives:
    recipient = digest.recipient
    subject, text, html, links = render_digest(digest)
    headers = {
        "Message-ID": message_id(recipient.org_id, recipient.manager_sf_id, digest.week_start.isoformat()),
        # RFC 2369 and RFC 8058: mail providers show an unsubscribe button that POSTs to this URL.
        "List-Unsubscribe": f"<{links['unsubscribe_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # RFC 3834: an automatic message; out-of-office replies should not answer it.
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "OOF, AutoReply",
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        # CRM names can hold line breaks, which are not allowed in a header.
        to=[formataddr((" ".join(recipient.name.split()), recipient.email))],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message
