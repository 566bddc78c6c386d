"""Row counts of the tables of past successful validations, kept as JSON in the state folder.

    <state_dir>/data_quality/row_counts.json
    {"version": 1, "tables": {"marts.fct_post": [{"rows": 5210, "as_of": "2026-02-05",
                                                  "validated_at": "2026-02-06T00:12:03+00:00"}]}}

The newest entry of a table is "the previous run" its next validation compares against. Only a
successful validation (no critical failure) appends, so a failed run never becomes the baseline
it is compared with next time. Each table keeps its last `KEEP` entries.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from expectations.report import ValidationReport

log = logging.getLogger(__name__)

FILE = Path("data_quality") / "row_counts.json"
VERSION = 1
KEEP = 30


def history_path(state_dir: Path) -> Path:
    return state_dir / FILE


def load(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Entries by suite name, oldest first; an unreadable file is a fresh start (logged)."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): list(v) for k, v in data["tables"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("row-count history %s unreadable (%s); starting afresh", path, exc)
        return {}


def previous_rows(history: dict[str, list[dict[str, Any]]], suite: str) -> int | None:
    entries = history.get(suite) or []
    return int(entries[-1]["rows"]) if entries else None


def record(path: Path, report: ValidationReport, as_of: date) -> bool:
    """Append the validated tables' row counts, only if the validation succeeded."""
    if not report.success:
        log.info("row-count history not updated: the %s validation failed", report.stage)
        return False
    history = load(path)
    validated_at = datetime.now(UTC).isoformat(timespec="seconds")
    for suite in report.suites:
        if suite.rows is None:  # skipped or missing: nothing was counted
            continue
        entry = {"rows": suite.rows, "as_of": as_of.isoformat(), "validated_at": validated_at}
        history[suite.suite] = [*history.get(suite.suite, []), entry][-KEEP:]
    _write(path, {"version": VERSION, "tables": history})
    return True


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)  # a crash mid-write leaves the previous history intact
