"""The portal's pages, served at the site's root (included from coachapp/urls.py)."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from coaching.portal.views import accounts, deal_flags, items, members, rep, settings, sync, team, week

app_name = "portal"

urlpatterns = [
    path("", week.home, name="home"),
    path("week/", week.week, name="week"),
    path("agendas/<int:pk>/", week.agenda, name="agenda"),
    path("agendas/<int:pk>/print/", week.agenda_print, name="agenda_print"),
    path("agendas/<int:pk>/notes/", items.agenda_note, name="agenda_note"),
    path("agendas/<int:pk>/commitments/", items.agenda_commitment, name="agenda_commitment"),
    path("items/<int:pk>/", items.item_fragment, name="item"),
    path("items/<int:pk>/status/", items.item_status, name="item_status"),
    path("items/<int:pk>/notes/", items.item_note, name="item_note"),
    path("items/<int:pk>/commitments/", items.item_commitment, name="item_commitment"),
    path("items/<int:pk>/snooze/", items.item_snooze, name="item_snooze"),
    path("notes/<int:pk>/delete/", items.note_delete, name="note_delete"),
    path("commitments/<int:pk>/status/", items.commitment_status, name="commitment_status"),
    path("team/", team.team, name="teams"),
    path("team/<str:manager_sf_id>/", team.team, name="team"),
    path("reps/<str:sf_id>/", rep.rep, name="rep"),
    path("sync/", sync.sync, name="sync"),
    path("sync/start/", sync.sync_start, name="sync_start"),
    path("sync/runs/<int:pk>/", sync.sync_run, name="sync_run"),
    path("settings/", settings.settings_page, name="settings"),
    path("settings/rules/", settings.rules, name="rules"),
    path("settings/deal-flags/", deal_flags.deal_flags, name="deal-flags"),
    path("settings/rules/<str:code>/", settings.rule, name="rule"),
    path("settings/invites/", accounts.invites, name="invites"),
    path("settings/members/", members.members, name="members"),
    path("settings/members/<int:pk>/suspend/", members.suspend, name="suspend_member"),
    path("settings/members/<int:pk>/restore/", members.restore, name="restore_member"),
    path("settings/keys/<int:pk>/revoke/", members.revoke_key, name="revoke_key"),
    path("settings/access-log/", members.access_log, name="access_log"),
    path("invite/<str:token>/", accounts.accept, name="accept_invite"),
    path("accounts/signin/", accounts.SignInView.as_view(), name="signin"),
    path("accounts/signout/", LogoutView.as_view(), name="signout"),
]
