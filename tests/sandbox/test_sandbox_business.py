"""The world's business as the ROI tests use it: promo-code orders on both sides of the
attribution window's edge, and a ground truth to recompute campaign ROI from."""

from __future__ import annotations

import pytest

from sandbox import vocab
from sandbox.business import DAY_S, Business, money
from sandbox.ground_truth import build_ground_truth
from sandbox.world import World


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7, accounts=200, days=90)


@pytest.fixture(scope="module")
def business(world: World) -> Business:
    return world.business


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
