"""The synthetic world: deterministic by seed, and complete in small sizes (every tier and trap)."""

from __future__ import annotations

import re
from datetime import date

from sandbox.injections import injected_cases
from sandbox.world import TIERS, World, tier_of


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


def test_start_date_moves_the_calendar_not_the_business() -> None:
    shifted = World(seed=7, accounts=60, days=40, start_date=date(2025, 6, 1)).business
    base = World(seed=7, accounts=60, days=40).business
    assert [c.starts_day for c in shifted.campaigns] == [c.starts_day for c in base.campaigns]
