"""Source freshness: every source table has a rule that fits how it lands (dbt's own `dbt source
freshness` agrees), irm_transform judges it against the newest day it transforms, not the wall
clock, and the result reaches the warehouse's `meta` schema (published with the marts), the
Data Docs home page and the log.

Before: `dbt source freshness` gave 4 ERRORs on the quarantine tables (they inherited their
source's rule and only get rows when something is rejected), checked no CRM source, and nothing
ran it."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from core.config import Settings
from core.landing import Partition, envelope, write_partition
from extractors import EXTRACTOR_VERSION
from tests.dbt.test_dbt_build import dbt_command, dbt_env
from warehouse.load import RAW_ENTITIES, ensure_raw_schema, load_landing

DAY = date(2026, 1, 14)  # the day being transformed; the wall clock is months later
QUARANTINE = "quarantine"
DATA_TABLES = [(s, e) for s, e in RAW_ENTITIES if e != QUARANTINE]
# Written by the scoring step, not landed: the comments' and the listened posts' scores.
SCORES = (("sentiment", "comment_scores"), ("sentiment", "mention_scores"))


def manifest(settings: Settings) -> dict:
    return json.loads((settings.dbt_project_dir / "target" / "manifest.json").read_text())


def land(settings: Settings, source: str, entity: str, days: Iterable[date], rows: int = 1) -> None:
    """Partitions as the extractors write them (`rows=0`: a day that landed empty), extracted
    now, as a replay of the past (the history bootstrap) is."""
    extracted_at = datetime.now(UTC).isoformat()
    for day in days:
        records = [envelope(f"{entity}-{n}", {"n": n}, extracted_at) for n in range(rows)]
        write_partition(
            Partition(settings.landing_dir, source, entity, day),
            records,
            extractor_version=EXTRACTOR_VERSION,
        )


def test_every_source_table_has_a_rule_that_fits_how_it_lands(settings: Settings) -> None:
    sources = manifest(settings)["sources"].values()
    by_table = {(s["source_name"], s["name"]): s for s in sources}
    # Every landing table, and the scores, which the scoring step derives from them (nothing
    # lands there: no rule of their own; the comments' and posts' rules say how fresh they are).
    assert set(by_table) == {*RAW_ENTITIES, *SCORES}
    for scores in SCORES:
        scores_rule = by_table.pop(scores)["freshness"] or {}
        assert not (scores_rule.get("warn_after") or {}).get("count"), f"{scores}: no rule"
        assert not (scores_rule.get("error_after") or {}).get("count"), f"{scores}: no rule"
    for (source, entity), node in by_table.items():
        rule = node["freshness"]
        if entity == QUARANTINE:
            # Rows arrive only when something is rejected: no rule, so never an error.
            assert rule is None, f"{source}.{entity} inherits a freshness rule"
            continue
        assert rule and rule["warn_after"]["count"] and rule["error_after"]["count"], (
            f"{source}.{entity} has no freshness rule"
        )
        # Judged on the landing partition day (the day the data describes), not on when a
        # replay extracted it.
        assert node["loaded_at_field"] == "cast(dt as timestamp)", (source, entity)


def test_dbt_source_freshness_checks_every_source_and_skips_quarantine(
    settings: Settings, tmp_path: Path
) -> None:
    """`dbt source freshness` itself, on a warehouse whose sources all landed today: every
    source table with data is checked and passes, CRM included; the empty quarantine tables
    are not checked (before: ERROR on each, and no CRM table checked)."""
    today = datetime.now(UTC).date()
    settings.warehouse_path.parent.mkdir(parents=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        ensure_raw_schema(con)
        for source, entity in DATA_TABLES:
            con.execute(
                f"INSERT INTO raw.{source}_{entity} VALUES (?, now(), 'k', NULL, '{{}}')", [today]
            )
    env = dbt_env(IRM_WAREHOUSE_PATH=str(settings.warehouse_path))
    output = ["--output", str(tmp_path / "sources.json")]
    result = dbt_command(["source", "freshness", *output], env, tmp_path, "duckdb", artifacts=True)
    results = json.loads((tmp_path / "sources.json").read_text())["results"]
    status = {r["unique_id"].removeprefix("source.irm."): r["status"] for r in results}
    assert status == {f"{s}.{e}": "pass" for s, e in DATA_TABLES}, result.stdout[-3000:]
    assert result.returncode == 0


@pytest.fixture
def landed(settings: Settings) -> Settings:
    """Sources in every state as of DAY (loaded through the real loader and its ledger)."""
    week = [DAY - timedelta(days=n) for n in range(7)]
    land(settings, "youtube", "channels", week)  # current
    land(settings, "youtube", "videos", week[1:])  # one daily snapshot missed: warn
    land(settings, "youtube", QUARANTINE, week[3:])  # rejects days ago: not checked
    land(settings, "instagram", "accounts", week[3:])  # three snapshots missed: error
    land(settings, "instagram", "media", week[:1], rows=0)  # landed empty today: current
    land(settings, "crm", "creators", week[2:])  # a weekend without exports: normal
    land(settings, "crm", "campaigns", week[3:])  # a third day without one: warn
    # tiktok and shop never landed (their connections are not set): no data
    load_landing(settings=settings)
    return settings


def statuses(results) -> dict[str, str]:
    return {f"{r.rule.source}.{r.rule.table}": r.status for r in results}


def test_staleness_is_judged_against_the_run_not_the_clock(landed: Settings) -> None:
    from warehouse.freshness import check_freshness

    found = statuses(check_freshness(DAY, landed))
    assert found == {
        "youtube.channels": "fresh",
        "youtube.videos": "warn",
        "youtube.quarantine": "not checked",
        "youtube.comments": "no data",
        "youtube.comment_fetches": "no data",
        "youtube.search_results": "no data",  # listening's entities: never landed here
        "youtube.found_videos": "no data",
        "youtube.discovered_channels": "no data",
        "youtube.candidate_videos": "no data",
        "instagram.accounts": "error",
        "instagram.media": "fresh",
        "instagram.hashtag_media": "no data",
        "instagram.quarantine": "not checked",
        "tiktok.users": "no data",
        "tiktok.videos": "no data",
        "tiktok.comments": "no data",
        "tiktok.comment_fetches": "no data",
        "tiktok.query_videos": "no data",
        "tiktok.discovered_users": "no data",
        "tiktok.candidate_videos": "no data",
        "tiktok.quarantine": "not checked",
        "shop.orders": "no data",
        "shop.quarantine": "not checked",
        "crm.creators": "fresh",
        "crm.campaigns": "warn",
        "crm.contracts": "no data",
        "crm.payments": "no data",
        "crm.touchpoints": "no data",
        "crm.quarantine": "not checked",
        "sentiment.comment_scores": "not checked",
        "sentiment.mention_scores": "not checked",
    }
    # A replay of the past is judged as of its own days: as of three days earlier, everything
    # that had landed by then was current.
    earlier = statuses(check_freshness(DAY - timedelta(days=3), landed))
    assert earlier["instagram.accounts"] == "fresh" and earlier["crm.campaigns"] == "fresh"


def test_the_check_in_the_transform_warns_stores_and_shows_stale_sources(
    landed: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """What irm_transform's task does: never fails on stale sources, logs each one as a
    warning, keeps the result in the warehouse (`meta.source_freshness`, which the publisher
    copies into the BI copy) and on the Data Docs home page."""
    from irm.tasks import check_freshness

    with caplog.at_level(logging.INFO, logger="warehouse.freshness"):
        summary = check_freshness([DAY.isoformat()])
    assert summary["as_of"] == DAY.isoformat()
    assert sorted(summary["stale"]) == ["crm.campaigns", "instagram.accounts", "youtube.videos"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3
    assert any(
        "instagram.accounts" in w and "2026-01-11" in w and "error" in w for w in warnings
    ), warnings

    with duckdb.connect(str(landed.warehouse_path), read_only=True) as con:
        stored = dict(
            con.execute(
                "SELECT source || '.' || source_table, status FROM meta.source_freshness"
            ).fetchall()
        )
        as_of = con.execute("SELECT DISTINCT as_of FROM meta.source_freshness").fetchall()
    assert stored == statuses_of(summary) and as_of == [(DAY,)]

    home = (landed.data_docs_dir / "index.html").read_text(encoding="utf-8")
    section = home[home.index("Source freshness") :]
    assert "raw.instagram_accounts" in section and "2026-01-11" in section
    assert "36 hours" in section and "3 days" in section  # the rule as the manifest has it
    assert "error" in section and "not checked" in section


def statuses_of(summary: dict) -> dict[str, str]:
    return {name: row["status"] for name, row in summary["sources"].items()}


def test_without_named_days_the_newest_loaded_day_is_the_reference(landed: Settings) -> None:
    """A manual run (no triggering events) is judged as of the newest day in the warehouse;
    named days older than that do not make newer data look stale either."""
    from warehouse.freshness import check_sources

    assert check_sources([])["as_of"] == DAY.isoformat()
    assert check_sources([(DAY - timedelta(days=30)).isoformat()])["as_of"] == DAY.isoformat()


def test_the_published_copy_carries_the_freshness_of_its_data(
    landed: Settings, published_rows: Callable[..., list[list[tuple]]]
) -> None:
    from warehouse.freshness import check_sources

    check_sources([DAY.isoformat()])
    with duckdb.connect(str(landed.warehouse_path)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.dim_creator AS SELECT 'cr1' AS creator_id")
    stale, tables = published_rows(
        "SELECT source || '.' || source_table FROM meta.source_freshness "
        "WHERE status IN ('warn', 'error') ORDER BY ALL",
        "SELECT table_name FROM meta.publication",
    )
    assert [r[0] for r in stale] == ["crm.campaigns", "instagram.accounts", "youtube.videos"]
    assert tables == [("dim_creator",)]  # the publication lists the marts it holds


def test_a_rule_the_check_cannot_measure_is_refused(settings: Settings) -> None:
    """The YAML and the check cannot drift apart: a rule on another loaded_at_field (which the
    ledger does not hold) fails the check, naming the source, instead of being misread."""
    from warehouse.freshness import rules_from_manifest

    changed = manifest(settings)
    changed["sources"]["source.irm.shop.orders"]["loaded_at_field"] = "extracted_at"
    with pytest.raises(ValueError, match=r"source shop\.orders: .*'extracted_at'"):
        rules_from_manifest(changed)
