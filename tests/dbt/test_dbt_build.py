"""Builds the dbt project on a small hand-made raw schema and checks the marts.

The raw tables follow docs/architecture.md (dt, extracted_at, record_key, payload) and the
payloads follow the YouTube Data API v3 shapes (counts are JSON strings; hidden subscriber
counts and hidden likes are absent keys). Expected values are computed by hand below.

DuckDB (the default target) always runs; the Postgres target runs in a freshly created
database when a server answers at IRM_PG_HOST:IRM_PG_PORT (default 127.0.0.1:5432) and is
skipped otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT_DIR = REPO_ROOT / "dbt_project"

RAW_TABLES = ("youtube_channels", "youtube_videos", "crm_creators")

# --------------------------------------------------------------------------------------------
# The fixture world: three channels over three daily snapshots, five videos, two CRM exports.
# --------------------------------------------------------------------------------------------
DATES = ("2026-03-01", "2026-03-02", "2026-03-03")


def _extracted(dt: str, minute: int = 5) -> str:
    return f"{dt}T00:{minute:02d}:00+00:00"


def _channel(
    channel_id: str,
    handle: str,
    subscribers: str | None,
    hidden: bool,
    videos: str,
    views: str,
) -> dict:
    statistics: dict = {"viewCount": views, "hiddenSubscriberCount": hidden, "videoCount": videos}
    if subscribers is not None:
        statistics["subscriberCount"] = subscribers
    return {
        "kind": "youtube#channel",
        "etag": f"etag-{channel_id}",
        "id": channel_id,
        "snippet": {
            "title": f"{handle[1:].title()} Channel",
            "description": "A channel",
            "customUrl": handle,
            "publishedAt": "2019-05-01T12:00:00Z",
            "thumbnails": {"default": {"url": "https://example.test/t.jpg", "width": 88}},
        },
        "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": "UU" + channel_id[2:]}},
        "statistics": statistics,
    }


def _video(
    video_id: str,
    channel_id: str,
    published_at: str,
    views: str | None,
    likes: str | None,
    comments: str | None,
) -> dict:
    statistics = {"favoriteCount": "0"}
    for key, value in (("viewCount", views), ("likeCount", likes), ("commentCount", comments)):
        if value is not None:
            statistics[key] = value
    return {
        "kind": "youtube#video",
        "etag": f"etag-{video_id}",
        "id": video_id,
        "snippet": {
            "publishedAt": published_at,
            "channelId": channel_id,
            "title": f"Video {video_id}",
            "description": f"About {video_id} #fun",
            "tags": ["a", "b"],
            "categoryId": "22",
            "liveBroadcastContent": "none",
        },
        "contentDetails": {
            "duration": "PT4M13S",
            "dimension": "2d",
            "definition": "hd",
            "caption": "false",
            "licensedContent": True,
        },
        "statistics": statistics,
        "unknownField": {"added": "later"},
    }


def _creator(
    creator_id: str, name: str, status: str, channel: str = "", partnered_on: str = ""
) -> dict:
    return {
        "creator_id": creator_id,
        "display_name": name,
        "email": f"{creator_id}@example.test",
        "manager": "Maria",
        "status": status,
        "country": "de",
        "niche": "",
        "youtube_channel_id": channel,
        "instagram_username": "",
        "tiktok_username": "",
        "partnered_on": partnered_on,
    }


def raw_rows() -> dict[str, list[tuple[str, str, str, str]]]:
    """Rows per raw table as (dt, extracted_at, record_key, payload JSON)."""
    d1, d2, d3 = DATES
    alpha, beta, gamma = "UCalpha", "UCbeta", "UCgamma"

    def channel(dt: str, channel_id: str, *fields, minute: int = 5):
        return (dt, _extracted(dt, minute), channel_id, _channel(channel_id, *fields))

    channels = [
        # fields: handle, subscriberCount, hiddenSubscriberCount, videoCount, viewCount
        # alpha grows 1000 -> 1200 -> 1500; day 3 is delivered twice, the later record wins
        channel(d1, alpha, "@alpha", "1000", False, "10", "9000"),
        channel(d2, alpha, "@alpha", "1200", False, "11", "9500"),
        channel(d3, alpha, "@alpha", "1499", False, "11", "9900"),
        channel(d3, alpha, "@alpha", "1500", False, "12", "9999", minute=7),
        # beta hides its subscribers: absent key, and the older style "0" with hidden=true
        channel(d1, beta, "@beta", None, True, "40", "70000"),
        channel(d2, beta, "@beta", "0", True, "40", "71000"),
        channel(d3, beta, "@beta", None, True, "41", "72000"),
        # gamma is first snapshotted on day 2 (macro tier)
        channel(d2, gamma, "@gamma", "250000", False, "300", "9000000"),
        channel(d3, gamma, "@gamma", "255000", False, "301", "9100000"),
    ]

    def video(dt: str, video_id: str, channel: str, published: str, *counts: str | None):
        return (dt, _extracted(dt), video_id, _video(video_id, channel, published, *counts))

    def creator(dt: str, creator_id: str, *fields: str):
        return (dt, _extracted(dt), creator_id, _creator(creator_id, *fields))

    a1, a2 = "2026-03-01T15:00:00Z", "2026-03-02T10:00:00Z"
    b1, g1, g2 = "2026-02-10T09:00:00Z", "2026-02-20T18:00:00Z", "2026-03-03T08:00:00Z"
    videos = [
        # va1: published day 1 after alpha's day-1 snapshot (1000 subscribers); counts are
        # (views, likes, comments)
        video(d1, "va1", alpha, a1, "100", "10", "2"),
        video(d2, "va1", alpha, a1, "400", "40", "5"),
        video(d3, "va1", alpha, a1, "1000", "100", "20"),
        # va2: likes hidden
        video(d2, "va2", alpha, a2, "50", None, "1"),
        video(d3, "va2", alpha, a2, "300", None, "3"),
        # vb1: channel with hidden subscribers
        video(d1, "vb1", beta, b1, "4000", "150", "20"),
        video(d3, "vb1", beta, b1, "5000", "200", "30"),
        # vg1: published before gamma's first snapshot -> earliest later snapshot (250000)
        video(d2, "vg1", gamma, g1, "90000", "4000", "400"),
        video(d3, "vg1", gamma, g1, "100000", "5000", "500"),
        # vg2: comments disabled, published on day 3 (exact-date snapshot: 255000)
        video(d3, "vg2", gamma, g2, "2000", "100", None),
    ]
    crm = [
        creator(d1, "cr_001", "Alpha A", "active", alpha, "2025-01-15"),
        creator(d1, "cr_002", "Beta B", "active", beta),
        creator(d1, "cr_003", "Cee C", "prospect"),
        # the latest export: beta's channel is no longer listed, cr_003 is gone, cr_004 is new
        creator(d3, "cr_001", "Alpha A", "active", alpha, "2025-01-15"),
        creator(d3, "cr_002", "Beta B", "Paused"),
        creator(d3, "cr_004", "Gamma G", "active", gamma, "2026-02-01"),
    ]

    def encode(rows: list) -> list[tuple[str, str, str, str]]:
        return [(dt, at, key, json.dumps(payload)) for dt, at, key, payload in rows]

    return {
        "youtube_channels": encode(channels),
        "youtube_videos": encode(videos),
        "crm_creators": encode(crm),
    }


# --------------------------------------------------------------------------------------------
# Running dbt
# --------------------------------------------------------------------------------------------
def _dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if not found:
        pytest.skip("dbt is not installed in this environment")
    return found


def run_dbt(args: list[str], env: dict[str, str], work: Path, target: str) -> float:
    """Run one dbt command with its own target and log folders; return its wall time."""
    command = [
        _dbt_executable(),
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target",
        target,
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]
    started = time.perf_counter()
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, (
        f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
    return elapsed


def dbt_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBT_", "IRM_PG_"))}
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env.update(extra)
    return env


# --------------------------------------------------------------------------------------------
# Assertions shared by both targets
# --------------------------------------------------------------------------------------------
Query = Callable[[str], list[tuple]]


def check_marts(query: Query) -> None:
    accounts = {
        row[0]: row[1:]
        for row in query(
            "select account_id, creator_id, platform, handle, followers, following,"
            " posts_count, tier from marts.dim_creator_account"
        )
    }
    assert accounts == {
        "youtube:UCalpha": ("cr_001", "youtube", "@alpha", 1500, None, 12, "micro"),
        "youtube:UCbeta": (None, "youtube", "@beta", None, None, 41, None),
        "youtube:UCgamma": ("cr_004", "youtube", "@gamma", 255000, None, 301, "macro"),
    }

    post_columns = [
        "post_id", "account_id", "creator_id", "post_type", "likes", "comments", "shares",
        "saves", "views", "interactions", "followers_at_post", "engagement_rate",
        "engagement_rate_views", "campaign_id", "is_sponsored", "disclosure_status", "emv_usd",
    ]  # fmt: skip
    posts = {
        row[0]: dict(zip(post_columns, row, strict=True))
        for row in query(f"select {', '.join(post_columns)} from marts.fct_post")
    }
    assert set(posts) == {
        "youtube:va1",
        "youtube:va2",
        "youtube:vb1",
        "youtube:vg1",
        "youtube:vg2",
    }

    # va1: latest metrics (day 3) 100 likes + 20 comments = 120; followers on day 1 = 1000
    va1 = posts["youtube:va1"]
    assert va1["account_id"] == "youtube:UCalpha"
    assert va1["creator_id"] == "cr_001"
    assert va1["post_type"] == "video"
    assert (va1["likes"], va1["comments"], va1["views"]) == (100, 20, 1000)
    assert va1["shares"] is None and va1["saves"] is None
    assert va1["interactions"] == 120
    assert va1["followers_at_post"] == 1000
    assert va1["engagement_rate"] == pytest.approx(0.12)
    assert va1["engagement_rate_views"] == pytest.approx(0.12)
    assert va1["campaign_id"] is None
    assert va1["is_sponsored"] is False
    assert va1["disclosure_status"] == "not_sponsored"
    # 1000 / 1000 * 20 + 120 * 0.10 = 32
    assert va1["emv_usd"] == pytest.approx(32.0)

    # va2: hidden likes -> no interactions, no rates; EMV from views only (300/1000*20 = 6)
    va2 = posts["youtube:va2"]
    assert va2["likes"] is None
    assert va2["comments"] == 3
    assert va2["interactions"] is None
    assert va2["engagement_rate"] is None
    assert va2["engagement_rate_views"] is None
    assert va2["followers_at_post"] == 1200
    assert va2["emv_usd"] == pytest.approx(6.0)

    # vb1: the channel hides subscribers -> followers unknown, rate by followers NULL
    vb1 = posts["youtube:vb1"]
    assert vb1["creator_id"] is None
    assert vb1["interactions"] == 230
    assert vb1["followers_at_post"] is None
    assert vb1["engagement_rate"] is None
    assert vb1["engagement_rate_views"] == pytest.approx(230 / 5000)

    # vg1: published before the channel's first snapshot -> earliest later one (250000)
    vg1 = posts["youtube:vg1"]
    assert vg1["followers_at_post"] == 250000
    assert vg1["engagement_rate"] == pytest.approx(5500 / 250000)

    # vg2: comments disabled -> comments NULL, interactions = likes; exact-date snapshot
    vg2 = posts["youtube:vg2"]
    assert vg2["comments"] is None
    assert vg2["interactions"] == 100
    assert vg2["followers_at_post"] == 255000
    assert vg2["engagement_rate"] == pytest.approx(100 / 255000)

    # staging keeps one row per raw record; hidden subscriber counts are NULL, never 0
    hidden = query(
        "select count(*), count(subscriber_count) from staging.stg_youtube__channels"
        " where channel_id = 'UCbeta'"
    )
    assert hidden == [(3, 0)]
    assert query("select count(*) from staging.stg_youtube__videos") == [(10,)]
    assert query("select count(*) from seeds.tiers") == [(4,)]


# --------------------------------------------------------------------------------------------
# DuckDB
# --------------------------------------------------------------------------------------------
def create_duckdb_raw(path: Path) -> None:
    import duckdb

    con = duckdb.connect(str(path))
    try:
        con.execute("create schema raw")
        for table, rows in raw_rows().items():
            con.execute(
                f"create table raw.{table} (dt date, extracted_at timestamptz,"
                " record_key varchar, payload json)"
            )
            con.executemany(
                f"insert into raw.{table} values (?, cast(? as timestamptz), ?, cast(? as json))",
                rows,
            )
    finally:
        con.close()


@pytest.fixture(scope="module")
def duckdb_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, float]]:
    work = tmp_path_factory.mktemp("dbt_duckdb")
    warehouse = work / "warehouse.duckdb"
    create_duckdb_raw(warehouse)
    env = dbt_env(IRM_WAREHOUSE_PATH=str(warehouse))
    run_dbt(["seed"], env, work, "duckdb")
    elapsed = run_dbt(["build"], env, work, "duckdb")
    print(f"dbt build on the DuckDB fixture: {elapsed:.1f} s")
    yield warehouse, elapsed


def test_duckdb_build_marts(duckdb_build: tuple[Path, float]) -> None:
    import duckdb

    warehouse, _ = duckdb_build
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        check_marts(lambda sql: con.execute(sql).fetchall())
    finally:
        con.close()


def test_duckdb_build_is_idempotent(duckdb_build: tuple[Path, float]) -> None:
    """A second build over the same raw data gives the same marts."""
    import duckdb

    warehouse, _ = duckdb_build
    sql = "select * from marts.fct_post order by post_id"

    def snapshot() -> list[tuple]:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    before = snapshot()
    work = warehouse.parent / "rerun"
    work.mkdir(exist_ok=True)
    run_dbt(["build"], dbt_env(IRM_WAREHOUSE_PATH=str(warehouse)), work, "duckdb")
    assert snapshot() == before


def test_parse_needs_only_the_warehouse_path(tmp_path: Path) -> None:
    """`dbt parse` (the manifest astronomer-cosmos renders from) needs no database."""
    env = dbt_env(IRM_WAREHOUSE_PATH=str(tmp_path / "absent.duckdb"))
    run_dbt(["parse"], env, tmp_path, "duckdb")
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    models = {node["name"] for node in manifest["nodes"].values()}
    assert {"fct_post", "dim_creator_account", "stg_youtube__videos"} <= models
    assert {e["name"] for e in manifest["exposures"].values()} == {
        "weekly_export",
        "bi_read_only_copy",
    }
    assert not (tmp_path / "absent.duckdb").exists()


# --------------------------------------------------------------------------------------------
# Postgres (second target)
# --------------------------------------------------------------------------------------------
def _pg_settings() -> dict[str, str]:
    return {
        "host": os.environ.get("IRM_PG_HOST", "127.0.0.1"),
        "port": os.environ.get("IRM_PG_PORT", "5432"),
        "user": os.environ.get("IRM_PG_USER", "postgres"),
        "password": os.environ.get("IRM_PG_PASSWORD", ""),
    }


@pytest.fixture
def postgres_database() -> Iterator[dict[str, str]]:
    psycopg2 = pytest.importorskip("psycopg2")
    settings = _pg_settings()
    try:
        admin = psycopg2.connect(dbname="postgres", connect_timeout=3, **settings)
    except psycopg2.OperationalError as exc:
        pytest.skip(f"no Postgres server at {settings['host']}:{settings['port']}: {exc}")
    admin.autocommit = True
    name = f"irm_dbt_test_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}"')
    try:
        con = psycopg2.connect(dbname=name, **settings)
        try:
            with con, con.cursor() as cur:
                cur.execute("create schema raw")
                for table, rows in raw_rows().items():
                    cur.execute(
                        f"create table raw.{table} (dt date, extracted_at timestamptz,"
                        " record_key varchar, payload jsonb)"
                    )
                    cur.executemany(f"insert into raw.{table} values (%s, %s, %s, %s::jsonb)", rows)
        finally:
            con.close()
        yield {**settings, "dbname": name}
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        admin.close()


def test_postgres_build_marts(postgres_database: dict[str, str], tmp_path: Path) -> None:
    import psycopg2

    env = dbt_env(
        IRM_WAREHOUSE_PATH=str(tmp_path / "unused.duckdb"),
        IRM_PG_HOST=postgres_database["host"],
        IRM_PG_PORT=postgres_database["port"],
        IRM_PG_USER=postgres_database["user"],
        IRM_PG_PASSWORD=postgres_database["password"],
        IRM_PG_DATABASE=postgres_database["dbname"],
    )
    run_dbt(["build"], env, tmp_path, "postgres")
    con = psycopg2.connect(**postgres_database)
    try:

        def query(sql: str) -> list[tuple]:
            with con.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall()

        check_marts(query)
    finally:
        con.close()


# --------------------------------------------------------------------------------------------
# Style
# --------------------------------------------------------------------------------------------
def test_sqlfluff_lint_models() -> None:
    """The models pass `sqlfluff lint` with the repository's .sqlfluff (jinja templater)."""
    sqlfluff = Path(sys.executable).with_name("sqlfluff")
    if not sqlfluff.exists():
        pytest.skip("sqlfluff is not installed in this environment")
    result = subprocess.run(
        [str(sqlfluff), "lint", "dbt_project/models", "--nocolor"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
