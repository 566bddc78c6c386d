"""`irm demo`: a small synthetic world run end to end through Airflow, with progress shown.

Steps: bootstrap the world's history (60 days by default: the extractors replay the sandbox's
past days in-process, as a new installation would, since an API cannot be asked for the past);
start the sandbox API server; prepare Airflow (metadata database, pools); then for each live day
set the sandbox's clock, drop that day's CRM export in the inbox and run `irm_extract` and
`irm_transform` through `airflow dags test` (the first transform loads the history too);
finally run `irm_exports` and print where the results are. Running it again without cleaning
gives the same marts: landing partitions are immutable and loads replace whole partitions.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from irm.airflow_cli import (
    AIRFLOW_BIN,
    PlatformSecrets,
    prepare,
    run_airflow,
    sandbox_connections,
)
from irm.config import Settings, get_settings

# The sandbox's default credentials (sandbox/*_api.py); the demo passes them explicitly.
SANDBOX_SECRETS = PlatformSecrets(
    youtube_key="sandbox-youtube-key",
    instagram_token="sandbox-instagram-token",
    instagram_user_id="17841400000000000",
    tiktok_client_key="sandbox-tiktok-key",
    tiktok_client_secret="sandbox-tiktok-secret",
    shop_token="sandbox-shop-token",
)
WORLD_START = date(2026, 1, 1)


@dataclass(frozen=True)
class DemoOptions:
    seed: int = 7
    accounts: int = 40
    history_days: int = 60  # bootstrapped in-process (an API cannot be asked for the past)
    live_days: int = 2  # then run day by day through Airflow against the sandbox server
    port: int = 8765
    secrets: PlatformSecrets = SANDBOX_SECRETS

    @property
    def days(self) -> int:
        """The world's length: the history, then the live days."""
        return self.history_days + self.live_days


@dataclass(frozen=True)
class DemoResult:
    warehouse: Path
    published: Path
    export_dir: Path
    data_docs: Path
    last_day: date


def say(message: str) -> None:
    print(f"[irm demo] {message}", flush=True)


@contextmanager
def step(title: str) -> Iterator[None]:
    started = time.monotonic()
    say(f"{title} ...")
    yield
    say(f"{title}: done in {time.monotonic() - started:.1f} s")


def sandbox_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "sandbox", *args]


def sandbox_secret_args(secrets: PlatformSecrets) -> list[str]:
    """The `serve` options that make the sandbox accept exactly these credentials."""
    return [
        *("--api-key", secrets.youtube_key, "--instagram-token", secrets.instagram_token),
        *("--tiktok-client-key", secrets.tiktok_client_key),
        *("--tiktok-client-secret", secrets.tiktok_client_secret),
        *("--shop-token", secrets.shop_token),
    ]


def world_args(opts: DemoOptions) -> list[str]:
    return ["--seed", str(opts.seed), "--accounts", str(opts.accounts), "--days", str(opts.days)]


@contextmanager
def running_sandbox(opts: DemoOptions, settings: Settings, first_day: date) -> Iterator[str]:
    """The sandbox API server in the background for the duration of the block."""
    pid_file = settings.data_root / "sandbox" / "sandbox.pid"
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    serve = sandbox_command(
        "serve", *world_args(opts), "--port", str(opts.port), "--day", first_day.isoformat(),
        *sandbox_secret_args(opts.secrets), "--pid-file", str(pid_file), "--background",
    )  # fmt: skip
    subprocess.run(serve, check=True)
    try:
        yield f"http://127.0.0.1:{opts.port}"
    finally:
        subprocess.run(sandbox_command("stop", "--pid-file", str(pid_file)), check=False)


def set_clock(opts: DemoOptions, day: date) -> None:
    subprocess.run(
        sandbox_command("clock", "--port", str(opts.port), "--day", day.isoformat()), check=True
    )


def run_day(settings: Settings, env: dict[str, str], day: date, log_dir: Path) -> None:
    """One data interval through Airflow. `dags test <D+1>` runs the interval [D, D+1)."""
    run_after = (day + timedelta(days=1)).isoformat()
    for dag_id in ("irm_extract", "irm_transform"):
        log = log_dir / f"{day.isoformat()}_{dag_id}.log"
        run_airflow(["dags", "test", dag_id, run_after], settings, env, log_file=log)


def run_demo(opts: DemoOptions, progress: Callable[[str], None] = say) -> DemoResult:
    from irm.bootstrap import bootstrap_from_sandbox, day_range

    settings = get_settings()
    log_dir = settings.data_root / "logs" / "demo"
    last_day = WORLD_START + timedelta(days=opts.days - 1)
    live_days = [last_day - timedelta(days=n) for n in reversed(range(opts.live_days))]
    progress(f"data root: {settings.data_root}")

    history = day_range(WORLD_START, live_days[0] - timedelta(days=1))
    with step(
        f"Bootstrapping {len(history)} days of history of a {opts.accounts}-account world "
        "(the extractors replay the sandbox's past in-process)"
    ):
        bootstrap_from_sandbox(
            opts.seed, opts.accounts, opts.days, history, opts.secrets, _every_tenth(progress)
        )
    with step("Preparing Airflow (metadata database, pools)"):
        prepare(settings, log_dir)
    with running_sandbox(opts, settings, live_days[0]) as base_url:
        env = sandbox_connections(base_url, opts.secrets)
        for n, day in enumerate(live_days, start=1):
            with step(f"Live day {n}/{len(live_days)} {day}: irm_extract and irm_transform"):
                set_clock(opts, day)
                write_crm(opts, settings, day)
                run_day(settings, env, day, log_dir)
    with step("Weekly export (irm_exports)"):
        run_airflow(
            ["dags", "test", "irm_exports", last_day.isoformat()],
            settings,
            log_file=log_dir / "irm_exports.log",
        )
    return DemoResult(
        warehouse=settings.warehouse_path,
        published=settings.published_path,
        export_dir=settings.export_dir_for(last_day.isoformat()),
        data_docs=settings.data_docs_dir / "index.html",
        last_day=last_day,
    )


def _every_tenth(progress: Callable[[str], None]) -> Callable[[str], None]:
    """Progress for a long loop without a line per day."""
    count = 0

    def report(message: str) -> None:
        nonlocal count
        count += 1
        if count % 10 == 0:
            progress(message)

    return report


def write_crm(opts: DemoOptions, settings: Settings, day: date) -> None:
    """The brand's team drops that day's CRM export into the inbox."""
    subprocess.run(
        sandbox_command(
            "write-crm",
            *world_args(opts),
            "--day",
            day.isoformat(),
            "--inbox",
            str(settings.crm_inbox),
        ),  # fmt: skip
        check=True,
    )


def print_result(result: DemoResult) -> None:
    say("finished. Results:")
    for label, path in (
        ("warehouse (DuckDB)", result.warehouse),
        ("BI copy (read-only DuckDB)", result.published),
        ("weekly export", result.export_dir),
        ("Data Docs", result.data_docs),
    ):
        print(f"  {label:28} {path}", flush=True)


def run_up(opts: DemoOptions) -> int:
    """`make up`: the Airflow UI on localhost:8080 with these DAGs, pointed at a sandbox server.

    Runs `airflow standalone` in the foreground; Ctrl-C stops Airflow and the sandbox.
    """
    import os

    from irm.config import airflow_environment

    settings = get_settings()
    log_dir = settings.data_root / "logs" / "up"
    prepare(settings, log_dir)
    last_day = WORLD_START + timedelta(days=opts.days - 1)
    with running_sandbox(opts, settings, last_day) as base_url:
        env = {
            **os.environ,
            **airflow_environment(settings),
            **sandbox_connections(base_url, opts.secrets),
        }
        say(
            "Airflow UI: http://localhost:8080 (admin password in "
            f"{settings.airflow_home / 'simple_auth_manager_passwords.json.generated'})"
        )
        # A process group of its own, so stopping it stops every Airflow child process.
        proc = subprocess.Popen([str(AIRFLOW_BIN), "standalone"], env=env, start_new_session=True)
        try:
            return proc.wait()
        except KeyboardInterrupt:
            os.killpg(proc.pid, 15)
            return proc.wait()
