"""factory-boy factories for the rows tests build."""

from datetime import date, timedelta
from decimal import Decimal

import factory

from coaching.models import Family, Gap, MetricSnapshot, Opportunity, Org, Person, Snooze
from integrations.models import SalesforceConnection


class OrgFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Org
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"org{n}")
    display_name = factory.LazyAttribute(lambda org: org.name.title())


class SalesforceConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesforceConnection

    org = factory.SubFactory(OrgFactory)
    auth_method = SalesforceConnection.AuthMethod.EMULATOR
    instance_url = "https://acme.my.salesforce.com"


def _sf_id(prefix: str):
    """18-character CRM-like ids: key prefix then a zero-padded sequence (unique per factory)."""
    return factory.Sequence(lambda n: f"{prefix}{n:015d}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    org = factory.SubFactory(OrgFactory)
    sf_id = _sf_id("005")
    name = factory.Sequence(lambda n: f"Person {n}")
    is_active = True
    manager_sf_id = ""


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    org = factory.SubFactory(OrgFactory)
    sf_id = _sf_id("006")
    name = factory.Sequence(lambda n: f"Deal {n}")
    stage = "Negotiation"
    amount = Decimal("50000")
    close_date = factory.LazyFunction(lambda: date.today() + timedelta(days=30))


class GapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Gap

    org = factory.SubFactory(OrgFactory)
    week_start = date(2026, 3, 2)
    code = "WIN_RATE_LOW"
    family = Family.HOW
    person_sf_id = _sf_id("005")
    metric = "win_rate"
    value = 0.18
    team_value = 0.31
    org_value = 0.29
    n = 22
    severity = 0.6
    confidence = 0.8
    revenue_at_stake = Decimal("100000")
    first_week = factory.SelfAttribute("week_start")


class SnoozeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Snooze

    org = factory.SubFactory(OrgFactory)
    code = "WIN_RATE_LOW"
    person_sf_id = _sf_id("005")
    reason = "On leave"
    until = date(2026, 12, 31)


class MetricSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MetricSnapshot

    org = factory.SubFactory(OrgFactory)
    person_sf_id = _sf_id("005")
    week_start = date(2026, 3, 2)
    as_of = factory.SelfAttribute("week_start")
    name = "win_rate"
    value = 0.2
    n = 20
