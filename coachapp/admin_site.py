"""The Django admin site, for installation operators only.

The admin shows every org's data at once, so a staff flag (which Django's own site accepts) is not enough:
only active superusers get in. Org admins manage their own org in the portal (members, keys, the access
log, rules), where the visibility rule keeps them to it.
"""

from django.contrib.admin import AdminSite
from django.http import HttpRequest


class OperatorsAdminSite(AdminSite):
    site_header = "coachapp operators"
    site_title = "coachapp operators"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)
