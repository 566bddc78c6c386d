"""Shop orders in the Shopify Admin REST shape: GET orders.json, cursor pagination in the
`Link` header (`page_info`), 429 with Retry-After.

Orders change after they are placed (cancelled, refunded), so each run asks for every order
updated since the bookmark (less the refresh window) up to the interval's end; staging keeps
each order's latest version.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from extractors.base import Extraction, keep_unique
from extractors.classify import Answer, default_classify
from extractors.errors import AuthError, ExtractError
from extractors.paging import PageGuard, PageRequest, Paginator, paginate
from extractors.shop.schema import ORDERS

if TYPE_CHECKING:
    from extractors.http import ApiClient
    from extractors.runner import ExtractContext

log = logging.getLogger(__name__)

PAGE_LIMIT = 250
# The orders are one listing for the whole shop, not one per account: a first run pages
# through every order ever updated. 2,000 pages are 500,000 orders (the bench's medium world
# has 40,000 in all).
MAX_ORDER_PAGES = 2_000


def classify(response: Answer) -> ExtractError | None:
    if response.status_code in (401, 403):
        return AuthError(f"the shop rejected the access token (HTTP {response.status_code})")
    return default_classify(response)


def fetch_orders(
    client: ApiClient, paginator: Paginator, updated_min: datetime | None, until: datetime
) -> list[dict[str, Any]]:
    """Every order updated in the range, following `Link: rel="next"`. A listing that pages
    without end raises PagingError naming the shop; nothing of it lands."""
    params: dict[str, Any] = {"status": "any", "limit": PAGE_LIMIT, "order": "updated_at asc"}
    params["updated_at_max"] = until.isoformat()
    if updated_min is not None:
        params["updated_at_min"] = updated_min.isoformat()
    orders: list[dict[str, Any]] = []
    guard = PageGuard(
        client.connection_id,
        "orders.json",
        urlsplit(client.base_url).netloc,  # the shop: <shop>.myshopify.com
        kind="shop",
        max_pages=MAX_ORDER_PAGES,
        max_pages_setting="extractors.shop.api.MAX_ORDER_PAGES",
    )
    request = PageRequest("GET", "orders.json", params)
    for response in paginate(client, request, paginator, guard):
        body = response.body if isinstance(response.body, dict) else {}
        orders.extend(body.get("orders", []))
    return orders


def extract(ctx: ExtractContext) -> Extraction:
    """The orders updated since the bookmark (less the refresh window), up to the interval's
    end: one listing for the whole shop (no roster)."""
    client, window = ctx.client, ctx.window
    result = Extraction.of(ctx.source)
    orders = result.entities["orders"]
    bookmark = ctx.bookmarks.get("updated_at")
    since = min(datetime.fromisoformat(bookmark), window.refresh_since) if bookmark else None
    paginator = ctx.source.paginators["orders.json"]
    listed = fetch_orders(client, paginator, since, window.end)
    for order_id, order in keep_unique(listed, ORDERS.key.of, "orders", result):
        orders.add(order_id, order)
    orders.api_calls = client.stats.calls
    result.bookmarks["updated_at"] = window.end.isoformat()
    return result
