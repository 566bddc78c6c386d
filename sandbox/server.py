"""The sandbox as an HTTP server: the platform APIs under their real paths, plus a clock.

    /youtube/v3/...                 YouTube Data API v3, search.list included (youtube_api.py)
    /instagram/v25.0/...            Instagram Graph API business_discovery and hashtag search
                                    (instagram_api.py)
    /tiktok/v2/...                  TikTok Research API and its OAuth token (tiktok_api.py)
    /shop/admin/api/2025-01/...     Shopify Admin REST orders (shop_api.py)
    GET  /_sandbox/health           {"status": "ok", "pid", "day", "platforms", "faults", world}
    GET  /_sandbox/clock            {"day": "YYYY-MM-DD"}
    POST /_sandbox/clock  {"day": "YYYY-MM-DD"}    moves the clock (within the world's days)
    GET  /_sandbox/usage            each platform's calls and quota units per simulated day
    GET  /_sandbox/faults           the fault configuration and, per platform and fault kind,
                                    requests seen and faults injected (sandbox/faults.py)
    POST /_sandbox/faults {"faults": "rate=0.1,..."}   a new configuration; counters start over

The clock's day D means the platforms answer as they were when D had just ended: the day's
posts, metrics and orders are all there, and every `Date` header says D+1 00:05:00 UTC, a
moment inside the window in which a client may extract the data interval [D, D+1) (after its
end, within the allowed lag). A client reads the `Date` to know which day an answer describes.
The clock starts on the world's last day unless told otherwise: the present, with its history.
Faults apply to the platform paths only.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit

from sandbox import instagram_api, shop_api, tiktok_api, youtube_api
from sandbox.clock import answer_time
from sandbox.faults import FaultConfig, FaultInjector, FaultRequest, truncate_body
from sandbox.instagram_api import InstagramApi
from sandbox.platform_api import PlatformApi
from sandbox.shop_api import ShopApi
from sandbox.tiktok_api import TikTokApi
from sandbox.world import DEFAULT_START_DATE, World
from sandbox.youtube_api import (
    DEFAULT_API_KEY,
    DEFAULT_DAILY_QUOTA,
    DEFAULT_DAILY_SEARCH_CALLS,
    YouTubeApi,
)

log = logging.getLogger(__name__)

DEFAULT_PORT = 8765
_JSON = {"Content-Type": "application/json; charset=UTF-8"}
# The pipeline's extractors send credentials in headers (X-Goog-Api-Key, Authorization: Bearer,
# X-Shopify-Access-Token), but YouTube and Instagram also accept them in the query string
# (?key=, ?access_token=), as the sandbox does, so another client's request line may carry one;
# were headers or bodies ever logged, their tokens and secrets would be caught here too.
_SECRETS = re.compile(
    r"((?:key|access_token|client_secret)=|"
    r"(?:X-Shopify-Access-Token|X-Goog-Api-Key|Authorization)\s*:\s*(?:Bearer\s+)?)"
    r"[^&\s'\"]+",
    re.IGNORECASE,
)


def scrub_secrets(text: str) -> str:
    return _SECRETS.sub(r"\1***", text)


class Platform(NamedTuple):
    name: str
    prefix: str
    api: PlatformApi


class Setting(NamedTuple):
    field: str
    flag: str
    kind: type
    help: str


@dataclass(frozen=True)
class PlatformSettings:
    """The credentials each platform accepts and its quotas (defaults: the platform modules')."""

    youtube_api_key: str = DEFAULT_API_KEY
    youtube_daily_quota: int = DEFAULT_DAILY_QUOTA
    youtube_daily_search_calls: int = DEFAULT_DAILY_SEARCH_CALLS
    instagram_access_token: str = instagram_api.DEFAULT_ACCESS_TOKEN
    instagram_app_calls_per_day: int = instagram_api.APP_CALLS_PER_DAY
    instagram_buc_calls_per_day: int = instagram_api.BUC_CALLS_PER_DAY
    tiktok_client_key: str = tiktok_api.DEFAULT_CLIENT_KEY
    tiktok_client_secret: str = tiktok_api.DEFAULT_CLIENT_SECRET
    tiktok_daily_quota: int = tiktok_api.DEFAULT_DAILY_REQUEST_QUOTA
    shop_access_token: str = shop_api.DEFAULT_ACCESS_TOKEN

    def cli_args(self) -> list[str]:
        """The `serve` options that give a child process these settings."""
        return [arg for s in SETTINGS for arg in (s.flag, str(getattr(self, s.field)))]


# The `serve` command-line option of each setting (sandbox/cli.py builds its parser from these).
SETTINGS = (
    Setting("youtube_api_key", "--api-key", str, "YouTube API key the server accepts"),
    Setting("youtube_daily_quota", "--daily-quota", int, "YouTube quota units per key and day"),
    Setting(
        "youtube_daily_search_calls", "--search-calls", int,
        "YouTube search.list calls per key and day (their own bucket)",
    ),
    Setting("instagram_access_token", "--instagram-token", str, "Instagram access token"),
    Setting(
        "instagram_app_calls_per_day", "--instagram-app-calls", int,
        "Instagram app calls a day (X-App-Usage shows the share used)",
    ),
    Setting(
        "instagram_buc_calls_per_day", "--instagram-buc-calls", int,
        "Instagram calls a day per IG account (X-Business-Use-Case-Usage shows the share used)",
    ),
    Setting("tiktok_client_key", "--tiktok-client-key", str, "TikTok client key"),
    Setting("tiktok_client_secret", "--tiktok-client-secret", str, "TikTok client secret"),
    Setting(
        "tiktok_daily_quota", "--tiktok-daily-quota", int, "TikTok Research API requests a day"
    ),
    Setting("shop_access_token", "--shop-token", str, "Shopify Admin API access token"),
)  # fmt: skip


def build_platforms(world: World, settings: PlatformSettings) -> list[Platform]:
    """Every platform API the sandbox serves, bound to the world and the settings."""
    youtube = YouTubeApi(
        world,
        settings.youtube_api_key,
        settings.youtube_daily_quota,
        settings.youtube_daily_search_calls,
    )
    instagram = InstagramApi(
        world,
        settings.instagram_access_token,
        app_calls_per_day=settings.instagram_app_calls_per_day,
        buc_calls_per_day=settings.instagram_buc_calls_per_day,
    )
    tiktok = TikTokApi(
        world,
        settings.tiktok_client_key,
        settings.tiktok_client_secret,
        settings.tiktok_daily_quota,
    )
    return [
        Platform("youtube", youtube_api.API_PREFIX, youtube),
        Platform("instagram", instagram_api.API_PREFIX, instagram),
        Platform("tiktok", tiktok_api.API_PREFIX, tiktok),
        Platform("shop", shop_api.API_PREFIX, ShopApi(world, settings.shop_access_token)),
    ]


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True  # a hung client never blocks shutdown
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        world: World,
        settings: PlatformSettings | None = None,
        day: date | None = None,
        faults: FaultConfig | None = None,
    ) -> None:
        self.world = world
        self.platforms = build_platforms(world, settings or PlatformSettings())
        self.faults = FaultInjector(faults)
        self._closing = threading.Event()  # wakes requests held by slow and timeout faults
        self._day = world.end_date
        self._clock_lock = threading.Lock()
        if day is not None:
            self.set_day(day)
        super().__init__(address, _Handler)

    @property
    def day(self) -> date:
        with self._clock_lock:
            return self._day

    def set_day(self, day: date) -> None:
        self.world.day_index(day)  # raises ValueError outside the world
        with self._clock_lock:
            self._day = day

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.server_address[0]}:{self.port}"

    def platform_for(self, path: str) -> Platform | None:
        return next((p for p in self.platforms if path.startswith(p.prefix)), None)

    def hold(self, seconds: float) -> None:
        """Wait `seconds`, or less when the server closes."""
        if seconds > 0:
            self._closing.wait(seconds)

    def server_close(self) -> None:
        self._closing.set()
        super().server_close()

    def control(self, method: str, path: str, body: bytes | None) -> tuple[int, dict[str, Any]]:
        """The /_sandbox/ endpoints."""
        route = (method, path.rstrip("/"))
        if route == ("GET", "/_sandbox/health"):
            return 200, {
                "status": "ok",
                "pid": os.getpid(),
                "day": self.day.isoformat(),
                "platforms": [p.name for p in self.platforms],
                "faults": str(self.faults.config),
                **self.world.summary(),
            }
        if route == ("GET", "/_sandbox/clock"):
            return 200, {"day": self.day.isoformat()}
        if route == ("POST", "/_sandbox/clock"):
            try:
                self.set_day(date.fromisoformat(json.loads(body or b"{}")["day"]))
            except (ValueError, KeyError, TypeError) as exc:
                return 400, {"error": f'expected {{"day": "YYYY-MM-DD"}} within the world: {exc}'}
            log.info("sandbox clock set to %s", self.day)
            return 200, {"day": self.day.isoformat()}
        if route == ("GET", "/_sandbox/usage"):
            return 200, {p.name: p.api.usage() for p in self.platforms}
        if route == ("GET", "/_sandbox/faults"):
            return 200, self.faults.stats()
        if route == ("POST", "/_sandbox/faults"):
            try:
                config = FaultConfig.parse(json.loads(body or b"{}")["faults"])
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                return 400, {"error": f'expected {{"faults": "rate=0.1,..."}}: {exc}'}
            self.faults.reconfigure(config)
            log.info("sandbox faults set to %r", str(config))
            return 200, self.faults.stats()
        return 404, {"error": f"no such sandbox endpoint: {method} {path}"}


class _Handler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"  # keep-alive, as clients pool connections
    server_version = "irm-sandbox/0.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in two writes; without this, Nagle's algorithm meeting the
        # client's delayed ACK holds every answer back ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The `Date` header: just after the clock's day ended, when its answers are given."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        return format_datetime(answer_time(self.server.day), usegmt=True)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        platform = self.server.platform_for(url.path)
        try:
            if platform is not None:
                self._answer_platform(platform, method, url.path, query, body)
                return
            if url.path.startswith("/_sandbox/"):
                status, payload = self.server.control(method, url.path, body)
            else:
                status, payload = 404, {"error": {"code": 404, "message": "Not Found"}}
        except Exception:  # a sandbox bug must still answer, as a platform's 500 would
            log.exception("sandbox failed on %s %s", method, url.path)
            status, payload = 500, {"error": {"code": 500, "message": "Backend Error"}}
        self._send(status, dict(_JSON), payload)

    def _answer_platform(
        self,
        platform: Platform,
        method: str,
        path: str,
        query: dict[str, str],
        body: bytes | None,
    ) -> None:
        headers = dict(self.headers.items())
        day = self.server.day
        request = FaultRequest(platform.name, self.client_address[0], method, path, query, body)
        outcome = self.server.faults.apply(
            request, lambda: platform.api.handle(method, path, query, headers, body, day)
        )
        self.server.hold(outcome.delay)
        if outcome.response is None:  # a timeout fault: no answer, the connection just ends
            self.close_connection = True
            return
        status, response_headers, payload = outcome.response
        self._send(status, response_headers, payload, truncate=outcome.truncate)

    def _send(
        self, status: int, headers: dict[str, str], payload: Any, truncate: bool = False
    ) -> None:
        # Google escapes < and > inside JSON strings (\u003c); harmless for any JSON parser.
        text = (
            json.dumps(payload, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
        )
        data = text.encode()
        if truncate:
            data = truncate_body(data)
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(data))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        # A request line may carry a credential (?key=..., ?access_token=...): never log one.
        log.debug("%s %s", self.address_string(), scrub_secrets(format % args))


def _settings_with(
    settings: PlatformSettings | None, api_key: str | None, daily_quota: int | None
) -> PlatformSettings:
    """`settings`, with the YouTube key and quota given on their own (the older arguments)."""
    settings = settings or PlatformSettings()
    if api_key is not None:
        settings = replace(settings, youtube_api_key=api_key)
    if daily_quota is not None:
        settings = replace(settings, youtube_daily_quota=daily_quota)
    return settings


def _fault_config(faults: FaultConfig | str | None) -> FaultConfig:
    return faults if isinstance(faults, FaultConfig) else FaultConfig.parse(faults)


def make_server(
    world: World,
    port: int = 0,
    host: str = "127.0.0.1",
    day: date | None = None,
    api_key: str | None = None,
    daily_quota: int | None = None,
    *,
    settings: PlatformSettings | None = None,
    faults: FaultConfig | str | None = None,
) -> SandboxServer:
    """A bound server (port 0 picks a free one); run it with serve_forever() or start_thread().
    `api_key` and `daily_quota` are YouTube's, overriding `settings`; `faults` is a FaultConfig
    or a fault string (sandbox/faults.py)."""
    return SandboxServer(
        (host, port), world, _settings_with(settings, api_key, daily_quota), day,
        _fault_config(faults),
    )  # fmt: skip


def start_thread(server: SandboxServer) -> threading.Thread:
    """Serve in a daemon thread; stop with server.shutdown(); server.server_close()."""
    thread = threading.Thread(
        target=server.serve_forever, args=(0.1,), name="sandbox-server", daemon=True
    )
    thread.start()
    return thread


@contextmanager
def running(server: SandboxServer) -> Iterator[SandboxServer]:
    """Serve in a daemon thread for the duration of the block; then stop and free the port."""
    thread = start_thread(server)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def serve(
    seed: int,
    accounts: int,
    days: int,
    port: int = DEFAULT_PORT,
    host: str = "127.0.0.1",
    day: date | None = None,
    api_key: str | None = None,
    background: bool = False,
    pid_file: str | Path | None = None,
    start_date: date = DEFAULT_START_DATE,
    daily_quota: int | None = None,
    *,
    settings: PlatformSettings | None = None,
    faults: FaultConfig | str | None = None,
) -> int | None:
    """Serve a world. In the foreground: block until SIGTERM or Ctrl-C, return None.
    With background=True: start `python -m sandbox serve ...` in its own session, wait until it
    answers its health check, and return its pid (written to `pid_file`, default
    <tmp>/irm-sandbox-<port>.pid; its output goes next to it as .log)."""
    settings = _settings_with(settings, api_key, daily_quota)
    fault_config = _fault_config(faults)  # a bad fault string fails here, not in the child
    if background:
        pid_path = Path(pid_file) if pid_file else default_pid_file(port)
        args = [
            *("--seed", str(seed), "--accounts", str(accounts), "--days", str(days)),
            *("--start-date", start_date.isoformat(), "--port", str(port), "--host", host),
            *settings.cli_args(),
            *(("--faults", str(fault_config)) if fault_config.active else ()),
            *(("--day", day.isoformat()) if day else ()),
        ]
        return _spawn(args, pid_path, host, port)

    world = World(seed, accounts, days, start_date)
    server = SandboxServer((host, port), world, settings, day, fault_config)
    pid_path = Path(pid_file) if pid_file else None
    if pid_path:
        _write_atomic(pid_path, f"{os.getpid()}\n")

    def _terminate(signum: int, frame: object) -> None:
        raise SystemExit(0)  # unwinds serve_forever so the finally block cleans up

    signal.signal(signal.SIGTERM, _terminate)
    log.info("sandbox serving %s at %s (day %s)", world.summary(), server.base_url, server.day)
    served = ",".join(p.name for p in server.platforms)
    print(
        f"sandbox: {server.base_url} seed={seed} accounts={accounts} days={days} day={server.day}"
        f" platforms={served} faults={str(fault_config) or 'none'}",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if pid_path and _read_pid(pid_path) == os.getpid():
            pid_path.unlink(missing_ok=True)
    return None


def default_pid_file(port: int) -> Path:
    return Path(os.environ.get("TMPDIR", "/tmp")) / f"irm-sandbox-{port}.pid"


def _spawn(args: list[str], pid_path: Path, host: str, port: int, timeout: float = 60.0) -> int:
    pid_path.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    # The child must import this very package, installed or not.
    package_root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    log_path = pid_path.with_suffix(".log")
    command = [sys.executable, "-m", "sandbox", "serve", *args, "--pid-file", str(pid_path)]
    with open(log_path, "ab") as log_out:
        child = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log_out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # survives the shell that started it
            env=env,
        )
    probe_host = "127.0.0.1" if host in ("", "0.0.0.0") else host
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(
                f"sandbox server exited with code {child.returncode}; see {log_path}"
            )
        health = fetch_json(f"http://{probe_host}:{port}/_sandbox/health", timeout=1.0)
        if health and health.get("pid") == child.pid:  # not some other server on the port
            return child.pid
        time.sleep(0.1)
    child.terminate()
    raise RuntimeError(
        f"sandbox server did not answer on port {port} in {timeout:.0f}s; see {log_path}"
    )


def stop(pid_file: str | Path, timeout: float = 10.0) -> bool:
    """Stop the server whose pid is in `pid_file` (SIGTERM, then SIGKILL after `timeout`).
    Returns False when there was nothing to stop; a stale pid file is removed."""
    path = Path(pid_file)
    pid = _read_pid(path)
    if pid is None or not _is_sandbox(pid):
        path.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    if not _wait_gone(pid, timeout):
        os.kill(pid, signal.SIGKILL)
        _wait_gone(pid, 5.0)
    path.unlink(missing_ok=True)
    return True


def fetch_json(url: str, body: dict[str, Any] | None = None, timeout: float = 5.0) -> Any:
    """GET (or POST `body`) a sandbox control endpoint; None when nothing answers."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="GET" if body is None else "POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read() or b"null")
    except (OSError, ValueError):
        return None


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _alive(pid: int) -> bool:
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)  # our own child: reap it, or it stays a zombie
        if reaped == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())


def _is_sandbox(pid: int) -> bool:
    """Guard against a recycled pid: the process must be a sandbox server."""
    if not _alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    return b"sandbox" in cmdline.read_bytes() if cmdline.exists() else True


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return not _alive(pid)
