from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Its own app (label ``portal``) so that its template tags and management commands are found."""

    name = "coaching.portal"
    label = "portal"
    verbose_name = "Manager portal"
