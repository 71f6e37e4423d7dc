"""Every portal page a signed-in user opens: a strict Content-Security-Policy (nothing inline for it to
block: no inline script, style element or style attribute), and no cache may keep it."""

import re

import pytest
from django.urls import reverse

from tests.portal.conftest import World

pytestmark = pytest.mark.django_db


def pages(world: World) -> list[tuple[str, str]]:
    return [
        ("fsm_a", reverse("portal:week")),
        ("fsm_a", reverse("portal:agenda", args=[world.agenda_a.pk])),
        ("fsm_a", reverse("portal:agenda_print", args=[world.agenda_a.pk])),
        ("fsm_a", reverse("portal:team", args=[world.fsm_a.sf_id])),
        ("fsm_a", reverse("portal:rep", args=[world.reps_a[0].sf_id])),
        ("director", reverse("portal:teams")),
        ("admin", reverse("portal:sync")),
        ("admin", reverse("portal:settings")),
        ("admin", reverse("portal:rules")),
        ("admin", reverse("portal:invites")),
        ("admin", reverse("portal:members")),
        ("admin", reverse("portal:access_log")),
        ("anonymous", reverse("portal:signin")),
    ]


def test_signed_in_pages_have_a_strict_policy_and_nothing_inline(world):
    for who, url in pages(world):
        response = world.client(who).get(url)
        assert response.status_code == 200, (who, url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe-inline" not in policy
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<style" not in html, url
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url  # no inline event handlers either


def test_no_cache_keeps_a_page(world):
    for who, url in pages(world):
        cache_control = {part.strip() for part in world.client(who).get(url)["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control, url
