"""The standard fields of the objects the sync reads, with their describe types and lookup targets.

A field is ``name: type`` or ``name: ("reference", [targets])``. Anything else an org's data carries
(custom fields such as ``Methodology__c``) is added by describe with an inferred type.
"""

from typing import Any

KEY_PREFIXES: dict[str, str] = {
    "User": "005",
    "Account": "001",
    "Contact": "003",
    "Lead": "00Q",
    "Opportunity": "006",
    "OpportunityHistory": "008",
    "OpportunityFieldHistory": "017",
    "Product2": "01t",
    "PricebookEntry": "01u",
    "OpportunityLineItem": "00k",
    "OpportunityContactRole": "00K",
    "Task": "00T",
    "Event": "00U",
    "ForecastingQuota": "0J9",
    "UserRole": "00E",
    "Period": "026",
}

_AUDIT: dict[str, Any] = {
    "Id": "id",
    "IsDeleted": "boolean",
    "CreatedDate": "datetime",
    "CreatedById": ("reference", ["User"]),
    "LastModifiedDate": "datetime",
    "LastModifiedById": ("reference", ["User"]),
    "SystemModstamp": "datetime",
}

_ACTIVITY = {
    "Subject": "string",
    "OwnerId": ("reference", ["User"]),
    "WhatId": ("reference", ["Opportunity", "Account"]),
    "WhoId": ("reference", ["Contact", "Lead"]),
    "ActivityDate": "date",
    "Type": "picklist",
    "Description": "textarea",
    "IsArchived": "boolean",
}

_OWN_FIELDS: dict[str, dict[str, Any]] = {
    "User": {
        "Name": "string",
        "Username": "string",
        "Email": "string",
        "IsActive": "boolean",
        "ManagerId": ("reference", ["User"]),
        "UserRoleId": ("reference", ["UserRole"]),
        "TimeZoneSidKey": "picklist",
        "Title": "string",
        "Street": "textarea",
        "City": "string",
        "State": "string",
        "PostalCode": "string",
        "Country": "string",
        "Latitude": "double",
        "Longitude": "double",
        "GeocodeAccuracy": "picklist",
        "Address": "address",
    },
    "Account": {
        "Name": "string",
        "OwnerId": ("reference", ["User"]),
        "ParentId": ("reference", ["Account"]),
        "Industry": "picklist",
        "Type": "picklist",
        "NumberOfEmployees": "int",
        "AnnualRevenue": "currency",
        # Compound address fields: the components, then the compound (a JSON object in REST, absent from Bulk).
        "BillingStreet": "textarea",
        "BillingCity": "string",
        "BillingState": "string",
        "BillingPostalCode": "string",
        "BillingCountry": "string",
        "BillingLatitude": "double",
        "BillingLongitude": "double",
        "BillingGeocodeAccuracy": "picklist",
        "BillingAddress": "address",
        "ShippingStreet": "textarea",
        "ShippingCity": "string",
        "ShippingState": "string",
        "ShippingPostalCode": "string",
        "ShippingCountry": "string",
        "ShippingLatitude": "double",
        "ShippingLongitude": "double",
        "ShippingGeocodeAccuracy": "picklist",
        "ShippingAddress": "address",
    },
    "Opportunity": {
        "Name": "string",
        "AccountId": ("reference", ["Account"]),
        "OwnerId": ("reference", ["User"]),
        "StageName": "picklist",
        "Amount": "currency",
        "CloseDate": "date",
        "Probability": "percent",
        "ForecastCategoryName": "picklist",
        "IsClosed": "boolean",
        "IsWon": "boolean",
        "Type": "picklist",
        "LeadSource": "picklist",
        "NextStep": "string",
        "LastActivityDate": "date",
        "FiscalQuarter": "int",
        "FiscalYear": "int",
        "HasOpportunityLineItem": "boolean",
    },
    "OpportunityHistory": {
        "OpportunityId": ("reference", ["Opportunity"]),
        "StageName": "picklist",
        "Amount": "currency",
        "CloseDate": "date",
        "Probability": "percent",
        "ForecastCategory": "picklist",
        "ExpectedRevenue": "currency",
        "PrevAmount": "currency",
        "PrevCloseDate": "date",
    },
    "OpportunityFieldHistory": {
        "OpportunityId": ("reference", ["Opportunity"]),
        "Field": "picklist",
        "OldValue": "anyType",
        "NewValue": "anyType",
    },
    "Product2": {"Name": "string", "ProductCode": "string", "Family": "picklist", "IsActive": "boolean"},
    "OpportunityLineItem": {
        "OpportunityId": ("reference", ["Opportunity"]),
        "Product2Id": ("reference", ["Product2"]),
        "PricebookEntryId": ("reference", ["PricebookEntry"]),
        "Quantity": "double",
        "UnitPrice": "currency",
        "ListPrice": "currency",
        "TotalPrice": "currency",
        "Discount": "percent",
        "ServiceDate": "date",
    },
    "OpportunityContactRole": {
        "OpportunityId": ("reference", ["Opportunity"]),
        "ContactId": ("reference", ["Contact"]),
        "Role": "picklist",
        "IsPrimary": "boolean",
    },
    "Task": {
        **_ACTIVITY,
        "Status": "picklist",
        "IsClosed": "boolean",
        "Priority": "picklist",
        "TaskSubtype": "picklist",
        "CallType": "picklist",
        "CallDurationInSeconds": "int",
        "CompletedDateTime": "datetime",
    },
    "Event": {
        **_ACTIVITY,
        "StartDateTime": "datetime",
        "EndDateTime": "datetime",
        "DurationInMinutes": "int",
        "EventSubtype": "picklist",
        "IsAllDayEvent": "boolean",
    },
    "ForecastingQuota": {
        "QuotaOwnerId": ("reference", ["User"]),
        "QuotaAmount": "currency",
        "QuotaQuantity": "double",
        "StartDate": "date",
        "PeriodId": ("reference", ["Period"]),
        "ForecastingTypeId": ("reference", ["ForecastingType"]),
    },
    "Period": {
        "Type": "picklist",
        "StartDate": "date",
        "EndDate": "date",
        "Number": "int",
        "PeriodLabel": "picklist",
        "QuarterLabel": "picklist",
        "FullyQualifiedLabel": "string",
        "IsForecastPeriod": "boolean",
    },
}

# Field history rows are written once: no LastModified* and no SystemModstamp.
_NO_MODSTAMP = {"OpportunityFieldHistory"}


def standard_fields(sobject: str) -> dict[str, Any] | None:
    """The standard fields of ``sobject`` in describe order, or None for an object not listed here."""
    own = _OWN_FIELDS.get(sobject)
    if own is None:
        return None
    audit = dict(_AUDIT)
    if sobject in _NO_MODSTAMP:
        for name in ("LastModifiedDate", "LastModifiedById", "SystemModstamp"):
            del audit[name]
    return {"Id": audit.pop("Id"), **own, **audit}


def base_fields() -> dict[str, Any]:
    """The fields every object has: what an object outside the table above starts from."""
    return dict(_AUDIT)


def has_modstamp(sobject: str) -> bool:
    return sobject not in _NO_MODSTAMP
