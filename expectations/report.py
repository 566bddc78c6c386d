"""What a validation run returns, and the error a failed critical expectation raises
(`core.errors.DataQualityError`, carrying the report).

Plain dataclasses (no Great Expectations import), JSON-friendly through `to_dict()` so a task can
hand a summary to XCom.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core.errors import DataQualityError
from expectations.contract import TABLE_EXISTS

log = logging.getLogger(__name__)

# How many failing values (and the rows holding them) a message or a report quotes.
SAMPLE_SIZE = 5
# The most characters a message quotes of one failing value, and of one argument.
MESSAGE_VALUE_CHARACTERS = 200
MESSAGE_ARGUMENT_CHARACTERS = 60


@dataclass(frozen=True)
class FailedExpectation:
    suite: str
    expectation_type: str
    column: str | None
    level: str
    kwargs: dict[str, Any]
    unexpected_count: int | None = None
    element_count: int | None = None
    sample: list[Any] = field(default_factory=list)
    observed: Any = None
    error: str | None = None
    notes: str | None = None
    # Where failing values were found, by the stage's row id (landing: dt and record_key).
    rows: list[dict[str, Any]] = field(default_factory=list)

    def describe(self) -> str:
        """One line naming the suite, the expectation, its arguments and what was found."""
        return f"{self.suite}: {self.expectation_type}({_args(self.kwargs)}): {self._finding()}"

    def _finding(self) -> str:
        if self.error:
            return self.error if self.expectation_type == TABLE_EXISTS else f"error: {self.error}"
        if self.unexpected_count is not None:
            of = f" of {self.element_count}" if self.element_count is not None else ""
            examples = _values(self.sample)
            return f"{self.unexpected_count}{of} unexpected, e.g. {examples}{self._where()}"
        if self.sample and self.expectation_type == "expect_table_columns_to_match_set":
            return f"missing columns {_values(self.sample)}"
        if self.sample:
            return f"found {_values(self.sample)}"
        return f"observed {self.observed!r}"

    def _where(self) -> str:
        if not self.rows:
            return ""
        rows = "; ".join(" ".join(f"{k}={v}" for k, v in row.items()) for row in self.rows)
        return f" at {rows}"


@dataclass(frozen=True)
class SuiteResult:
    suite: str
    table: str
    rows: int | None
    evaluated: int
    failed_critical: list[FailedExpectation]
    warnings: list[FailedExpectation]
    # An optional table that does not exist yet: not validated, reported as a warning.
    skipped: bool = False

    @property
    def success(self) -> bool:
        return not self.failed_critical


@dataclass(frozen=True)
class ValidationReport:
    """success is True when no critical expectation failed; warnings do not count."""

    stage: str
    suites: list[SuiteResult]
    data_docs_index: Path | None
    seconds: float
    # The top-level page linking every stage's latest Data Docs.
    data_docs_home: Path | None = None

    @property
    def success(self) -> bool:
        return all(s.success for s in self.suites)

    @property
    def failed_critical(self) -> list[FailedExpectation]:
        return [f for s in self.suites for f in s.failed_critical]

    @property
    def warnings(self) -> list[FailedExpectation]:
        return [f for s in self.suites for f in s.warnings]

    @property
    def skipped(self) -> list[str]:
        return [s.suite for s in self.suites if s.skipped]

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "success": self.success,
            "seconds": round(self.seconds, 3),
            "data_docs_index": str(self.data_docs_index) if self.data_docs_index else None,
            "data_docs_home": str(self.data_docs_home) if self.data_docs_home else None,
            "suites": [{**asdict(s), "success": s.success} for s in self.suites],
        }

    def summary(self) -> str:
        parts = [_suite_summary(s) for s in self.suites] or ["nothing to validate"]
        return f"stage {self.stage}: " + "; ".join(parts)


def _suite_summary(s: SuiteResult) -> str:
    if s.skipped:
        return f"{s.suite}: skipped (optional, not built yet)"
    if s.rows is None:
        return f"{s.suite}: FAILED (missing)"
    return (
        f"{s.suite}: {'ok' if s.success else 'FAILED'} "
        f"({s.rows} rows, {s.evaluated} expectations, {len(s.failed_critical)} critical, "
        f"{len(s.warnings)} warnings)"
    )


def log_warnings(report: ValidationReport) -> None:
    for warning in report.warnings:
        log.warning("data quality warning: %s", warning.describe())


def raise_on_critical(report: ValidationReport) -> None:
    """Raise DataQualityError naming every failed critical expectation.

    Warnings never raise (the stage's validation has logged them).
    """
    failed = report.failed_critical
    if not failed:
        return
    lines = "\n".join(f"  - {f.describe()}" for f in failed)
    docs_page = report.data_docs_index or report.data_docs_home
    docs = f"\nData Docs: {docs_page}" if docs_page else ""
    raise DataQualityError(
        f"{len(failed)} critical expectation(s) failed in stage {report.stage}:\n{lines}{docs}",
        report,
    )


def _short(value: Any, limit: int) -> str:
    """A value as a message quotes it: its repr (control and bidirectional characters as
    escapes), cut at `limit` characters, so a 40,000-character caption stays short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _values(values: list[Any]) -> str:
    return "[" + ", ".join(_short(v, MESSAGE_VALUE_CHARACTERS) for v in values) + "]"


def _args(kwargs: dict[str, Any]) -> str:
    return ", ".join(
        f"{k}={_short(v, MESSAGE_ARGUMENT_CHARACTERS)}" for k, v in kwargs.items() if v is not None
    )
