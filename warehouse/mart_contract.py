"""The marts' contract as the dbt manifest states it: the one place a mart's schema is read.

`dbt_project/models/marts/_marts__models.yml` writes each mart once: its columns with their
data types (the enforced dbt contract), their data tests, their descriptions, and a `meta` for
everyone who reads the marts (the vocabulary: dbt_project/README.md, "Column meta"). dbt parses
it into `dbt_project/target/manifest.json` (`make manifest`), and this module reads that file
for every consumer of the marts' schema:

- the mart checks: expectations/mart_suites.py builds the Great Expectations suites from it;
- the BI copy: warehouse/publish.py writes table and column comments and `meta.columns` (label,
  format, unit, meaning, key, name column, parent) from it, which the export reads;
- the tests' hand-made marts: tests/mart_fixtures.py creates the tables from it.

So a contract change reaches them all, and one that breaks a consumer fails its tests. A mart's
`column_checks` test (its `not_null`, `non_negative` and `unique` columns, its
`accepted_values` columns with their values and its `unique_combination`, the grain, checked by
dbt in one test: dbt_project/tests/generic/column_checks.sql) reads here as one `not_null`,
`non_negative`, `unique` or `accepted_values` test per column and the grain as the model's own
`unique_combination_of_columns` test, at its severity, as if each had its own.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from core.config import Settings

MARTS = "marts"

Severity = Literal["error", "warn"]
# The generic test checking several columns in one scan, and the per-column tests it stands for:
# lists of columns, and `accepted_values`, a mapping of each column to its values.
COLUMN_CHECKS = "column_checks"
COLUMN_CHECKS_CHECKS = ("not_null", "non_negative", "unique")
COLUMN_CHECKS_VALUES = "accepted_values"
# Its list of the columns that together identify a row, read as the model's own grain test.
COLUMN_CHECKS_GRAIN = "unique_combination"
GRAIN_TEST = "unique_combination_of_columns"

# How a column's values read (meta `format`); README "Column meta" says what each one means.
FORMATS = (
    "integer",  # a count: 1,234
    "number",  # a measure with decimals: 1,234.56
    "ratio",  # a multiple, 1.0 = par: 1.12
    "score",  # a score on a scale (0-100): 78.5
    "percent",  # a fraction shown as a percent: 0.034 -> 3.40%
    "usd",  # money in the reporting currency: $1,234.56
    "usd_unit",  # money per unit (CPM, CPE, CPA), to a hundredth of a cent: $0.0042
    "date",  # 2026-01-31
    "month",  # a month, stored as its first day: Jan 2026
    "timestamp",  # a UTC time: 2026-01-31 14:05
    "boolean",
    "text",
    "flag_type",  # a quality flag's code, shown as its plain label
    "code",  # a code (or comma-separated codes) shown as words: needs_attention -> Needs attention
    "json",  # JSON text, shown as short plain text
)
# The format of a column whose meta names none: by its data type (never by its name).
KIND_FORMATS = {
    "integer": "integer",
    "number": "number",
    "string": "text",
    "date": "date",
    "timestamp": "timestamp",
    "boolean": "boolean",
}
# meta `role`: "name", the column a person recognises a row by (a creator's name, a handle).
ROLES = ("name",)
_INTEGER_TYPES = ("tinyint", "smallint", "integer", "int", "bigint", "hugeint")
_NUMBER_TYPES = ("double", "float", "real", "numeric", "decimal")


class ContractError(ValueError):
    """The manifest's marts break the vocabulary this module reads (the error names where)."""


@dataclass(frozen=True)
class DataTest:
    """One generic dbt data test on a mart (a column's, or the model's when `column` is None)."""

    name: str  # not_null, unique, accepted_values, relationships, non_negative, ...
    severity: Severity
    kwargs: Mapping[str, Any]  # its arguments, without `column_name` and `model`
    column: str | None
    parent: str | None = None  # relationships: the mart it points at


@dataclass(frozen=True)
class MartColumn:
    name: str
    data_type: str
    description: str
    meta: Mapping[str, Any]
    not_null: bool  # a not_null constraint of the contract
    tests: tuple[DataTest, ...]

    @property
    def kind(self) -> str:
        return kind_of_data_type(self.data_type)

    @property
    def label(self) -> str:
        return self.meta.get("label") or self.name.replace("_", " ").capitalize()

    @property
    def format(self) -> str:
        return self.meta.get("format") or KIND_FORMATS[self.kind]

    @property
    def unit(self) -> str | None:
        return self.meta.get("unit")

    @property
    def meaning(self) -> str:
        """In plain words for the export's readers; the description when the meta has none."""
        return self.meta.get("meaning") or self.description

    @property
    def role(self) -> str | None:
        return self.meta.get("role")


@dataclass(frozen=True)
class Mart:
    name: str
    description: str
    columns: tuple[MartColumn, ...]  # in the contract's order
    meta: Mapping[str, Any]
    tests: tuple[DataTest, ...]  # the model's own (its grain: GRAIN_TEST)
    parents: tuple[str, ...]  # the marts it is built from

    def column(self, name: str) -> MartColumn:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r} in its contract")

    @property
    def key(self) -> tuple[str, ...]:
        """Its unique key: the unique combination of columns, else the first unique column."""
        for test in self.tests:
            if test.name == GRAIN_TEST:
                return tuple(test.kwargs["combination_of_columns"])
        for column in self.columns:
            if any(t.name == "unique" for t in column.tests):
                return (column.name,)
        return ()

    def parent_of(self, column: str) -> tuple[str, str] | None:
        """(mart, column) a column's relationships test points at, when that is a mart."""
        for test in self.column(column).tests:
            if test.name == "relationships" and test.parent:
                return test.parent, test.kwargs["field"]
        return None


def kind_of_data_type(data_type: str) -> str:
    """The logical kind of a contract data type (dbt names them as the database does)."""
    name = data_type.lower().strip()
    if name in _INTEGER_TYPES:
        return "integer"
    if name.startswith(_NUMBER_TYPES):
        return "number"
    if name == "date":
        return "date"
    if name.startswith("timestamp"):
        return "timestamp"
    if name in ("boolean", "bool"):
        return "boolean"
    if name in ("text", "varchar", "string") or name.startswith(("varchar", "character")):
        return "string"
    raise ContractError(f"data type {data_type!r} is not one the marts' readers know")


def manifest_path(settings: Settings) -> Path:
    return settings.dbt_project_dir / "target" / "manifest.json"


def manifest_models(settings: Settings, schema: str = MARTS) -> dict[str, dict[str, Any]] | None:
    """Table name -> manifest node of each model dbt builds in `schema`; None without a
    manifest."""
    path = manifest_path(settings)
    if not path.exists():
        return None
    nodes = _manifest(path)["nodes"].values()
    return {
        node.get("alias") or node["name"]: node
        for node in nodes
        if node["resource_type"] == "model" and node["schema"] == schema
    }


def read_marts(settings: Settings, schema: str = MARTS) -> dict[str, Mart]:
    """Every mart of the manifest, parents before children (then by name). Raises
    FileNotFoundError without a manifest, ContractError when a meta breaks the vocabulary."""
    path = manifest_path(settings)
    if not path.exists():
        raise FileNotFoundError(f"no dbt manifest at {path} (run `make manifest`)")
    return dict(_marts(path, schema, path.stat().st_mtime_ns))


@functools.lru_cache(maxsize=8)
def _marts(path: Path, schema: str, _mtime_ns: int) -> dict[str, Mart]:
    """Cached per manifest version (its modification time): tests build marts many times."""
    nodes = _manifest(path)["nodes"]
    models = {
        uid: node
        for uid, node in nodes.items()
        if node["resource_type"] == "model" and node["schema"] == schema
    }
    names = {uid: node.get("alias") or node["name"] for uid, node in nodes.items()}
    tests: dict[str, list[DataTest]] = {uid: [] for uid in models}
    for node in nodes.values():
        attached = node.get("attached_node")
        if node["resource_type"] == "test" and attached in models and node.get("test_metadata"):
            if node["test_metadata"]["name"] == COLUMN_CHECKS:
                tests[attached].extend(_column_checks(node, models[attached], names[attached]))
            else:
                tests[attached].append(_data_test(node, attached, names, models))
    marts = {names[uid]: _mart(node, names, tests[uid], models) for uid, node in models.items()}
    return {name: marts[name] for name in _build_order(marts)}


def _manifest(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _data_test(
    node: dict[str, Any], attached: str, names: dict[str, str], marts: Mapping[str, Any]
) -> DataTest:
    metadata = node["test_metadata"]
    kwargs = {
        k: v for k, v in metadata.get("kwargs", {}).items() if k not in ("column_name", "model")
    }
    # A relationship to a mart; one to a seed or an intermediate model concerns dbt only.
    others = [uid for uid in node["depends_on"]["nodes"] if uid != attached and uid in marts]
    parent = names[others[0]] if metadata["name"] == "relationships" and others else None
    return DataTest(
        name=metadata["name"],
        severity=_severity(node),
        kwargs=kwargs,
        column=node.get("column_name"),
        parent=parent,
    )


def _column_checks(node: dict[str, Any], model: dict[str, Any], mart: str) -> list[DataTest]:
    """A `column_checks` test as the per-column tests it stands for, in its order: an
    `accepted_values` column's test holds its values as dbt's accepted_values test did, and its
    `unique_combination` reads as the model's grain test (GRAIN_TEST, no column of its own)."""
    kwargs = node["test_metadata"].get("kwargs", {})
    severity = _severity(node)
    tests = [
        DataTest(name=check, severity=severity, kwargs={}, column=column)
        for check in COLUMN_CHECKS_CHECKS
        for column in kwargs.get(check) or ()
    ]
    accepted = kwargs.get(COLUMN_CHECKS_VALUES) or {}
    if not isinstance(accepted, Mapping):
        raise ContractError(
            f"{mart}: column_checks ({COLUMN_CHECKS_VALUES}) must map each column to its values"
        )
    tests += [
        DataTest(name=COLUMN_CHECKS_VALUES, severity=severity, kwargs={"values": values}, column=c)
        for c, values in accepted.items()
    ]
    grain = list(kwargs.get(COLUMN_CHECKS_GRAIN) or ())
    named = [(test.name, test.column) for test in tests] + [(COLUMN_CHECKS_GRAIN, c) for c in grain]
    for check, column in named:
        if column not in model["columns"]:
            raise ContractError(
                f"{mart}.{column}: column_checks ({check}) names a column that is not in the "
                "contract"
            )
    if grain:
        kwargs = {"combination_of_columns": grain}
        tests.append(DataTest(name=GRAIN_TEST, severity=severity, kwargs=kwargs, column=None))
    return tests


def _severity(node: dict[str, Any]) -> Severity:
    severity = str(node["config"].get("severity", "error")).lower()
    return "warn" if severity == "warn" else "error"


def _mart(
    node: dict[str, Any],
    names: dict[str, str],
    tests: list[DataTest],
    models: dict[str, dict[str, Any]],
) -> Mart:
    name = names[node["unique_id"]]
    columns = tuple(
        MartColumn(
            name=column["name"],
            data_type=column.get("data_type") or "",
            description=(column.get("description") or "").strip(),
            meta=_checked_meta(name, column),
            not_null=any(c.get("type") == "not_null" for c in column.get("constraints", [])),
            tests=tuple(t for t in tests if t.column == column["name"]),
        )
        for column in node["columns"].values()
    )
    return Mart(
        name=name,
        description=(node.get("description") or "").strip(),
        columns=columns,
        meta=_meta(node),
        tests=tuple(t for t in tests if t.column is None),
        parents=tuple(names[uid] for uid in node["depends_on"]["nodes"] if uid in models),
    )


def _meta(node: dict[str, Any]) -> dict[str, Any]:
    # dbt 1.10+ keeps meta under `config` (and copies it to the top-level `meta`).
    return node.get("config", {}).get("meta") or node.get("meta") or {}


def _checked_meta(mart: str, column: dict[str, Any]) -> dict[str, Any]:
    meta = _meta(column)
    where = f"{mart}.{column['name']}"
    if not column.get("data_type"):
        raise ContractError(f"{where}: no data_type in the contract")
    try:
        kind = kind_of_data_type(column["data_type"])
    except ContractError as unknown:
        raise ContractError(f"{where}: {unknown}") from None
    # A number without its unit is a number nobody can read rightly (a fraction or a percent? a
    # count of what?): the BI copy, Data Docs and the export all show it.
    if kind in ("integer", "number") and not meta.get("unit"):
        raise ContractError(f"{where}: a number needs meta unit (what it counts or measures)")
    if "format" in meta and meta["format"] not in FORMATS:
        raise ContractError(f"{where}: format {meta['format']!r} is not one of {FORMATS}")
    if "role" in meta and meta["role"] not in ROLES:
        raise ContractError(f"{where}: role {meta['role']!r} is not one of {ROLES}")
    for key in ("label", "unit", "meaning"):
        if key in meta and not isinstance(meta[key], str):
            raise ContractError(f"{where}: meta {key} must be text, not {meta[key]!r}")
    return meta


def _build_order(marts: dict[str, Mart]) -> list[str]:
    """Parents before children (a broken parent is named first), ties by name."""
    done: list[str] = []
    waiting = sorted(marts)
    while waiting:
        ready = [n for n in waiting if all(p in done or p not in marts for p in marts[n].parents)]
        if not ready:  # a cycle cannot come from dbt; keep the rest in name order anyway
            ready = waiting
        done.extend(ready)
        waiting = [n for n in waiting if n not in ready]
    return done
