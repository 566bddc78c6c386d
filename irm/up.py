"""`irm up` (`make up`): the Airflow UI with these DAGs, pointed at a sandbox platform server.

`airflow standalone` runs the scheduler, api-server, dag-processor and triggerer, each started
as `airflow <component>` found on PATH: the venv's bin folder is put first on their PATH, so
it starts from a fresh shell (no venv activated). It serves on 127.0.0.1:<ui port>, and the
address is printed once the api-server answers its health check, not before.

The world stays consistent: the sandbox's clock is its world's last day while the scheduler's
is today's, so a scheduled `irm_extract` would land today's date from a sandbox living in
another month. Every `irm` DAG is therefore paused when `irm up` starts (also one unpaused
before, e.g. by an older demo): nothing lands or is published until an operator runs a day
(`irm run --day D --sandbox`) or unpauses a DAG in the UI. On an empty data root it starts
with no data (`make demo` or `irm bootstrap` land history).

Airflow's own output goes to <data root>/logs/up/airflow.log. Ctrl-C (or SIGTERM) stops
Airflow, every process it started, and the sandbox.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import FrameType

from core.config import Settings, airflow_environment, get_settings
from irm.airflow_cli import AIRFLOW_BIN, prepare, run_airflow, sandbox_connections
from irm.demo import WORLD_START, DemoOptions, running_sandbox

HEALTH_PATH = "/api/v2/monitor/health"
STARTUP_TIMEOUT_S = 240.0  # the api-server answers in about 30 s on a 2-core machine
STOP_GRACE_S = 30.0
ADMIN_USER = "admin"  # standalone's simple auth manager user (`[core] simple_auth_manager_users`)

Progress = Callable[[str], None]


class UpError(RuntimeError):
    pass


@dataclass(frozen=True)
class UpOptions:
    ui_port: int = 8080
    # The sandbox world and its server's port (`world.port`).
    world: DemoOptions = field(default_factory=DemoOptions)


def say(message: str) -> None:
    print(f"[irm up] {message}", flush=True)


def ui_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def up_environment(
    settings: Settings, ui_port: int, connections: Mapping[str, str]
) -> dict[str, str]:
    """What `airflow standalone` and its components run with: the local settings, the
    sandbox's connections, the venv's bin folder first on PATH (standalone starts each
    component as `airflow` from PATH), and the api-server on 127.0.0.1:<ui_port>, which is also
    where task processes reach the execution API."""
    url = ui_url(ui_port)
    return {
        **os.environ,
        **airflow_environment(settings),
        **connections,
        "PATH": os.pathsep.join(filter(None, [str(AIRFLOW_BIN.parent), os.environ.get("PATH")])),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(ui_port),
        "AIRFLOW__API__BASE_URL": url,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
        # Airflow's log file is written as things happen, not when a buffer fills.
        "PYTHONUNBUFFERED": "1",
    }


def check_port_free(port: int, what: str) -> None:
    """Refuse a port something else listens on: its health check would answer for us."""
    with socket.socket() as sock:
        # As the servers bind: a port held only by closed connections (TIME_WAIT) is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            raise UpError(f"port {port} ({what}) is in use: choose another") from None


def pause_dags(settings: Settings, log_dir: Path) -> None:
    """Pause every `irm` DAG the metadata database knows (new ones start paused anyway)."""
    run_airflow(
        ["dags", "pause", "--treat-dag-id-as-regex", "--yes", "^irm_"],
        settings,
        log_file=log_dir / "pause_dags.log",
    )


def wait_until_serving(url: str, proc: subprocess.Popen, log_file: Path) -> None:
    """Poll the api-server's health endpoint until it answers 200."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise UpError(f"airflow standalone exited ({proc.returncode}): see {log_file}")
        try:
            with urllib.request.urlopen(url + HEALTH_PATH, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    raise UpError(
        f"the api-server did not answer on {url} in {STARTUP_TIMEOUT_S:.0f} s: {log_file}"
    )


@contextlib.contextmanager
def stopped_by_signals() -> Iterator[None]:
    """Ctrl-C or SIGTERM raises KeyboardInterrupt once; later ones are ignored, so stopping
    Airflow and the sandbox is not itself interrupted."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def stop_process_group(proc: subprocess.Popen) -> None:
    """Stop standalone and every process it started: SIGTERM to its whole process group (each
    component shuts down on it; a SIGINT left the scheduler hanging at times), then SIGKILL to
    what is left after a grace period."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        if _group_gone(proc, STOP_GRACE_S):
            return


def _group_gone(proc: subprocess.Popen, timeout: float) -> bool:
    """Whether standalone has exited and no live process of its group is left, in `timeout`
    (zombies do not count: where PID 1 does not reap orphans, they stay in the group)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        proc.poll()  # reaps standalone itself
        if not _live_members(proc.pid):
            return True
        time.sleep(0.2)
    return False


def _live_members(pgid: int) -> list[int]:
    import psutil  # Airflow's dependency

    live = []
    for member in psutil.process_iter(["status"]):
        with contextlib.suppress(psutil.Error, OSError):  # it may have exited
            if os.getpgid(member.pid) == pgid and member.info["status"] != psutil.STATUS_ZOMBIE:
                live.append(member.pid)
    return live


def password_file(settings: Settings) -> Path:
    """Where standalone's simple auth manager keeps the generated admin password."""
    return settings.airflow_home / "simple_auth_manager_passwords.json.generated"


def run_up(opts: UpOptions, progress: Progress = say) -> int:
    """Start Airflow and the sandbox, print the address once it answers, run until stopped."""
    settings = get_settings()
    log_dir = settings.data_root / "logs" / "up"
    log_dir.mkdir(parents=True, exist_ok=True)
    check_port_free(opts.ui_port, "the Airflow UI: --ui-port")
    check_port_free(opts.world.port, "the sandbox: --sandbox-port")
    try:
        with stopped_by_signals():
            return _serve(opts, settings, log_dir, progress)
    except KeyboardInterrupt:
        progress("stopped")
        return 0


def _serve(opts: UpOptions, settings: Settings, log_dir: Path, progress: Progress) -> int:
    progress(f"data root: {settings.data_root}; preparing Airflow (metadata database, pools)")
    prepare(settings, log_dir)
    pause_dags(settings, log_dir)
    sandbox_day = WORLD_START + timedelta(days=opts.world.days - 1)
    log_file = log_dir / "airflow.log"
    with (
        running_sandbox(opts.world, settings, sandbox_day) as sandbox_url,
        open(log_file, "w") as log,
    ):
        connections = sandbox_connections(sandbox_url, opts.world.secrets)
        progress(f"starting Airflow (scheduler, api-server, dag-processor, triggerer): {log_file}")
        # A process group of its own: stopping it stops every process Airflow started.
        proc = subprocess.Popen(
            [str(AIRFLOW_BIN), "standalone"],
            env=up_environment(settings, opts.ui_port, connections),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_serving(ui_url(opts.ui_port), proc, log_file)
            _banner(progress, settings, opts, sandbox_url, sandbox_day)
            return proc.wait()
        finally:
            progress("stopping Airflow and the sandbox")
            stop_process_group(proc)


def _banner(
    progress: Progress, settings: Settings, opts: UpOptions, sandbox_url: str, day: date
) -> None:
    progress(f"Airflow UI: {ui_url(opts.ui_port)}")
    progress(f"  log in as {ADMIN_USER}, password in {password_file(settings)}")
    progress(f"  sandbox platform: {sandbox_url}, its clock at {day} (its world's last day)")
    progress(
        "  the irm DAGs are paused: the scheduler would run today's interval, which the "
        f"sandbox's world does not have. Run a data day in another shell: `irm run --day {day} "
        "--sandbox` (its runs show in this UI)"
    )
    progress("Ctrl-C stops Airflow and the sandbox")
