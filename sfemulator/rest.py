"""The REST data API under ``/services/data/vXX.X/``: session check, API allowance, then the resource.

Every authorised data request counts one API call and its reply (errors included) carries
``Sforce-Limit-Info``. Queries return their first page and park the rest behind a query locator.
"""

import re
from typing import TYPE_CHECKING, Any

from sfemulator.describe import describe_global, describe_sobject, schema_for
from sfemulator.errors import ApiError, error_body, not_found
from sfemulator.parts import EmulatedOrg
from sfemulator.recycle_bin import is_purged, purge_cutoff
from sfemulator.replication import get_deleted, get_updated
from sfemulator.replies import JSON_TYPE, Reply, error_reply, json_reply
from sfemulator.sfids import looks_like_id
from sfemulator.soql_run import QueryResult, run_query
from sfemulator.usage import limit_header

if TYPE_CHECKING:
    from sfemulator.cursors import Cursor

SUPPORTED_VERSIONS = [f"{number}.0" for number in range(31, 66)]
_BATCH_RE = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)
MIN_BATCH, MAX_BATCH = 200, 2000


def _first(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


def _timestamp_param(params: dict[str, list[str]], name: str) -> str | None:
    value = _first(params, name)
    # An unencoded "+" in "+00:00" arrives as a space after form decoding.
    return value.replace(" ", "+") if value is not None else None


class RestData:
    def __init__(self, emulator: EmulatedOrg) -> None:
        self.emulator = emulator
        self.store = emulator.store

    def _session_valid(self, headers: dict[str, str]) -> bool:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() not in ("bearer", "oauth") or not token.strip():
            return False
        return self.emulator.sessions.is_valid(token.strip(), self.store.config().session_ids)

    def handle(
        self, kind: str, method: str, version: str, rest: str, params: dict[str, list[str]], headers: dict[str, str]
    ) -> Reply:
        if version not in SUPPORTED_VERSIONS:
            raise not_found()
        if not self._session_valid(headers):
            body = error_body("INVALID_SESSION_ID", "Session expired or invalid")
            return Reply(401, body, {"Content-Type": JSON_TYPE, "WWW-Authenticate": 'Token realm="Salesforce"'})
        allowed, used, maximum = self.emulator.usage.consume()
        limit = {"Sforce-Limit-Info": limit_header(used, maximum)}
        if not allowed:
            return error_reply(ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."), limit)
        if method not in ("GET", "HEAD"):
            message = f"HTTP Method '{method}' not allowed. Allowed are GET,HEAD"
            return error_reply(ApiError(405, "METHOD_NOT_ALLOWED", message), limit)
        try:
            data = self._resource(kind, version, [part for part in rest.split("/") if part], params, headers)
        except ApiError as error:
            return error_reply(error, limit)
        return json_reply(200, data, limit)

    def _resource(
        self, kind: str, version: str, segments: list[str], params: dict[str, list[str]], headers: dict[str, str]
    ) -> Any:
        base = f"/services/data/v{version}"
        if kind == "resources":
            return {name: f"{base}/{name}" for name in ("sobjects", "query", "queryAll", "limits")}
        if kind in ("query", "queryAll"):
            text = _first(params, "q")
            if not text or not text.strip():
                raise ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
            result = run_query(
                self.store, text, include_deleted=kind == "queryAll", now=self.emulator.now(), version=version
            )
            return self._page(result, 0, self._batch_size(headers, None), base, kind, None)
        if kind == "query_more":
            found = self.emulator.cursors.find(segments[1])
            if found is None:
                raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
            cursor, offset = found
            batch = self._batch_size(headers, cursor.batch_size)
            return self._page(cursor.result, offset, batch, base, segments[0], cursor)
        if kind == "limits":
            used, maximum = self.emulator.usage.snapshot()
            return {
                "DailyApiRequests": {"Max": maximum, "Remaining": max(0, maximum - used)},
                "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
                "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000},
                "DataStorageMB": {"Max": 1024, "Remaining": 1024},
            }
        if kind == "describe_global":
            return describe_global(self.store, version)
        if kind == "data_not_found":
            raise not_found()
        sobject = self.store.resolve(segments[1])
        table = self.store.table(sobject) if sobject else None
        if sobject is None or table is None:
            raise not_found()
        if kind == "describe":
            return describe_sobject(self.store, sobject, version)
        if kind == "sobject":
            described = describe_sobject(self.store, sobject, version) or {}
            summary = {key: value for key, value in described.items() if key not in ("fields", "childRelationships")}
            return {"objectDescribe": summary, "recentItems": []}
        now = self.emulator.now()
        if kind == "updated":
            return get_updated(table, _timestamp_param(params, "start"), _timestamp_param(params, "end"), now)
        if kind == "deleted":
            return get_deleted(table, _timestamp_param(params, "start"), _timestamp_param(params, "end"), now)
        return self._record(sobject, segments[2], params, base, now)

    def _record(self, sobject: str, record_id: str, params: dict[str, list[str]], base: str, now: Any) -> Any:
        table = self.store.table(sobject)
        record = table.get(record_id) if table is not None and looks_like_id(record_id) else None
        if record is None or is_purged(record, purge_cutoff(now)):
            raise not_found()
        if record.get("IsDeleted"):
            raise ApiError(404, "ENTITY_IS_DELETED", "entity is deleted")
        schema = schema_for(self.store, sobject)
        fields = list(schema.fields.values()) if schema else []
        wanted = _first(params, "fields")
        if wanted:
            chosen = {name.strip().lower() for name in wanted.split(",")}
            fields = [info for info in fields if info.name.lower() in chosen]
        out: dict[str, Any] = {"attributes": {"type": sobject, "url": f"{base}/sobjects/{sobject}/{record['Id']}"}}
        for info in fields:
            value = record.get(info.name)
            out[info.name] = bool(value) if info.type == "boolean" else value
        return out

    def _batch_size(self, headers: dict[str, str], default: int | None) -> int:
        match = _BATCH_RE.search(headers.get("sforce-query-options", ""))
        if match is None:
            return default or self.emulator.page_size
        # Salesforce treats batchSize as a hint within 200..2000.
        return min(self.emulator.page_size, max(MIN_BATCH, min(MAX_BATCH, int(match.group(1)))))

    def _page(
        self, result: QueryResult, offset: int, batch: int, base: str, endpoint: str, cursor: "Cursor | None"
    ) -> dict[str, Any]:
        rows = result.rows[offset : offset + batch]
        end = offset + len(rows)
        done = end >= len(result.rows)
        page: dict[str, Any] = {"totalSize": result.total_size, "done": done}
        if not done:
            cursor = cursor or self.emulator.cursors.open(result, batch)
            page["nextRecordsUrl"] = f"{base}/{endpoint}/{cursor.id}-{end}"
        page["records"] = [result.render(row) for row in rows]
        return page
