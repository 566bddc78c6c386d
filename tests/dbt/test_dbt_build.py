"""Builds the dbt project on a small hand-made raw world and checks every mart.

The raw world is tests/dbt/fixture_world.py (YouTube, Instagram, TikTok, shop orders, the five
CRM exports, quarantine rows; two quarantine tables are left out on purpose). Expected values
are computed by hand in the comments below.

- DuckDB (the default target): one module-scoped `dbt build` (models, data tests, unit tests)
  shared by the mart assertions, plus `dbt docs generate`.
- Incremental = full refresh: a copy of that warehouse is rebuilt without changes (idempotent),
  then a fourth day of raw data is appended and built incrementally; every model must equal
  what `--full-refresh` gives.
- PostgreSQL (second target): the same build and assertions in a throwaway database when a
  server answers at IRM_PG_HOST:IRM_PG_PORT (default 127.0.0.1:5432); skipped otherwise.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from irm.dbt_build import DBT_GLOBAL_FLAGS, DBT_TEST_SCOPE_ENV
from tests.dbt import parse_once as parse_once_
from tests.dbt.fixture_world import (
    COMMENT_SCORES,
    COMMENT_SCORES_COLUMNS,
    IG_ANA_ID,
    RAW_TABLES,
    TT_BIG_1,
    TT_BIG_2,
    TT_COMMENT_1,
    TT_COMMENT_2,
    TT_COMMENT_3,
    raw_rows,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT_DIR = REPO_ROOT / "dbt_project"

ALL_MARTS = {
    "dim_creator",
    "dim_creator_account",
    "fct_post",
    "fct_account_daily",
    "mart_creator_engagement",
    "mart_creator_growth",
    "mart_campaign_roi",
    "mart_campaign_creator_roi",
    "mart_quality_flags",
    "mart_relationship_health",
    "mart_creator_scorecard",
    "fct_comment",
    "mart_post_sentiment",
    "mart_creator_sentiment",
    "mart_brand_mentions",
    "mart_share_of_voice",
    "mart_discovery_candidates",
}
IG = f"instagram:{IG_ANA_ID}"
M1, M2, M3 = (f"instagram:1790000000000000{i}" for i in (1, 2, 3))
T1, T2 = f"tiktok:{TT_BIG_1}", f"tiktok:{TT_BIG_2}"


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


def dbt_command(
    args: list[str],
    env: dict[str, str],
    work: Path,
    target: str,
    *,
    artifacts: bool = False,
    parse_once: bool = True,
) -> subprocess.CompletedProcess:
    """Run one dbt command with its own target and log folders.

    Without `artifacts` the command skips dbt's JSON artifacts, as the transform does
    (irm.dbt_build.DBT_GLOBAL_FLAGS): manifest.json, written twice per command, and
    run_results.json cost about 2 s of each command here. A test that reads them asks.
    With `parse_once` (DuckDB) the command reaches the warehouse through this process's link
    and starts from an earlier command's parse (tests/dbt/parse_once.py)."""
    target_dir = work / "target"
    if parse_once and target == "duckdb":
        warehouse = parse_once_.linked_warehouse(Path(env["IRM_WAREHOUSE_PATH"]))
        env = {**env, "IRM_WAREHOUSE_PATH": str(warehouse)}
        parse_once_.start_from_earlier_parse(args, env, target, target_dir)
    command = [
        _dbt_executable(),
        *(() if artifacts else DBT_GLOBAL_FLAGS),
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target",
        target,
        "--target-path",
        str(target_dir),
        "--log-path",
        str(work / "logs"),
    ]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    if parse_once and target == "duckdb" and done.returncode == 0:
        parse_once_.keep_parse(args, env, target, target_dir)
    return done


def run_dbt(
    args: list[str], env: dict[str, str], work: Path, target: str, **options: bool
) -> float:
    """Run one dbt command that must succeed (`options`: dbt_command's); return its wall time."""
    started = time.perf_counter()
    result = dbt_command(args, env, work, target, **options)
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, (
        f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout[-20000:]}\n"
        f"{result.stderr[-5000:]}"
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


def rows_by_key(query: Query, sql: str) -> dict:
    """{first column: {column: value}} for a query (column names from the SELECT list)."""
    columns = [c.strip().split()[-1] for c in sql.split(" from ")[0][len("select ") :].split(",")]
    return {row[0]: dict(zip(columns, row, strict=True)) for row in query(sql)}


def check_accounts_and_posts(query: Query) -> None:
    accounts = {
        row[0]: row[1:]
        for row in query(
            "select account_id, creator_id, platform, handle, followers, following,"
            " posts_count, tier from marts.dim_creator_account"
        )
    }
    assert accounts == {
        "youtube:UCalpha": ("cr_001", "youtube", "@alpha", 1500, None, 12, "micro"),
        # hidden subscribers; the channel left cr_002's row in the latest CRM export
        "youtube:UCbeta": (None, "youtube", "@beta", None, None, 41, None),
        "youtube:UCgamma": ("cr_004", "youtube", "@gamma", 255000, None, 301, "macro"),
        # claimed in the CRM as "@IG_Ana": username compared lower-case without '@'
        IG: ("cr_001", "instagram", "ig_ana", 4700, 300, 120, "micro"),
        "tiktok:tt_bo": ("cr_004", "tiktok", "tt_bo", 20300, 50, 80, "mid-tier"),
        # landed under the roster's "@TT_Quiet": the same account as the CRM's tt_quiet
        "tiktok:tt_quiet": ("cr_005", "tiktok", "tt_quiet", 801, 10, 12, "nano"),
    }

    posts = rows_by_key(
        query,
        "select post_id, account_id, creator_id, post_type, likes, comments, shares, views,"
        " interactions, followers_at_post, engagement_rate, engagement_rate_views, campaign_id,"
        " contract_id, is_sponsored, disclosure_status, emv_usd, platform_post_id"
        " from marts.fct_post",
    )
    assert set(posts) == {
        "youtube:va1", "youtube:va2", "youtube:vb1", "youtube:vg1", "youtube:vg2",
        M1, M2, M3, T1, T2, "tiktok:7000000000000000001",
    }  # fmt: skip

    # va1: latest metrics 100 likes + 20 comments = 120; followers on day 1 = 1000;
    # tied to k1 by #AcmeSpring, #ad within the first 125 characters
    va1 = posts["youtube:va1"]
    assert (va1["likes"], va1["comments"], va1["views"], va1["shares"]) == (100, 20, 1000, None)
    assert (va1["interactions"], va1["followers_at_post"]) == (120, 1000)
    assert va1["engagement_rate"] == pytest.approx(0.12)
    assert va1["engagement_rate_views"] == pytest.approx(0.12)
    assert (va1["campaign_id"], va1["contract_id"], va1["is_sponsored"]) == ("C1", "k1", True)
    assert va1["disclosure_status"] == "disclosed"
    assert Decimal(va1["emv_usd"]) == Decimal("32.00")  # 1000 / 1000 * 20 + 120 * 0.10, in cents

    # va2: likes hidden -> no interactions, no rates; EMV from views only (300/1000*20 = 6);
    # tied by the promo code ALPHA10, only #sp: weak disclosure
    va2 = posts["youtube:va2"]
    assert (va2["likes"], va2["interactions"], va2["engagement_rate"]) == (None, None, None)
    assert Decimal(va2["emv_usd"]) == Decimal("6.00")
    assert (va2["campaign_id"], va2["disclosure_status"]) == ("C1", "weak_disclosure")

    # vb1: the channel hides subscribers and nobody claims it
    vb1 = posts["youtube:vb1"]
    assert (vb1["creator_id"], vb1["followers_at_post"], vb1["engagement_rate"]) == (
        None,
        None,
        None,
    )
    assert vb1["engagement_rate_views"] == pytest.approx(230 / 5000)

    # vg1: before the channel's first snapshot -> the earliest later one (250000)
    assert posts["youtube:vg1"]["followers_at_post"] == 250000
    assert posts["youtube:vg1"]["engagement_rate"] == pytest.approx(5500 / 250000)
    # vg2: comments disabled -> interactions = likes
    assert (posts["youtube:vg2"]["comments"], posts["youtube:vg2"]["interactions"]) == (None, 100)

    # Instagram: a like count of 0 is a hidden one; business_discovery has no views
    m1, m2, m3 = posts[M1], posts[M2], posts[M3]
    assert m1["account_id"] == IG and m1["post_type"] == "image"
    assert (m1["likes"], m1["comments"], m1["interactions"]) == (None, 12, None)
    assert m1["emv_usd"] is None
    # m2: 300 + 20 = 320 over 5000 followers (day-1 snapshot, same UTC date) = 0.064;
    # tied to k1 by @acme, no disclosure at all; EMV 320 * 0.05 = 16
    assert (m2["post_type"], m2["views"], m2["interactions"]) == ("reel", None, 320)
    assert m2["engagement_rate"] == pytest.approx(0.064)
    assert (m2["campaign_id"], m2["disclosure_status"]) == ("C1", "undisclosed")
    assert Decimal(m2["emv_usd"]) == Decimal("16.00")
    # m3: published before tracking began: earliest later snapshot (5000); 105 / 5000
    assert (m3["post_type"], m3["followers_at_post"]) == ("carousel", 5000)
    assert m3["engagement_rate"] == pytest.approx(0.021)
    assert (m3["is_sponsored"], m3["disclosure_status"]) == (False, "not_sponsored")

    # TikTok: int64 ids above 2**53 stay exact and distinct
    t1, t2 = posts[T1], posts[T2]
    assert (t1["platform_post_id"], t2["platform_post_id"]) == (str(TT_BIG_1), str(TT_BIG_2))
    # 400 + 30 + 20 = 450; followers 20000 (earliest later); views 5000
    assert (t1["interactions"], t1["followers_at_post"]) == (450, 20000)
    assert t1["engagement_rate"] == pytest.approx(0.0225)
    assert t1["engagement_rate_views"] == pytest.approx(0.09)
    # tied to k2 by its promo code; #acmepartner (= #<brand>partner) is a clear disclosure
    assert (t1["contract_id"], t1["disclosure_status"]) == ("k2", "disclosed")
    assert Decimal(t1["emv_usd"]) == Decimal("46.00")  # 5000 / 1000 * 6.5 + 450 * 0.03
    # t2 published 2026-03-02: that day's snapshot (20100)
    assert t2["followers_at_post"] == 20100 and t2["campaign_id"] is None


def check_creators(query: Query) -> None:
    creators = {
        row[0]: row[1:]
        for row in query(
            "select creator_id, tier, primary_platform, status, first_partnered_on, accounts,"
            " total_followers from marts.dim_creator"
        )
    }
    assert creators == {
        # largest account: Instagram 4700 > YouTube 1500; partnered_on beats the signature
        "cr_001": ("micro", "instagram", "active", date(2025, 1, 15), 2, 6200),
        "cr_002": (None, None, "paused", None, 0, None),
        # YouTube 255000 + TikTok 20300
        "cr_004": ("macro", "youtube", "active", date(2026, 2, 1), 2, 275300),
        "cr_005": ("nano", "tiktok", "active", date(2025, 6, 1), 1, 801),
    }


def check_daily_growth_engagement(query: Query) -> None:
    daily = {
        (r[0], r[1].isoformat()): r[2:]
        for r in query(
            "select account_id, date, followers, followers_delta, posts_published, has_snapshot"
            " from marts.fct_account_daily"
        )
    }
    # UCgamma is first snapshotted on day 2; 6 accounts x 3 days - 1
    assert len(daily) == 17
    assert daily[("youtube:UCalpha", "2026-03-01")] == (1000, None, 1, True)  # va1
    assert daily[("youtube:UCalpha", "2026-03-02")] == (1200, 200, 1, True)  # va2
    assert daily[("youtube:UCalpha", "2026-03-03")] == (1500, 300, 0, True)
    assert daily[("youtube:UCbeta", "2026-03-02")] == (None, None, 0, True)
    assert daily[(IG, "2026-03-03")] == (4700, -400, 0, True)
    assert daily[("tiktok:tt_bo", "2026-03-02")] == (20100, 100, 1, True)  # t2

    growth = {
        r[0]: r[1:]
        for r in query(
            "select account_id, followers_start, followers_end, net_new_followers, growth_rate"
            " from marts.mart_creator_growth where month = date '2026-03-01'"
        )
    }
    assert "youtube:UCbeta" not in growth  # no known count
    assert growth["youtube:UCalpha"][:3] == (1000, 1500, 500)
    assert growth["youtube:UCalpha"][3] == pytest.approx(0.5)
    assert growth[IG][:3] == (5000, 4700, -300)
    assert growth[IG][3] == pytest.approx(-0.06)

    engagement = {
        (r[0], r[1].isoformat()): r[2:]
        for r in query(
            "select account_id, month, posts, avg_engagement_rate, tier, engagement_index,"
            " peer_accounts, benchmark_source from marts.mart_creator_engagement"
        )
    }
    # UCalpha March: va1 0.12 and va2 (hidden likes, no rate): mean 0.12, alone in its tier;
    # no published YouTube benchmark (by followers): its own median, and the mart says so
    posts, avg, tier, index, peers, benchmark = engagement[("youtube:UCalpha", "2026-03-01")]
    assert (posts, tier, peers, benchmark) == (2, "micro", 1, "roster_small")
    assert avg == pytest.approx(0.12) and index == pytest.approx(1.0)
    # ig January: m1 only, likes hidden: no rate, no index, no peer with a rate
    assert engagement[(IG, "2026-01-01")][:4] == (1, None, "micro", None)


def check_campaigns(query: Query) -> None:
    roi = rows_by_key(
        query,
        "select campaign_id, spend_committed_usd, spend_paid_usd, posts_delivered, views,"
        " interactions, orders, orders_by_code, orders_by_link, revenue_usd, gross_revenue_usd,"
        " new_customers,"
        " new_customer_revenue_usd, emv_usd, cpm_usd, cpe_usd, cpa_usd,"
        " cost_per_new_customer_usd, roas, roi, commission_usd, commission_paid_usd,"
        " commission_outstanding_usd from marts.mart_campaign_roi",
    )
    c1 = roi["C1"]
    # spend committed: k1 1000.00 + 250.00 USD; k2 800.00 EUR (empty product cost) * 1.17
    # = 936.00 USD, plus its commission: 10 % of its net revenue 175.50 (below) = 17.55
    # -> 2203.55, none of the commission paid
    assert Decimal(c1["spend_committed_usd"]) == Decimal("2203.55")
    assert [Decimal(c1[k]) for k in ("commission_usd", "commission_paid_usd")] == [
        Decimal("17.55"),
        Decimal("0.00"),
    ]
    assert Decimal(c1["commission_outstanding_usd"]) == Decimal("17.55")
    # paid: p1 + p2 (USD); k2's payments are still scheduled
    assert Decimal(c1["spend_paid_usd"]) == Decimal("1000.00")
    # orders counted: k1 1001 (100.00), 1002 (50.25, "alpha10"), 1007 (10.00 GBP * 1.34 =
    # 13.40; 23:59 New York time on the 14th is the 15th in UTC), 1011 (20.00, after the end
    # but inside +14 days); k2 1006 (200.00 EUR * 1.17 = 234.00 gross; partially refunded, it
    # counts with its net revenue: (200.00 - 50.00 refunded) * 1.17 = 175.50; its failed
    # refund transaction returned nothing); by tracked link: k1 1015 (40.00, no code) and 1016
    # (25.00, its code and its referrer's link agreeing: by code). Not counted: 1004 cancelled,
    # 1005 refunded in its latest record, 1010 before the start in UTC, 1008 no code, 1009
    # another code, 1017 a link naming no contract.
    assert (c1["orders"], c1["orders_by_code"], c1["orders_by_link"]) == (7, 6, 1)
    assert Decimal(c1["gross_revenue_usd"]) == Decimal("482.65")  # 417.65 + 40.00 + 25.00
    assert Decimal(c1["revenue_usd"]) == Decimal("424.15")  # 482.65 - 58.50
    # new customers: 1001 (501's first order; 1002 is its second) and 1006 (502); 1007's
    # customer ordered before (1010, not attributed: history is every order); 1011 a guest
    assert (c1["new_customers"], Decimal(c1["new_customer_revenue_usd"])) == (
        2,
        Decimal("275.50"),  # 100.00 + 175.50 (net)
    )
    assert Decimal(c1["cost_per_new_customer_usd"]) == Decimal("1101.775")  # 2203.55 / 2
    # posts tied: va1, va2, m2 (k1) and t1 (k2)
    assert c1["posts_delivered"] == 4
    assert c1["views"] == 1000 + 300 + 5000  # m2 has no views
    assert c1["interactions"] == 120 + 320 + 450  # va2's likes are hidden
    # money is a decimal: EMV to the cent, unit costs to a hundredth of a cent
    assert Decimal(c1["emv_usd"]) == Decimal("100.00")  # 32 + 6 + 16 + 46
    assert Decimal(c1["cpm_usd"]) == Decimal("349.7698")  # 2203.55 / 6300 x 1000 = 349.76984..
    assert Decimal(c1["cpe_usd"]) == Decimal("2.4759")  # 2203.55 / 890 = 2.47589...
    assert Decimal(c1["cpa_usd"]) == Decimal("314.7929")  # 2203.55 / 7 = 314.79285...
    # ROAS and ROI on the net revenue
    assert c1["roas"] == pytest.approx(424.15 / 2203.55)
    assert c1["roi"] == pytest.approx((424.15 - 2203.55) / 2203.55)
    # C2 has no contracts: zeros, and every ratio divides by zero -> NULL
    c2 = roi["C2"]
    assert (c2["posts_delivered"], c2["orders"], Decimal(c2["spend_committed_usd"])) == (0, 0, 0)
    assert [c2[k] for k in ("cpm_usd", "cpe_usd", "cpa_usd", "roas", "roi")] == [None] * 5

    per_creator = {
        (r[0], r[1]): r[2:]
        for r in query(
            "select campaign_id, creator_id, spend_committed_usd, spend_paid_usd, orders,"
            " revenue_usd, posts_delivered, roi from marts.mart_campaign_creator_roi"
        )
    }
    assert set(per_creator) == {("C1", "cr_001"), ("C1", "cr_004")}
    spend, paid, orders, revenue, delivered, creator_roi = per_creator[("C1", "cr_001")]
    assert (Decimal(spend), Decimal(paid), orders, Decimal(revenue), delivered) == (
        Decimal("1250.00"),
        Decimal("1000.00"),
        6,
        Decimal("248.65"),  # 100.00 + 50.25 + 13.40 + 20.00 + 40.00 (link) + 25.00
        3,
    )
    assert creator_roi == pytest.approx((248.65 - 1250) / 1250)
    spend, paid, orders, revenue, delivered, creator_roi = per_creator[("C1", "cr_004")]
    assert (Decimal(spend), orders, Decimal(revenue), delivered) == (
        Decimal("953.55"),  # 936.00 + 17.55 commission
        1,
        Decimal("175.50"),
        1,
    )
    assert creator_roi == pytest.approx((175.50 - 953.55) / 953.55)


def check_flags(query: Query) -> None:
    flags = {
        (r[0], r[1], r[2]): r[3:]
        for r in query(
            "select flag_type, subject_kind, subject_id, creator_id, detected_on, metric_value,"
            " severity, is_open, evidence, flag_id from marts.mart_quality_flags"
        )
    }
    assert set(flags) == {
        # ig_ana: 5100 -> 4700 on day 3
        ("follower_drop", "account", IG),
        # tied posts: va2 carries only #sp, m2 no disclosure at all
        ("weak_disclosure", "post", "youtube:va2"),
        ("undisclosed_sponsorship", "post", M2),
        # "casino" in m1's caption
        ("brand_safety", "post", M1),
        # @globex on 02-20 while k1 (exclusive, signed 02-10, ends 03-02) runs
        ("competitor_mention", "post", M3),
        # p2 paid 2 days late; p3 unpaid 2 days past due on the as-of date
        ("late_payment", "payment", "p2"),
        ("late_payment", "payment", "p3"),
        # cr_005's last post is 2026-01-10: 52 days before 2026-03-03
        ("inactive_partner", "creator", "cr_005"),
    }
    creator, detected, metric, severity, is_open, evidence, flag_id = flags[
        ("follower_drop", "account", IG)
    ]
    assert (creator, detected, severity, is_open) == ("cr_001", date(2026, 3, 3), "medium", True)
    assert metric == pytest.approx(400 / 5100)
    assert json.loads(evidence) == {
        "followers_before": 5100,
        "followers": 4700,
        "followers_delta": -400,
    }
    assert len(flag_id) == 32
    # brand safety on a post of 2026-01-20: more than 30 days before the as-of date: closed
    creator, detected, metric, severity, is_open, evidence, _ = flags[("brand_safety", "post", M1)]
    assert (detected, metric, severity, is_open) == (date(2026, 1, 20), 1.0, "medium", False)
    assert json.loads(evidence)["categories"] == "gambling"
    assert flags[("competitor_mention", "post", M3)][3] == "high"
    assert json.loads(flags[("competitor_mention", "post", M3)][5])["competitors"] == "Globex"
    assert flags[("late_payment", "payment", "p2")][1:3] == (date(2026, 3, 2), 2.0)
    assert flags[("late_payment", "payment", "p3")][:3] == ("cr_004", date(2026, 3, 3), 2.0)
    # the evidence names what the payment pays: a commission payout, or (no purpose) a fee
    assert json.loads(flags[("late_payment", "payment", "p3")][5])["purpose"] == "commission"
    assert json.loads(flags[("late_payment", "payment", "p2")][5])["purpose"] == "fee"
    assert flags[("inactive_partner", "creator", "cr_005")][1:3] == (date(2026, 3, 3), 52.0)
    assert flags[("undisclosed_sponsorship", "post", M2)][3] == "high"


def check_health_and_scorecard(query: Query) -> None:
    health = {
        r[0]: r[1:]
        for r in query(
            "select creator_id, partnership_days, campaigns, days_since_touchpoint,"
            " response_rate, on_time_delivery_rate, on_time_payment_rate, health_score,"
            " health_band from marts.mart_relationship_health"
        )
    }
    # cr_001 on 2026-03-03: partnered 2025-01-15 (412 days); last touchpoint 02-25 (6 days:
    # recency 1); outbound answered 1 of 2 (the planned 03-10 meeting is ignored); k1 due
    # 03-02, first tied post 03-01: on time; p1 on time, p2 late: 0.5.
    # 100 * (0.25 * 1 + 0.25 * 0.5 + 0.30 * 1 + 0.20 * 0.5) = 77.5: healthy
    assert health["cr_001"][:3] == (412, 1, 6)
    assert health["cr_001"][3:7] == pytest.approx((0.5, 1.0, 0.5, 77.5))
    assert health["cr_001"][7] == "healthy"
    # cr_004: 30 days; 57 days since the last touchpoint: recency (90 - 57) / 76; no answer;
    # k2 delivered on 02-22 for 02-25; p3 overdue: 100 * (0.25 * 33 / 76 + 0.30) = 40.86
    assert health["cr_004"][:3] == (30, 1, 57)
    assert health["cr_004"][3:7] == pytest.approx((0.0, 1.0, 0.0, 100 * (0.25 * 33 / 76 + 0.3)))
    assert health["cr_004"][7] == "needs_attention"
    # nothing known about cr_002
    assert health["cr_002"] == (None, 0, None, None, None, None, None, None)

    cards = {
        r[0]: r[1:]
        for r in query(
            "select creator_id, tier, engagement_index, roi, open_flags, health_score, score,"
            " rank from marts.mart_creator_scorecard"
        )
    }
    # cr_001: both accounts alone in their platform-tier: YouTube keeps its own median
    # (index 1, no published YouTube benchmark by followers); Instagram is compared with the
    # published median of its follower band (1-5K: 0.065), its March average 0.064 -> index
    # (1 + 0.064 / 0.065) / 2, scored / 2; ROI -0.80108 -> (1 - 0.80108) / 2; 5 open flags
    # (the January brand-safety flag is closed) -> 1/6; health 0.775; no growth (no snapshot
    # 30 days back); weights 0.30/0.25/0.20/0.10
    index_001 = (1 + 0.064 / 0.065) / 2
    roi_001 = (248.65 - 1250) / 1250
    engaged = 0.30 * index_001 / 2
    score_001 = 100 * (engaged + 0.25 * (roi_001 + 1) / 2 + 0.20 * 0.775 + 0.10 / 6) / 0.85
    tier, index, roi, open_flags, health_score, score, rank = cards["cr_001"]
    assert (tier, open_flags, rank) == ("micro", 5, 2)
    assert (index, roi, health_score, score) == pytest.approx((index_001, roi_001, 77.5, score_001))
    # cr_005: index 1, one open flag, nothing else: 100 * (0.3 * 0.5 + 0.1 * 0.5) / 0.4 = 50
    assert cards["cr_005"][3:] == (1, None, pytest.approx(50.0), 1)
    assert cards["cr_004"][-1] == 3
    # cr_002 has neither engagement nor growth: no score, no rank
    assert cards["cr_002"][-2:] == (None, None)

    # Longevity (dbt_project/README.md, "Longevity") on 2026-03-03: cr_001 partnered
    # 2025-01-15, 13 whole months (the 14th completes on 03-15); cr_004 from 2026-02-01, 1.
    # C1 ended 03-02: done, each one's only campaign, so the first, and no later ones; its
    # ROI is the creator's ROI over all contracts (C1 alone). Nothing known about cr_002.
    longevity = {
        r[0]: r[1:]
        for r in query(
            "select creator_id, months_since_first_partnership, campaigns_done,"
            " repeat_campaign_rate, first_campaign_id, first_campaign_revenue_usd,"
            " first_campaign_roi, later_campaigns_revenue_usd, later_campaigns_roi"
            " from marts.mart_relationship_health"
        )
    }
    assert longevity["cr_001"][:4] == (13, 1, 0.0, "C1")
    assert Decimal(longevity["cr_001"][4]) == Decimal("248.65")
    assert longevity["cr_001"][5:] == (pytest.approx(cards["cr_001"][2]), None, None)
    assert longevity["cr_004"][:4] == (1, 1, 0.0, "C1")
    assert longevity["cr_004"][6:] == (None, None)
    assert longevity["cr_002"] == (None, 0, None, None, None, None, None, None)
    scorecard_longevity = query(
        "select months_since_first_partnership, campaigns_done, repeat_campaign_rate,"
        " first_campaign_roi, later_campaigns_roi from marts.mart_creator_scorecard"
        " where creator_id = 'cr_001'"
    )
    assert scorecard_longevity == [(13, 1, 0.0, pytest.approx(cards["cr_001"][2]), None)]


def check_staging(query: Query) -> None:
    # staging keeps one row per raw record as received (UCbeta's old-style "0" too); the
    # follower history reads a hidden subscriber count as unknown: NULL, never 0
    assert query(
        "select count(*), count(subscriber_count) from staging.stg_youtube__channels"
        " where channel_id = 'UCbeta'"
    ) == [(3, 1)]
    assert query(
        "select count(*), count(followers) from intermediate.int_account_snapshots"
        " where account_id = 'youtube:UCbeta'"
    ) == [(3, 0)]
    assert query("select count(*) from staging.stg_youtube__videos") == [(10,)]
    # rejected rows are visible; an absent quarantine table reads as empty
    assert query(
        "select source_name, entity, reason, file_name, line_number"
        " from staging.stg_crm__quarantine"
    ) == [("crm", "contracts", "unknown creator cr_999", "contracts.csv", 4)]
    assert query("select count(*) from staging.stg_instagram__quarantine") == [(1,)]
    assert query("select count(*) from staging.stg_shop__quarantine") == [(0,)]
    assert query("select count(*) from staging.stg_shop__order_discount_codes") == [(12,)]
    # the optional utm columns: k1's row carries them, k2's (an older file's) does not
    assert query(
        "select contract_id, utm_campaign, utm_content from staging.stg_crm__contracts"
        " order by contract_id"
    ) == [("k1", "acme-spring", "k1-alpha"), ("k2", None, None)]
    # 1006's refund: its two transactions, typed (amount a decimal string in the payload)
    assert query(
        "select order_id, transaction_status, amount"
        " from staging.stg_shop__order_refund_transactions order by amount"
    ) == [("1006", "failure", Decimal("30.00")), ("1006", "success", Decimal("50.00"))]
    assert query("select count(*) from seeds.tiers") == [(4,)]


def check_comments(query: Query) -> None:
    """Comments and their sentiment (SPEC 5.5): fixture_world._add_comments and
    COMMENT_SCORES."""
    tt1, tt2, tt3 = (f"tiktok:{c}" for c in (TT_COMMENT_1, TT_COMMENT_2, TT_COMMENT_3))
    comments = rows_by_key(
        query,
        "select comment_id, post_id, creator_id, sentiment_label, unscored_reason, like_count,"
        " is_sponsored_post, first_listed_on, platform_comment_id from marts.fct_comment",
    )
    assert set(comments) == {f"youtube:ya{i}" for i in range(1, 7)} | {tt1, tt2, tt3}
    ya1 = comments["youtube:ya1"]
    # the latest listing's likes (4); listed on days 2 and 3; 0.5 >= 0.05: positive
    assert (ya1["like_count"], ya1["first_listed_on"]) == (4, date(2026, 3, 2))
    assert (ya1["post_id"], ya1["creator_id"], ya1["is_sponsored_post"]) == (
        "youtube:va1",
        "cr_001",
        True,
    )
    labels = {
        cid: (row["sentiment_label"], row["unscored_reason"]) for cid, row in comments.items()
    }
    assert labels["youtube:ya1"] == ("positive", None)
    assert labels["youtube:ya2"] == ("negative", None)
    assert labels["youtube:ya3"] == ("neutral", None)  # 0.0
    assert labels["youtube:ya4"] == ("unscored", "not_english")
    assert labels[tt3] == ("unscored", "not_scored_yet")
    # TikTok's int64 comment ids stay exact
    assert comments[tt1]["platform_comment_id"] == str(TT_COMMENT_1)
    assert (comments[tt1]["post_id"], comments[tt1]["creator_id"]) == (T1, "cr_004")

    posts = rows_by_key(
        query,
        "select post_id, sample_status, comments_fetched, comments_scored, positive_share,"
        " negative_share, net_sentiment, sample_complete from marts.mart_post_sentiment",
    )
    assert len(posts) == 11  # every post of fct_post
    # va1: 5 fetched, 4 scored (ya1 +, ya2 -, ya3 neutral, ya5 +; ya4 unscored)
    va1 = posts["youtube:va1"]
    assert (va1["sample_status"], va1["comments_fetched"], va1["comments_scored"]) == (
        "listed",
        5,
        4,
    )
    assert (va1["positive_share"], va1["negative_share"]) == (0.5, 0.25)
    assert va1["net_sentiment"] == 0.25 and va1["sample_complete"] is True
    # va2: its fetch reached the cap
    assert (posts["youtube:va2"]["net_sentiment"], posts["youtube:va2"]["sample_complete"]) == (
        1.0,
        False,
    )
    assert posts["youtube:vg2"]["sample_status"] == "comments_disabled"
    assert posts["youtube:vg1"]["sample_status"] == "not_fetched"
    assert not posts["youtube:vg1"]["sample_complete"]
    assert {posts[m]["sample_status"] for m in (M1, M2, M3)} == {"not_sampled"}
    # t2: tt2 negative, tt3 not scored yet: 1 scored, net -1
    assert (posts[T2]["comments_fetched"], posts[T2]["comments_scored"]) == (2, 1)
    assert posts[T2]["net_sentiment"] == -1.0

    creators = {
        (r[0], r[1]): r[2:]
        for r in query(
            "select creator_id, month, comments_scored, net_sentiment, net_sentiment_sponsored,"
            " net_sentiment_organic from marts.mart_creator_sentiment"
        )
    }
    march = date(2026, 3, 1)
    assert set(creators) == {("cr_001", march), ("cr_004", march)}
    # cr_001: ya1, ya5, ya6 positive, ya2 negative, ya3 neutral: (3 - 1) / 5; all sponsored
    scored, net, sponsored, organic = creators[("cr_001", march)]
    assert (scored, organic) == (5, None)
    assert net == pytest.approx(0.4) and sponsored == pytest.approx(0.4)
    # cr_004: tt1 + under the sponsored t1, tt2 - under the organic t2
    assert creators[("cr_004", march)] == (2, 0.0, 1.0, -1.0)


def check_marts(query: Query) -> None:
    check_accounts_and_posts(query)
    check_creators(query)
    check_daily_growth_engagement(query)
    check_campaigns(query)
    check_flags(query)
    check_health_and_scorecard(query)
    check_staging(query)
    check_comments(query)


# --------------------------------------------------------------------------------------------
# DuckDB
# --------------------------------------------------------------------------------------------
def _create_table_sql(table: str, json_type: str) -> str:
    return (
        f"create table raw.{table} (dt date, extracted_at timestamptz, record_key varchar,"
        f" parent_key varchar, payload {json_type})"
    )


def load_duckdb_raw(path: Path, extra_day: bool = False) -> None:
    """Create the raw tables (first call) and insert the world's rows (or only the new day),
    with a row in the load ledger for each table and day, as the loader writes them."""
    import duckdb

    from warehouse.load import LEDGER, ensure_ledger

    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists raw")
        ensure_ledger(con)
        existing = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        everything = raw_rows(extra_day=extra_day)
        before = raw_rows() if extra_day else {table: [] for table in RAW_TABLES}
        if "comment_scores" not in existing:
            con.execute(f"create table raw.comment_scores ({COMMENT_SCORES_COLUMNS})")
            con.executemany(
                "insert into raw.comment_scores values (?, ?, ?, ?, ?, now(), 'vader-3.3.2')",
                COMMENT_SCORES,
            )
        for table in RAW_TABLES:
            if table not in existing:
                con.execute(_create_table_sql(table, "json"))
            new_rows = everything[table][len(before[table]) :]
            if new_rows:
                con.executemany(
                    f"insert into raw.{table} values"
                    " (?, cast(? as timestamptz), ?, ?, cast(? as json))",
                    new_rows,
                )
            source, entity = table.split("_", 1)
            for day in sorted({row[0] for row in new_rows}):
                con.execute(
                    f"insert or replace into {LEDGER} values (?, ?, ?, 'fixture', 0, now())",
                    [source, entity, day],
                )
    finally:
        con.close()


def reload_partition_without(path: Path, table: str, dt: str, record_key: str) -> None:
    """The loader re-loading a partition that now holds one record fewer (it replaces the
    whole `dt`): here, the record is simply deleted from that day."""
    import duckdb

    con = duckdb.connect(str(path))
    try:
        con.execute(
            f"delete from raw.{table} where dt = cast(? as date) and record_key = ?",
            [dt, record_key],
        )
    finally:
        con.close()


def duckdb_query(path: Path) -> tuple[Query, Callable[[], None]]:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    return (lambda sql: con.execute(sql).fetchall()), con.close


@pytest.fixture(scope="module")
def duckdb_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, float]]:
    work = tmp_path_factory.mktemp("dbt_duckdb")
    # Named as the pipeline's warehouse: DuckDB calls the database after the file, and the
    # semantic manifest MetricFlow reads (make manifest) names its tables "irm"."marts"...
    warehouse = work / "irm.duckdb"
    load_duckdb_raw(warehouse)
    env = dbt_env(IRM_WAREHOUSE_PATH=str(warehouse))
    # The column_checks tests below read this build's manifest and compiled SQL.
    elapsed = run_dbt(["build"], env, work, "duckdb", artifacts=True)
    print(f"dbt build on the DuckDB fixture: {elapsed:.1f} s")
    yield warehouse, elapsed


def test_duckdb_build_marts(duckdb_build: tuple[Path, float]) -> None:
    warehouse, _ = duckdb_build
    query, close = duckdb_query(warehouse)
    try:
        check_marts(query)
        marts = "select table_name from duckdb_tables() where schema_name = 'marts'"
        tables = {row[0] for row in query(marts)}
        assert tables == ALL_MARTS
    finally:
        close()


def compiled_column_checks(warehouse: Path, model: str) -> tuple[dict, str]:
    """A model's column_checks test in the fixture build: its arguments and its SQL as dbt
    compiled it."""
    target = warehouse.parent / "target"
    manifest = json.loads((target / "manifest.json").read_text())
    node = next(
        n
        for n in manifest["nodes"].values()
        if (n.get("test_metadata") or {}).get("name") == "column_checks"
        and n["attached_node"] == f"model.irm.{model}"
    )
    compiled = target / "compiled" / "irm" / node["original_file_path"] / node["path"]
    return node["test_metadata"]["kwargs"], compiled.read_text()


def test_column_checks_name_each_failing_column(
    duckdb_build: tuple[Path, float], tmp_path: Path
) -> None:
    """Staging and intermediate models check their columns in one scan (tests/generic/
    column_checks.sql). Its SQL as dbt compiled it for int_post_engagement passes on the built
    warehouse; on a copy with a NULL in a not_null column and a negative value in a
    non_negative one, it returns one row for each, naming the column and the check."""
    import duckdb

    warehouse, _ = duckdb_build
    arguments, sql = compiled_column_checks(warehouse, "int_post_engagement")
    not_null, non_negative = arguments["not_null"][0], arguments["non_negative"][0]
    spoiled = tmp_path / "irm.duckdb"  # the compiled SQL names the database after the file
    shutil.copy(warehouse, spoiled)
    with duckdb.connect(str(spoiled)) as con:
        assert con.execute(sql).fetchall() == []
        con.execute(
            f"update intermediate.int_post_engagement set {not_null} = null, {non_negative} = -1"
            " where post_id = (select min(post_id) from intermediate.int_post_engagement)"
        )
        assert sorted(con.execute(sql).fetchall()) == sorted(
            [(not_null, "not_null", 1), (non_negative, "non_negative", 1)]
        )


def test_column_checks_name_a_duplicated_key_and_a_value_outside_the_list(
    duckdb_build: tuple[Path, float], tmp_path: Path
) -> None:
    """The same test's `unique` and `accepted_values` checks (int_comments): a comment copied
    (its comment_id twice) and a sentiment label outside the accepted ones give one row each,
    naming the column and the check. NULLs pass both, as with dbt's unique and accepted_values:
    two comments without an id and a label are only the not_null check's."""
    import duckdb

    warehouse, _ = duckdb_build
    arguments, sql = compiled_column_checks(warehouse, "int_comments")
    assert arguments["unique"] == ["comment_id"]
    assert "unscored" in arguments["accepted_values"]["sentiment_label"]
    assert {"comment_id", "sentiment_label"} <= set(arguments["not_null"])
    spoiled = tmp_path / "irm.duckdb"  # the compiled SQL names the database after the file
    shutil.copy(warehouse, spoiled)
    comments = "intermediate.int_comments"
    with duckdb.connect(str(spoiled)) as con:
        assert con.execute(sql).fetchall() == []
        con.execute(
            f"update {comments} set comment_id = null, sentiment_label = null where comment_id in"
            f" (select comment_id from {comments} order by comment_id limit 2 offset 1)"
        )
        first, last = (f"(select {f}(comment_id) from {comments})" for f in ("min", "max"))
        con.execute(f"insert into {comments} select * from {comments} where comment_id = {first}")
        con.execute(f"update {comments} set sentiment_label = 'furious' where comment_id = {last}")
        assert sorted(con.execute(sql).fetchall()) == sorted(
            [
                ("comment_id", "unique", 1),
                ("sentiment_label", "accepted_values", 1),
                ("comment_id", "not_null", 2),
                ("sentiment_label", "not_null", 2),
            ]
        )


def test_column_checks_count_the_rows_beyond_each_grain_combination(
    duckdb_build: tuple[Path, float], tmp_path: Path
) -> None:
    """The same test's grain check (`unique_combination`, int_account_follower_deltas: one row
    per account and snapshot date): a row copied once and another copied twice are 3 rows
    beyond their combinations' first; two days of one account whose snapshot_date went NULL are
    one combination twice (NULLs compare equal, as in the GROUP BY of dbt's
    unique_combination_of_columns, which this check replaced), and the not_null check's too."""
    import duckdb

    warehouse, _ = duckdb_build
    arguments, sql = compiled_column_checks(warehouse, "int_account_follower_deltas")
    assert arguments["unique_combination"] == ["account_id", "snapshot_date"]
    spoiled = tmp_path / "irm.duckdb"  # the compiled SQL names the database after the file
    shutil.copy(warehouse, spoiled)
    deltas = "intermediate.int_account_follower_deltas"
    with duckdb.connect(str(spoiled)) as con:
        assert con.execute(sql).fetchall() == []
        [(two_days,)] = con.execute(
            f"select account_id from {deltas} group by account_id having count(*) = 2"
            " order by account_id limit 1"
        ).fetchall()
        once, twice = con.execute(
            f"select account_id, snapshot_date from {deltas} where account_id <> ?"
            " order by account_id, snapshot_date limit 2",
            [two_days],
        ).fetchall()
        for key in (once, twice, twice):
            con.execute(
                f"insert into {deltas} select * from {deltas}"
                " where account_id = ? and snapshot_date = ? limit 1",
                list(key),
            )
        con.execute(f"update {deltas} set snapshot_date = null where account_id = ?", [two_days])
        assert sorted(con.execute(sql).fetchall()) == [
            ("account_id, snapshot_date", "unique_combination", 4),
            ("snapshot_date", "not_null", 2),
        ]


def test_docs_generate(duckdb_build: tuple[Path, float]) -> None:
    """`dbt docs generate` works and its catalog describes every mart."""
    warehouse, _ = duckdb_build
    work = warehouse.parent / "docs"
    work.mkdir(exist_ok=True)
    env = dbt_env(IRM_WAREHOUSE_PATH=str(warehouse))
    run_dbt(["docs", "generate"], env, work, "duckdb", artifacts=True)
    catalog = json.loads((work / "target" / "catalog.json").read_text())
    names = {node["metadata"]["name"] for node in catalog["nodes"].values()}
    assert names >= ALL_MARTS
    assert (work / "target" / "index.html").exists()


def metricflow(metrics: str, group_by: str, warehouse: Path) -> list[dict[str, str]]:
    """`mf query` (MetricFlow's CLI, as docs/serving.md tells analysts) on `warehouse`, in the
    dbt project folder; its rows as CSV text."""
    out = warehouse.parent / "metrics" / f"{metrics}-by-{group_by}.csv".replace(",", "+")
    out.parent.mkdir(exist_ok=True)
    env = dbt_env(IRM_WAREHOUSE_PATH=str(warehouse), DBT_PROFILES_DIR=str(PROJECT_DIR))
    command = [str(Path(_dbt_executable()).with_name("mf")), "query", "--metrics", metrics]
    command += ["--group-by", group_by, "--csv", str(out)]
    result = subprocess.run(
        command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0 and out.exists(), result.stdout[-5000:] + result.stderr[-5000:]
    with out.open(newline="") as f:
        return list(csv.DictReader(f))


def number(text: str) -> float | None:
    return None if text == "" else float(text)


def test_metrics_through_metricflow_equal_sql_on_the_marts(
    duckdb_build: tuple[Path, float],
) -> None:
    """The semantic layer (models/semantic/) gives the marts' own figures: three queries by a
    dimension, against plain SQL on the marts."""
    warehouse, _ = duckdb_build
    query, close = duckdb_query(warehouse)
    try:
        roi = {
            r[0]: r[1:]
            for r in query(
                "select campaign_id, spend_committed_usd, revenue_usd, roi, cpa_usd,"
                " commission_usd, new_customers, orders_by_link, cost_per_new_customer_usd"
                " from marts.mart_campaign_roi"
            )
        }
        tiers = dict(
            query(
                "select a.tier, avg(p.engagement_rate) from marts.fct_post as p"
                " left join marts.dim_creator_account as a using (account_id) group by a.tier"
            )
        )
        disclosure = dict(
            query(
                "select campaign_id, sum(case when disclosure_status = 'disclosed' then 1 end)"
                " / sum(case when is_sponsored then 1 end) from marts.fct_post group by 1"
            )
        )
    finally:
        close()

    measures = "spend,revenue,roi,cpa,commission,new_customers,orders_by_link"
    by_campaign = metricflow(f"{measures},cost_per_new_customer", "campaign", warehouse)
    assert {r["campaign"] for r in by_campaign} == set(roi)
    for row in by_campaign:
        spend, revenue, mart_roi, cpa, commission, new, by_link, per_new = roi[row["campaign"]]
        assert (Decimal(row["spend"]), Decimal(row["revenue"])) == (spend, revenue), row
        assert Decimal(row["commission"] or 0) == commission, row
        assert (number(row["new_customers"]) or 0, number(row["orders_by_link"]) or 0) == (
            new,
            by_link,
        ), row
        assert number(row["roi"]) == (None if mart_roi is None else pytest.approx(mart_roi))
        # the mart rounds unit costs to a hundredth of a cent; MetricFlow divides unrounded
        assert number(row["cpa"]) == (None if cpa is None else pytest.approx(float(cpa), abs=5e-5))
        per_new_mf = number(row["cost_per_new_customer"])
        assert per_new_mf == (None if per_new is None else pytest.approx(float(per_new), abs=5e-5))
    assert any(number(r["roi"]) is not None for r in by_campaign), "no campaign with spend"

    by_tier = metricflow("engagement_rate", "account__tier", warehouse)
    assert {r["account__tier"] or None for r in by_tier} == set(tiers)
    for row in by_tier:
        expected = tiers[row["account__tier"] or None]
        assert number(row["engagement_rate"]) == pytest.approx(expected), row

    compliance = metricflow("disclosure_rate", "campaign", warehouse)
    measured = {r["campaign"] or None: number(r["disclosure_rate"]) for r in compliance}
    assert measured == {k: None if v is None else pytest.approx(v) for k, v in disclosure.items()}
    assert any(v is not None for v in measured.values()), "no sponsored post in the fixture"


def _snapshot_models(path: Path) -> dict[str, list[tuple]]:
    """Every table of the intermediate and marts schemas, sorted (an exact comparison)."""
    query, close = duckdb_query(path)
    try:
        tables = query(
            "select schema_name, table_name from duckdb_tables()"
            " where schema_name in ('intermediate', 'marts')"
        )
        return {
            f"{schema}.{table}": query(f'select * from {schema}."{table}" order by all')
            for schema, table in tables
        }
    finally:
        close()


def test_incremental_equals_full_refresh(duckdb_build: tuple[Path, float]) -> None:
    """Rebuilding without new data changes nothing; after a fourth day of raw data and a
    re-loaded third day that lost a record, the incremental build (each day of the lookback
    window replaced) equals a full refresh."""
    warehouse, _ = duckdb_build
    work = warehouse.parent / "incremental"
    work.mkdir(exist_ok=True)
    copy = work / "irm.duckdb"  # the pipeline's name: dbt reuses the parse (parse_once.py)
    shutil.copyfile(warehouse, copy)
    env = dbt_env(IRM_WAREHOUSE_PATH=str(copy))
    before = _snapshot_models(copy)

    run_dbt(["run"], env, work, "duckdb")
    assert _snapshot_models(copy) == before, "a rebuild over the same raw data changed a model"

    load_duckdb_raw(copy, extra_day=True)
    # day 3's videos re-loaded without vg2 (its only snapshot): it must leave every model
    reload_partition_without(copy, "youtube_videos", "2026-03-03", "vg2")
    # and day 3's comments without ya6 (its only version): it must leave int_comments too
    reload_partition_without(copy, "youtube_comments", "2026-03-03", "ya6")
    # and day 1's orders without 1009 (its only record): it must leave the orders too
    reload_partition_without(copy, "shop_orders", "2026-03-01", "1009")
    started = time.perf_counter()
    run_dbt(["run"], env, work, "duckdb")
    print(f"incremental dbt run after one more day: {time.perf_counter() - started:.1f} s")
    incremental = _snapshot_models(copy)
    run_dbt(["run", "--full-refresh"], env, work, "duckdb")
    full = _snapshot_models(copy)
    assert incremental.keys() == full.keys()
    for name in full:
        assert incremental[name] == full[name], f"{name}: incremental differs from full refresh"

    # the new day arrived, and a video published on day 2 but first seen on day 4 counts
    query, close = duckdb_query(copy)
    try:
        assert query(
            "select followers, posts_published from marts.fct_account_daily"
            " where account_id = 'youtube:UCalpha' and date = date '2026-03-04'"
        ) == [(1600, 1)]
        assert query(
            "select posts_published from marts.fct_account_daily"
            " where account_id = 'youtube:UCbeta' and date = date '2026-03-02'"
        ) == [(1,)]
        # 1012, the fourth day's order, joins C1's seven
        assert query("select orders from marts.mart_campaign_roi where campaign_id = 'C1'") == [
            (8,)
        ]
        assert query("select count(*) from marts.fct_post where post_id = 'youtube:vg2'") == [(0,)]
        # orders: 1002's latest record is day 4's (partly refunded); 1009 is gone
        assert query(
            "select financial_status, refunded_amount"
            " from intermediate.int_shop__order_latest_versions where order_id = '1002'"
        ) == [("partially_refunded", Decimal("10.25"))]
        assert query(
            "select count(*) from intermediate.int_shop__order_latest_versions"
            " where order_id = '1009'"
        ) == [(0,)]
        # comments: ya1's latest version is day 4's, first listed on day 2; ya6 is gone
        assert query(
            "select like_count, first_listed_on, last_listed_on from marts.fct_comment"
            " where comment_id = 'youtube:ya1'"
        ) == [(9, date(2026, 3, 2), date(2026, 3, 4))]
        assert query(
            "select count(*) from marts.fct_comment where comment_id like 'youtube:ya%'"
        ) == [(6,)]
        assert query(
            "select posts_published from marts.fct_account_daily"
            " where account_id = 'youtube:UCgamma' and date = date '2026-03-03'"
        ) == [(0,)]
    finally:
        close()


def _latest_test_run(path: Path) -> tuple:
    query, close = duckdb_query(path)
    try:
        [run] = query(
            "select scope, tests_since, whole_project, passed_at is not null"
            " from audit.data_test_runs order by planned_at desc limit 1"
        )
        return run
    finally:
        close()


def _land_channel(path: Path, day: str, key: str | None, payload: str, loaded_at: str) -> None:
    """A raw channel record, and the ledger row of its partition loaded at `loaded_at`."""
    import duckdb

    with duckdb.connect(str(path)) as con:
        con.execute(
            "insert into raw.youtube_channels values (cast(? as date), now(), ?, null,"
            " cast(? as json))",
            [day, key, payload],
        )
        con.execute(
            "insert or replace into raw._loaded_partitions values ('youtube', 'channels',"
            f" cast(? as date), 'x', 1, {loaded_at})",
            [day],
        )


@pytest.mark.parametrize(
    "view", ["stg_shop__order_discount_codes", "stg_shop__order_refund_transactions"]
)
def test_a_new_rows_filter_on_an_unnesting_view_reaches_the_raw_scan(
    duckdb_build: tuple[Path, float], view: str
) -> None:
    """The daily build tests a staging view's new rows only (`where snapshot_date >= ...`); on
    the views that unnest each order's JSON arrays that filter must reach the scan of
    raw.shop_orders, or every order ever landed is parsed again at every build (a lateral
    UNNEST kept it from the scan: 4.89 s against 0.42 s at 181 days of the medium bench,
    docs/benchmarks.md). DuckDB's plan says which filters each scan applies."""
    import duckdb

    warehouse, _ = duckdb_build
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [(_, plan)] = con.execute(
            f"explain select count(*) from staging.{view} where snapshot_date >= date '2026-03-02'"
        ).fetchall()
    scans = plan.split("Seq Scan")[1:]
    shop_scans = [scan for scan in scans if "raw.shop_orders" in scan.split("╰")[0]]
    assert shop_scans, plan
    for scan in shop_scans:
        assert "Filters: dt >=" in scan.split("╰")[0], plan


def test_the_daily_build_tests_new_rows_and_every_row_weekly(
    duckdb_build: tuple[Path, float], tmp_path: Path
) -> None:
    """The transform's dbt build (IRM_DBT_TESTS=new) reads, in its staging and incremental
    models' tests, only the rows of the days loaded since the last passed whole-project build
    (less refresh_lookback_days: 3), and every row when no build tested every row in 7 days
    or a partition was set aside (macros/data_test_scope.sql). A failed build is not counted:
    the next one tests its days again."""
    import duckdb

    warehouse, _ = duckdb_build
    copy = tmp_path / "irm.duckdb"
    shutil.copyfile(warehouse, copy)
    # the fixture's build (IRM_DBT_TESTS unset) tested every row and passed
    assert _latest_test_run(copy) == ("all", None, True, True)

    env = dbt_env(IRM_WAREHOUSE_PATH=str(copy), DBT_USE_COLORS="false", **DBT_TEST_SCOPE_ENV)
    channels = ["test", "--select", "stg_youtube__channels"]
    # nothing loaded since: the newest day (2026-03-03) and its lookback are read
    dbt_command(channels, env, tmp_path, "duckdb")
    assert _latest_test_run(copy) == ("new", date(2026, 2, 28), False, False)
    # 7 days without a build that tested every row: the next one does
    with duckdb.connect(str(copy)) as con:
        con.execute("update audit.data_test_runs set planned_at = planned_at - interval 8 day")
    dbt_command(channels, env, tmp_path, "duckdb")
    assert _latest_test_run(copy)[0] == "all"
    with duckdb.connect(str(copy)) as con:
        con.execute("delete from audit.data_test_runs where not whole_project")
        con.execute("update audit.data_test_runs set planned_at = planned_at + interval 8 day")

    # A negative count in an old day (it cannot land now: raw is append-only; here it stands
    # for a rule made stricter later) and a record without its id in a day loaded now.
    # stg_youtube__channels' column_checks fails with one row per failing check.
    old = "timestamp '2026-03-01 12:00'"
    _land_channel(copy, "2026-03-01", "UCold", '{"statistics": {"subscriberCount": "-5"}}', old)
    _land_channel(copy, "2026-03-21", None, "{}", "now()")
    failed = dbt_command(["test", "--exclude-resource-type", "unit_test"], env, tmp_path, "duckdb")
    assert failed.returncode == 1
    assert "rows dated from 2026-03-18 on" in failed.stdout
    [failure] = [line for line in failed.stdout.splitlines() if " FAIL " in line and " of " in line]
    assert "FAIL 1 column_checks_stg_youtube__channels" in failure  # the new day's, only
    assert _latest_test_run(copy) == ("new", date(2026, 3, 18), True, False)

    # the failed build did not count: the next one reads the same days again
    again = dbt_command(channels, env, tmp_path, "duckdb")
    assert "rows dated from 2026-03-18 on" in again.stdout and "FAIL 1 " in again.stdout

    # a partition set aside (the ledger lost it): every row is read, the old day's too
    with duckdb.connect(str(copy)) as con:
        con.execute("delete from raw._loaded_partitions where dt = date '2026-03-02'")
    set_aside = dbt_command(channels, env, tmp_path, "duckdb")
    assert _latest_test_run(copy) == ("all", None, False, False)
    assert "FAIL 2 " in set_aside.stdout


def test_parse_needs_only_the_warehouse_path(tmp_path: Path) -> None:
    """`dbt parse` (the manifest the mart contracts are read from) needs no database: a whole
    parse, from no earlier parse file."""
    env = dbt_env(IRM_WAREHOUSE_PATH=str(tmp_path / "absent.duckdb"))
    run_dbt(["parse"], env, tmp_path, "duckdb", artifacts=True, parse_once=False)
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    models = {node["name"] for node in manifest["nodes"].values()}
    assert models >= ALL_MARTS | {"stg_tiktok__videos", "stg_crm__quarantine"}
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert set(exposures) == {"weekly_export", "bi_read_only_copy"}
    for exposure in exposures.values():
        depends = {node.split(".")[-1] for node in exposure["depends_on"]["nodes"]}
        assert depends == ALL_MARTS
    marts = [n for n in manifest["nodes"].values() if n["name"] in ALL_MARTS]
    assert all(n["config"]["contract"]["enforced"] for n in marts)
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


@pytest.fixture(scope="module")
def postgres_database() -> Iterator[dict[str, str]]:
    psycopg2 = pytest.importorskip("psycopg2")
    from warehouse.load import LEDGER, ensure_postgres_ledger

    settings = _pg_settings()
    try:
        admin = psycopg2.connect(dbname="postgres", connect_timeout=3, **settings)
    except psycopg2.OperationalError as exc:
        pytest.skip(
            f"no PostgreSQL server answers at {settings['host']}:{settings['port']}"
            f" (set IRM_PG_HOST / IRM_PG_PORT): {exc}"
        )
    admin.autocommit = True
    name = f"irm_dbt_test_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}"')
    try:
        con = psycopg2.connect(dbname=name, **settings)
        try:
            with con, con.cursor() as cur:
                cur.execute("create schema raw")
                cur.execute(f"create table raw.comment_scores ({COMMENT_SCORES_COLUMNS})")
                cur.executemany(
                    "insert into raw.comment_scores values (%s, %s, %s, %s, %s, now(), 'vader')",
                    COMMENT_SCORES,
                )
                ensure_postgres_ledger(cur)
                for table, rows in raw_rows().items():
                    cur.execute(_create_table_sql(table, "jsonb"))
                    if rows:
                        cur.executemany(
                            f"insert into raw.{table} values (%s, %s, %s, %s, %s::jsonb)", rows
                        )
                    source, entity = table.split("_", 1)
                    cur.executemany(
                        f"insert into {LEDGER} values (%s, %s, %s, 'fixture', 0, now())",
                        [(source, entity, day) for day in sorted({row[0] for row in rows})],
                    )
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
        **DBT_TEST_SCOPE_ENV,
    )
    elapsed = run_dbt(["build"], env, tmp_path, "postgres")
    print(f"dbt build on the PostgreSQL fixture: {elapsed:.1f} s")
    con = psycopg2.connect(**postgres_database)
    try:

        def query(sql: str) -> list[tuple]:
            with con.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall()

        check_marts(query)

        # the incremental path (delete+insert) on PostgreSQL: a rerun changes nothing
        daily = "select * from marts.fct_account_daily order by account_id, date"
        before = query(daily)
        con.commit()
        run_dbt(["run", "--select", "config.materialized:incremental"], env, tmp_path, "postgres")
        assert query(daily) == before

        # the data tests' scope on PostgreSQL (macros/data_test_scope.sql): the first build
        # tested every row and passed; the next command reads the newest day and its lookback
        runs = "select scope, tests_since, passed_at is not null from audit.data_test_runs"
        assert query(runs) == [("all", None, True)]
        con.commit()
        run_dbt(["test", "--select", "stg_youtube__channels"], env, tmp_path, "postgres")
        assert query(runs + " where not whole_project") == [("new", date(2026, 2, 28), False)]
    finally:
        con.close()
