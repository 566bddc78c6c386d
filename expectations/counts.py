"""A table's value checks counted by DuckDB, and the rows Great Expectations is shown.

Why: GX's pandas engine holds every batch it loaded until the checkpoint ends, and the marts grow
with history (2.72 GB of validation at 10k accounts, 181 days). So the marts stage asks DuckDB,
in the warehouse, for each row-wise check's exact counts (one scan per table: rows failing it,
rows it looked at) and hands GX only the rows that can fail a check: for each failing check up to
`PICKED_PER_CHECK` of its failing rows (a duplicated key: the rows of its first keys), the row
holding the freshness column's newest value, and one row besides. GX evaluates every expectation
on those rows, as it always did; the runner then writes the table's counts into each result
(runner.apply_counts) and makes DuckDB's count and GX's finding agree or fail the check.

So what a check decides is unchanged: a failing row is always among the rows GX sees (it fails
there too), a passing check has none of its own failing rows there, the newest value is there;
only `mostly` and the row count need the whole table, and take it from the counts. What GX holds
no longer depends on the size of a mart.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from core.db import quote_ident
from expectations.contract import SCHEMA_CHECKS, Check

log = logging.getLogger(__name__)

# Failing rows of one check shown to GX: the sample GX keeps (runner.RESULT_FORMAT) and more.
PICKED_PER_CHECK = 20
# Rows shown for a duplicated key: ordered by the key, so the first key's copies all come.
PICKED_PER_DUPLICATE_CHECK = 2 * PICKED_PER_CHECK
# Checks whose share of failing rows is taken of all rows (GX's own denominators); the other
# row-wise checks look only at rows with their columns present.
OF_ALL_ROWS = ("expect_column_values_to_not_be_null", "expect_column_values_to_be_null")
ROW_COUNT = "expect_table_row_count_to_be_between"


@dataclass(frozen=True)
class CheckCount:
    """One row-wise check over a whole table: its failing rows and the rows it looked at. An
    `error` says DuckDB could not evaluate it (its result then fails, naming the error)."""

    unexpected: int = 0
    considered: int = 0
    error: str | None = None


@dataclass(frozen=True)
class TableCounts:
    """What DuckDB counted in a whole table: its rows and each row-wise check (by Check.key)."""

    rows: int
    checks: Mapping[str, CheckCount]
    # The rows of the table GX is shown (DuckDB's rowid).
    picked: tuple[int, ...] = ()


@dataclass(frozen=True)
class _Sql:
    """A check as SQL over the table aliased `t`: which rows fail it, which it looks at."""

    fails: str
    considered: str
    order: str | None = None  # picked in this order (duplicates: by key)


def count_table(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    checks: Collection[Check],
    columns: Collection[str],
    *,
    derived: Mapping[str, str] | None = None,
    newest: str | None = None,
) -> TableCounts:
    """Count `checks` over `relation` and pick the rows GX is shown (module doc).

    `columns`: the table's columns (a check on a missing one is left to the schema checks);
    `derived`: SQL of a column the caller adds to the rows (a reference's orphans), by name;
    `newest`: the column whose newest value GX must see (freshness)."""
    sql = {
        check.key: made
        for check in checks
        if (made := _sql(check, relation, set(columns), derived or {})) is not None
    }
    rows, counts = _count(con, relation, sql)
    failing = [s for key, s in sql.items() if counts[key].unexpected]
    return TableCounts(rows, counts, _pick(con, relation, failing, newest))


def _count(
    con: duckdb.DuckDBPyConnection, relation: str, sql: Mapping[str, _Sql]
) -> tuple[int, dict[str, CheckCount]]:
    """One scan for every check; a check DuckDB cannot evaluate (a column of another type than
    its check assumes) is counted alone so it does not hide the others."""
    filters = [
        f"count(*) FILTER (WHERE {s.fails}), count(*) FILTER (WHERE {s.considered})"
        for s in sql.values()
    ]
    query = f"SELECT {', '.join(['count(*)', *filters])} FROM {relation} AS t"
    try:
        found = con.execute(query).fetchone()
    except duckdb.Error:
        return _count_one_by_one(con, relation, sql)
    assert found is not None  # an aggregate always returns its row
    pairs = zip(found[1::2], found[2::2], strict=True)
    return found[0], {key: CheckCount(u, c) for key, (u, c) in zip(sql, pairs, strict=True)}


def _count_one_by_one(
    con: duckdb.DuckDBPyConnection, relation: str, sql: Mapping[str, _Sql]
) -> tuple[int, dict[str, CheckCount]]:
    rows = _scalar(con, f"SELECT count(*) FROM {relation}")
    counts: dict[str, CheckCount] = {}
    for key, s in sql.items():
        query = (
            f"SELECT count(*) FILTER (WHERE {s.fails}), count(*) FILTER (WHERE {s.considered}) "
            f"FROM {relation} AS t"
        )
        try:
            found = con.execute(query).fetchone()
        except duckdb.Error as exc:
            log.warning("%s: a check DuckDB cannot count: %s", relation, exc)
            counts[key] = CheckCount(error=str(exc).splitlines()[0])
            continue
        assert found is not None
        counts[key] = CheckCount(found[0], found[1])
    return rows, counts


def _scalar(con: duckdb.DuckDBPyConnection, query: str) -> int:
    found = con.execute(query).fetchone()
    assert found is not None
    return int(found[0])


def _pick(
    con: duckdb.DuckDBPyConnection, relation: str, failing: list[_Sql], newest: str | None
) -> tuple[int, ...]:
    """The rowids GX is shown: failing rows of each failing check, the newest, one more."""
    parts = [f"(SELECT rowid FROM {relation} LIMIT 1)"]
    if newest is not None:
        column = quote_ident(newest)
        parts.append(f"(SELECT rowid FROM {relation} ORDER BY {column} DESC NULLS LAST LIMIT 1)")
    for s in failing:
        limit = PICKED_PER_DUPLICATE_CHECK if s.order else PICKED_PER_CHECK
        order = f" ORDER BY {s.order}" if s.order else ""
        parts.append(f"(SELECT rowid FROM {relation} AS t WHERE {s.fails}{order} LIMIT {limit})")
    found = con.execute(" UNION ".join(parts)).fetchall()
    return tuple(sorted(r[0] for r in found))


def _sql(check: Check, relation: str, columns: set[str], derived: Mapping[str, str]) -> _Sql | None:
    """The check's rows as SQL, as GX's pandas engine decides them; None for a check that is not
    row-wise (schema, row count, column max) or names a column the table lacks."""
    named = check.columns
    if any(c not in columns and c not in derived for c in named):
        return None
    col = {c: derived.get(c) or f"t.{quote_ident(c)}" for c in named}
    kwargs = check.kwargs
    match check.type:
        case "expect_column_values_to_not_be_null":
            return _Sql(f"{col[check.column]} IS NULL", "true")
        case "expect_column_values_to_be_null":
            return _Sql(f"{col[check.column]} IS NOT NULL", "true")
        case "expect_column_values_to_be_between":
            return _present(col[check.column], _outside(col[check.column], kwargs))
        case "expect_column_values_to_be_in_set":
            values = ", ".join(_literal(v) for v in kwargs["value_set"]) or "NULL"
            return _present(col[check.column], f"{col[check.column]} NOT IN ({values})")
        case "expect_column_values_to_match_regex":
            text = f"CAST({col[check.column]} AS VARCHAR)"
            return _present(
                col[check.column], f"NOT regexp_matches({text}, {_literal(kwargs['regex'])})"
            )
        case "expect_column_pair_values_a_to_be_greater_than_b":
            a, b = col[kwargs["column_A"]], col[kwargs["column_B"]]
            operator = ">=" if kwargs.get("or_equal") else ">"
            return _pair(a, b, f"NOT ({a} {operator} {b})", kwargs)
        case "expect_column_pair_values_to_be_equal":
            a, b = col[kwargs["column_A"]], col[kwargs["column_B"]]
            return _pair(a, b, f"{a} <> {b}", kwargs)
        case "expect_column_values_to_be_unique":
            return _duplicated([check.column or ""], col, relation)
        case "expect_compound_columns_to_be_unique":
            return _duplicated(list(kwargs["column_list"]), col, relation)
        case _ if check.type in SCHEMA_CHECKS:  # the schema, not rows: nothing to count
            return None
        case "expect_table_row_count_to_be_between" | "expect_column_max_to_be_between":
            return None
    raise ValueError(
        f"expectations/counts.py cannot count {check.type}: add its SQL there (the marts' "
        "checks are counted in the warehouse)"
    )


def _present(column: str, condition: str) -> _Sql:
    """A check GX applies to non-NULL values only."""
    return _Sql(f"{column} IS NOT NULL AND ({condition})", f"{column} IS NOT NULL")


def _pair(a: str, b: str, condition: str, kwargs: Mapping[str, object]) -> _Sql:
    if kwargs.get("ignore_row_if") != "either_value_is_missing":
        raise ValueError(f"a pair check counted in SQL skips rows missing either value: {kwargs}")
    present = f"{a} IS NOT NULL AND {b} IS NOT NULL"
    return _Sql(f"{present} AND ({condition})", present)


def _outside(column: str, kwargs: Mapping[str, object]) -> str:
    bounds = []
    if kwargs.get("min_value") is not None:
        bounds.append(f"{column} < {_literal(kwargs['min_value'])}")
    if kwargs.get("max_value") is not None:
        bounds.append(f"{column} > {_literal(kwargs['max_value'])}")
    return " OR ".join(bounds) or "false"


def _duplicated(names: list[str], col: Mapping[str, str], relation: str) -> _Sql:
    """Every row whose value (or combination) another row repeats, as GX counts duplicates;
    a row with all of them NULL is skipped."""
    own = ", ".join(col[n] for n in names)
    present = " OR ".join(f"{col[n]} IS NOT NULL" for n in names)
    repeated = f"SELECT {own} FROM {relation} AS t WHERE {present} GROUP BY ALL HAVING count(*) > 1"
    return _Sql(f"({present}) AND ({own}) IN ({repeated})", present, order=own)


def _literal(value: object) -> str:
    """A value of a check's arguments as a SQL literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise ValueError(f"no SQL literal for {value!r} ({type(value).__name__})")


# --- the counts in GX's results ---------------------------------------------------------------


def apply_counts(suite_result: Any, checks: Sequence[Check], counts: TableCounts) -> None:
    """Give each result of `suite_result` (GX's, on the rows it was shown) the whole table's
    figures, and the suite its success and statistics again. `checks`: the suite's checks in the
    order its expectations were made (each result's meta "order" points into it)."""
    for result in suite_result.results:
        check = checks[(result.expectation_config.meta or {})["order"]]
        if check.type == ROW_COUNT:
            _row_count(result, check, counts.rows)
        elif check.key in counts.checks:
            _row_wise(result, check, counts.checks[check.key], counts.rows)
    evaluated = len(suite_result.results)
    successful = sum(bool(r.success) for r in suite_result.results)
    suite_result.success = successful == evaluated
    suite_result.statistics = {
        **(suite_result.statistics or {}),
        "evaluated_expectations": evaluated,
        "successful_expectations": successful,
        "unsuccessful_expectations": evaluated - successful,
        "success_percent": _percent(successful, evaluated),
    }


def _row_count(result: Any, check: Check, rows: int) -> None:
    low, high = check.kwargs.get("min_value"), check.kwargs.get("max_value")
    result.result = {**(result.result or {}), "observed_value": rows}
    result.success = (low is None or rows >= low) and (high is None or rows <= high)


def _row_wise(result: Any, check: Check, count: CheckCount, rows: int) -> None:
    details = dict(result.result or {})
    if count.error is not None:
        _failed(result, f"DuckDB could not count this check over the table: {count.error}")
        return
    seen = details.get("unexpected_count")
    if seen is None:
        return  # GX could not evaluate it (its error stays the finding)
    denominator = rows if check.type in OF_ALL_ROWS else count.considered
    details.update(
        element_count=rows,
        unexpected_count=count.unexpected,
        unexpected_percent=_percent(count.unexpected, denominator),
    )
    if check.type not in OF_ALL_ROWS:
        missing = rows - count.considered
        details.update(
            missing_count=missing,
            missing_percent=_percent(missing, rows),
            unexpected_percent_total=_percent(count.unexpected, rows),
            unexpected_percent_nonmissing=_percent(count.unexpected, count.considered),
        )
    result.result = details
    if (seen > 0) != (count.unexpected > 0):
        # The SQL and GX's own evaluation must decide alike; if they do not, neither is trusted.
        _failed(
            result,
            f"DuckDB counted {count.unexpected} failing rows of {rows}, Great Expectations found "
            f"{seen} in the rows it was shown: the warehouse's SQL for this check "
            "(expectations/counts.py) and GX disagree",
        )
        return
    result.success = _share_ok(count.unexpected, denominator, check.kwargs.get("mostly"))


def _share_ok(unexpected: int, considered: int, mostly: float | None) -> bool:
    if mostly is None:
        return unexpected == 0
    return considered == 0 or 1 - unexpected / considered >= mostly


def _failed(result: Any, message: str) -> None:
    result.success = False
    result.exception_info = {
        "raised_exception": True,
        "exception_message": message,
        # Text, not None: GX's Data Docs render the traceback of a failed check as a template,
        # and a None there left the validation's whole page unwritten.
        "exception_traceback": f"{message} (counted in the warehouse: no Python traceback)",
    }


def _percent(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None
