"""The shop's orders.json answers as Shopify's Admin REST API does, traps included: the token
header, cursor pages in the Link header, page_info that tolerates no other filter, the 250 cap,
status filters, and orders as of the clock's day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sandbox.shop_api import API_PREFIX, DEFAULT_ACCESS_TOKEN, ShopApi, eastern_offset_hours
from sandbox.world import DAY_S, World
from sandbox.youtube_api import ApiResponse

ORDERS = API_PREFIX + "orders.json"
HOST = "127.0.0.1:8765"


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7, accounts=200, days=90)


@pytest.fixture()
def api(world: World) -> ShopApi:
    return ShopApi(world)


def get(
    api: ShopApi, day: date, token: str | None = DEFAULT_ACCESS_TOKEN, **query: Any
) -> ApiResponse:
    headers = {"Host": HOST}
    if token is not None:
        headers["X-Shopify-Access-Token"] = token
    return api.handle("GET", ORDERS, query, headers, None, day)


def next_query(response: ApiResponse, rel: str = "next") -> dict[str, str] | None:
    """The query of the Link header's `rel` URL, checked to be absolute on the host called."""
    for part in response.headers.get("Link", "").split(", "):
        if part.endswith(f'rel="{rel}"'):
            url = part[1 : part.index(">")]
            assert url.startswith(f"http://{HOST}{ORDERS}?")
            return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
    return None


def all_pages(api: ShopApi, day: date, **query: Any) -> tuple[list[dict[str, Any]], int]:
    response, calls, orders = get(api, day, **query), 1, []
    while True:
        assert response.status == 200, response.body
        orders += response.body["orders"]
        following = next_query(response)
        if following is None:
            return orders, calls
        response, calls = get(api, day, **following), calls + 1


def created_by(world: World, day: date) -> list[int]:
    end = (world.day_index(day) + 1) * DAY_S
    return [o.order_id for o in world.business.orders if o.created_s < end]


def test_a_missing_or_wrong_token_gets_shopifys_401(api: ShopApi, world: World) -> None:
    for token in (None, "wrong-token"):
        status, headers, body = get(api, world.end_date, token=token)
        assert status == 401
        assert body == {
            "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
        }
        assert "Shopify API Authentication" in headers["WWW-Authenticate"]


def test_link_pages_deliver_every_order_once_in_order(api: ShopApi, world: World) -> None:
    day = world.end_date
    orders, calls = all_pages(api, day, status="any", limit=250, order="updated_at asc")
    ids = [o["id"] for o in orders]
    assert sorted(ids) == sorted(created_by(world, day)) and len(set(ids)) == len(ids)
    assert calls == -(-len(ids) // 250)  # the fewest pages the limit allows
    moments = [datetime.fromisoformat(o["updated_at"]) for o in orders]
    assert moments == sorted(moments)
    assert all(isinstance(o["id"], int) and isinstance(o["total_price"], str) for o in orders)


def test_previous_link_walks_back(api: ShopApi, world: World) -> None:
    first = get(api, world.end_date, status="any", limit=10)
    second = get(api, world.end_date, **next_query(first))
    assert next_query(first, "previous") is None
    back = get(api, world.end_date, **next_query(second, "previous"))
    assert [o["id"] for o in back.body["orders"]] == [o["id"] for o in first.body["orders"]]


def test_page_info_takes_no_other_filter_and_no_forgery(api: ShopApi, world: World) -> None:
    first = get(api, world.end_date, status="any", limit=5)
    following = next_query(first)
    assert following is not None and set(following) == {"limit", "page_info"}
    status, _, body = get(api, world.end_date, **following, status="any")
    assert status == 400 and "status cannot be passed when page_info is present" in str(body)
    forged = following["page_info"][:-2] + ("AA" if following["page_info"][-2:] != "AA" else "BB")
    status, _, body = get(api, world.end_date, limit=5, page_info=forged)
    assert status == 400 and body == {"errors": {"page_info": "Invalid value."}}


def test_limit_defaults_to_50_and_stops_at_250(api: ShopApi, world: World) -> None:
    assert len(get(api, world.end_date, status="any").body["orders"]) == 50
    assert len(get(api, world.end_date, status="any", limit=1000).body["orders"]) == 250
    assert get(api, world.end_date, status="any", limit=0).status == 400


def test_status_filters_follow_each_orders_state(api: ShopApi, world: World) -> None:
    day = world.end_date
    everything, _ = all_pages(api, day, status="any", limit=250)
    cancelled, _ = all_pages(api, day, status="cancelled", limit=250)
    open_, _ = all_pages(api, day, limit=250)  # Shopify's default status is open
    closed, _ = all_pages(api, day, status="closed", limit=250)
    assert cancelled and all(o["cancelled_at"] for o in cancelled)
    assert {o["id"] for o in cancelled} == {o["id"] for o in everything if o["cancelled_at"]}
    assert all(o["closed_at"] is None and o["cancelled_at"] is None for o in open_)
    assert len(open_) + len(closed) == len(everything)
    assert {o["financial_status"] for o in cancelled} <= {"voided", "refunded"}
    assert any(o["financial_status"] == "refunded" and not o["cancelled_at"] for o in everything)


def test_a_refunded_order_carries_its_refund_transaction_and_line_items(
    api: ShopApi, world: World
) -> None:
    """As Shopify writes a refund (../shared/reference/listening_api_shapes.md 4.2): the money
    refunded is the sum of its `transactions[]` of kind refund and status success (amounts as
    decimal strings), and `refund_line_items[]` name the order's line items, their subtotals JSON
    numbers adding up, to the cent, to what the transaction refunded."""
    everything, _ = all_pages(api, world.end_date, status="any", limit=250)
    refunded = [o for o in everything if o["financial_status"] == "refunded"]
    assert refunded
    for order in refunded:
        assert len(order["refunds"]) == 1, order["id"]
        refund = order["refunds"][0]
        successes = [
            t for t in refund["transactions"] if t["kind"] == "refund" and t["status"] == "success"
        ]
        assert successes and all(isinstance(t["amount"], str) for t in successes)
        assert {t["currency"] for t in successes} == {order["currency"]}
        assert sum(Decimal(t["amount"]) for t in successes) == Decimal(order["total_price"])
        line_ids = {item["id"]: item for item in order["line_items"]}
        items = refund["refund_line_items"]
        assert sorted(i["line_item_id"] for i in items) == sorted(line_ids)
        assert all(i["quantity"] == line_ids[i["line_item_id"]]["quantity"] for i in items)
        assert all(isinstance(i["subtotal"], (int, float)) for i in items)
        cents = sum(Decimal(i["subtotal_set"]["shop_money"]["amount"]) for i in items)
        assert cents == Decimal(order["total_price"]), order["id"]
    for order in everything:
        if order["financial_status"] not in ("refunded", "partially_refunded"):
            assert order["refunds"] == [], order["id"]


def test_a_partially_refunded_order_returns_one_unit_and_stays_open_to_count(
    api: ShopApi, world: World
) -> None:
    """A partial refund (SPEC 5.2, "Net revenue"): financial_status `partially_refunded`, one
    refund whose successful transaction returns one unit of one line after the order's
    discount, `current_total_price` the total less it, `total_price` unchanged; before the
    refund the same order was `paid` without refunds, and the refund moved its `updated_at`
    (so an incremental extraction by updated_at sees it again)."""
    everything, _ = all_pages(api, world.end_date, status="any", limit=250)
    partial = [o for o in everything if o["financial_status"] == "partially_refunded"]
    assert len(partial) >= 10, "the 200-account world should hold partial refunds"
    for order in partial:
        assert order["cancelled_at"] is None and len(order["refunds"]) == 1, order["id"]
        refund = order["refunds"][0]
        (transaction,) = refund["transactions"]
        assert (transaction["kind"], transaction["status"]) == ("refund", "success")
        returned = Decimal(transaction["amount"])
        (item,) = refund["refund_line_items"]
        line = next(i for i in order["line_items"] if i["id"] == item["line_item_id"])
        assert (
            item["quantity"] == 1
            and Decimal(item["subtotal_set"]["shop_money"]["amount"]) == returned
        )
        # one unit's price, less at most its share of the order's discount
        assert Decimal(0) < returned <= Decimal(line["price"]), order["id"]
        total = Decimal(order["total_price"])
        assert Decimal(order["current_total_price"]) == total - returned < total
    sample = next(o for o in world.business.orders if o.partial_refund_s is not None)
    before = world.start_date + timedelta(days=sample.partial_refund_s // DAY_S - 1)
    after = world.start_date + timedelta(days=sample.partial_refund_s // DAY_S)
    ids = str(sample.order_id)
    (earlier,) = get(api, before, status="any", ids=ids).body["orders"]
    (later,) = get(api, after, status="any", ids=ids).body["orders"]
    assert (earlier["financial_status"], earlier["refunds"]) == ("paid", [])
    assert earlier["current_total_price"] == earlier["total_price"]
    assert later["financial_status"] == "partially_refunded"
    assert later["updated_at"] > earlier["updated_at"]


def test_orders_are_as_of_the_clock_day(api: ShopApi, world: World) -> None:
    day = world.start_date + timedelta(days=40)
    orders, _ = all_pages(api, day, status="any", limit=250)
    assert sorted(o["id"] for o in orders) == sorted(created_by(world, day))
    end = (world.day_index(day) + 1) * DAY_S
    later_cancel = [o for o in world.business.orders if o.created_s < end <= (o.cancelled_s or -1)]
    assert later_cancel, "the world should have an order cancelled after day 40"
    shown = {o["id"]: o for o in orders}
    assert all(shown[o.order_id]["cancelled_at"] is None for o in later_cancel)


def test_time_filters_and_the_shops_offset(api: ShopApi, world: World) -> None:
    low, high = "2026-02-01T00:00:00-05:00", "2026-02-07T23:59:59-05:00"
    orders, _ = all_pages(
        api, world.end_date, status="any", limit=250, created_at_min=low, created_at_max=high
    )
    stamps = [datetime.fromisoformat(o["created_at"]) for o in orders]
    assert orders and all(
        datetime.fromisoformat(low) <= s <= datetime.fromisoformat(high) for s in stamps
    )
    assert all(o["created_at"].endswith("-05:00") for o in orders)  # winter time
    march = get(api, world.end_date, status="any", limit=1, order="created_at desc")
    assert march.body["orders"][0]["created_at"].endswith("-04:00")  # summer time from 8 March
    assert eastern_offset_hours(datetime.fromisoformat("2026-03-08T06:59:59+00:00")) == -5
    assert eastern_offset_hours(datetime.fromisoformat("2026-03-08T07:00:00+00:00")) == -4


def test_call_limit_header_and_usage(api: ShopApi, world: World) -> None:
    first = get(api, world.end_date)
    second = get(api, world.end_date)
    assert first.headers["X-Shopify-Shop-Api-Call-Limit"].endswith("/40")
    used = [int(r.headers["X-Shopify-Shop-Api-Call-Limit"].split("/")[0]) for r in (first, second)]
    assert 1 <= used[0] <= used[1] <= 40
    assert api.usage() == {world.end_date.isoformat(): {"calls_orders": 2}}


def test_order_shape_carries_what_attribution_needs(api: ShopApi, world: World) -> None:
    orders, _ = all_pages(api, world.end_date, status="any", limit=250)
    with_code = [o for o in orders if o["discount_codes"]]
    assert with_code and all(
        set(c) == {"code", "amount", "type"} for o in with_code for c in o["discount_codes"]
    )
    assert {"currency", "total_price", "financial_status", "cancelled_at", "name"} <= set(orders[0])
    customers = [o["customer"] for o in orders if o["customer"] is not None]
    assert customers and all(set(c) == {"id"} for c in customers)  # no personal data
    assert len({o["currency"] for o in orders}) > 1


def test_customers_return_and_some_check_out_as_guests(api: ShopApi, world: World) -> None:
    """New-customer metrics need both (SPEC 5.2): customers with an earlier order, and guest
    checkouts (`customer` null, listening_api_shapes.md 4.3), which are never new customers."""
    orders = world.business.orders
    guests = sum(o.customer_id is None for o in orders)
    seen: set[int] = set()
    returning = 0
    for order in orders:  # by creation time
        if order.customer_id is not None:
            returning += order.customer_id in seen
            seen.add(order.customer_id)
    assert 0.02 * len(orders) < guests < 0.07 * len(orders)
    assert 0.2 * len(orders) < returning < 0.4 * len(orders)
    shown, _ = all_pages(api, world.end_date, status="any", limit=250)
    by_id = {o.order_id: o for o in orders}
    for order in shown:
        customer = by_id[order["id"]].customer_id
        assert order["customer"] == (None if customer is None else {"id": customer})
