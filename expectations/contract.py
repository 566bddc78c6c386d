"""The vocabulary of the suites: `Check`, `TableSuite`, `Reference` and small builders.

Plain data, no Great Expectations import (that costs 12-15 s): the runner turns each `Check`
into a GX expectation when it validates. The suites themselves come from `mart_suites.py` (made
from the marts' dbt contract) and `landing_suites.py`; `suites.py` registers them by stage.

Levels (stored in each expectation's `meta["level"]`, mirrored in GX's own `severity`):
- critical: the data is wrong; the task fails and the data is not loaded or published.
- warning: implausible but possible; logged and shown in Data Docs, never fatal.

Kinds are logical column types, not physical ones: dbt may choose INTEGER or BIGINT, DECIMAL or
DOUBLE, TIMESTAMP or TIMESTAMPTZ, and the contract should not break on that. Each frame is
normalized to one canonical pandas dtype per kind (see `KIND_DTYPES`), so a VARCHAR where an
integer belongs still fails.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Level = Literal["critical", "warning"]
CRITICAL: Level = "critical"
WARNING: Level = "warning"

# Canonical pandas dtype per kind, after normalization.
# Naive timestamps are read as UTC; dates stay naive (midnight), so the two kinds differ.
KIND_DTYPES: dict[str, str] = {
    "integer": "Int64",
    "number": "Float64",
    "string": "string",
    "boolean": "boolean",
    "timestamp": "datetime64[us, UTC]",
    "date": "datetime64[us]",
}

# Every column's dtype in one expectation (column_types.py, a custom GX expectation).
COLUMN_TYPES = "expect_table_column_types_to_be"
# The checks of a table's schema (columns and types), which read no values.
SCHEMA_CHECKS = ("expect_table_columns_to_match_set", COLUMN_TYPES)
# The expectation type reported for a table that is not there (no GX expectation exists for it).
TABLE_EXISTS = "expect_table_to_exist"


@dataclass(frozen=True)
class Check:
    """One expectation: a GX expectation type, its arguments and its level."""

    type: str
    kwargs: Mapping[str, Any]
    level: Level = CRITICAL
    notes: str | None = None

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")

    @property
    def key(self) -> str:
        """The check's identity: its type, arguments and level (a suite keeps each check once)."""
        return json.dumps([self.type, self.kwargs, self.level], sort_keys=True, default=str)

    @property
    def columns(self) -> list[str]:
        """Every column the check reads (single, pair or compound)."""
        named = [self.kwargs.get(k) for k in ("column", "column_A", "column_B")]
        return [c for c in named if c] + list(self.kwargs.get("column_list", []))


@dataclass(frozen=True)
class Reference:
    """`column` of this table must exist in `table.parent_column` (NULL passes: nullness is a
    separate check). Evaluated by the mart runner with one anti-join in the warehouse."""

    column: str
    table: str
    parent_column: str
    level: Level = CRITICAL

    @property
    def orphan_column(self) -> str:
        """Name of the derived column holding the values without a parent (see marts.py)."""
        return f"{self.column} not in {self.table}.{self.parent_column}"

    def check(self) -> Check:
        """The check of the reference: its derived orphan column is NULL in every row."""
        return is_null(
            self.orphan_column,
            level=self.level,
            notes=(
                f"every {self.column} exists in {self.table}.{self.parent_column}; "
                "this derived column holds the ones that do not"
            ),
        )


@dataclass(frozen=True)
class TableSuite:
    """What one table promises: columns with kinds, a unique key and further checks.

    `optional`: a table that may not exist yet (a mart still being built) is skipped with a
    warning instead of failing. `freshness`: the column whose newest value must be recent
    (checked against the run's `as_of`, a warning). `unique_level`: the level of the key's
    uniqueness (CRM exports quarantine duplicates downstream, so there it is a warning).
    """

    stage: str
    table: str
    columns: Mapping[str, str]
    key: tuple[str, ...]
    checks: tuple[Check, ...] = field(default=())
    references: tuple[Reference, ...] = field(default=())
    freshness: str | None = None
    optional: bool = False
    unique_level: Level = CRITICAL

    def __post_init__(self) -> None:
        unknown = {kind for kind in self.columns.values() if kind not in KIND_DTYPES}
        if unknown:
            raise ValueError(f"{self.name}: unknown column kinds {sorted(unknown)}")
        named = [*self.key, *(r.column for r in self.references)]
        if self.freshness:
            named.append(self.freshness)
        missing = [c for c in named if c not in self.columns]
        if missing:
            raise ValueError(f"{self.name}: columns {missing} are not declared")

    @property
    def name(self) -> str:
        return f"{self.stage}.{self.table}"

    def all_checks(self) -> list[Check]:
        """Schema first (so a missing column is the first failure named), then keys, then rest.

        Checks that depend on the run (references, freshness, row-count change) are added by
        the stage's runner.
        """
        return [*self.schema_checks(), *self.key_checks(), *self.checks]

    def schema_checks(self) -> list[Check]:
        # Extra columns are allowed: the contract lists the columns a table has at least.
        present = Check(
            "expect_table_columns_to_match_set",
            {"column_set": list(self.columns), "exact_match": False},
            notes="every contracted column is present",
        )
        types = Check(
            COLUMN_TYPES,
            {"column_types": {col: KIND_DTYPES[kind] for col, kind in self.columns.items()}},
            notes="every contracted column has its kind's type",
        )
        return [present, types]

    @property
    def value_columns(self) -> list[str]:
        """The columns whose values some check reads; the others are checked for their type
        only (so their values need not be read: frames.py)."""
        named = [
            c
            for check in self.all_checks()
            if check.type not in SCHEMA_CHECKS
            for c in check.columns
        ]
        named += [ref.column for ref in self.references]
        if self.freshness:
            named.append(self.freshness)
        return list(dict.fromkeys(named))

    def key_checks(self) -> list[Check]:
        checks = not_null(*self.key)
        if len(self.key) == 1:
            checks.append(unique(self.key[0], level=self.unique_level))
        elif self.key:
            kwargs = {"column_list": list(self.key)}
            checks.append(Check("expect_compound_columns_to_be_unique", kwargs, self.unique_level))
        return checks


# --- small builders, so a suite reads like its contract -----------------------------------


def not_null(*columns: str, level: Level = CRITICAL, notes: str | None = None) -> list[Check]:
    return [
        Check("expect_column_values_to_not_be_null", {"column": c}, level, notes) for c in columns
    ]


def unique(column: str, *, level: Level = CRITICAL) -> Check:
    return Check("expect_column_values_to_be_unique", {"column": column}, level)


def non_negative(*columns: str, level: Level = CRITICAL, notes: str | None = None) -> list[Check]:
    """Counts and money: NULL (not returned by the platform) passes, below zero does not."""
    return [
        Check("expect_column_values_to_be_between", {"column": c, "min_value": 0}, level, notes)
        for c in columns
    ]


def between(
    column: str,
    min_value: float | None = None,
    max_value: float | None = None,
    *,
    mostly: float | None = None,
    level: Level = CRITICAL,
    notes: str | None = None,
) -> Check:
    kwargs: dict[str, Any] = {"column": column, "min_value": min_value, "max_value": max_value}
    if mostly is not None:
        kwargs["mostly"] = mostly
    return Check("expect_column_values_to_be_between", kwargs, level, notes)


def in_set(
    column: str, values: tuple[str, ...], *, level: Level = CRITICAL, notes: str | None = None
) -> Check:
    kwargs = {"column": column, "value_set": list(values)}
    return Check("expect_column_values_to_be_in_set", kwargs, level, notes)


def matches(column: str, regex: str, *, level: Level = CRITICAL, notes: str | None = None) -> Check:
    kwargs = {"column": column, "regex": regex}
    return Check("expect_column_values_to_match_regex", kwargs, level, notes)


def equal(
    column_a: str, column_b: str, *, level: Level = CRITICAL, notes: str | None = None
) -> Check:
    """Two columns agree row by row; a row where either is NULL is left to the not-null checks."""
    return _pair("expect_column_pair_values_to_be_equal", column_a, column_b, level, notes)


def at_least(
    column_a: str, column_b: str, *, level: Level = CRITICAL, notes: str | None = None
) -> Check:
    """column_a >= column_b row by row (rows with a NULL are skipped)."""
    expectation = "expect_column_pair_values_a_to_be_greater_than_b"
    return _pair(expectation, column_a, column_b, level, notes, or_equal=True)


def _pair(
    expectation: str, column_a: str, column_b: str, level: Level, notes: str | None, **extra: Any
) -> Check:
    """A check comparing two columns row by row, skipping the rows where either is NULL."""
    kwargs = {"column_A": column_a, "column_B": column_b, **extra}
    return Check(expectation, {**kwargs, "ignore_row_if": "either_value_is_missing"}, level, notes)


def is_null(column: str, *, level: Level = CRITICAL, notes: str | None = None) -> Check:
    return Check("expect_column_values_to_be_null", {"column": column}, level, notes)
