"""What each Airflow task does, as plain functions (the DAG files only wire them together).

Every function takes and returns JSON-friendly values, so a task's result can travel as XCom.
Each imports what it needs of the floors below when called (only the bottom floor, `core`, at
the top): a task's process loads what its own task uses, and an extract task never pays for
Great Expectations, the exports or the warehouse.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from core.config import get_settings
from core.errors import DataQualityError

if TYPE_CHECKING:
    from extractors.connections import ApiCredentials
    from extractors.spec import SourceSpec

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def fail_without_retry(func: F) -> F:
    """Failures that another try cannot fix (bad data, rejected credentials, an unreadable
    file or a CRM export of another day (CrmFileError), an empty roster, an interval too long
    past to extract, a paged listing that would not end) fail the task at once instead of
    spending its retries."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from extractors.crm import CrmFileError, EmptyRoster
        from extractors.errors import AuthError, IntervalPassed, PagingError

        permanent = (
            DataQualityError,
            AuthError,
            CrmFileError,
            EmptyRoster,
            IntervalPassed,
            PagingError,
        )
        try:
            return func(*args, **kwargs)
        except permanent as exc:
            # Imported only here: the same functions run outside Airflow (the `irm` commands,
            # the benchmark's steps), where importing Airflow would cost 1-2 s a process.
            from airflow.sdk.exceptions import AirflowFailException

            raise AirflowFailException(f"{type(exc).__name__}: {exc}") from exc

    return wrapper  # type: ignore[return-value]


@fail_without_retry
def land_files(source: str, day: str) -> dict[str, Any]:
    """Land a file source's day (the CRM inbox's exports)."""
    from extractors import registry

    spec = registry.source(source)
    if spec.land_files is None:
        raise ValueError(f"{source} is not a file source")
    return spec.land_files(date.fromisoformat(day), get_settings())


def _credentials_or_skip(source: SourceSpec) -> tuple[ApiCredentials | None, str | None]:
    """The source's Airflow connection, or why the source is skipped (no connection set), so
    a brand can run with the platforms it has."""
    from extractors.connections import load_credentials
    from extractors.errors import CredentialsMissing

    if source.connection is None:
        raise ValueError(f"{source.name} is not an API source")
    try:
        return load_credentials(source.connection.id), None
    except CredentialsMissing as exc:
        log.warning("%s skipped: %s", source.name, exc)
        return None, str(exc)


def _accounts(source: SourceSpec, day: str) -> list[str]:
    """The source's roster for the day (none for a source without one: the shop's orders are
    one listing); an empty roster raises EmptyRoster instead of landing the day empty."""
    from extractors.crm import platform_roster

    if source.roster is None:
        return []
    return platform_roster(get_settings(), date.fromisoformat(day), source)


@fail_without_retry
def plan_batches(source: str, day: str) -> list[dict[str, Any]]:
    """The account batches of a source-day, one mapped extract task each (empty when the
    source is skipped). The roster comes from the day's CRM creators file; an empty one fails
    the task (EmptyRoster) instead of landing the platform's day empty."""
    from extractors import registry

    spec = registry.source(source)
    if _credentials_or_skip(spec)[0] is None:
        return []
    if spec.roster is None:  # one listing, not per account
        return [{"batch": 0, "accounts": [], "share": 1.0}]
    accounts = _accounts(spec, day)
    size = max(get_settings().extract_batch_size, 1)
    chunks = [accounts[i : i + size] for i in range(0, len(accounts), size)]
    return [
        {"batch": n, "accounts": chunk, "share": len(chunk) / max(len(accounts), 1)}
        for n, chunk in enumerate(chunks)
    ]


@fail_without_retry
def land_batch(source: str, day: str, batch: dict[str, Any]) -> dict[str, Any]:
    """Extract one account batch into the day's staging area; it spends its share of each
    enforced quota."""
    from extractors import registry

    spec = registry.source(source)
    credentials, skipped = _credentials_or_skip(spec)
    if credentials is None:
        return {"skipped": skipped}
    options = {"batch": batch["batch"], "share": batch["share"]}
    return _land(spec, day, credentials, batch["accounts"], **options)


def commit_landing(source: str, day: str, batch_count: int) -> dict[str, Any]:
    """Write the day's partitions from its staged batches (nothing when the source is skipped)."""
    from extractors import registry
    from extractors.runner import commit_source

    if batch_count == 0:
        return {"skipped": f"{source}: no batches (no connection set)"}
    spec = registry.source(source)
    return commit_source(spec, date.fromisoformat(day), get_settings(), batch_count)


@fail_without_retry
def land_platform(
    source: str,
    day: str,
    credentials: ApiCredentials | None = None,
    **client_options: Any,
) -> dict[str, Any]:
    """Extract one API source's whole day in one go (the history bootstrap and the tests; the
    DAG maps over batches instead). `credentials` default to the source's Airflow connection;
    `client_options` may carry an in-process `transport` or `wire`."""
    from extractors import registry

    spec = registry.source(source)
    if credentials is None:
        credentials, skipped = _credentials_or_skip(spec)
        if credentials is None:
            return {"skipped": skipped}
    return _land(spec, day, credentials, _accounts(spec, day), **client_options)


def _land(
    source: SourceSpec, day: str, credentials: ApiCredentials, accounts: list[str], **options: Any
) -> dict[str, Any]:
    from extractors.runner import land_source

    return land_source(
        source, date.fromisoformat(day), get_settings(), credentials, accounts, **options
    )


@fail_without_retry
def load_raw(days: list[str] | None = None) -> dict[str, Any]:
    """Load the landed partitions not yet in the warehouse; a partition that does not match its
    manifest (PartitionCorrupt, a data-quality error) fails the task without retries."""
    from warehouse.load import load_landing

    result = load_landing(_days(days))
    return {"loaded": result.loaded, "rows": result.rows}


def score_comments() -> dict[str, int]:
    """Score the landed comments not scored yet (warehouse.comment_scores): after the load,
    before dbt, which labels them from the stored score."""
    from warehouse.comment_scores import score_new_comments

    return {"scored": score_new_comments()}


def _days(days: list[str] | None) -> list[date] | None:
    return [date.fromisoformat(d) for d in days] if days else None


def check_freshness(days: list[str] | None = None) -> dict[str, Any]:
    """Source freshness as of the run's days: checked, logged and stored in the warehouse
    (warehouse.freshness), and shown on the Data Docs home page. Stale sources never fail it."""
    from expectations.docs import publish_freshness
    from warehouse.freshness import check_sources

    summary = check_sources(days)
    if summary["as_of"] is not None:
        rows = list(summary["sources"].values())
        publish_freshness(get_settings().data_docs_dir, summary["as_of"], rows)
    return summary


def mirror_marts() -> dict[str, int]:
    """With the Postgres target: copy the marts dbt built there into the DuckDB file that the
    mart checks and the BI copy read (rows per mart)."""
    from warehouse.load import mirror_marts_to_duckdb

    return mirror_marts_to_duckdb()


@fail_without_retry
def validate_landing(days: list[str] | None = None) -> dict[str, Any]:
    """The landing gate: every partition the load will pick up (those of `days` when named)."""
    from expectations import raise_on_critical
    from expectations import validate_landing as run_validation

    report = run_validation(_days(days))
    raise_on_critical(report)
    return {"success": report.success, "data_docs": str(report.data_docs_home)}


@fail_without_retry
def validate_marts(days: list[str] | None = None) -> dict[str, Any]:
    """The marts gate; freshness is judged as of the newest day loaded (a replay of the past
    is not stale)."""
    from expectations import raise_on_critical
    from expectations import validate_marts as run_validation
    from warehouse.load import latest_loaded_day
    from warehouse.publish import mart_gate

    as_of = max(_days(days)) if days else latest_loaded_day()
    with mart_gate():  # records the marts that passed, which publish() requires
        report = run_validation(as_of=as_of)
        raise_on_critical(report)
    return {"success": report.success, "data_docs": str(report.data_docs_home)}


@fail_without_retry
def publish() -> dict[str, Any]:
    """Publish the marts the mart gate passed; a refusal (MartGateError, a data-quality error)
    fails at once: another try would find the same marts."""
    from warehouse.publish import publish_marts

    result = publish_marts(require_gate=True)
    return {"path": str(result.path), "rows": result.row_counts}


def export(day: str) -> str:
    """The whole weekly export of `day` in one go (the `irm export` command); no email."""
    from exports import write_export

    return str(write_export(day))


# The irm_exports DAG runs the export as steps: start pins the published copy in a staging
# folder, one task per format writes into it, finish moves it into place, then the email.
def export_start(day: str) -> str:
    from exports.folder import start_export

    return str(start_export(day).staging)


def export_write(staging: str, fmt: str) -> list[str]:
    from exports.folder import load_run
    from exports.run import write_format

    return [entry.file for entry in write_format(load_run(Path(staging)), fmt)]


def export_finish(staging: str) -> str:
    from exports.folder import finish_export, load_run

    return str(finish_export(load_run(Path(staging))))


def export_email(day: str) -> dict[str, Any]:
    from exports.mail import send_export

    return send_export(day)
