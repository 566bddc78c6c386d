"""The sandbox as an HTTP server: the platform APIs under their real paths, plus a clock.

    /youtube/v3/{channels,playlistItems,videos}   YouTube Data API v3, as of the clock's day
    GET  /_sandbox/health                         {"status": "ok", "pid", "day", world summary}
    GET  /_sandbox/clock                          {"day": "YYYY-MM-DD"}
    POST /_sandbox/clock  {"day": "YYYY-MM-DD"}    moves the clock (within the world's days)
    GET  /_sandbox/usage                          quota units and calls per simulated day

The clock starts on the world's last day unless told otherwise: the present, with its history.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.world import DEFAULT_START_DATE, World
from sandbox.youtube_api import API_PREFIX, DEFAULT_API_KEY, DEFAULT_DAILY_QUOTA, YouTubeApi

log = logging.getLogger(__name__)

DEFAULT_PORT = 8765
_JSON = {"Content-Type": "application/json; charset=UTF-8"}
_SECRET_PARAMS = re.compile(r"((?:key|access_token|client_secret)=)[^&\s]+")


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True  # a hung client never blocks shutdown
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        world: World,
        api_key: str = DEFAULT_API_KEY,
        daily_quota: int = DEFAULT_DAILY_QUOTA,
        day: date | None = None,
    ) -> None:
        self.world = world
        self.youtube = YouTubeApi(world, api_key, daily_quota)
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

    def control(self, method: str, path: str, body: bytes | None) -> tuple[int, dict[str, Any]]:
        """The /_sandbox/ endpoints."""
        route = (method, path.rstrip("/"))
        if route == ("GET", "/_sandbox/health"):
            return 200, {
                "status": "ok",
                "pid": os.getpid(),
                "day": self.day.isoformat(),
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
            return 200, {"youtube": self.youtube.usage()}
        return 404, {"error": f"no such sandbox endpoint: {method} {path}"}


class _Handler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"  # keep-alive, as clients pool connections
    server_version = "irm-sandbox/0.1"

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
        headers: dict[str, str] = dict(_JSON)
        try:
            if url.path.startswith(API_PREFIX):
                status, headers, payload = self.server.youtube.handle(
                    method, url.path, query, dict(self.headers.items()), body, self.server.day
                )
            elif url.path.startswith("/_sandbox/"):
                status, payload = self.server.control(method, url.path, body)
            else:
                status, payload = 404, {"error": {"code": 404, "message": "Not Found"}}
        except Exception:  # a sandbox bug must still answer, as a platform's 500 would
            log.exception("sandbox failed on %s %s", method, url.path)
            status, payload = 500, {"error": {"code": 500, "message": "Backend Error"}}
        self._send(status, headers, payload)

    def _send(self, status: int, headers: dict[str, str], payload: Any) -> None:
        # Google escapes < and > inside JSON strings (\u003c); harmless for any JSON parser.
        text = (
            json.dumps(payload, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
        )
        data = text.encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        # Request lines carry the API key as ?key=...; never let it reach a log.
        log.debug("%s %s", self.address_string(), _SECRET_PARAMS.sub(r"\1***", format % args))


def make_server(
    world: World,
    port: int = 0,
    host: str = "127.0.0.1",
    day: date | None = None,
    api_key: str = DEFAULT_API_KEY,
    daily_quota: int = DEFAULT_DAILY_QUOTA,
) -> SandboxServer:
    """A bound server (port 0 picks a free one); run it with serve_forever() or start_thread()."""
    return SandboxServer((host, port), world, api_key, daily_quota, day)


def start_thread(server: SandboxServer) -> threading.Thread:
    """Serve in a daemon thread; stop with server.shutdown(); server.server_close()."""
    thread = threading.Thread(
        target=server.serve_forever, args=(0.1,), name="sandbox-server", daemon=True
    )
    thread.start()
    return thread


def serve(
    seed: int,
    accounts: int,
    days: int,
    port: int = DEFAULT_PORT,
    host: str = "127.0.0.1",
    day: date | None = None,
    api_key: str = DEFAULT_API_KEY,
    background: bool = False,
    pid_file: str | Path | None = None,
    start_date: date = DEFAULT_START_DATE,
    daily_quota: int = DEFAULT_DAILY_QUOTA,
) -> int | None:
    """Serve a world. In the foreground: block until SIGTERM or Ctrl-C, return None.
    With background=True: start `python -m sandbox serve ...` in its own session, wait until it
    answers its health check, and return its pid (written to `pid_file`, default
    <tmp>/irm-sandbox-<port>.pid; its output goes next to it as .log)."""
    if background:
        pid_path = Path(pid_file) if pid_file else default_pid_file(port)
        args = [
            *("--seed", str(seed), "--accounts", str(accounts), "--days", str(days)),
            *("--start-date", start_date.isoformat(), "--port", str(port), "--host", host),
            *("--api-key", api_key, "--daily-quota", str(daily_quota)),
            *(("--day", day.isoformat()) if day else ()),
        ]
        return _spawn(args, pid_path, host, port)

    world = World(seed, accounts, days, start_date)
    server = make_server(world, port, host, day, api_key, daily_quota)
    pid_path = Path(pid_file) if pid_file else None
    if pid_path:
        _write_atomic(pid_path, f"{os.getpid()}\n")

    def _terminate(signum: int, frame: object) -> None:
        raise SystemExit(0)  # unwinds serve_forever so the finally block cleans up

    signal.signal(signal.SIGTERM, _terminate)
    log.info("sandbox serving %s at %s (day %s)", world.summary(), server.base_url, server.day)
    print(
        f"sandbox: {server.base_url} seed={seed} accounts={accounts} days={days} day={server.day}",
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
