from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API for widgets inside Salesforce: its models (API keys), admin and commands live here."""

    name = "coaching.api"
    label = "api"
    verbose_name = "REST API"
