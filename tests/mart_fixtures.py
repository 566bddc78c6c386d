"""Marts made by hand for the quality and serving tests, with the tables their dbt contract makes.

`create_marts` creates each mart with exactly the columns and data types of its contract, read
from the dbt manifest (warehouse/mart_contract.py): no test writes a mart's columns again. The
rows are inserted by column name, so a column the contract renames or drops fails every test
built on these marts, and a column it adds is there (NULL unless a test fills it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.config import get_settings
from core.db import quote_ident
from warehouse.mart_contract import MARTS, Mart, read_marts


def mart_ddl(mart: Mart) -> str:
    """CREATE TABLE of a mart as its contract states it (names and types, no constraints: the
    checks must be able to catch what the constraints would refuse)."""
    columns = ", ".join(f"{quote_ident(c.name)} {c.data_type}" for c in mart.columns)
    return f"CREATE TABLE {MARTS}.{quote_ident(mart.name)} ({columns})"


def contract_marts() -> tuple[str, ...]:
    """Every mart of the dbt manifest: what a complete build makes and publishes."""
    return tuple(read_marts(get_settings()))


def create_marts(con: duckdb.DuckDBPyConnection, only: Iterable[str] | None = None) -> None:
    """Create every mart of the contract (or the named ones) in the `marts` schema."""
    marts = read_marts(get_settings())
    names = list(marts) if only is None else list(only)
    unknown = [n for n in names if n not in marts]
    if unknown:
        raise KeyError(f"no mart {unknown} in the dbt manifest")
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {MARTS}")
    for name in names:
        con.execute(mart_ddl(marts[name]))


@dataclass(frozen=True)
class MartRows:
    """Marts created from their contract, then filled with `sql` (inserts naming columns).
    `marts` None: every mart of the contract the connection does not hold yet."""

    marts: tuple[str, ...] | None
    sql: str

    def __call__(self, con: duckdb.DuckDBPyConnection) -> None:
        present = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [MARTS]
            ).fetchall()
        }
        missing = [m for m in contract_marts() if m not in present]
        create_marts(con, missing if self.marts is None else self.marts)
        con.execute(self.sql)


Change = str | Callable[[duckdb.DuckDBPyConnection], None]


def build_warehouse(path: Path, *changes: Change) -> Path:
    """A warehouse file with a `marts` schema, `changes` applied in order: SQL is run, a
    callable (such as MartRows) is called with the connection."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute(f"CREATE SCHEMA {MARTS}")
        for change in changes:
            if callable(change):
                change(con)
            else:
                con.execute(change)
    return path


DIM_CREATOR_ACCOUNT_ROWS = """
INSERT INTO marts.dim_creator_account BY NAME
SELECT *, split_part(account_id, ':', 2) AS platform_account_id,
       DATE '2026-01-01' AS first_snapshot_date, DATE '2026-02-05' AS last_snapshot_date
FROM (VALUES
 ('youtube:c1', 'cr1', 'youtube', '@one', 5100, 12, 80, 'micro', '2026-02-05 00:00:00+00'),
 ('instagram:a2', 'cr2', 'instagram', 'two', 800, 300, 45, 'nano', '2026-02-05 00:00:00+00'),
 ('tiktok:k3', 'cr3', 'tiktok', 'three', 150100, 5, 410, 'macro', '2026-02-05 00:00:00+00')
) AS a(account_id, creator_id, platform, handle, followers, following, posts_count, tier,
       last_refreshed_at);
"""

FCT_POST_ROWS = """
INSERT INTO marts.fct_post BY NAME
SELECT *, split_part(post_id, ':', 2) AS platform_post_id,
       left(published_at, 10)::DATE AS published_date,
       DATE '2026-02-05' AS metrics_snapshot_date
FROM (VALUES
 ('youtube:v1', 'youtube:c1', 'cr1', 'youtube', '2026-02-01 10:00:00+00', 'video',
  120, 10, NULL, NULL, 4000, 130, 5000, 0.026, 0.0325, NULL, false, 'not_sponsored', 40.30),
 ('youtube:v2', 'youtube:c1', 'cr1', 'youtube', '2026-02-03 10:00:00+00', 'short',
  300, 25, NULL, NULL, 9000, 325, 5100, 0.0637, 0.0361, 'camp1', true, 'disclosed', 92.50),
 ('instagram:p1', 'instagram:a2', 'cr2', 'instagram', '2026-02-02 18:30:00+00', 'reel',
  NULL, 4, NULL, NULL, NULL, 4, 800, 0.005, NULL, NULL, false, 'not_sponsored', 0.10),
 ('tiktok:t1', 'tiktok:k3', 'cr3', 'tiktok', '2026-02-04 08:00:00+00', 'video',
  2500, 90, 40, NULL, 60000, 2630, 150000, 0.0175, 0.0438, 'camp1', true, 'weak_disclosure',
  385.00),
 ('tiktok:t2', 'tiktok:k3', 'cr3', 'tiktok', '2026-02-05 08:00:00+00', 'video',
  0, 0, 0, NULL, 0, 0, 150100, 0.0, NULL, NULL, false, 'not_sponsored', 0.00)
) AS p(post_id, account_id, creator_id, platform, published_at, post_type, likes, comments,
       shares, saves, views, interactions, followers_at_post, engagement_rate,
       engagement_rate_views, campaign_id, is_sponsored, disclosure_status, emv_usd);
"""

# The two marts every installation builds (the partial render's), with a few posts.
ACCOUNTS_AND_POSTS = MartRows(
    ("dim_creator_account", "fct_post"), DIM_CREATOR_ACCOUNT_ROWS + FCT_POST_ROWS
)
