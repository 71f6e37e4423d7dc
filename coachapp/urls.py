from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("coaching.api.urls")),
    path("digests/", include("coaching.digests.urls")),
    # The manager portal at the root, last: its patterns are specific, so it shadows nothing above.
    path("", include("coaching.portal.urls")),
]

# Styled error pages with a way back (DEBUG off; with DEBUG on Django shows its technical pages).
handler400 = "coaching.portal.errors.bad_request"
handler403 = "coaching.portal.errors.permission_denied"
handler404 = "coaching.portal.errors.page_not_found"
handler500 = "coaching.portal.errors.server_error"
