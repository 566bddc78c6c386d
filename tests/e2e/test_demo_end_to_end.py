"""The thin slice end to end, through Airflow: sandbox API → landing → raw → dbt → GX → BI copy
→ export; the marts are checked against the sandbox world's ground truth.

Recovery: the demo's live interval is then transformed again after a run of it was killed
(SIGKILL, see crash_hook/sitecustomize.py) inside dbt (after an incremental model's DELETE, before
its INSERT), as a retry of the killed task would run dbt again; it must give the clean run's
marts. Then, on a new warehouse file, the load task's own function, in a process of its own as
Airflow runs a task, is killed inside the load (after the second raw partition is committed) and
runs again, as the retried task would: it must leave the clean run's raw tables and load ledger,
from which dbt builds the marts (the clean run shows what it makes of them; a second full
transform here took two minutes of the suite, and a whole `airflow dags test` only to die in its
load about 15 s).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from core.config import get_settings
from irm.airflow_cli import (
    AirflowCommandError,
    run_airflow,
)
from tests.airflow_logs import assert_only_actionable_warnings, every_dbt_test_line
from tests.checksums import mart_checksums, raw_checksums

# Known secret values, unlike the sandbox's defaults: the test searches every file for them.
from tests.extractors.sandbox_wire import SECRETS

pytestmark = pytest.mark.slow

SEED, ACCOUNTS, HISTORY_DAYS, LIVE_DAYS = 11, 16, 34, 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    from irm import tasks
    from irm.demo import DemoOptions, run_demo
    from warehouse.publish import personal_columns

    data_root = tmp_path_factory.mktemp("e2e") / "data"
    patch = pytest.MonkeyPatch()
    patch.setenv("IRM_DATA_ROOT", str(data_root))
    patch.delenv("AIRFLOW_HOME", raising=False)
    options = DemoOptions(
        seed=SEED,
        accounts=ACCOUNTS,
        history_days=HISTORY_DAYS,
        live_days=LIVE_DAYS,
        port=free_port(),
        secrets=SECRETS,
    )
    first = run_demo(options, progress=print)
    settings = get_settings()
    runs = Runs(
        clean=mart_checksums(settings.warehouse_path),
        # The BI copy withholds the columns tagged personal data (warehouse.publish).
        clean_as_published=mart_checksums(
            settings.warehouse_path, leave_out=personal_columns(settings)
        ),
        published=mart_checksums(first.published),
        clean_raw=raw_checksums(settings.warehouse_path),
    )
    markers = tmp_path_factory.mktemp("crash")
    runs.crash_in_dbt = crash_transform(settings, first.last_day, DBT_CRASH, markers / "dbt")
    # As Airflow's retry of the killed dbt_build task would: the whole build again, over what
    # the killed run left (the killed model's day deleted, not inserted). The transform alone:
    # a retry runs no extract (re-extracting a landed day is tests/production's backfill).
    transform(settings, first.last_day, f"{first.last_day}_irm_transform")
    runs.after_crash_in_dbt = mart_checksums(settings.warehouse_path)
    runs.published_after_crash_in_dbt = mart_checksums(first.published)
    # A new warehouse file: the load has every partition to do again, so it dies mid-way.
    for path in settings.warehouse_path.parent.glob(settings.warehouse_path.name + "*"):
        path.unlink()
    runs.crash_in_load = crash_load(LOAD_CRASH, markers / "load")
    tasks.load_raw(None)  # the load task's own function, as its retry runs it
    runs.raw_after_crash_in_load = raw_checksums(settings.warehouse_path)
    yield options, first, runs, data_root
    patch.undo()


@dataclass
class Runs:
    """Mart checksums of the warehouse after each run of the live interval (raw checksums
    around the killed load), and where the killed runs died (their crash markers)."""

    clean: dict[str, str]
    clean_as_published: dict[str, str]
    published: dict[str, str]
    clean_raw: dict[str, str]
    crash_in_dbt: str = ""
    after_crash_in_dbt: dict[str, str] = field(default_factory=dict)
    published_after_crash_in_dbt: dict[str, str] = field(default_factory=dict)
    crash_in_load: str = ""
    raw_after_crash_in_load: dict[str, str] = field(default_factory=dict)


DBT_CRASH = "dbt:int_post_metric_snapshots"  # an incremental model (delete+insert by day)
LOAD_CRASH = "load:2"
CRASH_HOOK = Path(__file__).parent / "crash_hook"


def transform(settings, day, name: str, extra_env: dict[str, str] | None = None) -> None:
    """`airflow dags test irm_transform` for the interval [day, day+1)."""
    run_after = (day + timedelta(days=1)).isoformat()
    log = settings.data_root / "logs" / "rerun" / f"{name}.log"
    run_airflow(["dags", "test", "irm_transform", run_after], settings, extra_env, log_file=log)


def crash_env(crash: str, marker: Path) -> dict[str, str]:
    """The variables that arm the crash hook (crash_hook/sitecustomize.py) in a new process."""
    python_path = [str(CRASH_HOOK), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {
        "PYTHONPATH": os.pathsep.join(python_path),
        "IRM_TEST_CRASH": crash,
        "IRM_TEST_CRASH_MARKER": str(marker),
    }


def died_by_the_hook(crash: str, marker: Path) -> str:
    assert marker.is_file(), f"the run failed, but not by the {crash} crash hook"
    return marker.read_text()


def crash_transform(settings, day, crash: str, marker: Path) -> str:
    """Run the transform with the crash hook armed; return where it died (its marker)."""
    with pytest.raises(AirflowCommandError):
        transform(settings, day, f"crash_{crash.replace(':', '_')}", crash_env(crash, marker))
    return died_by_the_hook(crash, marker)


def crash_load(crash: str, marker: Path) -> str:
    """Run the load task's own function in a process of its own with the crash hook armed, as
    Airflow's task process would run it; return where it died (its marker)."""
    done = subprocess.run(
        [sys.executable, "-c", "from irm import tasks; tasks.load_raw(None)"],
        env={**os.environ, **crash_env(crash, marker)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, f"the load was not killed: {done.stderr[-2000:]}"
    return died_by_the_hook(crash, marker)


@pytest.fixture(scope="module")
def ground_truth(demo_run, tmp_path_factory) -> dict:
    options, first, *_ = demo_run
    out = tmp_path_factory.mktemp("truth") / "ground_truth.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sandbox",
            "ground-truth",
            "--seed",
            str(options.seed),
            "--accounts",
            str(options.accounts),
            "--days",
            str(options.days),
            "--day",
            first.last_day.isoformat(),
            "--out",
            str(out),
        ],  # fmt: skip
        check=True,
    )
    return json.loads(out.read_text())


def test_printed_paths_exist(demo_run) -> None:
    _, first, *_ = demo_run
    for path in (first.warehouse, first.published, first.export_dir, first.data_docs):
        assert path.exists(), path


def test_each_run_of_the_live_day_has_a_log_of_its_own(demo_run) -> None:
    """The live day's extract, transform and weekly export ran in one Airflow process
    (irm.dag_runs); each run's output is in its own log file."""
    _, first, _, data_root = demo_run
    logs = data_root / "logs" / "demo"
    for dag_id, log in (("irm_extract", f"{first.last_day}_irm_extract.log"),
                        ("irm_transform", f"{first.last_day}_irm_transform.log"),
                        ("irm_exports", "irm_exports.log")):  # fmt: skip
        finished = [line for line in (logs / log).read_text().splitlines() if "DagRun Fin" in line]
        assert len(finished) == 1 and f"dag_id={dag_id}," in finished[0], (log, finished)
        assert "state=success" in finished[0]


def test_the_bi_copy_holds_the_warehouse_marts(demo_run) -> None:
    _, _, runs, _ = demo_run
    assert runs.clean, "no marts were built"
    assert runs.published == runs.clean_as_published


def demo_transform_log(demo_run) -> str:
    _, first, _, data_root = demo_run
    return (data_root / "logs" / "demo" / f"{first.last_day}_irm_transform.log").read_text()


def test_the_transform_ran_and_logged_every_dbt_test(demo_run) -> None:
    """The count comes from dbt's own run results (irm.dbt_build)."""
    manifest = get_settings().dbt_project_dir / "target" / "manifest.json"
    assert every_dbt_test_line(manifest) in demo_transform_log(demo_run)


def test_the_next_transform_tests_the_new_rows_only(demo_run) -> None:
    """The demo's transform tested every row (the warehouse's first build); the day run again
    after the killed build tests the rows of the days loaded since the last passed build, less
    the lookback (dbt_project/macros/data_test_scope.sql), and still runs every test."""
    _, first, _, data_root = demo_run
    rerun = (data_root / "logs" / "rerun" / f"{first.last_day}_irm_transform.log").read_text()
    assert "data tests: every row" in demo_transform_log(demo_run)
    assert "data tests: rows dated from" in rerun
    manifest = get_settings().dbt_project_dir / "target" / "manifest.json"
    assert every_dbt_test_line(manifest) in rerun


def test_the_transform_logs_only_warnings_that_need_action(demo_run) -> None:
    assert_only_actionable_warnings(demo_transform_log(demo_run))


def test_a_run_killed_inside_dbt_and_run_again_gives_the_clean_marts(demo_run) -> None:
    _, _, runs, _ = demo_run
    assert runs.crash_in_dbt.startswith("dbt: killed after the DELETE")
    assert runs.after_crash_in_dbt == runs.clean
    # ...and the BI copy, which the run published again, holds the clean marts.
    assert runs.published_after_crash_in_dbt == runs.clean_as_published


def test_a_load_killed_and_run_again_gives_the_clean_raw_tables(demo_run) -> None:
    _, _, runs, _ = demo_run
    assert runs.crash_in_load.startswith("load: killed after committing batch 2")
    assert {"youtube_videos", "crm_creators", "_loaded_partitions"} <= runs.clean_raw.keys()
    assert runs.raw_after_crash_in_load == runs.clean_raw


def test_marts_match_the_world(demo_run, ground_truth) -> None:
    _, first, *_ = demo_run
    channels = ground_truth["youtube"]["channels"]  # channel id -> truth as of the last day
    with duckdb.connect(str(first.published), read_only=True) as con:
        accounts = dict(
            con.execute(
                "SELECT account_id, followers FROM marts.dim_creator_account "
                "WHERE platform = 'youtube'"
            ).fetchall()
        )
        posts = {
            r[0]
            for r in con.execute(
                "SELECT post_id FROM marts.fct_post WHERE platform = 'youtube'"
            ).fetchall()
        }
    # channel id -> its truth as of the last day; a hidden subscriber count is None there too
    expected_accounts = {
        f"youtube:{channel_id}": truth["subscriber_counts"][-1]
        for channel_id, truth in channels.items()
    }
    assert accounts == expected_accounts
    expected_posts = {
        f"youtube:{video['video_id']}" for truth in channels.values() for video in truth["videos"]
    }
    assert posts == expected_posts


def test_export_holds_the_marts_as_csv(demo_run) -> None:
    _, first, *_ = demo_run
    csvs = {p.stem for p in first.export_dir.glob("*.csv")}
    assert {"fct_post", "dim_creator_account"} <= csvs


def test_no_secret_in_any_file_or_table(demo_run) -> None:
    """Landing, warehouse, BI copy, exports, Data Docs, state and every log (Airflow's included,
    under the data root): none holds a credential, as bytes or inside a database table."""
    *_, data_root = demo_run
    secrets = [s.encode() for s in SECRETS.values()]
    files = [p for p in data_root.rglob("*") if p.is_file()]
    assert len(files) > 50  # the run wrote what is searched
    for path in files:
        content = path.read_bytes()
        for secret in secrets:
            assert secret not in content, f"a secret in {path}"
    for db in data_root.rglob("*.duckdb"):
        with duckdb.connect(str(db), read_only=True) as con:
            columns = con.execute(
                "SELECT table_schema, table_name, column_name FROM information_schema.columns "
                "WHERE data_type IN ('VARCHAR', 'JSON')"
            ).fetchall()
            for schema, table, column in columns:
                for secret in SECRETS.values():
                    hits = con.execute(
                        f'SELECT count(*) FROM "{schema}"."{table}" '
                        f'WHERE contains(CAST("{column}" AS VARCHAR), ?)',
                        [secret],
                    ).fetchone()[0]
                    assert hits == 0, f"a secret in {db.name} {schema}.{table}.{column}"


def report_sections(html: str) -> dict[str, str]:
    """The report's sections by title: title -> the section's HTML."""
    sections = {}
    for chunk in html.split('<section class="report-section')[1:]:
        title = chunk.split("<h2>", 1)[1].split("</h2>", 1)[0]
        sections[title] = chunk.split("</section>", 1)[0]
    return sections


def test_the_report_says_what_audiences_say_who_talks_and_whom_to_sign(demo_run) -> None:
    """Issue 20: the demo's weekly report holds the sentiment, share-of-voice and discovery
    sections with data (not "No data yet"), and the candidates link to their profiles."""
    _, first, *_ = demo_run
    (report,) = first.export_dir.glob("influencer-report-*.html")
    sections = report_sections(report.read_text(encoding="utf-8"))
    for title in ("What audiences say", "Who talks about us", "Who to sign next"):
        assert title in sections, sorted(sections)
        assert 'class="no-data"' not in sections[title], title
        assert "<td" in sections[title], title
    candidates = sections["Who to sign next"]
    assert (
        "https://www.youtube.com/channel/" in candidates or "https://www.tiktok.com/@" in candidates
    )
