"""Acting on an agenda without a page reload: item statuses, notes, commitments and snoozes.

Every action is a POST that works as a plain form (it redirects back to the agenda, at the item) and, sent
by htmx, answers with the re-rendered part of the page. Bad input changes nothing and answers 422 with the
engine's message in place (htmx is configured to swap 422 responses; see base.html).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coaching.agendas import add_commitment, add_note, set_commitment_status, set_item_status
from coaching.models import Agenda, AgendaItem, Commitment
from coaching.portal.access import (
    PortalRequest,
    agenda_or_404,
    commitment_or_404,
    item_or_404,
    may_act,
    note_or_404,
    portal_page,
    require_current_rep,
    require_scope,
)
from coaching.portal.actions import delete_note, snooze_item
from coaching.portal.forms import CommitmentForm, CommitmentStatusForm, NoteForm, SnoozeForm, StatusForm
from coaching.portal.queries.agenda import agenda_page, item_card, names_of
from coaching.portal.views.base import is_htmx, today
from coaching.portal.views.week import item_defaults
from coaching.visibility import Scope

UNPROCESSABLE = 422


def _acting_scope(request: PortalRequest) -> Scope:
    scope = require_scope(request)
    if not may_act(scope):
        raise Http404("Nothing to change here.")
    return scope


def _first_error(form) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label or field.replace("_", " ") if field in form.fields else ""
        return f"{label.capitalize()}: {errors[0]}" if label else errors[0]
    return "Check the form."


def _messages_of(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(message for messages_ in error.message_dict.values() for message in messages_)
    return " ".join(error.messages)


def _agenda_url(agenda: Agenda, anchor: str = "") -> str:
    url = reverse("portal:agenda", args=[agenda.pk])
    return f"{url}#{anchor}" if anchor else url


def item_response(request: HttpRequest, item: AgendaItem, *, error: str = "", drawer: str = "") -> HttpResponse:
    """The item's card again; after an error the form it came from stays open with what was typed."""
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        return redirect(_agenda_url(item.agenda, f"item-{item.pk}"))
    item.refresh_from_db()
    context = {
        "card": item_card(item, today()),
        "agenda": item.agenda,
        "error": error,
        "may_act": True,
        "scope": getattr(request, "scope", None),
    }
    context.update(item_defaults(item.agenda, today()))
    if error:
        context.update(drawer=drawer, posted=request.POST)
    return render(request, "portal/_item.html", context, status=UNPROCESSABLE if error else 200)


def _agenda_part(request: HttpRequest, agenda: Agenda, template: str, anchor: str, *, error: str = "") -> HttpResponse:
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        return redirect(_agenda_url(agenda, anchor))
    page = agenda_page(agenda, today())
    context = {**item_defaults(agenda, today()), "page": page, "names": page.view.names, "error": error}
    context["may_act"] = True
    return render(request, template, context, status=UNPROCESSABLE if error else 200)


@portal_page
def item_fragment(request: PortalRequest, pk: int) -> HttpResponse:
    """The item's card alone (htmx refreshes, and a stable URL per item)."""
    scope = require_scope(request)
    found = item_or_404(scope, pk)
    context = {"card": item_card(found, today()), "agenda": found.agenda, "may_act": may_act(scope), "scope": scope}
    context.update(item_defaults(found.agenda, today()))
    return render(request, "portal/_item.html", context)


@require_POST
@portal_page
def item_status(request: PortalRequest, pk: int) -> HttpResponse:
    found = item_or_404(_acting_scope(request), pk)
    form = StatusForm(request.POST)
    drawer = "dismiss" if request.POST.get("status") == AgendaItem.Status.DISMISSED else ""
    if not form.is_valid():
        return item_response(request, found, error=_first_error(form), drawer=drawer)
    try:
        set_item_status(found, form.cleaned_data["status"], reason=form.cleaned_data["reason"], user=request.user)
    except ValueError as error:
        return item_response(request, found, error=str(error), drawer=drawer)
    return item_response(request, found)


@require_POST
@portal_page
def item_note(request: PortalRequest, pk: int) -> HttpResponse:
    found = item_or_404(_acting_scope(request), pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return item_response(request, found, error=_first_error(form), drawer="note")
    try:
        add_note(found, form.cleaned_data["text"], user=request.user)
    except ValueError as error:
        return item_response(request, found, error=str(error), drawer="note")
    return item_response(request, found)


@require_POST
@portal_page
def item_commitment(request: PortalRequest, pk: int) -> HttpResponse:
    found = item_or_404(_acting_scope(request), pk)
    error = _commit(request, found, found.agenda, subject=found.person_sf_id)
    return item_response(request, found, error=error, drawer="commitment")


@require_POST
@portal_page
def item_snooze(request: PortalRequest, pk: int) -> HttpResponse:
    scope = _acting_scope(request)
    found = item_or_404(scope, pk)
    form = SnoozeForm(request.POST, today=today())
    if not form.is_valid():
        return item_response(request, found, error=_first_error(form), drawer="snooze")
    try:
        require_current_rep(scope, found.person_sf_id, "snoozing")
        snooze_item(found, reason=form.cleaned_data["reason"], until=form.cleaned_data["until"], user=request.user)
    except ValidationError as error:
        return item_response(request, found, error=_messages_of(error), drawer="snooze")
    except ValueError as error:
        return item_response(request, found, error=str(error), drawer="snooze")
    return item_response(request, found)


@require_POST
@portal_page
def agenda_note(request: PortalRequest, pk: int) -> HttpResponse:
    found = agenda_or_404(_acting_scope(request), pk)
    form = NoteForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _first_error(form)
    else:
        try:
            add_note(found, form.cleaned_data["text"], user=request.user)
        except ValueError as exc:
            error = str(exc)
    return _agenda_part(request, found, "portal/_agenda_notes.html", "notes", error=error)


@require_POST
@portal_page
def agenda_commitment(request: PortalRequest, pk: int) -> HttpResponse:
    found = agenda_or_404(_acting_scope(request), pk)
    error = _commit(request, found, found)
    return _agenda_part(request, found, "portal/_agenda_commitments.html", "commitments", error=error)


def _commit(request: PortalRequest, target: AgendaItem | Agenda, agenda: Agenda, subject: str = "") -> str:
    """Add a commitment to an item or an agenda; the error message, or "" when it was saved."""
    form = CommitmentForm(request.POST, owners=item_defaults(agenda, today())["owners"], week_start=agenda.week_start)
    if not form.is_valid():
        return _first_error(form)
    try:
        # About the item's rep, or (an agenda's commitment) whoever owns it: both must be on the team today.
        scope = require_scope(request)
        require_current_rep(scope, subject, "a commitment")
        require_current_rep(scope, form.cleaned_data["owner_sf_id"], "a commitment")
        add_commitment(
            target,
            form.cleaned_data["text"],
            owner_sf_id=form.cleaned_data["owner_sf_id"],
            due_date=form.cleaned_data["due_date"],
            user=request.user,
        )
    except ValueError as error:
        return str(error)
    return ""


@require_POST
@portal_page
def note_delete(request: PortalRequest, pk: int) -> HttpResponse:
    note = note_or_404(_acting_scope(request), pk)
    error = ""
    try:
        delete_note(note, request.user)
    except ValueError as exc:
        error = str(exc)
    if note.item_id:
        return item_response(request, AgendaItem.objects.select_related("agenda").get(pk=note.item_id), error=error)
    return _agenda_part(request, note.agenda, "portal/_agenda_notes.html", "notes", error=error)


@require_POST
@portal_page
def commitment_status(request: PortalRequest, pk: int) -> HttpResponse:
    scope = _acting_scope(request)
    commitment = commitment_or_404(scope, pk)
    form = CommitmentStatusForm(request.POST)
    error = "" if form.is_valid() else _first_error(form)
    if not error:
        try:
            subject = commitment.item.person_sf_id if commitment.item else commitment.owner_sf_id
            require_current_rep(scope, subject, "a commitment")
            set_commitment_status(commitment, form.cleaned_data["status"], user=request.user)
        except ValueError as exc:
            error = str(exc)
    back = request.POST.get("agenda")
    agenda = agenda_or_404(scope, int(back)) if back and back.isdigit() else commitment.agenda
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        return redirect(_agenda_url(agenda, f"commitment-{commitment.pk}"))
    commitment = Commitment.objects.select_related("agenda", "item").get(pk=commitment.pk)
    return render(
        request,
        "portal/_commitment.html",
        {"commitment": commitment, "agenda": agenda, "error": error, "may_act": True, "names": names_of(agenda)},
        status=UNPROCESSABLE if error else 200,
    )
