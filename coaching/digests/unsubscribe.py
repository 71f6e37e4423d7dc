"""The unsubscribe link of every digest: a confirmation page on GET, the unsubscribe itself on POST.

GET never unsubscribes: mail scanners and link previews fetch every link in an email. POST does, whoever
sends it — the confirmation page's button, or the mail provider's one-click request (RFC 8058: a POST with
``List-Unsubscribe=One-Click`` and no cookies, hence no CSRF check; the signed token is the credential).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from coaching.digests.links import PREFERENCES, UNSUBSCRIBE, link_for
from coaching.digests.preferences import invalid_link, owner_of, unsubscribe
from crm.models import Person


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    owner = owner_of(token, UNSUBSCRIBE)
    if owner is None:
        return invalid_link(request)
    org, manager_sf_id = owner
    done = None
    if request.method == "POST":
        done = unsubscribe(org, manager_sf_id)
    person = Person.live.filter(org=org, sf_id=manager_sf_id).only("name").first()
    context = {
        "name": person.name if person else "",
        "org": org,
        "done": done,
        "action": link_for(UNSUBSCRIBE, org.pk, manager_sf_id),
        "preferences_url": link_for(PREFERENCES, org.pk, manager_sf_id),
    }
    return render(request, "digests/unsubscribe.html", context)
