"""What the sync reads from Salesforce and where it lands: one ``SObjectSpec`` per synced object.

A spec names the target model, the field map (Salesforce API name → our column, with the converter kind
that turns the JSON value into the column's value), which fields the object cannot be synced without,
the high-water-mark field, and the scope its rows share with other objects in the same table (Task and
Event both fill ``Activity``; CRM quotas share ``Quota`` with admin-entered ones). ``CATALOGUE`` lists the
specs in dependency order: people and products first, then accounts, deals and what hangs off deals.

Only ``integrations`` knows Salesforce's field names; ``coaching`` reads our models.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import models

from crm.models import (
    Account,
    Activity,
    ContactRole,
    LineItem,
    Opportunity,
    OpportunityChange,
    Person,
    Product,
    Quota,
    SyncedRecord,
)

# Columns every synced row has, filled from the standard fields every object has.
BASE_COLUMNS = ("sf_id", "created_date", "system_modstamp", "is_deleted", "deleted_at", "extra")

# Standard audit fields that say nothing coaching can use: never copied into ``extra``.
AUDIT_FIELDS = frozenset(
    {"LastModifiedDate", "LastModifiedById", "CreatedById", "LastViewedDate", "LastReferencedDate"}
)
# Describe types a REST query cannot return usefully row by row (compound and binary fields).
UNSELECTABLE_TYPES = frozenset({"address", "location", "base64", "complexvalue"})


@dataclass(frozen=True)
class FieldMap:
    sf_name: str
    column: str
    kind: str  # a converter kind: text, id, bool, int, float, money, date, datetime, seconds_to_minutes
    required: bool = False  # the object cannot be synced without it, and a record without a value is refused


@dataclass(frozen=True)
class SObjectSpec:
    name: str
    model: type[SyncedRecord]
    fields: tuple[FieldMap, ...]
    # Columns the object sets to one value, which also scope its rows within a shared table.
    constants: dict[str, Any] = field(default_factory=dict)
    # An org may lack the object (no Collaborative Forecasts) or deny access to it: skip it with a message.
    optional: bool = False
    mark_field: str = "SystemModstamp"
    # How the object's rows are fetched. Only "rest" (queryAll pages) exists; Bulk API 2.0 for very
    # large objects is planned and will be chosen here.
    strategy: str = "rest"

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def mapped_fields(self) -> tuple[str, ...]:
        return tuple(item.sf_name for item in self.fields)

    def model_field(self, column: str) -> models.Field:
        field = self.model._meta.get_field(column)
        if not isinstance(field, models.Field):  # a reverse relation or a generic key holds no synced value
            raise TypeError(f"{self.model.__name__}.{column} is not a column a sync can write")
        return field

    def fixed_values(self) -> dict[str, Any]:
        """Columns every row of this object gets one value for: the constants, then the model's other
        columns (an Event has no completion time) at their defaults, so that every row fills every column."""
        covered = {*BASE_COLUMNS, *(item.column for item in self.fields), *self.constants}
        fillers = {
            column.attname: column.get_default()
            for column in self.model._meta.concrete_fields
            if column.attname not in covered and not column.primary_key and column.attname != "org_id"
        }
        return {**self.constants, **fillers}

    def columns(self) -> tuple[str, ...]:
        """The columns a mapped row fills, in row order: base, mapped, then fixed values."""
        return BASE_COLUMNS + tuple(item.column for item in self.fields) + tuple(self.fixed_values())


def _f(sf_name: str, column: str, kind: str = "text", *, required: bool = False) -> FieldMap:
    return FieldMap(sf_name, column, kind, required)


_ACTIVITY_COMMON = (
    _f("Subject", "subject"),
    _f("OwnerId", "owner_sf_id", "id"),
    _f("WhatId", "what_sf_id", "id"),
    _f("WhoId", "who_sf_id", "id"),
    _f("Type", "type"),
    _f("ActivityDate", "activity_date", "date"),
)

USER = SObjectSpec(
    "User",
    Person,
    (
        _f("Name", "name", required=True),
        _f("Username", "username"),
        _f("Email", "email"),
        _f("Title", "title"),
        _f("IsActive", "is_active", "bool"),
        _f("ManagerId", "manager_sf_id", "id"),
        _f("UserRoleId", "role_sf_id", "id"),
        _f("TimeZoneSidKey", "time_zone"),
    ),
)

PRODUCT2 = SObjectSpec(
    "Product2",
    Product,
    (
        _f("Name", "name", required=True),
        _f("ProductCode", "code"),
        _f("Family", "family"),
        _f("IsActive", "is_active", "bool"),
    ),
    optional=True,
)

ACCOUNT = SObjectSpec(
    "Account",
    Account,
    (
        _f("Name", "name", required=True),
        _f("OwnerId", "owner_sf_id", "id"),
        _f("ParentId", "parent_sf_id", "id"),
        _f("Industry", "industry"),
        _f("Type", "type"),
        _f("BillingCountry", "billing_country"),
        _f("BillingState", "billing_state"),
        _f("NumberOfEmployees", "employees", "int"),
        _f("AnnualRevenue", "annual_revenue", "money"),
    ),
)

OPPORTUNITY = SObjectSpec(
    "Opportunity",
    Opportunity,
    (
        _f("Name", "name", required=True),
        _f("AccountId", "account_sf_id", "id"),
        _f("OwnerId", "owner_sf_id", "id"),
        _f("StageName", "stage", required=True),
        _f("Amount", "amount", "money"),
        _f("CloseDate", "close_date", "date"),
        _f("Probability", "probability", "float"),
        _f("ForecastCategoryName", "forecast_category"),
        _f("Type", "type"),
        _f("LeadSource", "lead_source"),
        _f("IsClosed", "is_closed", "bool"),
        _f("IsWon", "is_won", "bool"),
        _f("NextStep", "next_step"),
        _f("LastActivityDate", "last_activity_date", "date"),
        _f("HasOpportunityLineItem", "has_line_items", "bool"),
    ),
)

OPPORTUNITY_HISTORY = SObjectSpec(
    "OpportunityHistory",
    OpportunityChange,
    (
        _f("OpportunityId", "opportunity_sf_id", "id", required=True),
        _f("StageName", "stage"),
        _f("Amount", "amount", "money"),
        _f("CloseDate", "close_date", "date"),
        _f("Probability", "probability", "float"),
        _f("ForecastCategory", "forecast_category"),
        _f("ExpectedRevenue", "expected_revenue", "money"),
        _f("PrevAmount", "prev_amount", "money"),
        _f("PrevCloseDate", "prev_close_date", "date"),
        _f("CreatedById", "created_by_sf_id", "id"),
    ),
)

OPPORTUNITY_LINE_ITEM = SObjectSpec(
    "OpportunityLineItem",
    LineItem,
    (
        _f("OpportunityId", "opportunity_sf_id", "id", required=True),
        _f("Product2Id", "product_sf_id", "id"),
        _f("Quantity", "quantity", "float"),
        _f("UnitPrice", "unit_price", "money"),
        _f("ListPrice", "list_price", "money"),
        _f("TotalPrice", "total_price", "money"),
        _f("Discount", "discount", "float"),
        _f("ServiceDate", "service_date", "date"),
    ),
    optional=True,
)

OPPORTUNITY_CONTACT_ROLE = SObjectSpec(
    "OpportunityContactRole",
    ContactRole,
    (
        _f("OpportunityId", "opportunity_sf_id", "id", required=True),
        _f("ContactId", "contact_sf_id", "id"),
        _f("Role", "role"),
        _f("IsPrimary", "is_primary", "bool"),
    ),
    optional=True,
)

TASK = SObjectSpec(
    "Task",
    Activity,
    (
        *_ACTIVITY_COMMON,
        _f("TaskSubtype", "subtype"),
        _f("Status", "status"),
        _f("IsClosed", "is_closed", "bool"),
        _f("CompletedDateTime", "completed_at", "datetime"),
        _f("CallDurationInSeconds", "duration_minutes", "seconds_to_minutes"),
    ),
    constants={"kind": Activity.Kind.TASK.value},
)

EVENT = SObjectSpec(
    "Event",
    Activity,
    (
        *_ACTIVITY_COMMON,
        _f("EventSubtype", "subtype"),
        _f("StartDateTime", "start_at", "datetime"),
        _f("EndDateTime", "end_at", "datetime"),
        _f("DurationInMinutes", "duration_minutes", "int"),
    ),
    constants={"kind": Activity.Kind.EVENT.value},
)

FORECASTING_QUOTA = SObjectSpec(
    "ForecastingQuota",
    Quota,
    (
        _f("QuotaOwnerId", "owner_sf_id", "id", required=True),
        _f("QuotaAmount", "amount", "money"),
        _f("QuotaQuantity", "quantity", "float"),
        _f("StartDate", "start_date", "date", required=True),
    ),
    constants={"source": Quota.Source.CRM.value},
    optional=True,
)

# Dependency order: the rows later objects point at come first, so a partial run leaves few dangling ids.
CATALOGUE: tuple[SObjectSpec, ...] = (
    USER,
    PRODUCT2,
    ACCOUNT,
    OPPORTUNITY,
    OPPORTUNITY_HISTORY,
    OPPORTUNITY_LINE_ITEM,
    OPPORTUNITY_CONTACT_ROLE,
    TASK,
    EVENT,
    FORECASTING_QUOTA,
)
BY_NAME: dict[str, SObjectSpec] = {spec.name: spec for spec in CATALOGUE}
SOBJECT_NAMES: tuple[str, ...] = tuple(BY_NAME)


def spec_for(sobject: str) -> SObjectSpec:
    try:
        return BY_NAME[sobject]
    except KeyError:
        raise KeyError(f"{sobject} is not synced; the catalogue has {', '.join(SOBJECT_NAMES)}") from None
