"""What each published column is, for the people who read the export: label, format, meaning.

The BI copy's `meta.columns` says it (warehouse/publish.py writes it from the marts' dbt
contract, whose `meta` vocabulary is in dbt_project/README.md), so the workbook and the report
label and format a column by what it is, never by its name: a count called `posts_with_rate`
is a count. A column the copy does not describe (a copy published before it did, a table made
by hand) reads by its database type, with its name as its label.

Three formats change what is shown, in every format of the export: `flag_type` shows a quality
flag's plain label (exports/glossary.py), `code` shows a code as words ("at_risk" reads "At
risk"), `json` shows JSON as short `key: value` words.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass
from typing import Any

import duckdb

from exports import glossary
from exports.folder import READ_ONLY_COPIES, fetch_dicts, has_table, mart_columns

# meta.columns in the BI copy (warehouse/publish.py).
COLUMNS_TABLE = ("meta", "columns")
NO_VALUE = "–"
_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UBIGINT", "UINTEGER")
_NUMBER_TYPES = ("DOUBLE", "FLOAT", "REAL", "DECIMAL")


@dataclass(frozen=True)
class Column:
    name: str  # its technical name (a looked-up column: `<mart>.<column>`)
    label: str
    format: str  # one of the contract's formats (warehouse/mart_contract.py FORMATS)
    meaning: str = ""
    unit: str | None = None
    is_key: bool = False
    role: str | None = None  # "name": the column a person recognises a row by
    parent_table: str | None = None  # the mart its values refer to
    parent_column: str | None = None


def described_columns(con: duckdb.DuckDBPyConnection, mart: str) -> list[Column]:
    """The mart's columns in table order, as meta.columns describes them; [] when the mart is
    not published. Kept per connection to a BI copy (open_source): the workbook and the report
    ask for the same marts' columns dozens of times, three catalog queries each."""
    if con not in READ_ONLY_COPIES:
        return _described_columns(con, mart)
    kept = _KEPT.setdefault(con, {})
    if mart not in kept:
        kept[mart] = tuple(_described_columns(con, mart))
    return list(kept[mart])


_KEPT: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, dict[str, tuple[Column, ...]]] = (
    weakref.WeakKeyDictionary()
)


def _described_columns(con: duckdb.DuckDBPyConnection, mart: str) -> list[Column]:
    types = mart_columns(con, mart)
    described = {row["column_name"]: row for row in _described(con, mart)}
    return [
        _column(described[name]) if name in described else _undescribed(name, kind)
        for name, kind in types.items()
    ]


def _described(con: duckdb.DuckDBPyConnection, mart: str) -> list[dict[str, Any]]:
    schema, table = COLUMNS_TABLE
    if not has_table(con, schema, table):
        return []
    return fetch_dicts(con, f"SELECT * FROM {schema}.{table} WHERE table_name = ?", [mart])


def _column(row: dict[str, Any]) -> Column:
    return Column(
        name=row["column_name"],
        label=row["label"],
        format=row["format"],
        meaning=row["meaning"] or row["description"] or "",
        unit=row["unit"],
        is_key=bool(row["is_key"]),
        role=row["role"],
        parent_table=row["parent_table"],
        parent_column=row["parent_column"],
    )


def _undescribed(name: str, duckdb_type: str) -> Column:
    return Column(name, name.replace("_", " ").capitalize(), type_format(duckdb_type))


def type_format(duckdb_type: str) -> str:
    """The format of a column nothing describes: by its database type."""
    kind = duckdb_type.upper()
    if kind.startswith("TIMESTAMP"):
        return "timestamp"
    if kind == "DATE":
        return "date"
    if kind == "BOOLEAN":
        return "boolean"
    if kind.startswith(_INTEGER_TYPES):
        return "integer"
    if kind.startswith(_NUMBER_TYPES):
        return "number"
    return "text"


def shown_value(value: Any, fmt: str) -> Any:
    """The value as every format of the export shows it: a flag's label, JSON as words; any
    other value as it is (its format says how it reads)."""
    if value is None or not isinstance(value, str):
        return value
    if fmt == "flag_type":
        return glossary.flag(value).label
    if fmt == "code":
        return code_words(value)
    if fmt == "json":
        return plain_json(value)
    return value


def code_words(value: str) -> str:
    """A code as words ("needs_attention" -> "Needs attention"); a comma-separated list of
    codes, each so ("follower_jump,low_engagement" -> "Follower jump, Low engagement")."""
    words = (part.strip().replace("_", " ") for part in value.split(","))
    return ", ".join(w[:1].upper() + w[1:] for w in words if w)


def plain_json(value: str) -> str:
    """JSON text as `key: value` words ("followers delta: 2400; tokens: #sp"); text that is
    not JSON stays as it is."""
    try:
        parsed = json.loads(value)
    except ValueError:
        return value
    if isinstance(parsed, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_plain(v)}" for k, v in parsed.items())
    return _plain(parsed)


def _plain(value: Any) -> str:
    if value is None:
        return NO_VALUE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_plain(v)}" for k, v in value.items())
    return str(value)


def name_column(con: duckdb.DuckDBPyConnection, mart: str) -> Column | None:
    """The column a person recognises a row of `mart` by (meta role "name"), if it has one."""
    return next((c for c in described_columns(con, mart) if c.role == "name"), None)
