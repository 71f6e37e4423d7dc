"""From Salesforce records (REST JSON dicts) to row tuples for one object's table.

``plan_fields`` reads the object's describe and decides what to select: our mapped fields that the org
has, the ones it lacks (optional: skipped and reported; required: the object cannot be synced), and every
other field of the org, kept raw in ``extra``. ``RecordMapper`` then turns each page into row tuples in
``spec.columns()`` order with converters built once per field; a record that cannot be mapped becomes a
``RecordError`` with its id and reason, and the rest of the page is kept.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from coachapp.errors import CoachappError, InvalidInput
from integrations.salesforce.catalogue import AUDIT_FIELDS, UNSELECTABLE_TYPES, FieldMap, SObjectSpec
from integrations.salesforce.converters import Converter, boolean, converter_for, moment, reference

# The standard fields every record brings, read into the base columns.
_ID, _CREATED, _DELETED = "Id", "CreatedDate", "IsDeleted"


class FieldPlanError(CoachappError):
    """The org lacks a field the object cannot be synced without."""


@dataclass(frozen=True)
class FieldPlan:
    spec: SObjectSpec
    present: tuple[FieldMap, ...]  # mapped fields the org has
    missing: tuple[str, ...]  # optional mapped fields the org lacks: their columns get the empty value
    extra: tuple[str, ...]  # the org's other fields, kept raw in ``extra``

    def select_list(self) -> list[str]:
        base = [_ID, _CREATED, self.spec.mark_field, _DELETED]
        mapped = [item.sf_name for item in self.present if item.sf_name not in base]
        return base + mapped + [name for name in self.extra if name not in base and name not in mapped]

    @property
    def skipped_message(self) -> str:
        if not self.missing:
            return ""
        return f"this org lacks {', '.join(self.missing)}; those columns stay empty"


def plan_fields(spec: SObjectSpec, describe: dict[str, Any]) -> FieldPlan:
    """What to select for ``spec`` given the org's describe of the object; FieldPlanError if it cannot sync."""
    described = {item["name"]: item for item in describe.get("fields", []) if isinstance(item, dict)}
    lacking_base = [name for name in (_ID, spec.mark_field) if name not in described]
    lacking_required = [item.sf_name for item in spec.fields if item.required and item.sf_name not in described]
    if lacking_base or lacking_required:
        raise FieldPlanError(
            f"{spec.name} in this org has no {', '.join(lacking_base + lacking_required)}, which the sync needs; "
            "check the integration user's field-level security."
        )
    present = tuple(item for item in spec.fields if item.sf_name in described)
    missing = tuple(item.sf_name for item in spec.fields if item.sf_name not in described)
    known = {*spec.mapped_fields, _ID, _CREATED, _DELETED, spec.mark_field, "SystemModstamp", *AUDIT_FIELDS}
    extra = tuple(
        name for name, item in described.items() if name not in known and item.get("type") not in UNSELECTABLE_TYPES
    )
    return FieldPlan(spec, present, missing, extra)


@dataclass(frozen=True)
class RecordError:
    sf_id: str
    reason: str


@dataclass
class MappedPage:
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    fetched: int = 0
    deleted: int = 0  # rows that arrived in the recycle bin (IsDeleted)
    high_water: datetime | None = None  # the greatest mark value on the page, mapped or not


class RecordMapper:
    """Maps pages of one object's records; built once per object run from its ``FieldPlan``."""

    def __init__(self, plan: FieldPlan) -> None:
        spec = plan.spec
        self.plan = plan
        self._id = reference()
        self._stamp = moment()
        self._bool = boolean()
        self._mark = spec.mark_field
        present = {item.sf_name: item for item in plan.present}
        self._fields: list[tuple[str | None, Converter, FieldMap]] = []
        for item in spec.fields:
            convert = converter_for(item.kind, spec.model_field(item.column))
            # A field the org lacks reads as None: the converter gives the column's empty value.
            self._fields.append((item.sf_name if item.sf_name in present else None, convert, item))
        self._required = [
            (position, item.sf_name) for position, (_, _, item) in enumerate(self._fields) if item.required
        ]
        self._fixed = tuple(spec.fixed_values().values())
        self._extra = plan.extra

    def map_page(self, records: Iterable[dict[str, Any]]) -> MappedPage:
        page = MappedPage()
        positions: dict[str, int] = {}
        rows = page.rows
        fields = [(name, convert) for name, convert, _ in self._fields]
        extra_names = self._extra
        for record in records:
            page.fetched += 1
            get = record.get
            try:
                stamp = self._stamp(get(self._mark))
                if stamp is not None and (page.high_water is None or stamp > page.high_water):
                    page.high_water = stamp
            except ValueError:
                stamp = None
            try:
                row = self._map(record, get, stamp, fields, extra_names)
            except ValueError as exc:
                page.errors.append(RecordError(_raw_id(record), str(exc)))
                continue
            sf_id = row[0]
            earlier = positions.get(sf_id)
            if earlier is None:
                positions[sf_id] = len(rows)
                rows.append(row)
            elif row[2] >= rows[earlier][2]:
                # One id twice on a page (a retried page, a change mid-query): the newer version wins.
                rows[earlier] = row
        page.deleted = sum(1 for row in rows if row[3])
        return page

    def _map(self, record: dict[str, Any], get: Any, stamp: datetime | None, fields: Any, extra_names: Any) -> tuple:
        sf_id = self._id(get(_ID))
        if not sf_id:
            raise InvalidInput("the record has no Id")
        if stamp is None:
            raise InvalidInput(f"{self._mark} is missing or not a datetime ({get(self._mark)!r})")
        try:
            values = [convert(get(name) if name else None) for name, convert in fields]
        except (ValueError, TypeError):
            raise InvalidInput(self._explain(record)) from None
        for position, name in self._required:
            if values[position] in ("", None):
                raise InvalidInput(f"{name} is required but empty")
        try:
            deleted = self._bool(get(_DELETED))
            created = self._stamp(get(_CREATED))
        except ValueError as exc:
            raise InvalidInput(f"IsDeleted or CreatedDate: {exc}") from None
        extra = {name: value for name in extra_names if (value := get(name)) is not None}
        return (sf_id, created, stamp, deleted, stamp if deleted else None, extra, *values, *self._fixed)

    def _explain(self, record: dict[str, Any]) -> str:
        """Which field failed and why: the slow path, taken only for a record already known to be bad."""
        for name, convert, _ in self._fields:
            if name is None:
                continue
            try:
                convert(record.get(name))
            except (ValueError, TypeError) as exc:
                return f"{name}: {exc}"
        return "a field could not be converted"


def _raw_id(record: Any) -> str:
    value = record.get(_ID) if isinstance(record, dict) else None
    return value[:18] if isinstance(value, str) else ""
