"""Listening in the world: the brand's terms, the creators who are not on the roster, and who
mentions what.

Terms. LISTENING_TERMS are the brand's (brand handles, product names, campaign hashtags and
niche hashtags, as single lowercase words so that one term is one YouTube `q`, one Instagram
hashtag and one TikTok keyword); dbt_project/seeds/listening_terms.csv holds the same rows for
the brand to edit. Competitor terms are the competitors seed's tokens without their `#` / `@`
(vocab.COMPETITORS). A post mentions a term when its text has the term as a whole word,
case-insensitively, with or without a leading `#` or `@` (SPEC 5.5): `lumencoffee` matches
"Lumencoffee" and "@lumencoffee", not "#lumencoffeepartner".

The crowd. Creators not on the roster live in a `Crowd`: a `World` of their own, built from the
streams `(seed, CROWD_STREAM, kind, index, ...)`, so nothing of the roster's world is drawn or
shifted and every other output of a world stays byte-identical. It has one account per creator,
a third on each platform (YouTube, Instagram, TikTok), max(MIN_CROWD, CROWD_SHARE x the roster's
accounts) in all, with handles no roster account can have ("mayacooks7"). Each account has a
profile, assigned in a fixed cycle (PROFILE_CYCLE) so every platform has every kind:

- good_fit: in one of the brand's niches, engages 1.2-1.6x its size's norm, clean; most posts
  carry the brand's niche hashtags and some mention the brand, its products or campaigns;
- off_niche: an ordinary account of another niche that mentions the brand now and then;
- bought_followers: in the brand's niche, but followers jump 50-150% in one day and its
  audience engages at 8-15% of the norm;
- brand_safety: in the brand's niche, but about a third of its posts carry a brand-safety term;
- competitor_partner: in the brand's niche, and some posts are a competitor's disclosed
  partnership (a competitor token with "#ad").

A few posts carry near misses ("#lumencoffeefans"): a search that matches substrings finds them,
the whole-word rule does not count them. Many posts mention nothing.

The crowd's posts show through the same endpoints as the roster's: YouTube search.list,
channels.list, playlistItems.list and videos.list; Instagram hashtag media and
business_discovery; TikTok video query and user info. `ground_truth` gives the mentions a
correct pipeline can count and the discovery candidates with is_good_fit and the reasons
(format in sandbox/ground_truth.py).
"""

from __future__ import annotations

import math
import re
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, NamedTuple, TypeVar

import numpy as np

from sandbox import injections, vocab
from sandbox.world import (
    DAY_S,
    PLATFORMS,
    Account,
    Creator,
    PostText,
    World,
    ascii_slug,
    tier_of,
)

CROWD_STREAM = 140  # the world's kinds are 0-7, injections 100-103, business 110-118, crm 120,
# comments 130: every crowd stream starts (seed, 140, ...), apart from all of them.
# Kinds inside the crowd's prefix, apart from the World's own 0-7 that it also draws.
_PROFILE_STREAM, _MENTION_STREAM = 200, 201

# ---- the brand's terms ----------------------------------------------------------------------

BRAND_TERMS = tuple(re.sub(r"[^a-z0-9]", "", b.lower()) for b in vocab.BRANDS)
PRODUCT_TERMS = ("coldbrewkit", "glowserum", "traildaypack", "yogamat")
CAMPAIGN_TERMS = ("lumenmornings", "brightsideglow", "orbitchallenge")
NICHE_TERMS = ("skincare", "hiking", "fitness", "recipe")
# The niches whose hashtags hold the brand's niche terms.
BRAND_NICHES = ("beauty", "outdoors", "fitness", "food")
OTHER_NICHES = tuple(n for n in vocab.NICHES if n not in BRAND_NICHES)
TERM_KINDS = ("brand", "product", "campaign", "niche")
LISTENING_TERMS: tuple[tuple[str, str], ...] = (
    *((t, "brand") for t in BRAND_TERMS),
    *((t, "product") for t in PRODUCT_TERMS),
    *((t, "campaign") for t in CAMPAIGN_TERMS),
    *((t, "niche") for t in NICHE_TERMS),
)


def competitor_terms() -> tuple[tuple[str, str], ...]:
    """(term, competitor): the competitors seed's tokens without `#` / `@`, each once."""
    found: dict[str, str] = {}
    for competitor, tokens in vocab.COMPETITORS:
        for token in tokens:
            found.setdefault(token.lstrip("#@").lower(), competitor)
    return tuple(found.items())


def all_terms() -> tuple[tuple[str, str], ...]:
    """(term, term_kind) of every term listened for, competitors' with kind `competitor`."""
    return (*LISTENING_TERMS, *((t, "competitor") for t, _ in competitor_terms()))


def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![\w#@])[#@]?({alternatives})(?!\w)", re.IGNORECASE)


_TERM_KINDS = dict(all_terms())
_ALL_TERMS_PATTERN = _terms_pattern(tuple(_TERM_KINDS))
_HASHTAG = re.compile(r"#(\w+)")


def mentioned_terms(text: str) -> set[str]:
    """The terms `text` mentions (SPEC 5.5: whole word, any case, optional leading # or @)."""
    return {m.group(1).lower() for m in _ALL_TERMS_PATTERN.finditer(text)}


def mentions(text: str, term: str) -> bool:
    """Whether `text` mentions `term` by the SPEC's rule (any term, listened for or not)."""
    return _terms_pattern((term,)).search(text) is not None


def hashtags(text: str) -> set[str]:
    """The hashtags of a caption, lowercased, without `#` (as Instagram and TikTok index them)."""
    return {tag.lower() for tag in _HASHTAG.findall(text)}


# ---- the crowd: creators who are not on the roster ------------------------------------------

MIN_CROWD = 45  # 15 per platform: every profile on each, 12 good fits with authors
CROWD_SHARE = 0.5  # crowd accounts per roster account
PROFILE_CYCLE = (
    "good_fit",
    "off_niche",
    "bought_followers",
    "good_fit",
    "brand_safety",
    "competitor_partner",
    "good_fit",
    "off_niche",
    "good_fit",
    "bought_followers",
)
FOLLOWER_RANGE = (200, 400_000)  # log-uniform: nano to macro
GOOD_FIT_FACTOR = (1.2, 1.6)  # engagement against the account's size's norm
BOUGHT_FACTOR = (0.08, 0.15)
BOUGHT_SHARE = (0.5, 1.5)  # followers bought in one day, against those earned
# Per post: P(a brand, product or campaign mention), P(a niche hashtag), by profile.
P_BRAND_MENTION = {
    "good_fit": 0.35,
    "off_niche": 0.12,
    "bought_followers": 0.35,
    "brand_safety": 0.3,
    "competitor_partner": 0.25,
}
P_NICHE_TAG = {
    "good_fit": 0.7,
    "off_niche": 0.0,
    "bought_followers": 0.6,
    "brand_safety": 0.6,
    "competitor_partner": 0.6,
}
P_NEAR_MISS = 0.08
P_BRAND_SAFETY_POST = 0.35
P_COMPETITOR_PARTNER_POST = 0.3
P_COMPETITOR_CHATTER = 0.05  # off_niche only: a competitor named without a disclosure
NEAR_MISS_SUFFIXES = ("fans", "daily", "life")
PARTNER_DISCLOSURE = "#ad"
MENTION_LINES = (
    "Been using {form} every day this month.",
    "Honestly {form} surprised me.",
    "Picked up {form} after your questions last week.",
    "Shout out to {form}, it made this easier.",
)
PARTNER_LINES = (
    "{disclosure} Made in partnership with {token}, thanks for having me.",
    "{disclosure} This one is with {token}: their new range is in the video.",
)
CHATTER_LINES = ("Someone asked about {token} in the comments.",)


@dataclass(frozen=True)
class Profile:
    kind: str
    factor: float  # engagement against the norm of the account's size
    spike_day: int | None  # bought_followers: the day of the jump
    spike_share: float
    competitor: int  # index into vocab.COMPETITORS (competitor_partner)
    safety_term: int  # index into vocab.BRAND_SAFETY_TERMS (brand_safety)
    niche_term: str | None  # the brand's niche term of the account's niche


def crowd_size(world: World) -> int:
    return max(MIN_CROWD, round(CROWD_SHARE * world.size))


class Crowd(World):
    """The creators who are not on the roster: a World of their own streams and ids.

    A subclass rather than a copy, so every API path that reads a World (follower series,
    posts, metrics, ids, channel and video states) serves the crowd unchanged; it replaces the
    catalogue, the streams, the plans (no roster injections: its cases are its profiles), the
    engagement factor, the followers (bought ones) and the texts."""

    def __init__(self, roster: World) -> None:
        # No reference to `roster` is kept: crowd_of's weak cache would never let it go.
        self.profiles: list[Profile] = []
        super().__init__(roster.seed, crowd_size(roster), roster.days, roster.start_date)

    # Streams and keyed hashes of their own: nothing of the roster's world is drawn again.
    def _rng(self, *key: int) -> np.random.Generator:
        sequence = np.random.SeedSequence([self.seed, CROWD_STREAM, *key])
        return np.random.Generator(np.random.PCG64(sequence))

    def _hash(self, text: str, size: int) -> bytes:
        return super()._hash(f"crowd:{text}", size)

    def _build_catalogue(self) -> None:
        for index in range(self.size):
            platform = PLATFORMS[index % len(PLATFORMS)]
            kind = PROFILE_CYCLE[(index // len(PLATFORMS)) % len(PROFILE_CYCLE)]
            rng = self._rng(_PROFILE_STREAM, index)
            niches = OTHER_NICHES if kind == "off_niche" else BRAND_NICHES
            niche = str(niches[int(rng.integers(len(niches)))])
            first = vocab.FIRST_NAMES[int(rng.integers(len(vocab.FIRST_NAMES)))]
            creator = self._crowd_creator(index, first, niche, rng)
            self.creators.append(creator)
            self.accounts.append(self._crowd_account(creator, platform, first, rng))
            self.profiles.append(self._profile(kind, niche, rng))

    @staticmethod
    def _crowd_creator(index: int, first: str, niche: str, rng: np.random.Generator) -> Creator:
        word = vocab.NICHES[niche].channel_word
        return Creator(
            index=index,
            creator_id=f"nr_{index + 1:05d}",
            display_name=f"{first} {word}",
            email=f"{ascii_slug(first)}{word.lower()}{index + 1}@example.com",
            manager="",
            status="not_on_roster",
            country=vocab.COUNTRIES[int(rng.integers(len(vocab.COUNTRIES)))][0],
            niche=niche,
            partnered_on=None,
            account_indexes=(index,),
        )

    def _crowd_account(
        self, creator: Creator, platform: str, first: str, rng: np.random.Generator
    ) -> Account:
        """The World's account, with a handle no roster account can have (a niche word where a
        roster handle has a last name) and followers from nano to macro, always shown."""
        word = vocab.NICHES[creator.niche].channel_word.lower()
        separator = {"youtube": "", "instagram": ".", "tiktok": "_"}[platform]
        handle = f"{ascii_slug(first)}{separator}{word}{creator.index + 1}"
        account = self._make_account(creator, platform, handle, first, None)
        low, high = (math.log(f) for f in FOLLOWER_RANGE)
        followers = int(math.exp(rng.uniform(low, high)))
        return replace(
            account,
            followers_start=followers,
            hidden_followers=False,
            title=creator.display_name,
            growth_sigma=0.0008 + 0.04 / math.sqrt(followers + 1),
            base_views=int(followers * rng.uniform(20, 80)),
        )

    def _profile(self, kind: str, niche: str, rng: np.random.Generator) -> Profile:
        u = rng.random(5)
        if kind == "good_fit":
            factor = GOOD_FIT_FACTOR[0] + u[0] * (GOOD_FIT_FACTOR[1] - GOOD_FIT_FACTOR[0])
        elif kind == "bought_followers":
            factor = BOUGHT_FACTOR[0] + u[0] * (BOUGHT_FACTOR[1] - BOUGHT_FACTOR[0])
        else:
            factor = math.exp(0.15 * float(np.clip(rng.standard_normal(), -2.5, 2.5)))
        spike_day = None
        if kind == "bought_followers" and self.days > 2:
            spike_day = 1 + int(u[1] * (self.days // 2))  # in the first half: seen for long
        tags = {h.lstrip("#") for h in vocab.NICHES[niche].hashtags}
        niche_term = next((t for t in NICHE_TERMS if t in tags), None)
        return Profile(
            kind=kind,
            factor=float(factor),
            spike_day=spike_day,
            spike_share=BOUGHT_SHARE[0] + float(u[2]) * (BOUGHT_SHARE[1] - BOUGHT_SHARE[0]),
            competitor=int(u[3] * len(vocab.COMPETITORS)),
            safety_term=int(u[4] * len(vocab.BRAND_SAFETY_TERMS)),
            niche_term=niche_term,
        )

    # ---- no roster injections: the crowd's cases are its profiles --------------------------

    def _creator_plan(self, creator_index: int) -> injections.CreatorPlan:
        return injections.CreatorPlan(inactive_from=None, cold_from=None)

    def _account_plan(self, account_index: int) -> injections.AccountPlan:
        return injections.AccountPlan(
            follower_event=None,
            low_engagement=False,
            pod_candidate=False,
            brand_safety_post=None,
            brand_safety_term=0,
        )

    def engagement_factor(self, account_index: int) -> float:
        return self.profiles[account_index].factor

    def bought_followers(self, account_index: int) -> int:
        """Followers bought on the profile's spike day (0 for every other profile)."""
        profile = self.profiles[account_index]
        if profile.spike_day is None:
            return 0
        before = int(self.organic_followers(account_index)[profile.spike_day - 1])
        return int(round(profile.spike_share * before, -1))

    def _followers(self, account_index: int) -> np.ndarray:
        organic = self.organic_followers(account_index)
        profile = self.profiles[account_index]
        if profile.spike_day is None:
            return organic
        series = organic.copy()
        series[profile.spike_day :] += self.bought_followers(account_index)
        series.flags.writeable = False
        return series

    # ---- texts ------------------------------------------------------------------------------

    def _post_text(self, account_index: int, post_index: int) -> PostText:
        natural = self._natural_text(account_index, post_index)
        lines = self._mention_lines(account_index, post_index)
        if not lines:
            return natural
        description = "\n\n".join([natural.description, *lines])
        return PostText(title=natural.title, description=description, tags=natural.tags)

    def _mention_lines(self, account_index: int, post_index: int) -> list[str]:
        profile = self.profiles[account_index]
        kind = profile.kind
        rng = self._rng(_MENTION_STREAM, account_index, post_index)
        u = rng.random(8)
        lines: list[str] = []
        if u[0] < P_BRAND_MENTION[kind]:
            terms = (*BRAND_TERMS, *PRODUCT_TERMS, *CAMPAIGN_TERMS)
            term = terms[int(u[1] * len(terms))]
            forms = ("#{t}", "@{t}", "{T}") if term in BRAND_TERMS else ("#{t}", "{T}")
            form = forms[int(u[2] * len(forms))].format(t=term, T=term.capitalize())
            lines.append(MENTION_LINES[int(u[3] * len(MENTION_LINES))].format(form=form))
        if profile.niche_term and u[4] < P_NICHE_TAG[kind]:
            lines.append(f"#{profile.niche_term}")
        if u[5] < P_NEAR_MISS:
            term = BRAND_TERMS[int(u[6] * len(BRAND_TERMS))]
            lines.append(f"#{term}{NEAR_MISS_SUFFIXES[int(u[7] * len(NEAR_MISS_SUFFIXES))]}")
        extra = rng.random(3)
        competitor_tokens = vocab.COMPETITORS[profile.competitor][1]
        token = competitor_tokens[int(extra[1] * len(competitor_tokens))]
        if kind == "brand_safety" and extra[0] < P_BRAND_SAFETY_POST:
            term = vocab.BRAND_SAFETY_TERMS[profile.safety_term][0]
            line = vocab.BRAND_SAFETY_LINES[int(extra[2] * len(vocab.BRAND_SAFETY_LINES))]
            lines.append(line.format(token=term))
        elif kind == "competitor_partner" and extra[0] < P_COMPETITOR_PARTNER_POST:
            line = PARTNER_LINES[int(extra[2] * len(PARTNER_LINES))]
            lines.insert(0, line.format(disclosure=PARTNER_DISCLOSURE, token=token))
        elif kind == "off_niche" and extra[0] < P_COMPETITOR_CHATTER:
            lines.append(CHATTER_LINES[0].format(token=token))
        return lines


T = TypeVar("T")
_crowds: weakref.WeakKeyDictionary[World, Crowd] = weakref.WeakKeyDictionary()
_crowds_lock = threading.Lock()


def crowd_of(world: World) -> Crowd:
    """The world's crowd, built once per world object."""
    with _crowds_lock:
        crowd = _crowds.get(world)
        if crowd is None:
            crowd = _crowds[world] = Crowd(world)
        return crowd


# ---- both populations as the platforms see them ---------------------------------------------


class PostRef(NamedTuple):
    source: World  # the roster's world or its crowd
    account_index: int
    post_index: int
    published_s: int

    @property
    def on_roster(self) -> bool:
        return not isinstance(self.source, Crowd)


def sources(world: World) -> tuple[World, Crowd]:
    return world, crowd_of(world)


def first_found(world: World, lookup: Callable[[World], T | None]) -> tuple[World, T] | None:
    """(source, what `lookup` found) in the roster's world, else in its crowd; None if neither."""
    for source in sources(world):
        found = lookup(source)
        if found is not None:
            return source, found
    return None


def find_handle(world: World, platform: str, handle: str) -> tuple[World, Account] | None:
    """(source, account) of a handle on the roster or in the crowd."""
    return first_found(world, lambda source: source.find_handle(platform, handle))


def platform_posts(world: World, platform: str, first_s: int, end_s: int) -> Iterator[PostRef]:
    """Every post on `platform` (roster and crowd) published in [first_s, end_s)."""
    for source in sources(world):
        for account in source.accounts_on(platform):
            published = source.posts(account.index).published_s
            lo, hi = np.searchsorted(published, [first_s, end_s], side="left")
            for p in range(int(lo), int(hi)):
                yield PostRef(source, account.index, p, int(published[p]))


def post_text(ref: PostRef, platform: str) -> str:
    """The text the mention rule reads: a video's title and description, a caption."""
    text = ref.source.post_text(ref.account_index, ref.post_index)
    if platform == "youtube":
        return f"{text.title}\n{text.description}"
    return text.description


# ---- ground truth ---------------------------------------------------------------------------

SEARCH_RESULT_CAP = 500  # YouTube search.list serves at most this many results per query
LIMITS = {
    "youtube": (
        "search.list serves at most 500 results per query and a truncated description: the "
        "counts are of every video whose title or full description (videos.list) mentions the "
        "term, which queries of one day each can find; `capped` lists the (date, term) whose "
        "matches a one-day query could not all list"
    ),
    "instagram": (
        'hashtag media only: a caption that mentions the term without its `#` ("@term", '
        '"Term") is not served; recent_media serves a day\'s media when polled at its end; '
        "at most 30 unique hashtags per 7 days (the terms are fewer); media carry no author"
    ),
    "tiktok": (
        "video/query with a keyword condition serves every video whose description holds the "
        "term (substrings too: count whole words); 30-day windows"
    ),
}


class _Cell(NamedTuple):
    day_index: int
    term: str


def _mention_cells(
    world: World, platform: str, day: date
) -> tuple[dict[_Cell, list[PostRef]], dict[_Cell, int]]:
    """(the posts mentioning each term per publication day, and on YouTube the videos a
    substring search for the term finds per day) from the world's start to `day`."""
    end_s = (world.day_index(day) + 1) * DAY_S
    terms = set(_TERM_KINDS)
    cells: dict[_Cell, list[PostRef]] = {}
    searched: dict[_Cell, int] = {}
    for ref in platform_posts(world, platform, 0, end_s):
        text = post_text(ref, platform)
        found = hashtags(text) & terms if platform == "instagram" else mentioned_terms(text)
        day_index = ref.published_s // DAY_S
        for term in found:
            cells.setdefault(_Cell(day_index, term), []).append(ref)
        if platform == "youtube":
            lowered = text.lower()
            for term in (t for t in terms if t in lowered):
                searched[_Cell(day_index, term)] = searched.get(_Cell(day_index, term), 0) + 1
    return cells, searched


def _mention_row(world: World, platform: str, cell: _Cell, refs: list[PostRef]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "date": (world.start_date + timedelta(days=cell.day_index)).isoformat(),
        "term": cell.term,
        "term_kind": _TERM_KINDS[cell.term],
        "mentions": len(refs),
        "authors": None,  # hashtag media carry no author
        "roster_authors": None,
        "post_ids": sorted(
            f"{platform}:{r.source.post_id(r.account_index, r.post_index)}" for r in refs
        ),
    }
    if platform != "instagram":
        authors = {(r.on_roster, r.account_index) for r in refs}
        row["authors"] = len(authors)
        row["roster_authors"] = sum(on_roster for on_roster, _ in authors)
    return row


def platform_mentions(world: World, platform: str, day: date) -> dict[str, Any]:
    """One platform's mentions per date x term from the world's start to `day`, with what its
    endpoints leave out."""
    cells, searched = _mention_cells(world, platform, day)
    out: dict[str, Any] = {
        "limits": LIMITS[platform],
        "rows": [_mention_row(world, platform, cell, cells[cell]) for cell in sorted(cells)],
    }
    if platform == "youtube":
        out["capped"] = [
            {
                "date": (world.start_date + timedelta(days=cell.day_index)).isoformat(),
                "term": cell.term,
            }
            for cell, count in sorted(searched.items())
            if count > SEARCH_RESULT_CAP
        ]
    return out


def candidate_truth(crowd: Crowd, account_index: int, day: date) -> dict[str, Any]:
    """One non-roster account: is it a good fit for the brand, and why (plain words)."""
    account = crowd.account(account_index)
    profile = crowd.profiles[account_index]
    d = crowd.day_index(day)
    visible = crowd.visible_count(account_index, d)
    published = crowd.posts(account_index).published_s
    first = int(np.searchsorted(published, max(0, d - 29) * DAY_S))
    first_world = int(np.searchsorted(published, 0))
    texts = [crowd.post_text(account_index, p).description for p in range(first_world, visible)]
    recent = texts[first - first_world :] if first >= first_world else texts
    niche_share = (
        sum(bool(mentioned_terms(t) & set(NICHE_TERMS)) for t in recent) / len(recent)
        if recent
        else 0.0
    )
    followers = int(crowd.followers(account_index)[d])
    reasons = _reasons(crowd, account_index, profile, niche_share, texts)
    return {
        "account_id": injections.account_id(account),
        "platform": account.platform,
        "handle": account.handle,
        "followers": followers,
        "tier": tier_of(followers),
        "profile": profile.kind,
        "is_good_fit": profile.kind == "good_fit",
        "engagement_vs_norm": round(profile.factor, 3),
        "mentions": sum(bool(mentioned_terms(t)) for t in texts),
        "niche_share_30d": round(niche_share, 3),
        "reasons": reasons,
    }


def _reasons(
    crowd: Crowd, account_index: int, profile: Profile, niche_share: float, texts: list[str]
) -> list[str]:
    factor = f"{profile.factor:.2f}x"
    niche = f"{round(100 * niche_share)}% of its posts of the last 30 days use the brand's niche"
    if profile.kind == "good_fit":
        return [
            f"niche-relevant: {niche} hashtags",
            f"engagement {factor} the norm of its size",
            "no brand-safety terms, no competitor partnership, no follower jump",
        ]
    if profile.kind == "off_niche":
        return [f"not in the brand's niches ({crowd.creators[account_index].niche})"]
    if profile.kind == "bought_followers":
        day = crowd.start_date + timedelta(days=profile.spike_day or 0)
        return [
            f"bought followers: +{crowd.bought_followers(account_index):,} in one day ({day})",
            f"engagement {factor} the norm of its size",
        ]
    if profile.kind == "brand_safety":
        term = vocab.BRAND_SAFETY_TERMS[profile.safety_term][0]
        hits = sum(term in t for t in texts)
        return [f"brand safety: '{term}' in {hits} of its posts"]
    competitor = vocab.COMPETITORS[profile.competitor][0]
    hits = sum(PARTNER_DISCLOSURE in t for t in texts)
    return [
        f"partnered with competitor {competitor}: {hits} disclosed posts ({PARTNER_DISCLOSURE})"
    ]


def ground_truth(world: World, day: date) -> dict[str, Any]:
    """The listening section of the ground truth as of `day` (format: sandbox/ground_truth.py)."""
    crowd = crowd_of(world)
    mentions_out = {platform: platform_mentions(world, platform, day) for platform in PLATFORMS}
    candidates = [
        candidate_truth(crowd, a.index, day)
        for a in crowd.accounts
        if a.platform in ("youtube", "tiktok")
    ]
    return {
        "terms": [{"term": t, "term_kind": k} for t, k in all_terms()],
        "competitors": dict(competitor_terms()),
        "mentions": mentions_out,
        "candidates": candidates,
        "instagram_accounts": [a.handle for a in crowd.accounts_on("instagram")],
    }
