"""The shop as a source: orders in the Shopify Admin REST shape (`orders.json` paged by the
`Link` header), one listing for the whole shop, so no roster (api.py; its records:
schema.py)."""

from __future__ import annotations

from extractors.auth import HeaderKey
from extractors.paging import LinkHeaderPaginator
from extractors.shop.api import classify, extract
from extractors.shop.schema import ORDERS
from extractors.spec import ConnectionSpec, PoolSpec, SourceSpec

SPEC = SourceSpec(
    name="shop",
    entities=(ORDERS,),
    extract=extract,
    connection=ConnectionSpec(
        "irm_shop",
        HeaderKey("X-Shopify-Access-Token"),
        classify,
        sandbox_path="shop/admin/api/2025-01",
    ),
    pool=PoolSpec("irm_shop_api", 1, "Shop Admin REST API (leaky bucket of 40 calls)"),
    paginators={"orders.json": LinkHeaderPaginator("page_info")},
)

__all__ = ["SPEC", "classify"]
