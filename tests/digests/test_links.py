"""The digest's one link into the portal."""

from datetime import date

from coaching.digests.links import portal_url


def test_the_portal_link_opens_the_digests_week(settings):
    settings.ROOT_URLCONF = "tests.digests.portal_urls"
    settings.SITE_URL = "https://coach.example.com/base/"

    assert portal_url(date(2026, 3, 2)) == "https://coach.example.com/base/week/?week=2026-03-02"


def test_without_the_portal_the_link_is_the_sites_root(settings):
    settings.ROOT_URLCONF = "coaching.digests.urls"
    settings.SITE_URL = "https://coach.example.com"

    assert portal_url(date(2026, 3, 2)) == "https://coach.example.com/"
