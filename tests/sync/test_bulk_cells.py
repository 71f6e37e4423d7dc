"""Bulk API rows read by position (``bulk.rows_from_csv`` + ``RecordMapper.map_cells``) land exactly what the
same rows read by name as REST-shaped dicts (``bulk.records_from_csv`` + ``RecordMapper.map_page``) land: the
rows, the errors, and every count."""

import csv
import io

from integrations.salesforce import bulk
from integrations.salesforce.catalogue import OPPORTUNITY, TASK
from integrations.salesforce.mapping import MappedPage, RecordMapper, cell_types, plan_fields

TYPES = {
    "Id": "id", "IsDeleted": "boolean", "CreatedDate": "datetime", "SystemModstamp": "datetime", "Name": "string",
    "AccountId": "reference", "OwnerId": "reference", "StageName": "picklist", "Amount": "currency",
    "CloseDate": "date", "Probability": "percent", "IsClosed": "boolean", "IsWon": "boolean",
    "NextStep": "string", "Score__c": "double", "Seats__c": "int", "Signed__c": "boolean",
    "Renewal__c": "datetime", "Note__c": "textarea",
}  # fmt: skip
GOOD = {
    "Id": "006D000000Ix3fQIAR", "IsDeleted": "false", "CreatedDate": "2026-10-01T09:00:00.000Z",
    "SystemModstamp": "2026-11-20T14:03:11.000Z", "Name": "Acme renewal", "AccountId": "001D000000IRFmaIAH",
    "OwnerId": "005D000000AbCdEIAZ", "StageName": "Proposal", "Amount": "52000.5", "CloseDate": "2026-12-15",
    "Probability": "60", "IsClosed": "false", "IsWon": "false", "NextStep": "", "Score__c": "0.25",
    "Seats__c": "12", "Signed__c": "true", "Renewal__c": "2027-01-01T00:00:00.000Z", "Note__c": "two\nlines",
}  # fmt: skip


def _id(n: int) -> str:
    return f"006D000000Ix3{n:02d}IAR"


ROWS = [
    GOOD,
    {**GOOD, "Id": _id(1), "IsDeleted": "true", "IsWon": "TRUE", "Note__c": 'say "hi", then, ünïcode'},
    {**GOOD, "Id": "006D000000Ix3fR", "Amount": "n/a", "IsClosed": "yes"},  # a 15-character id; two bad fields
    {**GOOD, "Id": _id(2), "SystemModstamp": "yesterday"},  # refused: no usable stamp
    {**GOOD, "Id": "", "Name": "no id"},  # refused: no id
    {**GOOD, "Id": _id(3), "StageName": ""},  # refused: a required field empty
    {**GOOD, "Id": _id(4), "IsDeleted": "maybe"},  # refused: IsDeleted unreadable
    {**GOOD, "Id": _id(5), "Name": "x" * 300, "Amount": "1234.565", "Score__c": "n/a", "Seats__c": "1e400"},
    {**GOOD, "Id": _id(6), "CloseDate": "2026-02-30", "Probability": "", "Signed__c": "TRUE", "Renewal__c": ""},
    {**GOOD, "Id": _id(1), "SystemModstamp": "2026-11-19T14:03:11.000Z", "Name": "older twin"},  # loses to row 2
    {**GOOD, "Id": _id(7), "SystemModstamp": "2026-11-21T00:00:00.000+0000", "Name": "newest"},
]


def _csv(header: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([header, *([row.get(name, "") for name in header] for row in rows)])
    return out.getvalue()


def _facts(page: MappedPage) -> tuple:
    return (page.rows, page.errors, page.fetched, page.deleted, page.high_water, page.repaired, page.truncated)


def _both_ways(plan, text: str) -> tuple[list[tuple], list[tuple]]:
    mapper = RecordMapper(plan)
    by_name = [mapper.map_page(page) for page, _ in bulk.records_from_csv(io.StringIO(text, newline=""), TYPES, 4)]
    types = cell_types(plan.spec, TYPES)
    lines = io.StringIO(text, newline="")
    by_position = [mapper.map_cells(header, rows) for header, rows, _ in bulk.rows_from_csv(lines, types, 4)]
    return [_facts(page) for page in by_name], [_facts(page) for page in by_position]


def test_rows_read_by_position_land_what_the_same_rows_read_by_name_land():
    names = [*TYPES, "LastModifiedDate"]
    plan = plan_fields(OPPORTUNITY, {"fields": [{"name": name, "type": TYPES.get(name, "datetime")} for name in names]})
    assert {"Score__c", "Seats__c", "Signed__c", "Renewal__c", "Note__c"} <= set(plan.extra)

    by_name, by_position = _both_ways(plan, _csv(plan.select_list(), ROWS))

    assert by_position == by_name
    rows = [row for page in by_name for row in page[0]]
    errors = [error for page in by_name for error in page[1]]
    # The case list does what it says: each kind of row is among them, so the comparison covers it.
    assert {error.sf_id for error in errors if not error.saved} == {_id(2), "", _id(3), _id(4)}
    assert {(error.sf_id, error.field) for error in errors if error.saved} == {
        ("006D000000Ix3fRIAR", "Amount"), ("006D000000Ix3fRIAR", "IsClosed"), (_id(6), "CloseDate"),
    }  # fmt: skip
    assert sum(page[6] for page in by_name) == 1  # the long name, cut
    assert [row[5]["Seats__c"] for row in rows if row[0] == _id(5)] == ["1e400"]  # kept as text, as REST would
    assert sum(page[3] for page in by_name) == 1  # the tombstone


def test_a_field_the_org_or_the_header_lacks_reads_as_empty_by_position_too():
    present = [name for name in TYPES if name not in ("NextStep", "IsClosed")]
    plan = plan_fields(OPPORTUNITY, {"fields": [{"name": name, "type": TYPES[name]} for name in present]})
    assert {"IsClosed", "NextStep"} <= set(plan.missing)
    header = [name for name in plan.select_list() if name != "Probability"]  # a results file without a column

    by_name, by_position = _both_ways(plan, _csv(header, ROWS[:2]))

    assert by_position == by_name
    row = dict(zip(OPPORTUNITY.columns(), by_name[0][0][0], strict=True))
    assert (row["is_closed"], row["next_step"], row["probability"]) == (False, "", None)


def test_tasks_fixed_columns_follow_the_cells_by_position():
    types = {**TYPES, "Subject": "string", "ActivityDate": "date", "Status": "picklist", "WhoId": "reference"}
    names = ["Id", "IsDeleted", "CreatedDate", "SystemModstamp", *TASK.mapped_fields]
    plan = plan_fields(TASK, {"fields": [{"name": name, "type": types.get(name, "string")} for name in names]})
    record = {"Id": "00TD000000AbCdEIAZ", "IsDeleted": "false", "CreatedDate": "2026-10-01T09:00:00.000Z",
              "SystemModstamp": "2026-11-20T14:03:11.000Z", "Subject": "Call", "Status": "Completed"}  # fmt: skip
    mapper = RecordMapper(plan)
    header = plan.select_list()
    [(read_header, rows, _)] = list(bulk.rows_from_csv(io.StringIO(_csv(header, [record]), newline=""), {}))
    [(records, _)] = list(bulk.records_from_csv(io.StringIO(_csv(header, [record]), newline=""), {}))
    assert _facts(mapper.map_cells(read_header, rows)) == _facts(mapper.map_page(records))


def test_only_cells_whose_converter_reads_their_text_alike_are_left_untyped():
    plan_types = cell_types(OPPORTUNITY, TYPES)
    # Mapped datetimes and booleans (and the standard ones) are read from their text by the converters…
    for name in ("CreatedDate", "SystemModstamp", "IsDeleted", "IsClosed", "IsWon"):
        assert name not in plan_types
    # …numbers still pass through a float as REST's JSON would, and extra fields keep REST's JSON types.
    for name in ("Amount", "Probability", "Score__c", "Seats__c", "Signed__c", "Renewal__c"):
        assert plan_types[name] == TYPES[name]


def test_a_text_column_fed_by_a_datetime_field_keeps_the_spelling_rest_gives_it():
    types = {**TYPES, "NextStep": "datetime"}  # an org whose NextStep is a datetime: read into a text column
    plan = plan_fields(OPPORTUNITY, {"fields": [{"name": name, "type": kind} for name, kind in types.items()]})
    text = _csv(plan.select_list(), [{**GOOD, "NextStep": "2027-01-01T00:00:00.000Z"}])
    mapper = RecordMapper(plan)
    [(records, _)] = list(bulk.records_from_csv(io.StringIO(text, newline=""), types))
    [(header, rows, _)] = list(bulk.rows_from_csv(io.StringIO(text, newline=""), cell_types(OPPORTUNITY, types)))

    by_position = dict(zip(OPPORTUNITY.columns(), mapper.map_cells(header, rows).rows[0], strict=True))

    assert by_position["next_step"] == "2027-01-01T00:00:00.000+0000"  # as the REST API spells it
    assert _facts(mapper.map_cells(header, rows)) == _facts(mapper.map_page(records))
