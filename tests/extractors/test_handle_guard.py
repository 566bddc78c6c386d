"""A second line of defence for handles: CRM admission quarantines a handle not of its
platform's format, and each platform extractor refuses one again before it builds a request
(a handle that reached it another way, such as a partition landed before handles were checked,
or a caller's list). The handle is never sent, whatever it would have asked for, and its
account is quarantined with the reason, as an unknown account is; the others land."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from core.config import Settings
from core.landing import Partition, read_records
from sandbox.server import SandboxServer
from sandbox.world import DEFAULT_START_DATE, World
from tests.extractors.sandbox_wire import WireTap, land, roster, served_credentials, serving

SEED, ACCOUNTS, DAYS = 11, 12, 30
DAY = DEFAULT_START_DATE + timedelta(days=DAYS - 1)  # the world's last day: the server's clock
MARKER = "zzinjected"  # in every bad handle: no request may carry it
# Each platform: its accounts' entity, and a handle that would change the request.
CASES: dict[str, tuple[str, str]] = {
    # a second channel id smuggled into channels.list's id= list
    "youtube": ("channels", f"UCq-Fj5jknLsUf-MWSy4_brA,UC{MARKER}{MARKER}00"),
    # another account's fields asked for through the business_discovery field expansion
    "instagram": ("accounts", f"{MARKER}){{followers_count}},business_discovery"),
    # a query parameter in a username
    "tiktok": ("users", f"{MARKER}&region=us"),
}


@pytest.fixture(scope="module")
def world() -> World:
    return World(SEED, ACCOUNTS, DAYS)


@pytest.fixture(scope="module")
def server(world: World) -> Iterator[SandboxServer]:
    with serving(world) as srv:
        yield srv


def sent_text(tap: WireTap) -> list[str]:
    """Each request as sent: its URL and body."""
    texts = []
    for request in tap.sent:
        body = request.body or b""
        texts.append(f"{request.url} {body.decode() if isinstance(body, bytes) else body}")
    return texts


def landed(settings: Settings, platform: str, entity: str) -> list[dict[str, Any]]:
    part = Partition(settings.landing_dir, platform, entity, DAY)
    return list(read_records(part)) if part.exists() else []


@pytest.mark.parametrize("platform", sorted(CASES))
def test_a_malformed_handle_is_quarantined_and_never_sent(
    world: World, server: SandboxServer, settings: Settings, platform: str
) -> None:
    accounts_entity, bad = CASES[platform]
    good = roster(world, platform)
    tap = WireTap(max_calls=500)
    credentials = served_credentials(server.base_url)[platform]
    land(platform, DAY, credentials, world, settings, [bad, *good], transport=tap)

    assert tap.sent, "nothing was asked: the test proves nothing"
    assert not [text for text in sent_text(tap) if MARKER in text]
    quarantined = {
        q["payload"]["key"]: q["payload"] for q in landed(settings, platform, "quarantine")
    }
    assert quarantined[bad]["entity"] == accounts_entity
    assert "not sent" in quarantined[bad]["reason"], quarantined[bad]
    assert repr(bad) in quarantined[bad]["reason"]
    landed_accounts = {r["record_key"] for r in landed(settings, platform, accounts_entity)}
    assert landed_accounts == set(good)  # the others land
