"""What each object's fields are: the standard ones, plus whatever else the org's data carries.

``schema_for`` gives the typed field map that SOQL validation and evaluation use; ``describe_sobject`` and
``describe_global`` render the REST describe replies from the same source.
"""

import re
from dataclasses import dataclass
from typing import Any

from sfemulator.sfids import looks_like_id
from sfemulator.standard_fields import KEY_PREFIXES, base_fields, standard_fields
from sfemulator.store import OrgStore, Table
from sfemulator.temporal import parse_date, parse_datetime

NUMBER_TYPES = frozenset({"currency", "double", "percent", "int"})
_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
    "anyType": "xsd:anyType",
    **{name: "xsd:double" for name in ("currency", "double", "percent")},
}
_PICKLIST_LIMIT = 500


@dataclass(frozen=True)
class FieldInfo:
    name: str
    type: str
    reference_to: tuple[str, ...] = ()

    @property
    def custom(self) -> bool:
        return self.name.endswith("__c")

    @property
    def relationship_name(self) -> str | None:
        if self.type != "reference":
            return None
        if self.custom:
            return self.name[:-3] + "__r"
        return self.name[:-2] if self.name.endswith("Id") and len(self.name) > 2 else None


@dataclass(frozen=True)
class Schema:
    sobject: str
    fields: dict[str, FieldInfo]  # lower-case name -> field, in describe order
    relationships: dict[str, FieldInfo]  # lower-case relationship name -> its reference field

    def field(self, name: str) -> FieldInfo | None:
        return self.fields.get(name.lower())

    def relationship(self, name: str) -> FieldInfo | None:
        return self.relationships.get(name.lower())


def _samples(table: Table, names: list[str]) -> dict[str, Any]:
    """The first non-null value of each field, scanning no further than needed."""
    pending = set(names)
    found: dict[str, Any] = {}
    for record in table.records:
        if not pending:
            break
        for name in [name for name in pending if record.get(name) is not None]:
            found[name] = record[name]
            pending.discard(name)
    return found


def _infer(store: OrgStore, name: str, value: Any) -> FieldInfo | None:
    if isinstance(value, dict | list):
        return None  # nested relationship data, not a field of this object
    if isinstance(value, bool):
        return FieldInfo(name, "boolean")
    if isinstance(value, int | float):
        return FieldInfo(name, "double")
    if value is None:
        return FieldInfo(name, "string")
    text = str(value)
    if looks_like_id(text) and (name.endswith("Id") or name.endswith("__c")):
        prefix = text[:3]
        known = {code: obj for obj, code in KEY_PREFIXES.items()}
        target = store.table_for_prefix(prefix)
        target_name = target.name if target else known.get(prefix)
        if target_name or not name.endswith("__c"):
            return FieldInfo(name, "reference", (target_name,) if target_name else ())
    if parse_date(text):
        return FieldInfo(name, "date")
    if "T" in text and parse_datetime(text):
        return FieldInfo(name, "datetime")
    return FieldInfo(name, "textarea" if len(text) > 255 else "string")


def _declared(sobject: str) -> dict[str, FieldInfo]:
    declared = standard_fields(sobject) or base_fields()
    fields = {}
    for name, spec in declared.items():
        info = FieldInfo(name, spec[0], tuple(spec[1])) if isinstance(spec, tuple) else FieldInfo(name, spec)
        fields[name.lower()] = info
    return fields


def schema_for(store: OrgStore, sobject: str) -> Schema | None:
    """The fields of ``sobject`` (its API name), or None when the org lacks the object."""
    table = store.table(sobject)
    if table is None:
        return None
    cached = table.derived.get("schema")
    if cached is not None:
        return cached
    fields = _declared(sobject)
    extra = sorted(name for lower, name in table.fields.items() if lower not in fields)
    samples = _samples(table, extra)
    for name in extra:
        info = _infer(store, name, samples.get(name))
        if info is not None:
            fields[name.lower()] = info
    relationships = {}
    for info in fields.values():
        if info.relationship_name:
            relationships[info.relationship_name.lower()] = info
    schema = Schema(sobject, fields, relationships)
    table.derived["schema"] = schema
    return schema


def _label(name: str) -> str:
    base = name[:-3] if name.endswith("__c") else name
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", base).replace("_", " ")


def _picklist_values(table: Table, names: list[str]) -> dict[str, list[str]]:
    cached = table.derived.get("picklists")
    if cached is None:
        seen: dict[str, dict[str, None]] = {name: {} for name in names}
        for record in table.records:
            for name, values in seen.items():
                value = record.get(name)
                if isinstance(value, str) and len(values) < _PICKLIST_LIMIT:
                    values.setdefault(value, None)
        cached = {name: list(values) for name, values in seen.items()}
        table.derived["picklists"] = cached
    return cached


def _field_describe(info: FieldInfo, picklist: list[str]) -> dict[str, Any]:
    audit = info.name in ("Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate", "SystemModstamp")
    length = {"id": 18, "reference": 18, "string": 255, "picklist": 255, "textarea": 32000}.get(info.type, 0)
    return {
        "name": info.name,
        "label": "Record ID" if info.name == "Id" else _label(info.name),
        "type": info.type,
        "soapType": _SOAP_TYPES.get(info.type, "xsd:string"),
        "length": length,
        "nillable": not audit and info.type != "boolean",
        "custom": info.custom,
        "calculated": False,
        "filterable": info.type != "textarea",
        "sortable": info.type != "textarea",
        "groupable": info.type not in NUMBER_TYPES | {"textarea", "datetime"},
        "createable": not audit,
        "updateable": not audit,
        "idLookup": info.name == "Id",
        "externalId": False,
        "unique": False,
        "referenceTo": list(info.reference_to),
        "relationshipName": info.relationship_name,
        "picklistValues": [
            {"active": True, "defaultValue": False, "label": value, "validFor": None, "value": value}
            for value in picklist
        ],
    }


def _object_summary(store: OrgStore, sobject: str, version: str) -> dict[str, Any]:
    base = f"/services/data/v{version}/sobjects/{sobject}"
    prefix = KEY_PREFIXES.get(sobject)
    if prefix is None:
        table = store.table(sobject)
        prefix = table.key_prefix if table else None
    return {
        "name": sobject,
        "label": _label(sobject),
        "labelPlural": _label(sobject) + "s",
        "keyPrefix": prefix,
        "custom": sobject.endswith("__c"),
        "queryable": True,
        "retrieveable": True,
        "replicateable": True,
        "searchable": True,
        "createable": False,
        "updateable": False,
        "deletable": False,
        "urls": {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"},
    }


def describe_sobject(store: OrgStore, sobject: str, version: str) -> dict[str, Any] | None:
    schema = schema_for(store, sobject)
    table = store.table(sobject)
    if schema is None or table is None:
        return None
    picklists = _picklist_values(table, [info.name for info in schema.fields.values() if info.type == "picklist"])
    return {
        **_object_summary(store, sobject, version),
        "fields": [_field_describe(info, picklists.get(info.name, [])) for info in schema.fields.values()],
        "childRelationships": [],
        "recordTypeInfos": [],
    }


def describe_global(store: OrgStore, version: str) -> dict[str, Any]:
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [_object_summary(store, name, version) for name in store.object_names()],
    }
