"""Sync status: the running sync with its progress, the latest runs with per-object counts, errors and API
usage; an org admin starts a sync from here."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from coaching.portal.access import PortalRequest, portal_page, require_admin, require_org, require_scope, run_or_404
from coaching.portal.actions import start_sync
from coaching.portal.queries.sync import run_detail, sync_status
from coaching.portal.views.base import is_htmx, render_page
from integrations.models import SyncRun


@portal_page
def sync(request: PortalRequest) -> HttpResponse:
    scope = request.scope
    if scope is None:
        return render_page(request, "portal/unlinked.html", {})
    return render_page(request, "portal/sync.html", {"status": sync_status(scope.org_id)}, active="sync")


@portal_page
def sync_run(request: PortalRequest, pk: int) -> HttpResponse:
    """One run's progress: the fragment the status page polls while a run is going, or the page around it."""
    scope = require_scope(request)
    detail = run_detail(run_or_404(scope, pk))
    if is_htmx(request):
        return render(request, "portal/_sync_run.html", {"detail": detail})
    status = sync_status(scope.org_id)
    status.detail = detail
    return render_page(request, "portal/sync.html", {"status": status}, active="sync")


@require_POST
@portal_page
def sync_start(request: PortalRequest) -> HttpResponse:
    require_admin(request)
    kind = request.POST.get("kind", SyncRun.Kind.INCREMENTAL)
    try:
        run_id = start_sync(require_org(request), kind)
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("portal:sync")
    if run_id is None:
        messages.success(request, "Sync queued: a worker picks it up in a moment; this page shows its progress.")
        return redirect("portal:sync")
    run = SyncRun.objects.get(pk=run_id)
    messages.success(request, f"Sync #{run.pk} finished: {run.get_status_display().lower()}.")
    return redirect("portal:sync_run", pk=run.pk)
