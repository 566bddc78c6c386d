"""Run the suites of a stage as one Great Expectations checkpoint and build Data Docs.

Generic over stages: `landing.validate_landing` and `marts.validate_marts` build the frames and
the checks that depend on the run, then call `validate_frames`.

Great Expectations is imported inside the functions (12-15 s), never at module level, so a DAG
file may import this module. The context is ephemeral (in memory, rebuilt per run in ~30 ms): the
suites live in code, so there is nothing to keep between runs except the Data Docs, written as
HTML to `<data_docs_dir>/<stage>/` and swapped into place when complete (layout: docs.py).

Why the frames go through Feather files: a GX 1.x checkpoint hands the same `batch_parameters`
to every validation definition, so in-memory dataframe assets cannot give each table its own
frame within one checkpoint. One Feather file per table (written in milliseconds, dtypes kept)
lets the whole stage run as a single checkpoint, as designed.

The files are written before the checkpoint into a `FrameSpool`, which keeps only each table's
row count besides its file; GX reads the files itself. So a caller that spools each frame as soon
as it is built and drops it (the marts, one at a time from the warehouse read) holds none of its
frames while the checkpoint runs. GX's data source keeps every batch it loaded until the
checkpoint ends, so the marts' frames hold only the rows that can fail a check, the checks
being counted over each whole mart by DuckDB (counts.py); `counts` hands those counts to
`validate_frames`, which writes them into the results before the Data Docs are built. A caller
with a mapping of whole frames (landing: one day's records) has them spooled here, as before.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.files import replace_dir
from expectations.contract import CRITICAL, TABLE_EXISTS, WARNING, Check, TableSuite
from expectations.counts import TableCounts, apply_counts
from expectations.docs import build_site, publish_run, site_config
from expectations.report import (
    SAMPLE_SIZE,
    FailedExpectation,
    SuiteResult,
    ValidationReport,
)

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

SITE_NAME = "irm"
# BASIC keeps a sample of failing values without copying whole columns into the results.
# SUMMARY adds the sample's value counts (read by nothing here) and, given the columns that name
# a row, the failing rows' ids: only a stage with row ids (landing) asks for it. A mart
# validation is about a tenth cheaper in BASIC (measured on the fixture marts: GX computes
# fewer metrics per expectation).
RESULT_FORMAT: dict[str, Any] = {"result_format": "BASIC", "partial_unexpected_count": 20}


@dataclasses.dataclass(frozen=True)
class FrameSpool:
    """A stage's frames as Feather files in `folder`, and their row counts (by table).

    A frame added here may be dropped at once: the checkpoint reads its file and the report
    needs only its row count (module doc)."""

    folder: Path
    rows: dict[str, int] = dataclasses.field(default_factory=dict)
    # The rows of each frame, fewer than the table's where DuckDB counted it (counts.py).
    shown: dict[str, int] = dataclasses.field(default_factory=dict)

    def add(self, table: str, frame: pd.DataFrame, rows: int | None = None) -> None:
        """`rows`: the table's row count, when `frame` holds only some of its rows (counts.py)."""
        frame.to_feather(self.path(table))
        self.rows[table] = len(frame) if rows is None else rows
        self.shown[table] = len(frame)

    def path(self, table: str) -> Path:
        """The table's Feather file (table names are plain SQL identifiers: core.db.quote_ident)."""
        return self.folder / f"{table}.feather"

    def __contains__(self, table: object) -> bool:
        return table in self.rows


@contextmanager
def spool_frames(
    stage: str, frames: Mapping[str, pd.DataFrame] | None = None
) -> Iterator[FrameSpool]:
    """An empty spool (or one holding `frames`) in a temporary folder, removed on exit."""
    with tempfile.TemporaryDirectory(prefix=f"irm-gx-{stage}-") as tmp:
        spool = FrameSpool(Path(tmp))
        for table, frame in (frames or {}).items():
            spool.add(table, frame)
        yield spool


def validate_frames(
    stage: str,
    suites: list[TableSuite],
    frames: Mapping[str, pd.DataFrame] | FrameSpool,
    data_docs_dir: Path,
    *,
    extra_checks: Mapping[str, Sequence[Check]] | None = None,
    sources: Mapping[str, str] | None = None,
    row_id: Sequence[str] = (),
    counts: Mapping[str, TableCounts] | None = None,
) -> ValidationReport:
    """Validate each suite's frame (by table) in one checkpoint named after the stage.

    `frames` by table, or a `FrameSpool` the caller filled (so it need not hold the frames).
    `extra_checks` (by suite name) are the checks that depend on the run; `sources` (by table)
    say in the Data Docs where a frame came from; `row_id` names columns every frame has, used
    to say in which rows failing values were found. `counts` (by table): a table whose frame
    holds only the rows that can fail a check, with its checks counted whole by DuckDB
    (counts.py); they go into its results. A suite without a frame (its table is missing) fails
    without running GX, or is skipped with a warning when it is optional.
    """
    started = time.perf_counter()
    site_dir = data_docs_dir / stage
    results: dict[str, Any] = {}
    docs_index = None
    with _spooled(stage, frames) as spool:
        present = [s for s in suites if s.table in spool]
        if present:
            run = _CheckpointRun(
                stage, extra_checks or {}, sources or {}, list(row_id), counts or {}
            )
            results, docs_index = run.execute(present, spool, site_dir)
        else:
            _clear_site(site_dir)  # no stale docs of an earlier run under this run's summary
    suite_results = [
        _suite_result(s, results[s.name], spool.rows[s.table], row_id)
        if s.table in spool
        else _missing_table(s)
        for s in suites
    ]
    report = ValidationReport(stage, suite_results, docs_index, time.perf_counter() - started)
    return dataclasses.replace(report, data_docs_home=publish_run(data_docs_dir, report))


def _spooled(
    stage: str, frames: Mapping[str, pd.DataFrame] | FrameSpool
) -> AbstractContextManager[FrameSpool]:
    """The caller's spool as it is (the caller removes it), or one of `frames` for this run."""
    if isinstance(frames, FrameSpool):
        return nullcontext(frames)
    return spool_frames(stage, frames)


# --- Great Expectations ---------------------------------------------------------------------


def import_gx() -> Any:
    """Import great_expectations with analytics off (must be set before the import)."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx

    import expectations.column_types  # noqa: F401  (registers expect_table_column_types_to_be)

    return gx


@dataclasses.dataclass(frozen=True)
class _CheckpointRun:
    """One stage's checkpoint: its suites, each bound to its table's Feather file."""

    stage: str
    extra_checks: Mapping[str, Sequence[Check]]
    sources: Mapping[str, str]
    row_id: list[str]
    counts: Mapping[str, TableCounts]

    def execute(
        self, suites: list[TableSuite], spool: FrameSpool, site_dir: Path
    ) -> tuple[dict[str, Any], Path]:
        """Run the checkpoint; return validation results by suite name and the docs index."""
        gx = import_gx()
        building = site_dir.with_name(f".{site_dir.name}.building-{uuid.uuid4().hex[:8]}")
        context = _context(gx, building)
        datasource = context.data_sources.add_pandas(self.stage)
        try:
            definitions = [self._definition(gx, context, datasource, s, spool) for s in suites]
            checkpoint = context.checkpoints.add(
                gx.Checkpoint(
                    name=self.stage,
                    validation_definitions=definitions,
                    result_format=self._result_format(),
                )
            )
            result = checkpoint.run(run_id=_run_id(self.stage))
            self._apply_counts(context, result.run_results, suites)
            # Built once here rather than by an UpdateDataDocsAction, which rebuilds the site
            # index after every validation (11 marts: 3.3 s instead of 2.2 s).
            build_site(context, SITE_NAME)  # failing values shown safely (docs.py)
            replace_dir(building, site_dir)
        finally:
            shutil.rmtree(building, ignore_errors=True)
        by_suite = {r.suite_name: r for r in result.run_results.values()}
        return by_suite, site_dir / "index.html"

    def _result_format(self) -> dict[str, Any]:
        if not self.row_id:
            return RESULT_FORMAT
        # GX then names each failing row by these columns (every frame of the stage has them).
        return {
            **RESULT_FORMAT,
            "result_format": "SUMMARY",
            "unexpected_index_column_names": self.row_id,
            "return_unexpected_index_query": False,
        }

    def _definition(
        self,
        gx: Any,
        context: Any,
        datasource: Any,
        suite: TableSuite,
        spool: FrameSpool,
    ) -> Any:
        """The suite bound to its table's spooled Feather file (module doc)."""
        # The docs show this metadata; the Feather path itself is temporary.
        source = self.sources.get(suite.table, f"warehouse {suite.stage}.{suite.table}")
        metadata: dict[str, Any] = {"source": source, "rows": spool.rows[suite.table]}
        if suite.table in self.counts:
            metadata["rows shown to GX"] = spool.shown[suite.table]
            metadata["counted by"] = "DuckDB, over every row (expectations/counts.py)"
        asset = datasource.add_feather_asset(
            suite.table, path=spool.path(suite.table), batch_metadata=metadata
        )
        return context.validation_definitions.add(
            gx.ValidationDefinition(
                name=suite.name,
                data=asset.add_batch_definition_whole_dataframe("whole"),
                suite=context.suites.add(_gx_suite(gx, suite, self._checks(suite))),
            )
        )

    def _checks(self, suite: TableSuite) -> list[Check]:
        """The suite's checks and the run's, each once, in the order of its results."""
        return _distinct_checks([*suite.all_checks(), *self.extra_checks.get(suite.name, ())])

    def _apply_counts(
        self, context: Any, run_results: Mapping[Any, Any], suites: list[TableSuite]
    ) -> None:
        """Write the whole tables' counts into the results of the suites DuckDB counted, in the
        checkpoint's result and in the store the Data Docs are built from."""
        by_name = {s.name: s for s in suites}
        for key, suite_result in run_results.items():
            suite = by_name[suite_result.suite_name]
            if suite.table in self.counts:
                apply_counts(suite_result, self._checks(suite), self.counts[suite.table])
                context.validation_results_store.set(key, suite_result)


def _context(gx: Any, site_dir: Path) -> Any:
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        # In-memory stores, and no default docs site in a temp folder: only ours.
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        # Pages that read offline and show the data as text (docs.py).
        data_docs_sites={SITE_NAME: site_config(site_dir)},
        analytics_enabled=False,
        # Progress bars would flood task logs with carriage-return noise.
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _gx_suite(gx: Any, suite: TableSuite, checks: list[Check]) -> Any:
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    # Given whole to the constructor: add_expectation compares each new expectation with every
    # one before it (pydantic dicts; about a tenth of a mart validation). It kept a suite
    # set-like, as _distinct_checks does (add_expectation_configuration would upsert by domain
    # and silently drop a second check of the same type on another column).
    configurations = [
        _configuration(ExpectationConfiguration, check, order)
        for order, check in enumerate(_distinct_checks(checks))
    ]
    return gx.ExpectationSuite(
        name=suite.name, expectations=configurations, meta={"stage": suite.stage}
    )


def _distinct_checks(checks: list[Check]) -> list[Check]:
    """The checks without repeats (the same type, arguments and level), first kept."""
    seen: dict[str, Check] = {}
    for check in checks:
        seen.setdefault(check.key, check)
    return list(seen.values())


def _configuration(configuration_class: Any, check: Check, order: int) -> Any:
    return configuration_class(
        type=check.type,
        kwargs=dict(check.kwargs),
        # GX returns results in its own order; "order" restores the suite's (schema first).
        meta={"level": check.level, "order": order},
        notes=check.notes,
        severity=check.level,
    )


def _run_id(stage: str) -> Any:
    from great_expectations.core.run_identifier import RunIdentifier

    now = datetime.now(UTC)
    return RunIdentifier(run_name=f"{stage}-{now:%Y%m%dT%H%M%SZ}", run_time=now)


# --- results --------------------------------------------------------------------------------


def _suite_result(
    suite: TableSuite, validation: Any, rows: int, row_id: Sequence[str]
) -> SuiteResult:
    failing = sorted(
        (r for r in validation.results if not r.success),
        key=lambda r: (r.expectation_config.meta or {}).get("order", 0),
    )
    failed = [_failed(suite.name, r, row_id) for r in failing]
    return SuiteResult(
        suite=suite.name,
        table=suite.table,
        rows=rows,
        evaluated=len(validation.results),
        failed_critical=[f for f in failed if f.level == CRITICAL],
        warnings=[f for f in failed if f.level != CRITICAL],
    )


def _missing_table(suite: TableSuite) -> SuiteResult:
    """A missing table fails its suite, but for an optional one (a mart not built yet), which is
    skipped with a warning."""
    missing = FailedExpectation(
        suite=suite.name,
        expectation_type=TABLE_EXISTS,
        column=None,
        level=WARNING if suite.optional else CRITICAL,
        kwargs={"table": f"{suite.stage}.{suite.table}"},
        error="skipped: this optional table does not exist in the warehouse yet"
        if suite.optional
        else "the table does not exist in the warehouse",
    )
    if suite.optional:
        return SuiteResult(suite.name, suite.table, None, 0, [], [missing], skipped=True)
    return SuiteResult(suite.name, suite.table, None, 1, [missing], [])


def _failed(suite_name: str, result: Any, row_id: Sequence[str]) -> FailedExpectation:
    config = result.expectation_config
    details = result.result or {}
    kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
    return FailedExpectation(
        suite=suite_name,
        expectation_type=config.type,
        column=kwargs.get("column"),
        level=(config.meta or {}).get("level", CRITICAL),
        kwargs=_jsonable(kwargs),
        unexpected_count=details.get("unexpected_count"),
        element_count=details.get("element_count"),
        sample=_sample(details),
        observed=_jsonable(details.get("observed_value")),
        error=_exception_message(result.exception_info),
        notes=config.notes,
        rows=_rows(details, row_id),
    )


def _sample(details: dict[str, Any]) -> list[Any]:
    values = details.get("partial_unexpected_list")
    if values is None:
        # expect_table_columns_to_match_set reports the missing columns here.
        values = (details.get("details") or {}).get("mismatched", {}).get("missing") or []
    return _distinct(_jsonable(list(values)))


def _rows(details: dict[str, Any], row_id: Sequence[str]) -> list[dict[str, Any]]:
    """The row ids of failing values (GX adds them when the result format names row_id)."""
    found = details.get("partial_unexpected_index_list") or []
    rows = [{k: row.get(k) for k in row_id} for row in found if isinstance(row, dict)]
    return _distinct(_jsonable(rows))


def _distinct(values: list[Any]) -> list[Any]:
    distinct: list[Any] = []
    for value in values:
        if value not in distinct:
            distinct.append(value)
        if len(distinct) == SAMPLE_SIZE:
            break
    return distinct


def _exception_message(info: dict[str, Any] | None) -> str | None:
    if not info:
        return None
    if info.get("raised_exception"):
        return info.get("exception_message")
    # Some results nest the exception info per metric.
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return value.get("exception_message")
    return None


def _jsonable(value: Any) -> Any:
    """Plain Python values for messages and XCom (numpy scalars, timestamps, NA)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        # numpy scalars (np.float64 is also a float, but repr()s as np.float64(7.0)).
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if _is_date(value):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _is_date(value: Any) -> bool:
    """A naive midnight timestamp is how a date column reads back (KIND_DTYPES["date"])."""
    if not hasattr(value, "hour") or getattr(value, "tzinfo", True) is not None:
        return False
    return (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)


# --- files ----------------------------------------------------------------------------------


def _clear_site(site_dir: Path) -> None:
    empty = site_dir.with_name(f".{site_dir.name}.empty-{uuid.uuid4().hex[:8]}")
    empty.mkdir(parents=True)
    replace_dir(empty, site_dir)
