"""Running a SOQL query against an org: resolve, filter, sort, slice, and render rows in the REST shape.

The result keeps references to the loaded records, filtered and sorted once; pages are slices of it, and
a row is rendered (``attributes``, nested relationships) only when its page is served.
"""

import bisect
import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sfemulator.describe import schema_for
from sfemulator.recycle_bin import visibility
from sfemulator.soql import Query, parse
from sfemulator.soql_fields import FieldResolver, Hop, ResolvedField, address_of
from sfemulator.soql_filter import NORMALISE, compile_where, datetime_range, family_of
from sfemulator.soql_lexer import soql_error
from sfemulator.store import OrgStore, Table

Record = dict[str, Any]
Renderer = Callable[[Record], dict[str, Any]]


@dataclass(frozen=True)
class QueryResult:
    sobject: str
    total_size: int
    rows: list[Record]  # empty for COUNT()
    render: Renderer
    # The selected fields in SELECT order, each with its typed getter: Bulk API 2.0 writes CSV from these.
    fields: tuple[ResolvedField, ...] = ()
    count: bool = False
    offset: bool = False


class _Shape:
    """The nesting of selected fields: plain fields and relationships, in the order the SELECT names them."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, Hop | None, _Shape | None]] = []
        self._children: dict[str, _Shape] = {}
        self._fields: set[str] = set()
        self.booleans: set[str] = set()  # fields whose missing value reads as false
        self.target_types: set[str] = set()  # a polymorphic lookup's Type: the object reached
        self.addresses: set[str] = set()  # compound addresses, made of their components

    def add(self, resolved: ResolvedField) -> None:
        node = self
        for hop in resolved.hops:
            child = node._children.get(hop.relationship)
            if child is None:
                child = node._children[hop.relationship] = _Shape()
                node.steps.append((hop.relationship, hop, child))
            node = child
        if resolved.field.name not in node._fields:
            node._fields.add(resolved.field.name)
            node.steps.append((resolved.field.name, None, None))
            if resolved.field.type == "boolean":
                node.booleans.add(resolved.field.name)
            elif resolved.target_type:
                node.target_types.add(resolved.field.name)
            elif resolved.field.type == "address":
                node.addresses.add(resolved.field.name)

    def compile(self, url_prefix: str) -> Callable[[Record, str], dict[str, Any]]:
        # Rendering dominates a big query_all: every selected name is read in one C-level pass, which also puts
        # the keys in SELECT order, and only the steps that are not a stored value (a checkbox's missing value,
        # a polymorphic Type, an address, a relationship) are computed after it, in place.
        names = ("attributes", *(name for name, _, _ in self.steps))
        computed: list[tuple[str, str, Any]] = []
        for name, hop, child in self.steps:
            if hop is not None:
                computed.append(("relationship", name, (hop, child.compile(url_prefix) if child is not None else None)))
            elif name in self.booleans:
                computed.append(("boolean", name, None))
            elif name in self.target_types:
                computed.append(("target_type", name, None))
            elif name in self.addresses:
                computed.append(("address", name, None))

        def render(record: Record, sobject: str) -> dict[str, Any]:
            out = dict(zip(names, map(record.get, names), strict=True))
            out["attributes"] = {"type": sobject, "url": f"{url_prefix}{sobject}/{record['Id']}"}
            for kind, name, how in computed:
                if kind == "boolean":
                    value = out[name]
                    if value is not True and value is not False:
                        out[name] = bool(value)
                elif kind == "target_type":
                    out[name] = sobject
                elif kind == "address":
                    out[name] = address_of(record, name)
                else:
                    hop, child = how
                    found = hop.locate(record)
                    out[name] = child(found[1], found[0]) if found is not None else None
            return out

        return render


def _sort_key(resolved: ResolvedField, descending: bool, nulls_last: bool) -> Callable[[Record], tuple[Any, ...]]:
    get = resolved.getter
    norm = NORMALISE[family_of(resolved.field.type)] or (lambda value: value)
    high = (not nulls_last) == descending  # whether nulls must sort as the largest key

    def key(record: Record) -> tuple[Any, ...]:
        value = get(record)
        if value is None:
            return (1,) if high else (0,)
        return (0, norm(value)) if high else (1, norm(value))

    return key


def _sort(rows: list[Record], order: list[tuple[ResolvedField, bool, bool]]) -> None:
    # One stable pass per key, last key first, gives the multi-key order with per-key direction.
    for resolved, descending, nulls_last in reversed(order):
        rows.sort(key=_sort_key(resolved, descending, nulls_last), reverse=descending)


def _first(rows: list[Record], order: list[tuple[ResolvedField, bool, bool]], limit: int) -> list[Record]:
    """The first ``limit`` rows in ``order`` (one key): what sorting them all and cutting gives, without the sort
    (``ORDER BY SystemModstamp LIMIT 1`` over a large object is how a client finds its first or last stamp, which
    Salesforce answers from an index)."""
    resolved, descending, nulls_last = order[0]
    key = _sort_key(resolved, descending, nulls_last)
    # Both are documented as sorted(rows, key=key, reverse=...)[:limit]: ties keep the rows' order, as the sort does.
    return heapq.nlargest(limit, rows, key=key) if descending else heapq.nsmallest(limit, rows, key=key)


def _plan(store: OrgStore, query: Query) -> tuple[str, FieldResolver]:
    sobject = store.resolve(query.sobject)
    schema = schema_for(store, sobject) if sobject else None
    if sobject is None or schema is None:
        raise soql_error(
            "INVALID_TYPE",
            query.text,
            query.sobject_pos,
            f"sObject type '{query.sobject}' is not supported. If you are attempting to use a custom object, be "
            "sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for "
            "the appropriate names.",
        )
    return sobject, FieldResolver(store, schema, query.text)


@dataclass(frozen=True)
class PreparedQuery:
    """A query checked and planned against an org, not yet run: every error Salesforce would answer for the
    query itself has been raised by ``prepare``; ``run`` reads the rows."""

    sobject: str
    query: Query
    include_deleted: bool
    now: datetime
    fields: tuple[ResolvedField, ...]  # the selected fields in SELECT order, without repeats
    predicate: Callable[[Record], bool] | None
    order: list[tuple[ResolvedField, bool, bool]]
    render: Renderer
    span: tuple[str, str | None, str | None] | None = None  # a datetime range the WHERE puts on every row

    def candidates(self, table: Table | None) -> list[Record]:
        """The records the WHERE may select, in file order: those within ``span`` (by the table's index of that
        field), else all. A sync reads a big object as several windows of SystemModstamp, each a query over the
        whole object: without the index every window tried the predicate on every row."""
        if table is None:
            return []
        if self.span is None:
            return table.records
        _, positions = _index_slice(table, self.span[0], self.span)
        records = table.records
        return [records[position] for position in sorted(positions)]

    def _first_by_index(self, table: Table | None, visible: Callable[[Record], bool]) -> list[Record] | None:
        """``ORDER BY <datetime field> [DESC] LIMIT n`` read from the field's index (within ``span`` when the WHERE
        bounds the same field), as sorting gives it: equal keys in file order, either direction. None when the
        index cannot answer: another order, no LIMIT, a relationship field, or a record without a value (nulls
        sort by NULLS FIRST/LAST, which the index does not hold). It is how a client finds an object's first or
        last stamp, which Salesforce answers from an index."""
        limit, order = self.query.limit, self.order
        if table is None or limit is None or len(order) != 1:
            return None
        resolved, descending, _ = order[0]
        name = resolved.field.name
        if resolved.hops or family_of(resolved.field.type) != "datetime":
            return None
        keys, _ = _datetime_index(table, name)
        if len(keys) != len(table.records):
            return None
        keys, positions = _index_slice(table, name, self.span if self.span and self.span[0] == name else None)
        walk = _descending(keys, positions) if descending else positions
        records, predicate = table.records, self.predicate
        found: list[Record] = []
        for position in walk:
            if len(found) >= limit:
                break
            record = records[position]
            if visible(record) and (predicate is None or predicate(record)):
                found.append(record)
        return found

    @property
    def count(self) -> bool:
        return self.query.count

    @property
    def offset(self) -> bool:
        return bool(self.query.offset)

    def run(self, store: OrgStore) -> QueryResult:
        query, order = self.query, self.order
        table = store.table(self.sobject)
        visible = visibility(self.include_deleted, self.now)
        predicate = self.predicate
        rows = None if query.count or query.offset else self._first_by_index(table, visible)
        if rows is None:
            records = self.candidates(table)
            if predicate is None:
                rows = [record for record in records if visible(record)]
            else:
                rows = [record for record in records if visible(record) and predicate(record)]
            if len(order) == 1 and query.limit is not None and not query.offset and query.limit < len(rows):
                rows = _first(rows, order, query.limit)
            elif order:
                _sort(rows, order)
            if query.offset:
                rows = rows[query.offset :]
            if query.limit is not None:
                rows = rows[: query.limit]
        if query.count:
            return QueryResult(self.sobject, len(rows), [], self.render, self.fields, True)
        return QueryResult(self.sobject, len(rows), rows, self.render, self.fields, False, self.offset)


def prepare(store: OrgStore, text: str, *, include_deleted: bool, now: datetime, version: str) -> PreparedQuery:
    """Parse and plan ``text``; raises ``ApiError`` with Salesforce's code for any query it would refuse."""
    query = parse(text)
    sobject, resolver = _plan(store, query)
    selected = [resolver.resolve(ref.path, ref.pos) for ref in query.fields]
    predicate = compile_where(query.where, resolver, now.date())
    order = [
        (resolver.resolve(item.field.path, item.field.pos), item.descending, item.nulls_last) for item in query.order
    ]
    shape = _Shape()
    for resolved in selected:
        shape.add(resolved)
    render_as = shape.compile(f"/services/data/v{version}/sobjects/")
    unique = tuple({resolved.key: resolved for resolved in selected}.values())
    span = datetime_range(query.where, resolver, now.date()) if query.where is not None else None
    return PreparedQuery(
        sobject, query, include_deleted, now, unique, predicate, order, lambda record: render_as(record, sobject), span
    )


def _descending(keys: list[str], positions: list[int]) -> Iterator[int]:
    """Positions from the largest key down, equal keys in file order (as a stable sort in reverse gives them)."""
    end = len(keys)
    while end > 0:
        start = bisect.bisect_left(keys, keys[end - 1], 0, end)
        yield from positions[start:end]
        end = start


def _index_slice(
    table: Table, name: str, span: tuple[str, str | None, str | None] | None
) -> tuple[list[str], list[int]]:
    """The keys and positions of ``table``'s index of ``name`` within ``span``'s bounds (inclusive; all without)."""
    keys, positions = _datetime_index(table, name)
    if span is None:
        return keys, positions
    _, low, high = span
    first = 0 if low is None else bisect.bisect_left(keys, low)
    last = len(keys) if high is None else bisect.bisect_right(keys, high)
    return keys[first:last], positions[first:last]


def _datetime_index(table: Table, name: str) -> tuple[list[str], list[int]]:
    """The positions of ``table``'s records with a value in datetime field ``name``, in the order of that value's
    comparison key, and those keys (built once per loaded table: a table is never changed, only reloaded)."""
    cached = table.derived.get(f"datetime index {name}")
    if cached is None:
        norm = NORMALISE["datetime"]
        assert norm is not None
        pairs = sorted(
            (norm(value), position)
            for position, record in enumerate(table.records)
            if (value := record.get(name)) is not None
        )
        cached = table.derived.setdefault(f"datetime index {name}", ([key for key, _ in pairs], [p for _, p in pairs]))
    return cached


def run_query(store: OrgStore, text: str, *, include_deleted: bool, now: datetime, version: str) -> QueryResult:
    """Evaluate ``text``; raises ``ApiError`` with Salesforce's code for any query it would refuse."""
    return prepare(store, text, include_deleted=include_deleted, now=now, version=version).run(store)
