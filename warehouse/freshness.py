"""Source freshness, judged against the days being transformed (irm_transform's `check_freshness`
task, after the load: irm.tasks.check_freshness).

The rules are dbt's: each source table's `freshness` (warn_after, error_after) and
`loaded_at_field` in `dbt_project/models/staging/*/_*__sources.yml`, read from the manifest, so
there is one definition (an operator's `dbt source freshness` applies the same ones).

Why not run `dbt source freshness`: it measures the age of the newest row against the wall clock
(`now()`), so a replay or backfill of January run in December would report every source as an
error, and a day that landed empty (a quiet shop) as missing. Here the clock is the end of the
newest day the run transforms (the days its triggering events name, or, when newer, the newest
day loaded): that is when a day's data is complete, so a source that landed it is 1 day old,
and one that stopped three days ago is 4 days old whatever the date today. "Newest" is the
newest landing partition (`dt`, which every rule's `loaded_at_field` names) in the loader's
ledger (`raw._loaded_partitions`, one row per partition): a partition that landed empty counts
(the source answered: nothing new), and the check reads a few hundred ledger rows, never the raw
tables themselves (tens of millions of rows).

Stale sources are a warning, never a failure: each is logged as one WARNING line, the result is
kept in the warehouse as `meta.source_freshness` (the publisher copies it into the BI copy,
where the weekly export reads it) and shown on the Data Docs home page (the task,
irm.tasks.check_freshness, hands the rows to expectations.docs).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from core.config import Settings, get_settings
from core.db import insert_rows, open_warehouse
from warehouse.load import LEDGER, latest_loaded_day, read_ledger

log = logging.getLogger(__name__)

FRESH = "fresh"
WARN = "warn"
ERROR = "error"
NO_DATA = "no data"  # nothing ever landed (a platform whose connection is not set)
NOT_CHECKED = "not checked"  # `freshness: null` (the quarantine tables)
STALE = (WARN, ERROR)

# The one loaded_at_field this check knows how to read from the ledger: the partition day.
PARTITION_DAY = "cast(dt as timestamp)"
RESULTS_SCHEMA = "meta"
RESULTS_TABLE = f"{RESULTS_SCHEMA}.source_freshness"
_PERIODS = {"minute": "minutes", "hour": "hours", "day": "days"}


@dataclass(frozen=True)
class Threshold:
    count: int
    period: str  # minute, hour or day (dbt's periods)

    @property
    def age(self) -> timedelta:
        return timedelta(**{_PERIODS[self.period]: self.count})

    def __str__(self) -> str:
        return f"{self.count} {self.period}{'' if self.count == 1 else 's'}"


@dataclass(frozen=True)
class FreshnessRule:
    """A source table's freshness config, as dbt resolved it into the manifest."""

    source: str  # dbt's source_name, the landing source (youtube)
    table: str  # dbt's table name, the landing entity (channels)
    relation: str  # raw.youtube_channels
    warn_after: Threshold | None
    error_after: Threshold | None

    @property
    def name(self) -> str:
        return f"{self.source}.{self.table}"

    @property
    def checked(self) -> bool:
        return self.warn_after is not None or self.error_after is not None


@dataclass(frozen=True)
class SourceFreshness:
    rule: FreshnessRule
    as_of: date  # the newest day transformed: ages are measured at its end
    newest_day: date | None  # the newest landing partition loaded
    loaded_at: datetime | None  # when that partition was loaded into the warehouse
    status: str

    @property
    def days_behind(self) -> int | None:
        """0 when the newest partition is the as-of day itself."""
        return None if self.newest_day is None else (self.as_of - self.newest_day).days

    def describe(self) -> str:
        rule, behind = self.rule, self.days_behind
        return (
            f"stale source {rule.name} ({rule.relation}), {self.status}: its newest partition is "
            f"{self.newest_day}, {behind} day{'' if behind == 1 else 's'} before {self.as_of}, "
            f"the newest day transformed (warn after {rule.warn_after or '-'}, error after "
            f"{rule.error_after or '-'} from the end of the partition's day)"
        )


def rules_from_manifest(manifest: Mapping[str, Any]) -> list[FreshnessRule]:
    """Every source table's rule, in the manifest's order. A rule this check cannot measure (a
    loaded_at_field other than the partition day, a filter) fails here, naming the source, so
    the YAML and the check cannot silently disagree."""
    rules = []
    for node in manifest["sources"].values():
        config = node.get("freshness") or {}
        rule = FreshnessRule(
            source=node["source_name"],
            table=node["name"],
            relation=f"{node['schema']}.{node['identifier']}",
            warn_after=_threshold(config.get("warn_after")),
            error_after=_threshold(config.get("error_after")),
        )
        if rule.checked and (node.get("loaded_at_field") != PARTITION_DAY or config.get("filter")):
            raise ValueError(
                f"source {rule.name}: warehouse.freshness measures the landing partition day; "
                f'give it loaded_at_field: "{PARTITION_DAY}" and no freshness filter (it has '
                f"{node.get('loaded_at_field')!r}, filter {config.get('filter')!r})"
            )
        rules.append(rule)
    return rules


def _threshold(value: Mapping[str, Any] | None) -> Threshold | None:
    if not value or value.get("count") is None or value.get("period") is None:
        return None
    return Threshold(int(value["count"]), str(value["period"]))


def manifest_rules(settings: Settings | None = None) -> list[FreshnessRule]:
    settings = settings or get_settings()
    path = settings.dbt_project_dir / "target" / "manifest.json"
    return rules_from_manifest(json.loads(path.read_text(encoding="utf-8")))


def judge(rule: FreshnessRule, newest_day: date | None, as_of: date) -> str:
    """dbt's judgement (an age beyond a threshold exceeds it), with the clock at the end of the
    as-of day and each partition loaded at the start of its day."""
    if not rule.checked:
        return NOT_CHECKED
    if newest_day is None:
        return NO_DATA
    age = as_of + timedelta(days=1) - newest_day
    if rule.error_after and age > rule.error_after.age:
        return ERROR
    if rule.warn_after and age > rule.warn_after.age:
        return WARN
    return FRESH


def check_freshness(as_of: date, settings: Settings | None = None) -> list[SourceFreshness]:
    """Every source table's freshness as of the end of `as_of`."""
    settings = settings or get_settings()
    newest = newest_partitions(settings)
    results = []
    for rule in manifest_rules(settings):
        day, loaded_at = newest.get((rule.source, rule.table), (None, None))
        results.append(SourceFreshness(rule, as_of, day, loaded_at, judge(rule, day, as_of)))
    return results


def newest_partitions(settings: Settings) -> dict[tuple[str, str], tuple[date, datetime]]:
    """(source, entity) -> (newest loaded partition day, when it was loaded), from the ledger
    of the configured warehouse (DuckDB or Postgres); empty before the first load."""
    rows = read_ledger(
        f"SELECT DISTINCT ON (source, entity) source, entity, dt, loaded_at "
        f"FROM {LEDGER} ORDER BY source, entity, dt DESC",
        settings,
    )
    return {(source, entity): (day, loaded_at) for source, entity, day, loaded_at in rows}


def store_results(results: Iterable[SourceFreshness], settings: Settings | None = None) -> None:
    """Replace `meta.source_freshness` in the DuckDB warehouse file (the one the publisher
    copies; with the Postgres target, the file the marts are mirrored into), in one
    transaction."""
    settings = settings or get_settings()
    checked_at = datetime.now(UTC)
    rows = [
        [
            r.rule.source,
            r.rule.table,
            r.rule.relation,
            r.newest_day,
            r.loaded_at,
            r.as_of,
            r.days_behind,
            str(r.rule.warn_after) if r.rule.warn_after else None,
            str(r.rule.error_after) if r.rule.error_after else None,
            r.status,
            checked_at,
        ]
        for r in results
    ]
    with open_warehouse(settings.warehouse_path) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {RESULTS_SCHEMA}")
            con.execute(
                f"CREATE OR REPLACE TABLE {RESULTS_TABLE} (source VARCHAR NOT NULL, "
                "source_table VARCHAR NOT NULL, relation VARCHAR NOT NULL, newest_day DATE, "
                "loaded_at TIMESTAMPTZ, as_of DATE NOT NULL, days_behind INTEGER, "
                "warn_after VARCHAR, error_after VARCHAR, status VARCHAR NOT NULL, "
                "checked_at TIMESTAMPTZ NOT NULL)"
            )
            insert_rows(con, RESULTS_TABLE, rows)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def as_of_day(days: Iterable[str], settings: Settings) -> date | None:
    """The newest of the run's days and the newest day loaded: a run that landed nothing new
    is judged as of its own day, and a backfill of an old day does not make newer data stale."""
    candidates = [date.fromisoformat(d) for d in days]
    loaded = latest_loaded_day(settings)
    if loaded:
        candidates.append(loaded)
    return max(candidates, default=None)


def check_sources(days: list[str] | None = None) -> dict[str, Any]:
    """Check, log and store the freshness as of the run's days (irm.tasks.check_freshness also
    shows it in Data Docs). Stale sources never fail it. `sources` holds one plain row per
    source table (XCom, Data Docs), in the manifest's order."""
    settings = get_settings()
    as_of = as_of_day(days or [], settings)
    if as_of is None:
        log.info("source freshness: nothing is loaded yet, nothing to check")
        return {"as_of": None, "stale": [], "sources": {}}
    results = check_freshness(as_of, settings)
    for result in results:
        if result.status in STALE:
            log.warning("%s", result.describe())
    store_results(results, settings)
    rows = [_row(r) for r in results]
    counts = {s: sum(r.status == s for r in results) for s in (FRESH, *STALE, NO_DATA)}
    never = [r.rule.name for r in results if r.status == NO_DATA]
    log.info(
        "source freshness as of %s: %s; never loaded: %s",
        as_of,
        ", ".join(f"{n} {s}" for s, n in counts.items()),
        ", ".join(never) or "none",
    )
    return {
        "as_of": as_of.isoformat(),
        "stale": [r.rule.name for r in results if r.status in STALE],
        "sources": {row["name"]: row for row in rows},
    }


def _row(result: SourceFreshness) -> dict[str, Any]:
    """A result as plain values (XCom, Data Docs)."""
    rule = result.rule
    return {
        "name": rule.name,
        "relation": rule.relation,
        "newest_day": result.newest_day.isoformat() if result.newest_day else None,
        "loaded_at": f"{result.loaded_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        if result.loaded_at
        else None,
        "days_behind": result.days_behind,
        "warn_after": str(rule.warn_after) if rule.warn_after else None,
        "error_after": str(rule.error_after) if rule.error_after else None,
        "status": result.status,
    }
