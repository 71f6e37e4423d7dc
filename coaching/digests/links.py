"""The links a digest carries: one into the portal, and signed ones to unsubscribe and to change settings.

A signed link is its own credential (no login from an email client, and RFC 8058's one-click POST comes from
the mail provider without cookies), so it names exactly one manager and does one thing: each purpose has its
own salt, and an unsubscribe token cannot open the settings page. Tokens do not expire — an old email's
unsubscribe link must keep working — and they stop working when SECRET_KEY changes.
"""

from datetime import date
from urllib.parse import urlencode, urljoin

from django.conf import settings
from django.core import signing
from django.urls import NoReverseMatch, reverse

UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"
_SALTS = {UNSUBSCRIBE: "coaching.digests.unsubscribe", PREFERENCES: "coaching.digests.preferences"}


def make_token(purpose: str, org_id: int, manager_sf_id: str) -> str:
    return signing.Signer(salt=_SALTS[purpose]).sign_object([org_id, manager_sf_id])


def read_token(token: str, purpose: str) -> tuple[int, str] | None:
    """(org id, manager's CRM id) from a token made for ``purpose``; None when forged, cut or for another use."""
    try:
        org_id, manager_sf_id = signing.Signer(salt=_SALTS[purpose]).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(org_id, int) or not isinstance(manager_sf_id, str) or not manager_sf_id:
        return None
    return org_id, manager_sf_id


def link_for(purpose: str, org_id: int, manager_sf_id: str) -> str:
    return absolute(reverse(f"digests:{purpose}", kwargs={"token": make_token(purpose, org_id, manager_sf_id)}))


def portal_url(week_start: date) -> str:
    """The one link into the portal: the week's page (a manager's agenda, a director's overview)."""
    try:
        return absolute(f"{reverse('portal:week')}?{urlencode({'week': week_start.isoformat()})}")
    except NoReverseMatch:  # an installation without the portal's URLs: the site's root
        return absolute("/")


def absolute(path: str) -> str:
    return urljoin(settings.SITE_URL.rstrip("/") + "/", path.lstrip("/"))
