"""Issue 17 item 11: secrets travelled in URLs. YouTube's `key=` and Instagram's `access_token=`
were query parameters, and urllib3 logs every request's URL at DEBUG. Every extractor now sends
its credential in a header (`X-Goog-Api-Key`, `Authorization: Bearer`, TikTok's bearer token,
`X-Shopify-Access-Token`), which the real APIs accept: no URL carries a secret, and a run with
DEBUG logging on everywhere (urllib3 included) logs none."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest

from core.config import Settings
from sandbox.server import SandboxServer
from sandbox.world import DEFAULT_START_DATE, World
from tests.extractors.sandbox_wire import (
    PLATFORMS,
    SECRETS,
    WireTap,
    land,
    served_credentials,
    serving,
)

SEED, ACCOUNTS, DAYS = 3, 12, 30
DAY = DEFAULT_START_DATE + timedelta(days=DAYS - 1)
# Throttles and 5xx make the client retry, so its retry warnings are searched too.
FAULTS = "rate=0.1,5xx=0.05,retry_after=0,seed=4"
# The header each platform's credential travels in, and how its value reads.
CREDENTIAL_HEADERS = {
    "youtube": ("X-Goog-Api-Key", SECRETS.youtube_key),
    "instagram": ("Authorization", f"Bearer {SECRETS.instagram_token}"),
    "tiktok": ("Authorization", "Bearer "),  # the client token the OAuth endpoint issued
    "shop": ("X-Shopify-Access-Token", SECRETS.shop_token),
}
TIKTOK_TOKEN_PATH = "/oauth/token/"  # sends the client secret in its form body, not its URL


@pytest.fixture(scope="module")
def world() -> World:
    return World(SEED, ACCOUNTS, DAYS)


@pytest.fixture(scope="module")
def server(world: World) -> Iterator[SandboxServer]:
    with serving(world, faults=FAULTS) as srv:
        yield srv


@pytest.mark.parametrize("platform", PLATFORMS)
def test_no_secret_in_any_url_or_debug_log(
    world: World,
    server: SandboxServer,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    platform: str,
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: every library's records
    for name in ("urllib3", "requests"):  # in case anything set them quieter
        caplog.set_level(logging.DEBUG, logger=name)
    tap = WireTap()
    credentials = served_credentials(server.base_url)[platform]
    manifests = land(platform, DAY, credentials, world, settings, transport=tap, base_backoff=0)
    assert all(m["record_count"] > 0 for m in manifests.values()), manifests

    api_calls = [r for r in tap.sent if TIKTOK_TOKEN_PATH not in (r.path_url or "")]
    issued = {
        r.headers["Authorization"].removeprefix("Bearer ")
        for r in api_calls
        if platform == "tiktok" and "Authorization" in r.headers
    }
    secrets = {*SECRETS.values(), *issued}

    assert not [(s, r.url) for r in tap.sent for s in secrets if s in (r.url or "")]
    # urllib3 logged a line for each request, URL included: were a secret in one, it shows.
    urllib3_lines = [r for r in caplog.records if r.name.startswith("urllib3")]
    assert sum("HTTP/1.1" in r.getMessage() for r in urllib3_lines) >= len(tap.sent)
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert not [s for s in secrets if s in logged]
    # The credential travelled, in its header, on every API call.
    header, value = CREDENTIAL_HEADERS[platform]
    assert api_calls and all(r.headers.get(header, "").startswith(value) for r in api_calls)
