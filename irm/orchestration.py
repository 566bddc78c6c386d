"""Airflow pieces the DAG files share: the sources' task groups and Assets (from the registry,
extractors/registry.py), default arguments, the failure callback.

Imported by the DAG files only; it imports nothing heavy (DAG files must parse in well under a
second: the registry imports no HTTP library).
"""

from __future__ import annotations

import atexit
import functools
import gc
import logging
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset

from core.config import WAREHOUSE_POOL
from extractors import registry
from extractors.spec import SourceSpec

log = logging.getLogger(__name__)


def extract_sources() -> tuple[tuple[SourceSpec, ...], tuple[SourceSpec, ...]]:
    """The registry's sources for irm_extract: those that land files (the CRM inbox, which
    holds the rosters), then the API sources, each a task group."""
    return registry.file_sources(), registry.api_sources()


def landing_asset(source: str, entity: str) -> Asset:
    name = f"{source}/{entity}"
    return Asset(name=f"landing/{name}", uri=f"irm-landing://{name}")


def source_assets(source: str) -> list[Asset]:
    """One Asset per landing entity of the source; each extract run updates each of them once
    (its event's extra says the day, and whether anything landed)."""
    return [landing_asset(source, entity) for entity in registry.source(source).entity_names]


# Every landing entity's Asset (of the registry when imported); the transform DAG is scheduled
# on them.
LANDING_ASSETS: dict[str, Asset] = {
    f"{source}/{entity}": landing_asset(source, entity)
    for source, entity in registry.landing_entities()
}

MARTS_ASSET = Asset(name="warehouse/marts", uri="irm-warehouse://marts")
PUBLISHED_ASSET = Asset(name="published/marts", uri="irm-published://marts")


def failure_summary(context: dict[str, Any]) -> str:
    """One paragraph an operator can act on without opening five log pages."""
    ti = context.get("task_instance") or context.get("ti")
    dag_run = context.get("dag_run")
    error = context.get("exception")
    return (
        f"IRM task failed: dag={getattr(ti, 'dag_id', '?')} task={getattr(ti, 'task_id', '?')} "
        f"run={getattr(dag_run, 'run_id', '?')} try={getattr(ti, 'try_number', '?')}. "
        f"Error: {type(error).__name__ if error else 'unknown'}: {error}. "
        "Landing partitions are immutable and loads replace whole partitions, so clearing the "
        "task and running it again is safe once the cause is fixed."
    )


def on_failure(context: dict[str, Any]) -> None:
    """Log the summary, and email it when an `irm_smtp` connection and recipients are set. An
    alert that cannot be sent is logged, never raised: the task has failed already."""
    summary = failure_summary(context)
    log.error(summary)
    try:
        # Here, not at the top: the DAG files import this module, and the exports package
        # (workbook, report, charts) would slow every parse.
        from exports.mail import send_alert

        ti = context.get("task_instance") or context.get("ti")
        subject = f"IRM task failed: {getattr(ti, 'dag_id', '?')}.{getattr(ti, 'task_id', '?')}"
        result = send_alert(subject, summary)
        if "skipped" in result:
            log.info("failure email not sent: %s", result["skipped"])
    except Exception:
        log.exception("the failure email could not be sent")


DEFAULT_ARGS: dict[str, Any] = {
    "owner": "irm",
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "on_failure_callback": on_failure,
}

# What every IRM DAG shares: one run at a time (they write one warehouse), no catch-up of missed
# intervals when a DAG is unpaused (backfills are asked for: docs/operations.md), the task
# defaults above, and the first day the pipeline knows.
DAG_DEFAULTS: dict[str, Any] = {
    "start_date": pendulum.datetime(2026, 1, 1, tz="UTC"),
    "catchup": False,
    "max_active_runs": 1,
    "default_args": DEFAULT_ARGS,
}

WAREHOUSE_WRITER_ARGS: dict[str, Any] = {"pool": WAREHOUSE_POOL}


def freeze_heap(context: dict[str, Any]) -> None:
    """A dbt task's pre-execute hook. Cosmos runs a full garbage collection after every dbt
    command (cosmos.dbt.runner._cleanup_dbt_adapters, against leaked semaphores), which walks
    every object of the task's process: Airflow, dbt, cosmos and the parsed DAG, about 0.4 s a
    dbt task here, as much as dbt's own start-up. Objects alive before dbt starts are frozen
    (`gc.freeze`: never scanned again) so the collection walks only what the command made.
    What it leaves out lives as long as the task's process anyway; at the process's exit they
    are handed back to the collector, so that extensions which count their objects at exit
    (DuckDB's bindings) see them freed."""
    _unfreeze_at_exit()
    gc.freeze()


@functools.cache
def _unfreeze_at_exit() -> None:
    atexit.register(gc.unfreeze)


class DropMessages(logging.Filter):
    """Drops a logger's records whose message starts with one of `starts`."""

    def __init__(self, *starts: str) -> None:
        super().__init__()
        self.starts = starts

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.starts)


# Without the OpenLineage provider (not installed: this project keeps no lineage backend),
# importing cosmos warns that the provider is missing and that `[openlineage] namespace` is not
# configured, in every process that parses irm_transform: at the top of each of its task logs.
# Both say "lineage is possible"; nothing to act on. The DAG file imports this module before
# cosmos so that these filters are in place.
logging.getLogger("cosmos.operators.local").addFilter(
    DropMessages("To enable emitting Openlineage events")
)
logging.getLogger("airflow.sdk._shared.configuration.parser").addFilter(
    DropMessages("section/key [openlineage/namespace] not found in config")
)
