from django.contrib.admin.apps import AdminConfig


class OperatorsAdminConfig(AdminConfig):
    """The Django admin, with a site only installation operators (superusers) may enter."""

    default_site = "coachapp.admin_site.OperatorsAdminSite"
