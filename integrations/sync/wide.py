"""REST queries of wide objects: a field list whose URL would pass Salesforce's 16,384-byte limit is split.

A REST query travels in the URL (``GET …/queryAll/?q=SELECT …``), and Salesforce refuses a URI longer than
16,384 bytes (414; 431 when URI and headers together pass it). An Opportunity with a few hundred custom
fields gets there. So the window's query keeps its WHERE and ORDER BY with the key fields and as many
others as fit (the primary query, which pages and moves the mark as usual), and the remaining fields are
read for each primary page by Id (``WHERE Id IN (…)``, a few hundred ids a query), then joined by Id.

A row edited between the primary and a secondary query comes back with a newer ``SystemModstamp`` there:
the joined record keeps the primary's (older) stamp, so the next run's window still holds the edit and its
upsert replaces the mixed version. A row missing from a secondary query was purged meanwhile: it is dropped.
"""

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from integrations.salesforce.errors import QueryError
from integrations.sync.job import ObjectJob

URI_LIMIT = 16_384
HEADERS_ROOM = 1_536  # Authorization, User-Agent, Accept… share the limit with the URI (431)
IDS_PER_QUERY = 200
_SELECT = re.compile(r"^SELECT (?P<fields>.+?) FROM (?P<sobject>\w+)(?P<rest>.*)$", re.DOTALL)


def uri_length(version: str, soql: str) -> int:
    """The bytes of the request URI simple-salesforce builds for a queryAll of ``soql``."""
    return len(f"/services/data/v{version}/queryAll/?") + len(urlencode({"q": soql}))


def budget() -> int:
    return URI_LIMIT - HEADERS_ROOM


def too_long(version: str, soql: str) -> bool:
    return uri_length(version, soql) > budget()


def _chunks(version: str, keys: list[str], fields: list[str], template: str) -> list[list[str]]:
    """Fields in groups that each fit ``template`` (with ``{fields}``) under the budget, keys in every group."""
    groups: list[list[str]] = []
    current: list[str] = []
    for name in fields:
        trial = keys + current + [name]
        if current and uri_length(version, template.format(fields=", ".join(trial))) > budget():
            groups.append(current)
            current = [name]
        else:
            current.append(name)
    if current:
        groups.append(current)
    for group in groups:
        if uri_length(version, template.format(fields=", ".join(keys + group))) > budget():
            raise QueryError(f"the query cannot be split under the {URI_LIMIT}-byte URI limit (field {group[0]})")
    return groups


def _id_list(count: int) -> str:
    return ", ".join(["'000000000000000AAA'"] * count)  # as long as real ids: for sizing


def joined_pages(job: ObjectJob, soql: str) -> Iterator[list[dict[str, Any]]]:
    match = _SELECT.match(soql)
    if match is None:
        raise QueryError(f"cannot split a query this sync did not build: {soql[:80]}…")
    version, sobject, rest = job.client.version, match.group("sobject"), match.group("rest")
    selected = [name.strip() for name in match.group("fields").split(",")]
    keys = ["Id", job.spec.mark_field]
    others = [name for name in selected if name not in keys]
    primary_template = f"SELECT {{fields}} FROM {sobject}{rest}"
    first, *more = _chunks(version, keys, others, primary_template)
    by_id_template = f"SELECT {{fields}} FROM {sobject} WHERE Id IN ({_id_list(IDS_PER_QUERY)})"
    secondary = _chunks(version, keys, [name for chunk in more for name in chunk], by_id_template)
    primary = primary_template.format(fields=", ".join(keys + first))
    for page in job.client.query_pages(primary, include_deleted=True):
        if secondary and page:
            page = _join(job, sobject, page, secondary)
        yield page


def _join(job: ObjectJob, sobject: str, page: list[dict[str, Any]], groups: list[list[str]]) -> list[dict[str, Any]]:
    mark = job.spec.mark_field
    by_id = {record["Id"]: record for record in page}
    seen: dict[str, set[int]] = {record_id: set() for record_id in by_id}
    ids = list(by_id)
    for number, group in enumerate(groups):
        fields = ", ".join(["Id", mark, *group])
        for start in range(0, len(ids), IDS_PER_QUERY):
            listed = ", ".join(f"'{record_id}'" for record_id in ids[start : start + IDS_PER_QUERY])
            query = f"SELECT {fields} FROM {sobject} WHERE Id IN ({listed})"
            for records in job.client.query_pages(query, include_deleted=True):
                for extra in records:
                    target = by_id.get(extra.get("Id"))
                    if target is None:
                        continue
                    seen[target["Id"]].add(number)
                    target.update({name: extra.get(name) for name in group})  # the primary's stamp stays
    return [record for record in page if len(seen[record["Id"]]) == len(groups)]
