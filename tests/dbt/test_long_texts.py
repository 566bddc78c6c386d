"""Captions of realistic length build at the default memory limit (issue 17, item 8).

YouTube descriptions of 4,500 characters and captions of 2,200 (inside the platforms' limits)
made `int_post_metric_snapshots` run out of memory at the default 1 GB DuckDB limit: the model
read each post's title and description from every daily snapshot, beside the metrics. Texts
are now read once per post, from its latest version (`int_post_texts`).

The world (tests/dbt/long_text_world.py) is the smallest found that reproduces the failure on
this 2-core machine: 126,225 YouTube snapshots of 165 channels over 40 days (about 10 KB of JSON
each), plus Instagram and TikTok accounts with captions of 2,200 characters. On the models
before the fix, `dbt build` failed in int_post_metric_snapshots with "Out of Memory Error:
failed to allocate data of size 16.0 MiB (957.0 MiB/953.6 MiB used)"; 99,825 YouTube snapshots
still passed. What DuckDB needs for such a scan grows with the JSON fields read per row, the
size of each payload and the row groups scanned in parallel (two threads here; 126,225 rows make
two row groups of the raw table), not with the history's length, so this world is the scale
model of any longer one. Data tests are left out (they read one or two fields each, and would
only add minutes): the models are what ran out of memory.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from core.config import Settings
from tests.dbt.long_text_world import (
    CAPTION_CHARS,
    YOUTUBE_DESCRIPTION_CHARS,
    LongTextWorld,
    load_long_text_world,
)
from tests.dbt.test_dbt_build import dbt_env, run_dbt

WORLD = LongTextWorld(youtube_accounts=165, caption_accounts=16, days=40)
TEXT_CHARS = {
    "youtube": YOUTUBE_DESCRIPTION_CHARS,
    "instagram": CAPTION_CHARS,
    "tiktok": CAPTION_CHARS,
}


def test_maximum_length_texts_build_at_the_default_memory_limit(tmp_path: Path) -> None:
    warehouse = tmp_path / "irm.duckdb"  # the pipeline's name: dbt reuses the parse (parse_once.py)
    load_long_text_world(warehouse, WORLD)
    # the default, whatever this session's environment says
    env = dbt_env(
        IRM_WAREHOUSE_PATH=str(warehouse), IRM_DUCKDB_MEMORY_LIMIT=Settings.duckdb_memory_limit
    )
    assert env["IRM_DUCKDB_MEMORY_LIMIT"] == "1GB"

    run_dbt(["build", "--exclude", "test_type:data", "test_type:unit"], env, tmp_path, "duckdb")

    with duckdb.connect(str(warehouse), read_only=True) as con:
        snapshots = dict(
            con.execute(
                "select platform, count(*) from intermediate.int_post_metric_snapshots"
                " group by platform"
            ).fetchall()
        )
        posts = {
            row[0]: row[1:]
            for row in con.execute(
                "select platform, count(*), min(length(caption)), max(length(caption)),"
                " count(contract_id), count_if(disclosure_status = 'disclosed')"
                " from marts.fct_post group by platform"
            ).fetchall()
        }
    for platform, chars in TEXT_CHARS.items():
        assert snapshots[platform] == WORLD.snapshots(platform), platform
        tied = WORLD.tied_posts(platform)
        # every post arrives with its whole text; a tracking hashtag that ends a full-length
        # text still ties the post, and its #ad at the top discloses it
        assert posts[platform] == (WORLD.posts(platform), chars, chars, tied, tied), platform
