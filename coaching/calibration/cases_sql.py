"""The coaching effect's cases in one statement: each rep's measured gap of a code, once per rep and code (the
first week its topic was discussed, else its first week), with whether it was discussed and whether it was
held out. The database joins the stored measures with the discussed topics and the hold-outs, so a page
reads a few hundred rows instead of every measure and every discussed topic of 13 weeks.

A topic that groups flags of one cause (``coaching.agendas.diagnoses``) discusses each member's code as
well as the code it leads with: the members are read out of ``details`` in SQL (PostgreSQL's jsonb, SQLite's
JSON1), so the topics' other details never leave the database.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from coaching.metrics.dialect import fetch, is_postgres, sql_date
from coaching.models import Agenda, AgendaItem, HeldOutItem, LeadingMeasure

Row = tuple[str, str, str, date, float, bool, bool, float | None, float | None]


def _member_codes() -> str:
    """FROM items, their members → (rep, member code, week)."""
    if is_postgres():
        return (
            "SELECT i.rep, m.value ->> 'code', i.week FROM items i CROSS JOIN LATERAL jsonb_array_elements("
            "CASE WHEN jsonb_typeof(i.details -> 'members') = 'array' THEN i.details -> 'members'"
            " ELSE '[]'::jsonb END) AS m(value) WHERE jsonb_typeof(m.value) = 'object'"
        )
    return (
        "SELECT i.rep, json_extract(m.value, '$.code'), i.week FROM items i, json_each(i.details, '$.members') m"
        " WHERE json_type(i.details, '$.members') = 'array' AND m.type = 'object'"
    )


def case_rows(org_id: int, first_week: date, last_week: date, codes: Iterable[str]) -> list[Row]:
    """(manager, rep, code, week, severity, discussed, held out, before, after) of the chosen case of every rep
    and code measured in [first_week, last_week] (``codes`` only), in week, rep and code order."""
    codes = sorted(codes)
    if not codes:
        return []
    params: dict[str, Any] = {"org": org_id, "first": sql_date(first_week), "last": sql_date(last_week),
                              "gap": AgendaItem.Kind.GAP, "discussed": AgendaItem.Status.DISCUSSED}  # fmt: skip
    params.update({f"c{index}": code for index, code in enumerate(codes)})
    wanted = ", ".join(f"%(c{index})s" for index in range(len(codes)))
    sql = (
        "WITH items AS (SELECT i.person_sf_id AS rep, i.code, a.week_start AS week, i.details"
        f" FROM {AgendaItem._meta.db_table} i JOIN {Agenda._meta.db_table} a ON a.id = i.agenda_id"
        " WHERE a.org_id = %(org)s AND a.week_start >= %(first)s AND a.week_start <= %(last)s"
        " AND i.kind = %(gap)s AND i.opportunity_sf_id = '' AND i.status = %(discussed)s),"
        f" talked AS (SELECT rep, code, week FROM items UNION ALL {_member_codes()}),"
        # Row-value IN over a subquery: PostgreSQL hashes the subquery once (no sort, no join per measure).
        " measured AS (SELECT lm.manager_sf_id, lm.person_sf_id, lm.code, lm.week_start, lm.severity,"
        " CASE WHEN (lm.person_sf_id, lm.code, lm.week_start) IN (SELECT rep, code, week FROM talked)"
        " THEN 1 ELSE 0 END AS talked,"
        " CASE WHEN (lm.person_sf_id, lm.code, lm.week_start) IN (SELECT person_sf_id, code, week_start"
        f" FROM {HeldOutItem._meta.db_table} WHERE org_id = %(org)s AND week_start >= %(first)s"
        " AND week_start <= %(last)s) THEN 1 ELSE 0 END AS held, lm.before, lm.after"
        f" FROM {LeadingMeasure._meta.db_table} lm"
        " WHERE lm.org_id = %(org)s AND lm.week_start >= %(first)s AND lm.week_start <= %(last)s"
        f" AND lm.code IN ({wanted}))"
        # Per rep and code: the first discussed week, else the first week.
        " SELECT manager_sf_id, person_sf_id, code, week_start, severity, talked, held, before, after FROM ("
        " SELECT measured.*, ROW_NUMBER() OVER (PARTITION BY person_sf_id, code ORDER BY talked DESC, week_start)"
        " AS pick FROM measured) chosen WHERE pick = 1 ORDER BY week_start, person_sf_id, code"
    )
    rows = fetch(sql, params)  # type: ignore[arg-type]
    return [
        (manager, rep, code, week if isinstance(week, date) else date.fromisoformat(str(week)[:10]), severity,
         bool(talked), bool(held), before, after)
        for manager, rep, code, week, severity, talked, held, before, after in rows
    ]  # fmt: skip
