"""Field paths of a query (``StageName``, ``Owner.Name``, ``Account.Owner.Name``) resolved to typed getters.

A relationship ``X`` follows the reference field ``XId`` (``Foo__r`` follows ``Foo__c``); the related record
is found by its id's key prefix among the objects the org has, so polymorphic lookups (``What.Name``)
land on whichever object the id belongs to.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sfemulator.describe import FieldInfo, Schema, schema_for
from sfemulator.soql_lexer import soql_error
from sfemulator.store import OrgStore, Table

Record = dict[str, Any]


@dataclass(frozen=True)
class Hop:
    """One step along a relationship: read ``reference_field``, find the record in ``tables``."""

    relationship: str  # the relationship's API name, as replies spell it
    reference_field: str
    tables: dict[str, Table]  # key prefix -> table

    def follow(self, record: Record) -> Record | None:
        value = record.get(self.reference_field)
        if not value:
            return None
        table = self.tables.get(value[:3])
        return table.by_id.get(value[:15]) if table is not None else None

    def locate(self, record: Record) -> tuple[str, Record] | None:
        """The related record with its object's name (a polymorphic lookup can reach several objects)."""
        value = record.get(self.reference_field)
        if not value:
            return None
        table = self.tables.get(value[:3])
        if table is None:
            return None
        related = table.by_id.get(value[:15])
        return (table.name, related) if related is not None else None


@dataclass(frozen=True)
class ResolvedField:
    hops: tuple[Hop, ...]
    field: FieldInfo
    getter: Callable[[Record], Any]

    @property
    def key(self) -> tuple[str, ...]:
        return (*(hop.relationship for hop in self.hops), self.field.name)


def _getter(hops: tuple[Hop, ...], name: str, field_type: str) -> Callable[[Record], Any]:
    if field_type == "boolean":
        # Salesforce has no null booleans: a checkbox missing from the data is false.
        plain = _getter(hops, name, "")
        return lambda record: bool(plain(record))
    if not hops:
        return lambda record: record.get(name)
    if len(hops) == 1:
        follow = hops[0].follow

        def one_hop(record: Record) -> Any:
            related = follow(record)
            return related.get(name) if related is not None else None

        return one_hop

    def many_hops(record: Record) -> Any:
        current = record
        for hop in hops:
            following = hop.follow(current)
            if following is None:
                return None
            current = following
        return current.get(name)

    return many_hops


def _no_column(text: str, pos: int, column: str, sobject: str) -> Exception:
    return soql_error(
        "INVALID_FIELD",
        text,
        pos,
        f"No such column '{column}' on entity '{sobject}'. If you are attempting to use a custom field, be sure "
        "to append the '__c' after the custom field name. Please reference your WSDL or the describe call for "
        "the appropriate names.",
    )


def _bad_relationship(text: str, pos: int, name: str) -> Exception:
    return soql_error(
        "INVALID_FIELD",
        text,
        pos,
        f"Didn't understand relationship '{name}' in field path. If you are attempting to use a custom "
        "relationship, be sure to append the '__r' after the custom relationship name. Please reference your "
        "WSDL or the describe call for the appropriate names.",
    )


class FieldResolver:
    """Resolves the field paths of one query against one base object, remembering what it resolved."""

    def __init__(self, store: OrgStore, schema: Schema, text: str) -> None:
        self.store = store
        self.schema = schema
        self.text = text
        self._cache: dict[str, ResolvedField] = {}

    def resolve(self, path: str, pos: int) -> ResolvedField:
        cached = self._cache.get(path.lower())
        if cached is not None:
            return cached
        parts = path.split(".")
        if (
            len(parts) > 1
            and parts[0].lower() == self.schema.sobject.lower()
            and not self.schema.relationship(parts[0])
        ):
            parts = parts[1:]  # "Opportunity.Name" FROM Opportunity means Name
        schemas: list[Schema] = [self.schema]
        hops: list[Hop] = []
        for name in parts[:-1]:
            reference = next((s.relationship(name) for s in schemas if s.relationship(name)), None)
            if reference is None:
                raise _bad_relationship(self.text, pos, name)
            targets = [target for target in reference.reference_to if self.store.resolve(target) == target]
            tables = self.store.tables_by_prefix(targets)
            hops.append(Hop(reference.relationship_name or name, reference.name, tables))
            schemas = [schema for schema in (schema_for(self.store, target) for target in targets) if schema]
            if not schemas:
                # The related object is outside this org's files: its fields read as null.
                unknown = FieldInfo(parts[-1], "string")
                resolved = ResolvedField(tuple(hops), unknown, lambda record: None)
                self._cache[path.lower()] = resolved
                return resolved
        info = next((s.field(parts[-1]) for s in schemas if s.field(parts[-1])), None)
        if info is None:
            raise _no_column(self.text, pos, parts[-1], schemas[0].sobject)
        resolved = ResolvedField(tuple(hops), info, _getter(tuple(hops), info.name, info.type))
        self._cache[path.lower()] = resolved
        return resolved
