"""/api/: the versioned endpoints under v1/, the OpenAPI 3 schema and its Swagger UI (assets served from our
own static files, drf-spectacular-sidecar; nothing from a CDN; no inline script or style, for the CSP: the
start-up script is served at /api/docs/?script). Any other path under /api/v1/ is a JSON 404."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from coaching.api import calibration, pipeline, views
from coaching.api.errors import not_found_view
from coaching.api.win_probability import DealWinProbabilityView

app_name = "api"

urlpatterns = [
    path("v1/reps/<str:sf_user_id>/metrics", views.RepMetricsView.as_view(), name="rep-metrics"),
    path("v1/reps/<str:sf_user_id>/gaps", views.RepGapsView.as_view(), name="rep-gaps"),
    path("v1/opportunities/<str:sf_opportunity_id>/flags", views.DealFlagsView.as_view(), name="opportunity-flags"),
    path(
        "v1/opportunities/<str:sf_opportunity_id>/win-probability",
        DealWinProbabilityView.as_view(),
        name="opportunity-win-probability",
    ),
    path("v1/managers/<str:sf_user_id>/agenda", views.ManagerAgendaView.as_view(), name="manager-agenda"),
    path("v1/managers/<str:sf_user_id>/pipeline", pipeline.ManagerPipelineView.as_view(), name="manager-pipeline"),
    path("v1/agenda-items/<str:id>", views.AgendaItemView.as_view(), name="agenda-item"),
    path("v1/gaps/<str:id>/snooze", views.GapSnoozeView.as_view(), name="gap-snooze"),
    path("v1/calibration", calibration.CalibrationView.as_view(), name="calibration"),
    path("v1/sync-runs", views.SyncRunsView.as_view(), name="sync-runs"),
    path("v1/ping", views.PingView.as_view(), name="ping"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    re_path(r"^v1(/.*)?$", not_found_view),
]
