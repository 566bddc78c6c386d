"""Score the landed comments once each, into `raw.comment_scores` (SPEC 5.5, issue 20).

Where and why: SQL cannot run VADER (warehouse/sentiment.py), and scoring inside the loader would
tie every load to the model. So a task of its own, `score_comments`, runs between the load and
the dbt build (dags/irm_transform.py, in the one-slot warehouse pool, as every writer): it reads
the comments of `raw.youtube_comments` and `raw.tiktok_comments` whose key is not yet in
`raw.comment_scores`, scores them in batches and appends the scores in one transaction.

- Incremental: a comment is scored once. Its text does not change (an edited YouTube comment
  keeps the score of the first text scored: the one of its earliest landed record), so a later
  snapshot of it costs nothing.
- The table holds the compound score, not the label: dbt labels it with the vars
  `sentiment_positive_threshold` / `sentiment_negative_threshold`, so a change of threshold
  needs no rescoring. An unscored comment has a NULL compound and a reason.
- A raw comments table that does not exist yet (no comment landed) is nothing to score; the
  scores table is created either way, so dbt always finds it.
- Both targets: DuckDB, or Postgres when IRM_DBT_TARGET=postgres (where warehouse/load.py writes
  the raw schema).

The comment key is `<platform>:<comment id>` (the raw `record_key`), the id fct_comment carries.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NamedTuple

import duckdb

from core.config import Settings, get_settings
from core.db import connect_postgres, connect_warehouse
from warehouse.sentiment import score_comments

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection

log = logging.getLogger(__name__)

SCORES_TABLE = "raw.comment_scores"
# The scorer as stored with each score: a new model version is told apart from old scores.
MODEL = "vader-3.3.2"
# The analyzer is built once per process; batches bound the memory a long backlog takes.
BATCH_SIZE = 2_000

_DUCKDB_COLUMNS = (
    "comment_key VARCHAR PRIMARY KEY, platform VARCHAR NOT NULL, language VARCHAR, "
    "compound DOUBLE, unscored_reason VARCHAR, scored_at TIMESTAMPTZ NOT NULL, "
    "model VARCHAR NOT NULL"
)
_POSTGRES_COLUMNS = (
    "comment_key text PRIMARY KEY, platform text NOT NULL, language text, "
    "compound double precision, unscored_reason text, scored_at timestamptz NOT NULL, "
    "model text NOT NULL"
)


class CommentText(NamedTuple):
    comment_key: str
    platform: str
    text: str | None


class ScoreRow(NamedTuple):
    comment_key: str
    platform: str
    language: str | None
    compound: float | None
    unscored_reason: str | None
    scored_at: datetime
    model: str


# The comment's text in each platform's payload, as each database reads JSON.
_TEXT_PATH = {
    "youtube": ("snippet", "topLevelComment", "snippet", "textOriginal"),
    "tiktok": ("text",),
}


def _duckdb_text(platform: str) -> str:
    return "payload->>'$." + ".".join(_TEXT_PATH[platform]) + "'"


def _postgres_text(platform: str) -> str:
    return "payload #>> '{" + ",".join(_TEXT_PATH[platform]) + "}'"


def unscored_comments_sql(platforms: Sequence[str], text_of: dict[str, str]) -> str:
    """The comments of the platforms' raw tables not yet in the scores table, one row each
    (its earliest landed record: an edited comment keeps its first text)."""
    selects = [
        f"SELECT '{platform}:' || record_key AS comment_key, '{platform}' AS platform, "
        f"{text_of[platform]} AS text, dt, extracted_at FROM raw.{platform}_comments"
        for platform in platforms
    ]
    return (
        "SELECT DISTINCT ON (comment_key) comment_key, platform, text "
        f"FROM ({' UNION ALL '.join(selects)}) AS comments "
        f"WHERE NOT EXISTS (SELECT 1 FROM {SCORES_TABLE} AS scores "
        "WHERE scores.comment_key = comments.comment_key) "
        "ORDER BY comment_key, dt, extracted_at"
    )


def score_rows(comments: Sequence[CommentText], scored_at: datetime) -> Iterator[ScoreRow]:
    """The score rows of the comments, scored in batches."""
    for start in range(0, len(comments), BATCH_SIZE):
        batch = comments[start : start + BATCH_SIZE]
        for comment, score in zip(batch, score_comments(c.text for c in batch), strict=True):
            yield ScoreRow(
                comment.comment_key,
                comment.platform,
                score.language,
                score.compound,
                score.unscored_reason,
                scored_at,
                MODEL,
            )


def score_new_comments(settings: Settings | None = None) -> int:
    """Score every landed comment not scored yet, on the configured target; return how many
    were scored (0 when no comment table exists yet)."""
    settings = settings or get_settings()
    if settings.dbt_target == "postgres":
        return _score_postgres()
    with connect_warehouse(settings) as con:
        return _score_duckdb(con)


def _comment_platforms(existing_tables: set[str]) -> list[str]:
    return [p for p in _TEXT_PATH if f"{p}_comments" in existing_tables]


def _score_duckdb(con: duckdb.DuckDBPyConnection) -> int:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(f"CREATE TABLE IF NOT EXISTS {SCORES_TABLE} ({_DUCKDB_COLUMNS})")
    tables = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_catalog = current_database() AND table_schema = 'raw'"
        ).fetchall()
    }
    platforms = _comment_platforms(tables)
    if not platforms:
        return 0
    text_of = {p: _duckdb_text(p) for p in platforms}
    comments = [
        CommentText(*row)
        for row in con.execute(unscored_comments_sql(platforms, text_of)).fetchall()
    ]
    rows = list(score_rows(comments, datetime.now(UTC)))
    if rows:
        _append_duckdb(con, rows)
    log.info("scored %d new comments", len(rows))
    return len(rows)


def _append_duckdb(con: duckdb.DuckDBPyConnection, rows: list[ScoreRow]) -> None:
    import pyarrow as pa

    # One columnar insert: executemany is a round trip per row, minutes for a long backlog.
    new_scores = pa.Table.from_pylist([row._asdict() for row in rows])
    con.register("new_scores", new_scores)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            f"INSERT INTO {SCORES_TABLE} SELECT {', '.join(ScoreRow._fields)} FROM new_scores"
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("new_scores")


def _score_postgres() -> int:
    con = connect_postgres()
    try:
        return _score_on_postgres(con)
    finally:
        con.close()


def _score_on_postgres(con: PgConnection) -> int:
    from psycopg2.extras import execute_values

    with con, con.cursor() as cur:  # one transaction: the table, the read and the append
        cur.execute("CREATE SCHEMA IF NOT EXISTS raw")
        cur.execute(f"CREATE TABLE IF NOT EXISTS {SCORES_TABLE} ({_POSTGRES_COLUMNS})")
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'")
        platforms = _comment_platforms({row[0] for row in cur.fetchall()})
        if not platforms:
            return 0
        text_of = {p: _postgres_text(p) for p in platforms}
        cur.execute(unscored_comments_sql(platforms, text_of))
        comments = [CommentText(*row) for row in cur.fetchall()]
        rows = list(score_rows(comments, datetime.now(UTC)))
        execute_values(
            cur, f"INSERT INTO {SCORES_TABLE} ({', '.join(ScoreRow._fields)}) VALUES %s", rows
        )
    log.info("scored %d new comments in Postgres", len(rows))
    return len(rows)
