"""The world's business: campaigns inside the world, contracts with unique promo codes, their
posts tied and disclosed as SPEC 3.2 and 5.3 read captions, payments, promo-code orders around
the attribution window's edge, touchpoints, and ground truth to recompute campaign ROI from."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest

from sandbox import vocab
from sandbox.business import DAY_S, Business, money
from sandbox.ground_truth import build_ground_truth
from sandbox.world import World

VISIBLE = vocab.DISCLOSURE_VISIBLE_CHARS


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7, accounts=200, days=90)


@pytest.fixture(scope="module")
def business(world: World) -> Business:
    return world.business


def words(text: str) -> str:
    """Lower-case text with punctuation other than # @ _ as spaces, padded (as dbt matches)."""
    spaced = re.sub(r"([#@])", r" \1", text.lower())
    return " " + " ".join(re.sub(r"[^\w#@]+", " ", spaced).split()) + " "


def has(text: str, token: str) -> bool:
    return words(token) in words(text)


def test_campaigns_and_contracts_are_consistent(world: World, business: Business) -> None:
    assert len(business.campaigns) >= 5 and len(business.contracts) >= 30
    for c in business.campaigns:
        assert 0 <= c.starts_day <= c.ends_day < world.days
        assert c.currency in vocab.CURRENCY_RATES_USD and c.budget_cents > 0
        assert c.objective in ("awareness", "consideration", "conversion")
        assert re.fullmatch(r"@[a-z0-9]+", c.brand_handle) and c.tracking_hashtag.startswith("#")
    assert len({c.tracking_hashtag for c in business.campaigns}) == len(business.campaigns)
    codes = [c.promo_code for c in business.contracts]
    assert len(set(codes)) == len(codes)
    for contract in business.contracts:
        campaign = business.campaign_of(contract)
        assert world.creators[contract.creator_index].status in ("active", "paused")
        assert campaign.listed_day < contract.signed_day < campaign.starts_day
        assert campaign.starts_day <= contract.due_day <= campaign.ends_day
        assert contract.fee_cents > 0 and contract.currency == campaign.currency
    assert any(c.exclusive for c in business.contracts)


def test_contracted_posts_are_tied_and_disclosed_as_the_flags_read_them(
    world: World, business: Business
) -> None:
    kinds = Counter()
    for contract in business.contracts:
        campaign = business.campaign_of(contract)
        for post in business.contract_posts(contract):
            account = world.account(post.account_index)
            day = world.posts(post.account_index).published_s[post.post_index] // DAY_S
            assert campaign.starts_day <= day <= campaign.ends_day
            text = world.post_text(post.account_index, post.post_index)
            body = (
                f"{text.title} {text.description}"
                if account.platform == "youtube"
                else text.description
            )
            ties = (campaign.tracking_hashtag, campaign.brand_handle, contract.promo_code)
            assert any(has(body, t) for t in ties)
            clear = [*vocab.CLEAR_DISCLOSURES, campaign.brand_partner_tag]
            visible = any(has(body[:VISIBLE], t) for t in clear)
            anywhere = any(has(body, t) for t in clear)
            weak = any(has(body, t) for t in vocab.WEAK_DISCLOSURES)
            expected = {
                "clear": (True, True, False),
                "buried": (False, True, False),
                "weak_token": (False, False, True),
                "undisclosed": (False, False, False),
            }[post.disclosure]
            assert (visible, anywhere, weak) == expected, (post, body)
            kinds[post.disclosure] += 1
    assert kinds["clear"] > 3 * (kinds["undisclosed"] + kinds["weak_token"] + kinds["buried"])
    assert min(kinds.values()) >= 2, kinds


def test_payments_add_up_and_keep_their_story(business: Business) -> None:
    paid_by_contract = Counter()
    for payment in business.payments:
        paid_by_contract[payment.contract_index] += payment.amount_cents
        if payment.kind == "on_time":
            assert payment.paid_day is not None and payment.paid_day <= payment.due_day
            assert payment.status_on(payment.paid_day - 1) == "scheduled"
            assert payment.status_on(payment.paid_day) == "paid"
        if payment.kind == "late":
            assert payment.paid_day > payment.due_day and payment.is_late_on(payment.due_day + 1)
        if payment.kind == "missing":
            assert payment.paid_day is None and payment.status_on(10**6) in ("scheduled", "failed")
    for contract in business.contracts:
        assert paid_by_contract[contract.index] == contract.fee_cents
    assert {p.kind for p in business.payments} == {"on_time", "late", "missing", "cancelled"}


def test_promo_orders_fall_on_both_sides_of_the_attribution_edge(
    world: World, business: Business
) -> None:
    orders = business.orders
    assert [o.number for o in orders] == list(range(1001, 1001 + len(orders)))
    assert all(a.order_id < b.order_id for a, b in zip(orders, orders[1:], strict=False))
    assert all(o.total_cents > 0 for o in orders)
    inside = outside = edge_inside = edge_outside = 0
    for order in orders:
        if order.contract_index is None:
            continue
        contract = business.contracts[order.contract_index]
        last = business.campaign_of(contract).ends_day + vocab.ATTRIBUTION_WINDOW_DAYS
        attributed = business.attributed_contract(order) is not None
        inside += attributed
        outside += not attributed
        edge_inside += attributed and order.created_s // DAY_S == last
        edge_outside += not attributed and order.created_s // DAY_S == last + 1
    assert inside > 5 * outside > 0  # leaks, late orders, the UTC edge
    assert edge_inside and edge_outside
    codes = [o.discount_code for o in orders if o.contract_index is not None]
    assert any(c != c.upper() for c in codes)  # shoppers type codes in lower case too
    assert any(o.contract_index is None and o.discount_code for o in orders)
    assert any(o.contract_index is None and not o.discount_code for o in orders)


def test_touchpoints_are_in_order_and_replies_come_after(business: Business) -> None:
    touchpoints = business.touchpoints
    assert len({t.touchpoint_id for t in touchpoints}) == len(touchpoints)
    assert all(t.responded_s is None or t.responded_s > t.occurred_s for t in touchpoints)
    assert all(t.responded_s is None for t in touchpoints if t.direction == "inbound")
    assert {t.channel for t in touchpoints} == {"email", "dm", "call", "meeting"}


def test_ground_truth_lets_a_test_recompute_campaign_roi(world: World) -> None:
    truth = build_ground_truth(world, world.end_date)
    assert truth["version"] == 2
    business = truth["business"]
    rates = business["currency_rates"]
    assert rates == vocab.CURRENCY_RATES_USD
    orders = {o["id"]: o for o in truth["shop"]["orders"]}
    by_campaign: dict[str, dict[str, float]] = {}
    for contract in business["contracts"]:
        total = by_campaign.setdefault(contract["campaign_id"], {"committed": 0.0, "revenue": 0.0})
        spend = (float(contract["fee"]) + float(contract["product_cost"])) * rates[
            contract["currency"]
        ]
        total["committed"] += round(spend, 2)
        for order_id in contract["orders"]:
            order = orders[order_id]
            assert order["financial_status"] == "paid" and order["cancelled_at"] is None
            assert contract["promo_code"] in [c.upper() for c in order["discount_codes"]]
            total["revenue"] += float(order["total_price"]) * rates[order["currency"]]
    for row in business["campaign_roi"]:
        mine = by_campaign[row["campaign_id"]]
        assert row["spend_committed_usd"] == pytest.approx(mine["committed"], abs=0.01)
        assert row["revenue_usd"] == pytest.approx(mine["revenue"], abs=0.01)
        expected_roi = (row["revenue_usd"] - row["spend_committed_usd"]) / row[
            "spend_committed_usd"
        ]
        assert row["roi"] == pytest.approx(expected_roi, abs=1e-5)
    assert sum(r["orders"] for r in business["campaign_roi"]) > 0
    assert money(1250) == "12.50" and money(5) == "0.05"


def test_same_seed_same_business_in_any_query_order() -> None:
    def fingerprint(world: World, reverse: bool) -> list[object]:
        business = world.business
        creators = sorted(business.contracts_of_creator, reverse=reverse)
        sponsored = [sorted(business.sponsorship(c).posts.items()) for c in creators]
        if reverse:
            sponsored.reverse()
        return [
            business.campaigns,
            business.contracts,
            business.payments,
            sponsored,
            business.orders,
            business.touchpoints[:500],
        ]

    first = fingerprint(World(seed=3, accounts=120, days=60), reverse=False)
    second = fingerprint(World(seed=3, accounts=120, days=60), reverse=True)
    assert first == second
    assert fingerprint(World(seed=4, accounts=120, days=60), reverse=False) != first


def test_start_date_moves_the_calendar_not_the_business() -> None:
    shifted = World(seed=7, accounts=60, days=40, start_date=date(2025, 6, 1)).business
    base = World(seed=7, accounts=60, days=40).business
    assert [c.starts_day for c in shifted.campaigns] == [c.starts_day for c in base.campaigns]
