"""Score the landed comments, and the posts listening found, once each (SPEC 5.5, issue 20).

Two tables, one step:

- `raw.comment_scores`: the comments of `raw.youtube_comments` and `raw.tiktok_comments`, keyed
  `<platform>:<comment id>` (the id fct_comment carries). They feed the roster's audience
  sentiment.
- `raw.mention_scores`: the text of each post listening found, keyed `<platform>:<post id>` (the
  post_id of int_listening_posts): a YouTube video's title and description
  (`raw.youtube_found_videos`), a TikTok video's description (`raw.tiktok_query_videos`), an
  Instagram caption (`raw.instagram_hashtag_media`). The post's own text is scored, not the
  comments under it: comments are fetched for the roster's posts only, so almost every mention
  has none, and a mention's sentiment is what its author wrote (what listening tools report).
  They feed the net sentiment of mart_brand_mentions and mart_share_of_voice.

Where and why: SQL cannot run VADER (warehouse/sentiment.py), and scoring inside the loader would
tie every load to the model. So a task of its own, `score_comments`, runs between the load and
the dbt build (dags/irm_transform.py, in the one-slot warehouse pool, as every writer): for each
scores table it reads the texts of its raw tables whose key is not in it yet, scores them in
batches and appends the scores in one transaction.

- Incremental: a text is scored once. A comment's or a post's text does not change (an edited
  YouTube comment, a re-edited caption keep the score of the first text scored: the one of the
  earliest landed record), so a later snapshot of it costs nothing, and a post found by several
  terms or on several days is one row.
- The tables hold the compound score, not the label: dbt labels it with the vars
  `sentiment_positive_threshold` / `sentiment_negative_threshold`, so a change of threshold
  needs no rescoring. An unscored text has a NULL compound and a reason.
- A raw table that does not exist yet (nothing landed) is nothing to score; the scores tables
  are created either way, so dbt always finds them.
- Both targets: DuckDB, or Postgres when IRM_DBT_TARGET=postgres (where warehouse/load.py writes
  the raw schema).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NamedTuple

import duckdb

from core.config import Settings, get_settings
from core.db import connect_postgres, connect_warehouse
from warehouse.sentiment import score_comments

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as PgCursor

log = logging.getLogger(__name__)

# The scorer as stored with each score: a new model version is told apart from old scores.
MODEL = "vader-3.3.2"
# The analyzer is built once per process; batches bound the memory a long backlog takes.
BATCH_SIZE = 2_000

JsonPath = tuple[str, ...]


class TextSource(NamedTuple):
    """A raw table whose records hold a text to score."""

    table: str  # in the raw schema
    platform: str
    key_sql: str  # the score key from the record, `<platform>:<id>`, valid on both databases
    # Where the text is in the payload; several parts are joined by a new line (NULLs skipped).
    text_paths: tuple[JsonPath, ...]


class ScoresTable(NamedTuple):
    """A table of scores and the raw tables whose texts it scores."""

    table: str
    key_column: str
    sources: tuple[TextSource, ...]
    what: str  # what a row is, for the log


COMMENT_SCORES = ScoresTable(
    "raw.comment_scores",
    "comment_key",
    (
        TextSource(
            "youtube_comments",
            "youtube",
            "'youtube:' || record_key",
            (("snippet", "topLevelComment", "snippet", "textOriginal"),),
        ),
        TextSource("tiktok_comments", "tiktok", "'tiktok:' || record_key", (("text",),)),
    ),
    "comments",
)
# A term's find is keyed `<term>:<id>` (a term holds no ':'); the post is the id alone, so that a
# post found by several terms is scored once.
MENTION_SCORES = ScoresTable(
    "raw.mention_scores",
    "post_key",
    (
        TextSource(
            "youtube_found_videos",
            "youtube",
            "'youtube:' || record_key",
            (("snippet", "title"), ("snippet", "description")),
        ),
        TextSource(
            "tiktok_query_videos",
            "tiktok",
            "'tiktok:' || split_part(record_key, ':', 2)",
            (("video_description",),),
        ),
        TextSource(
            "instagram_hashtag_media",
            "instagram",
            "'instagram:' || split_part(record_key, ':', 2)",
            (("caption",),),
        ),
    ),
    "listened posts",
)
SCORES_TABLES = (COMMENT_SCORES, MENTION_SCORES)


class Dialect(NamedTuple):
    """What differs between DuckDB and Postgres here: column types and reading JSON."""

    text: str
    double: str
    timestamp: str
    json_text: Callable[[JsonPath], str]


DUCKDB = Dialect("VARCHAR", "DOUBLE", "TIMESTAMPTZ", lambda p: f"payload->>'$.{'.'.join(p)}'")
POSTGRES = Dialect(
    "text", "double precision", "timestamptz", lambda p: f"payload #>> '{{{','.join(p)}}}'"
)


class TextToScore(NamedTuple):
    score_key: str
    platform: str
    text: str | None


class ScoreRow(NamedTuple):
    score_key: str
    platform: str
    language: str | None
    compound: float | None
    unscored_reason: str | None
    scored_at: datetime
    model: str


def create_table_sql(scores: ScoresTable, dialect: Dialect) -> str:
    return (
        f"CREATE TABLE IF NOT EXISTS {scores.table} ("
        f"{scores.key_column} {dialect.text} PRIMARY KEY, platform {dialect.text} NOT NULL, "
        f"language {dialect.text}, compound {dialect.double}, unscored_reason {dialect.text}, "
        f"scored_at {dialect.timestamp} NOT NULL, model {dialect.text} NOT NULL)"
    )


def insert_columns(scores: ScoresTable) -> str:
    """The scores table's columns in ScoreRow's order."""
    return ", ".join((scores.key_column, *ScoreRow._fields[1:]))


def text_sql(source: TextSource, dialect: Dialect) -> str:
    parts = [dialect.json_text(path) for path in source.text_paths]
    if len(parts) == 1:
        return parts[0]
    return f"concat_ws(chr(10), {', '.join(parts)})"


def unscored_texts_sql(scores: ScoresTable, sources: Sequence[TextSource], dialect: Dialect) -> str:
    """The texts of the sources not yet in the scores table, one row per key: its earliest
    landed record (an edited comment keeps its first text; a post found again is not new)."""
    selects = [
        f"SELECT {source.key_sql} AS score_key, '{source.platform}' AS platform, "
        f"{text_sql(source, dialect)} AS text, dt, extracted_at FROM raw.{source.table}"
        for source in sources
    ]
    return (
        "SELECT DISTINCT ON (score_key) score_key, platform, text "
        f"FROM ({' UNION ALL '.join(selects)}) AS texts "
        f"WHERE NOT EXISTS (SELECT 1 FROM {scores.table} AS scores "
        f"WHERE scores.{scores.key_column} = texts.score_key) "
        "ORDER BY score_key, dt, extracted_at"
    )


def landed_sources(scores: ScoresTable, raw_tables: set[str]) -> list[TextSource]:
    """The sources whose raw table exists: one that does not has nothing to score."""
    return [source for source in scores.sources if source.table in raw_tables]


def score_rows(texts: Sequence[TextToScore], scored_at: datetime) -> Iterator[ScoreRow]:
    """The score rows of the texts, scored in batches."""
    for start in range(0, len(texts), BATCH_SIZE):
        batch = texts[start : start + BATCH_SIZE]
        for item, score in zip(batch, score_comments(t.text for t in batch), strict=True):
            yield ScoreRow(
                item.score_key,
                item.platform,
                score.language,
                score.compound,
                score.unscored_reason,
                scored_at,
                MODEL,
            )


def score_new_comments(settings: Settings | None = None) -> int:
    """Score every landed comment and every listened post not scored yet, on the configured
    target; return how many texts were scored in all (0 when nothing landed yet)."""
    settings = settings or get_settings()
    if settings.dbt_target == "postgres":
        return _score_postgres()
    with connect_warehouse(settings) as con:
        return _score_duckdb(con)


def _score_duckdb(con: duckdb.DuckDBPyConnection) -> int:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    raw_tables = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_catalog = current_database() AND table_schema = 'raw'"
        ).fetchall()
    }
    return sum(_score_table_duckdb(con, scores, raw_tables) for scores in SCORES_TABLES)


def _score_table_duckdb(
    con: duckdb.DuckDBPyConnection, scores: ScoresTable, raw_tables: set[str]
) -> int:
    con.execute(create_table_sql(scores, DUCKDB))
    sources = landed_sources(scores, raw_tables)
    if not sources:
        return 0
    query = unscored_texts_sql(scores, sources, DUCKDB)
    texts = [TextToScore(*row) for row in con.execute(query).fetchall()]
    rows = list(score_rows(texts, datetime.now(UTC)))
    if rows:
        _append_duckdb(con, scores, rows)
    log.info("scored %d new %s", len(rows), scores.what)
    return len(rows)


def _append_duckdb(
    con: duckdb.DuckDBPyConnection, scores: ScoresTable, rows: list[ScoreRow]
) -> None:
    import pyarrow as pa

    # One columnar insert: executemany is a round trip per row, minutes for a long backlog.
    new_scores = pa.Table.from_pylist([row._asdict() for row in rows])
    con.register("new_scores", new_scores)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            f"INSERT INTO {scores.table} ({insert_columns(scores)}) "
            f"SELECT {', '.join(ScoreRow._fields)} FROM new_scores"
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
        with con, con.cursor() as cur:  # one transaction: the tables, the reads and the appends
            cur.execute("CREATE SCHEMA IF NOT EXISTS raw")
            cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'"
            )
            raw_tables = {row[0] for row in cur.fetchall()}
            return sum(_score_table_postgres(cur, scores, raw_tables) for scores in SCORES_TABLES)
    finally:
        con.close()


def _score_table_postgres(cur: PgCursor, scores: ScoresTable, raw_tables: set[str]) -> int:
    from psycopg2.extras import execute_values

    cur.execute(create_table_sql(scores, POSTGRES))
    sources = landed_sources(scores, raw_tables)
    if not sources:
        return 0
    cur.execute(unscored_texts_sql(scores, sources, POSTGRES))
    texts = [TextToScore(*row) for row in cur.fetchall()]
    rows = list(score_rows(texts, datetime.now(UTC)))
    if rows:
        execute_values(
            cur, f"INSERT INTO {scores.table} ({insert_columns(scores)}) VALUES %s", rows
        )
    log.info("scored %d new %s in Postgres", len(rows), scores.what)
    return len(rows)
