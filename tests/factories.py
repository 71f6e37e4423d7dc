"""factory-boy factories for the rows tests build: one per coaching model (and the Salesforce connection).

Synced rows get valid 18-character Salesforce ids with their object's key prefix and sensible defaults;
references between rows are CRM ids, so pass them explicitly (``OpportunityFactory(owner_sf_id=rep.sf_id)``)
or use the ``owner=``/``opportunity=``/``product=`` conveniences where a factory offers them. Every synced
row belongs to an org: pass ``org=`` to keep a test's rows in one org (left out, each row gets a new org,
except rows built from an ``opportunity=``, which take the deal's).
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import factory

from coaching.models import Family, Gap, MetricSnapshot, Snooze
from crm.models import (
    Account,
    Activity,
    ContactRole,
    LineItem,
    Opportunity,
    OpportunityChange,
    Org,
    Person,
    Product,
    Quota,
)
from integrations.models import SalesforceConnection
from integrations.salesforce.ids import salesforce_id

# Fixed, so that tests do not depend on the day they run; pass created_date= for anything date-sensitive.
CREATED = datetime(2024, 1, 2, 9, 30, tzinfo=UTC)


def crm_id(prefix: str) -> factory.Sequence:
    return factory.Sequence(lambda n: salesforce_id(prefix, n + 1))


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


class SyncedRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    org = factory.SubFactory(OrgFactory)
    created_date = CREATED
    system_modstamp = factory.LazyAttribute(lambda row: row.created_date)
    is_deleted = False
    deleted_at = factory.LazyAttribute(lambda row: row.system_modstamp if row.is_deleted else None)


class PersonFactory(SyncedRecordFactory):
    """A CRM user. Give ``manager_sf_id`` (or ``manager=`` a Person) to make a rep."""

    class Meta:
        model = Person
        exclude = ("manager",)

    sf_id = crm_id("005")
    manager = None
    name = factory.Sequence(lambda n: f"Person {n}")
    username = factory.LazyAttribute(lambda person: f"{person.name.lower().replace(' ', '.')}@example.com")
    email = factory.LazyAttribute(lambda person: person.username)
    title = "Account Executive"
    is_active = True
    manager_sf_id = factory.LazyAttribute(lambda person: person.manager.sf_id if person.manager else "")
    time_zone = "America/New_York"


class AccountFactory(SyncedRecordFactory):
    class Meta:
        model = Account

    sf_id = crm_id("001")
    name = factory.Sequence(lambda n: f"Account {n}")
    owner_sf_id = ""
    industry = "Technology"


class OpportunityFactory(SyncedRecordFactory):
    """An open deal by default; ``won=True`` / ``lost=True`` close it (CloseDate stays as given)."""

    class Meta:
        model = Opportunity
        exclude = ("owner", "won", "lost")

    class Params:
        won = factory.Trait(is_closed=True, is_won=True, stage="Closed Won", probability=100.0)
        lost = factory.Trait(is_closed=True, is_won=False, stage="Closed Lost", probability=0.0)

    sf_id = crm_id("006")
    owner = None
    owner_sf_id = factory.LazyAttribute(lambda deal: deal.owner.sf_id if deal.owner else "")
    name = factory.Sequence(lambda n: f"Deal {n}")
    account_sf_id = ""
    stage = "Prospecting"
    amount = Decimal("10000.00")
    close_date = date(2024, 6, 28)
    probability = 10.0
    forecast_category = "Pipeline"
    is_closed = False
    is_won = False
    next_step = "Follow up"


class OpportunityChangeFactory(SyncedRecordFactory):
    """One OpportunityHistory row. ``opportunity=`` copies the deal's org and id."""

    class Meta:
        model = OpportunityChange
        exclude = ("opportunity",)

    sf_id = crm_id("008")
    opportunity = None
    org = factory.LazyAttribute(lambda row: row.opportunity.org if row.opportunity else OrgFactory())
    opportunity_sf_id = factory.LazyAttribute(lambda row: row.opportunity.sf_id if row.opportunity else "")
    stage = "Prospecting"
    amount = Decimal("10000.00")
    close_date = date(2024, 6, 28)
    probability = 10.0
    prev_amount = None
    prev_close_date = None


class ProductFactory(SyncedRecordFactory):
    class Meta:
        model = Product

    sf_id = crm_id("01t")
    name = factory.Sequence(lambda n: f"Product {n}")
    code = factory.Sequence(lambda n: f"P-{n:04d}")
    family = "Software"
    is_active = True


class LineItemFactory(SyncedRecordFactory):
    """An OpportunityLineItem. ``opportunity=`` and ``product=`` fill the ids (and the org)."""

    class Meta:
        model = LineItem
        exclude = ("opportunity", "product")

    sf_id = crm_id("00k")
    opportunity = None
    product = None
    org = factory.LazyAttribute(lambda row: row.opportunity.org if row.opportunity else OrgFactory())
    opportunity_sf_id = factory.LazyAttribute(lambda row: row.opportunity.sf_id if row.opportunity else "")
    product_sf_id = factory.LazyAttribute(lambda row: row.product.sf_id if row.product else "")
    quantity = 1.0
    unit_price = Decimal("1000.00")
    list_price = factory.LazyAttribute(lambda row: row.unit_price)
    total_price = factory.LazyAttribute(lambda row: Decimal(str(row.quantity)) * row.unit_price)
    discount = None


class ContactRoleFactory(SyncedRecordFactory):
    class Meta:
        model = ContactRole
        exclude = ("opportunity",)

    sf_id = crm_id("00K")
    opportunity = None
    org = factory.LazyAttribute(lambda row: row.opportunity.org if row.opportunity else OrgFactory())
    opportunity_sf_id = factory.LazyAttribute(lambda row: row.opportunity.sf_id if row.opportunity else "")
    contact_sf_id = crm_id("003")
    role = "Decision Maker"
    is_primary = False


class TaskFactory(SyncedRecordFactory):
    """A completed call by default (``is_closed=False`` for an open to-do)."""

    class Meta:
        model = Activity
        exclude = ("owner",)

    sf_id = crm_id("00T")
    kind = Activity.Kind.TASK
    owner = None
    owner_sf_id = factory.LazyAttribute(lambda row: row.owner.sf_id if row.owner else "")
    subject = "Call"
    what_sf_id = ""
    who_sf_id = ""
    type = "Call"
    subtype = "Call"
    status = factory.LazyAttribute(lambda row: "Completed" if row.is_closed else "Not Started")
    is_closed = True
    activity_date = date(2024, 6, 3)
    completed_at = factory.LazyAttribute(
        lambda row: (
            datetime.combine(row.activity_date, datetime.min.time(), tzinfo=UTC) + timedelta(hours=15)
            if row.is_closed and row.activity_date
            else None
        )
    )


class EventFactory(SyncedRecordFactory):
    """A meeting; ``start_at`` drives which day it counts on."""

    class Meta:
        model = Activity
        exclude = ("owner",)

    sf_id = crm_id("00U")
    kind = Activity.Kind.EVENT
    owner = None
    owner_sf_id = factory.LazyAttribute(lambda row: row.owner.sf_id if row.owner else "")
    subject = "Meeting"
    what_sf_id = ""
    who_sf_id = ""
    type = "Meeting"
    subtype = "Event"
    start_at = datetime(2024, 6, 3, 15, 0, tzinfo=UTC)
    end_at = factory.LazyAttribute(lambda row: row.start_at + timedelta(minutes=30) if row.start_at else None)
    activity_date = factory.LazyAttribute(lambda row: row.start_at.date() if row.start_at else None)
    duration_minutes = 30


class QuotaFactory(SyncedRecordFactory):
    class Meta:
        model = Quota
        exclude = ("owner",)

    sf_id = crm_id("0J9")
    source = Quota.Source.CRM
    owner = None
    owner_sf_id = factory.LazyAttribute(lambda row: row.owner.sf_id if row.owner else "")
    amount = Decimal("100000.00")
    start_date = date(2024, 4, 1)


class MetricSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MetricSnapshot

    org = factory.SubFactory(OrgFactory)
    person_sf_id = crm_id("005")
    manager_sf_id = ""
    as_of = date(2024, 6, 30)
    week_start = factory.LazyAttribute(lambda row: row.as_of - timedelta(days=row.as_of.weekday()))
    name = "win_rate"
    value = 0.5
    n = 10
    window_start = factory.LazyAttribute(lambda row: row.as_of - timedelta(days=181))
    window_end = factory.LazyAttribute(lambda row: row.as_of)
    details = factory.LazyFunction(dict)


class GapFactory(factory.django.DjangoModelFactory):
    """A rep-level gap (pass ``opportunity_sf_id`` for a deal-level one, ``is_strength=True`` for a strength)."""

    class Meta:
        model = Gap

    org = factory.SubFactory(OrgFactory)
    week_start = date(2024, 6, 24)
    code = "WIN_RATE_LOW"
    family = Family.HOW
    person_sf_id = crm_id("005")
    manager_sf_id = ""
    metric = "win_rate"
    value = 0.18
    team_value = 0.31
    org_value = 0.29
    n = 22
    severity = 0.6
    confidence = 0.8
    revenue_at_stake = Decimal("100000.00")
    first_week = factory.LazyAttribute(lambda gap: gap.week_start)
    weeks_open = 1
    evidence = factory.LazyFunction(dict)


class SnoozeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Snooze

    org = factory.SubFactory(OrgFactory)
    code = "WIN_RATE_LOW"
    person_sf_id = crm_id("005")
    reason = "On leave until the end of the month"
    until = date(2024, 12, 31)
