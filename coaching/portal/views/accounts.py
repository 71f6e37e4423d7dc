"""Signing in and out (rate-limited), admin invites and accepting one."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coaching.models import Membership
from coaching.portal import signin
from coaching.portal.access import PortalRequest, portal_page, require_admin, require_org
from coaching.portal.forms import AcceptInviteForm, InviteForm
from coaching.portal.invites import accept_invite, make_invite, read_invite
from coaching.portal.views.base import render_page
from crm.models import Person


class SignInView(LoginView):
    """Django's login view (django-axes limits failures), linking by email on a login's first sign-in."""

    template_name = "registration/signin.html"
    redirect_authenticated_user = True

    def form_valid(self, form) -> HttpResponse:
        user = form.get_user()
        first_sign_in = user.last_login is None  # read before login() sets it
        response = super().form_valid(form)
        if signin.link_by_email(user, first_sign_in=first_sign_in) is not None:
            messages.success(self.request, "Welcome! Your login is now linked to your CRM user.")
        return response


@portal_page
def invites(request: PortalRequest) -> HttpResponse:
    scope = require_admin(request)
    linked = set(Membership.objects.filter(org_id=scope.org_id).values_list("person_sf_id", flat=True))
    people = [
        (sf_id, f"{name} — {title}" if title else name)
        for sf_id, name, title in Person.live.filter(org_id=scope.org_id, is_active=True)
        .order_by("name")
        .values_list("sf_id", "name", "title")
        if sf_id not in linked
    ]
    form = InviteForm(request.POST or None, people=people)
    link = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                token = make_invite(
                    require_org(request),
                    role=form.cleaned_data["role"],
                    person_sf_id=form.cleaned_data["person_sf_id"],
                    email=form.cleaned_data["email"],
                )
            except ValueError as error:
                form.add_error(None, str(error))
            else:
                link = request.build_absolute_uri(reverse("portal:accept_invite", args=[token]))
        if not link:
            status = 400
    members = Membership.objects.filter(org_id=scope.org_id).select_related("user").order_by("role", "user__username")
    names = dict(Person.objects.filter(org_id=scope.org_id, sf_id__in=linked).values_list("sf_id", "name"))
    context = {"form": form, "link": link, "members": members, "names": names}
    return render_page(request, "portal/invites.html", context, active="settings", status=status)


def accept(request: HttpRequest, token: str) -> HttpResponse:
    invite = read_invite(token)
    if invite is None:
        return render(request, "registration/invite_invalid.html", status=404)
    form = AcceptInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accept_invite(
                invite, username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
            )
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome to coachapp.")
            return redirect("portal:home")
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/accept_invite.html", {"form": form, "invite": invite}, status=status)
