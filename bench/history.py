"""Months of history straight into the landing zone, fast enough for 10k accounts x 180 days.

`irm bootstrap` replays past days through the extractors over a requests transport adapter:
exact, but about 4-7 ms per account-day (requests' machinery, a JSON round trip per call, a
staging file per batch). The benchmark keeps everything that decides *what* lands (each
source's own `extract()` through the same runner as a live run: its calls, paging, windows,
bookmarks, quarantine; the sandbox's own handlers; `land_source_day`'s staging, commit and
manifests) and replaces only the wire: the shared client's public `wire` hook hands each call
to the sandbox handler as a Python call, without requests or JSON encoding (the client's
auth, retries, classification and accounting stay). tests/bench checks that this lands
exactly what the bootstrap lands.

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
from extractors import registry

# The sandbox and the tasks are imported inside the functions that run them: each worker
# process loads (and is measured with) only what its own platform's days use.

# The platforms whose history takes longest (measured), started first so that the two workers
# finish close together; every other source follows in registry order.
HEAVIEST_FIRST = ("youtube", "tiktok")


@dataclass(frozen=True)
class WorldSpec:
    """What a worker process needs to rebuild the same world (a World is not sent over a
    pipe: it is cheap to rebuild and its caches are per process)."""

    seed: int
    accounts: int
    days: int
    crm_second_wave: bool = True  # False: the CRM files of the older templates (crm.crm_export)


@dataclass(frozen=True)
class SandboxWire:
    """The client's wire (extractors/http.py `Wire`): each call handed to a sandbox
    platform's handler as of `day`, its parameters as a query string would carry them."""

    handler: Callable[..., Any]
    day: date

    def __call__(self, method: str, url: str, **call: Any) -> tuple[int, Mapping[str, str], Any]:
        params, json_body, form = call["params"], call["json_body"], call["form"]
        query = _query_of(params) if "?" not in url else None
        if query is not None:
            parts = urlsplit(url)
        else:  # a URL with its own query (a Link the API gave): parsed as a server would
            parts = urlsplit(url if not params else f"{url}?{urlencode(params)}")
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
        body = json.dumps(json_body).encode() if json_body is not None else None
        if form is not None:
            body = urlencode(form).encode()
        # A server always knows its Host (the shop builds absolute Link URLs from it).
        headers = {**call["headers"], "Host": parts.netloc}
        return self.handler(method, parts.path, query, headers, body, self.day)


def _query_of(params: Mapping[str, Any] | None) -> dict[str, str] | None:
    """The query a server parses from the URL's `?urlencode(params)`, without encoding and
    parsing it (a tenth of a history's time): a text goes through a query string unchanged,
    and urlencode gives any other value as its str(). None for bytes, which it does not."""
    query = {}
    for name, value in (params or {}).items():
        if isinstance(name, bytes) or isinstance(value, bytes):
            return None
        query[str(name)] = str(value)
    return query


def land_crm_days(
    world: Any, days: Sequence[date], progress: Callable[[str], None], second_wave: bool = True
) -> None:
    """Each day's CRM export into the inbox, then landed by the file sources (the roster the
    platform extractors read for that day); `second_wave`: as crm.write_crm."""
    from irm.tasks import land_files
    from sandbox.crm import write_crm

    inbox = get_settings().crm_inbox
    inbox.mkdir(parents=True, exist_ok=True)
    for n, day in enumerate(days, start=1):
        write_crm(world, inbox, day=day, second_wave=second_wave)
        for source in registry.file_sources():
            land_files(source.name, day.isoformat())
        if n % 30 == 0 or n == len(days):
            progress(f"crm: {n}/{len(days)} days landed")


def land_platform_days(spec: WorldSpec, source: str, days: Sequence[date]) -> dict[str, Any]:
    """One platform's days, oldest first (a worker process), through the runner a live run
    takes, over the sandbox's wire. Returns records and calls."""
    from extractors.crm import roster
    from extractors.runner import land_source
    from irm.bootstrap import in_process_credentials
    from irm.demo import SANDBOX_SECRETS
    from sandbox.server import PlatformSettings, build_platforms
    from sandbox.world import World

    settings = get_settings()
    # The world caches post texts (16 x cache_size): a day re-lands up to a page of 50 posts per
    # account (Instagram) and the default cache is too small for that at 10k accounts, so every
    # text was rebuilt every day (about 60 % of an Instagram day at medium).
    world = World(spec.seed, spec.accounts, spec.days, cache_size=max(4096, 2 * spec.accounts))
    platform = next(p for p in build_platforms(world, PlatformSettings()) if p.name == source)
    source_spec = registry.source(source)
    credentials = in_process_credentials(SANDBOX_SECRETS)[source]
    totals = {"records": 0, "api_calls": 0}
    for day in days:
        _wait_for_crm(settings, day)
        accounts = roster(settings, day, source_spec.roster) if source_spec.roster else []
        wire = SandboxWire(platform.api.handle, day)
        manifests = land_source(source_spec, day, settings, credentials, accounts, wire=wire)
        for entity in source_spec.entity_names:
            totals["records"] += manifests[entity]["record_count"]
            totals["api_calls"] += manifests[entity]["api_calls"]
    return totals


def _wait_for_crm(settings: Any, day: date, timeout: float = 900.0) -> None:
    """A platform's day waits for that day's CRM roster, landed meanwhile by the parent."""
    from extractors import crm

    creators = Partition(settings.landing_dir, crm.SPEC.name, crm.ROSTER_ENTITY, day)
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
    while `workers` processes land the API sources, each day once its roster is landed.
    Returns per source: records and API calls."""
    from sandbox.world import World

    results: dict[str, dict[str, Any]] = {}
    names = [source.name for source in registry.api_sources()]
    order = [
        *(n for n in HEAVIEST_FIRST if n in names),
        *(n for n in names if n not in HEAVIEST_FIRST),
    ]
    with ProcessPoolExecutor(max_workers=workers, initializer=_quiet_worker) as pool:
        futures = {pool.submit(land_platform_days, spec, s, list(days)): s for s in order}
        world = World(spec.seed, spec.accounts, spec.days)
        land_crm_days(world, days, progress, spec.crm_second_wave)
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
