"""The warehouse on Postgres (IRM_DBT_TARGET=postgres), in a fresh database of the machine's
server set up as the init step does (`warehouse.roles`): as the pipeline's own role, two days
landed from the sandbox are loaded into the raw schema (payload as jsonb), dbt builds the marts
there, and the marts are mirrored into the DuckDB file the checks and the BI copy read; the BI
role reads every mart dbt built; the transform DAG wires the mirror in only for this target.

Skipped only when Postgres (127.0.0.1:5432, user postgres, trust) cannot be reached.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from core.config import REPO_ROOT, Settings, WarehouseAccess, get_settings
from core.db import connect_postgres
from extractors import EXTRACTOR_VERSION
from irm.bootstrap import bootstrap_from_sandbox, day_range
from irm.demo import WORLD_START, DemoOptions
from tests.production.pipeline_warehouse import pipeline_warehouse
from tests.production.topology import assert_bi_reads_every_mart
from warehouse.load import RAW_ENTITIES, LoadResult, load_landing, raw_table

pytestmark = [pytest.mark.production, pytest.mark.timeout(600)]

WORLD = DemoOptions(seed=7, accounts=20, history_days=10, live_days=0)
DAYS = (WORLD_START + timedelta(days=WORLD.days - 2), WORLD_START + timedelta(days=WORLD.days - 1))
KEY_MARTS = ("fct_post", "dim_creator_account")


@dataclass
class Warehouse:
    settings: Settings
    access: WarehouseAccess
    first_load: LoadResult
    second_load: LoadResult


def pg_query(sql: str, params: tuple = ()) -> list[tuple]:
    con = connect_postgres()
    try:
        with con, con.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        con.close()


def run_dbt_build(settings: Settings, work: Path) -> None:
    dbt = Path(sys.executable).with_name("dbt")
    project = settings.dbt_project_dir
    result = subprocess.run(
        [
            str(dbt),
            "build",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target",
            "postgres",
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-8000:]}"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Iterator[Warehouse]:
    root = tmp_path_factory.mktemp("pg_warehouse")
    with (
        pytest.MonkeyPatch.context() as patch,
        pipeline_warehouse(patch, "irm_warehouse_test", root / "data") as access,
    ):
        settings = get_settings()
        patch.setenv("IRM_WAREHOUSE_PATH", str(settings.warehouse_path))
        # Every source's last two days, landed in-process by the extractors' own code.
        bootstrap_from_sandbox(
            WORLD.seed, WORLD.accounts, WORLD.days, day_range(DAYS[0], DAYS[-1]), WORLD.secrets
        )
        first = load_landing()
        second = load_landing()
        run_dbt_build(settings, root)
        yield Warehouse(settings, access, first, second)


def landed_records(settings: Settings, source: str, entity: str) -> int:
    from core.landing import list_partitions

    parts = list_partitions(settings.landing_dir, source, entity)
    return sum(part.manifest()["record_count"] for part in parts)


def test_the_load_fills_the_raw_schema_in_postgres(warehouse: Warehouse) -> None:
    assert warehouse.first_load.rows > 0
    for source, entity in RAW_ENTITIES:
        table = raw_table(source, entity)
        rows = pg_query(f"SELECT count(*) FROM {table}")[0][0]
        assert rows == landed_records(warehouse.settings, source, entity), table
    payload_types = pg_query("SELECT DISTINCT pg_typeof(payload)::text FROM raw.youtube_videos")
    assert payload_types == [("jsonb",)]
    ledger = pg_query("SELECT DISTINCT dt FROM raw._loaded_partitions ORDER BY dt")
    assert ledger == [(day,) for day in DAYS]


def test_loading_again_loads_nothing(warehouse: Warehouse) -> None:
    from warehouse.load import latest_loaded_day

    assert warehouse.second_load.loaded == []
    assert latest_loaded_day() == DAYS[-1]


def test_dbt_builds_the_marts_in_postgres(warehouse: Warehouse) -> None:
    for mart in KEY_MARTS:
        assert pg_query(f"SELECT count(*) FROM marts.{mart}")[0][0] > 0, mart


def test_the_bi_role_reads_every_mart_dbt_built(warehouse: Warehouse) -> None:
    """dbt replaces a table by building it beside and renaming: the BI role's read survives
    through the pipeline role's default privileges, for every mart of the project."""
    marts = assert_bi_reads_every_mart(warehouse.access)
    assert set(KEY_MARTS) <= set(marts)


def test_the_bi_role_reads_no_personal_column(warehouse: Warehouse) -> None:
    """dim_creator.email is tagged personal data (issue 18, item 9): the marts' post-hook
    (macros/withhold_personal_columns.sql) lets the BI role read every other column of it,
    while the pipeline's role, its owner, reads them all."""
    from psycopg2 import errors

    from tests.production.topology import run_as

    access, database = warehouse.access, warehouse.access.admin.database
    count = "SELECT count(*), count(email) FROM marts.dim_creator"
    creators, emails = run_as(access.pipeline.user, database, count)[0]
    assert creators > 0 and emails == creators
    with pytest.raises(errors.InsufficientPrivilege, match="dim_creator"):
        run_as(access.bi_user, database, "SELECT email FROM marts.dim_creator")
    readable = run_as(
        access.bi_user, database, "SELECT creator_id, display_name, tier FROM marts.dim_creator"
    )
    assert len(readable) == creators


def test_the_marts_reach_the_duckdb_mirror_pass_the_checks_and_are_published(
    warehouse: Warehouse,
) -> None:
    from irm.tasks import validate_marts
    from warehouse.load import mirror_marts_to_duckdb
    from warehouse.publish import publish_marts

    mirrored = mirror_marts_to_duckdb()
    tables = [r[0] for r in pg_query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
    )]  # fmt: skip
    assert set(mirrored) == set(tables)
    for table in tables:
        assert mirrored[table] == pg_query(f"SELECT count(*) FROM marts.{table}")[0][0], table
    # The mart checks pass on the mirror as they do on a DuckDB build (types included).
    assert validate_marts(None)["success"]
    published = publish_marts()
    assert {t: published.row_counts[t] for t in KEY_MARTS} == {t: mirrored[t] for t in KEY_MARTS}
    postgres_posts = pg_query("SELECT post_id, account_id, likes, views FROM marts.fct_post")
    with duckdb.connect(str(published.path), read_only=True) as con:
        published_posts = con.execute(
            "SELECT post_id, account_id, likes, views FROM marts.fct_post"
        ).fetchall()
    assert sorted(published_posts) == sorted(postgres_posts)


def _transform_dag(monkeypatch: pytest.MonkeyPatch, target: str):
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("IRM_DBT_TARGET", target)
    bag = DagBag(dag_folder=str(REPO_ROOT / "dags" / "irm_transform.py"))
    assert bag.import_errors == {}
    return bag.dags["irm_transform"]


def dbt_targets(dag) -> set[str]:
    """The dbt target of every task of the DAG that runs dbt."""
    return {t.profile_config.target_name for t in dag.tasks if hasattr(t, "profile_config")}


def test_the_transform_dag_builds_on_the_configured_target(
    dbt_manifest, monkeypatch: pytest.MonkeyPatch
) -> None:
    dag = _transform_dag(monkeypatch, "postgres")
    assert dbt_targets(dag) == {"postgres"}
    mirror = dag.get_task("mirror_marts")
    # The mirror copies the marts once dbt is done with them (their tests included).
    assert mirror.upstream_task_ids == {"dbt_build"}
    assert mirror.downstream_task_ids == {"validate_marts"}
    default = _transform_dag(monkeypatch, "duckdb")
    assert "mirror_marts" not in default.task_ids
    assert dbt_targets(default) == {"duckdb"}


def test_a_payload_with_a_nul_character_loads(tmp_path, monkeypatch) -> None:
    """jsonb cannot hold U+0000 (DuckDB's JSON can): such a text arrives with U+FFFD instead,
    and the rest of the record unchanged."""
    from core.landing import Partition, envelope, write_partition

    with pipeline_warehouse(monkeypatch, "irm_warehouse_test", tmp_path):
        settings = get_settings()
        payload = {"id": "v1", "snippet": {"title": 'a\x00b "quoted" \\ \u00e9'}, "n": 2**63}
        record = envelope("v1", payload, "2026-01-02T03:04:05+00:00")
        write_partition(
            Partition(settings.landing_dir, "youtube", "videos", DAYS[0]),
            [record],
            extractor_version=EXTRACTOR_VERSION,
        )
        assert load_landing().rows == 1
        rows = pg_query("SELECT record_key, extracted_at, payload FROM raw.youtube_videos")
        assert len(rows) == 1 and rows[0][0] == "v1"
        assert rows[0][1].isoformat() == "2026-01-02T03:04:05+00:00"
        title = payload["snippet"]["title"].replace("\x00", "\ufffd")
        assert rows[0][2] == {**payload, "snippet": {"title": title}}
