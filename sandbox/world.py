"""A deterministic synthetic world: creators, their platform accounts, follower series and posts.

Everything is a pure function of (seed, size, start date). Each entity draws from its own random
stream, `PCG64(SeedSequence([seed, kind, index, ...]))`, so the order of generation and queries
never matters, and the first accounts and days of a world are the same in a larger or longer
world with the same seed.

Only the catalogue (creators and accounts) is built eagerly. Per-day state is computed lazily and
vectorised per account: a follower series is one numpy array, a post's metrics are a closed-form
function of its age, and texts are generated when asked for. A 10k-account, 180-day world thus
costs a few small arrays per account actually queried.

Day index 0 is `start_date`; posts also exist in a back catalogue of BACKLOG_DAYS before it
(negative days), as real channels have videos from before anyone started watching them.

Natural data is kept clear of the quality-flag rules (SPEC 5.3), so that what the pipeline flags
is what the world injected (sandbox/injections.py): a natural day never moves followers by more
than MAX_DAILY_STEP, engagement norms change smoothly with follower count (no jump at a tier
edge), posting is regular (gamma-distributed gaps), and natural texts carry no disclosure,
brand-safety or competitor token. Injected cases (follower spikes and purges, pods, low
engagement, inactive creators, sponsored posts with weak or no disclosure, ...) and the business
data (campaigns, contracts, payments, shop orders, touchpoints; sandbox/business.py) show through
the same methods every API reads: followers(), posts(), metrics(), post_text().
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from sandbox import injections, vocab

if TYPE_CHECKING:
    from sandbox.business import Business

DEFAULT_START_DATE = date(2026, 1, 1)
PLATFORMS = ("youtube", "instagram", "tiktok")
TIERS = ("nano", "micro", "mid", "macro")
TIER_FLOORS = (0, 1_000, 10_000, 100_000)  # the brief's tiers: nano < 1k <= micro < 10k ...
BACKLOG_DAYS = 56
DAY_S = 86_400
STATUSES = (("active", 0.70), ("paused", 0.10), ("prospect", 0.12), ("ended", 0.08))

# Stream kinds mixed into the per-entity seeds. Injected cases and business data use kinds
# from 100 up (sandbox/injections.py, sandbox/business.py), so no two streams ever coincide.
_CREATOR, _ACCOUNT, _FOLLOWERS, _ARRIVALS, _POST_Z, _POST_U, _TEXT, _ENGAGEMENT = range(8)

# Natural follower change is bounded, so only injected events pass the flag thresholds (a 2%
# gain for follower_spike, a 5% loss for follower_drop), even after YouTube's rounding to three
# significant figures (at most one unit = 1% more).
MAX_DAILY_STEP = 0.008
POSTING_REGULARITY = 4.0  # gamma shape of the gaps between posts (1 would be Poisson)

# Video ids pack (account, post) reversibly; the low bits must decode to zero, so an unknown id
# is recognised without a lookup table (a random id passes with probability 2**-24).
_ACCOUNT_BITS, _POST_BITS, _CHECK_BITS = 24, 16, 24
MAX_POSTS_PER_ACCOUNT = (1 << _POST_BITS) - 1
_ID_MULTIPLIER = 982_451_653  # a prime other than 2 and 5: coprime to 10
_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{10}[AEIMQUYcgkosw048]")  # 64 bits in 11 base64url chars


@dataclass(frozen=True)
class Benchmark:
    """Engagement norms per platform x tier that posts are drawn around.

    Sources (reference/domain_facts.md): YouTube likes/views from Modash (1.5-2% at 1-5K, ~0.15%
    above 1M); Instagram interactions/followers near HypeAuditor's band means (10.6% for 0-1K
    falling to 1.6% for 100K+, 2.8% nano in 2023); TikTok nano about 12.6% (HypeAuditor 2023).
    """

    views_per_follower: float  # a post's eventual views / the account's followers
    interactions_per_view: float  # (likes + comments) / views
    comment_share: float  # comments / (likes + comments)
    settle_days: float  # time constant of the cumulative views curve


BENCHMARKS: dict[str, dict[str, Benchmark]] = {
    "youtube": {
        "nano": Benchmark(0.50, 0.030, 0.06, 4.0),
        "micro": Benchmark(0.40, 0.020, 0.06, 4.0),
        "mid": Benchmark(0.30, 0.012, 0.06, 4.0),
        "macro": Benchmark(0.25, 0.005, 0.06, 4.0),
    },
    "instagram": {
        "nano": Benchmark(0.35, 0.170, 0.03, 1.0),
        "micro": Benchmark(0.30, 0.117, 0.03, 1.0),
        "mid": Benchmark(0.25, 0.072, 0.03, 1.0),
        "macro": Benchmark(0.20, 0.075, 0.03, 1.0),
    },
    "tiktok": {
        "nano": Benchmark(2.00, 0.063, 0.02, 2.0),
        "micro": Benchmark(1.20, 0.070, 0.02, 2.0),
        "mid": Benchmark(0.80, 0.080, 0.02, 2.0),
        "macro": Benchmark(0.50, 0.080, 0.02, 2.0),
    },
}
# Each tier's benchmark holds exactly at these follower counts and is interpolated in log
# followers in between, so two accounts either side of a tier edge engage alike.
BENCHMARK_ANCHORS = (300, 3_000, 30_000, 300_000)
POSTS_PER_WEEK = {"youtube": (1.0, 3.5), "instagram": (2.0, 6.0), "tiktok": (3.0, 10.0)}
HIDDEN_LIKES_P = {"youtube": 0.04, "instagram": 0.03, "tiktok": 0.0}
COMMENTS_OFF_P = {"youtube": 0.05, "instagram": 0.02, "tiktok": 0.0}
HIDDEN_FOLLOWERS_P = {"youtube": 0.06, "instagram": 0.0, "tiktok": 0.0}
SHARES_PER_LIKE = 0.08
# Rows of World.comment_counts kept (one per account and day, a count per post): every day of a
# 200-account, 90-day world; a larger world keeps the days its current accounts are asked.
COMMENT_ROWS_CACHED = 32_768
_COUNTRY_P = np.array([w for _, w in vocab.COUNTRIES], dtype=float) / sum(
    w for _, w in vocab.COUNTRIES
)

# The first creators are a fixed showcase, so even a ~20-account world has every tier on
# YouTube and a hidden subscriber count: (first platform, forced tier, forced hidden followers).
SHOWCASE: tuple[tuple[str, str | None, bool], ...] = (
    ("youtube", "macro", False),
    ("youtube", "mid", False),
    ("youtube", "micro", False),
    ("youtube", "nano", False),
    ("youtube", None, True),
    *((p, t, False) for p in ("instagram", "tiktok") for t in ("macro", "mid", "micro", "nano")),
)


def benchmark_for(platform: str, followers: int) -> Benchmark:
    """The engagement norms of an account of this size (log-interpolated between tiers)."""
    x = math.log10(max(followers, 1))
    anchors = [math.log10(a) for a in BENCHMARK_ANCHORS]
    tiers = [BENCHMARKS[platform][t] for t in TIERS]
    fields = [
        float(np.interp(x, anchors, [getattr(b, name) for b in tiers]))
        for name in Benchmark.__dataclass_fields__
    ]
    return Benchmark(*fields)


def tier_of(followers: int) -> str:
    for tier, floor in zip(reversed(TIERS), reversed(TIER_FLOORS), strict=True):
        if followers >= floor:
            return tier
    return TIERS[0]


def round_3_significant(count: int) -> int:
    """YouTube shows subscriber counts rounded down to three significant figures."""
    if count < 1000:
        return count
    unit = 10 ** (len(str(count)) - 3)
    return count // unit * unit


_UNDECOMPOSABLE = str.maketrans({"ø": "o", "ı": "i", "ß": "ss", "æ": "ae", "ł": "l"})


def ascii_slug(text: str) -> str:
    """Handles and e-mail local parts: 'Chloé O'Brien' -> 'chloeobrien'."""
    lowered = text.lower().translate(_UNDECOMPOSABLE)  # letters NFKD leaves alone
    plain = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain)


_M32, _M64 = (1 << 32) - 1, (1 << 64) - 1


def _mix32(x: Any, key: int) -> Any:
    """A keyed 32-bit round function (splitmix64 finaliser); same result for Python ints and
    numpy uint64 arrays, whose products wrap modulo 2**64 as the masks do for ints."""
    h = (x ^ key) * 0x9E3779B97F4A7C15 & _M64
    h ^= h >> 29
    h = h * 0xBF58476D1CE4E5B9 & _M64
    h ^= h >> 32
    return h & _M32


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@dataclass(frozen=True)
class Creator:
    index: int
    creator_id: str
    display_name: str
    email: str
    manager: str
    status: str
    country: str
    niche: str
    partnered_on: date | None
    account_indexes: tuple[int, ...]


@dataclass(frozen=True)
class Account:
    index: int
    creator_index: int
    platform: str
    handle: str  # without '@': YouTube custom URL, Instagram/TikTok username
    platform_id: str  # YouTube channel id; Instagram user id; TikTok user id
    title: str
    created_on: date
    followers_start: int  # followers on day 0
    growth_mu: float  # mean daily log growth of followers
    growth_sigma: float  # daily noise of that growth
    posts_per_week: float
    hidden_followers: bool  # YouTube hiddenSubscriberCount
    base_views: int  # lifetime views of content older than the back catalogue

    @property
    def tier(self) -> str:
        return tier_of(self.followers_start)


class Posts(NamedTuple):
    """One account's posts as parallel arrays, ascending by publication time."""

    published_s: np.ndarray  # int64 seconds since start_date 00:00 UTC (negative: back catalogue)
    final_views: np.ndarray  # views the post converges to
    settle_days: np.ndarray
    interactions_per_view: np.ndarray
    comment_share: np.ndarray
    likes_hidden: np.ndarray  # bool
    comments_hidden: np.ndarray  # bool
    duration_s: np.ndarray
    has_captions: np.ndarray  # bool
    pod: np.ndarray  # bool: an engagement pod inflated this post's comments (injected)


@dataclass(frozen=True)
class ChannelState:
    channel_id: str
    account_index: int
    day: date
    followers: int  # the world's truth
    subscriber_count: int | None  # as YouTube shows it; None when hidden
    hidden_subscriber_count: bool
    view_count: int
    video_count: int


@dataclass(frozen=True)
class PostText:
    title: str
    description: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class VideoState:
    video_id: str
    channel_id: str
    account_index: int
    post_index: int
    published_at: datetime
    text: PostText
    category_id: str
    duration_s: int
    has_captions: bool
    views: int
    likes: int | None  # None when the creator hides likes
    comments: int | None  # None when comments are disabled


class World:
    """The synthetic world. Query methods take `datetime.date` days within the world's range."""

    def __init__(
        self,
        seed: int,
        accounts: int,
        days: int,
        start_date: date = DEFAULT_START_DATE,
        cache_size: int = 4096,
    ) -> None:
        if seed < 0 or accounts < 1 or days < 1:
            raise ValueError("seed must be >= 0, accounts and days >= 1")
        if accounts >= 1 << _ACCOUNT_BITS:
            raise ValueError(f"at most {(1 << _ACCOUNT_BITS) - 1} accounts")
        self.seed, self.size, self.days, self.start_date = seed, accounts, days, start_date
        self._key = hashlib.blake2b(f"sandbox:{seed}".encode(), digest_size=16).digest()
        self._round_keys = [int.from_bytes(self._hash(f"round:{r}", 8)) for r in range(4)]
        self._id_offset = int.from_bytes(self._hash("post-ids", 8))
        self.creators: list[Creator] = []
        self.accounts: list[Account] = []
        self._build_catalogue()
        self._by_platform_id = {(a.platform, a.platform_id): a.index for a in self.accounts}
        self._by_handle = {(a.platform, a.handle.lower()): a.index for a in self.accounts}
        # Per-account caches, bounded so a large world queried everywhere stays in memory.
        self.creator_plan: Callable[[int], injections.CreatorPlan] = lru_cache(cache_size)(
            self._creator_plan
        )
        self.account_plan: Callable[[int], injections.AccountPlan] = lru_cache(cache_size)(
            self._account_plan
        )
        self.organic_followers: Callable[[int], np.ndarray] = lru_cache(cache_size)(
            self._organic_followers
        )
        self.followers: Callable[[int], np.ndarray] = lru_cache(cache_size)(self._followers)
        self.arrivals: Callable[[int], np.ndarray] = lru_cache(cache_size)(self._arrivals)
        self.posts: Callable[[int], Posts] = lru_cache(cache_size)(self._posts)
        self.video_ids: Callable[[int], tuple[str, ...]] = lru_cache(cache_size)(self._video_ids)
        self.post_text: Callable[[int, int], PostText] = lru_cache(16 * cache_size)(self._post_text)
        # A comment listing of a post needs its count on every day since it was published, and
        # the listings ask each account's posts day after day: a row is computed once.
        self.comment_counts: Callable[[int, int], np.ndarray] = lru_cache(COMMENT_ROWS_CACHED)(
            self._comment_counts
        )
        # The APIs are asked about the same posts day after day (statistics, comments).
        self.decode_video_id: Callable[[str], tuple[int, int] | None] = lru_cache(cache_size)(
            self._decode_video_id
        )
        self.decode_post_id: Callable[[str, str], tuple[int, int] | None] = lru_cache(cache_size)(
            self._decode_post_id
        )
        self._start_epoch_s = int(self.published_at(0).timestamp())
        self._iso_day: Callable[[int], str] = lru_cache(cache_size)(self._iso_day_of)

    # ---- calendar -------------------------------------------------------------------------

    @property
    def end_date(self) -> date:
        return self.start_date + timedelta(days=self.days - 1)

    def dates(self) -> list[date]:
        return [self.start_date + timedelta(days=i) for i in range(self.days)]

    def day_index(self, day: date) -> int:
        index = (day - self.start_date).days
        if not 0 <= index < self.days:
            raise ValueError(f"{day} is outside the world ({self.start_date}..{self.end_date})")
        return index

    def _rng(self, *key: int) -> np.random.Generator:
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence([self.seed, *key])))

    def rng(self, *key: int) -> np.random.Generator:
        """The stream of one entity: `PCG64(SeedSequence([seed, kind, index, ...]))`."""
        return self._rng(*key)

    @cached_property
    def tier_group_sizes(self) -> dict[tuple[str, str], int]:
        """Accounts with a visible count per (platform, starting tier)."""
        return injections.tier_group_sizes(self)

    @cached_property
    def business(self) -> Business:
        """Campaigns, contracts, payments, shop orders and touchpoints (built on first use)."""
        from sandbox.business import Business  # business.py builds on this module

        return Business(self)

    def _hash(self, text: str, size: int) -> bytes:
        return hashlib.blake2b(text.encode(), key=self._key, digest_size=size).digest()

    # ---- catalogue ------------------------------------------------------------------------

    def _build_catalogue(self) -> None:
        used_names: set[tuple[str, str]] = set()
        while len(self.accounts) < self.size:
            creator, platforms, handles = self._make_creator(len(self.creators), used_names)
            self.creators.append(creator)
            for position, platform in enumerate(platforms):
                index = creator.index
                showcase = SHOWCASE[index] if position == 0 and index < len(SHOWCASE) else None
                first_name = creator.display_name.split(" ", 1)[0]
                self.accounts.append(
                    self._make_account(creator, platform, handles[platform], first_name, showcase)
                )

    def _make_creator(
        self, index: int, used_names: set[tuple[str, str]]
    ) -> tuple[Creator, list[str], dict[str, str]]:
        """A creator, the platforms of their accounts and their handle on each platform."""
        rng = self._rng(_CREATOR, index)
        first = vocab.FIRST_NAMES[rng.integers(len(vocab.FIRST_NAMES))]
        last = vocab.LAST_NAMES[rng.integers(len(vocab.LAST_NAMES))]
        # Same names happen; the numeric suffix keeps handles and e-mails unique.
        suffix = str(index + 1) if (first, last) in used_names else ""
        used_names.add((first, last))
        # The last creator gets only the accounts left within the world's size.
        platforms = self._creator_platforms(rng, index)[: self.size - len(self.accounts)]
        status = str(rng.choice([s for s, _ in STATUSES], p=[p for _, p in STATUSES]))
        country = vocab.COUNTRIES[rng.choice(len(vocab.COUNTRIES), p=_COUNTRY_P)][0]
        niche = str(rng.choice(list(vocab.NICHES)))
        partnered_on = self.start_date - timedelta(days=int(rng.integers(14, 900)))
        manager = str(rng.choice(vocab.MANAGERS))
        domain = str(rng.choice(vocab.EMAIL_DOMAINS))
        slug_first, slug_last = ascii_slug(first), ascii_slug(last)
        creator = Creator(
            index=index,
            creator_id=f"cr_{index + 1:05d}",
            display_name=f"{first} {last}",
            email=f"{slug_first}.{slug_last}{suffix}@{domain}",
            manager=manager,
            status=status,
            country=country,
            niche=niche,
            partnered_on=None if status == "prospect" else partnered_on,
            account_indexes=tuple(range(len(self.accounts), len(self.accounts) + len(platforms))),
        )
        handles = {
            "youtube": f"{slug_first}{slug_last}{suffix}",
            "instagram": f"{slug_first}.{slug_last}{suffix}",
            "tiktok": f"{slug_first}_{slug_last}{suffix}",
        }
        return creator, platforms, handles

    @staticmethod
    def _creator_platforms(rng: np.random.Generator, index: int) -> list[str]:
        count = int(rng.choice([1, 2, 3], p=[0.40, 0.35, 0.25]))
        first = SHOWCASE[index][0] if index < len(SHOWCASE) else None
        if first is None:
            first = str(rng.choice(PLATFORMS, p=[0.5, 0.3, 0.2]))
        others = [p for p in rng.permutation(PLATFORMS).tolist() if p != first]
        return [first, *others][:count]

    def _make_account(
        self,
        creator: Creator,
        platform: str,
        handle: str,
        first_name: str,
        showcase: tuple[str, str | None, bool] | None,
    ) -> Account:
        index = len(self.accounts)
        rng = self._rng(_ACCOUNT, index)
        forced_tier = showcase[1] if showcase else None
        if forced_tier:
            # Log-uniform inside the tier, away from its edges so drift does not leave it.
            lo = TIER_FLOORS[TIERS.index(forced_tier)] * 1.3 or 80
            hi = (TIER_FLOORS + (3_000_000,))[TIERS.index(forced_tier) + 1] / 1.3
            followers = int(math.exp(rng.uniform(math.log(lo), math.log(hi))))
        else:
            # Pareto tail: P(F > x) = (x / 150) ** -0.5, so about 39% of accounts pass 1k,
            # 12% pass 10k and 4% reach 100k, as rosters skew small.
            followers = int(min(150 * (1.0 - rng.random()) ** -2.0, 20_000_000))
        hidden = bool(rng.random() < HIDDEN_FOLLOWERS_P[platform]) or bool(showcase and showcase[2])
        lo_rate, hi_rate = POSTS_PER_WEEK[platform]
        if platform == "youtube":
            platform_id = "UC" + _b64(self._hash(f"channel:{index}", 16))
            title = (
                creator.display_name
                if rng.random() < 0.6
                else f"{first_name} {vocab.NICHES[creator.niche].channel_word}"
            )
        elif platform == "instagram":
            platform_id = "17841" + str(int.from_bytes(self._hash(f"ig:{index}", 8)) % 10**12)
            title = creator.display_name
        else:
            platform_id = str(7 * 10**18 + int.from_bytes(self._hash(f"tt:{index}", 8)) % 10**18)
            title = creator.display_name
        return Account(
            index=index,
            creator_index=creator.index,
            platform=platform,
            handle=handle,
            platform_id=platform_id,
            title=title,
            created_on=self.start_date - timedelta(days=int(rng.integers(200, 3000))),
            followers_start=followers,
            # Healthy growth is 1-5% a month; some accounts stall or shrink.
            growth_mu=float(np.clip(rng.normal(0.0008, 0.0006), -0.0015, 0.003)),
            growth_sigma=0.0008 + 0.04 / math.sqrt(followers + 1),  # small accounts are noisier
            posts_per_week=float(rng.uniform(lo_rate, hi_rate)),
            hidden_followers=hidden,
            base_views=int(followers * rng.uniform(20, 80)),
        )

    def account(self, index: int) -> Account:
        return self.accounts[index]

    def creator_of(self, account: Account) -> Creator:
        return self.creators[account.creator_index]

    def account_of(self, creator: Creator, platform: str) -> Account | None:
        for index in creator.account_indexes:
            if self.accounts[index].platform == platform:
                return self.accounts[index]
        return None

    def accounts_on(self, platform: str) -> list[Account]:
        return [a for a in self.accounts if a.platform == platform]

    def find_account(self, platform: str, platform_id: str) -> Account | None:
        index = self._by_platform_id.get((platform, platform_id))
        return None if index is None else self.accounts[index]

    def find_handle(self, platform: str, handle: str) -> Account | None:
        index = self._by_handle.get((platform, handle.lower().lstrip("@")))
        return None if index is None else self.accounts[index]

    # ---- per-account series (lazy, cached) ------------------------------------------------

    def _creator_plan(self, creator_index: int) -> injections.CreatorPlan:
        return injections.plan_creator(self, creator_index)

    def _account_plan(self, account_index: int) -> injections.AccountPlan:
        return injections.plan_account(self, account_index)

    def _organic_followers(self, account_index: int) -> np.ndarray:
        """Followers the account earned itself at the end of each day: a geometric random walk
        from day 0 whose daily step is bounded by MAX_DAILY_STEP."""
        account = self.accounts[account_index]
        steps = self._rng(_FOLLOWERS, account_index).normal(
            account.growth_mu, account.growth_sigma, self.days
        )
        steps = np.clip(steps, -MAX_DAILY_STEP, MAX_DAILY_STEP)
        steps[0] = 0.0
        series = np.rint(account.followers_start * np.exp(np.cumsum(steps))).astype(np.int64)
        series.flags.writeable = False  # shared through the cache
        return series

    def _followers(self, account_index: int) -> np.ndarray:
        """Exact followers at the end of each day: the organic series plus an injected event
        (bought followers arriving in one day, or a purge), if the account has one."""
        organic = self.organic_followers(account_index)
        change = injections.follower_change(self, account_index)
        if change is None:
            return organic
        day, amount = change
        series = organic.copy()
        series[day:] += amount
        series.flags.writeable = False
        return series

    def _arrivals(self, account_index: int) -> np.ndarray:
        """Publication times, read sequentially from one stream so a longer world continues a
        shorter one instead of redrawing it. Gaps are gamma-distributed (regular creators);
        an inactive creator's accounts publish nothing from their plan's day on."""
        account = self.accounts[account_index]
        rng = self._rng(_ARRIVALS, account_index)
        span = (BACKLOG_DAYS + self.days) * DAY_S
        mean_gap = 7 * DAY_S / account.posts_per_week
        scale = mean_gap / POSTING_REGULARITY
        chunk = int(span / mean_gap) + 16
        times = np.cumsum(rng.gamma(POSTING_REGULARITY, scale, chunk))
        while times[-1] < span:
            more = rng.gamma(POSTING_REGULARITY, scale, chunk)
            times = np.concatenate([times, times[-1] + np.cumsum(more)])
        times = times[times < span][:MAX_POSTS_PER_ACCOUNT].astype(np.int64) - BACKLOG_DAYS * DAY_S
        stop = self.creator_plan(account.creator_index).inactive_from
        if stop is not None:
            times = times[times < stop * DAY_S]
        times.flags.writeable = False
        return times

    def engagement_factor(self, account_index: int) -> float:
        """How much more or less this account's audience engages than its size's norm."""
        z = float(self._rng(_ENGAGEMENT, account_index).standard_normal())
        return math.exp(0.15 * float(np.clip(z, -2.5, 2.5)))

    def _posts(self, account_index: int) -> Posts:
        account = self.accounts[account_index]
        bench = benchmark_for(account.platform, account.followers_start)
        published = self.arrivals(account_index)
        n = len(published)
        # Row i holds post i's draws, so a post's numbers do not depend on how many follow it.
        z = self._rng(_POST_Z, account_index).standard_normal((n, 5))
        u = self._rng(_POST_U, account_index).random((n, 5))
        day = np.clip(published // DAY_S, 0, self.days - 1)
        # Views come from the followers the account earned: bought ones watch nothing.
        followers_then = self.organic_followers(account_index)[day]
        if account.platform == "youtube":  # a fifth are Shorts, the rest ~9 minutes
            duration = np.where(
                u[:, 2] < 0.2, 15 + u[:, 3] * 44, np.clip(540 * np.exp(0.6 * z[:, 4]), 61, 5400)
            )
        else:
            duration = 7 + u[:, 3] * 83
        interactions_per_view = (
            bench.interactions_per_view
            * self.engagement_factor(account_index)
            * np.exp(0.25 * z[:, 2])
            * injections.engagement_scale(self, account_index, published)
        )
        final_views = np.maximum(
            followers_then * bench.views_per_follower * np.exp(0.45 * z[:, 0]), 3.0
        )
        likes_hidden = u[:, 0] < HIDDEN_LIKES_P[account.platform]
        comments_hidden = u[:, 1] < COMMENTS_OFF_P[account.platform]
        comment_share = np.clip(bench.comment_share * np.exp(0.25 * z[:, 3]), 0.005, 0.5)
        pod, comment_share = injections.pod_posts(
            self,
            account_index,
            published,
            final_views * interactions_per_view,
            comment_share,
            likes_hidden | comments_hidden,
        )
        posts = Posts(
            published_s=published,
            final_views=final_views,
            settle_days=bench.settle_days * np.exp(0.3 * z[:, 1]),
            interactions_per_view=interactions_per_view,
            comment_share=comment_share,
            likes_hidden=likes_hidden,
            comments_hidden=comments_hidden,
            duration_s=duration.astype(np.int64),
            has_captions=u[:, 4] < 0.3,
            pod=pod,
        )
        for array in posts:
            array.flags.writeable = False
        return posts

    def visible_count(self, account_index: int, day_index: int) -> int:
        """Posts published by the end of day `day_index`."""
        end = (day_index + 1) * DAY_S
        return int(np.searchsorted(self.posts(account_index).published_s, end, side="left"))

    def metrics(
        self, account_index: int, day_index: int, posts: slice | np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cumulative (views, likes, comments) at the end of `day_index` for the selected posts.

        Views approach their final value as 1 - exp(-age / settle); likes and comments are fixed
        shares of views, so every count only grows. Hidden counts are still computed here; the
        API decides what to show."""
        p = self.posts(account_index)
        select = slice(None) if posts is None else posts
        age_days = ((day_index + 1) * DAY_S - p.published_s[select]) / DAY_S
        grown = 1.0 - np.exp(-np.maximum(age_days, 0.0) / p.settle_days[select])
        views = np.floor(p.final_views[select] * grown)
        interactions = views * p.interactions_per_view[select]
        # Both floors of monotone functions, so neither count ever goes down.
        comments = np.floor(interactions * p.comment_share[select])
        likes = np.floor(interactions * (1.0 - p.comment_share[select]))
        return views.astype(np.int64), likes.astype(np.int64), comments.astype(np.int64)

    def _comment_counts(self, account_index: int, day_index: int) -> np.ndarray:
        """Every post's cumulative comments at the end of `day_index` (metrics' third count)."""
        counts = self.metrics(account_index, day_index)[2]
        counts.flags.writeable = False  # shared through the cache
        return counts

    def shares(
        self, account_index: int, day_index: int, posts: slice | np.ndarray | None = None
    ) -> np.ndarray:
        """Cumulative shares at the end of `day_index` (TikTok returns them): a fixed fraction
        of a post's likes, so they follow its engagement (and the injected cases) like likes."""
        _, likes, _ = self.metrics(account_index, day_index, posts)
        return (likes * SHARES_PER_LIKE).astype(np.int64)

    def published_at(self, published_s: int) -> datetime:
        start = datetime.combine(self.start_date, datetime.min.time(), tzinfo=UTC)
        return start + timedelta(seconds=int(published_s))

    # The APIs give the time of every post and comment they list, day after day: these two
    # give published_at's Unix seconds and ISO 8601 text without making a datetime each time.

    def epoch_s(self, published_s: int | np.integer[Any]) -> int:
        """int(published_at(published_s).timestamp())."""
        return self._start_epoch_s + int(published_s)

    def iso_time(self, published_s: int | np.integer[Any], zone: str = "Z") -> str:
        """published_at(published_s) as "2026-01-05T14:03:09Z" (RFC 3339), or with another
        `zone` for UTC (Instagram's "+0000")."""
        day, second = divmod(int(published_s), DAY_S)
        minutes, seconds = divmod(second, 60)
        return f"{self._iso_day(day)}T{minutes // 60:02d}:{minutes % 60:02d}:{seconds:02d}{zone}"

    def _iso_day_of(self, day_index: int) -> str:
        return (self.start_date + timedelta(days=day_index)).isoformat()

    # ---- ids ------------------------------------------------------------------------------

    def _feistel(self, value: Any, inverse: bool = False) -> Any:
        """A keyed 64-bit permutation (ints or uint64 arrays): ids look random, yet decode
        without a lookup table."""
        left, right = value >> 32, value & _M32
        if inverse:
            for key in reversed(self._round_keys):
                left, right = right ^ _mix32(left, key), left
        else:
            for key in self._round_keys:
                left, right = right, left ^ _mix32(right, key)
        return (left << 32) | right

    def _video_ids(self, account_index: int) -> tuple[str, ...]:
        """All the account's video ids by post index, encoded in one vectorised pass."""
        posts = np.arange(len(self.posts(account_index).published_s), dtype=np.uint64)
        packed = (np.uint64(account_index) << np.uint64(_POST_BITS + _CHECK_BITS)) | (
            posts << np.uint64(_CHECK_BITS)
        )
        codes = self._feistel(packed).astype(">u8")
        # 8 bytes + a zero byte = 12 base64 chars, the first 11 being the id.
        padded = np.zeros((len(codes), 9), dtype=np.uint8)
        padded[:, :8] = codes.view(np.uint8).reshape(-1, 8)
        text = base64.urlsafe_b64encode(padded.tobytes()).decode()
        return tuple(text[i : i + 11] for i in range(0, len(text), 12))

    def video_id(self, account_index: int, post_index: int) -> str:
        return self.video_ids(account_index)[post_index]

    def post_id(self, account_index: int, post_index: int) -> str:
        """The platform's own id of a post: a YouTube video id, an Instagram media id (17
        digits) or a TikTok video id (19 digits, above 2**53 so a float would corrupt it)."""
        platform = self.accounts[account_index].platform
        if platform == "youtube":
            return self.video_id(account_index, post_index)
        packed = (account_index << _POST_BITS) | post_index  # < 2**40
        # An affine map with a multiplier coprime to 10 is a bijection modulo 10**k, so ids are
        # unique without a table and look scattered.
        if platform == "instagram":
            return str(17 * 10**15 + (_ID_MULTIPLIER * packed + self._id_offset) % 10**15)
        return str(7 * 10**18 + (_ID_MULTIPLIER * packed + self._id_offset) % 10**18)

    def _decode_post_id(self, platform: str, post_id: str) -> tuple[int, int] | None:
        """(account index, post index) of a post id of this world on `platform`, else None:
        the affine map of post_id() inverted (its multiplier is invertible modulo 10**k)."""
        if platform == "youtube":
            return self.decode_video_id(post_id)
        base, modulus = (17 * 10**15, 10**15) if platform == "instagram" else (7 * 10**18, 10**18)
        if not post_id.isdigit() or not 0 <= int(post_id) - base < modulus:
            return None
        packed = (int(post_id) - base - self._id_offset) * pow(_ID_MULTIPLIER, -1, modulus)
        packed %= modulus
        account_index, post_index = packed >> _POST_BITS, packed & MAX_POSTS_PER_ACCOUNT
        if account_index >= len(self.accounts) or self.accounts[account_index].platform != platform:
            return None
        if post_index >= len(self.posts(account_index).published_s):
            return None
        return account_index, post_index

    def _decode_video_id(self, video_id: str) -> tuple[int, int] | None:
        """(account index, post index) of a YouTube video id of this world, else None."""
        if not _VIDEO_ID.fullmatch(video_id):
            return None
        code = int.from_bytes(base64.urlsafe_b64decode(video_id + "="))
        packed = self._feistel(code, inverse=True)
        if packed & ((1 << _CHECK_BITS) - 1):
            return None
        account_index = packed >> (_POST_BITS + _CHECK_BITS)
        post_index = (packed >> _CHECK_BITS) & MAX_POSTS_PER_ACCOUNT
        if (
            account_index >= len(self.accounts)
            or self.accounts[account_index].platform != "youtube"
        ):
            return None
        if post_index >= len(self.posts(account_index).published_s):
            return None
        return account_index, post_index

    # ---- texts ----------------------------------------------------------------------------

    def _post_text(self, account_index: int, post_index: int) -> PostText:
        """The natural text, with what business and injected cases add (sponsored captions,
        brand-safety terms, competitor mentions)."""
        natural = self._natural_text(account_index, post_index)
        return injections.overlay_text(self, account_index, post_index, natural)

    def _natural_text(self, account_index: int, post_index: int) -> PostText:
        account = self.accounts[account_index]
        niche = vocab.NICHES[self.creators[account.creator_index].niche]
        rng = self._rng(_TEXT, account_index, post_index)
        topic = str(rng.choice(niche.topics))
        fmt = str(rng.choice(vocab.FORMATS))
        words = {"topic": topic, "format": fmt, "n": int(rng.integers(3, 31))}
        title = str(rng.choice(vocab.TITLE_TEMPLATES)).format(**words)
        title = title[0].upper() + title[1:]
        hashtags = [
            str(h) for h in rng.choice(niche.hashtags, size=int(rng.integers(1, 4)), replace=False)
        ]
        # Mention another creator on the same platform now and then, as collaborations do.
        other = self.accounts[int(rng.integers(len(self.accounts)))]
        shout = str(rng.choice(vocab.SHOUTOUTS))
        if other.platform != account.platform or other.index == account.index:
            shout = vocab.SHOUTOUTS[-1]
        lines = [
            str(rng.choice(vocab.OPENERS)).format(**words),
            shout.format(mention="@" + other.handle),
            " ".join(hashtags),
        ]
        tags = (topic, fmt, *(h.lstrip("#") for h in hashtags))
        return PostText(title=title, description="\n\n".join(lines), tags=tags)

    # ---- YouTube queries ------------------------------------------------------------------

    def channel(self, channel_id: str) -> Account | None:
        return self.find_account("youtube", channel_id)

    def channel_state(self, channel_id: str, day: date) -> ChannelState | None:
        account = self.channel(channel_id)
        if account is None:
            return None
        d = self.day_index(day)
        followers = int(self.followers(account.index)[d])
        count = self.visible_count(account.index, d)
        views, _, _ = self.metrics(account.index, d, slice(0, count))
        return ChannelState(
            channel_id=channel_id,
            account_index=account.index,
            day=day,
            followers=followers,
            subscriber_count=None if account.hidden_followers else round_3_significant(followers),
            hidden_subscriber_count=account.hidden_followers,
            view_count=account.base_views + int(views.sum()),
            video_count=count,
        )

    def videos_of(self, channel_id: str, up_to_day: date) -> list[str]:
        """Ids of the channel's videos published by the end of `up_to_day`, newest first."""
        account = self.channel(channel_id)
        if account is None:
            return []
        count = self.visible_count(account.index, self.day_index(up_to_day))
        return list(reversed(self.video_ids(account.index)[:count]))

    def post_published_at(self, account_index: int, post_index: int) -> datetime:
        return self.published_at(int(self.posts(account_index).published_s[post_index]))

    def video_state(self, video_id: str, day: date) -> VideoState | None:
        """The video as of the end of `day`; None when unknown or not yet published."""
        decoded = self.decode_video_id(video_id)
        if decoded is None:
            return None
        account_index, post_index = decoded
        d = self.day_index(day)
        if post_index >= self.visible_count(account_index, d):
            return None
        p = self.posts(account_index)
        at = slice(post_index, post_index + 1)
        views, likes, comments = (int(x[0]) for x in self.metrics(account_index, d, at))
        account = self.accounts[account_index]
        return VideoState(
            video_id=video_id,
            channel_id=account.platform_id,
            account_index=account_index,
            post_index=post_index,
            published_at=self.post_published_at(account_index, post_index),
            text=self.post_text(account_index, post_index),
            category_id=vocab.NICHES[self.creators[account.creator_index].niche].category_id,
            duration_s=int(p.duration_s[post_index]),
            has_captions=bool(p.has_captions[post_index]),
            views=views,
            likes=None if p.likes_hidden[post_index] else likes,
            comments=None if p.comments_hidden[post_index] else comments,
        )

    def summary(self) -> dict[str, object]:
        return {
            "seed": self.seed,
            "accounts": self.size,
            "days": self.days,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "creators": len(self.creators),
            "accounts_by_platform": {p: len(self.accounts_on(p)) for p in PLATFORMS},
        }
