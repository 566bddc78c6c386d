"""What each Airflow task does, as plain functions (the DAG files only wire them together).

Every function takes and returns JSON-friendly values, so a task's result can travel as XCom,
and each imports what it needs when called, so DAG parsing stays cheap.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def fail_without_retry(func: F) -> F:
    """Failures that another try cannot fix (bad data, rejected credentials, an unreadable
    file) fail the task at once instead of spending its retries."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from airflow.exceptions import AirflowFailException

        from expectations.report import DataQualityError
        from extractors.crm import CrmFileError
        from extractors.errors import AuthError

        try:
            return func(*args, **kwargs)
        except (DataQualityError, AuthError, CrmFileError) as exc:
            raise AirflowFailException(f"{type(exc).__name__}: {exc}") from exc

    return wrapper  # type: ignore[return-value]


@fail_without_retry
def land_crm(day: str) -> dict[str, Any]:
    from extractors import crm
    from irm.config import get_settings

    return crm.land_day(date.fromisoformat(day), get_settings())


# The CRM creators column that lists each platform's accounts (the roster).
ROSTER_COLUMNS = {
    "youtube": "youtube_channel_id",
    "instagram": "instagram_username",
    "tiktok": "tiktok_username",
}


@fail_without_retry
def land_platform(source: str, day: str) -> dict[str, Any]:
    """Extract one source for the data interval `day`. A source whose Airflow connection is not
    set is skipped with a log line, so a brand can run with the platforms it has."""
    from extractors import crm, instagram, shop, tiktok, youtube
    from extractors.connections import load_credentials
    from extractors.errors import CredentialsMissing
    from irm.config import get_settings

    settings = get_settings()
    the_day = date.fromisoformat(day)
    try:
        credentials = load_credentials(source)
    except CredentialsMissing as exc:
        log.warning("%s skipped: %s", source, exc)
        return {"skipped": str(exc)}
    if source == "shop":
        return shop.land_day(the_day, credentials, settings)
    accounts = crm.roster(settings, the_day, ROSTER_COLUMNS[source])
    if not accounts:
        log.warning("%s: the CRM roster lists no account as of %s", source, day)
    module = {"youtube": youtube, "instagram": instagram, "tiktok": tiktok}[source]
    return module.land_day(the_day, credentials, accounts, settings)


def load_raw(days: list[str] | None = None) -> dict[str, Any]:
    from irm.warehouse import load_landing

    result = load_landing(_days(days))
    return {"loaded": result.loaded, "rows": result.rows}


def _days(days: list[str] | None) -> list[date] | None:
    return [date.fromisoformat(d) for d in days] if days else None


@fail_without_retry
def validate_landing(days: list[str] | None = None) -> dict[str, Any]:
    """The landing gate: only the new partitions (or each entity's newest when none named)."""
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
    from irm.warehouse import latest_loaded_day

    as_of = max(_days(days)) if days else latest_loaded_day()
    report = run_validation(as_of=as_of)
    raise_on_critical(report)
    return {"success": report.success, "data_docs": str(report.data_docs_home)}


def publish() -> dict[str, Any]:
    from irm.publish import publish_marts

    result = publish_marts()
    return {"path": str(result.path), "rows": result.row_counts}


def export(day: str) -> str:
    from exports import write_csv_export

    return str(write_csv_export(day))
