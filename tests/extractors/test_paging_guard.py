"""Issue 17 item 7: a server that repeated a cursor made the Instagram extractor loop, 19,169 calls
in 15 minutes. Every paged call (YouTube pageToken, Instagram after, TikTok cursor + search_id,
Shopify Link) now stops at a repeated cursor or at a page budget, with an error naming the
account and the endpoint: that account is quarantined with the reason and the others land; the
shop's orders, one listing for the whole shop, fail the extraction and land nothing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pytest

from core.config import Settings
from core.landing import Partition, read_records
from extractors import paging, registry
from extractors.errors import PagingError
from extractors.instagram import api as instagram
from extractors.shop import api as shop
from extractors.tiktok import api as tiktok
from extractors.youtube import api as youtube
from sandbox.faults import FaultConfig
from sandbox.server import SandboxServer
from sandbox.world import DEFAULT_START_DATE, World
from tests.extractors.sandbox_wire import (
    WireTap,
    land,
    roster,
    served_credentials,
    serving,
)

SEED, ACCOUNTS, DAYS = 11, 30, 60
DAY = DEFAULT_START_DATE + timedelta(days=DAYS - 1)  # the world's last day: the present
# Items per page, so that this small world has listings of one or two pages (they never get
# to a follow-up page with a next cursor, so the loop fault cannot reach them) and longer ones.
PAGE_SIZES = {"youtube": 15, "instagram": 30, "tiktok": 13, "shop": 10}
# Pages per account in the budget case: TikTok asks at least once per 30-day window (6 of
# them on a first run), so its budget counts them.
BUDGETS = {"youtube": 2, "instagram": 2, "tiktok": 8, "shop": 2}
CALL_CAP = 1_000  # several times what a whole normal run of this world needs
ENDPOINTS = {
    "youtube": "playlistItems",
    "instagram": "business_discovery media",
    "tiktok": "video/query",
    "shop": "orders.json",
}
# Per platform with accounts: the entity an account lands in, and the one its listed items
# land in.
ENTITIES = {
    s.name: (s.roster.entity, next(e for e in s.entity_names if e != s.roster.entity))
    for s in registry.api_sources()
    if s.roster is not None
}


@pytest.fixture(scope="module")
def world() -> World:
    return World(SEED, ACCOUNTS, DAYS)


@pytest.fixture
def server(world: World) -> Iterator[SandboxServer]:
    """A server per test: its daily quotas and fault tallies start afresh."""
    with serving(world) as srv:
        yield srv


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(youtube, "PLAYLIST_PAGE_SIZE", PAGE_SIZES["youtube"])
    monkeypatch.setattr(instagram, "PAGE_SIZE", PAGE_SIZES["instagram"])
    monkeypatch.setattr(tiktok, "MAX_COUNT", PAGE_SIZES["tiktok"])
    monkeypatch.setattr(shop, "PAGE_LIMIT", PAGE_SIZES["shop"])


def serve_faults(server: SandboxServer, faults: str) -> None:
    server.faults.reconfigure(FaultConfig.parse(faults))


def listing_calls(tap: WireTap, platform: str, accounts: Sequence[str] = ()) -> int:
    """Requests the extractor sent to the platform's paged endpoint; with `accounts`, only
    those listing one of them (listening lists the accounts it discovers the same way)."""
    if platform == "instagram":  # business_discovery is asked on the brand's IG user
        return sum("business_discovery" in unquote(r.path_url or "") for r in tap.sent)
    sent = [r for r in tap.sent if ENDPOINTS[platform] in (r.path_url or "")]
    if platform == "tiktok":  # the roster's queries name a username; listening's, a term
        sent = [r for r in sent if b'"username"' in (r.body or b"")]
    if not accounts:
        return len(sent)
    # A TikTok query names the username; a YouTube listing the channel's uploads playlist
    # (its id with UU for UC).
    names = [f'"{a}"' if platform == "tiktok" else f"UU{a[2:]}" for a in accounts]
    return sum(any(n in f"{r.path_url}{(r.body or b'').decode()}" for n in names) for r in sent)


def landed(settings: Settings, source: str, entity: str) -> list[dict[str, Any]]:
    part = Partition(settings.landing_dir, source, entity, DAY)
    return list(read_records(part)) if part.exists() else []


CASES = {
    # A server that answers a follow-up page with the cursor it was asked for, forever.
    "repeated cursor": ("loop=1", False),
    # A server whose cursors never end: the page budget stops it (a clean server, tiny budget).
    "page budget": ("", True),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("platform", sorted(ENTITIES))
def test_an_endless_listing_quarantines_that_account_and_the_others_land(
    world: World,
    server: SandboxServer,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    platform: str,
    case: str,
) -> None:
    faults, with_budget = CASES[case]
    serve_faults(server, faults)
    budget = BUDGETS[platform] if with_budget else None
    if budget is not None:
        monkeypatch.setattr(paging, "MAX_PAGES_PER_LISTING", budget)
    tap = WireTap(max_calls=CALL_CAP)
    credentials = served_credentials(server.base_url)[platform]
    manifests = land(platform, DAY, credentials, world, settings, transport=tap)
    account_entity, item_entity = ENTITIES[platform]
    for entity in (account_entity, item_entity):
        assert manifests[entity]["complete"], manifests[entity]  # no quota stop hid a loop
    rejected = landed(settings, platform, "quarantine")
    quarantined = {q["payload"]["key"]: q["payload"] for q in rejected}
    stuck = {key for key, q in quarantined.items() if q["entity"] == account_entity}
    accounts = roster(world, platform)
    assert stuck, "no account's listing was stopped"
    assert stuck < set(accounts), "every listing was stopped: that the others land is untested"
    for account in stuck:
        reason = quarantined[account]["reason"]
        assert account in reason and ENDPOINTS[platform] in reason, reason
        assert credentials.connection_id in reason, reason
        wording = "a second time" if budget is None else f"{budget} pages"
        assert wording in reason, reason
    # The stuck accounts land nothing (no half listing); every other account lands.
    landed_accounts = {r["record_key"] for r in landed(settings, platform, account_entity)}
    assert landed_accounts == set(accounts) - stuck
    item_owners = {r["parent_key"] for r in landed(settings, platform, item_entity)}
    assert item_owners and not item_owners & stuck
    # Each stuck listing stopped at once: a looping answer was never asked for again, and no
    # listing took more pages than its budget.
    if budget is None:
        served = server.faults.stats()["platforms"][platform]
        # Listening lists the accounts it discovers the same way: theirs loop too. A candidate's
        # listing may stop at a looping page without following it (it reached 30 days back),
        # so the loops served are at least the stuck listings; none was asked twice.
        assert served["loop"]["injected"] >= len(stuck)
        asked = [
            (r.path_url, r.body) for r in tap.sent if ENDPOINTS[platform] in (r.path_url or "")
        ]
        assert len(asked) == len(set(asked)), "a looping page was asked for again"
    else:
        assert listing_calls(tap, platform, accounts) <= budget * len(accounts)


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_endless_shop_listing_fails_the_extraction_and_lands_nothing(
    world: World,
    server: SandboxServer,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
) -> None:
    """The shop's orders are one listing for the whole shop: there is no other account to
    land, so the extraction fails; nothing lands and the bookmark stays, so the next run asks
    for the same orders again."""
    faults, with_budget = CASES[case]
    serve_faults(server, faults)
    budget = BUDGETS["shop"] if with_budget else None
    if budget is not None:
        monkeypatch.setattr(shop, "MAX_ORDER_PAGES", budget)
    tap = WireTap(max_calls=CALL_CAP)
    credentials = served_credentials(server.base_url)["shop"]
    with pytest.raises(PagingError) as caught:
        land("shop", DAY, credentials, world, settings, transport=tap)
    message = str(caught.value)
    assert "irm_shop" in message and "orders.json" in message
    assert server.base_url.split("://")[1] in message  # the shop: its host
    assert ("a second time" if budget is None else f"{budget} pages") in message
    assert listing_calls(tap, "shop") == (2 if budget is None else budget)
    assert not Partition(settings.landing_dir, "shop", "orders", DAY).exists()


def test_an_endless_shop_listing_fails_its_task_at_once(
    server: SandboxServer, settings: Settings
) -> None:
    """Asking again loops the same way, so the task fails without spending its retries."""
    from airflow.sdk.exceptions import AirflowFailException

    from irm import tasks

    serve_faults(server, "loop=1")
    tap = WireTap(max_calls=CALL_CAP)
    credentials = served_credentials(server.base_url)["shop"]
    with pytest.raises(AirflowFailException, match=r"PagingError: .*orders\.json"):
        tasks.land_platform("shop", DAY.isoformat(), credentials, transport=tap)
    assert listing_calls(tap, "shop") == 2
