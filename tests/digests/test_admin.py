"""The admin: deliveries are read-only, and failed ones can be sent again once the mail setup is fixed."""

from datetime import timedelta

from django.contrib.auth.models import User

from coaching.digests.models import DigestDelivery
from coaching.digests.send import send_due
from tests.digests.conftest import DUE, WEEK, received_by


def test_failed_digests_can_be_sent_again_from_the_admin(busy_week, smtp, client):
    chart = busy_week
    smtp.refuse_rcpt["maria@acme.example"] = "550 5.1.1 No such user here"
    send_due(chart.org, DUE)
    failed = DigestDelivery.objects.get(manager_sf_id=chart.maria.sf_id, week_start=WEEK)
    assert failed.status == DigestDelivery.Status.FAILED
    client.force_login(User.objects.create_superuser("root", "root@acme.example", "x"))

    listing = client.get("/admin/digests/digestdelivery/?status=failed")
    assert listing.status_code == 200 and chart.maria.sf_id.encode() in listing.content
    assert client.get(f"/admin/digests/digestdelivery/{failed.pk}/change/").status_code == 200  # view only

    smtp.refuse_rcpt.clear()  # the address was fixed on the mail server
    everyone = list(DigestDelivery.objects.values_list("pk", flat=True))
    response = client.post(
        "/admin/digests/digestdelivery/", {"action": "send_again", "_selected_action": everyone}, follow=True
    )
    assert b"1 failed digest(s) will be sent at the next scheduler run" in response.content
    send_due(chart.org, DUE + timedelta(minutes=15))

    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (DigestDelivery.Status.SENT, 1)
    assert len(received_by(smtp, "maria@acme.example")) == 1
    assert len(received_by(smtp, "omar@acme.example")) == 1  # sent ones were not sent again
