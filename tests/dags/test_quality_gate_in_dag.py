"""The quality gate inside the transform DAG, run through Airflow: corrupted data fails the run
at the validation task, with a message naming the expectation, and the BI copy goes on answering
with the previous good marts. A failing dbt test spanning two models stops the publication
like the others."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from core.config import Settings, get_settings
from core.landing import Partition, read_records, write_partition
from extractors import EXTRACTOR_VERSION, crm, youtube
from extractors.connections import ApiCredentials
from extractors.runner import land_source
from irm.airflow_cli import AirflowCommandError, prepare, run_airflow
from sandbox.crm import write_creators_csv
from sandbox.server import make_server, start_thread
from sandbox.world import World
from tests.airflow_logs import assert_only_actionable_warnings

pytestmark = pytest.mark.slow

DAY = date(2026, 1, 14)
STOPPED_SOURCE_DAY = DAY - timedelta(days=5)
# The good run renders the marts the mart gate requires and those the failing runs below
# need (IRM_DBT_SELECT), less than half of the project: the full render's dbt test count and
# warnings are checked on the e2e demo's transform (tests/e2e), which renders all of it.
GOOD_RUN_SELECT = "+fct_post +dim_creator_account +fct_account_daily +dim_creator"


def published_state(settings: Settings) -> tuple[str, dict[str, int]]:
    """The BI copy's file checksum and the row count of each mart it answers with."""
    digest = hashlib.sha256(settings.published_path.read_bytes()).hexdigest()
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
            ).fetchall()
        ]
        counts = {t: con.execute(f'SELECT count(*) FROM marts."{t}"').fetchone()[0] for t in tables}
    return digest, counts


def run_transform(settings: Settings, name: str, dbt_select: str = "") -> Path:
    log = settings.data_root / "logs" / f"{name}.log"
    run_airflow(
        ["dags", "test", "irm_transform", DAY.isoformat()],
        settings,
        extra_env={"IRM_DBT_SELECT": dbt_select},
        log_file=log,
    )
    return log


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    patch = pytest.MonkeyPatch()
    patch.setenv("IRM_DATA_ROOT", str(tmp_path_factory.mktemp("gate") / "data"))
    patch.delenv("AIRFLOW_HOME", raising=False)
    settings = get_settings()
    world = World(3, 10, 15)
    server = make_server(world, port=0, day=DAY, api_key="k")
    start_thread(server)
    try:
        write_creators_csv(world, settings.crm_inbox)
        crm.land_day(DAY, settings)
        credentials = ApiCredentials("irm_youtube", f"{server.base_url}/youtube/v3", "k")
        channels = crm.roster(settings, DAY, youtube.SPEC.roster)
        land_source(youtube.SPEC, DAY, settings, credentials, channels)
    finally:
        server.shutdown()
    # A source that stopped delivering days ago: stale, which the run reports and gets past.
    write_partition(
        Partition(settings.landing_dir, "shop", "orders", STOPPED_SOURCE_DAY),
        [],
        extractor_version=EXTRACTOR_VERSION,
    )
    prepare(settings, settings.data_root / "logs")
    run_transform(settings, "good_run", GOOD_RUN_SELECT)
    yield settings, published_state(settings)
    patch.undo()


def corrupt_next_day(settings: Settings, entity: str, mutate: Callable[[list], list]) -> Path:
    """A new landing partition for the next day: the last day's records, mutated."""
    records = list(read_records(Partition(settings.landing_dir, "youtube", entity, DAY)))
    bad = Partition(settings.landing_dir, "youtube", entity, DAY + timedelta(days=1))
    write_partition(
        bad, mutate(json.loads(json.dumps(records))), extractor_version=EXTRACTOR_VERSION
    )
    return bad.path


def assert_fails_at(
    settings: Settings, task: str, expectation: str, before, dbt_select: str = ""
) -> str:
    with pytest.raises(AirflowCommandError) as caught:
        run_transform(settings, f"fail_{task}_{expectation}", dbt_select)
    log = Path(str(caught.value).split("full log: ")[1].split(")")[0]).read_text()
    assert f"task={task}" in log, f"the run did not fail at {task}"
    assert expectation in log, f"the failure does not name {expectation}"
    assert published_state(settings) == before  # the BI copy still has the previous good marts
    return log


def set_view_count(value: str) -> Callable[[list], list]:
    def mutate(records: list) -> list:
        records[0]["payload"]["statistics"]["viewCount"] = value
        return records

    return mutate


def test_good_run_published(pipeline) -> None:
    _, (_, counts) = pipeline
    assert counts["fct_account_daily"] > 0 and counts["dim_creator"] > 0


def test_good_run_logs_only_warnings_that_need_action(pipeline) -> None:
    settings, _ = pipeline
    lines = assert_only_actionable_warnings(
        (settings.data_root / "logs" / "good_run.log").read_text(),
        # The mart gate's reference checks to marts this partial render leaves out.
        expected=(" skipped: no such table",),
    )
    assert any("stale source shop.orders" in line for line in lines)


def test_good_run_checked_source_freshness_and_went_on(pipeline) -> None:
    """The stopped source is a warning: the run published, and the BI copy and Data Docs say
    which source is stale, judged as of the day transformed (the clock is months later)."""
    settings, _ = pipeline
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        status = dict(
            con.execute(
                "SELECT source || '.' || source_table, status FROM meta.source_freshness"
            ).fetchall()
        )
    assert status["shop.orders"] == "error"
    assert status["youtube.channels"] == status["crm.creators"] == "fresh"
    assert status["tiktok.users"] == "no data" and status["crm.quarantine"] == "not checked"
    home = (settings.data_docs_dir / "index.html").read_text(encoding="utf-8")
    assert f"Source freshness as of {DAY}" in home and "stale: shop.orders" in home


def test_failing_relationships_test_stops_publication(pipeline) -> None:
    """A daily fact row of an account the account dimension does not know (an orphan kept by the
    incremental model, outside the days it rebuilds). dbt's relationships test between the two
    models fails the dbt build, before the mart checks run (when each model had its own task,
    this test ran in none of them until a last `dbt test` task was added). The run selects just
    those two models (IRM_DBT_SELECT) to stay cheap."""
    settings, before = pipeline
    orphan = "youtube:UC_account_no_longer_known"
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(
            "INSERT INTO marts.fct_account_daily SELECT * REPLACE (?::text AS account_id, "
            "?::date AS date) FROM marts.fct_account_daily LIMIT 1",
            [orphan, DAY - timedelta(days=90)],
        )
    try:
        log = assert_fails_at(
            settings,
            "dbt_build",
            "relationships_fct_account_daily_account_id__account_id__ref_dim_creator_account_",
            before,
            dbt_select="fct_account_daily dim_creator_account",
        )
        # Bad data: another try would read the same rows, so the task fails at its first.
        assert "dbt tests failed (bad data, not retried)" in log
        assert re.search(r"task=dbt_build run=\S+ try=1\.", log)
    finally:
        with duckdb.connect(str(settings.warehouse_path)) as con:
            con.execute("DELETE FROM marts.fct_account_daily WHERE account_id = ?", [orphan])


def duplicate_first(records: list) -> list:
    return records + records[:1]


def drop_all_but_id(records: list) -> list:
    return [{**r, "payload": {"id": r["payload"]["id"]}} for r in records]


def test_corrupted_landing_fails_at_landing_validation(pipeline) -> None:
    """Three corruptions in one next day (one run: each run pays Airflow's start-up): negative
    counts and a duplicated key in the videos, a missing column in the channels. The run fails
    at the landing validation, and its error names each partition's failed expectation."""
    settings, before = pipeline
    bad = [
        corrupt_next_day(settings, "videos", lambda r: duplicate_first(set_view_count("-5")(r))),
        corrupt_next_day(settings, "channels", drop_all_but_id),
    ]
    try:
        log = assert_fails_at(settings, "validate_landing", "DataQualityError", before)
        for expected in (
            "landing.youtube_videos: expect_column_values_to_be_between(column='view_count'",
            "landing.youtube_videos: expect_compound_columns_to_be_unique(",
            "landing.youtube_channels: expect_column_values_to_not_be_null(",
        ):
            assert expected in log, f"the failure does not name {expected}"
    finally:
        for path in bad:
            shutil.rmtree(path)


def test_mart_that_lost_half_its_rows_fails_at_mart_validation(pipeline) -> None:
    settings, before = pipeline
    creators = Partition(settings.landing_dir, "crm", "creators", DAY)
    records = list(read_records(creators))
    # A broken replay of the CRM export: the day comes back with fewer than half its creators,
    # so the creator dimension loses more than half its rows (post history would not: it is
    # incremental and keeps every snapshot already taken).
    shutil.rmtree(creators.path)
    write_partition(creators, records[: len(records) // 2 - 1], extractor_version=EXTRACTOR_VERSION)
    # The run renders dim_creator and its parents only (IRM_DBT_SELECT), a third of the project:
    # the mart gate still validates every mart in the warehouse against the previous good run,
    # the others as the good run left them.
    log = assert_fails_at(
        settings,
        "validate_marts",
        "expect_table_row_count_to_be_between",
        before,
        dbt_select="+dim_creator",
    )
    assert "DataQualityError" in log
