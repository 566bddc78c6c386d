"""History bootstrap (SPEC 7): land months of past days from the sandbox, in-process.

A platform API answers with the present only, so a new installation (and the demo, and the
benchmark) cannot ask it for last month. The sandbox, though, can answer as of any past day. The
bootstrap replays those days through the extractors' own code (the same requests, paging,
parsing, quarantine and landing) with a requests transport adapter that hands each request to
the sandbox's handlers instead of the network: nothing differs from a live run but the wire.

Landing is idempotent (a complete partition is never written twice), so an interrupted bootstrap
is simply run again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from core.config import get_settings
from extractors import registry
from extractors.connections import ApiCredentials
from irm.airflow_cli import PlatformSecrets, sandbox_credentials
from irm.tasks import land_files, land_platform
from sandbox.crm import write_crm
from sandbox.server import PlatformSettings, build_platforms
from sandbox.world import World

log = logging.getLogger(__name__)

# Base URL of the in-process sandbox: never resolved, since the adapter answers every request.
IN_PROCESS_BASE = "http://sandbox.in-process"

# (method, path, query, headers, body) -> (status, headers, JSON payload)
Answer = Callable[
    [str, str, dict[str, str], dict[str, str], bytes | None], tuple[int, Mapping[str, str], Any]
]


class InProcessTransport(BaseAdapter):
    """A requests adapter that answers from a function instead of a socket."""

    def __init__(self, answer: Answer) -> None:
        super().__init__()
        self.answer = answer

    def send(  # type: ignore[override]  # requests' own signature, keyword defaults included
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        url = urlsplit(request.url or "")
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        body = request.body.encode() if isinstance(request.body, str) else request.body
        # A server always knows its Host (the shop builds absolute Link URLs from it).
        headers_in = {**dict(request.headers), "Host": url.netloc}
        status, headers, payload = self.answer(
            request.method or "GET", url.path, query, headers_in, body
        )
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        response._content = json.dumps(payload).encode()  # noqa: SLF001 (how adapters fill it)
        response.encoding = "utf-8"
        response.url = request.url or ""
        response.request = request
        response.reason = "OK" if status < 400 else "Error"
        return response

    def close(self) -> None:
        """Nothing to release: no sockets."""


@dataclass
class BootstrapReport:
    days: list[str] = field(default_factory=list)
    results: dict[str, list[Any]] = field(default_factory=dict)  # source -> manifests per day


def day_range(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def bootstrap_history(
    days: Iterable[date],
    credentials: Mapping[str, ApiCredentials],
    answer_for_day: Callable[[date], Answer],
    write_crm_for_day: Callable[[date], None],
    progress: Callable[[str], None] = log.info,
) -> BootstrapReport:
    """Land every source of the registry for each of `days`, oldest first, as a daily run
    would have: the file sources (the CRM roster) first, then each API source in `credentials`.

    `write_crm_for_day(d)` drops that day's CRM export into the inbox (the roster the platform
    extractors read), exported inside d's window (modified just after d ended, or named with
    the day it was exported), which the CRM task requires of a file as of platform answers;
    `answer_for_day(d)` answers API requests as of the end of day d."""
    report = BootstrapReport()
    for day in sorted(days):
        iso = day.isoformat()
        write_crm_for_day(day)
        landed = {source.name: land_files(source.name, iso) for source in registry.file_sources()}
        transport = InProcessTransport(answer_for_day(day))
        for source in (s.name for s in registry.api_sources() if s.name in credentials):
            landed[source] = land_platform(source, iso, credentials[source], transport=transport)
        for source, result in landed.items():
            report.results.setdefault(source, []).append(result)
        report.days.append(iso)
        counts = ", ".join(f"{source} {_records(result)}" for source, result in landed.items())
        progress(f"bootstrap {iso}: {counts} records")
    return report


def _records(result: Mapping[str, Any]) -> int:
    """Records landed by one source's day: the sum over its entities' manifests."""
    return sum(
        manifest.get("record_count", 0)
        for manifest in result.values()
        if isinstance(manifest, Mapping)
    )


@contextmanager
def _extractor_lines_to(log_file: Path) -> Iterator[None]:
    """The extractors' own INFO lines (one or more per source and day) go to `log_file` for the
    duration, so the console shows the bootstrap's one line per day; their warnings and errors
    are shown as well."""
    logger = logging.getLogger("extractors")
    log_file.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(log_file)
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    to_console = logging.StreamHandler()
    to_console.setLevel(logging.WARNING)
    saved = logger.propagate, logger.level
    for handler in (to_file, to_console):
        logger.addHandler(handler)
    logger.propagate, logger.level = False, logging.INFO
    try:
        yield
    finally:
        for handler in (to_file, to_console):
            logger.removeHandler(handler)
        to_file.close()
        logger.propagate, logger.level = saved


def in_process_credentials(secrets: PlatformSecrets) -> dict[str, ApiCredentials]:
    """Each API source's credentials for the in-process sandbox."""
    return sandbox_credentials(IN_PROCESS_BASE, secrets)


def bootstrap_from_sandbox(
    seed: int,
    accounts: int,
    world_days: int,
    days: Iterable[date],
    secrets: PlatformSecrets,
    progress: Callable[[str], None] = log.info,
) -> BootstrapReport:
    """The sandbox world's past `days`, landed as daily runs would have landed them. This
    command (like the demo and the benchmark) may import the sandbox; the pipeline never does."""
    world = World(seed, accounts, world_days)
    platforms = build_platforms(
        world,
        PlatformSettings(
            youtube_api_key=secrets.youtube_key,
            instagram_access_token=secrets.instagram_token,
            tiktok_client_key=secrets.tiktok_client_key,
            tiktok_client_secret=secrets.tiktok_client_secret,
            shop_access_token=secrets.shop_token,
        ),
    )
    settings = get_settings()
    inbox = settings.crm_inbox
    inbox.mkdir(parents=True, exist_ok=True)

    def answer_for_day(day: date) -> Answer:
        def answer(method: str, path: str, query: dict, headers: dict, body: bytes | None):
            platform = next((p for p in platforms if path.startswith(p.prefix)), None)
            if platform is None:
                return 404, {}, {"error": f"the sandbox serves no {path}"}
            return platform.api.handle(method, path, query, headers, body, day)

        return answer

    with _extractor_lines_to(settings.data_root / "logs" / "bootstrap.log"):
        return bootstrap_history(
            days,
            in_process_credentials(secrets),
            answer_for_day,
            lambda day: write_crm(world, inbox, day=day),  # stamped as exported just after the day
            progress,
        )
