"""The scoring step (warehouse/comment_scores.py): raw comments are scored once each into
raw.comment_scores, and the posts listening found once each, by their own text, into
raw.mention_scores; on DuckDB and on Postgres; a raw table not landed yet is nothing to score."""

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


def youtube_found_video(video_id: str, title: str, description: str) -> str:
    """A videos.list item of a video the search found (the parts the scorer reads)."""
    return json.dumps({"id": video_id, "snippet": {"title": title, "description": description}})


def tiktok_query_video(video_id: str, description: str) -> str:
    return json.dumps({"id": int(video_id), "video_description": description})


def instagram_hashtag_media(media_id: str, caption: str) -> str:
    return json.dumps({"id": media_id, "caption": caption})


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("IRM_DATA_ROOT", str(tmp_path / "data"))
    for variable in ("IRM_WAREHOUSE_PATH", "IRM_DBT_TARGET"):
        monkeypatch.delenv(variable, raising=False)
    return get_settings()


Insert = Callable[[str, str, str, str], None]


def duckdb_insert(settings: Settings, entity: str = "comments") -> Insert:
    """Lands a record in `raw.<platform>_<entity>` (the parent key: the term before the ':' of
    a listening find's record key, as the loader lands it)."""

    def insert(platform: str, dt: str, record_key: str, payload: str) -> None:
        table = f"raw.{platform}_{entity}"
        parent_key = record_key.split(":")[0] if ":" in record_key else None
        with open_warehouse(settings.warehouse_path) as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS raw")
            con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({RAW_COLUMNS})")
            con.execute(
                f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?)",
                [dt, f"{dt} 06:00:00+00", record_key, parent_key, payload],
            )

    return insert


def duckdb_scores(settings: Settings, table: str = "comment_scores") -> dict[str, tuple]:
    key = "post_key" if table == "mention_scores" else "comment_key"
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rows = con.execute(
            f"SELECT {key}, platform, language, compound, unscored_reason, model, scored_at "
            f"FROM raw.{table}"
        ).fetchall()
    return {row[0]: row[1:] for row in rows}


def test_no_comment_table_is_nothing_to_score(settings: Settings) -> None:
    assert score_new_comments(settings) == 0
    # the scores tables exist all the same: dbt reads them on every build
    assert duckdb_scores(settings) == {}
    assert duckdb_scores(settings, "mention_scores") == {}


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


def land_found_posts(settings: Settings) -> None:
    """One find per platform, the TikTok video found by two terms on two days, its earliest
    find landed last (the later text differs: the earliest one is scored)."""
    duckdb_insert(settings, "found_videos")(
        "youtube",
        "2026-03-01",
        "yt1",
        youtube_found_video("yt1", "My honest review", "I love this serum, amazing results"),
    )
    query_video = duckdb_insert(settings, "query_videos")
    query_video("tiktok", "2026-03-02", f"glowco:{TIKTOK_ID}", tiktok_query_video(TIKTOK_ID, "meh"))
    query_video(
        "tiktok", "2026-03-01", f"serum:{TIKTOK_ID}", tiktok_query_video(TIKTOK_ID, "awful, so bad")
    )
    query_video(
        "tiktok", "2026-03-02", f"serum:{TIKTOK_ID}", tiktok_query_video(TIKTOK_ID, "awful, so bad")
    )
    duckdb_insert(settings, "hashtag_media")(
        "instagram",
        "2026-03-01",
        "glowco:17900001",
        instagram_hashtag_media(
            "17900001", "Me encanta muchísimo este sérum, gracias por compartirlo con nosotras"
        ),
    )


def test_listened_posts_are_scored_once_by_their_own_text(settings: Settings) -> None:
    land_found_posts(settings)

    assert score_new_comments(settings) == 3
    first = duckdb_scores(settings, "mention_scores")
    # a post found by two terms on two days is one row, keyed as int_listening_posts' post_id
    assert set(first) == {"youtube:yt1", f"tiktok:{TIKTOK_ID}", "instagram:17900001"}
    assert {key: row[0] for key, row in first.items()} == {
        "youtube:yt1": "youtube",
        f"tiktok:{TIKTOK_ID}": "tiktok",
        "instagram:17900001": "instagram",
    }
    # the video's description is read, not only its neutral title
    platform, language, compound, reason, model, _ = first["youtube:yt1"]
    assert (language, reason, model) == ("en", None, MODEL)
    assert compound > 0.05
    # the earliest find's text, not the later "meh"
    assert first[f"tiktok:{TIKTOK_ID}"][2] < -0.05
    assert first["instagram:17900001"][2:4] == (None, "not_english")
    # comments and posts are apart: no comment landed, none scored
    assert duckdb_scores(settings) == {}

    # found again the next day: nothing is scored twice
    duckdb_insert(settings, "hashtag_media")(
        "instagram", "2026-03-02", "glowco:17900001", instagram_hashtag_media("17900001", "x")
    )
    assert score_new_comments(settings) == 0

    # a new find is scored alone, with a new comment; the earlier scores stay as they were
    duckdb_insert(settings, "hashtag_media")(
        "instagram",
        "2026-03-02",
        "serum:17900002",
        instagram_hashtag_media("17900002", "Terrible packaging, I hate it"),
    )
    duckdb_insert(settings)(
        "tiktok", "2026-03-02", TIKTOK_ID, tiktok_comment(TIKTOK_ID, "Great product")
    )
    assert score_new_comments(settings) == 2
    second = duckdb_scores(settings, "mention_scores")
    assert {key: second[key] for key in first} == first
    assert second["instagram:17900002"][2] < -0.05
    assert set(duckdb_scores(settings)) == {f"tiktok:{TIKTOK_ID}"}


def test_an_empty_found_text_is_unscored_not_neutral(settings: Settings) -> None:
    duckdb_insert(settings, "found_videos")("youtube", "2026-03-01", "yt1", json.dumps({}))
    assert score_new_comments(settings) == 1
    assert duckdb_scores(settings, "mention_scores")["youtube:yt1"][2:4] == (None, "empty")


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
                cur.execute("SELECT count(*) FROM raw.mention_scores")
                assert cur.fetchone() == (0,)  # nothing found yet: the table exists, empty
        finally:
            con.close()


def test_postgres_target_scores_listened_posts_once_too(settings: Settings, monkeypatch) -> None:
    from core.db import connect_postgres
    from tests.warehouse.warehouse_helpers import postgres_warehouse

    raw_columns = (
        "dt date, extracted_at timestamptz, record_key text, parent_key text, payload jsonb"
    )
    finds = {
        "youtube_found_videos": [
            ("2026-03-01", "yt1", None, youtube_found_video("yt1", "Review", "I love this serum"))
        ],
        "tiktok_query_videos": [
            (day, f"{term}:{TIKTOK_ID}", term, tiktok_query_video(TIKTOK_ID, "awful, so bad"))
            for day in ("2026-03-01", "2026-03-02")
            for term in ("serum", "glowco")
        ],
        "instagram_hashtag_media": [
            ("2026-03-01", "glowco:17900001", "glowco", instagram_hashtag_media("17900001", ""))
        ],
    }
    with postgres_warehouse(monkeypatch, "irm_mention_scores_test") as pg_settings:
        con = connect_postgres()
        try:
            with con, con.cursor() as cur:
                cur.execute("CREATE SCHEMA IF NOT EXISTS raw")
                for table, records in finds.items():
                    cur.execute(f"CREATE TABLE raw.{table} ({raw_columns})")
                    for dt, record_key, parent_key, payload in records:
                        cur.execute(
                            f"INSERT INTO raw.{table} VALUES (%s, %s, %s, %s, %s)",
                            [dt, f"{dt} 06:00+00", record_key, parent_key, payload],
                        )
            assert score_new_comments(pg_settings) == 3
            assert score_new_comments(pg_settings) == 0
            with con, con.cursor() as cur:
                cur.execute(
                    "SELECT post_key, platform, compound > 0.05, compound < -0.05, "
                    "unscored_reason FROM raw.mention_scores ORDER BY post_key"
                )
                assert cur.fetchall() == [
                    ("instagram:17900001", "instagram", None, None, "empty"),
                    (f"tiktok:{TIKTOK_ID}", "tiktok", False, True, None),
                    ("youtube:yt1", "youtube", True, False, None),
                ]
        finally:
            con.close()
