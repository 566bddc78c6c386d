"""An export run: start (pin the BI copy), write each format, finish (manifest, move into place).

The irm_exports DAG runs the steps as separate tasks; `write_export` runs them all in one go
(the `irm export` command, tests).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb

from exports.csv_export import write_csvs
from exports.folder import (
    ExportRun,
    FileEntry,
    abandon_export,
    finish_export,
    open_source,
    record_entries,
    start_export,
)
from exports.report import write_report
from exports.workbook import write_workbook

Writer = Callable[[duckdb.DuckDBPyConnection, ExportRun], list[FileEntry]]

WRITERS: dict[str, Writer] = {
    "csv": lambda con, run: write_csvs(con, run.staging),
    "xlsx": write_workbook,
    "html": write_report,
}
FORMATS = tuple(WRITERS)


def write_format(run: ExportRun, fmt: str) -> list[FileEntry]:
    """Write one format's files from the run's pinned copy (again on a retry: same files)."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown export format {fmt!r}: one of {', '.join(FORMATS)}")
    with open_source(run.pinned_source) as con:
        entries = WRITERS[fmt](con, run)
    record_entries(run, fmt, entries)
    return entries


def write_export(
    day: str | date, source: Path | None = None, formats: tuple[str, ...] = FORMATS
) -> Path:
    """The whole export of a day into `<exports>/<day>/`, replacing that folder. Returns it."""
    run = start_export(day, source)
    try:
        for fmt in formats:
            write_format(run, fmt)
        return finish_export(run)
    except BaseException:
        abandon_export(run)
        raise
