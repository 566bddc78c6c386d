"""Suites of the marts (SPEC 5.1), generated from the marts' dbt contract.

A mart's schema is written once, in `dbt_project/models/marts/_marts__models.yml`, and read from
the dbt manifest (warehouse/mart_contract.py). Each mart's suite is:

- its columns with their kinds, from the contract's data types (the schema checks: every column
  present, with its type);
- its key (the `unique` test, or the model's grain: its `column_checks`' `unique_combination`,
  read as `unique_combination_of_columns` by warehouse/mart_contract.py): not NULL, unique;
- the columns' dbt data tests: `not_null` (and the contract's not_null constraints),
  `accepted_values`, `non_negative` (>= 0), and `relationships` to another mart (a reference,
  answered by one anti-join in the warehouse; a relationship to a seed or an intermediate model
  is dbt's alone); a mart's `column_checks` test reads as a `not_null`, `non_negative`,
  `unique` or `accepted_values` test of each column it names (warehouse/mart_contract.py);
- what only Great Expectations checks, from the column's meta `expect` list: `between: [min,
  max]` (null for an open end) with an optional `mostly` share, `matches: <regex>`, and
  `not_null: true` (a NULL worth a look, with `severity: warn`, which dbt would report on every
  build); and from the model's meta `expect`: `at_least: [a, b]` (a >= b row by row);
- from the model's meta: `freshness: <column>` (its newest value is recent, a warning) and
  `required: true` (a missing table is critical; other marts not built yet are skipped with a
  warning).

A dbt test's `severity: warn` (or an `expect` item's) makes the check a warning; otherwise it is
critical. Checks that depend on the run (references, freshness, row-count change against the
previous run) are added by marts.py. Adding a mart is adding a dbt model with a contract.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from core.config import Settings, get_settings
from expectations.contract import (
    CRITICAL,
    WARNING,
    Check,
    Level,
    Reference,
    TableSuite,
    at_least,
    between,
    in_set,
    matches,
    non_negative,
    not_null,
    unique,
)
from warehouse.mart_contract import MARTS, ContractError, DataTest, Mart, MartColumn, read_marts

__all__ = ["MARTS", "flag_types", "mart_suites", "suite_of"]

# dbt's severities (of a data test, or of a meta `expect` item) as the gate's levels.
LEVELS: dict[str, Level] = {"error": CRITICAL, "warn": WARNING}
# Where a check made of a dbt data test comes from, in its notes (Data Docs show them).
DBT_NOTE = "dbt data test {name}"
CONSTRAINT_NOTE = "the dbt contract's not_null constraint"


def mart_suites(settings: Settings | None = None) -> tuple[TableSuite, ...]:
    """Every mart's suite, parents first (a broken parent is named before its children)."""
    marts = read_marts(settings or get_settings())
    return tuple(suite_of(mart, marts) for mart in marts.values())


def flag_types(settings: Settings | None = None) -> tuple[str, ...]:
    """The quality flag types the contract accepts (mart_quality_flags.flag_type)."""
    column = read_marts(settings or get_settings())["mart_quality_flags"].column("flag_type")
    [test] = [t for t in column.tests if t.name == "accepted_values"]
    return tuple(test.kwargs["values"])


def __getattr__(name: str) -> Any:
    # FLAG_TYPES, read when asked for (the manifest is not read at import).
    if name == "FLAG_TYPES":
        return flag_types()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def suite_of(mart: Mart, marts: Mapping[str, Mart]) -> TableSuite:
    key = mart.key
    return TableSuite(
        stage=MARTS,
        table=mart.name,
        columns={column.name: column.kind for column in mart.columns},
        key=key,
        checks=(
            *(c for column in mart.columns for c in _column_checks(column, key)),
            *_table_checks(mart),
        ),
        references=tuple(r for column in mart.columns for r in _references(column, marts)),
        freshness=mart.meta.get("freshness"),
        optional=not mart.meta.get("required", False),
        unique_level=_key_level(mart, key),
    )


def _level(item: Mapping[str, Any] | DataTest) -> Level:
    severity = item.severity if isinstance(item, DataTest) else item.get("severity", "error")
    if severity not in LEVELS:
        raise ContractError(f"severity {severity!r} is not one of {sorted(LEVELS)}")
    return LEVELS[severity]


def _key_level(mart: Mart, key: tuple[str, ...]) -> Level:
    tests = [*mart.tests, *(t for c in mart.columns for t in c.tests)]
    for test in tests:
        if test.name in ("unique", "unique_combination_of_columns"):
            return _level(test)
    return CRITICAL


def _column_checks(column: MartColumn, key: tuple[str, ...]) -> Iterator[Check]:
    yield from _not_null(column, key)
    for test in column.tests:
        level, notes = _level(test), DBT_NOTE.format(name=test.name)
        if test.name == "accepted_values":
            yield in_set(column.name, tuple(test.kwargs["values"]), level=level, notes=notes)
        elif test.name == "non_negative":
            yield from non_negative(column.name, level=level, notes=notes)
        elif test.name == "unique" and key != (column.name,):
            yield unique(column.name, level=level)
    for item in column.meta.get("expect", ()):
        check = _expected(column.name, item)
        if check is not None:
            yield check


def _not_null(column: MartColumn, key: tuple[str, ...]) -> Iterator[Check]:
    """One not-null check at the strictest level asked for (the key's own come with it)."""
    if column.name in key:
        return
    asked: dict[str, Level] = {
        DBT_NOTE.format(name="not_null"): _level(t) for t in column.tests if t.name == "not_null"
    }
    for item in column.meta.get("expect", ()):
        if item.get("not_null"):
            asked[item.get("why") or "meta expect not_null"] = _level(item)
    if column.not_null:
        asked[CONSTRAINT_NOTE] = CRITICAL
    if asked:
        level = CRITICAL if CRITICAL in asked.values() else WARNING
        notes = "; ".join(why for why, at in asked.items() if at == level)
        yield from not_null(column.name, level=level, notes=notes)


def _expected(column: str, item: Mapping[str, Any]) -> Check | None:
    """A column's meta `expect` item as a check (not_null items: `_not_null`)."""
    level, notes = _level(item), item.get("why")
    if "between" in item:
        low, high = item["between"]
        return between(column, low, high, mostly=item.get("mostly"), level=level, notes=notes)
    if "matches" in item:
        return matches(column, item["matches"], level=level, notes=notes)
    if item.get("not_null"):
        return None
    raise ContractError(f"{column}: meta expect {dict(item)} is none of between, matches, not_null")


def _table_checks(mart: Mart) -> Iterator[Check]:
    for item in mart.meta.get("expect", ()):
        if "at_least" not in item:
            raise ContractError(f"{mart.name}: model meta expect {dict(item)} is not at_least")
        greater, smaller = item["at_least"]
        yield at_least(greater, smaller, level=_level(item), notes=item.get("why"))


def _references(column: MartColumn, marts: Mapping[str, Mart]) -> Iterator[Reference]:
    """Relationships to another mart; those to seeds and intermediate models are dbt's."""
    for test in column.tests:
        if test.name == "relationships" and test.parent in marts:
            yield Reference(column.name, test.parent, test.kwargs["field"], _level(test))
