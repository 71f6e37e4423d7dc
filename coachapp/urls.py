from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("coaching.api.urls")),
    path("digests/", include("coaching.digests.urls")),
    # The manager portal at the root, last: its patterns are specific, so it shadows nothing above.
    path("", include("coaching.portal.urls")),
]
