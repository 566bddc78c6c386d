"""What the benchmark measures besides stage times: rows per table, the floor and its agreement
with dbt's marts, API calls against the minimum, and DAG parse times."""

from __future__ import annotations

import json
import math
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import yaml

from core.config import get_settings

REPO = Path(__file__).resolve().parent.parent
FLOOR_SQL = Path(__file__).with_name("floor.sql")
DBT_PROJECT_FILE = REPO / "dbt_project" / "dbt_project.yml"
FLOOR_TABLES = ("floor_post_engagement", "floor_creator_engagement", "floor_campaign_roi")


def table_rows(warehouse: Path) -> dict[str, int]:
    """Rows of every table and view in the warehouse, by schema.table."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('raw', 'staging', 'intermediate', 'marts') ORDER BY 1, 2"
        ).fetchall()
        return {
            f"{s}.{t}": con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0]
            for s, t in names
        }
    finally:
        con.close()


def floor_sql(landing: Path, seeds: Path) -> str:
    """floor.sql with the benchmark's own folders and the dbt project's vars substituted as
    text (DuckDB takes no parameters in DDL): `{var:name}` is the var's value in
    dbt_project.yml, the value the bench's dbt builds use, so the floor cannot drift from it."""
    variables = yaml.safe_load(DBT_PROJECT_FILE.read_text())["vars"]
    sql = FLOOR_SQL.read_text().replace("{landing}", str(landing)).replace("{seeds}", str(seeds))
    return re.sub(r"\{var:(\w+)\}", lambda m: str(variables[m.group(1)]), sql)


def run_floor(landing: Path, seeds: Path, out: Path) -> dict[str, Any]:
    """Run floor.sql into a fresh DuckDB file; returns its time and row counts."""
    sql = floor_sql(landing, seeds)
    out.unlink(missing_ok=True)
    con = duckdb.connect(str(out))
    # The same memory budget as the pipeline's DuckDB (loader and dbt), so the two compare.
    con.execute("SET memory_limit = ?", [get_settings().duckdb_memory_limit])
    started = time.monotonic()
    try:
        con.execute(sql)
        seconds = time.monotonic() - started
        for table in FLOOR_TABLES:  # keep the results for the comparison with dbt's marts
            con.execute(f"CREATE TABLE main.{table}_out AS SELECT * FROM {table}")
        rows = {t: con.execute(f"SELECT count(*) FROM {t}_out").fetchone()[0] for t in FLOOR_TABLES}
    finally:
        con.close()
    return {"seconds": round(seconds, 3), "rows": rows}


# (floor table, mart, join keys, compared columns): the floor must agree with dbt on these.
COMPARISONS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "floor_post_engagement",
        "marts.fct_post",
        ("post_id",),
        ("interactions", "followers_at_post", "engagement_rate"),
    ),
    (
        "floor_creator_engagement",
        "marts.mart_creator_engagement",
        ("account_id", "month"),
        (
            "posts",
            "avg_engagement_rate",
            "median_engagement_rate",
            "tier_median_engagement_rate",
            "engagement_index",
            "percentile_in_tier",
            "peer_accounts",
            "benchmark_engagement_rate",
        ),
    ),
    (
        "floor_campaign_roi",
        "marts.mart_campaign_roi",
        ("campaign_id",),
        (
            "spend_committed_usd",
            "spend_paid_usd",
            "orders",
            "orders_by_code",
            "orders_by_link",
            "revenue_usd",
            "gross_revenue_usd",
            "commission_usd",
            "commission_paid_usd",
            "commission_outstanding_usd",
            "roas",
            "roi",
        ),
    ),
)
RELATIVE_TOLERANCE = 1e-9


def compare_floor(floor_db: Path, warehouse: Path) -> dict[str, Any]:
    """Per mart: rows on each side, keys missing on either side, and per column the number of
    rows whose values differ (NULL vs value, or beyond a 1e-9 relative tolerance)."""
    con = duckdb.connect(str(floor_db), read_only=True)
    con.execute(f"ATTACH '{warehouse}' AS wh (READ_ONLY)")
    try:
        return {mart: _compare_one(con, f, mart, k, c) for f, mart, k, c in COMPARISONS}
    finally:
        con.close()


def _compare_one(
    con: duckdb.DuckDBPyConnection,
    floor: str,
    mart: str,
    keys: Sequence[str],
    columns: Sequence[str],
) -> dict[str, Any]:
    on = " AND ".join(f"f.{k} = m.{k}" for k in keys)
    differs = ", ".join(
        f"count(*) FILTER (WHERE f.{c} IS DISTINCT FROM m.{c} AND NOT coalesce("
        f"abs(f.{c}::double - m.{c}::double) <= {RELATIVE_TOLERANCE} * "
        f"greatest(abs(m.{c}::double), 1e-12), false)) AS {c}"
        for c in columns
    )
    first = keys[0]
    row = con.execute(
        f"SELECT count(f.{first}), count(m.{first}), "
        f"count(*) FILTER (WHERE f.{first} IS NULL), count(*) FILTER (WHERE m.{first} IS NULL), "
        f"{differs} FROM {floor}_out AS f FULL JOIN wh.{mart} AS m ON {on}"
    ).fetchone()
    floor_rows, mart_rows, only_mart, only_floor, *diffs = row
    result = {
        "floor_rows": floor_rows,
        "mart_rows": mart_rows,
        "only_in_mart": only_mart,
        "only_in_floor": only_floor,
        "differing_values": dict(zip(columns, diffs, strict=True)),
    }
    result["agrees"] = only_mart == 0 and only_floor == 0 and not any(diffs)
    return result


# ---- API efficiency ------------------------------------------------------------------------


def api_minimum(world: Any, day: date, rosters: dict[str, list[str]], settings: Any) -> dict:
    """The fewest calls each API allows for one day's refresh of the roster: every account's
    profile and the metrics of every post published in the refresh window (plus the new
    posts), with each API's largest page and batch sizes, and the comment listings of the
    window's posts the day asked (`comment_minimum`)."""
    from extractors.instagram import api as instagram
    from extractors.shop import api as shop
    from extractors.tiktok import api as tiktok
    from extractors.youtube import api as youtube
    from sandbox.world import DAY_S

    d = world.day_index(day)
    end_s = (d + 1) * DAY_S
    since_s = end_s - settings.refresh_window_days * DAY_S

    def window_posts(account: Any) -> tuple[int, bool]:
        published = world.posts(account.index).published_s
        visible = published[published < end_s]
        recent = int((visible >= since_s).sum())
        return recent, bool(len(visible) > recent)

    def pages(recent: int, older: bool, size: int) -> int:
        # newest first: the pages must reach one older post (or the end) to know it is done
        return max(1, math.ceil((recent + (1 if older else 0)) / size))

    minimum: dict[str, dict[str, int]] = {}
    channels = [world.channel(c) for c in rosters.get("youtube", [])]
    channels = [c for c in channels if c is not None]
    counts = [window_posts(c) for c in channels]
    minimum["youtube"] = {
        "accounts": len(channels),
        "calls": math.ceil(len(channels) / youtube.MAX_IDS_PER_CALL)
        + sum(pages(r, o, youtube.MAX_IDS_PER_CALL) for r, o in counts)
        + math.ceil(sum(r for r, _ in counts) / youtube.MAX_IDS_PER_CALL),
    }
    ig = [world.find_handle("instagram", h) for h in rosters.get("instagram", [])]
    ig = [a for a in ig if a is not None]
    minimum["instagram"] = {
        "accounts": len(ig),
        "calls": sum(pages(*window_posts(a), instagram.PAGE_SIZE) for a in ig),
    }
    tt = [world.find_handle("tiktok", h) for h in rosters.get("tiktok", [])]
    tt = [a for a in tt if a is not None]
    # a client token, then per user: user/info and the window's videos, 100 a page
    minimum["tiktok"] = {
        "accounts": len(tt),
        "calls": 1 + sum(1 + max(1, math.ceil(window_posts(a)[0] / tiktok.MAX_COUNT)) for a in tt),
    }
    minimum["shop"] = {"accounts": 0, "calls": 0, "page_size": shop.PAGE_LIMIT}
    for source in ("youtube", "tiktok"):
        minimum[source]["calls"] += comment_minimum(world, day, source, settings)
    for source in ("youtube", "tiktok", "instagram"):
        roster = rosters.get(source, [])
        minimum[source]["calls"] += listening_minimum(world, day, source, roster, settings)
    return minimum


def comment_minimum(world: Any, day: date, source: str, settings: Any) -> int:
    """The fewest comment calls for the posts the day asked (its `comment_fetches` records: a
    quota stop leaves the others for the next day): per post, its listing's pages up to the
    cap (a post with comments off: the one call that answers so), and the call the platform
    refused when its quota stopped the run (TikTok's quota is known only by that refusal)."""
    from collections import defaultdict

    from core.landing import Partition, read_records
    from extractors.comments import page_size
    from sandbox import comments

    part = Partition(settings.landing_dir, source, "comment_fetches", day)
    if not part.exists():
        return 0
    cap, d = settings.comments_per_post, world.day_index(day)
    posts: dict[int, list[int]] = defaultdict(list)
    for record in read_records(part):
        found = world.decode_post_id(source, record["record_key"])
        if found is not None:
            posts[found[0]].append(found[1])
    calls = 0
    for account, indexes in posts.items():
        for listing in comments.account_comments(world, account, d, sorted(indexes)):
            shown = 0 if listing.disabled else min(listing.listed, cap)
            calls += max(1, math.ceil(shown / page_size(cap)))
    refused = source == "tiktok" and part.manifest().get("stopped") is not None
    return calls + int(refused)


def listening_minimum(
    world: Any, day: date, source: str, roster: Sequence[str], settings: Any
) -> int:
    """The fewest listening calls of a day: per term, the pages of what the platform serves
    for it over the day (the posts whose text holds the term, substrings too; at least one
    page): YouTube search.list 50 a page, at most 500 results, within its own bucket; TikTok
    video/query 100 a request; Instagram its hashtag's id, then the day's media carrying the
    hashtag, 50 a page. Then on YouTube videos.list 50 ids a call for the distinct videos
    found (their full text and statistics). Then the authors found off the roster (Instagram's
    media have none): YouTube channels.list 50 ids a call, TikTok user/info one each; and their
    posts of the last 30 days (`candidate_minimum`). YouTube's lookups come after the whole
    search: none when the bucket stopped the day."""
    from extractors.instagram import api as instagram
    from extractors.listening import read_terms
    from extractors.tiktok import api as tiktok
    from extractors.youtube import api as youtube
    from sandbox import listening
    from sandbox.world import DAY_S

    d = world.day_index(day)
    posts = list(listening.platform_posts(world, source, d * DAY_S, (d + 1) * DAY_S))
    texts = [(ref, listening.post_text(ref, source).lower()) for ref in posts]
    youtube_side = source == "youtube"
    page, cap = (youtube.SEARCH_PAGE_SIZE, listening.SEARCH_RESULT_CAP)
    if not youtube_side:
        page, cap = tiktok.MAX_COUNT, len(texts)
    pages, videos = 0, set()
    authors: dict[str, Any] = {}  # how the platform names an author -> a post of theirs
    if source == "instagram":  # per term: its hashtag's id, then its day's media, 50 a page
        size = instagram.PAGE_SIZE
        return sum(
            1 + max(1, math.ceil(sum(term.term in listening.hashtags(t) for _, t in texts) / size))
            for term in read_terms(settings)
        )
    for term in read_terms(settings):
        found = [ref for ref, text in texts if term.term in text][:cap]
        pages += max(1, math.ceil(len(found) / page))
        authors.update((_author(ref, youtube_side), ref) for ref in found)
        if youtube_side:  # the ids videos.list is asked for, each once across the terms
            videos |= {ref.source.video_id(ref.account_index, ref.post_index) for ref in found}
    on_roster = set(roster)
    off_roster = [ref for name, ref in authors.items() if name not in on_roster]
    candidates = candidate_minimum(day, source, off_roster)
    if not youtube_side:
        return pages + len(off_roster) + candidates
    if pages > settings.youtube_daily_search_calls:
        return settings.youtube_daily_search_calls
    video_lookups = math.ceil(len(videos) / youtube.MAX_IDS_PER_CALL)
    channel_lookups = math.ceil(len(off_roster) / youtube.MAX_IDS_PER_CALL)
    return pages + video_lookups + channel_lookups + candidates


def candidate_minimum(day: date, source: str, authors: Sequence[Any]) -> int:
    """The fewest calls for the posts of the last 30 days before the day's end of the authors
    found off the roster (one post of each, a sandbox PostRef: its world and account):
    YouTube per channel its uploads playlist's pages, newest first, 50 a page, far enough to
    reach one older upload (or the end), then videos.list 50 ids a call for all their ids
    together; TikTok per user the video/query requests of the one 30-day window, 100 a
    request (at least one)."""
    from extractors.listening import CANDIDATE_DAYS
    from extractors.tiktok import api as tiktok
    from extractors.youtube import api as youtube
    from sandbox.world import DAY_S

    calls, ids = 0, 0
    for ref in authors:
        end_s = (ref.source.day_index(day) + 1) * DAY_S
        published = ref.source.posts(ref.account_index).published_s
        visible = published[published < end_s]
        recent = int((visible >= end_s - CANDIDATE_DAYS * DAY_S).sum())
        if source == "tiktok":
            calls += max(1, math.ceil(recent / tiktok.MAX_COUNT))
            continue
        older = 1 if len(visible) > recent else 0
        calls += max(1, math.ceil((recent + older) / youtube.PLAYLIST_PAGE_SIZE))
        ids += recent
    return calls + math.ceil(ids / youtube.MAX_IDS_PER_CALL)


def _author(ref: Any, youtube_side: bool) -> str:
    """How the platform names a post's author: a channel id, a TikTok username."""
    account = ref.source.account(ref.account_index)
    return account.platform_id if youtube_side else account.handle


def api_efficiency(
    manifests: dict[str, dict[str, Any]], minimum: dict[str, dict[str, int]]
) -> dict[str, Any]:
    """Calls and quota units the live day spent (from its partition manifests) per account
    refreshed, against the minimum."""
    out: dict[str, Any] = {}
    for source, entities in manifests.items():
        parts = [m for e, m in entities.items() if e != "quarantine" and isinstance(m, dict)]
        calls = sum(m.get("api_calls", 0) for m in parts)
        units = sum(m.get("quota_units", 0) for m in parts)
        least = dict(minimum.get(source, {}))
        if source == "shop":  # one stream of orders: pages of 250 of what the window holds
            records = sum(m.get("record_count", 0) for m in parts)
            least["calls"] = max(1, math.ceil(records / least.pop("page_size")))
        accounts = least.get("accounts") or 0
        out[source] = {
            "accounts": accounts,
            "calls": calls,
            "quota_units": units,
            "minimum_calls": least["calls"],
            "calls_per_account": round(calls / accounts, 3) if accounts else None,
            "minimum_per_account": round(least["calls"] / accounts, 3) if accounts else None,
            "ratio": round(calls / least["calls"], 3) if least["calls"] else None,
        }
    return out


# ---- DAG parse time --------------------------------------------------------------------------


def _parse_times(prelude: str, paths: Sequence[Path], repeats: int, env: dict[str, str]) -> dict:
    """{path: [seconds, ...]}: each DAG file imported `repeats` times, each time in a child
    forked from one fresh interpreter that has run `prelude` (as Airflow's DAG processor forks
    its parsing child): the child starts from exactly what the prelude imported, and the
    prelude (Airflow's import, 3-4 s) is paid once per prelude, not once per import."""
    done = subprocess.run(
        [sys.executable, "-c", _PARSE.format(prelude=prelude), str(repeats), *map(str, paths)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"DAG parse timing failed ({prelude or 'cold'}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


_PARSE = """
import importlib.util, json, os, sys, time
{prelude}


def parse_in_a_child(path):
    sys.stdout.flush()
    sys.stderr.flush()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        started = time.perf_counter()
        spec = importlib.util.spec_from_file_location("dag_under_test", path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except BaseException:
            import traceback
            traceback.print_exc()
            sys.stderr.flush()
            os._exit(1)
        os.write(write, repr(time.perf_counter() - started).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        seconds = pipe.read()
    if os.waitpid(pid, 0)[1] != 0:
        sys.exit(path + ": the import failed (above)")
    return float(seconds)


repeats, paths = int(sys.argv[1]), sys.argv[2:]
print(json.dumps({{p: [parse_in_a_child(p) for _ in range(repeats)] for p in paths}}))
"""


def dag_parse_times(env: dict[str, str], repeats: int = 3) -> dict[str, dict[str, float]]:
    """Each DAG file's import time, the median of `repeats` imports, each in a child forked
    from an interpreter that has imported only the prelude (_parse_times).

    `warm` (the goal's measure): with `airflow.dag_processing.processor` already imported, as in
    Airflow's DAG processor, whose parsing child is forked from a process that has imported it
    (and with it Airflow's models); `sdk`: with only `airflow.sdk` imported; `cold`: nothing
    imported beforehand."""
    preludes = {
        "warm": "import airflow.dag_processing.processor",
        "sdk": "import airflow.sdk",
        "cold": "",
    }
    paths = sorted((REPO / "dags").glob("*.py"))
    results: dict[str, dict[str, float]] = {path.name: {} for path in paths}
    for label, prelude in preludes.items():
        for path, runs in _parse_times(prelude, paths, repeats, env).items():
            results[Path(path).name][label] = round(statistics.median(runs), 3)
    return results
