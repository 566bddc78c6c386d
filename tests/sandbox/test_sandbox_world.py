"""The synthetic world: deterministic, complete in small sizes, consistent over time."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import numpy as np
import pytest

from sandbox.injections import injected_cases
from sandbox.world import MAX_DAILY_STEP, TIERS, World, round_3_significant, tier_of

DAY = date(2026, 1, 1)


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=42, accounts=20, days=30)


def _fingerprint(world: World) -> list[object]:
    """Everything observable about a world, queried in a scrambled order."""
    out: list[object] = [(c.creator_id, c.display_name, c.email, c.status) for c in world.creators]
    for account in reversed(world.accounts):
        posts = world.posts(account.index)
        out.append((account.platform_id, account.handle, account.followers_start))
        out.append(world.followers(account.index).tolist())
        out.append(posts.published_s.tolist())
        out.append([m.tolist() for m in world.metrics(account.index, world.days - 1)])
        out.append([world.post_text(account.index, p) for p in range(len(posts.published_s))])
    business = world.business
    out += [business.campaigns, business.contracts, business.payments, business.orders]
    out += [business.touchpoints, injected_cases(world, world.end_date)]
    return out


def test_same_seed_same_world_different_seed_different_world(world: World) -> None:
    twin = World(seed=42, accounts=20, days=30)
    twin.posts(7)  # touching another account first must not change anything
    assert _fingerprint(twin) == _fingerprint(world)
    other = World(seed=43, accounts=20, days=30)
    assert _fingerprint(other) != _fingerprint(world)


def test_a_larger_longer_world_extends_a_smaller_one(world: World) -> None:
    bigger = World(seed=42, accounts=60, days=90)
    for account in world.accounts[:-3]:  # the last creator may be cut short in the small one
        big = bigger.account(account.index)
        assert (big.platform_id, big.followers_start) == (
            account.platform_id,
            account.followers_start,
        )
        assert (bigger.followers(account.index)[:30] == world.followers(account.index)).all()
        small_posts = world.posts(account.index).published_s
        assert (bigger.posts(account.index).published_s[: len(small_posts)] == small_posts).all()


def test_small_world_has_every_tier_and_the_traps_on_youtube(world: World) -> None:
    channels = world.accounts_on("youtube")
    assert len(world.accounts) == 20
    assert {tier_of(int(world.followers(a.index)[-1])) for a in channels} == set(TIERS)
    assert any(a.hidden_followers for a in channels)
    posts = [world.posts(a.index) for a in channels]
    assert any(p.likes_hidden.any() for p in posts)
    assert any(p.comments_hidden.any() for p in posts)
    for creator in world.creators:
        assert 1 <= len(creator.account_indexes) <= 3
        platforms = [world.account(i).platform for i in creator.account_indexes]
        assert len(set(platforms)) == len(platforms)


def test_ids_have_youtube_shapes(world: World) -> None:
    for account in world.accounts_on("youtube"):
        assert re.fullmatch(r"UC[A-Za-z0-9_-]{22}", account.platform_id)
        for video_id in world.videos_of(account.platform_id, world.end_date):
            assert re.fullmatch(r"[A-Za-z0-9_-]{11}", video_id)
            assert world.video_state(video_id, world.end_date) is not None
    assert re.fullmatch(r"cr_\d{5}", world.creators[0].creator_id)
    assert world.decode_video_id("dQw4w9WgXcQ") is None


def test_metrics_only_grow_and_videos_appear_on_their_day(world: World) -> None:
    account = world.accounts_on("youtube")[0]
    series = [world.metrics(account.index, d) for d in range(world.days)]
    for earlier, later in zip(series, series[1:], strict=False):
        for a, b in zip(earlier, later, strict=True):
            assert (b >= a).all()
    posts = world.posts(account.index)
    first_new = int(np.searchsorted(posts.published_s, 0))  # first post after the back catalogue
    video_id = world.video_id(account.index, first_new)
    day = world.post_published_at(account.index, first_new).date()
    assert world.video_state(video_id, day) is not None
    if day > world.start_date:
        assert world.video_state(video_id, day - timedelta(days=1)) is None
        assert video_id not in world.videos_of(account.platform_id, day - timedelta(days=1))
    assert world.videos_of(account.platform_id, day)[0] == video_id or day == world.start_date


def test_engagement_sits_near_tier_benchmarks() -> None:
    big = World(seed=1, accounts=400, days=30)
    rates: dict[str, list[float]] = {t: [] for t in TIERS}
    for account in big.accounts_on("youtube"):
        count = big.visible_count(account.index, 29)
        views, likes, comments = big.metrics(account.index, 29, slice(0, max(count - 7, 0)))
        if len(views):
            rates[account.tier].append(float(np.median(likes / np.maximum(views, 1))))
    medians = {t: float(np.median(r)) for t, r in rates.items() if r}
    # Modash: likes/views 1.5-2% for small channels, falling to ~0.15% for the largest.
    assert 0.01 < medians["nano"] < 0.05
    assert medians["macro"] < medians["mid"] < medians["micro"] < medians["nano"]


def test_round_3_significant_and_day_bounds(world: World) -> None:
    assert round_3_significant(999) == 999
    assert round_3_significant(123_456) == 123_000
    assert round_3_significant(1_999_999) == 1_990_000
    with pytest.raises(ValueError):
        world.day_index(DAY - timedelta(days=1))
    with pytest.raises(ValueError):
        world.day_index(world.end_date + timedelta(days=1))


def test_every_kind_of_case_is_injected() -> None:
    world = World(seed=7, accounts=200, days=90)
    counts = Counter(c["flag_type"] for c in injected_cases(world, world.end_date))
    kinds = (
        "follower_spike", "follower_drop", "low_engagement", "engagement_anomaly",
        "undisclosed_sponsorship", "weak_disclosure", "brand_safety", "competitor_mention",
        "inactive_partner", "late_payment", "order_cancelled", "order_refunded", "went_cold",
    )  # fmt: skip
    assert set(counts) == set(kinds)
    assert min(counts.values()) >= 2, counts
    spikes = [
        c for c in injected_cases(world, world.end_date) if c["flag_type"] == "follower_spike"
    ]
    assert {c["detail"]["severity"] for c in spikes} == {"high", "medium"}


def test_only_injected_events_move_followers_much() -> None:
    """Natural days stay within MAX_DAILY_STEP, so a spike or purge is always injected; hidden
    counts get no event (nobody could see it)."""
    world = World(seed=7, accounts=200, days=90)
    for account in world.accounts:
        series = world.followers(account.index).astype(float)
        change = np.diff(series) / series[:-1]
        event = world.account_plan(account.index).follower_event
        if event is None:
            # one follower of rounding on top of the step for the smallest accounts
            assert np.abs(change).max() <= MAX_DAILY_STEP + 1 / series.min() + 1e-9
            continue
        assert not account.hidden_followers
        jump = change[event.day - 1]
        assert jump > 0.06 if event.kind == "spike" else jump < -0.06
        assert np.abs(np.delete(change, event.day - 1)).max() <= MAX_DAILY_STEP + 0.01
