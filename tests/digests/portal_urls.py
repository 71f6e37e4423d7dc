"""A URLconf with a stand-in for the portal's week page, to test the digest's link without the portal app."""

from django.http import HttpResponse
from django.urls import include, path

portal = ([path("week/", lambda request: HttpResponse(), name="week")], "portal")

urlpatterns = [
    path("digests/", include("coaching.digests.urls")),
    path("", include(portal)),
]
