"""From Salesforce records (REST JSON dicts) to row tuples for one object's table.

``plan_fields`` reads the object's describe and decides what to select: our mapped fields that the org
has, the ones it lacks (optional: skipped and reported; required: the object cannot be synced), and every
other field of the org, kept raw in ``extra``. ``RecordMapper`` then turns each page into row tuples in
``spec.columns()`` order with converters built once per field. Nothing on a page can take the rest down:
- a value no encoder takes (a lone UTF-16 surrogate, NUL) is repaired and counted;
- text longer than its column is cut, counted, and kept whole in ``extra`` under its Salesforce name;
- an optional field that cannot be converted leaves its column empty and is flagged (a ``RecordError``
  with its field), the rest of the row is saved;
- a record without a usable Id or stamp, or with a required field that fails, becomes a ``RecordError``
  with its id, field and reason, and the rest of the page is kept.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import Any

from coachapp.errors import CoachappError, InvalidInput
from integrations.salesforce.catalogue import AUDIT_FIELDS, UNSELECTABLE_TYPES, FieldMap, SObjectSpec
from integrations.salesforce.converters import Converter, boolean, converter_for, moment, reference, repair_json

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


# (describe type, converter kind) pairs whose converter reads a Bulk cell's text (a datetime ending in Z, true or
# false) as it reads the value the Bulk reader would type that cell to: typing them first only costs a call a cell.
_READS_TEXT = frozenset({("datetime", "datetime"), ("boolean", "bool")})


def cell_types(spec: SObjectSpec, field_types: dict[str, str]) -> dict[str, str]:
    """The describe types by which the Bulk reader types an object's cells before ``RecordMapper.map_cells``: all
    but those of fields whose converters read the text alike (the mapped ones; ``extra`` keeps values typed)."""
    read = [(_CREATED, "datetime"), (spec.mark_field, "datetime"), (_DELETED, "bool")]
    read += [(item.sf_name, item.kind) for item in spec.fields]
    untyped = {name for name, kind in read if (field_types.get(name), kind) in _READS_TEXT}
    return {name: described for name, described in field_types.items() if name not in untyped}


@dataclass(frozen=True)
class RecordError:
    sf_id: str
    reason: str
    field: str = ""
    saved: bool = False  # the row was saved without this field (flagged), rather than refused whole


@dataclass
class MappedPage:
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)  # refused records and flagged fields
    fetched: int = 0
    deleted: int = 0  # rows that arrived in the recycle bin (IsDeleted)
    high_water: datetime | None = None  # the greatest mark value on the page, mapped or not
    repaired: int = 0
    truncated: int = 0
    resume: Any = None  # where a Bulk download goes on once this page is saved (``bulk.Resume``), if it says

    @property
    def flagged(self) -> int:
        return sum(1 for error in self.errors if error.saved)

    @property
    def refused(self) -> int:
        return sum(1 for error in self.errors if not error.saved)


class _Tally:
    """What the text converters changed while mapping one record (see ``converters.Notes``)."""

    def __init__(self) -> None:
        self.repairs = 0
        self.cut: dict[str, str] = {}

    def repaired(self, name: str) -> None:
        self.repairs += 1

    def truncated(self, name: str, full: str) -> None:
        self.cut[name] = full


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
        self._tally = _Tally()
        self._fields: list[tuple[str | None, Converter, FieldMap]] = []
        for item in spec.fields:
            convert = converter_for(item.kind, spec.model_field(item.column), self._tally, item.sf_name)
            # A field the org lacks reads as None: the converter gives the column's empty value.
            self._fields.append((item.sf_name if item.sf_name in present else None, convert, item))
        self._required = [
            (position, item.sf_name) for position, (_, _, item) in enumerate(self._fields) if item.required
        ]
        self._fixed = tuple(spec.fixed_values().values())
        self._extra = plan.extra
        self._names: list[Any] = [name for name, _, _ in self._fields]  # None for a field the org lacks
        self._converters = [convert for _, convert, _ in self._fields]

    def map_page(self, records: Iterable[dict[str, Any]]) -> MappedPage:
        """Map REST-shaped records (dicts by field name). Its own loop, not ``map_cells``'s: reading a dict's
        values into a list first, to share one, cost REST 0.6-0.9 µs a record (about a tenth of mapping it)."""
        page = MappedPage()
        positions: dict[str, int] = {}
        rows = page.rows
        fields = [(name, convert) for name, convert, _ in self._fields]
        extra_names = self._extra
        tally = self._tally
        for record in records:
            page.fetched += 1
            get = record.get
            try:
                stamp = self._stamp(get(self._mark))
                if stamp is not None and (page.high_water is None or stamp > page.high_water):
                    page.high_water = stamp
            except ValueError:
                stamp = None
            tally.repairs = 0
            tally.cut = {}
            try:
                row = self._map(record, get, stamp, fields, extra_names, page)
            except ValueError as exc:
                page.errors.append(_refusal(exc, get(_ID)))
                continue
            finally:
                page.repaired += tally.repairs
            page.truncated += len(tally.cut)
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

    def _map(
        self, record: dict[str, Any], get: Any, stamp: datetime | None, fields: Any, extra_names: Any, page: MappedPage
    ) -> tuple:
        sf_id = self._id(get(_ID))
        if not sf_id:
            raise InvalidInput("the record has no Id")
        if stamp is None:
            raise _FieldError(f"{self._mark}: missing or not a datetime ({get(self._mark)!r})")
        try:
            values = [convert(get(name) if name else None) for name, convert in fields]
        except (ValueError, TypeError):
            values = self._convert_each([get(name) if name else None for name in self._names], sf_id, page)
        for position, name in self._required:
            if values[position] in ("", None):
                raise _FieldError(f"{name}: required but empty")
        try:
            deleted = self._bool(get(_DELETED))
            created = self._stamp(get(_CREATED))
        except ValueError as exc:
            raise InvalidInput(f"IsDeleted or CreatedDate: {exc}") from None
        extra = {}
        for name in extra_names:
            value = get(name)
            if value is None:
                continue
            if type(value) is not str or not value.isascii():
                value, repairs = repair_json(value)
                self._tally.repairs += repairs
            extra[name] = value
        if self._tally.cut:
            # The column holds what fits; the whole text stays with the row.
            extra.update(self._tally.cut)
        return (sf_id, created, stamp, deleted, stamp if deleted else None, extra, *values, *self._fixed)

    def map_cells(self, header: Sequence[str], rows: Iterable[list[Any]]) -> MappedPage:
        """Map rows of cells in ``header``'s order (Bulk API results: ``bulk.rows_from_csv``), read by position
        with no dict a row; each row gets one more cell, None, that the fields the header lacks read."""
        page, positions = MappedPage(), dict[str, int]()
        missing = len(header)
        at = {name: position for position, name in enumerate(header)}
        base = [at.get(name, missing) for name in (_ID, self._mark, _DELETED, _CREATED)]
        pick = _picker([at.get(name, missing) if name else missing for name in self._names])
        pick_extra = _picker([at.get(name, missing) for name in self._extra])
        id_at, mark_at, deleted_at, created_at = base
        take = self._take_cells
        for cells in rows:
            cells.append(None)
            take(page, positions, cells[id_at], cells[mark_at], cells[deleted_at], cells[created_at], pick(cells),
                 pick_extra(cells))  # fmt: skip
        page.deleted = sum(1 for row in page.rows if row[3])
        return page

    def _take_cells(
        self,
        page: MappedPage,
        positions: dict[str, int],
        raw_id: Any,
        raw_stamp: Any,
        raw_deleted: Any,
        raw_created: Any,
        raw: Sequence[Any],
        extras: Sequence[Any],
    ) -> None:
        """Map one record (its values as fetched: the mapped fields' in ``_fields`` order, the extra ones' in
        ``_extra`` order) onto ``page``: its row, or the error that refuses it. One call a record, on the hot path
        of every sync: the steps are inline."""
        page.fetched += 1
        to_stamp, tally = self._stamp, self._tally
        try:
            stamp = to_stamp(raw_stamp)
            if stamp is not None and (page.high_water is None or stamp > page.high_water):
                page.high_water = stamp
        except ValueError:
            stamp = None
        tally.repairs = 0
        tally.cut = {}
        try:
            sf_id = self._id(raw_id)
            if not sf_id:
                raise InvalidInput("the record has no Id")
            if stamp is None:
                raise _FieldError(f"{self._mark}: missing or not a datetime ({raw_stamp!r})")
            try:
                # The same length by construction (strict would only cost).
                values = [convert(value) for convert, value in zip(self._converters, raw, strict=False)]
            except (ValueError, TypeError):
                values = self._convert_each(raw, sf_id, page)
            for position, name in self._required:
                if values[position] in ("", None):
                    raise _FieldError(f"{name}: required but empty")
            try:
                deleted = self._bool(raw_deleted)
                created = to_stamp(raw_created)
            except ValueError as exc:
                raise InvalidInput(f"IsDeleted or CreatedDate: {exc}") from None
        except ValueError as exc:
            page.errors.append(_refusal(exc, raw_id))
            page.repaired += tally.repairs
            return
        extra = {}
        for name, value in zip(self._extra, extras, strict=False):
            if value is None:
                continue
            if type(value) is not str or not value.isascii():
                value, repairs = repair_json(value)
                tally.repairs += repairs
            extra[name] = value
        page.repaired += tally.repairs
        if tally.cut:
            # The column holds what fits; the whole text stays with the row.
            extra.update(tally.cut)
            page.truncated += len(tally.cut)
        row = (sf_id, created, stamp, deleted, stamp if deleted else None, extra, *values, *self._fixed)
        rows = page.rows
        earlier = positions.get(sf_id)
        if earlier is None:
            positions[sf_id] = len(rows)
            rows.append(row)
        elif stamp >= rows[earlier][2]:
            # One id twice on a page (a retried page, a change mid-query): the newer version wins.
            rows[earlier] = row

    def _convert_each(self, raw: Sequence[Any], sf_id: str, page: MappedPage) -> list[Any]:
        """The slow path, for a record with a field that does not convert: a required field refuses the
        record; any other saves the row with that column empty and the field flagged."""
        values = []
        for (name, convert, item), value in zip(self._fields, raw, strict=False):
            try:
                values.append(convert(value))
            except (ValueError, TypeError) as exc:
                if item.required:
                    raise _FieldError(f"{name}: {exc}") from None
                page.errors.append(RecordError(sf_id, f"{exc}; saved without it", name or "", saved=True))
                values.append(convert(None))
        return values


def _picker(positions: list[int]) -> Callable[[list[Any]], Sequence[Any]]:
    """A row's cells at ``positions``, as one C-level call (``itemgetter`` gives a lone value for one position)."""
    if len(positions) == 1:
        only = positions[0]
        return lambda cells: (cells[only],)
    if not positions:
        return lambda cells: ()
    return itemgetter(*positions)


class _FieldError(InvalidInput):
    """A record refused because of one field: ``"<field>: <reason>"``."""


def _refusal(exc: ValueError, raw_id: Any) -> RecordError:
    """The error that refuses a record: its id as fetched (cut to 18), and the field a ``_FieldError`` names."""
    name, _, reason = str(exc).partition(": ") if isinstance(exc, _FieldError) else ("", "", str(exc))
    return RecordError(raw_id[:18] if isinstance(raw_id, str) else "", reason or str(exc), name)
