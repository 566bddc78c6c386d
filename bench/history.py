"""Months of history straight into the landing zone, fast enough for 10k accounts x 180 days.

`irm bootstrap` replays past days through the extractors over a requests transport adapter:
exact, but about 4-7 ms per account-day (requests' machinery, a JSON round trip per call, a
staging file per batch). The benchmark keeps everything that decides *what* lands (each
extractor's own `extract()`: its calls, paging, windows, bookmarks, quarantine; the sandbox's
own handlers; `land_source_day`'s staging, commit and manifests) and replaces only the wire: a
client whose `request` hands the call to the sandbox handler as a Python call, without HTTP,
retries or JSON encoding. tests/bench checks that this lands exactly what the bootstrap lands.

The platforms are independent once the day's CRM roster is landed, so they run in worker
processes, each replaying its platform day by day (its bookmarks carry from one day to the next
as in production).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from core.config import get_settings
from core.landing import Partition
from extractors.base import Extraction, Window, land_source_day
from extractors.http import ApiClient, ApiResponse

PLATFORMS = ("youtube", "instagram", "tiktok", "shop")
# The sandbox and the tasks are imported inside the functions that run them: each worker
# process loads (and is measured with) only what its own platform's days use.


@dataclass(frozen=True)
class WorldSpec:
    """What a worker process needs to rebuild the same world (a World is not sent over a
    pipe: it is cheap to rebuild and its caches are per process)."""

    seed: int
    accounts: int
    days: int


class DirectClient(ApiClient):
    """An ApiClient whose HTTP attempt is a direct call of a sandbox handler: the extractor's
    own client (`make_client`: classify, parameters, headers, quota budget, retries and call
    accounting) with only the wire replaced. See `direct`."""

    handler: Callable[..., Any]
    day: date

    def _attempt(  # type: ignore[override]  # the base's positional parameters
        self, method: str, path: str, params: Any, json_body: Any, form: Any, headers: Any,
        quota_units: int,
    ) -> ApiResponse:  # fmt: skip
        url, query = self._url(path, params)
        self.stats.calls += 1
        self.stats.quota_units += quota_units
        self.stats.by_endpoint[path] = self.stats.by_endpoint.get(path, 0) + 1
        parts = urlsplit(url if query is None else f"{url}?{urlencode(query)}")
        body = json.dumps(json_body).encode() if json_body is not None else None
        if form is not None:
            body = urlencode(form).encode()
        status, answer_headers, payload = self.handler(
            method,
            parts.path,
            dict(parse_qsl(parts.query, keep_blank_values=True)),
            {**self.session.headers, **(headers or {}), "Host": parts.netloc},
            body,
            self.day,
        )
        if status >= 400:  # e.g. a daily quota spent: the extractor's own handling decides
            error = self.classify(_as_response(status, answer_headers, payload))
            raise error or RuntimeError(f"{self.connection_id} {parts.path}: HTTP {status}")
        return ApiResponse(status, answer_headers, payload)


def direct(client: ApiClient, handler: Callable[..., Any], day: date) -> ApiClient:
    """The extractor's client, answering from `handler` as of `day` instead of the network."""
    client.__class__ = DirectClient
    client.handler, client.day = handler, day  # type: ignore[attr-defined]
    return client


def _as_response(status: int, headers: Mapping[str, str], payload: Any) -> Any:
    """A requests.Response for the platform's `classify` (error answers only: rare)."""
    import requests
    from requests.structures import CaseInsensitiveDict

    response = requests.Response()
    response.status_code = status
    response.headers = CaseInsensitiveDict(headers)
    response._content = json.dumps(payload).encode()  # noqa: SLF001 (as requests fills it)
    response.encoding = "utf-8"
    return response


def _fetcher(
    source: str, world_platform: Any, day: date, accounts: Sequence[str], settings: Any
) -> Callable[[dict[str, Any], Window], Extraction]:
    """The source's `extract()` on its own client made direct, as its `land_day` calls it."""
    from extractors import instagram, shop, tiktok, youtube
    from extractors.base import PENDING
    from irm.bootstrap import sandbox_credentials
    from irm.demo import SANDBOX_SECRETS

    credentials = sandbox_credentials(SANDBOX_SECRETS)[source]
    handle = world_platform.api.handle

    def fetch(bookmarks: dict[str, Any], window: Window) -> Extraction:
        if source == "youtube":
            budget = settings.youtube_daily_quota
            client = direct(youtube.make_client(credentials, quota_budget=budget), handle, day)
            return youtube.extract(client, accounts, bookmarks, window)
        if source == "instagram":
            client = direct(instagram.make_client(credentials), handle, day)
            ig_user = str(credentials.extra["ig_user_id"])
            return instagram.extract(client, ig_user, accounts, bookmarks, window)
        if source == "tiktok":  # tiktok.land_day's fetch: pending usernames first
            pending = [u for u in bookmarks.get(PENDING, []) if u in set(accounts)]
            tt = tiktok.TikTokClient(credentials)
            direct(tt.api, handle, day)
            ordered = list(dict.fromkeys([*pending, *accounts]))
            return tiktok.extract(tt, ordered, bookmarks, window)
        return shop.extract(direct(shop.make_client(credentials), handle, day), bookmarks, window)

    return fetch


def land_crm_days(world: Any, days: Sequence[date], progress: Callable[[str], None]) -> None:
    """Each day's CRM export into the inbox, then landed by the CRM extractor (the roster the
    platform extractors read for that day)."""
    from irm.tasks import land_crm
    from sandbox.crm import write_crm

    inbox = get_settings().crm_inbox
    inbox.mkdir(parents=True, exist_ok=True)
    for n, day in enumerate(days, start=1):
        write_crm(world, inbox, day=day)
        land_crm(day.isoformat())
        if n % 30 == 0 or n == len(days):
            progress(f"crm: {n}/{len(days)} days landed")


def land_platform_days(spec: WorldSpec, source: str, days: Sequence[date]) -> dict[str, Any]:
    """One platform's days, oldest first (a worker process). Returns records and calls."""
    from extractors import crm
    from irm.tasks import _source_module
    from sandbox.server import PlatformSettings, build_platforms
    from sandbox.world import World

    settings = get_settings()
    # The world caches post texts (16 x cache_size): a day re-lands up to a page of 50 posts per
    # account (Instagram) and the default cache is too small for that at 10k accounts, so every
    # text was rebuilt every day (about 60 % of an Instagram day at medium).
    world = World(spec.seed, spec.accounts, spec.days, cache_size=max(4096, 2 * spec.accounts))
    platform = next(p for p in build_platforms(world, PlatformSettings()) if p.name == source)
    module = _source_module(source)
    totals = {"records": 0, "api_calls": 0}
    for day in days:
        _wait_for_crm(settings, day)
        roster = [] if source == "shop" else crm.roster(settings, day, crm.ROSTER_COLUMNS[source])
        fetch = _fetcher(source, platform, day, roster, settings)
        manifests = land_source_day(module.SOURCE, module.ENTITIES, day, settings, fetch)
        for entity in module.ENTITIES:
            totals["records"] += manifests[entity]["record_count"]
            totals["api_calls"] += manifests[entity]["api_calls"]
    return totals


def _wait_for_crm(settings: Any, day: date, timeout: float = 900.0) -> None:
    """A platform's day waits for that day's CRM roster, landed meanwhile by the parent."""
    creators = Partition(settings.landing_dir, "crm", "creators", day)
    deadline = time.monotonic() + timeout
    while not creators.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no CRM creators partition for {day}")
        time.sleep(0.05)


def land_history(
    spec: WorldSpec,
    days: Sequence[date],
    progress: Callable[[str], None],
    workers: int = 2,
) -> dict[str, dict[str, Any]]:
    """The world's `days` into the landing zone: the CRM (each day's roster) in this process,
    while `workers` processes land the four platforms, each day once its roster is landed.
    Returns per source: records and API calls."""
    from sandbox.world import World

    results: dict[str, dict[str, Any]] = {}
    # The heaviest platforms first, so the two workers finish close together.
    order = ("youtube", "tiktok", "instagram", "shop")
    with ProcessPoolExecutor(max_workers=workers, initializer=_quiet_worker) as pool:
        futures = {pool.submit(land_platform_days, spec, s, list(days)): s for s in order}
        land_crm_days(World(spec.seed, spec.accounts, spec.days), days, progress)
        for future in as_completed(futures):
            source = futures[future]
            results[source] = future.result()
            progress(f"{source}: {len(days)} days landed, {results[source]['records']} records")
    return results


def _quiet_worker() -> None:
    """Workers log warnings only: a line per extracted day would flood the progress display."""
    import logging

    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    logging.getLogger().setLevel(logging.WARNING)
    for name in ("extractors", "irm", "sandbox"):
        logging.getLogger(name).setLevel(logging.WARNING)
