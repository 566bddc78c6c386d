"""Run the suites of a stage as one Great Expectations checkpoint and build Data Docs.

Great Expectations is imported inside the functions (12-15 s), never at module level, so a DAG
file may import this module. The context is ephemeral (in memory, rebuilt per run in ~30 ms): the
suites live in `expectations/suites.py`, so there is nothing to keep between runs except the Data
Docs, written as HTML to `<data_docs_dir>/<stage>/` and swapped into place when complete.

Why the frames go through Feather files: a GX 1.x checkpoint hands the same `batch_parameters`
to every validation definition, so in-memory dataframe assets cannot give each table its own
frame within one checkpoint. One Feather file per table (written in milliseconds, dtypes kept)
lets the whole stage run as a single checkpoint, as designed.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from expectations.frames import read_tables
from expectations.report import (
    SAMPLE_SIZE,
    DataQualityError,
    FailedExpectation,
    SuiteResult,
    ValidationReport,
    log_warnings,
    raise_on_critical,
)
from expectations.suites import CRITICAL, Check, TableSuite, suites_for
from irm.config import get_settings

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DataQualityError", "ValidationReport", "raise_on_critical", "validate_marts"]

log = logging.getLogger(__name__)

MARTS = "marts"
SITE_NAME = "irm"
# SUMMARY keeps a sample of failing values without copying whole columns into the results.
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 20}


def validate_marts(tables: list[str] | None = None) -> ValidationReport:
    """Validate the marts (all registered ones, or the named tables) in the warehouse.

    A registered mart missing from the warehouse is a critical failure; a mart without a suite
    is logged. The report's `success` ignores warnings (they are logged here).
    """
    settings = get_settings()
    if not settings.warehouse_path.exists():
        raise FileNotFoundError(f"no warehouse at {settings.warehouse_path}")
    suites = suites_for(MARTS, tables)
    frames, present = read_tables(settings.warehouse_path, MARTS, [s.table for s in suites])
    if tables is None:
        _log_unregistered(present, suites)
    report = validate_frames(MARTS, suites, frames, settings.data_docs_dir)
    log.info("%s; Data Docs: %s", report.summary(), report.data_docs_index)
    log_warnings(report)
    return report


def validate_frames(
    stage: str, suites: list[TableSuite], frames: dict[str, pd.DataFrame], data_docs_dir: Path
) -> ValidationReport:
    """Validate each suite's frame in one checkpoint named after the stage.

    A suite without a frame (its table is missing) fails without running GX. Reusable by
    further stages (landing entities) with their own frames.
    """
    started = time.perf_counter()
    present = [s for s in suites if s.table in frames]
    results: dict[str, Any] = {}
    docs_index = None
    if present:
        results, docs_index = _run_checkpoint(stage, present, frames, data_docs_dir / stage)
    suite_results = [
        _suite_result(s, results[s.name], len(frames[s.table]))
        if s.table in frames
        else _missing_table(s)
        for s in suites
    ]
    return ValidationReport(stage, suite_results, docs_index, time.perf_counter() - started)


# --- Great Expectations ---------------------------------------------------------------------


def import_gx() -> Any:
    """Import great_expectations with analytics off (must be set before the import)."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx

    return gx


def _run_checkpoint(
    stage: str, suites: list[TableSuite], frames: dict[str, pd.DataFrame], site_dir: Path
) -> tuple[dict[str, Any], Path]:
    """Run the stage's checkpoint; return validation results by suite name and the docs index."""
    gx = import_gx()
    building = site_dir.with_name(f".{site_dir.name}.building-{uuid.uuid4().hex[:8]}")
    context = _context(gx, building)
    datasource = context.data_sources.add_pandas(stage)
    try:
        with tempfile.TemporaryDirectory(prefix=f"irm-gx-{stage}-") as tmp:
            definitions = [
                _validation_definition(gx, context, datasource, s, frames[s.table], Path(tmp))
                for s in suites
            ]
            checkpoint = context.checkpoints.add(
                gx.Checkpoint(
                    name=stage,
                    validation_definitions=definitions,
                    actions=[
                        gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=[SITE_NAME])
                    ],
                    result_format=RESULT_FORMAT,
                )
            )
            result = checkpoint.run(run_id=_run_id(stage))
        _replace_dir(building, site_dir)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    by_suite = {r.suite_name: r for r in result.run_results.values()}
    return by_suite, site_dir / "index.html"


def _validation_definition(
    gx: Any, context: Any, datasource: Any, suite: TableSuite, frame: pd.DataFrame, folder: Path
) -> Any:
    """The suite bound to its table's frame, handed over as a Feather file (see module doc)."""
    path = folder / f"{suite.table}.feather"
    frame.to_feather(path)
    # The docs show this metadata; the Feather path itself is temporary.
    metadata = {"source": f"warehouse {suite.stage}.{suite.table}", "rows": len(frame)}
    asset = datasource.add_feather_asset(suite.table, path=path, batch_metadata=metadata)
    return context.validation_definitions.add(
        gx.ValidationDefinition(
            name=suite.name,
            data=asset.add_batch_definition_whole_dataframe("whole"),
            suite=context.suites.add(_gx_suite(gx, suite)),
        )
    )


def _context(gx: Any, site_dir: Path) -> Any:
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        # In-memory stores, and no default docs site in a temp folder: only ours.
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites={
            SITE_NAME: {
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(site_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
        analytics_enabled=False,
        # Progress bars would flood task logs with carriage-return noise.
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _gx_suite(gx: Any, suite: TableSuite) -> Any:
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    gx_suite = gx.ExpectationSuite(name=suite.name, meta={"stage": suite.stage})
    for order, check in enumerate(suite.all_checks()):
        # add_expectation, not add_expectation_configuration: the latter upserts by domain and
        # silently drops a second check of the same type on another column.
        configuration = _configuration(ExpectationConfiguration, check, order)
        gx_suite.add_expectation(configuration.to_domain_obj())
    return gx_suite


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


def _suite_result(suite: TableSuite, validation: Any, rows: int) -> SuiteResult:
    failing = sorted(
        (r for r in validation.results if not r.success),
        key=lambda r: (r.expectation_config.meta or {}).get("order", 0),
    )
    failed = [_failed(suite.name, r) for r in failing]
    return SuiteResult(
        suite=suite.name,
        table=suite.table,
        rows=rows,
        evaluated=len(validation.results),
        failed_critical=[f for f in failed if f.level == CRITICAL],
        warnings=[f for f in failed if f.level != CRITICAL],
    )


def _missing_table(suite: TableSuite) -> SuiteResult:
    missing = FailedExpectation(
        suite=suite.name,
        expectation_type="expect_table_to_exist",
        column=None,
        level=CRITICAL,
        kwargs={"table": f"{suite.stage}.{suite.table}"},
        error="the table does not exist in the warehouse",
    )
    return SuiteResult(suite.name, suite.table, None, 1, [missing], [])


def _failed(suite_name: str, result: Any) -> FailedExpectation:
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
    )


def _sample(details: dict[str, Any]) -> list[Any]:
    values = details.get("partial_unexpected_list")
    if values is None:
        # expect_table_columns_to_match_set reports the missing columns here.
        values = (details.get("details") or {}).get("mismatched", {}).get("missing") or []
    distinct: list[Any] = []
    for value in _jsonable(list(values)):
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
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        # numpy scalars (np.float64 is also a float, but repr()s as np.float64(7.0)).
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _log_unregistered(present: list[str], suites: list[TableSuite]) -> None:
    registered = {s.table for s in suites}
    for table in sorted(set(present) - registered):
        log.warning(
            "no expectation suite for %s.%s (add one in expectations/suites.py)", MARTS, table
        )


# --- files ----------------------------------------------------------------------------------


def _replace_dir(new: Path, target: Path) -> None:
    """Put a completed folder in place of the old one (two renames; the old one is removed)."""
    old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
