from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from integrations.sync import lock


def test_only_one_claim_wins(org):
    token = lock.claim(org.pk)
    assert token
    assert lock.claim(org.pk) is None
    assert lock.holder(org.pk)[0] == token


def test_renewal_keeps_it_and_release_frees_it(org):
    token = lock.claim(org.pk)
    before = lock.holder(org.pk)[1]
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        lock.renew(org.pk, token)
        assert lock.holder(org.pk)[1] > before
    assert lock.release(org.pk, token)
    assert lock.holder(org.pk) == ("", None)
    assert lock.claim(org.pk)


def test_an_expired_lock_can_be_taken_and_the_old_holder_learns_it(org):
    stale = lock.claim(org.pk)
    with time_machine.travel(timezone.now() + timedelta(seconds=lock.lock_seconds() + 1)):
        fresh = lock.claim(org.pk)
        assert fresh and fresh != stale
    with pytest.raises(lock.LockLost, match="lost the org's lock"):
        lock.renew(org.pk, stale)
    assert not lock.release(org.pk, stale)
    assert lock.holder(org.pk)[0] == fresh


def test_locks_are_per_org(org):
    from tests.factories import OrgFactory, SalesforceConnectionFactory

    other = SalesforceConnectionFactory(org=OrgFactory(name="globex")).org
    assert lock.claim(org.pk)
    assert lock.claim(other.pk)


def test_retries_wait_longer_each_time_but_never_outlive_the_lock(settings):
    from integrations.sync.run import retry_delay

    settings.SYNC_RETRY_BASE_SECONDS = 30
    settings.SYNC_LOCK_SECONDS = 900
    assert [retry_delay(attempt) for attempt in (1, 2, 3, 4, 5)] == [30, 60, 120, 240, 450]
