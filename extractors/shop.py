"""Shop orders in the Shopify Admin REST shape: GET orders.json, cursor pagination in the
`Link` header (`page_info`), the token in `X-Shopify-Access-Token`, 429 with Retry-After.

Orders change after they are placed (cancelled, refunded), so each run asks for every order
updated since the bookmark (less the refresh window) up to the interval's end; staging keeps
each order's latest version.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from core.config import Settings
from extractors.base import EntityRecords, Extraction, Window, keep_unique, land_source_day
from extractors.connections import ApiCredentials
from extractors.errors import AuthError, ExtractError
from extractors.http import ApiClient, PageGuard, default_classify

log = logging.getLogger(__name__)

SOURCE = "shop"
ENTITIES = ("orders",)
PAGE_LIMIT = 250
# The orders are one listing for the whole shop, not one per account: a first run pages
# through every order ever updated. 2,000 pages are 500,000 orders (the bench's medium world
# has 40,000 in all).
MAX_ORDER_PAGES = 2_000


def classify(response: requests.Response) -> ExtractError | None:
    if response.status_code in (401, 403):
        return AuthError(
            f"the shop rejected the access token of Airflow connection 'irm_shop' "
            f"(HTTP {response.status_code})"
        )
    return default_classify(response)


def make_client(credentials: ApiCredentials, **kwargs: Any) -> ApiClient:
    return ApiClient(
        credentials.base_url,
        connection_id=credentials.connection_id,
        classify=classify,
        default_headers={"X-Shopify-Access-Token": credentials.secret},
        **kwargs,
    )


def fetch_orders(client: ApiClient, updated_min: datetime | None, until: datetime) -> list:
    """Every order updated in the range, following `Link: rel="next"`. A listing that pages
    without end raises PagingError naming the shop; nothing of it lands."""
    params: dict[str, Any] = {"status": "any", "limit": PAGE_LIMIT, "order": "updated_at asc"}
    params["updated_at_max"] = until.isoformat()
    if updated_min is not None:
        params["updated_at_min"] = updated_min.isoformat()
    orders: list[dict[str, Any]] = []
    target: str = "orders.json"
    guard = PageGuard(
        client.connection_id,
        "orders.json",
        urlsplit(client.base_url).netloc,  # the shop: <shop>.myshopify.com
        kind="shop",
        max_pages=MAX_ORDER_PAGES,
        max_pages_setting="extractors.shop.MAX_ORDER_PAGES",
    )
    while True:
        guard.next_page(_page_info(target))
        response = client.request("GET", target, params=params)
        body = response.body if isinstance(response.body, dict) else {}
        orders.extend(body.get("orders", []))
        next_link = requests.utils.parse_header_links(response.headers.get("Link", ""))
        target = next((link["url"] for link in next_link if link.get("rel") == "next"), "")
        if not target:
            return orders


def _page_info(target: str) -> str | None:
    """The page cursor of a `Link` URL (None for the first page)."""
    values = parse_qs(urlsplit(target).query).get("page_info")
    return values[-1] if values else None


def _id_of(order: dict[str, Any]) -> str | None:
    value = order.get("id")
    return str(value) if isinstance(value, int | str) and str(value) else None


def extract(client: ApiClient, bookmarks: dict[str, Any], window: Window) -> Extraction:
    orders = EntityRecords()
    result = Extraction({"orders": orders})
    bookmark = bookmarks.get("updated_at")
    since = min(datetime.fromisoformat(bookmark), window.refresh_since) if bookmark else None
    for order_id, order in keep_unique(
        fetch_orders(client, since, window.end), _id_of, "orders", result
    ):
        orders.add(order_id, order)
    orders.api_calls = client.stats.calls
    result.bookmarks["updated_at"] = window.end.isoformat()
    result.stats = {"retries": client.stats.retries}
    return result


def land_day(
    day: date,
    credentials: ApiCredentials,
    settings: Settings,
    batch: int | None = None,
    **client_options: Any,
) -> dict[str, Any]:
    def fetch(bookmarks: dict[str, Any], window: Window) -> Extraction:
        with make_client(
            credentials, answer_window=window.answer_window, **client_options
        ) as client:
            return extract(client, bookmarks, window)

    return land_source_day(SOURCE, ENTITIES, day, settings, fetch, batch)
