"""The brand's business in the world: campaigns, contracts, payments, shop orders, touchpoints.

Like the rest of the world it is a pure function of the seed: every campaign, contract, payment,
creator's touchpoints and day of organic orders draws from its own stream `(seed, kind, index)`.
Campaigns, contracts and payments are built when the world's business is first used (a few
thousand rows for 10k accounts); which posts deliver a contract is worked out per creator when
first asked; orders and touchpoints are built on first use.

- Campaigns lie within the world's days. Contracts tie a campaign to active (and some paused)
  creators; a contract's posts are the creator's first posts inside the campaign window, with a
  caption that carries the tracking hashtag, the brand handle and/or the promo code and normally
  a clear disclosure at its start. Some have none, a weak one or one buried past the first 125
  characters (the injected cases; see sandbox/injections.py). During an exclusive contract some
  creators mention a competitor in an unrelated post.
- Payments: a deposit and a balance, or one payment, due after signing and 15 days after the
  campaign; most are paid on time, some late, some never (injected late_payment cases), a few
  cancelled. Their status is as of a day. A share of contracts also pay a commission on the net
  revenue they brought (SPEC 5.2, performance-based): one payout in the reporting currency,
  listed the day after the attribution window closes, due 15 days later, paid like the fees.
- Shop orders carry a contract's promo code between the campaign start and its end plus the
  14-day attribution window, and also a little before it and after it (so the window's edge
  matters, in UTC dates); organic orders have no code or a shop-wide one. A few are cancelled or
  refunded later; some get one unit of a line back (a partial refund). Money is in integer
  cents; currencies convert with CURRENCY_RATES_USD.
- Fees and orders are calibrated to published figures (docs/sandbox.md): a fee buys reach at
  the platform's quoted CPM, above a creator's floor per post; promo-code orders follow the
  views bought, the share of viewers who visit the shop and the shop's conversion rate, so about
  a quarter of campaigns pay back in attributed revenue and most do not.
- Touchpoints: outreach and replies per creator; some relationships go cold (no replies).

Times are seconds since the world's start_date 00:00 UTC; days are day indexes (0 = start_date;
negative = before the world began, e.g. a contract signed before it).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np

from sandbox import injections, vocab
from sandbox.world import DAY_S, PostText, World, ascii_slug, benchmark_for

_CAMPAIGN, _CONTRACTS, _CONTRACT, _PAYMENT, _SPONSOR, _COMPETITOR, _ORDERS, _ORGANIC, _TOUCH = (
    range(110, 119)
)
# Partial refunds and returning customers draw on streams of their own, after the orders are
# made, so that adding them moved no other draw (orders, fates and amounts stayed what they were).
_PARTIAL_REFUND = 119
_RETURNING = 121  # 120 is the CRM's bad rows
_LINKS = 122
_COMMISSION = 123

MIN_CAMPAIGN_DAYS = 14
MIN_CAMPAIGNS = 3  # even a small world has a campaign of each kind of result to show
CAMPAIGN_DAYS = (14, 42)
CREATORS_PER_CAMPAIGN = (4, 10)
CONTRACT_WEIGHT_BY_STATUS = {"active": 1.0, "paused": 0.3}
# A contract's fee is its deliverables' expected views at a CPM drawn from the platform's quoted
# range (../shared/reference/domain_facts.md, "Money"), and never under a creator's floor per post.
CPM_USD = {"youtube": (10.0, 30.0), "instagram": (5.0, 15.0), "tiktok": (3.0, 10.0)}
MIN_FEE_PER_POST_USD = (25.0, 100.0)
DELIVERABLES = ((1, 0.45), (2, 0.35), (3, 0.20))
P_EXCLUSIVE = 0.3
DISCLOSURES = (("clear", 0.83), ("undisclosed", 0.08), ("weak_token", 0.05), ("buried", 0.04))
CLEAR_LEADS = ("#ad", "#sponsored", "#advertisement", "paid partnership", "brand_partner")
BURIED_TOKENS = ("#ad", "#sponsored")
P_COMPETITOR_MENTION = 0.35  # of exclusive contracts
BALANCE_DUE_AFTER_END = 15
PAYMENT_KINDS = (("on_time", 0.84), ("cancelled", 0.03), ("late", 0.08), ("missing", 0.05))
# Performance-based contracts (SPEC 5.2): this share of contracts adds a commission, a whole
# percent of the net attributed revenue; its payout is due this many days after it is listed.
# Such a hybrid contract trades part of the flat fee for the commission: its fee is this share
# of the flat fee the reach would cost.
P_COMMISSION = 0.3
COMMISSION_PCTS = (5, 8, 10, 12, 15)
COMMISSION_TERMS_DAYS = 15
HYBRID_FEE_SHARE = 0.7
# Promo-code orders: the deliverables' expected views x shop visits per view x the shop's
# conversion rate (1.4 %, Littledata's survey of Shopify stores) x the campaign objective's factor
# x the audience's fit with the brand (log-normal around 1: some audiences buy far more). Visits
# per view fall with a post's reach (a large audience is a looser one): VISITS_PER_VIEW at
# VISITS_REFERENCE_VIEWS views a post, times (views / reference) ** VISITS_ELASTICITY.
VISITS_PER_VIEW = 0.015
VISITS_REFERENCE_VIEWS = 10_000
VISITS_ELASTICITY = -0.25
SHOP_CONVERSION_RATE = 0.014
AUDIENCE_FIT_SIGMA = 0.7
FIT_RANGE = (0.1, 3.0)  # no audience buys 30 times the norm: an order count stays believable
OBJECTIVE_ORDER_FACTOR = {"awareness": 0.6, "consideration": 1.0, "conversion": 1.6}
# Where a promo-code order falls against its campaign: (share, first day, last day) relative to
# the start (leak) or the end; "edge" straddles the UTC midnight closing the attribution window.
P_ORDER_CANCELLED, P_ORDER_REFUNDED = 0.04, 0.04
# Of the delivered orders of two units or more that are not refunded whole: one unit of one
# line comes back, 2 to 22 days after delivery (a partial refund; the order stays counted).
P_PARTIAL_REFUND = 0.08
PARTIAL_REFUND_DAYS = (2, 22)
# Customers: a share of orders come from someone who ordered before (the customer of an earlier
# order, any alike), a few from guests (Shopify's guest checkout: no customer).
P_RETURNING_CUSTOMER = 0.3
P_GUEST_CHECKOUT = 0.04
# How a contract's order reached the shop (SPEC 5.2, "Attribution, second wave"): with the
# promo code only, through the creator's tracked link and the code, through the link only (no
# code, no discount), or with the code and another creator's link of the campaign (the two
# name different contracts). A link's UTM parameters are in `landing_site`, for some orders
# only in `referring_site`.
LINK_CHANNELS = (("code", 0.55), ("code_and_link", 0.30), ("link", 0.12), ("conflict", 0.03))
P_LINK_IN_REFERRER = 0.1
REFERRERS = ("https://www.instagram.com/", "https://www.youtube.com/", "https://www.tiktok.com/")
P_ORGANIC_CODE = 0.25
ORDER_ID_BASE = 5_800_000_000_000
CUSTOMER_ID_BASE = 7_100_000_000_000
COLD_AFTER_DAYS = 30  # a cold relationship is listed once it has been silent this long


@dataclass(frozen=True)
class Campaign:
    index: int
    campaign_id: str
    name: str
    brand: str
    brand_handle: str  # "@lumencoffee"
    brand_partner_tag: str  # "#lumencoffeepartner", the FTC's #<Brand>Partner
    starts_day: int
    ends_day: int  # inclusive
    listed_day: int  # first day the campaign is in the CRM export
    budget_cents: int
    currency: str
    objective: str
    tracking_hashtag: str


@dataclass(frozen=True)
class Contract:
    index: int
    contract_id: str
    campaign_index: int
    creator_index: int
    fee_cents: int
    product_cost_cents: int
    currency: str
    deliverables: int
    due_day: int
    promo_code: str
    discount_pct: int
    exclusive: bool
    signed_day: int  # also the day it appears in the CRM export
    expected_views: int  # of all its deliverables: what the fee and the orders follow
    audience_fit: float  # how well the creator's audience buys, around 1 (orders x this)
    commission_pct: int = 0  # of the net attributed revenue; 0: a flat fee only

    @property
    def commission_rate(self) -> str:
        """As the CRM writes it: a fraction ('0.08'); '' without a commission."""
        return f"0.{self.commission_pct:02d}" if self.commission_pct else ""


@dataclass(frozen=True)
class Payment:
    index: int
    payment_id: str
    contract_index: int
    amount_cents: int
    currency: str
    due_day: int
    kind: str  # on_time | late | missing | cancelled
    paid_day: int | None  # when it is (or will be) paid
    failed_day: int | None  # a failed attempt (missing payments only)
    listed_day: int  # the contract's signature (a commission: the day after its window)
    purpose: str = "fee"  # fee | commission

    def status_on(self, day: int) -> str:
        if self.kind == "cancelled":
            return "cancelled"
        if self.paid_day is not None and self.paid_day <= day:
            return "paid"
        if self.failed_day is not None and self.failed_day <= day:
            return "failed"
        return "scheduled"

    def paid_on(self, day: int) -> int | None:
        return self.paid_day if self.status_on(day) == "paid" else None

    def is_late_on(self, day: int) -> bool:
        """What late_payment flags on `day`: paid after its due date, or unpaid past it."""
        return self.kind in ("late", "missing") and self.due_day < day


@dataclass(frozen=True)
class SponsoredPost:
    contract_index: int
    account_index: int
    post_index: int
    disclosure: str  # clear | undisclosed | weak_token | buried
    token: str  # the disclosure token in the caption ("" when undisclosed)
    has_hashtag: bool
    has_handle: bool
    has_code: bool
    opener: int
    promo_line: int


@dataclass(frozen=True)
class CompetitorMention:
    contract_index: int
    account_index: int
    post_index: int
    competitor: str
    token: str


@dataclass(frozen=True)
class CreatorSponsorship:
    posts: dict[tuple[int, int], SponsoredPost]  # (account index, post index) ->
    mentions: dict[tuple[int, int], CompetitorMention]


@dataclass(frozen=True)
class Order:
    index: int  # position by creation time; number = 1001 + index
    order_id: int
    created_s: int
    fulfilled_s: int | None
    cancelled_s: int | None
    refunded_s: int | None
    cancel_reason: str | None
    currency: str
    items: tuple[tuple[int, int, int], ...]  # (product index, quantity, unit price in cents)
    discount_code: str | None
    discount_type: str | None  # percentage | shipping
    discount_cents: int
    contract_index: int | None
    customer_id: int | None  # None: a guest checkout
    partial_refund_s: int | None = None  # when one unit of a line came back
    partial_refund_line: int | None = None  # which line
    landing_site: str | None = None  # the shop page the visit began on, with its query
    referring_site: str | None = None  # the page the visitor came from

    def stands_at(self, as_of_s: int) -> bool:
        """Neither cancelled nor refunded whole before `as_of_s` (what attribution counts)."""
        return all(m is None or m >= as_of_s for m in (self.cancelled_s, self.refunded_s))

    @property
    def number(self) -> int:
        return 1001 + self.index

    @property
    def line_items_cents(self) -> int:
        return sum(quantity * price for _, quantity, price in self.items)

    @property
    def total_cents(self) -> int:
        return self.line_items_cents - self.discount_cents

    @property
    def lines_after_discount_cents(self) -> list[int]:
        """Each line's value less its share of the order's discount, in cents; the shares
        follow the lines' values and the last line takes the rounding, so the lines add up to
        the total (what a refund of the line returns)."""
        values = [quantity * price for _, quantity, price in self.items]
        whole = sum(values)
        shares = [self.discount_cents * value // whole if whole else 0 for value in values[:-1]]
        shares.append(self.discount_cents - sum(shares))
        return [value - share for value, share in zip(values, shares, strict=True)]

    @property
    def partial_refund_cents(self) -> int:
        """What the partial refund returns: one unit of its line, after the discount (the
        line's value after discount over its quantity, rounded down to the cent); 0 without."""
        if self.partial_refund_line is None:
            return 0
        quantity = self.items[self.partial_refund_line][1]
        return self.lines_after_discount_cents[self.partial_refund_line] // quantity

    def net_cents(self, as_of_s: int) -> int:
        """The total less a partial refund made before `as_of_s` (seconds since the start)."""
        refunded = self.partial_refund_s is not None and self.partial_refund_s < as_of_s
        return self.total_cents - (self.partial_refund_cents if refunded else 0)


@dataclass(frozen=True)
class Touchpoint:
    touchpoint_id: str
    creator_index: int
    occurred_s: int
    channel: str
    direction: str  # outbound | inbound
    responded_s: int | None  # outbound ones only


def money(cents: int) -> str:
    """Cents as a decimal string: 1250 -> '12.50' (Shopify and the CRM templates)."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def to_usd(cents: int, currency: str) -> float:
    return cents / 100 * vocab.CURRENCY_RATES_USD[currency]


def exact_usd(cents: int, currency: str) -> Decimal:
    """An amount in the reporting currency, exactly (a float sum can land a cent off once the
    warehouse, which sums decimals, rounds it)."""
    return Decimal(cents) / 100 * Decimal(str(vocab.CURRENCY_RATES_USD[currency]))


def _utm_query(campaign: str, content: str, u: float) -> str:
    """A tracked link's query: the four UTM parameters in one of several orders, sometimes
    with a click id (a link is matched by its parameters, not their order)."""
    params = [
        "utm_source=creator",
        "utm_medium=influencer",
        f"utm_campaign={campaign}",
        f"utm_content={content}",
    ]
    shift = int(u * 4)
    params = params[shift:] + params[:shift]
    if u > 0.5:
        params.append(f"fbclid=IwAR{int(u * 1e9):09d}")
    return "&".join(params)


def _pick(options: Sequence[Any], u: float) -> Any:
    """The option a uniform draw in [0, 1) falls on."""
    return options[int(u * len(options))]


def _weighted(options: tuple[tuple[Any, float], ...], u: float) -> Any:
    total = sum(w for _, w in options)
    edge = 0.0
    for value, weight in options:
        edge += weight / total
        if u < edge:
            return value
    return options[-1][0]


def _local_cents(usd: float, currency: str, step: int) -> int:
    """A USD amount in `currency`, rounded to `step` units, in cents."""
    units = usd / vocab.CURRENCY_RATES_USD[currency]
    return max(step, round(units / step) * step) * 100


def _payment(
    index: int,
    contract: Contract,
    amount_cents: int,
    currency: str,
    due_day: int,
    listed_day: int,
    rng: np.random.Generator,
    purpose: str = "fee",
) -> Payment:
    """A payment of a contract (its fee or a commission payout) listed on `listed_day`, its
    fate drawn (PAYMENT_KINDS): paid up to 6 days early (not before it is listed), 2 to 25 days
    late, never (half of those with a failed attempt on the due day), or cancelled."""
    kind = _weighted(PAYMENT_KINDS, float(rng.random()))
    early, late, fails = int(rng.integers(0, 7)), int(rng.integers(2, 26)), rng.random()
    paid = failed = None
    if kind == "on_time":
        paid = max(listed_day, due_day - early)
    elif kind == "late":
        paid = due_day + late
    elif kind == "missing" and fails < 0.5:
        failed = due_day
    return Payment(
        index=index,
        payment_id=f"pm_{index + 1:05d}",
        contract_index=contract.index,
        amount_cents=amount_cents,
        currency=currency,
        due_day=due_day,
        kind=kind,
        paid_day=paid,
        failed_day=failed,
        listed_day=listed_day,
        purpose=purpose,
    )


class Business:
    def __init__(self, world: World) -> None:
        self.world = world
        self.campaigns: list[Campaign] = [self._campaign(c) for c in range(self._campaign_count())]
        self.contracts: list[Contract] = []
        for campaign in self.campaigns:
            self._sign_contracts(campaign)
        self.contracts_of_creator: dict[int, list[Contract]] = defaultdict(list)
        for contract in self.contracts:
            self.contracts_of_creator[contract.creator_index].append(contract)
        self.payments: list[Payment] = []
        for contract in self.contracts:
            self._schedule_payments(contract)
        self._sponsorships: dict[int, CreatorSponsorship] = {}

    # ---- campaigns and contracts -----------------------------------------------------------

    def _campaign_count(self) -> int:
        if self.world.days < MIN_CAMPAIGN_DAYS:
            return 0
        return int(np.clip(round(len(self.world.creators) / 10), MIN_CAMPAIGNS, 300))

    def _campaign(self, index: int) -> Campaign:
        world = self.world
        rng = world.rng(_CAMPAIGN, index)
        brand = vocab.BRANDS[int(rng.integers(len(vocab.BRANDS)))]
        slug = re.sub(r"[^a-z0-9]", "", brand.lower())
        theme = vocab.CAMPAIGN_THEMES[int(rng.integers(len(vocab.CAMPAIGN_THEMES)))]
        longest = min(CAMPAIGN_DAYS[1], world.days - 1)
        duration = int(rng.integers(min(CAMPAIGN_DAYS[0], longest), longest + 1))
        starts = int(rng.integers(0, world.days - duration + 1))
        currency = _weighted(vocab.CURRENCY_WEIGHTS, float(rng.random()))
        objective = str(rng.choice(list(OBJECTIVE_ORDER_FACTOR)))
        return Campaign(
            index=index,
            campaign_id=f"cp_{index + 1:04d}",
            name=f"{brand} {theme.capitalize()} {index + 1}",
            brand=brand,
            brand_handle=f"@{slug}",
            brand_partner_tag=f"#{slug}partner",
            starts_day=starts,
            ends_day=starts + duration - 1,
            listed_day=starts - int(rng.integers(26, 46)),  # before any contract is signed
            budget_cents=0,  # set from the contracts signed for it
            currency=currency,
            objective=objective,
            tracking_hashtag=f"#{slug}{theme}{index + 1}",
        )

    def _eligible_creators(self) -> tuple[np.ndarray, np.ndarray]:
        weights = np.array(
            [CONTRACT_WEIGHT_BY_STATUS.get(c.status, 0.0) for c in self.world.creators]
        )
        eligible = np.flatnonzero(weights > 0)
        return eligible, weights[eligible] / weights[eligible].sum() if len(eligible) else weights

    def _sign_contracts(self, campaign: Campaign) -> None:
        eligible, weights = self._eligible_creators()
        if len(eligible) == 0:
            return
        rng = self.world.rng(_CONTRACTS, campaign.index)
        count = min(
            int(rng.integers(CREATORS_PER_CAMPAIGN[0], CREATORS_PER_CAMPAIGN[1] + 1)), len(eligible)
        )
        chosen = np.sort(eligible[rng.choice(len(eligible), size=count, replace=False, p=weights)])
        committed = 0
        for creator_index in chosen.tolist():
            contract = self._contract(len(self.contracts), campaign, creator_index)
            self.contracts.append(contract)
            committed += contract.fee_cents + contract.product_cost_cents
        budget_rng = self.world.rng(_CONTRACTS, campaign.index, 1)
        budget = round(committed * budget_rng.uniform(1.1, 1.6) / 10_000) * 10_000
        self.campaigns[campaign.index] = replace(campaign, budget_cents=max(budget, 10_000))

    def _contract(self, index: int, campaign: Campaign, creator_index: int) -> Contract:
        creator = self.world.creators[creator_index]
        rng = self.world.rng(_CONTRACT, index)
        cpm_draw = float(rng.random())
        product_usd = 0.0 if rng.random() < 0.4 else float(rng.uniform(20, 250))
        duration = campaign.ends_day - campaign.starts_day
        first_name = ascii_slug(creator.display_name.split(" ", 1)[0]).upper()[:8] or "CODE"
        deliverables = _weighted(DELIVERABLES, float(rng.random()))
        promo_code = f"{first_name}{index + 10}"
        discount_pct = int(rng.choice([10, 15, 20]))
        exclusive = bool(rng.random() < P_EXCLUSIVE)
        signed_day = campaign.starts_day - int(rng.integers(3, 26))
        # Drawn last, so the draws above stay what they were before fees followed reach.
        floor_usd = float(rng.uniform(*MIN_FEE_PER_POST_USD))
        log_fit = rng.normal(-(AUDIENCE_FIT_SIGMA**2) / 2, AUDIENCE_FIT_SIGMA)  # mean fit 1
        audience_fit = float(np.clip(np.exp(log_fit), *FIT_RANGE))
        platform, views_per_post = self.expected_views_per_post(creator_index)
        low, high = CPM_USD[platform]
        cpm_usd = float(np.exp(np.log(low) + cpm_draw * (np.log(high) - np.log(low))))
        fee_usd = deliverables * max(floor_usd, views_per_post * cpm_usd / 1000)
        commission_pct = self._commission_pct(index)
        if commission_pct:
            fee_usd *= HYBRID_FEE_SHARE
        return Contract(
            index=index,
            contract_id=f"ct_{index + 1:05d}",
            campaign_index=campaign.index,
            creator_index=creator_index,
            fee_cents=_local_cents(fee_usd, campaign.currency, 10),
            product_cost_cents=_local_cents(product_usd, campaign.currency, 1)
            if product_usd
            else 0,
            currency=campaign.currency,
            deliverables=deliverables,
            due_day=campaign.starts_day + max(2, round(0.75 * duration)),
            promo_code=promo_code,
            discount_pct=discount_pct,
            exclusive=exclusive,
            signed_day=signed_day,
            expected_views=round(deliverables * views_per_post),
            audience_fit=audience_fit,
            commission_pct=commission_pct,
        )

    def _commission_pct(self, index: int) -> int:
        """A whole percent for a performance-based contract, else 0 (a stream of its own, so
        adding commissions moved no other draw)."""
        rng = self.world.rng(_COMMISSION, index)
        with_commission, pct = rng.random() < P_COMMISSION, _pick(COMMISSION_PCTS, rng.random())
        return int(pct) if with_commission else 0

    def expected_views_per_post(self, creator_index: int) -> tuple[str, float]:
        """The platform of the creator's largest account and a post's expected views there
        (followers x the platform's views per follower at that size: sandbox/world.py)."""
        world = self.world
        account = max(
            (world.accounts[i] for i in world.creators[creator_index].account_indexes),
            key=lambda a: a.followers_start,
        )
        norms = benchmark_for(account.platform, account.followers_start)
        return account.platform, account.followers_start * norms.views_per_follower

    def campaign_of(self, contract: Contract) -> Campaign:
        return self.campaigns[contract.campaign_index]

    # ---- payments --------------------------------------------------------------------------

    def _schedule_payments(self, contract: Contract) -> None:
        rng = self.world.rng(_PAYMENT, contract.index)
        campaign = self.campaign_of(contract)
        balance_due = campaign.ends_day + BALANCE_DUE_AFTER_END
        if rng.random() < 0.6:
            deposit = round(contract.fee_cents / 2)
            parts = [
                (deposit, contract.signed_day + 7),
                (contract.fee_cents - deposit, balance_due),
            ]
        else:
            parts = [(contract.fee_cents, balance_due)]
        for amount, due in parts:
            index = len(self.payments)
            self.payments.append(
                _payment(index, contract, amount, contract.currency, due, contract.signed_day, rng)
            )

    @cached_property
    def commission_payments(self) -> list[Payment]:
        """Each performance-based contract's payout, when it owes one: listed the day after its
        attribution window closes, for its rate x the net revenue of its orders standing then
        (reporting currency, half-up to the cent), due COMMISSION_TERMS_DAYS later. Numbered
        after the fee payments."""
        orders: dict[int, list[Order]] = defaultdict(list)
        for order in self.orders:
            contract = self.attributed_contract(order)
            if contract is not None and contract.commission_pct:
                orders[contract.index].append(order)
        payouts: list[Payment] = []
        for contract in self.contracts:
            listed = self.campaign_of(contract).ends_day + vocab.ATTRIBUTION_WINDOW_DAYS + 1
            as_of_s = listed * DAY_S
            standing = [o for o in orders[contract.index] if o.stands_at(as_of_s)]
            net = sum((exact_usd(o.net_cents(as_of_s), o.currency) for o in standing), Decimal(0))
            cents = int((net * contract.commission_pct).quantize(Decimal(1), ROUND_HALF_UP))
            if not cents:
                continue
            due = listed + COMMISSION_TERMS_DAYS
            rng = self.world.rng(_COMMISSION, contract.index, 1)
            currency = vocab.REPORTING_CURRENCY
            index = len(self.payments) + len(payouts)
            payouts.append(
                _payment(index, contract, cents, currency, due, listed, rng, "commission")
            )
        return payouts

    @property
    def all_payments(self) -> list[Payment]:
        """The fee payments, then the commission payouts (what payments.csv lists)."""
        return self.payments + self.commission_payments

    # ---- sponsored posts -------------------------------------------------------------------

    def sponsorship(self, creator_index: int) -> CreatorSponsorship:
        """The creator's contracted posts and competitor mentions (worked out on first use)."""
        known = self._sponsorships.get(creator_index)
        if known is None:
            known = self._sponsorships[creator_index] = self._plan_sponsorship(creator_index)
        return known

    def _plan_sponsorship(self, creator_index: int) -> CreatorSponsorship:
        contracts = self.contracts_of_creator.get(creator_index, [])
        if not contracts:
            return CreatorSponsorship({}, {})
        world = self.world
        accounts = world.creators[creator_index].account_indexes
        posts: dict[tuple[int, int], SponsoredPost] = {}
        for contract in contracts:
            campaign = self.campaign_of(contract)
            delay = int(world.rng(_SPONSOR, contract.index).integers(0, 3))
            first, last = campaign.starts_day + delay, min(campaign.ends_day, world.days - 1)
            candidates = [
                key for key in self._posts_between(accounts, first, last) if key[1:] not in posts
            ]
            for k, (_, account_index, post_index) in enumerate(candidates[: contract.deliverables]):
                rng = world.rng(_SPONSOR, contract.index, k + 1)
                posts[(account_index, post_index)] = self._sponsored(
                    contract, account_index, post_index, rng
                )
        mentions: dict[tuple[int, int], CompetitorMention] = {}
        for contract in contracts:
            rng = world.rng(_COMPETITOR, contract.index)
            if not contract.exclusive or rng.random() >= P_COMPETITOR_MENTION:
                continue
            campaign = self.campaign_of(contract)
            first = max(min(contract.signed_day, campaign.starts_day), 0)
            last = min(campaign.ends_day, world.days - 1)
            free = [
                key[1:]
                for key in self._posts_between(accounts, first, last)
                if key[1:] not in posts and key[1:] not in mentions
            ]
            if free:
                account_index, post_index = free[int(rng.integers(len(free)))]
                competitor, tokens = vocab.COMPETITORS[int(rng.integers(len(vocab.COMPETITORS)))]
                token = tokens[int(rng.integers(len(tokens)))]
                mentions[(account_index, post_index)] = CompetitorMention(
                    contract.index, account_index, post_index, competitor, token
                )
        return CreatorSponsorship(posts, mentions)

    def _posts_between(
        self, accounts: tuple[int, ...], first_day: int, last_day: int
    ) -> list[tuple[int, int, int]]:
        """(published_s, account index, post index) of the accounts' posts published on days
        first_day .. last_day (UTC), by time."""
        found = []
        for account_index in accounts:
            arrivals = self.world.arrivals(account_index)
            lo, hi = np.searchsorted(arrivals, [first_day * DAY_S, (last_day + 1) * DAY_S])
            found += [(int(arrivals[p]), account_index, p) for p in range(lo, hi)]
        return sorted(found)

    def _sponsored(
        self, contract: Contract, account_index: int, post_index: int, rng: np.random.Generator
    ) -> SponsoredPost:
        u = rng.random(6)
        disclosure = _weighted(DISCLOSURES, float(u[0]))
        has_hashtag, has_handle, has_code = bool(u[1] < 0.75), bool(u[2] < 0.6), bool(u[3] < 0.5)
        if not (has_hashtag or has_handle or has_code):
            has_hashtag = True  # every contracted post carries at least one tie
        choices = {
            "clear": CLEAR_LEADS,
            "weak_token": vocab.WEAK_DISCLOSURES,
            "buried": BURIED_TOKENS,
            "undisclosed": ("",),
        }[disclosure]
        token = choices[int(u[4] * len(choices))]
        if token == "brand_partner":
            token = self.campaign_of(contract).brand_partner_tag
        return SponsoredPost(
            contract_index=contract.index,
            account_index=account_index,
            post_index=post_index,
            disclosure=disclosure,
            token=token,
            has_hashtag=has_hashtag,
            has_handle=has_handle,
            has_code=has_code,
            opener=int(u[5] * len(vocab.SPONSORED_OPENERS)),
            promo_line=int(rng.integers(len(vocab.PROMO_LINES))),
        )

    def sponsored_post(self, account_index: int, post_index: int) -> SponsoredPost | None:
        creator_index = self.world.accounts[account_index].creator_index
        if creator_index not in self.contracts_of_creator:
            return None
        return self.sponsorship(creator_index).posts.get((account_index, post_index))

    def competitor_mention(self, account_index: int, post_index: int) -> CompetitorMention | None:
        creator_index = self.world.accounts[account_index].creator_index
        if creator_index not in self.contracts_of_creator:
            return None
        return self.sponsorship(creator_index).mentions.get((account_index, post_index))

    def contract_posts(self, contract: Contract) -> list[SponsoredPost]:
        """The contract's posts (published any time in the world), by publication time."""
        posts = self.sponsorship(contract.creator_index).posts.values()
        mine = [p for p in posts if p.contract_index == contract.index]
        arrivals = self.world.arrivals
        return sorted(mine, key=lambda p: int(arrivals(p.account_index)[p.post_index]))

    def sponsored_text(self, post: SponsoredPost, natural: PostText) -> PostText:
        """The caption of a contracted post: disclosure (or not), the ties, the hashtags."""
        contract = self.contracts[post.contract_index]
        campaign = self.campaign_of(contract)
        topic = natural.tags[0]
        openers = vocab.SPONSORED_OPENERS if post.has_handle else vocab.SPONSORED_PLAIN_OPENERS
        opener = openers[post.opener].format(handle=campaign.brand_handle, topic=topic)
        opener = opener[0].upper() + opener[1:]
        promo = ""
        if post.has_code:
            line = vocab.PROMO_LINES[post.promo_line]
            promo = line.format(code=contract.promo_code, pct=contract.discount_pct)
        tags = ([campaign.tracking_hashtag] if post.has_hashtag else []) + [
            f"#{tag}" for tag in natural.tags[2:]
        ]
        hashtags = " ".join(tags)
        if post.disclosure == "clear":
            lead = (
                f"Paid partnership with {campaign.brand}."
                if post.token == "paid partnership"
                else post.token
            )
            head = f"{lead} {opener}"
        elif post.disclosure == "weak_token":
            head = f"{post.token} {opener}"
        elif post.disclosure == "buried":
            # A clear tag, but at the end of a long caption, far below the "more" cut.
            head = f"{opener} {vocab.BURIED_FILLER}"
            hashtags = f"{hashtags} {post.token}"
        else:
            head = opener
        description = "\n\n".join(part for part in (head, promo, hashtags) if part)
        return PostText(title=natural.title, description=description, tags=natural.tags)

    # ---- shop orders -----------------------------------------------------------------------

    @cached_property
    def orders(self) -> list[Order]:
        """Every order placed during the world, by creation time (ids and names in that order)."""
        drafts: list[tuple[int, int, int, dict[str, Any]]] = []
        for contract in self.contracts:
            drafts += self._contract_orders(contract)
        for day in range(self.world.days):
            drafts += self._organic_orders(day)
        drafts.sort(key=lambda d: d[:3])
        orders = []
        for index, (created, _, _, fields) in enumerate(drafts):
            order_id = ORDER_ID_BASE + index * 1000 + created % 997
            orders.append(Order(index=index, order_id=order_id, created_s=created, **fields))
        linked = self._with_links(orders)
        return self._with_returning_customers(self._with_partial_refunds(linked))

    def utm_of(self, contract: Contract) -> tuple[str, str]:
        """The tracked link's (utm_campaign, utm_content) of a contract, as the CRM lists them."""
        campaign = self.campaign_of(contract)
        creator = self.world.creators[contract.creator_index].creator_id
        return (
            f"{ascii_slug(campaign.name)}-{campaign.campaign_id}",
            f"{creator}-{contract.contract_id}",
        )

    def _with_links(self, orders: list[Order]) -> list[Order]:
        """Where each order's visit came from (LINK_CHANNELS): a contract's order through its
        creator's tracked link, with or without the code, or with another creator's link of the
        campaign; an organic order from a search ad or the shop's own pages."""
        draws = self.world.rng(_LINKS).random((len(orders), 4))
        by_campaign: dict[int, list[Contract]] = defaultdict(list)
        for contract in self.contracts:
            by_campaign[contract.campaign_index].append(contract)
        return [
            replace(order, **self._visit(order, by_campaign, *draw))
            for order, draw in zip(orders, draws.tolist(), strict=True)
        ]

    def _visit(
        self,
        order: Order,
        by_campaign: dict[int, list[Contract]],
        channel_u: float,
        where_u: float,
        order_u: float,
        other_u: float,
    ) -> dict[str, Any]:
        """The order's landing_site and referring_site; an order through a link alone also
        loses its code (and so its discount)."""
        page = f"/products/{vocab.PRODUCTS[order.items[0][0]][1].lower()}"
        if order.contract_index is None:
            if where_u < 0.2:  # a search ad: UTM parameters, but no creator's campaign
                search = {"referring_site": "https://www.google.com/"}
                return {"landing_site": f"{page}?utm_source=google&utm_medium=cpc", **search}
            return {"landing_site": page, "referring_site": None}
        channel = _weighted(LINK_CHANNELS, channel_u)
        if channel == "code":
            return {"landing_site": page, "referring_site": _pick(REFERRERS, where_u)}
        contract = self.contracts[order.contract_index]
        if channel == "conflict":  # another creator's link of the same campaign
            others = [c for c in by_campaign[contract.campaign_index] if c != contract]
            contract = _pick(others, other_u) if others else contract
        query = _utm_query(*self.utm_of(contract), order_u)
        referrer = _pick(REFERRERS, order_u)
        if where_u < P_LINK_IN_REFERRER:
            visit: dict[str, Any] = {"landing_site": page, "referring_site": f"{referrer}?{query}"}
        else:
            visit = {"landing_site": f"{page}?{query}", "referring_site": referrer}
        if channel == "link":  # no code at checkout: no discount
            visit.update(discount_code=None, discount_type=None, discount_cents=0)
        return visit

    def _with_returning_customers(self, orders: list[Order]) -> list[Order]:
        """Some orders are a guest's (P_GUEST_CHECKOUT), some a returning customer's: the
        customer of an earlier order (P_RETURNING_CUSTOMER; a guest's order passes its turn)."""
        draws = self.world.rng(_RETURNING).random((len(orders), 2))
        customers: list[Order] = []
        for index, (order, (kind, pick)) in enumerate(zip(orders, draws.tolist(), strict=True)):
            customer = order.customer_id
            if kind < P_GUEST_CHECKOUT:
                customer = None
            elif kind < P_GUEST_CHECKOUT + P_RETURNING_CUSTOMER and index:
                customer = customers[int(pick * index)].customer_id or customer
            customers.append(
                order if customer == order.customer_id else replace(order, customer_id=customer)
            )
        return customers

    def _with_partial_refunds(self, orders: list[Order]) -> list[Order]:
        """Some delivered orders of two units or more, not refunded whole, get one unit of one
        line back some days after delivery (P_PARTIAL_REFUND, PARTIAL_REFUND_DAYS)."""
        draws = self.world.rng(_PARTIAL_REFUND).random((len(orders), 3))
        first, last = PARTIAL_REFUND_DAYS
        refunded = []
        for order, (chance, line, delay) in zip(orders, draws.tolist(), strict=True):
            units = sum(quantity for _, quantity, _ in order.items)
            if (
                order.fulfilled_s is None
                or order.refunded_s is not None
                or units < 2
                or chance >= P_PARTIAL_REFUND
            ):
                refunded.append(order)
                continue
            moment = order.fulfilled_s + int((first + (last - first) * delay) * DAY_S)
            line_index = int(line * len(order.items))
            refunded.append(replace(order, partial_refund_s=moment, partial_refund_line=line_index))
        return refunded

    @cached_property
    def order_times(self) -> dict[str, np.ndarray]:
        """Event times of every order as arrays (int64 seconds; `never` where none)."""
        never = np.iinfo(np.int64).max

        def column(name: str) -> np.ndarray:
            values = [getattr(o, name) for o in self.orders]
            return np.array([never if v is None else v for v in values], dtype=np.int64)

        return {
            "created": column("created_s"),
            "fulfilled": column("fulfilled_s"),
            "cancelled": column("cancelled_s"),
            "refunded": column("refunded_s"),
            "partial_refund": column("partial_refund_s"),
            "id": np.array([o.order_id for o in self.orders], dtype=np.int64),
        }

    def _contract_orders(self, contract: Contract) -> list[tuple[int, int, int, dict[str, Any]]]:
        campaign = self.campaign_of(contract)
        rng = self.world.rng(_ORDERS, contract.index)
        views_per_post = contract.expected_views / contract.deliverables
        visits_per_view = (
            VISITS_PER_VIEW
            * (max(views_per_post, 1.0) / VISITS_REFERENCE_VIEWS) ** VISITS_ELASTICITY
        )
        expected = (
            contract.expected_views
            * visits_per_view
            * SHOP_CONVERSION_RATE
            * OBJECTIVE_ORDER_FACTOR[campaign.objective]
            * contract.audience_fit
        )
        count = int(rng.poisson(expected))
        where, offset = rng.random(count), rng.random(count)
        start, end = campaign.starts_day * DAY_S, (campaign.ends_day + 1) * DAY_S
        window_end = end + vocab.ATTRIBUTION_WINDOW_DAYS * DAY_S
        created = np.select(
            [where < 0.04, where < 0.80, where < 0.92, where < 0.96],
            [
                start - (1 + offset * 4) * DAY_S,  # the code leaked before the campaign
                start + offset * (end - start),
                end + offset * (window_end - end),  # inside the attribution window
                window_end + (offset - 0.5) * 6 * 3600,  # either side of its last UTC midnight
            ],
            window_end + offset * 10 * DAY_S,  # too late to count
        ).astype(np.int64)
        drafts = []
        for k, moment in enumerate(created.tolist()):
            if not 0 <= moment < self.world.days * DAY_S:
                continue
            code = contract.promo_code if rng.random() < 0.88 else contract.promo_code.lower()
            fields = self._order_fields(
                rng, moment, campaign.currency, code, "percentage", contract.discount_pct
            )
            drafts.append(
                (
                    moment,
                    0,
                    contract.index * 10_000 + k,
                    dict(fields, contract_index=contract.index),
                )
            )
        return drafts

    def _organic_orders(self, day: int) -> list[tuple[int, int, int, dict[str, Any]]]:
        rng = self.world.rng(_ORGANIC, day)
        count = int(rng.poisson(max(2.0, len(self.world.creators) / 40)))
        drafts = []
        for k in range(count):
            moment = day * DAY_S + int(rng.integers(DAY_S))
            currency = _weighted(vocab.CURRENCY_WEIGHTS, float(rng.random()))
            code, pct = vocab.ORGANIC_DISCOUNT_CODES[
                int(rng.integers(len(vocab.ORGANIC_DISCOUNT_CODES)))
            ]
            if rng.random() >= P_ORGANIC_CODE:
                code = None
            kind = "shipping" if pct == 0 else "percentage"
            fields = self._order_fields(rng, moment, currency, code, kind, pct)
            drafts.append((moment, 1, day * 10_000 + k, dict(fields, contract_index=None)))
        return drafts

    def _order_fields(
        self,
        rng: np.random.Generator,
        created: int,
        currency: str,
        code: str | None,
        kind: str,
        pct: int,
    ) -> dict[str, Any]:
        items = []
        for _ in range(int(rng.integers(1, 4))):
            product = int(rng.integers(len(vocab.PRODUCTS)))
            price = _local_cents(vocab.PRODUCTS[product][2], currency, 1) - 1  # 29.99
            items.append((product, int(rng.integers(1, 3)), price))
        subtotal = sum(q * p for _, q, p in items)
        fate, first, second = rng.random(), rng.random(), rng.random()
        fulfilled = cancelled = refunded = reason = None
        if fate < P_ORDER_CANCELLED:
            cancelled = created + int(3600 + first * 47 * 3600)
            reason = vocab.CANCEL_REASONS[int(second * len(vocab.CANCEL_REASONS))]
        else:
            fulfilled = created + int((1 + 2 * first) * DAY_S)
            if fate < P_ORDER_CANCELLED + P_ORDER_REFUNDED:
                refunded = fulfilled + int((2 + 16 * second) * DAY_S)
        return {
            "fulfilled_s": fulfilled,
            "cancelled_s": cancelled,
            "refunded_s": refunded,
            "cancel_reason": reason,
            "currency": currency,
            "items": tuple(items),
            "discount_code": code,
            "discount_type": kind if code else None,
            "discount_cents": round(subtotal * pct / 100) if code else 0,
            "customer_id": CUSTOMER_ID_BASE + int(rng.integers(1_000_000)),
        }

    def attributed_contract(self, order: Order) -> Contract | None:
        """The contract SPEC 5.2 attributes the order to: by promo code or by tracked link,
        the order created (UTC date) between the campaign start and the campaign end + the
        attribution window; when the code and the link name different contracts, the code's
        (the default rule). Cancellation and refunds are not looked at."""
        return self.code_contract(order) or self.link_contract(order)

    def attribution_method(self, order: Order) -> str | None:
        """`code` when the promo code decided (alone, with a link that agrees, or against a
        link naming another contract), `link` when only the link names a contract."""
        if self.code_contract(order) is not None:
            return "code"
        return "link" if self.link_contract(order) is not None else None

    def code_contract(self, order: Order) -> Contract | None:
        """The contract whose promo code the order used (case-insensitive), inside its window."""
        if order.contract_index is None or order.discount_code is None:
            return None
        contract = self.contracts[order.contract_index]
        if order.discount_code.upper() != contract.promo_code:
            return None
        return contract if self._in_window(contract, order) else None

    def link_contract(self, order: Order) -> Contract | None:
        """The contract whose tracked link the order came through, inside its window: the UTM
        parameters of `landing_site` when it has utm_campaign, else of `referring_site`."""
        site = order.landing_site or ""
        if "utm_campaign" not in parse_qs(urlsplit(site).query):
            site = order.referring_site or ""
        params = parse_qs(urlsplit(site).query)
        key = (params.get("utm_campaign", [""])[0], params.get("utm_content", [""])[0])
        contract = self._contracts_by_utm.get(key)
        return contract if contract is not None and self._in_window(contract, order) else None

    @cached_property
    def _contracts_by_utm(self) -> dict[tuple[str, str], Contract]:
        return {self.utm_of(contract): contract for contract in self.contracts}

    def _in_window(self, contract: Contract, order: Order) -> bool:
        campaign = self.campaign_of(contract)
        day = order.created_s // DAY_S
        return campaign.starts_day <= day <= campaign.ends_day + vocab.ATTRIBUTION_WINDOW_DAYS

    # ---- touchpoints -----------------------------------------------------------------------

    @cached_property
    def touchpoints(self) -> list[Touchpoint]:
        """Every touchpoint of the world, by creator then time."""
        drafts = []
        for creator in self.world.creators:
            drafts += self._creator_touchpoints(creator.index)
        return [Touchpoint(f"tp_{n + 1:06d}", *fields) for n, fields in enumerate(drafts)]

    def _creator_touchpoints(self, creator_index: int) -> list[tuple[Any, ...]]:
        world = self.world
        creator = world.creators[creator_index]
        rng = world.rng(_TOUCH, creator_index)
        end = world.days * DAY_S
        # (first touchpoint, mean gap in days, share outbound, chance an outbound is answered)
        profile = {
            "prospect": (world.days - int(rng.integers(10, 61)), 12.0, 0.85, 0.35),
            "active": (-90, 9.0, 0.65, 0.85),
            "paused": (-90, 20.0, 0.60, 0.70),
            "ended": (-90, 30.0, 0.60, 0.60),
        }[creator.status]
        first, gap, outbound_share, answer_rate = profile
        if creator.status == "ended":  # the relationship stopped some time ago
            end = min(end, int(rng.integers(-30, max(world.days // 2, -29))) * DAY_S)
        gaps = rng.gamma(3.0, gap * DAY_S / 3.0, int((end - first * DAY_S) / (gap * DAY_S)) + 8)
        times = first * DAY_S + np.cumsum(gaps).astype(np.int64)
        cold = world.creator_plan(creator_index).cold_from
        drafts = []
        for moment in times[times < end].tolist():
            u = rng.random(4)
            channel = _weighted(vocab.TOUCHPOINT_CHANNELS, float(u[0]))
            outbound = bool(u[1] < outbound_share)
            answered = outbound and u[2] < answer_rate
            if cold is not None and moment >= cold * DAY_S:
                # Gone cold: the creator no longer writes or answers; the team tries now and then.
                if not outbound or u[3] > 0.4:
                    continue
                answered = False
            responded = moment + int(1800 + u[3] * 71 * 3600) if answered else None
            drafts.append(
                (creator_index, moment, channel, "outbound" if outbound else "inbound", responded)
            )
        return drafts

    # ---- injected cases --------------------------------------------------------------------

    def injected_cases(self, d: int) -> list[dict[str, Any]]:
        """The business's injected cases visible at the end of day index `d`."""
        cases = []
        for creator_index in sorted(self.contracts_of_creator):
            cases += self._sponsorship_cases(creator_index, d)
        cases += self._payment_cases(d)
        cases += self._order_cases(d)
        cases += self._cold_cases(d)
        return cases

    def _creator_id(self, creator_index: int) -> str:
        return self.world.creators[creator_index].creator_id

    def _sponsorship_cases(self, creator_index: int, d: int) -> list[dict[str, Any]]:
        world = self.world
        sponsorship = self.sponsorship(creator_index)
        cases = []
        for (account_index, post_index), post in sorted(sponsorship.posts.items()):
            if post.disclosure == "clear" or post_index >= world.visible_count(account_index, d):
                continue
            contract = self.contracts[post.contract_index]
            flag = (
                "undisclosed_sponsorship" if post.disclosure == "undisclosed" else "weak_disclosure"
            )
            detail = {
                "contract_id": contract.contract_id,
                "campaign_id": self.campaign_of(contract).campaign_id,
                "disclosure": post.disclosure,
                "token": post.token,
            }
            cases.append(self._post_case(flag, account_index, post_index, detail))
        for (account_index, post_index), mention in sorted(sponsorship.mentions.items()):
            if post_index >= world.visible_count(account_index, d):
                continue
            contract = self.contracts[mention.contract_index]
            detail = {
                "competitor": mention.competitor,
                "token": mention.token,
                "contract_id": contract.contract_id,
                "campaign_id": self.campaign_of(contract).campaign_id,
            }
            cases.append(self._post_case("competitor_mention", account_index, post_index, detail))
        return cases

    def _post_case(
        self, flag: str, account_index: int, post_index: int, detail: dict[str, Any]
    ) -> dict[str, Any]:
        world = self.world
        creator_index = world.accounts[account_index].creator_index
        return injections.case(
            flag,
            "post",
            injections.post_key(world, account_index, post_index),
            self._creator_id(creator_index),
            world.post_published_at(account_index, post_index).date(),
            detail,
        )

    def day(self, day_index: int) -> date:
        return self.world.start_date + timedelta(days=day_index)

    def _payment_cases(self, d: int) -> list[dict[str, Any]]:
        cases = []
        for payment in self.all_payments:
            if payment.listed_day > d or not payment.is_late_on(d):
                continue
            contract = self.contracts[payment.contract_index]
            paid = payment.paid_on(d)
            detail = {
                "contract_id": contract.contract_id,
                "kind": payment.kind,
                "purpose": payment.purpose,
                "due_on": self.day(payment.due_day).isoformat(),
                "paid_on": None if paid is None else self.day(paid).isoformat(),
                "status": payment.status_on(d),
                "days_late": (paid if paid is not None else d) - payment.due_day,
            }
            when = self.day(paid if paid is not None else d)
            creator_id = self._creator_id(contract.creator_index)
            cases.append(
                injections.case(
                    "late_payment", "payment", payment.payment_id, creator_id, when, detail
                )
            )
        return cases

    def _order_cases(self, d: int) -> list[dict[str, Any]]:
        cases = []
        end = (d + 1) * DAY_S
        for order in self.orders:
            if order.created_s >= end:
                break
            for kind, moment in (
                ("order_cancelled", order.cancelled_s),
                ("order_refunded", order.refunded_s),
            ):
                if moment is None or moment >= end:
                    continue
                contract = self.attributed_contract(order)
                detail = {
                    "name": f"#{order.number}",
                    "discount_code": order.discount_code,
                    "contract_id": None if contract is None else contract.contract_id,
                    "total_price": money(order.total_cents),
                    "currency": order.currency,
                }
                creator_id = None if contract is None else self._creator_id(contract.creator_index)
                when = self.day(moment // DAY_S)
                cases.append(
                    injections.case(kind, "order", str(order.order_id), creator_id, when, detail)
                )
        return cases

    def _cold_cases(self, d: int) -> list[dict[str, Any]]:
        cases = []
        end = (d + 1) * DAY_S
        by_creator: dict[int, list[Touchpoint]] = defaultdict(list)
        for touchpoint in self.touchpoints:
            if touchpoint.occurred_s < end:
                by_creator[touchpoint.creator_index].append(touchpoint)
        for creator in self.world.creators:
            cold = self.world.creator_plan(creator.index).cold_from
            if cold is None or d - cold < COLD_AFTER_DAYS:
                continue
            mine = by_creator.get(creator.index, [])
            after = [t for t in mine if t.occurred_s >= cold * DAY_S]
            answered = [
                max(t.occurred_s, t.responded_s or 0)
                for t in mine
                if t.occurred_s < cold * DAY_S and (t.direction == "inbound" or t.responded_s)
            ]
            detail = {
                "unanswered_outbound": len(after),
                "last_reply_at": self.world.published_at(max(answered)).isoformat()
                if answered
                else None,
            }
            cases.append(
                injections.case(
                    "went_cold",
                    "creator",
                    creator.creator_id,
                    creator.creator_id,
                    self.day(cold),
                    detail,
                )
            )
        return cases
