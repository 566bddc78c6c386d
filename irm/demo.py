"""`irm demo`: a small synthetic world run end to end through Airflow, with progress shown.

Steps: bootstrap the world's history (60 days by default: the extractors replay the sandbox's
past days in-process, as a new installation would, since an API cannot be asked for the past);
start the sandbox API server; prepare Airflow (metadata database, pools); then for each live day
set the sandbox's clock, drop that day's CRM export in the inbox and run `irm_extract` and
`irm_transform` through `airflow dags test` (the first transform loads the history too), and
after the last day's transform `irm_exports`, each day's runs in one Airflow process
(irm.dag_runs); finally print where the results are. Running it again without cleaning
gives the same marts: landing partitions are immutable and loads replace whole partitions.

Progress: one line per bootstrapped day, one per finished Airflow task (each run's whole output
goes to <data root>/logs/demo/ as it comes: `irm.run_day`).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from core.config import Settings, get_settings
from irm.airflow_cli import PlatformSecrets, prepare, sandbox_connections
from irm.bootstrap import bootstrap_from_sandbox, day_range
from irm.run_day import DATA_DAY_DAGS, DagTest
from irm.run_day import run_data_day as run_day

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


def run_sandbox_command(*args: str, check: bool = True) -> None:
    """`python -m sandbox <args>`, quietly (the caller reports what it did); a failure raises
    with the command's own error."""
    done = subprocess.run(sandbox_command(*args), capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"sandbox {args[0]} failed: {(done.stderr or done.stdout)[-2000:]}")


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
    """The sandbox API server in the background for the duration of the block. One pid file
    per port: `irm run --sandbox` may serve a second one while `irm up` serves its own."""
    pid_file = settings.data_root / "sandbox" / f"sandbox-{opts.port}.pid"
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    run_sandbox_command(
        "serve", *world_args(opts), "--port", str(opts.port), "--day", first_day.isoformat(),
        *sandbox_secret_args(opts.secrets), "--pid-file", str(pid_file), "--background",
    )  # fmt: skip
    try:
        yield f"http://127.0.0.1:{opts.port}"
    finally:
        run_sandbox_command("stop", "--pid-file", str(pid_file), check=False)


def set_clock(opts: DemoOptions, day: date) -> None:
    run_sandbox_command("clock", "--port", str(opts.port), "--day", day.isoformat())


def sandbox_day(opts: DemoOptions, settings: Settings, day: date) -> None:
    """Make it `day` in the sandbox world: its clock, and that day's CRM export in the inbox."""
    set_clock(opts, day)
    write_crm(opts, settings, day)


def run_day_in_sandbox(
    opts: DemoOptions,
    settings: Settings,
    day: date,
    log_dir: Path,
    progress: Callable[[str], None] = say,
    dag_ids: Sequence[str] = DATA_DAY_DAGS,
) -> None:
    """`irm run --day D --sandbox`: one data day against the world's sandbox server, started
    for it with its clock at `day`, and that day's CRM export dropped in the inbox."""
    with running_sandbox(opts, settings, day) as base_url:
        progress(f"sandbox {base_url}: its clock at {day}, that day's CRM export in the inbox")
        sandbox_day(opts, settings, day)
        env = sandbox_connections(base_url, opts.secrets)
        run_day(settings, env, day, log_dir, progress, dag_ids)


def run_demo(opts: DemoOptions, progress: Callable[[str], None] = say) -> DemoResult:
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
        bootstrap_from_sandbox(opts.seed, opts.accounts, opts.days, history, opts.secrets, progress)
    with step("Preparing Airflow (metadata database, pools)"):
        prepare(settings, log_dir)
    with running_sandbox(opts, settings, live_days[0]) as base_url:
        env = sandbox_connections(base_url, opts.secrets)
        for n, day in enumerate(live_days, start=1):
            # The weekly export runs after the last day's transform, in the same Airflow
            # process (irm.dag_runs: Airflow's start-up is paid once per day).
            export = [weekly_export(last_day, log_dir)] if day == last_day else []
            title = "irm_extract and irm_transform" + (", then irm_exports" if export else "")
            with step(f"Live day {n}/{len(live_days)} {day}: {title}"):
                sandbox_day(opts, settings, day)
                run_day(settings, env, day, log_dir, progress, then=export)
    return DemoResult(
        warehouse=settings.warehouse_path,
        published=settings.published_path,
        export_dir=settings.export_dir_for(last_day.isoformat()),
        data_docs=settings.data_docs_dir / "index.html",
        last_day=last_day,
    )


def weekly_export(day: date, log_dir: Path) -> DagTest:
    return DagTest("irm_exports", day, log_dir / "irm_exports.log", "the weekly export")


def write_crm(opts: DemoOptions, settings: Settings, day: date) -> None:
    """The brand's team drops that day's CRM export into the inbox."""
    run_sandbox_command(
        "write-crm", *world_args(opts), "--day", day.isoformat(), "--inbox", str(settings.crm_inbox)
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
