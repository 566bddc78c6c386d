"""The brand's shop: Shopify Admin REST `GET /admin/api/2025-01/orders.json`, from the world.

As Shopify answers it:
- the token in `X-Shopify-Access-Token`; a missing or wrong one gets 401 with Shopify's own
  body `{"errors": "[API] Invalid API key or access token (unrecognized login or wrong
  password)"}` and a `WWW-Authenticate` header;
- `status` open (the default) | closed | cancelled | any; `limit` 1-250 (default 50; a larger
  value is cut to 250); `created_at_min/max`, `updated_at_min/max` (ISO 8601, inclusive);
  `since_id`; `fields`; `order` ("created_at desc" by default, or e.g. "updated_at asc");
- cursor pagination in the `Link` header: `<…orders.json?limit=…&page_info=…>; rel="next"` and
  `rel="previous"`, absent when there is no other page. `page_info` is opaque and carries the
  first request's filters; a request with `page_info` may add only `limit` and `fields`, any
  other parameter gets 400 (`{"errors": {"status": "status cannot be passed when page_info is
  present. …"}}`), a tampered one 400 `{"errors": {"page_info": "Invalid value."}}`;
- `X-Shopify-Shop-Api-Call-Limit: n/40` on every answer (a leaky bucket of 40 that drains 2
  calls a second; the sandbox reports it but does not throttle: faults.py does that).

Orders are as of the end of the clock's day: those created by then, with their fulfilment,
cancellation and refund state and `updated_at` as of then. Timestamps are in the shop's time
zone (US Eastern, so the offset turns from -05:00 to -04:00 in March). Money is a decimal
string in the order's currency (a market's storefront currency; see sandbox/business.py).
Customers carry an id only: the sandbox holds no personal data.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import numpy as np

from sandbox import vocab
from sandbox.business import Order, money
from sandbox.platform_api import ApiRequest, ApiResponse, PlatformApi
from sandbox.world import DAY_S, World

API_PREFIX = "/shop/admin/api/2025-01/"
DEFAULT_ACCESS_TOKEN = "sandbox-shop-token"
DEFAULT_LIMIT, MAX_LIMIT = 50, 250
BUCKET_SIZE, LEAK_PER_SECOND = 40, 2.0
STATUSES = ("open", "closed", "cancelled", "any")
ORDER_KEYS = ("created_at", "updated_at", "processed_at", "id")
FILTERS = (
    "status",
    "created_at_min",
    "created_at_max",
    "updated_at_min",
    "updated_at_max",
    "since_id",
    "order",
    "ids",
    "financial_status",
    "fulfillment_status",
)
_JSON = {"Content-Type": "application/json; charset=utf-8"}
_AUTH_ERROR = "[API] Invalid API key or access token (unrecognized login or wrong password)"
_PAGINATION_DOC = "https://shopify.dev/api/usage/pagination-rest"
_NEVER = np.iinfo(np.int64).max


class ShopError(Exception):
    def __init__(self, status: int, errors: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(str(errors))
        self.status, self.errors, self.headers = status, errors, headers or {}


# ---- the shop's time zone ---------------------------------------------------------------------


def _nth_sunday(year: int, month: int, first_day: int) -> date:
    start = date(year, month, first_day)
    return start + timedelta(days=(6 - start.weekday()) % 7)


@lru_cache(64)  # every order has several times, all in a year or two
def _daylight_saving(year: int) -> tuple[datetime, datetime]:
    """US Eastern daylight saving time of `year` in UTC: from the second Sunday of March at
    07:00 to the first Sunday of November at 06:00."""
    midnight = datetime.min.time()
    start = datetime.combine(_nth_sunday(year, 3, 8), midnight, UTC) + timedelta(hours=7)
    end = datetime.combine(_nth_sunday(year, 11, 1), midnight, UTC) + timedelta(hours=6)
    return start, end


def eastern_offset_hours(moment: datetime) -> int:
    """UTC offset of US Eastern time at a UTC instant: -4 in daylight saving time, else -5."""
    start, end = _daylight_saving(moment.year)
    return -4 if start <= moment < end else -5


def shop_time(world: World, seconds: int) -> str:
    """An instant as Shopify writes it: local shop time with its offset."""
    offset = eastern_offset_hours(world.published_at(seconds))
    return world.iso_time(seconds + offset * 3600, f"-{abs(offset):02d}:00")


# ---- an order as of a moment ------------------------------------------------------------------


def _happened(moment: int | None, as_of_s: int) -> bool:
    return moment is not None and moment < as_of_s


def order_state(order: Order, as_of_s: int) -> dict[str, Any]:
    """The order's mutable state at an instant (seconds since the world's start, exclusive)."""
    cancelled = _happened(order.cancelled_s, as_of_s)
    fulfilled = _happened(order.fulfilled_s, as_of_s)
    refunded = _happened(order.refunded_s, as_of_s)
    partially_refunded = _happened(order.partial_refund_s, as_of_s)
    moments = (order.fulfilled_s, order.cancelled_s, order.refunded_s, order.partial_refund_s)
    events = [order.created_s] + [m for m in moments if _happened(m, as_of_s)]
    if refunded:
        financial = "refunded"
    elif cancelled:
        # A cancellation within a day voids the authorisation; later, the payment is refunded.
        voided = order.cancelled_s is not None and order.cancelled_s - order.created_s < DAY_S
        financial = "voided" if voided else "refunded"
    elif partially_refunded:
        financial = "partially_refunded"
    else:
        financial = "paid"
    closed = order.cancelled_s if cancelled else order.fulfilled_s if fulfilled else None
    return {
        "cancelled": cancelled,
        "fulfilled": fulfilled,
        "refunded": refunded,
        "partially_refunded": partially_refunded,
        "financial_status": financial,
        "closed_s": closed,
        "updated_s": max(events),
    }


def whole_refund(world: World, order: Order, moment: int) -> dict[str, Any]:
    """The refund of the whole order: a refund line item for each line item, whose subtotals
    (after the order's discount, shared by the lines' value) add up to the order's total."""
    subtotals = order.lines_after_discount_cents
    lines = [
        (k, quantity, cents)
        for k, ((_, quantity, _), cents) in enumerate(zip(order.items, subtotals, strict=True))
    ]
    return _refund(world, order, moment, lines)


def partial_refund(world: World, order: Order) -> dict[str, Any]:
    """The partial refund of an order: one unit of one line (Order.partial_refund_cents)."""
    assert order.partial_refund_s is not None and order.partial_refund_line is not None
    line = (order.partial_refund_line, 1, order.partial_refund_cents)
    return _refund(world, order, order.partial_refund_s, [line])


def _refund(
    world: World, order: Order, moment: int, lines: list[tuple[int, int, int]]
) -> dict[str, Any]:
    """A refund as Shopify writes one (listening_api_shapes.md 4.2): one successful refund
    transaction of the money returned, and a refund line item for each (line index, quantity,
    subtotal in cents) of `lines`, which add up to it. Transaction amounts are decimal strings,
    line item subtotals JSON numbers. An order has at most one refund here."""
    when = shop_time(world, moment)
    refund_id = order.order_id + 1  # order ids are at least 4 apart
    return {
        "id": refund_id,
        "admin_graphql_api_id": f"gid://shopify/Refund/{refund_id}",
        "order_id": order.order_id,
        "created_at": when,
        "processed_at": when,
        "note": None,
        "restock": True,
        "order_adjustments": [],
        "transactions": [
            {
                "id": order.order_id + 2,
                "order_id": order.order_id,
                "parent_id": order.order_id + 3,  # the sale it refunds
                "kind": "refund",
                "status": "success",
                "amount": money(sum(cents for _, _, cents in lines)),
                "currency": order.currency,
                "gateway": "shopify_payments",
                "created_at": when,
                "processed_at": when,
                "source_name": "web",
                "test": False,
            }
        ],
        "refund_line_items": [
            {
                # Line items are order_id * 10 + k + 1; the next order's start 40 higher.
                "id": (order.order_id + 1) * 10 + k + 1,
                "line_item_id": order.order_id * 10 + k + 1,
                "quantity": quantity,
                "restock_type": "return",
                "subtotal": cents / 100,
                "subtotal_set": _money_set(cents, order.currency),
                "total_tax": 0.0,
                "total_tax_set": _money_set(0, order.currency),
            }
            for k, quantity, cents in lines
        ],
    }


def _money_set(cents: int, currency: str) -> dict[str, dict[str, str]]:
    amount = {"amount": money(cents), "currency_code": currency}
    return {"shop_money": amount, "presentment_money": dict(amount)}


def order_resource(world: World, order: Order, as_of_s: int) -> dict[str, Any]:
    """The order in the Admin REST shape, as of an instant."""
    state = order_state(order, as_of_s)
    total = money(order.total_cents)
    refunds = []
    if state["refunded"] or (state["cancelled"] and state["financial_status"] == "refunded"):
        moment = order.refunded_s if state["refunded"] else order.cancelled_s
        assert moment is not None
        refunds.append(whole_refund(world, order, moment))
    elif state["partially_refunded"]:
        refunds.append(partial_refund(world, order))
    line_items = [
        {
            "id": order.order_id * 10 + k + 1,
            "product_id": 8_000_000_000_000 + product,
            "variant_id": 4_000_000_000_000 + product,
            "title": vocab.PRODUCTS[product][0],
            "sku": vocab.PRODUCTS[product][1],
            "quantity": quantity,
            "price": money(price),
            "fulfillment_status": "fulfilled" if state["fulfilled"] else None,
        }
        for k, (product, quantity, price) in enumerate(order.items)
    ]
    discount_codes = []
    if order.discount_code:
        discount_codes.append(
            {
                "code": order.discount_code,
                "amount": money(order.discount_cents),
                "type": order.discount_type,
            }
        )
    current_total = (
        "0.00"
        if state["financial_status"] in ("refunded", "voided")
        else money(order.net_cents(as_of_s))
    )
    return {
        "id": order.order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order.order_id}",
        "name": f"#{order.number}",
        "order_number": order.number,
        "number": order.number - 1000,
        "confirmed": True,
        "test": False,
        "created_at": shop_time(world, order.created_s),
        "processed_at": shop_time(world, order.created_s),
        "updated_at": shop_time(world, state["updated_s"]),
        "closed_at": None if state["closed_s"] is None else shop_time(world, state["closed_s"]),
        "cancelled_at": shop_time(world, order.cancelled_s)
        if state["cancelled"] and order.cancelled_s is not None
        else None,
        "cancel_reason": order.cancel_reason if state["cancelled"] else None,
        "currency": order.currency,
        "presentment_currency": order.currency,
        "total_line_items_price": money(order.line_items_cents),
        "total_discounts": money(order.discount_cents),
        "subtotal_price": total,
        "total_tax": "0.00",
        "total_price": total,
        "current_total_price": current_total,
        "financial_status": state["financial_status"],
        "fulfillment_status": "fulfilled" if state["fulfilled"] else None,
        "source_name": "web",
        "landing_site": order.landing_site,
        "referring_site": order.referring_site,
        "tags": "",
        "discount_codes": discount_codes,
        "line_items": line_items,
        "refunds": refunds,
        "customer": None if order.customer_id is None else {"id": order.customer_id},
    }


# ---- the API ----------------------------------------------------------------------------------


class ShopApi(PlatformApi):
    """orders.json with token check, filters, cursor pages and the call-limit header."""

    api_prefix = API_PREFIX

    def __init__(self, world: World, access_token: str = DEFAULT_ACCESS_TOKEN) -> None:
        super().__init__(world)
        self.access_token = access_token
        self._secret = hashlib.blake2b(f"shop:{world.seed}".encode(), digest_size=16).digest()
        self._calls: dict[date, int] = defaultdict(int)
        self._bucket, self._bucket_at = 0.0, time.monotonic()

    def answer(self, request: ApiRequest) -> ApiResponse:
        lowered = {k.lower(): v for k, v in request.headers.items()}
        try:
            if lowered.get("x-shopify-access-token") != self.access_token:
                raise ShopError(
                    401,
                    _AUTH_ERROR,
                    {"WWW-Authenticate": 'Basic Realm="Shopify API Authentication"'},
                )
            used = self._use_bucket(request.day)
            if request.endpoint != "orders.json" or request.method.upper() != "GET":
                raise ShopError(404, "Not Found")
            body_out, link = self._orders(request.query, lowered, request.day)
            out = {**_JSON, "X-Shopify-Shop-Api-Call-Limit": f"{used}/{BUCKET_SIZE}"}
            if link:
                out["Link"] = link
            return ApiResponse(200, out, body_out)
        except ShopError as error:
            return ApiResponse(error.status, {**_JSON, **error.headers}, {"errors": error.errors})

    def _use_bucket(self, day: date) -> int:
        with self._lock:
            now = time.monotonic()
            self._bucket = max(0.0, self._bucket - (now - self._bucket_at) * LEAK_PER_SECOND)
            self._bucket_at = now
            self._bucket = min(self._bucket + 1.0, float(BUCKET_SIZE))
            self._calls[day] += 1
            return max(1, int(round(self._bucket)))

    def usage(self) -> dict[str, dict[str, int]]:
        """Calls per simulated day (the shop has no quota units)."""
        with self._lock:
            return {d.isoformat(): {"calls_orders": n} for d, n in self._calls.items()}

    # ---- orders.json -----------------------------------------------------------------------

    def _orders(
        self, query: dict[str, str], headers: Mapping[str, str], day: date
    ) -> tuple[dict[str, Any], str]:
        limit = self._limit(query)
        fields = query.get("fields")
        if "page_info" in query:
            forbidden = [k for k in query if k not in ("page_info", "limit", "fields")]
            if forbidden:
                name = forbidden[0]
                message = (
                    f"{name} cannot be passed when page_info is present. "
                    f"See {_PAGINATION_DOC} for more information."
                )
                raise ShopError(400, {name: message})
            cursor = self._decode(query["page_info"])
            filters = cursor["filters"]
        else:
            filters = {k: query[k] for k in FILTERS if k in query}
            cursor = {"filters": filters, "after": None, "before": None}
        as_of_s = (self.world.day_index(day) + 1) * DAY_S
        selected, sort_key, descending = self._select(filters, as_of_s)
        page, has_prev, has_next = self._page(selected, sort_key, descending, cursor, limit)
        orders = self.world.business.orders
        items = [order_resource(self.world, orders[i], as_of_s) for i in page]
        if fields:
            wanted = [f.strip() for f in fields.split(",") if f.strip()]
            items = [{k: item[k] for k in wanted if k in item} for item in items]
        links = []
        if len(page):
            first, last = page[0], page[-1]
            base = self._base_url(headers)
            if has_next:
                token = self._encode(filters, after=(int(sort_key[last]), int(last)))
                links.append(f'<{base}?{self._link_query(limit, fields, token)}>; rel="next"')
            if has_prev:
                token = self._encode(filters, before=(int(sort_key[first]), int(first)))
                links.append(f'<{base}?{self._link_query(limit, fields, token)}>; rel="previous"')
        return {"orders": items}, ", ".join(links)

    @staticmethod
    def _limit(query: Mapping[str, str]) -> int:
        raw = query.get("limit", str(DEFAULT_LIMIT))
        try:
            value = int(raw)
        except ValueError:
            raise ShopError(400, {"limit": "Invalid value."}) from None
        if value < 1:
            raise ShopError(400, {"limit": "Invalid value."})
        return min(value, MAX_LIMIT)  # Shopify serves at most 250 per page

    @staticmethod
    def _link_query(limit: int, fields: str | None, token: str) -> str:
        params = {"limit": str(limit)}
        if fields:
            params["fields"] = fields
        params["page_info"] = token
        return urlencode(params)

    @staticmethod
    def _base_url(headers: Mapping[str, str]) -> str:
        """Links are absolute, on the host the client called (relative when unknown, e.g. for
        an in-process call without a Host header)."""
        host = headers.get("host")
        path = API_PREFIX + "orders.json"
        return f"http://{host}{path}" if host else path

    # ---- selection and keyset paging -------------------------------------------------------

    def _select(
        self, filters: Mapping[str, str], as_of_s: int
    ) -> tuple[np.ndarray, np.ndarray, bool]:
        """Indexes of the matching orders, the sort key of every order and the direction."""
        times = self.world.business.order_times
        created = times["created"]
        cancelled = times["cancelled"] < as_of_s
        fulfilled = times["fulfilled"] < as_of_s
        updated = created.copy()
        for name, done in (
            ("fulfilled", fulfilled),
            ("cancelled", cancelled),
            ("refunded", times["refunded"] < as_of_s),
            ("partial_refund", times["partial_refund"] < as_of_s),
        ):
            updated = np.where(done, np.maximum(updated, times[name]), updated)
        closed = cancelled | fulfilled
        mask = created < as_of_s
        status = filters.get("status", "open")
        if status not in STATUSES:
            raise ShopError(400, {"status": "Invalid value."})
        mask &= {
            "open": ~closed,
            "closed": closed,
            "cancelled": cancelled,
            "any": np.ones_like(mask),
        }[status]
        for name, series in (("created_at", created), ("updated_at", updated)):
            low, high = filters.get(f"{name}_min"), filters.get(f"{name}_max")
            if low is not None:
                mask &= series >= self._instant(f"{name}_min", low)
            if high is not None:
                mask &= series <= self._instant(f"{name}_max", high)
        if "since_id" in filters:
            try:
                mask &= times["id"] > int(filters["since_id"])
            except ValueError:
                raise ShopError(400, {"since_id": "Invalid value."}) from None
        if "ids" in filters:
            wanted = {int(x) for x in filters["ids"].split(",") if x.strip().isdigit()}
            mask &= np.isin(times["id"], list(wanted))
        key_name, descending = self._sort(filters.get("order", "created_at desc"))
        sort_key = {
            "created_at": created,
            "processed_at": created,
            "updated_at": updated,
            "id": times["id"],
        }[key_name]
        return np.flatnonzero(mask), sort_key, descending

    def _instant(self, name: str, text: str) -> int:
        """An ISO 8601 timestamp parameter as seconds since the world's start."""
        try:
            moment = datetime.fromisoformat(text.replace(" ", "+").replace("Z", "+00:00"))
        except ValueError:
            raise ShopError(400, {name: "Invalid value."}) from None
        if moment.tzinfo is None:  # Shopify reads a bare time in the shop's zone
            moment = moment.replace(tzinfo=UTC) + timedelta(hours=5)
        start = datetime.combine(self.world.start_date, datetime.min.time(), UTC)
        return int((moment - start).total_seconds())

    @staticmethod
    def _sort(order: str) -> tuple[str, bool]:
        parts = order.split()
        if not parts or parts[0] not in ORDER_KEYS or len(parts) > 2:
            raise ShopError(400, {"order": "Invalid value."})
        direction = parts[1].lower() if len(parts) == 2 else "desc"
        if direction not in ("asc", "desc"):
            raise ShopError(400, {"order": "Invalid value."})
        return parts[0], direction == "desc"

    @staticmethod
    def _page(
        selected: np.ndarray,
        sort_key: np.ndarray,
        descending: bool,
        cursor: Mapping[str, Any],
        limit: int,
    ) -> tuple[list[int], bool, bool]:
        """Keyset paging on (sort value, order index): stable while orders change between
        pages, as Shopify's cursors are."""
        keys = np.stack([sort_key[selected], selected]).T
        order = np.lexsort((keys[:, 1], keys[:, 0]))
        if descending:
            order = order[::-1]
        ranked = [(int(keys[i, 0]), int(keys[i, 1])) for i in order]

        def beyond(pair: tuple[int, int], mark: tuple[int, int]) -> bool:
            return pair < mark if descending else pair > mark

        after, before = cursor.get("after"), cursor.get("before")
        if after is not None:
            mark = (int(after[0]), int(after[1]))
            rest = [p for p in ranked if beyond(p, mark)]
            page = rest[:limit]
            return [p[1] for p in page], True, len(rest) > limit
        if before is not None:
            mark = (int(before[0]), int(before[1]))
            earlier = [p for p in ranked if beyond(mark, p)]
            page = earlier[-limit:]
            return [p[1] for p in page], len(earlier) > limit, True
        return [p[1] for p in ranked[:limit]], False, len(ranked) > limit

    # ---- page_info -------------------------------------------------------------------------

    def _encode(
        self,
        filters: Mapping[str, str],
        after: tuple[int, int] | None = None,
        before: tuple[int, int] | None = None,
    ) -> str:
        payload = json.dumps(
            {"filters": dict(filters), "after": after, "before": before}, separators=(",", ":")
        ).encode()
        mac = hmac.new(self._secret, payload, hashlib.sha256).digest()[:12]
        return base64.urlsafe_b64encode(mac + payload).decode().rstrip("=")

    def _decode(self, token: str) -> dict[str, Any]:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            mac, payload = raw[:12], raw[12:]
            if hmac.compare_digest(
                mac, hmac.new(self._secret, payload, hashlib.sha256).digest()[:12]
            ):
                cursor = json.loads(payload)
                if isinstance(cursor, dict) and isinstance(cursor.get("filters"), dict):
                    return cursor
        except (ValueError, binascii.Error, UnicodeDecodeError):
            pass
        raise ShopError(400, {"page_info": "Invalid value."})
