"""What the pipeline should find, written as JSON so tests can measure detection and loss.

Format (version 2; every date is YYYY-MM-DD; `published_at` RFC 3339 UTC; shop timestamps as
the shop API writes them, ISO 8601 with the shop's offset; money as decimal strings in its
currency, `*_usd` as numbers rounded to the cent):

    {
      "format": "irm-sandbox-ground-truth", "version": 2,
      "world": {"seed", "accounts", "days", "start_date", "end_date"},
      "as_of": "2026-03-01",
      "series_start": "2026-01-01",          # index 0 of every daily series; last index = as_of
      "counts": {"creators", "accounts", "accounts_by_platform": {...},
                 "youtube_channels", "youtube_channels_hidden_subscribers", "youtube_videos",
                 "youtube_videos_likes_hidden", "youtube_videos_comments_disabled",
                 "campaigns", "contracts", "payments", "orders", "touchpoints",
                 "injected": {"<flag_type>": n, ...}},
      "youtube": {"channels": {"<channel_id>": {
          "creator_id", "handle", "hidden_subscriber_count": bool,
          "tier": "nano|micro|mid|macro" | null,      # from the count the API shows on as_of
          "subscriber_counts": [int | null, ...],     # as the API shows it per day, null if hidden
          "view_count", "video_count",                # as of as_of
          "videos": [{"video_id", "published_at", "views", "likes", "comments"}, ...]
      }}},
      "instagram": {...}, "tiktok": {...},   # sandbox.instagram_api / tiktok_api ground_truth()
      "shop": {"orders": [{"id": "<order id>", "name": "#1001", "created_at", "updated_at",
                           "total_price": "12.50", "current_total_price": "12.50",
                           "landing_site": str | null, "referring_site": str | null,
                           "currency", "financial_status",
                           "cancelled_at": str | null, "discount_codes": ["CODE", ...]}]},
      "crm": {"bad_row_share": 0.0,
              "files": {"creators.csv": {"columns": [...], "rows": n_good, "lines": n_lines}, ...},
              "rejects": [{"file": "contracts.csv", "line": 17, "kind": "negative_amount"}]},
      "business": {
          "reporting_currency": "USD", "attribution_window_days": 14,
          "new_customer_lookback_days": 365,
          "currency_rates": {"USD": 1.0, "EUR": 1.17, ...},        # USD per unit
          "campaigns": [{"campaign_id", "name", "brand", "brand_handle", "starts_on", "ends_on",
                         "budget", "currency", "objective", "tracking_hashtag"}],
          "contracts": [{"contract_id", "campaign_id", "creator_id", "fee", "product_cost",
                         "currency", "deliverables", "due_on", "promo_code", "exclusive",
                         "signed_on", "commission_rate", "utm_campaign", "utm_content",
                         "posts": ["<platform>:<post id>", ...],
                         "orders": ["<order id>", ...],              # attributed, counted
                         "orders_by_code", "orders_by_link",
                         "spend_committed_usd", "spend_paid_usd", "revenue_usd",
                         "gross_revenue_usd", "new_customers", "new_customer_revenue_usd",
                         "commission_usd", "commission_paid_usd"}],
          "payments": [{"payment_id", "contract_id", "amount", "currency", "due_on",
                        "paid_on": str | null, "status", "purpose"}],  # as of as_of
          "campaign_roi": [{"campaign_id", "spend_committed_usd", "spend_paid_usd",
                            "posts_delivered", "orders", "orders_by_code", "orders_by_link",
                            "revenue_usd", "gross_revenue_usd",
                            "new_customers", "new_customer_revenue_usd",
                            "cost_per_new_customer_usd", "commission_usd",
                            "commission_paid_usd", "roi", "roas"}]
      },
      "injected": [{"flag_type", "subject_kind", "subject_id", "creator_id", "day", "detail"}],
      "comments": {                          # sandbox/comments.py
          "window_days": 30,                 # posts published in the window_days up to as_of
          "shares": {"withheld", "replies", "emoji_only", "languages": {...},
                     "polarity": {"organic": {...}, "sponsored": {...},
                                  "turned": {...}}},   # drawn with these (turned: injected)
          "instagram": {"available": false, "reason"},
          "youtube" | "tiktok": {
              "counts": {"posts", "posts_comments_disabled", "comments_listed",
                         "comments_scorable"},
              "posts": {"<platform>:<native post id>": {
                  "creator_id", "published_at", "sponsored": bool, "comments_disabled": bool,
                  "comment_count": int | null,   # as the API reports it (null when disabled)
                  "listed", "replies", "withheld",   # listed + replies + withheld = comment_count
                  "scorable", "positive_share", "negative_share",   # over scorable; null if 0
                  "comments": [{"id", "polarity": "positive|neutral|negative",
                                "language": "en|es|de|fr|pt" | null,   # null: emoji only
                                "is_scorable": bool}, ...]}}}    # listed ones, newest first
      },
      "listening": {                         # sandbox/listening.py
          "terms": [{"term", "term_kind": "brand|product|campaign|niche|competitor"}, ...],
          "competitors": {"<term>": "<competitor>", ...},
          "mentions": {"youtube" | "instagram" | "tiktok": {
              "limits": "<what the endpoints leave out>",
              "capped": [{"date", "term"}, ...],        # youtube only: past search's 500 cap
              "rows": [{"date", "term", "term_kind", "mentions",   # distinct posts
                        "authors": int | null, "roster_authors": int | null,   # null: instagram
                        "post_ids": ["<platform>:<native id>", ...]}, ...]}},
          "candidates": [{"account_id", "platform", "handle", "followers", "tier",
                          "profile": "good_fit|off_niche|bought_followers|brand_safety|
                                      competitor_partner",
                          "is_good_fit": bool, "engagement_vs_norm", "mentions",
                          "niche_share_30d", "reasons": ["<plain words>", ...]}, ...],
          "instagram_accounts": ["<username>", ...]   # not candidates: hashtag media have no author
      }
    }

YouTube videos are every video visible on `as_of` (the back catalogue before start_date
included), oldest first, with counts as of `as_of`; `likes`/`comments` are null where the API
omits them. Business rows are those in the CRM export of `as_of` (bad rows excluded); a
contract's `posts` are its contracted posts published by then, `orders` the orders SPEC 5.2
attributes to it (promo code or tracked link, campaign window + 14 days in UTC dates; the code
wins when they name different contracts) that are neither cancelled nor refunded whole by
then, `orders_by_link` those only the link attributed. Money in USD: commission_usd = the
contract's commission rate x its net revenue, rounded to the cent (0 without a rate),
spend_committed_usd = round((fee + product_cost) x rate, 2) + commission_usd per contract,
spend_paid_usd = paid payments x rate (fees and commission payouts; commission_paid_usd those
whose purpose is commission),
revenue_usd = (order total - a partial refund made by then) x rate (net), gross_revenue_usd =
order total x rate; new_customers counts the orders whose customer (not a guest) has no
earlier order created in the 365 days (UTC dates) before it that is not cancelled by then,
new_customer_revenue_usd their net revenue, cost_per_new_customer_usd = committed /
new_customers (4 decimals); a campaign's sums are rounded to the cent once, as the warehouse
does (a contract's are rounded for display); roi = (revenue - committed) / committed, roas =
revenue / committed (null when nothing is committed). The `injected` list
(sandbox/injections.py) holds every injected case visible on `as_of`, with warehouse ids:
account_id `youtube:<channel id>`, `instagram:<IG user id>`, `tiktok:<username>`; post_id
`<platform>:<native id>`.

Listening mentions are per date (UTC publication date, from start_date to as_of) x platform x
term, over roster and non-roster posts, by SPEC 5.5's rule (whole word, any case, optional # or
@) on what each platform's listening endpoints serve: a YouTube video's title and full
description, a TikTok video's description, and on Instagram only media whose caption carries the
term as a hashtag (hashtag search serves nothing else). `mentions` counts distinct posts;
`authors` distinct accounts, `roster_authors` those on the roster (null on Instagram). The
candidates are the non-roster YouTube and TikTok accounts, each with is_good_fit and its reasons.
"""

from __future__ import annotations

import importlib
import json
import os
from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sandbox import comments, injections, listening, vocab
from sandbox.business import Business, Contract, Payment, exact_usd, to_usd
from sandbox.crm import campaign_rows, contract_rows, crm_export, payment_rows
from sandbox.shop_api import order_resource, order_state
from sandbox.world import DAY_S, World, round_3_significant, tier_of

FORMAT, VERSION = "irm-sandbox-ground-truth", 2
# Other helpers' API modules contribute their own section when present.
_PLATFORM_MODULES = {"instagram": "sandbox.instagram_api", "tiktok": "sandbox.tiktok_api"}


def _rfc3339(moment: Any) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def youtube_channel_truth(world: World, account_index: int, day: date) -> dict[str, Any]:
    account = world.account(account_index)
    d = world.day_index(day)
    followers = world.followers(account_index)[: d + 1].tolist()
    shown = [None if account.hidden_followers else round_3_significant(f) for f in followers]
    count = world.visible_count(account_index, d)
    views, likes, comments = world.metrics(account_index, d, slice(0, count))
    posts = world.posts(account_index)
    videos = [
        {
            "video_id": world.video_id(account_index, i),
            "published_at": _rfc3339(world.post_published_at(account_index, i)),
            "views": int(views[i]),
            "likes": None if posts.likes_hidden[i] else int(likes[i]),
            "comments": None if posts.comments_hidden[i] else int(comments[i]),
        }
        for i in range(count)
    ]
    return {
        "creator_id": world.creator_of(account).creator_id,
        "handle": account.handle,
        "hidden_subscriber_count": account.hidden_followers,
        "tier": None if shown[-1] is None else tier_of(shown[-1]),
        "subscriber_counts": shown,
        "view_count": account.base_views + int(views.sum()),
        "video_count": count,
        "videos": videos,
    }


def platform_truth(world: World, day: date) -> dict[str, Any]:
    """Instagram and TikTok sections from their API modules, where those exist."""
    out = {}
    for platform, module_name in _PLATFORM_MODULES.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        truth = getattr(module, "ground_truth", None)
        if truth is not None:
            out[platform] = truth(world, day)
    return out


def shop_truth(world: World, day: date) -> dict[str, Any]:
    as_of_s = (world.day_index(day) + 1) * DAY_S
    orders = []
    for order in world.business.orders:
        if order.created_s >= as_of_s:
            break
        shown = order_resource(world, order, as_of_s)
        orders.append(
            {
                "id": str(order.order_id),
                "name": shown["name"],
                "created_at": shown["created_at"],
                "updated_at": shown["updated_at"],
                "total_price": shown["total_price"],
                "current_total_price": shown["current_total_price"],
                "landing_site": shown["landing_site"],
                "referring_site": shown["referring_site"],
                "currency": shown["currency"],
                "financial_status": shown["financial_status"],
                "cancelled_at": shown["cancelled_at"],
                "discount_codes": [c["code"] for c in shown["discount_codes"]],
            }
        )
    return {"orders": orders}


def crm_truth(world: World, day: date, bad_row_share: float) -> dict[str, Any]:
    files = crm_export(world, day, bad_row_share)
    return {
        "bad_row_share": bad_row_share,
        "files": {
            f.name: {"columns": list(f.columns), "rows": f.good_rows, "lines": len(f.rows) + 1}
            for f in files.values()
        },
        "rejects": [reject for f in files.values() for reject in f.rejects],
    }


def _counted_orders(business: Business, as_of_s: int) -> dict[int, list[str]]:
    """Order ids per contract index: attributed and neither cancelled nor refunded whole by
    then (a partially refunded order counts)."""
    counted: dict[int, list[str]] = {}
    for order in business.orders:
        if order.created_s >= as_of_s:
            break
        contract = business.attributed_contract(order)
        if contract is None or not order.stands_at(as_of_s):
            continue
        counted.setdefault(contract.index, []).append(str(order.order_id))
    return counted


def _new_customer_orders(business: Business, as_of_s: int) -> set[int]:
    """Ids of the orders placed by then whose customer (not a guest) has no earlier order
    (created before it, on a UTC date at most NEW_CUSTOMER_LOOKBACK_DAYS before its own) that
    is not cancelled by then (SPEC 5.2; in the sandbox a voided order is a cancelled one)."""
    history: dict[int, list[int]] = {}  # customer -> creation times of their standing orders
    new = set()
    for order in business.orders:  # by creation time
        if order.created_s >= as_of_s:
            break
        if order.customer_id is None:
            continue
        first_day = order.created_s // DAY_S - vocab.NEW_CUSTOMER_LOOKBACK_DAYS
        earlier = history.setdefault(order.customer_id, [])
        if not any(first_day <= t // DAY_S and t < order.created_s for t in earlier):
            new.add(order.order_id)
        if not order_state(order, as_of_s)["cancelled"]:
            earlier.append(order.created_s)
    return new


def _to_cent(amount: Decimal) -> float:
    """Rounded to the cent half away from zero, as both warehouses' `round` does."""
    return float(amount.quantize(Decimal("0.01"), ROUND_HALF_UP))


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else round(numerator / denominator, 6)


def business_truth(world: World, day: date) -> dict[str, Any]:
    business = world.business
    d = world.day_index(day)
    as_of_s = (d + 1) * DAY_S
    counted = _counted_orders(business, as_of_s)
    methods = {o.order_id: business.attribution_method(o) for o in business.orders}
    new_customer_orders = _new_customer_orders(business, as_of_s)
    totals = {o.order_id: o for o in business.orders if o.created_s < as_of_s}
    contracts = []
    by_campaign: dict[str, dict[str, float]] = {}
    rows = {r["contract_id"]: r for r in contract_rows(world, day)}
    payments: dict[int, list[Payment]] = {}
    for payment in business.all_payments:
        payments.setdefault(payment.contract_index, []).append(payment)
    for contract in business.contracts:
        if contract.contract_id not in rows:
            continue
        measures = _contract_measures(
            world, business, contract, d, counted, totals, payments.get(contract.index, [])
        )
        new_orders = [o for o in measures["orders"] if int(o) in new_customer_orders]
        by_link = [o for o in measures["orders"] if methods[int(o)] == "link"]
        measures["orders_by_link"] = len(by_link)
        measures["orders_by_code"] = len(measures["orders"]) - len(by_link)
        new_revenue = sum(
            (
                exact_usd(totals[int(o)].net_cents(as_of_s), totals[int(o)].currency)
                for o in new_orders
            ),
            Decimal(0),
        )
        measures["new_customers"] = len(new_orders)
        measures["new_customer_revenue_usd"] = _to_cent(new_revenue)
        campaign_id = business.campaign_of(contract).campaign_id
        total = by_campaign.setdefault(
            campaign_id,
            dict.fromkeys(
                (
                    "spend_committed_usd",
                    "spend_paid_usd",
                    "posts_delivered",
                    "orders",
                    "orders_by_code",
                    "orders_by_link",
                    "revenue_usd",
                    "gross_revenue_usd",
                    "new_customers",
                    "commission_usd",
                    "commission_paid_usd",
                ),
                0.0,
            )
            # money summed exactly, as the warehouse does, and rounded half away from zero once
            | dict.fromkeys(
                ("spend_paid_usd", "revenue_usd", "gross_revenue_usd", "new_customer_revenue_usd"),
                Decimal(0),
            ),
        )
        # As the warehouse sums: committed spend rounded per contract, the rest exactly.
        total["spend_committed_usd"] += measures["spend_committed_usd"]
        total["spend_paid_usd"] += measures.pop("_paid_exact")
        total["posts_delivered"] += len(measures["posts"])
        total["orders"] += len(measures["orders"])
        total["orders_by_code"] += measures["orders_by_code"]
        total["orders_by_link"] += measures["orders_by_link"]
        total["revenue_usd"] += measures.pop("_revenue_exact")
        total["gross_revenue_usd"] += measures.pop("_gross_revenue_exact")
        total["new_customers"] += len(new_orders)
        total["new_customer_revenue_usd"] += new_revenue
        total["commission_usd"] += measures["commission_usd"]
        total["commission_paid_usd"] += measures["commission_paid_usd"]
        contracts.append({**rows[contract.contract_id], **measures})
    campaign_roi = []
    for campaign_id, total in by_campaign.items():
        committed, revenue = round(total["spend_committed_usd"], 2), _to_cent(total["revenue_usd"])
        campaign_roi.append(
            {
                "campaign_id": campaign_id,
                "spend_committed_usd": committed,
                "spend_paid_usd": _to_cent(total["spend_paid_usd"]),
                "posts_delivered": int(total["posts_delivered"]),
                "orders": int(total["orders"]),
                "orders_by_code": int(total["orders_by_code"]),
                "orders_by_link": int(total["orders_by_link"]),
                "revenue_usd": revenue,
                "gross_revenue_usd": _to_cent(total["gross_revenue_usd"]),
                "new_customers": int(total["new_customers"]),
                "new_customer_revenue_usd": _to_cent(total["new_customer_revenue_usd"]),
                "commission_usd": round(total["commission_usd"], 2),
                "commission_paid_usd": round(total["commission_paid_usd"], 2),
                "cost_per_new_customer_usd": None
                if not total["new_customers"]
                else round(committed / total["new_customers"], 4),
                "roi": _ratio(revenue - committed, committed),
                "roas": _ratio(revenue, committed),
            }
        )
    return {
        "reporting_currency": vocab.REPORTING_CURRENCY,
        "attribution_window_days": vocab.ATTRIBUTION_WINDOW_DAYS,
        "new_customer_lookback_days": vocab.NEW_CUSTOMER_LOOKBACK_DAYS,
        "currency_rates": dict(vocab.CURRENCY_RATES_USD),
        "campaigns": campaign_rows(world, day),
        "contracts": contracts,
        "payments": payment_rows(world, day),
        "campaign_roi": campaign_roi,
    }


def _contract_measures(
    world: World,
    business: Business,
    contract: Contract,
    d: int,
    counted: dict[int, list[str]],
    totals: dict[int, Any],
    payments: list[Payment],
) -> dict[str, Any]:
    posts = [
        injections.post_key(world, p.account_index, p.post_index)
        for p in business.contract_posts(contract)
        if p.post_index < world.visible_count(p.account_index, d)
    ]
    orders = counted.get(contract.index, [])
    as_of_s = (d + 1) * DAY_S
    sold = [totals[int(o)] for o in orders]
    revenue = sum((exact_usd(o.net_cents(as_of_s), o.currency) for o in sold), Decimal(0))
    gross_revenue = sum((exact_usd(o.total_cents, o.currency) for o in sold), Decimal(0))
    paid_payments = [p for p in payments if p.listed_day <= d and p.status_on(d) == "paid"]
    paid = sum((exact_usd(p.amount_cents, p.currency) for p in paid_payments), Decimal(0))
    commission_paid = sum(
        (exact_usd(p.amount_cents, p.currency) for p in paid_payments if p.purpose == "commission"),
        Decimal(0),
    )
    # SPEC 5.2 performance-based: the rate x the net revenue, to the cent (a payable)
    commission = _to_cent(revenue * contract.commission_pct / 100)
    committed = to_usd(contract.fee_cents + contract.product_cost_cents, contract.currency)
    return {
        "posts": posts,
        "orders": orders,
        "spend_committed_usd": round(committed, 2) + commission,
        "spend_paid_usd": _to_cent(paid),
        "commission_usd": commission,
        "commission_paid_usd": _to_cent(commission_paid),
        "revenue_usd": _to_cent(revenue),
        "gross_revenue_usd": _to_cent(gross_revenue),
        "_paid_exact": paid,
        "_revenue_exact": revenue,
        "_gross_revenue_exact": gross_revenue,
    }


def build_ground_truth(
    world: World,
    day: date,
    bad_row_share: float = 0.0,
    comments_window_days: int = comments.DEFAULT_WINDOW_DAYS,
) -> dict[str, Any]:
    world.day_index(day)  # validates
    channels = {
        a.platform_id: youtube_channel_truth(world, a.index, day)
        for a in world.accounts_on("youtube")
    }
    videos = [v for c in channels.values() for v in c["videos"]]
    summary = world.summary()
    shop = shop_truth(world, day)
    crm = crm_truth(world, day, bad_row_share)
    business = business_truth(world, day)
    injected = injections.injected_cases(world, day)
    return {
        "format": FORMAT,
        "version": VERSION,
        "world": {k: summary[k] for k in ("seed", "accounts", "days", "start_date", "end_date")},
        "as_of": day.isoformat(),
        "series_start": world.start_date.isoformat(),
        "counts": {
            "creators": len(world.creators),
            "accounts": len(world.accounts),
            "accounts_by_platform": summary["accounts_by_platform"],
            "youtube_channels": len(channels),
            "youtube_channels_hidden_subscribers": sum(
                c["hidden_subscriber_count"] for c in channels.values()
            ),
            "youtube_videos": len(videos),
            "youtube_videos_likes_hidden": sum(v["likes"] is None for v in videos),
            "youtube_videos_comments_disabled": sum(v["comments"] is None for v in videos),
            "campaigns": len(business["campaigns"]),
            "contracts": len(business["contracts"]),
            "payments": len(business["payments"]),
            "orders": len(shop["orders"]),
            "touchpoints": crm["files"]["touchpoints.csv"]["rows"],
            "injected": dict(Counter(case["flag_type"] for case in injected)),
        },
        "youtube": {"channels": channels},
        **platform_truth(world, day),
        "shop": shop,
        "crm": crm,
        "business": business,
        "injected": injected,
        "comments": comments.ground_truth(world, day, comments_window_days),
        "listening": listening.ground_truth(world, day),
    }


def write_ground_truth(
    world: World,
    day: date,
    out: str | Path,
    bad_row_share: float = 0.0,
    comments_window_days: int = comments.DEFAULT_WINDOW_DAYS,
) -> Path:
    """Write ground_truth JSON to `out` (a file path, or a folder to hold ground_truth.json)."""
    path = Path(out)
    if path.is_dir():
        path = path / "ground_truth.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(
            build_ground_truth(world, day, bad_row_share, comments_window_days),
            handle,
            ensure_ascii=False,
            separators=(",", ":"),
        )
    os.replace(tmp, path)
    return path
