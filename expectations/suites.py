"""The registry of expectation suites as code, by stage.

- `landing`: one suite per landing entity (`landing_suites.py`), keyed `<source>/<entity>`, plus
  `manifests` for the partitions' manifests.
- `marts`: one suite per mart of SPEC 5.1 (`mart_suites.py`), keyed by table name.

Plain data, no Great Expectations import; the vocabulary is in `contract.py`.
"""

from __future__ import annotations

from expectations.contract import KIND_DTYPES, TableSuite
from expectations.landing_suites import LANDING, LANDING_ENTITIES, MANIFESTS, LandingEntity
from expectations.mart_suites import MART_SUITES, MARTS

__all__ = [
    "ENTITIES",
    "KIND_DTYPES",
    "STAGES",
    "entities_for",
    "suites_for",
]

# `<source>/<entity>` -> the entity (its fields and suite).
ENTITIES: dict[str, LandingEntity] = {e.name: e for e in LANDING_ENTITIES}

# stage -> key -> suite. Register a new suite in its module's tuple.
STAGES: dict[str, dict[str, TableSuite]] = {
    LANDING: {**{name: e.suite for name, e in ENTITIES.items()}, MANIFESTS.table: MANIFESTS},
    MARTS: {suite.table: suite for suite in MART_SUITES},
}


def suites_for(stage: str, tables: list[str] | None = None) -> list[TableSuite]:
    """The suites of a stage, all or the named tables (an unknown table is an error)."""
    registry = STAGES[stage]
    if tables is None:
        return list(registry.values())
    unknown = [t for t in tables if t not in registry]
    if unknown:
        raise ValueError(f"no expectation suite for {stage} tables {unknown}")
    return [registry[t] for t in tables]


def entities_for(names: list[str] | None = None) -> list[LandingEntity]:
    """The landing entities, all or the named `<source>/<entity>` ones (unknown is an error)."""
    if names is None:
        return list(ENTITIES.values())
    unknown = [n for n in names if n not in ENTITIES]
    if unknown:
        raise ValueError(f"no landing entity {unknown}; known: {sorted(ENTITIES)}")
    return [ENTITIES[n] for n in names]
