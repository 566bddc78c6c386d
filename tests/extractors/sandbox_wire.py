"""Running a platform extractor against a served sandbox while watching its wire: every request
it sends is kept (URL and headers), and an extractor that would page forever fails the test
after `max_calls` requests instead of hanging it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from core.config import Settings
from extractors import registry
from extractors.connections import ApiCredentials
from extractors.runner import land_source
from irm.airflow_cli import PlatformSecrets, sandbox_credentials
from irm.demo import SANDBOX_SECRETS
from sandbox.crm import creator_rows
from sandbox.server import PlatformSettings, SandboxServer, make_server, running
from sandbox.world import World

PLATFORMS = tuple(source.name for source in registry.api_sources())
# The demo's credentials, each made a value no URL, log line or landed file could hold by chance.
_SECRET_FIELDS = (
    "youtube_key", "instagram_token", "tiktok_client_key", "tiktok_client_secret", "shop_token",
)  # fmt: skip
SECRETS = replace(
    SANDBOX_SECRETS,
    **{name: f"{getattr(SANDBOX_SECRETS, name)}-7f3a91c2e8" for name in _SECRET_FIELDS},
)


class CallLimitExceeded(AssertionError):
    """The extractor sent more requests than the test allows: it did not stop."""


class WireTap(HTTPAdapter):
    """The real wire (urllib3, sockets), with each request kept and their number capped."""

    def __init__(self, max_calls: int = 10_000) -> None:
        super().__init__()
        self.max_calls = max_calls
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        if len(self.sent) >= self.max_calls:
            raise CallLimitExceeded(
                f"the extractor sent {len(self.sent)} requests and asked for another: "
                f"the last was {request.method} {request.path_url[:200]}"
            )
        self.sent.append(request.copy())
        return super().send(request, *args, **kwargs)


def platform_settings(secrets: PlatformSecrets = SECRETS) -> PlatformSettings:
    """The credentials the sandbox server accepts."""
    return PlatformSettings(
        youtube_api_key=secrets.youtube_key,
        instagram_access_token=secrets.instagram_token,
        tiktok_client_key=secrets.tiktok_client_key,
        tiktok_client_secret=secrets.tiktok_client_secret,
        shop_access_token=secrets.shop_token,
    )


def served_credentials(base_url: str, secrets: PlatformSecrets = SECRETS) -> dict[str, Any]:
    """Each platform's Airflow-connection credentials, pointed at a served sandbox."""
    return sandbox_credentials(base_url, secrets)


@contextmanager
def serving(world: World, **options: Any) -> Iterator[SandboxServer]:
    """A sandbox server of `world` on a free port (make_server's `options`), accepting SECRETS,
    shut down on exit."""
    with running(make_server(world, port=0, settings=platform_settings(), **options)) as server:
        yield server


def roster(world: World, platform: str) -> list[str]:
    """The world's accounts on a platform (none for one without a roster: the shop)."""
    accounts = registry.source(platform).roster
    if accounts is None:
        return []
    return sorted(row[accounts.column] for row in creator_rows(world) if row[accounts.column])


def land(
    platform: str,
    day: date,
    credentials: ApiCredentials,
    world: World,
    settings: Settings,
    accounts: list[str] | None = None,
    **client_options: Any,
) -> dict[str, Any]:
    """The platform's day for the world's whole roster (or `accounts`), as the extract task
    lands it."""
    source = registry.source(platform)
    accounts = roster(world, platform) if accounts is None else accounts
    return land_source(source, day, settings, credentials, accounts, **client_options)
