"""The sources, in one list. Everything that handles sources iterates it: the irm_extract DAG
(a task group each), the tasks (irm/tasks.py), the Airflow pools (irm/airflow_cli.py), the
history bootstrap and the bench, the raw loader (warehouse/load.py), the landing suites
(expectations/landing_suites.py) and the landing Assets (irm/orchestration.py).

A new source is its package (extractors/<source>/, declaring its `SPEC`) and one line here;
docs/adding-a-source.md says what else (its dbt staging, the sandbox) and what not to touch.
Reading this module imports no HTTP library: every DAG file's parse reads it.
"""

from __future__ import annotations

from extractors import crm, instagram, shop, tiktok, youtube
from extractors.base import QUARANTINE
from extractors.spec import SourceSpec

SOURCES: tuple[SourceSpec, ...] = (youtube.SPEC, instagram.SPEC, tiktok.SPEC, shop.SPEC, crm.SPEC)


def source(name: str) -> SourceSpec:
    """The source named `name` (KeyError naming it and the known ones otherwise)."""
    for spec in SOURCES:
        if spec.name == name:
            return spec
    raise KeyError(f"no source {name!r}; the registry has {[s.name for s in SOURCES]}")


def api_sources() -> tuple[SourceSpec, ...]:
    """Sources asked through an API (a connection and an extract), in registry order."""
    return tuple(spec for spec in SOURCES if spec.connection is not None)


def file_sources() -> tuple[SourceSpec, ...]:
    """Sources that land files (the CRM inbox); they land before the API sources, whose
    rosters they hold."""
    return tuple(spec for spec in SOURCES if spec.connection is None)


def landing_entities(*, quarantine: bool = False) -> tuple[tuple[str, str], ...]:
    """Every (source, entity) of the landing zone, with each source's quarantine if asked."""
    extra = (QUARANTINE,) if quarantine else ()
    return tuple((s.name, e) for s in SOURCES for e in (*s.entity_names, *extra))
