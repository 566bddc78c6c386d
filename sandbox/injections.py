"""Injected cases: the problems the pipeline's quality flags must find, with their ground truth.

Each case is planned per creator or per account from its own stream, `(seed, kind, index)`, and
takes effect through the world's ordinary methods, so every API shows it without knowing:

case (share)                          shows in                      flag (SPEC 5.3)          days
bought followers, +8-30% in a day     followers()                   follower_spike           56
  ... with an engagement drop         followers(), posts(): the     follower_spike, detail   76
  (x0.25 for the next 14 days)         next posts engage less        severity "high"
purge, -8-15% in a day                followers()                   follower_drop            33
engagement pod on a post: comments/   posts().comment_share         engagement_anomaly        5
  likes 8-15x the account's median
low-engagement account (x0.08)        posts().interactions_per_view low_engagement            1
brand-safety term in a post           post_text()                   brand_safety              1
inactive creator: no post in the      posts() (arrivals stop)       inactive_partner         60
  last 38-52 days of the world
sponsored post with no, a weak or     post_text() (business.py)     undisclosed_sponsorship, 14
  a buried disclosure                                               weak_disclosure
competitor mention during an          post_text() (business.py)     competitor_mention       14
  exclusive contract
late or missing payment               payments.csv (business.py)    late_payment             14
cancelled / refunded shop order       shop orders (business.py)     (order_cancelled,         1
                                                                     order_refunded)
relationship gone cold                touchpoints.csv               (went_cold)              60
audience turns negative from a month  comments' polarity            negative_sentiment_shift 35
  on (creators with comments enough)   (sandbox/comments.py)

Follower events sit on days 31 .. days-25 (spikes; days-45 with an engagement drop, so the
low-engagement stretch ends before the last 30 days that low_engagement looks at) and
31 .. days-2 (purges), after a full 30-day trailing window; never on an account that hides its
count (YouTube), with fewer than 300 followers, or of an inactive creator. A shorter world has
fewer kinds of cases. Natural data stays clear of every rule (see sandbox/world.py).

`injected_cases(world, day)` lists the cases visible on `day` in the ground-truth format of
docs/architecture.md: {"flag_type", "subject_kind", "subject_id", "creator_id", "day", "detail"}.
Subjects and days, with what `detail` holds:

- follower_spike (account; the day of the jump): followers_before, followers_after, share,
  bought, engagement_drop, severity ("high" with an engagement drop, else "medium")
- follower_drop (account; the day of the purge): followers_before, followers_after, share, removed
- low_engagement (account; `day`, the as-of day): engagement_factor, posts_in_window
- engagement_anomaly, brand_safety (post; publication day): likes, comments / term, category
- undisclosed_sponsorship, weak_disclosure (post; publication day): contract_id, campaign_id,
  disclosure (undisclosed | weak_token | buried), token
- competitor_mention (post; publication day): competitor, token, contract_id, campaign_id
- inactive_partner (creator; the as-of day): last_post_date, days_inactive
- late_payment (payment; the day it was paid late, else the as-of day): contract_id, kind (late |
  missing), due_on, paid_on, status, days_late
- order_cancelled, order_refunded (order; the day it happened, UTC): name, discount_code,
  contract_id, total_price, currency; creator_id is null when no contract is credited
- went_cold (creator; the day the creator stopped answering): unanswered_outbound, last_reply_at
- negative_sentiment_shift (creator; the first day of the month the audience turned):
  previous_month, month, previous_net_sentiment, net_sentiment, previous_comments_scored,
  comments_scored (listed scorable comments of each month that the refresh window reaches)

A case is listed once the pipeline can see it on `day`: a post once published, a follower event
once it happened, a late payment once past due, a silent creator after 30 days (inactive_partner
and went_cold), a pod post once it has the flag's 10 comments, a sentiment turn once both of
its months hold the flag's 50 scorable comments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from sandbox import vocab

if TYPE_CHECKING:
    from sandbox.world import Account, PostText, World

DAY_S = 86_400
_CREATOR_PLAN, _ACCOUNT_PLAN, _PODS, _INJECT_TEXT = 100, 101, 102, 103

P_INACTIVE = 0.07  # of active creators
P_COLD = 0.06  # of active and paused creators
P_SPIKE = 0.10  # of accounts eligible for a follower event
P_PURGE = 0.05
P_ENGAGEMENT_DROP = 0.5  # of spikes, where the world is long enough
P_LOW_ENGAGEMENT = 0.05  # of eligible accounts
P_POD = 0.4  # of accounts large enough for a robust comments/likes median
P_BRAND_SAFETY = 0.04  # of accounts: one post each

SPIKE_SHARE = (0.08, 0.30)
PURGE_SHARE = (0.08, 0.15)
DROP_FACTOR = 0.25  # engagement of the posts in the 14 days after a spike with a drop
# A drop needs a frequent poster: enough posts either side for solid engagement rates, and the
# low stretch never more than about half of any 30-day window (low_engagement stays quiet).
DROP_MIN_POSTS_PER_WEEK, DROP_MIN_POSTS_BEFORE, DROP_MIN_POSTS_AFTER = 3.0, 6, 4
STEADY_POSTS_BEFORE, STEADY_POSTS_AFTER = 5, 3
DROP_DAYS = 14
LOW_FACTOR = 0.08  # engagement of a low-engagement account against its size's norm
POD_MULTIPLIER = (8.0, 15.0)  # pod post comments/likes against the account's median

FIRST_EVENT_DAY = 31  # a full trailing window of 30 daily changes before the event
MIN_EVENT_FOLLOWERS = 300  # well above the flags' floor of 100 followers
# A spike's severity compares mean engagement rates before and after it; on a small YouTube
# channel a post has a handful of likes, too few for a steady mean.
MIN_SPIKE_FOLLOWERS = {"youtube": 1_500, "instagram": 300, "tiktok": 300}
SPIKE_END_MARGIN = 25  # days after a spike, so the posts that follow it have settled
DROP_END_MARGIN = 45  # ... and the low stretch ends before the trailing 30 days
PURGE_END_MARGIN = 2
MIN_DAYS_INACTIVE = 60
INACTIVE_SILENCE = (38, 52)  # days of silence at the world's end
COLD_SILENCE = (40, 55)
LOW_ENGAGEMENT_PLATFORMS = ("youtube", "instagram", "tiktok")
LOW_ENGAGEMENT_MIN_GROUP = 6  # accounts of the same platform x tier, so the median is robust
POD_MIN_FOLLOWERS = 5_000
POD_MIN_MEDIAN_COMMENTS = 4.0
POD_MIN_COMMENTS = 30.0
WINDOW_DAYS = 30  # the trailing windows of low_engagement and inactive_partner


@dataclass(frozen=True)
class CreatorPlan:
    inactive_from: int | None  # day index from which the creator's accounts publish nothing
    cold_from: int | None  # day index from which the creator stops answering


@dataclass(frozen=True)
class FollowerEvent:
    kind: str  # "spike" | "purge"
    day: int  # day index of the jump (followers[day] - followers[day - 1])
    share: float  # of the previous day's organic followers, bought or removed
    engagement_drop: bool = False  # spike only: the next 14 days' posts engage far less


@dataclass(frozen=True)
class AccountPlan:
    follower_event: FollowerEvent | None
    low_engagement: bool
    pod_candidate: bool
    brand_safety_post: int | None  # post index
    brand_safety_term: int  # index into vocab.BRAND_SAFETY_TERMS


# ---- planning ---------------------------------------------------------------------------------


def plan_creator(world: World, creator_index: int) -> CreatorPlan:
    creator = world.creators[creator_index]
    u = world.rng(_CREATOR_PLAN, creator_index).random(4)
    inactive = cold = None
    if world.days >= MIN_DAYS_INACTIVE:
        if creator.status == "active" and u[0] < P_INACTIVE:
            inactive = world.days - _between(u[1], *INACTIVE_SILENCE)
        if creator.status in ("active", "paused") and u[2] < P_COLD:
            cold = world.days - _between(u[3], *COLD_SILENCE)
    return CreatorPlan(inactive_from=inactive, cold_from=cold)


def _between(u: float, lo: int, hi: int) -> int:
    """An integer in [lo, hi] from a uniform draw."""
    return lo + min(int(u * (hi - lo + 1)), hi - lo)


def plan_account(world: World, account_index: int) -> AccountPlan:
    account = world.accounts[account_index]
    rng = world.rng(_ACCOUNT_PLAN, account_index)
    u = rng.random(6)
    candidate_days = rng.permutation(max(world.days, 1))  # tried in this order
    inactive = world.creator_plan(account.creator_index).inactive_from is not None
    event = None
    can_have_event = (
        not inactive
        and not account.hidden_followers
        and account.followers_start >= MIN_EVENT_FOLLOWERS
    )
    big_enough = account.followers_start >= MIN_SPIKE_FOLLOWERS[account.platform]
    if can_have_event and big_enough and u[0] < P_SPIKE:
        event = _plan_spike(world, account_index, candidate_days, u[1] < P_ENGAGEMENT_DROP)
    elif can_have_event and u[0] < P_SPIKE + P_PURGE:
        event = _plan_purge(world, candidate_days, u[1])
    low = (
        event is None
        and not inactive
        and u[2] < P_LOW_ENGAGEMENT
        and _low_engagement_eligible(world, account)
    )
    pod = (
        event is None and not low and u[3] < P_POD and account.followers_start >= POD_MIN_FOLLOWERS
    )
    brand_safety_post = None
    if u[4] < P_BRAND_SAFETY:
        arrivals = world.arrivals(account_index)
        first, last = np.searchsorted(arrivals, [0, world.days * DAY_S])
        if last > first:
            brand_safety_post = int(first + int(u[5] * (last - first)))
    return AccountPlan(
        follower_event=event,
        low_engagement=bool(low),
        pod_candidate=bool(pod),
        brand_safety_post=brand_safety_post,
        brand_safety_term=int(rng.integers(len(vocab.BRAND_SAFETY_TERMS))),
    )


def _plan_spike(
    world: World, account_index: int, candidate_days: np.ndarray, wants_drop: bool
) -> FollowerEvent | None:
    share = float(world.rng(_ACCOUNT_PLAN, account_index, 1).uniform(*SPIKE_SHARE))
    days = world.days
    published_day = world.arrivals(account_index) // DAY_S

    def posts_around(day: int) -> tuple[int, int]:
        before = np.count_nonzero((published_day >= day - 30) & (published_day < day))
        after = np.count_nonzero((published_day > day) & (published_day <= day + DROP_DAYS))
        return int(before), int(after)

    frequent = world.accounts[account_index].posts_per_week >= DROP_MIN_POSTS_PER_WEEK
    if wants_drop and frequent:
        for day in candidate_days:
            if FIRST_EVENT_DAY <= day <= days - DROP_END_MARGIN:
                before, after = posts_around(int(day))
                if before >= DROP_MIN_POSTS_BEFORE and after >= DROP_MIN_POSTS_AFTER:
                    return FollowerEvent("spike", int(day), share, engagement_drop=True)
    # Without a drop, a day with posts either side keeps the severity rule's rates steady (a
    # single post after the spike is a noisy mean); any day in range if there is none.
    days_in_range = [
        int(d) for d in candidate_days if FIRST_EVENT_DAY <= d <= days - SPIKE_END_MARGIN
    ]
    for day in days_in_range:
        before, after = posts_around(day)
        if before >= STEADY_POSTS_BEFORE and after >= STEADY_POSTS_AFTER:
            return FollowerEvent("spike", day, share)
    return FollowerEvent("spike", days_in_range[0], share) if days_in_range else None


def _plan_purge(world: World, candidate_days: np.ndarray, u: float) -> FollowerEvent | None:
    share = PURGE_SHARE[0] + u * (PURGE_SHARE[1] - PURGE_SHARE[0])
    for day in candidate_days:
        if FIRST_EVENT_DAY <= day <= world.days - PURGE_END_MARGIN:
            return FollowerEvent("purge", int(day), share)
    return None


def tier_group_sizes(world: World) -> dict[tuple[str, str], int]:
    """Accounts per platform x starting tier that a low_engagement median would count."""
    sizes: dict[tuple[str, str], int] = {}
    for account in world.accounts:
        if not account.hidden_followers:
            key = (account.platform, account.tier)
            sizes[key] = sizes.get(key, 0) + 1
    return sizes


def _low_engagement_eligible(world: World, account: Account) -> bool:
    from sandbox.world import TIER_FLOORS

    if account.platform not in LOW_ENGAGEMENT_PLATFORMS or account.hidden_followers:
        return False
    if account.posts_per_week < 1.5:  # at least 3 posts in any 30 days
        return False
    # Away from a tier edge, so drift does not move the account into another tier's median.
    x = math.log10(account.followers_start)
    if any(abs(x - math.log10(edge)) < 0.1 for edge in TIER_FLOORS[1:]):
        return False
    groups = world.tier_group_sizes
    return groups.get((account.platform, account.tier), 0) >= LOW_ENGAGEMENT_MIN_GROUP


# ---- effects (called by the world's own methods) ----------------------------------------------


def follower_change(world: World, account_index: int) -> tuple[int, int] | None:
    """(day index, signed change in followers from that day on) of the account's event."""
    event = world.account_plan(account_index).follower_event
    if event is None:
        return None
    before = int(world.organic_followers(account_index)[event.day - 1])
    if event.kind == "spike":
        return event.day, _round_up_2_significant(event.share * before)
    return event.day, -round(event.share * before)


def _round_up_2_significant(value: float) -> int:
    """Bought followers come in round batches (1,300 rather than 1,287)."""
    unit = 10 ** max(len(str(int(value))) - 2, 0)
    return int(math.ceil(value / unit) * unit)


def engagement_scale(world: World, account_index: int, published_s: np.ndarray) -> np.ndarray:
    """A multiplier on each post's interactions per view for the account's injected cases."""
    plan = world.account_plan(account_index)
    scale = np.ones(len(published_s))
    if plan.low_engagement:
        scale[:] = LOW_FACTOR
    event = plan.follower_event
    if event is not None and event.engagement_drop:
        day = published_s // DAY_S
        scale[(day >= event.day) & (day <= event.day + DROP_DAYS)] = DROP_FACTOR
    return scale


def pod_posts(
    world: World,
    account_index: int,
    published_s: np.ndarray,
    final_interactions: np.ndarray,
    comment_share: np.ndarray,
    hidden: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(pod flags, comment shares with the pod posts' comments inflated). A pod keeps a post's
    interactions but turns many likes into comments: comments/likes becomes 8-15x the account's
    median. Only accounts with a solid median (enough posts and comments) get one."""
    pod = np.zeros(len(published_s), dtype=bool)
    if not world.account_plan(account_index).pod_candidate:
        return pod, comment_share
    visible = ~hidden
    natural_comments = final_interactions * comment_share
    if visible.sum() < 10 or np.median(natural_comments[visible]) < POD_MIN_MEDIAN_COMMENTS:
        return pod, comment_share
    ratio = comment_share / (1.0 - comment_share)
    rng = world.rng(_PODS, account_index)
    multiplier = rng.uniform(*POD_MULTIPLIER, size=len(published_s))
    target = np.minimum(multiplier * float(np.median(ratio[visible])), 1.0)
    inflated = target / (1.0 + target)
    day = published_s // DAY_S
    eligible = (
        visible
        & (day >= 1)
        & (day <= world.days - 3)
        & (final_interactions * inflated >= POD_MIN_COMMENTS)
    )
    candidates = np.flatnonzero(eligible)
    if len(candidates) == 0:
        return pod, comment_share
    count = min(len(candidates), 1 + int(rng.random() < 0.3))
    pod[rng.choice(candidates, size=count, replace=False)] = True
    return pod, np.where(pod, inflated, comment_share)


def overlay_text(world: World, account_index: int, post_index: int, natural: PostText) -> PostText:
    """The post's text with what the business and the injected cases put into it."""
    from sandbox.world import PostText

    business = world.business
    text = natural
    sponsored = business.sponsored_post(account_index, post_index)
    if sponsored is not None:
        text = business.sponsored_text(sponsored, natural)
    lines = []
    rng = world.rng(_INJECT_TEXT, account_index, post_index)
    plan = world.account_plan(account_index)
    if plan.brand_safety_post == post_index:
        term = vocab.BRAND_SAFETY_TERMS[plan.brand_safety_term][0]
        lines.append(vocab.BRAND_SAFETY_LINES[rng.integers(3)].format(token=term))
    mention = business.competitor_mention(account_index, post_index)
    if mention is not None:
        lines.append(vocab.COMPETITOR_LINES[rng.integers(3)].format(token=mention.token))
    if not lines:
        return text
    added = " ".join(lines)
    # First lines stay first (a truncating client still sees them), except where a sponsored
    # caption's disclosure must keep its place at the top.
    if sponsored is None:
        description = f"{added}\n\n{text.description}"
    else:
        description = f"{text.description}\n\n{added}"
    return PostText(title=text.title, description=description, tags=text.tags)


# ---- ground truth -----------------------------------------------------------------------------


def account_id(account: Account) -> str:
    """The warehouse's account id (docs/architecture.md)."""
    if account.platform == "tiktok":
        return f"tiktok:{account.handle}"
    return f"{account.platform}:{account.platform_id}"


def post_key(world: World, account_index: int, post_index: int) -> str:
    platform = world.accounts[account_index].platform
    return f"{platform}:{world.post_id(account_index, post_index)}"


def case(
    flag_type: str,
    subject_kind: str,
    subject_id: str,
    creator_id: str,
    day: date,
    detail: dict[str, Any],
) -> dict[str, Any]:
    return {
        "flag_type": flag_type,
        "subject_kind": subject_kind,
        "subject_id": subject_id,
        "creator_id": creator_id,
        "day": day.isoformat(),
        "detail": detail,
    }


def injected_cases(world: World, day: date) -> list[dict[str, Any]]:
    """Every injected case visible on `day` (as the APIs and CRM files show it then)."""
    d = world.day_index(day)
    cases: list[dict[str, Any]] = []
    for account in world.accounts:
        cases += _account_cases(world, account, d)
    for creator in world.creators:
        plan = world.creator_plan(creator.index)
        if plan.inactive_from is not None:
            cases += _inactive_case(world, creator.index, d)
        cases += _sentiment_turn_case(world, creator.index, d)
    cases += world.business.injected_cases(d)
    return cases


def _date(world: World, day_index: int) -> date:
    return world.start_date + timedelta(days=day_index)


def _account_cases(world: World, account: Account, d: int) -> list[dict[str, Any]]:
    plan = world.account_plan(account.index)
    creator_id = world.creators[account.creator_index].creator_id
    subject = account_id(account)
    out = []
    event = plan.follower_event
    change = follower_change(world, account.index)
    if event is not None and change is not None and event.day <= d:
        followers = world.followers(account.index)
        before, after = int(followers[event.day - 1]), int(followers[event.day])
        detail: dict[str, Any] = {
            "followers_before": before,
            "followers_after": after,
            "share": round((after - before) / before, 4),
        }
        when = _date(world, event.day)
        if event.kind == "spike":
            detail.update(
                bought=change[1],
                engagement_drop=event.engagement_drop,
                severity="high" if event.engagement_drop else "medium",
            )
            out.append(case("follower_spike", "account", subject, creator_id, when, detail))
        else:
            detail["removed"] = -change[1]
            out.append(case("follower_drop", "account", subject, creator_id, when, detail))
    posts = world.posts(account.index)
    if plan.low_engagement:
        published_day = posts.published_s // DAY_S
        in_window = (published_day > d - WINDOW_DAYS) & (published_day <= d) & ~posts.likes_hidden
        if np.count_nonzero(in_window) >= 3:
            detail = {"engagement_factor": LOW_FACTOR, "posts_in_window": int(in_window.sum())}
            when = _date(world, d)
            out.append(case("low_engagement", "account", subject, creator_id, when, detail))
    visible = world.visible_count(account.index, d)
    for p in np.flatnonzero(posts.pod[:visible]):
        _, likes, comments = world.metrics(account.index, d, slice(p, p + 1))
        if likes[0] > 0 and comments[0] >= 10:  # the flag's floor of 10 comments
            detail = {"likes": int(likes[0]), "comments": int(comments[0])}
            out.append(_post_case(world, "engagement_anomaly", account.index, int(p), detail))
    if plan.brand_safety_post is not None and plan.brand_safety_post < visible:
        term, category = vocab.BRAND_SAFETY_TERMS[plan.brand_safety_term]
        detail = {"term": term, "category": category}
        out.append(_post_case(world, "brand_safety", account.index, plan.brand_safety_post, detail))
    return out


def _post_case(
    world: World, flag_type: str, account_index: int, post_index: int, detail: dict[str, Any]
) -> dict[str, Any]:
    account = world.accounts[account_index]
    return case(
        flag_type,
        "post",
        post_key(world, account_index, post_index),
        world.creators[account.creator_index].creator_id,
        world.post_published_at(account_index, post_index).date(),
        detail,
    )


def last_post_day(world: World, creator_index: int, d: int) -> int | None:
    """Day index of the creator's latest post published by the end of day `d`."""
    last = None
    for index in world.creators[creator_index].account_indexes:
        count = world.visible_count(index, d)
        if count:
            day = int(world.posts(index).published_s[count - 1] // DAY_S)
            last = day if last is None else max(last, day)
    return last


def _inactive_case(world: World, creator_index: int, d: int) -> list[dict[str, Any]]:
    last = last_post_day(world, creator_index, d)
    if last is None or d - last <= WINDOW_DAYS:
        return []
    creator_id = world.creators[creator_index].creator_id
    detail = {"last_post_date": _date(world, last).isoformat(), "days_inactive": d - last}
    when = _date(world, d)
    return [case("inactive_partner", "creator", creator_id, creator_id, when, detail)]


def _sentiment_turn_case(world: World, creator_index: int, d: int) -> list[dict[str, Any]]:
    from sandbox import comments  # comments.py builds on the world, which imports this module

    turn = comments.sentiment_turn(world, creator_index)
    if turn is None or turn.day_index > d:
        return []
    before = comments.month_sentiment(
        world, creator_index, turn.previous_day_index, turn.day_index, d
    )
    after = comments.month_sentiment(world, creator_index, turn.day_index, turn.end_day_index, d)
    if min(before.scored, after.scored) < comments.SHIFT_MIN_SCORED:
        return []
    creator_id = world.creators[creator_index].creator_id
    detail = {
        "previous_month": _date(world, turn.previous_day_index).isoformat(),
        "month": _date(world, turn.day_index).isoformat(),
        "previous_net_sentiment": round(before.net, 4),
        "net_sentiment": round(after.net, 4),
        "previous_comments_scored": before.scored,
        "comments_scored": after.scored,
    }
    when = _date(world, turn.day_index)
    return [case("negative_sentiment_shift", "creator", creator_id, creator_id, when, detail)]
