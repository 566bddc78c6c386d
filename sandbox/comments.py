"""The comments under the world's YouTube and TikTok posts, with a ground-truth polarity each.

A post's comment count as the platform reports it (`commentCount`, `comment_count`) is made of
*units*, one per comment ever written: unit k exists from the first day whose reported count
passes k, so the units of a day are always a prefix of the next day's and a comment, once
listed, stays listed. Each unit is one of three things, drawn from the post's own stream
`(seed, COMMENTS_STREAM, account, post)` (row k holds unit k's draws, so nothing here consumes
or shifts any other stream of the world and every other output stays byte-identical):

- a top-level comment (what commentThreads.list and TikTok's video/comment/list list), about
  82% of units;
- a reply to an earlier top-level comment (REPLY_SHARE): counted in its parent's
  `totalReplyCount` / `reply_count`, but not listed; replies need comments.list (YouTube) or a
  `comment_id` query (TikTok), which the pipeline does not call and the sandbox does not serve;
- withheld (WITHHELD_SHARE): deleted, or held for review, as on the real platforms: counted,
  never listed.

So listed + Σ reply counts + withheld = the reported count, and the listed comments are about
82% of it. A comment's language is mostly English (LANGUAGE_SHARES); EMOJI_ONLY_SHARE of them
are emoji only. Its polarity is drawn from POLARITY_SHARES, with a few more negative comments
under sponsored posts; its text is a sentence of sandbox/vocab.toml of that language and polarity,
written so that an English lexicon model (VADER) gives it that polarity. Only English comments
with words are `is_scorable`. Published times fall inside the unit's day, after the post's
publication and never after the as-of day; likes grow over the comment's first days.

An injected case (negative_sentiment_shift): the audience of a few creators turns. From the
first day of a calendar month on, every comment written under the creator's posts draws its
polarity from the "turned" shares instead (net -0.45 against organic +0.37): the net sentiment
of the creator's comments falls by about 0.8 from the month before to that month. The plan is
the creator's own stream `(seed, TURN_STREAM, creator)` and the turned polarity reuses the
comment's own draw, so nothing else of the world moves. Only a creator with at least
TURN_MIN_COMMENTS reported comments in both months is turned, so both months hold far more
scorable comments than the flag's minimum of 50; `month_sentiment` measures both months for the
ground truth (sandbox/injections.py lists the case).

Instagram posts have none: other accounts' comments are not available through business
discovery (reference/listening_api_shapes.md 2.4), so the sandbox neither makes nor serves them.
Posts with comments disabled (world.Posts.comments_hidden: YouTube 5%, TikTok none) have none.
"""

from __future__ import annotations

import base64
import hashlib
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar, overload

import numpy as np

from sandbox import vocab
from sandbox.world import DAY_S, World, ascii_slug

# The world's kinds are 0-7, injections 100-103, business 110-119 and 121, crm 120.
COMMENTS_STREAM = 130
TURN_STREAM = 131  # which creators' audiences turn, and from which month
PLATFORMS = ("youtube", "tiktok")
WITHHELD_SHARE = 0.03  # deleted or held for review: counted by the platform, never listed
REPLY_SHARE = 0.15  # replies: counted, listed only through calls the pipeline does not make
EMOJI_ONLY_SHARE = 0.05
LANGUAGE_SHARES = (("en", 0.80), ("es", 0.06), ("de", 0.05), ("fr", 0.05), ("pt", 0.04))
POLARITIES = ("positive", "neutral", "negative")
# Shares of (positive, neutral, negative); a sponsored post's audience is a little more critical;
# an audience that turned (the injected negative_sentiment_shift) is mostly negative.
POLARITY_SHARES = {
    "organic": (0.55, 0.27, 0.18),
    "sponsored": (0.47, 0.27, 0.26),
    "turned": (0.15, 0.25, 0.60),
}
P_TURN = 0.2  # of the creators with comments enough for a turn
# Reported comments in each of the two months: about 0.62 of them are listed and scorable, so
# about 95, near twice the flag's minimum (dbt var sentiment_shift_min_comments).
TURN_MIN_COMMENTS = 150
SHIFT_MIN_SCORED = 50  # the flag's minimum of scored comments in each of the two months
COMMENTERS = 50_000  # the pool of commenting users, so some comment under many posts
LIKES_SETTLE_DAYS = 1.0
DEFAULT_WINDOW_DAYS = 30  # ground truth: posts this young (the pipeline's default refresh window)

_ROLE, _PARENT, _TIME, _POLARITY, _LANGUAGE, _TEXT, _EMOJI, _AUTHOR, _LIKES = range(9)
_TOP, _REPLY, _WITHHELD = 0, 1, 2
_LANGUAGE_CUTS = np.cumsum([share for _, share in LANGUAGE_SHARES])

T = TypeVar("T")


class LazyColumn(Sequence[T]):
    """A column of a listing whose items are made when read. A post's listing holds every
    comment it has, but a call reads at most a page of its newest comments (the pipeline asks
    for up to its cap): hashing an id and naming a language for every comment of every popular
    post, every day, was most of the sandbox's time for TikTok's comments."""

    def __init__(self, size: int, item: Callable[[int], T]) -> None:
        self._size, self._item = size, item

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...
    def __getitem__(self, i: int | slice) -> T | list[T]:
        if isinstance(i, slice):
            return [self._item(j) for j in range(*i.indices(self._size))]
        if not -self._size <= i < self._size:
            raise IndexError(f"comment {i} of {self._size}")
        return self._item(i % self._size)


@dataclass(frozen=True)
class PostComments:
    """A post's comments as of the end of a day; the arrays hold the listed (top-level)
    comments, newest first."""

    platform: str
    account_index: int
    post_index: int
    post_id: str  # the platform's own id of the post
    day_index: int
    disabled: bool
    sponsored: bool
    comment_count: int  # as the platform reports it: every unit
    replies: int
    withheld: int
    ids: Sequence[str]  # a LazyColumn: made when read
    published_s: np.ndarray  # seconds since the world's start, like Posts.published_s
    polarity: np.ndarray  # index into POLARITIES
    language: Sequence[str | None]  # None for emoji only (a LazyColumn)
    text_draw: np.ndarray  # which sentence of its language and polarity
    author: np.ndarray  # index into the commenter pool
    like_count: np.ndarray
    reply_count: np.ndarray

    @property
    def listed(self) -> int:
        return len(self.ids)

    def is_scorable(self, i: int) -> bool:
        """English words: what an English lexicon model can score."""
        return self.language[i] == "en"

    def text(self, i: int) -> str:
        polarity = POLARITIES[int(self.polarity[i])]
        language = self.language[i]
        texts = (
            vocab.EMOJI_ONLY_COMMENTS[polarity]
            if language is None
            else vocab.COMMENT_TEXTS[language][polarity]
        )
        return texts[int(self.text_draw[i] * len(texts))]


def has_comments(world: World, account_index: int) -> bool:
    return world.account(account_index).platform in PLATFORMS


def post_comments(
    world: World, account_index: int, post_index: int, day_index: int
) -> PostComments:
    """The comments of one post as of the end of `day_index`."""
    return account_comments(world, account_index, day_index, [post_index])[0]


def account_comments(
    world: World, account_index: int, day_index: int, post_indexes: list[int]
) -> list[PostComments]:
    """The comments of several posts of one account (published by `day_index`)."""
    if not has_comments(world, account_index):
        raise ValueError("only YouTube and TikTok posts have comments in the sandbox")
    turn = sentiment_turn(world, world.account(account_index).creator_index)
    turned_from_s = None if turn is None else turn.day_index * DAY_S
    return [_listing(world, account_index, p, day_index, turned_from_s) for p in post_indexes]


# Posts whose comment units a world keeps (as World.comment_counts keeps rows): every post with
# comments that a 200-account, 90-day history lists (about 5,000, 6 KB each with the ids read),
# the most recently listed ones of a larger world (at most about 100 MB).
UNITS_CACHED = 16_384


@dataclass(frozen=True)
class _Units:
    """A post's first `count` comment units as drawn and placed in time.

    Nothing of a unit changes once it is written (role, time, parent, polarity, words, author,
    eventual likes: row k of the post's stream is unit k's, whatever the count), and a unit
    written on a later day is newer than every unit before it. So the top-level comments of
    any day whose count is at most `count` are the last ones of `tops` (newest first), and that
    day's listing is slices of these arrays: a post's units are drawn again only when it has
    gained comments since (a few % of the listings), not on every listing of every day.
    """

    count: int
    tops: np.ndarray  # unit of each top-level comment, newest first
    published_s: np.ndarray
    polarity: np.ndarray  # index into POLARITIES
    language: np.ndarray  # index into _LANGUAGE_NAMES
    text_draw: np.ndarray
    author: np.ndarray
    final_likes: np.ndarray
    top_units: np.ndarray  # `tops` ascending: how many of a day's first units are top-level
    reply_units: np.ndarray  # ascending
    reply_parents: np.ndarray  # each reply's parent, as its position in `tops`
    withheld_units: np.ndarray  # ascending
    ids: dict[int, str]  # comment ids by unit, made when first read

    def first_listed(self, count: int) -> int:
        """Position in `tops` of the newest top-level comment among the first `count` units
        (len(tops) when there is none)."""
        return len(self.tops) - int(self.top_units.searchsorted(count))

    def likes(self, start: int, day_index: int) -> np.ndarray:
        """Likes of tops[start:] at the end of `day_index`: they grow over a comment's first
        days."""
        if start == len(self.tops):
            return _NONE
        age_days = ((day_index + 1) * DAY_S - self.published_s[start:]) / DAY_S
        settled = 1 - np.exp(-age_days / LIKES_SETTLE_DAYS)
        return np.floor(self.final_likes[start:] * settled).astype(np.int64)

    def reply_counts(self, start: int, replies: int) -> np.ndarray:
        """Replies to tops[start:] among the first `replies` replies."""
        if start == len(self.tops):
            return _NONE
        counts = np.bincount(self.reply_parents[:replies], minlength=len(self.tops))
        return counts[start:].astype(np.int64, copy=False)

    def comment_id(self, seed: int, platform: str, post_id: str, position: int) -> str:
        unit = int(self.tops[position])
        if unit not in self.ids:
            self.ids[unit] = _comment_id(seed, platform, post_id, unit)
        return self.ids[unit]


_NONE, _NO_DRAWS = np.zeros(0, dtype=np.int64), np.zeros(0)
_NONE.flags.writeable = _NO_DRAWS.flags.writeable = False
# A post without comments (yet, or disabled): most YouTube posts of a day's window.
_NO_UNITS = _Units(
    0, _NONE, _NONE, _NONE, _NONE, _NO_DRAWS, _NONE, _NO_DRAWS, _NONE, _NONE, _NONE, _NONE, {}
)


def _listing(
    world: World,
    account_index: int,
    post_index: int,
    day_index: int,
    turned_from_s: int | None,
) -> PostComments:
    """One post's listing as of the end of `day_index`: its units' slices and that day's
    likes and reply counts."""
    posts = world.posts(account_index)
    platform = world.account(account_index).platform
    disabled = bool(posts.comments_hidden[post_index])
    sponsored = world.business.sponsored_post(account_index, post_index) is not None
    count = 0 if disabled else int(world.comment_counts(account_index, day_index)[post_index])
    units = _units(
        world, _Post(account_index, post_index, sponsored, turned_from_s), day_index, count
    )
    start = units.first_listed(count)
    replies = int(units.reply_units.searchsorted(count))
    post_id = world.post_id(account_index, post_index)
    listed = len(units.tops) - start
    return PostComments(
        platform=platform,
        account_index=account_index,
        post_index=post_index,
        post_id=post_id,
        day_index=day_index,
        disabled=disabled,
        sponsored=sponsored,
        comment_count=count,
        replies=replies,
        withheld=int(units.withheld_units.searchsorted(count)),
        ids=LazyColumn(
            listed, lambda i: units.comment_id(world.seed, platform, post_id, start + i)
        ),
        published_s=units.published_s[start:],
        polarity=units.polarity[start:],
        language=LazyColumn(listed, lambda i: _LANGUAGE_NAMES[units.language[start + i]]),
        text_draw=units.text_draw[start:],
        author=units.author[start:],
        like_count=units.likes(start, day_index),
        reply_count=units.reply_counts(start, replies),
    )


class _Post(NamedTuple):
    """A post as its comments' draws need it."""

    account_index: int
    post_index: int
    sponsored: bool
    turned_from_s: int | None  # from then on, its comments are those of an audience that turned


# Units per world and (account, post), least recently listed first.
_UNITS: weakref.WeakKeyDictionary[World, OrderedDict[tuple[int, int], _Units]] = (
    weakref.WeakKeyDictionary()
)


def _units(world: World, post: _Post, day_index: int, count: int) -> _Units:
    """The post's units, at least `count` of them (its count at the end of `day_index`): the
    kept ones if they suffice, else drawn again up to `count`."""
    if count == 0:
        return _NO_UNITS
    cache = _UNITS.setdefault(world, OrderedDict())
    key = (post.account_index, post.post_index)
    kept = cache.get(key)
    if kept is not None and kept.count >= count:
        cache.move_to_end(key)
        return kept
    units = _draw_units(world, post, day_index, count)
    if kept is not None:
        units.ids.update(kept.ids)  # a unit's id never changes
    cache[key] = units
    cache.move_to_end(key)
    if len(cache) > UNITS_CACHED:
        cache.popitem(last=False)
    return units


def _draw_units(world: World, post: _Post, day_index: int, count: int) -> _Units:
    """The post's first `count` units, `count` being its count at the end of `day_index`."""
    account_index, post_index, sponsored, turned_from_s = post
    published_s = int(world.posts(account_index).published_s[post_index])
    first_day = published_s // DAY_S
    # daily_counts[d - first_day]: the post's reported comments at the end of day d.
    days = range(first_day, day_index + 1)
    daily_counts = np.array(
        [world.comment_counts(account_index, d)[post_index] for d in days], dtype=np.int64
    )
    draws = world.rng(COMMENTS_STREAM, account_index, post_index).random((count, 9))
    roles = _roles(draws[:, _ROLE])
    top_units = np.flatnonzero(roles == _TOP)
    reply_units = np.flatnonzero(roles == _REPLY)
    # A reply answers one of the top-level comments written before it.
    before = np.searchsorted(top_units, reply_units)
    parents = top_units[(draws[reply_units, _PARENT] * before).astype(np.int64)]
    published = _unit_times(published_s, daily_counts, first_day, draws[:, _TIME])[top_units]
    # Newest first; a tie of seconds is broken by the later unit.
    order = np.lexsort((-top_units, -published))
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    tops, published = top_units[order], published[order]
    top_draws = draws[tops]
    turned = (
        np.zeros(len(published), dtype=bool)
        if turned_from_s is None
        else published >= turned_from_s
    )
    units = _Units(
        count=count,
        tops=tops,
        published_s=published,
        polarity=_polarity(top_draws[:, _POLARITY], sponsored, turned),
        language=_languages(top_draws[:, _LANGUAGE], top_draws[:, _EMOJI]),
        text_draw=top_draws[:, _TEXT],
        author=(top_draws[:, _AUTHOR] * COMMENTERS).astype(np.int64),
        final_likes=np.floor(10 ** (2.5 * top_draws[:, _LIKES] ** 2)) - 1,
        top_units=top_units,
        reply_units=reply_units,
        reply_parents=position[np.searchsorted(top_units, parents)],
        withheld_units=np.flatnonzero(roles == _WITHHELD),
        ids={},
    )
    for array in (getattr(units, name) for name in _Units.__dataclass_fields__):
        if isinstance(array, np.ndarray):
            array.flags.writeable = False  # listings are views of them
    return units


def _roles(u: np.ndarray) -> np.ndarray:
    roles = np.where(
        u < WITHHELD_SHARE, _WITHHELD, np.where(u < WITHHELD_SHARE + REPLY_SHARE, _REPLY, _TOP)
    )
    answered = np.flatnonzero(roles != _WITHHELD)
    if len(answered) and roles[answered[0]] == _REPLY:
        roles[answered[0]] = _TOP  # the first comment has nothing to reply to
    return roles


def _unit_times(
    published_s: int, daily_counts: np.ndarray, first_day: int, u: np.ndarray
) -> np.ndarray:
    """Each unit's time: inside the first day whose count passes its index, after the post."""
    day = first_day + np.searchsorted(daily_counts, np.arange(len(u)), side="right")
    start = np.maximum(day * DAY_S, published_s + 1)
    end = (day + 1) * DAY_S
    return np.minimum(start + (u * (end - start)).astype(np.int64), end - 1)


def _polarity(u: np.ndarray, sponsored: bool, turned: np.ndarray) -> np.ndarray:
    """Index into POLARITIES; a turned comment reads the same draw against the turned shares."""
    usual = _polarity_of(u, POLARITY_SHARES["sponsored" if sponsored else "organic"])
    return np.where(turned, _polarity_of(u, POLARITY_SHARES["turned"]), usual)


def _polarity_of(u: np.ndarray, shares: tuple[float, float, float]) -> np.ndarray:
    positive, neutral, _ = shares
    return np.where(u < positive, 0, np.where(u < positive + neutral, 1, 2))


# A comment's language by index; the last, None, is an emoji-only comment's.
_LANGUAGE_NAMES: tuple[str | None, ...] = (*(language for language, _ in LANGUAGE_SHARES), None)


def _languages(u_language: np.ndarray, u_emoji: np.ndarray) -> np.ndarray:
    """Index into _LANGUAGE_NAMES."""
    picked = np.searchsorted(_LANGUAGE_CUTS, u_language * _LANGUAGE_CUTS[-1], side="right")
    named = np.minimum(picked, len(LANGUAGE_SHARES) - 1)
    return np.where(u_emoji < EMOJI_ONLY_SHARE, len(LANGUAGE_SHARES), named)


def _comment_id(seed: int, platform: str, post_id: str, unit: int) -> str:
    """YouTube: a 26-character thread id ("Ug…4AaABAg"); TikTok: int64 digits above 2**53."""
    digest = hashlib.blake2b(f"comment:{seed}:{post_id}:{unit}".encode(), digest_size=13).digest()
    if platform == "youtube":
        return "Ug" + base64.urlsafe_b64encode(digest).decode()[:17] + "4AaABAg"
    return str(7 * 10**18 + int.from_bytes(digest[:8]) % 10**18)


# ---- the audience that turns (injected: negative_sentiment_shift) -------------------------


@dataclass(frozen=True)
class SentimentTurn:
    creator_index: int
    previous_day_index: int  # first day of the calendar month before the turn
    day_index: int  # first day of the calendar month from which the audience turns
    end_day_index: int  # first day after that month (or after the world)


# Plans per world, computed once: every listing asks for its creator's.
_TURNS: weakref.WeakKeyDictionary[World, dict[int, SentimentTurn | None]] = (
    weakref.WeakKeyDictionary()
)


def sentiment_turn(world: World, creator_index: int) -> SentimentTurn | None:
    """The creator's turn, if the plan gives one: P_TURN of the creators with comments enough
    in some two consecutive months of the world, the earlier one whole; the month is drawn
    among those pairs."""
    plans = _TURNS.setdefault(world, {})
    if creator_index not in plans:
        plans[creator_index] = _plan_turn(world, creator_index)
    return plans[creator_index]


def _plan_turn(world: World, creator_index: int) -> SentimentTurn | None:
    u = world.rng(TURN_STREAM, creator_index).random(2)
    if u[0] >= P_TURN:
        return None
    accounts = _commented_accounts(world, creator_index)
    if not accounts:
        return None
    firsts = _month_firsts(world)
    bounds = list(zip(firsts, firsts[1:], [*firsts[2:], world.days], strict=False))
    candidates = [
        SentimentTurn(creator_index, previous, first, end)
        for previous, first, end in bounds
        if _reported_comments(world, accounts, previous, first) >= TURN_MIN_COMMENTS
        and _reported_comments(world, accounts, first, end) >= TURN_MIN_COMMENTS
    ]
    return candidates[int(u[1] * len(candidates))] if candidates else None


def _commented_accounts(world: World, creator_index: int) -> list[int]:
    return [i for i in world.creators[creator_index].account_indexes if has_comments(world, i)]


def _month_firsts(world: World) -> list[int]:
    """Day indexes of the first days of the calendar months that start inside the world."""
    return [d for d in range(world.days) if (world.start_date + timedelta(days=d)).day == 1]


def _reported_comments(world: World, accounts: list[int], first_day: int, end_day: int) -> int:
    """Comments the platforms report as written in [first_day, end_day) under the accounts'
    posts with comments on."""
    total = 0
    for account_index in accounts:
        on = ~world.posts(account_index).comments_hidden
        before = world.metrics(account_index, first_day - 1)[2]
        after = world.metrics(account_index, end_day - 1)[2]
        total += int((after - before)[on].sum())
    return total


@dataclass(frozen=True)
class MonthSentiment:
    scored: int  # listed, scorable comments
    net: float | None  # positive share - negative share of them


def month_sentiment(
    world: World,
    creator_index: int,
    first_day: int,
    end_day: int,
    day_index: int,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> MonthSentiment:
    """The creator's listed scorable comments written in [first_day, end_day) as of
    `day_index`, counting those the pipeline's refresh window reaches: written while their post
    was younger than `window_days`."""
    positive = negative = scored = 0
    for account_index in _commented_accounts(world, creator_index):
        published = world.posts(account_index).published_s
        first = int(np.searchsorted(published, (first_day - window_days) * DAY_S))
        visible = world.visible_count(account_index, min(day_index, end_day - 1))
        for listing in account_comments(
            world, account_index, day_index, list(range(first, visible))
        ):
            post_day = published[listing.post_index] // DAY_S
            day = listing.published_s // DAY_S
            scorable = np.array([listing.is_scorable(i) for i in range(listing.listed)], dtype=bool)
            counted = (
                scorable & (day >= first_day) & (day < end_day) & (day - post_day < window_days)
            )
            scored += int(counted.sum())
            positive += int((counted & (listing.polarity == 0)).sum())
            negative += int((counted & (listing.polarity == 2)).sum())
    return MonthSentiment(scored, (positive - negative) / scored if scored else None)


# ---- commenters ----------------------------------------------------------------------------


# A listing names each comment's author, and the pool's authors comment again and again.
@lru_cache(COMMENTERS)
def commenter_handle(author: int) -> str:
    """A commenter's handle, unique per index of the pool: 'mayachen12'."""
    first = vocab.FIRST_NAMES[author % len(vocab.FIRST_NAMES)]
    rest = author // len(vocab.FIRST_NAMES)
    last = vocab.LAST_NAMES[rest % len(vocab.LAST_NAMES)]
    return f"{ascii_slug(first)}{ascii_slug(last)}{rest // len(vocab.LAST_NAMES)}"


@lru_cache(COMMENTERS)
def commenter_channel_id(seed: int, author: int) -> str:
    digest = hashlib.blake2b(f"commenter:{seed}:{author}".encode(), digest_size=16).digest()
    return "UC" + base64.urlsafe_b64encode(digest).decode()[:22]


# ---- ground truth --------------------------------------------------------------------------


def post_truth(world: World, comments: PostComments) -> dict[str, Any]:
    """One post's comments as the ground truth records them."""
    listed = [
        {
            "id": comments.ids[i],
            "polarity": POLARITIES[int(comments.polarity[i])],
            "language": comments.language[i],
            "is_scorable": comments.is_scorable(i),
        }
        for i in range(comments.listed)
    ]
    scorable = [c["polarity"] for c in listed if c["is_scorable"]]
    account = world.account(comments.account_index)
    return {
        "creator_id": world.creator_of(account).creator_id,
        "published_at": world.post_published_at(
            comments.account_index, comments.post_index
        ).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sponsored": comments.sponsored,
        "comments_disabled": comments.disabled,
        "comment_count": None if comments.disabled else comments.comment_count,
        "listed": comments.listed,
        "replies": comments.replies,
        "withheld": comments.withheld,
        "scorable": len(scorable),
        "positive_share": _share(scorable, "positive"),
        "negative_share": _share(scorable, "negative"),
        "comments": listed,
    }


def _share(labels: list[str], label: str) -> float | None:
    return round(labels.count(label) / len(labels), 6) if labels else None


def ground_truth(world: World, day: date, window_days: int = DEFAULT_WINDOW_DAYS) -> dict[str, Any]:
    """Every YouTube and TikTok post published in the `window_days` up to `day`, keyed by the
    warehouse's post id `<platform>:<native id>`, with its comments (newest first)."""
    d = world.day_index(day)
    since_s = (d + 1 - window_days) * DAY_S
    out: dict[str, Any] = {
        "window_days": window_days,
        "shares": {
            "withheld": WITHHELD_SHARE,
            "replies": REPLY_SHARE,
            "emoji_only": EMOJI_ONLY_SHARE,
            "languages": dict(LANGUAGE_SHARES),
            "polarity": {kind: dict(zip(POLARITIES, shares, strict=True))
                         for kind, shares in POLARITY_SHARES.items()},
        },
        "instagram": {"available": False, "reason": "business_discovery gives no comments"},
    }  # fmt: skip
    for platform in PLATFORMS:
        section: dict[str, Any] = {}
        for account in world.accounts_on(platform):
            published = world.posts(account.index).published_s
            visible = world.visible_count(account.index, d)
            first = int(np.searchsorted(published[:visible], since_s, side="left"))
            for comments in account_comments(world, account.index, d, list(range(first, visible))):
                section[f"{platform}:{comments.post_id}"] = post_truth(world, comments)
        out[platform] = {"posts": section, "counts": _counts(section)}
    return out


def _counts(posts: dict[str, Any]) -> dict[str, int]:
    return {
        "posts": len(posts),
        "posts_comments_disabled": sum(p["comments_disabled"] for p in posts.values()),
        "comments_listed": sum(p["listed"] for p in posts.values()),
        "comments_scorable": sum(p["scorable"] for p in posts.values()),
    }
