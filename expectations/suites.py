"""The registry of expectation suites as code, by stage.

- `landing`: one suite per landing entity (`landing_suites.py`), keyed `<source>/<entity>`, plus
  `manifests` for the partitions' manifests.
- `marts`: one suite per mart of the dbt manifest (`mart_suites.py` makes them from each mart's
  contract), keyed by table name, parents first.

Plain data, no Great Expectations import; the vocabulary is in `contract.py`.
"""

from __future__ import annotations

from typing import TypeVar

from expectations.contract import KIND_DTYPES, TableSuite
from expectations.landing_suites import LANDING, LANDING_ENTITIES, MANIFESTS, LandingEntity
from expectations.mart_suites import MARTS, mart_suites

__all__ = [
    "ENTITIES",
    "KIND_DTYPES",
    "STAGES",
    "entities_for",
    "registry",
    "suites_for",
]

T = TypeVar("T")

# `<source>/<entity>` -> the entity (its fields and suite).
ENTITIES: dict[str, LandingEntity] = {e.name: e for e in LANDING_ENTITIES}

# The stages. Register a new landing suite in its module's tuple; a mart's comes with its model.
STAGES = (LANDING, MARTS)


def registry(stage: str) -> dict[str, TableSuite]:
    """Key -> suite of a stage. The marts' are read from the dbt manifest as it is now."""
    if stage == MARTS:
        return {suite.table: suite for suite in mart_suites()}
    if stage == LANDING:
        return {**{name: e.suite for name, e in ENTITIES.items()}, MANIFESTS.table: MANIFESTS}
    raise ValueError(f"no stage {stage!r}; the stages: {', '.join(STAGES)}")


def suites_for(stage: str, tables: list[str] | None = None) -> list[TableSuite]:
    """The suites of a stage, all or the named tables (an unknown table is an error)."""
    return _pick(registry(stage), tables, f"no expectation suite for {stage} tables")


def entities_for(names: list[str] | None = None) -> list[LandingEntity]:
    """The landing entities, all or the named `<source>/<entity>` ones (unknown is an error)."""
    return _pick(ENTITIES, names, "no landing entity")


def _pick(known: dict[str, T], names: list[str] | None, unknown_message: str) -> list[T]:
    """All of `known`, or the named ones; a ValueError names the unknown and the known ones."""
    if names is None:
        return list(known.values())
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"{unknown_message} {unknown}; known: {sorted(known)}")
    return [known[n] for n in names]
