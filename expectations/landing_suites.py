"""Suites of the landing zone: one per landing entity of every source in the registry
(extractors/registry.py), plus one for the partitions' manifests.

A landing line is `{"extracted_at", "record_key", "parent_key", "payload"}` with the payload as
the source sent it (docs/architecture.md). Each source declares, beside the extractor that
produces them, what its records look like (extractors/<source>/schema.py: the payload `Field`s
that matter and the `Rule`s their columns keep; the vocabulary is extractors/schema.py).
landing.py flattens each record into one row of those columns; a value of the wrong shape
becomes NULL and is named in the row's `type_errors` column, which must be empty. Unknown extra
fields are fine. Here each entity's schema becomes its suite: the envelope, the required fields,
the types, then one check per rule.

Levels: the platform APIs and the shop are contracts, so a broken record is critical (it would
break staging or silently lose data). CRM files are typed by hand and SPEC 3.2 routes their bad
rows (bad dates, negative amounts, duplicate ids) to a quarantine table while the rest loads,
so there those checks are warnings; a NULL key or a manifest mismatch is critical everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from expectations.contract import (
    CRITICAL,
    Check,
    TableSuite,
    between,
    equal,
    in_set,
    is_null,
    matches,
    non_negative,
    not_null,
)
from extractors import registry
from extractors.rules import Rule
from extractors.schema import Field
from extractors.spec import EntitySpec

LANDING = "landing"

# Columns every landing frame has: the partition date and the envelope of each line.
ENVELOPE: dict[str, str] = {
    "dt": "date",
    "extracted_at": "timestamp",
    "record_key": "string",
    "parent_key": "string",
}
TYPE_ERRORS = "type_errors"
# Failing rows are named by these columns in reports (every landing frame has them).
ROW_ID = ("dt", "record_key")


@dataclass(frozen=True)
class LandingEntity:
    source: str
    entity: str
    fields: tuple[Field, ...]
    suite: TableSuite

    @property
    def name(self) -> str:
        """`<source>/<entity>`, the landing zone's folder."""
        return f"{self.source}/{self.entity}"


# How each kind of rule is checked (expectations/contract.py builds the GX expectation).
CHECKS: dict[str, Callable[[Rule], Check]] = {
    "same": lambda r: equal(r.column, r.arg, level=r.level, notes=r.notes),
    "one_of": lambda r: in_set(r.column, r.arg, level=r.level, notes=r.notes),
    "non_negative": lambda r: non_negative(r.column, level=r.level)[0],
    "matches": lambda r: matches(r.column, r.arg, level=r.level, notes=r.notes),
    "present": lambda r: not_null(r.column, level=r.level)[0],
}


def landing_entity(source: str, entity: EntitySpec) -> LandingEntity:
    """The entity and its suite: envelope, required fields, field types, then its rules."""
    schema = entity.schema
    fields = schema.fields
    columns = {**ENVELOPE, **{f.name: f.parser.kind for f in fields}, TYPE_ERRORS: "string"}
    required = [f.name for f in fields if f.required]
    suite = TableSuite(
        stage=LANDING,
        table=f"{source}_{entity.name}",
        columns=columns,
        # Unique within a partition: the same record may (and should) land again another day.
        key=ROW_ID,
        checks=(
            *not_null("extracted_at", *required),
            *(not_null("parent_key") if schema.has_parent else []),
            is_null(
                TYPE_ERRORS,
                level=schema.level,
                notes="every field has the type its source documents; lists field=value",
            ),
            *(CHECKS[rule.kind](rule) for rule in schema.rules),
        ),
        unique_level=schema.level,
    )
    return LandingEntity(source, entity.name, fields, suite)


def landing_entities() -> tuple[LandingEntity, ...]:
    """Every entity of every source in the registry, with its suite."""
    return tuple(
        landing_entity(source.name, entity)
        for source in registry.SOURCES
        for entity in source.entities
    )


# The registry's entities when this module was imported (expectations/suites.py's registry).
LANDING_ENTITIES: tuple[LandingEntity, ...] = landing_entities()

# --- manifests: one row per validated partition ---------------------------------------------

# In the manifests frame, record_key is the partition's `<source>/<entity>` (with dt, its key),
# so reports name failing partitions with the same two columns as failing records.
MANIFESTS = TableSuite(
    stage=LANDING,
    table="manifests",
    columns={
        "dt": "date",
        "record_key": "string",
        "partition": "string",
        "lines": "integer",
        "record_count": "integer",
        "checksum": "string",
        "content_checksum": "string",
        "manifest_of": "string",
    },
    key=ROW_ID,
    checks=(
        # The manifest is written last: a partition without one is not (completely) landed.
        *not_null("record_count", "checksum", "manifest_of"),
        equal(
            "record_count",
            "lines",
            notes="the manifest's record_count equals the lines of records.jsonl",
        ),
        equal("checksum", "content_checksum", notes="sha256 of records.jsonl as written"),
        equal("manifest_of", "partition", notes="the manifest names its own partition"),
        between("record_count", 0),
    ),
)

__all__ = ["CRITICAL", "LANDING", "LANDING_ENTITIES", "MANIFESTS", "LandingEntity"]
