"""The scoring step (warehouse/comment_scores.py): raw comments are scored once each into
raw.comment_scores, on DuckDB and on Postgres; no comment table yet is nothing to score."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from core.config import Settings, get_settings
from core.db import open_warehouse
from warehouse.comment_scores import MODEL, score_new_comments

RAW_COLUMNS = (
    "dt DATE, extracted_at TIMESTAMPTZ, record_key VARCHAR, parent_key VARCHAR, payload JSON"
)
TIKTOK_ID = "7234567890123456789"  # int64 above 2**53: kept as its digits


def youtube_thread(comment_id: str, text: str) -> str:
    """A commentThreads.list item as the sandbox serves it (the parts the scorer reads)."""
    top_level = {"id": comment_id, "snippet": {"textOriginal": text, "textDisplay": text}}
    return json.dumps({"id": comment_id, "snippet": {"topLevelComment": top_level}})


def tiktok_comment(comment_id: str, text: str) -> str:
    return json.dumps({"id": int(comment_id), "text": text})


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("IRM_DATA_ROOT", str(tmp_path / "data"))
    for variable in ("IRM_WAREHOUSE_PATH", "IRM_DBT_TARGET"):
        monkeypatch.delenv(variable, raising=False)
    return get_settings()


Insert = Callable[[str, str, str, str], None]


def duckdb_insert(settings: Settings) -> Insert:
    def insert(platform: str, dt: str, record_key: str, payload: str) -> None:
        with open_warehouse(settings.warehouse_path) as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS raw")
            con.execute(f"CREATE TABLE IF NOT EXISTS raw.{platform}_comments ({RAW_COLUMNS})")
            con.execute(
                f"INSERT INTO raw.{platform}_comments VALUES (?, ?, ?, NULL, ?)",
                [dt, f"{dt} 06:00:00+00", record_key, payload],
            )

    return insert


def duckdb_scores(settings: Settings) -> dict[str, tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rows = con.execute(
            "SELECT comment_key, platform, language, compound, unscored_reason, model, scored_at "
            "FROM raw.comment_scores"
        ).fetchall()
    return {row[0]: row[1:] for row in rows}


def test_no_comment_table_is_nothing_to_score(settings: Settings) -> None:
    assert score_new_comments(settings) == 0
    # the scores table exists all the same: dbt reads it on every build
    assert duckdb_scores(settings) == {}


def test_comments_are_scored_once_and_only_new_ones_later(settings: Settings) -> None:
    insert = duckdb_insert(settings)
    insert("youtube", "2026-03-01", "Ugx1", youtube_thread("Ugx1", "I love this, great video!"))
    insert(
        "youtube",
        "2026-03-01",
        "Ugx2",
        youtube_thread(
            "Ugx2", "Me encanta muchísimo este vídeo, gracias por compartirlo con todos nosotros"
        ),
    )
    insert("tiktok", "2026-03-01", TIKTOK_ID, tiktok_comment(TIKTOK_ID, "This is awful, so bad"))

    assert score_new_comments(settings) == 3
    first = duckdb_scores(settings)
    assert set(first) == {"youtube:Ugx1", "youtube:Ugx2", f"tiktok:{TIKTOK_ID}"}
    platform, language, compound, reason, model, _ = first["youtube:Ugx1"]
    assert (platform, language, reason, model) == ("youtube", "en", None, MODEL)
    assert compound > 0.05
    # not English: unscored with its reason, never a neutral 0
    assert first["youtube:Ugx2"][2:4] == (None, "not_english")
    assert first[f"tiktok:{TIKTOK_ID}"][2] < -0.05

    # the next day's snapshot lists the same comments again: nothing is scored twice
    insert("youtube", "2026-03-02", "Ugx1", youtube_thread("Ugx1", "I love this, great video!"))
    assert score_new_comments(settings) == 0

    # a new comment is scored alone; the earlier scores stay as they were
    insert("youtube", "2026-03-02", "Ugx3", youtube_thread("Ugx3", "Terrible sound, I hate it"))
    assert score_new_comments(settings) == 1
    second = duckdb_scores(settings)
    assert {key: second[key] for key in first} == first
    assert second["youtube:Ugx3"][2] < -0.05


def test_an_edited_comment_keeps_its_first_score(settings: Settings) -> None:
    insert = duckdb_insert(settings)
    insert("youtube", "2026-03-01", "Ugx1", youtube_thread("Ugx1", "I love this"))
    insert("youtube", "2026-03-02", "Ugx1", youtube_thread("Ugx1", "I hate this"))
    assert score_new_comments(settings) == 1
    assert duckdb_scores(settings)["youtube:Ugx1"][2] > 0.05


def test_postgres_target_scores_once_too(settings: Settings, monkeypatch) -> None:
    from core.db import connect_postgres
    from tests.warehouse.warehouse_helpers import postgres_warehouse

    with postgres_warehouse(monkeypatch, "irm_scores_test") as pg_settings:
        assert score_new_comments(pg_settings) == 0  # no comments table yet
        con = connect_postgres()
        try:
            with con, con.cursor() as cur:
                cur.execute(
                    "CREATE TABLE raw.tiktok_comments (dt date, extracted_at timestamptz, "
                    "record_key text, parent_key text, payload jsonb)"
                )
                cur.execute(
                    "INSERT INTO raw.tiktok_comments VALUES "
                    "('2026-03-01', '2026-03-01 06:00+00', %s, NULL, %s)",
                    [TIKTOK_ID, tiktok_comment(TIKTOK_ID, "Great product, love it")],
                )
            assert score_new_comments(pg_settings) == 1
            assert score_new_comments(pg_settings) == 0
            with con, con.cursor() as cur:
                cur.execute("SELECT comment_key, language, compound > 0.05 FROM raw.comment_scores")
                assert cur.fetchall() == [(f"tiktok:{TIKTOK_ID}", "en", True)]
        finally:
            con.close()
