"""factory-boy factories for the rows tests build."""

import factory

from coaching.models import Org
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
