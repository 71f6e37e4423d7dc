from django.urls import path

from coaching.digests.preferences import preferences_view
from coaching.digests.unsubscribe import unsubscribe_view

app_name = "digests"

urlpatterns = [
    path("unsubscribe/<str:token>/", unsubscribe_view, name="unsubscribe"),
    path("preferences/<str:token>/", preferences_view, name="preferences"),
]
