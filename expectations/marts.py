"""The marts stage: validate the warehouse's marts as one checkpoint.

Besides each mart's own suite (mart_suites.py, made from its dbt contract), three kinds of
checks depend on the run and are added here, all as Great Expectations expectations so they
show in the Data Docs:

- references: a column's values must exist in another mart (fct_post.account_id in
  dim_creator_account). DuckDB answers with the orphan values (frames.py); they go into a
  derived column `"<column> not in <table>.<parent_column>"` that must be NULL, so the failure
  names the orphans without shipping a large parent's keys through GX or its docs.
- freshness: the newest value of the suite's freshness column must be at most
  `settings.freshness_days` older than `as_of` (a warning: a quiet week is possible).
- row-count change against the previous successful run (history.py): losing more than half of
  the rows is critical (a broken join or filter); more than doubling is a warning.

Each mart's checks are counted by DuckDB over the whole table, and GX is shown only the rows that
can fail a check (counts.py: what a check decides is unchanged, the results carry the whole
table's counts). The marts are read one at a time: each frame gets its derived columns, is
written to its Feather file (runner.FrameSpool) and is dropped before the next is read. So what
validation holds does not grow with the marts (2.72 GB at 10k accounts and 181 days when GX was
given every mart whole).
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from core.config import Settings, get_settings
from expectations import history
from expectations.contract import CRITICAL, WARNING, Check, Reference, TableSuite
from expectations.counts import TableCounts
from expectations.frames import TableRead, read_warehouse
from expectations.mart_suites import MARTS
from expectations.report import ValidationReport, log_warnings
from expectations.runner import FrameSpool, spool_frames, validate_frames
from expectations.suites import suites_for

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

# A mart that kept less than this share of its previous rows has lost "more than half".
MIN_ROW_SHARE = 0.5
# A mart that grew beyond this multiple of its previous rows gets a warning.
MAX_ROW_GROWTH = 2.0


def validate_marts(
    tables: list[str] | None = None, *, as_of: date | None = None
) -> ValidationReport:
    """Validate the marts (all registered ones, or the named tables) in the warehouse.

    `as_of` is the day the data should be current for (default: today, UTC); freshness is
    measured against it. A required mart missing from the warehouse is a critical failure, an
    optional one is skipped with a warning; a mart without a suite is logged. The row-count
    history is updated only when no critical expectation failed. The report's `success`
    ignores warnings (they are logged here).
    """
    settings = get_settings()
    if not settings.warehouse_path.exists():
        raise FileNotFoundError(f"no warehouse at {settings.warehouse_path}")
    as_of = as_of or datetime.now(UTC).date()
    suites = suites_for(MARTS, tables)
    path = history.history_path(settings.state_dir)
    previous = history.load(path)
    with spool_frames(MARTS) as spool:
        present, extra, counts = _spool_marts(spool, suites, previous, as_of, settings)
        if tables is None:
            _log_unregistered(present, suites)
        report = validate_frames(
            MARTS, suites, spool, settings.data_docs_dir, extra_checks=extra, counts=counts
        )
    history.record(path, report, as_of)
    log.info("%s; Data Docs: %s", report.summary(), report.data_docs_home)
    log_warnings(report)
    return report


def _spool_marts(
    spool: FrameSpool,
    suites: list[TableSuite],
    previous: dict[str, list[dict[str, Any]]],
    as_of: date,
    settings: Settings,
) -> tuple[list[str], dict[str, list[Check]], dict[str, TableCounts]]:
    """Read the suites' marts into `spool`, counted with their run checks, one mart at a time;
    return every table the schema holds, the run checks by suite name, the counts by table."""
    by_table = {s.table: s for s in suites}
    extra = {s.name: run_checks(s, previous, as_of, settings) for s in suites}
    counts: dict[str, TableCounts] = {}

    def take(read: TableRead) -> None:
        suite = by_table[read.table]
        for ref, orphans in read.orphans.items():
            extra[suite.name].append(reference_check(read.frame, ref, orphans))
        counts[read.table] = read.counts
        spool.add(read.table, read.frame, rows=read.counts.rows)

    present = read_warehouse(settings.warehouse_path, MARTS, suites, take=take, run_checks=extra)
    return present, extra, counts


def run_checks(
    suite: TableSuite,
    previous: dict[str, list[dict[str, Any]]],
    as_of: date,
    settings: Settings,
) -> list[Check]:
    """The suite's checks that depend on this run and not on its rows: freshness, row-count
    change (the references' come with the read: frames.py decides which can be answered)."""
    checks = []
    if suite.freshness:
        kind = suite.columns[suite.freshness]
        checks.append(freshness_check(suite.freshness, kind, as_of, settings.freshness_days))
    checks.extend(row_count_checks(history.previous_rows(previous, suite.name)))
    return checks


def reference_check(frame: pd.DataFrame, ref: Reference, orphans: list[Any]) -> Check:
    """Add the derived orphan column to `frame` and return the check that it is all NULL."""
    values = frame[ref.column]
    frame[ref.orphan_column] = values.where(values.isin(orphans)).astype("string")
    return ref.check()


def freshness_check(column: str, kind: str, as_of: date, max_age_days: int) -> Check:
    """The newest value is at most `max_age_days` before `as_of` (a warning)."""
    oldest = datetime.combine(as_of - timedelta(days=max_age_days), datetime.min.time())
    # GX compares the column's max with the parsed bound: aware for timestamps (UTC), naive for
    # dates, or the comparison itself raises.
    bound = oldest.replace(tzinfo=UTC) if kind == "timestamp" else oldest
    return Check(
        "expect_column_max_to_be_between",
        {"column": column, "min_value": bound.isoformat()},
        WARNING,
        notes=f"fresh: the newest {column} is at most {max_age_days} days before {as_of}",
    )


def row_count_checks(previous: int | None) -> list[Check]:
    """Against the previous successful run; nothing to compare on the first run."""
    if previous is None:
        return []
    checks = [
        Check(
            "expect_table_row_count_to_be_between",
            {"min_value": math.ceil(previous * MIN_ROW_SHARE), "max_value": None},
            CRITICAL,
            notes=f"lost more than half of the {previous} rows of the previous successful run",
        )
    ]
    if previous > 0:
        checks.append(
            Check(
                "expect_table_row_count_to_be_between",
                {"min_value": None, "max_value": math.floor(previous * MAX_ROW_GROWTH)},
                WARNING,
                notes=f"more than doubled since the previous successful run ({previous} rows)",
            )
        )
    return checks


def _log_unregistered(present: list[str], suites: list[TableSuite]) -> None:
    registered = {s.table for s in suites}
    for table in sorted(set(present) - registered):
        log.warning(
            "no expectation suite for %s.%s: it is not a model of the dbt manifest's marts",
            MARTS,
            table,
        )
