"""Publication of the BI copy: complete, read-only readable, replaceable under a reader."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from core.config import Settings
from exports.folder import fetch_dicts
from tests.mart_fixtures import contract_marts
from tests.serving.conftest import FULL_MARTS
from warehouse.mart_contract import read_marts
from warehouse.publish import MartGateError, mart_gate_path, publish_marts

Warehouse = Callable[..., Path]


def counts(path: Path, query: str) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(query).fetchall()
        return {
            t: con.execute(f'SELECT count(*) FROM marts."{t}"').fetchall()[0][0] for (t,) in tables
        }


def mart_comments(
    con: duckdb.DuckDBPyConnection,
) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """The marts' table comments (by table) and column comments (by table and column)."""
    tables = dict(
        con.execute(
            "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'marts'"
        ).fetchall()
    )
    columns = {
        (table, column): comment
        for table, column, comment in con.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns() "
            "WHERE schema_name = 'marts'"
        ).fetchall()
    }
    return tables, columns


MART_NAMES = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"


def test_publish_copies_every_mart(settings: Settings, warehouse: Warehouse) -> None:
    warehouse("CREATE SCHEMA staging", "CREATE TABLE staging.not_published AS SELECT 1 AS x")
    result = publish_marts()

    assert result.path == settings.published_path
    assert result.row_counts == {"dim_creator_account": 3, "fct_post": 5}
    assert result.tables == ["dim_creator_account", "fct_post"]
    assert counts(settings.published_path, MART_NAMES) == result.row_counts
    assert counts(settings.warehouse_path, MART_NAMES) == result.row_counts
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        schemas = {r[0] for r in con.execute("SELECT schema_name FROM duckdb_schemas()").fetchall()}
        assert "staging" not in schemas
        types = con.execute("DESCRIBE marts.fct_post").fetchall()
        assert result.parquet_dir == settings.published_parquet_dir / result.publication_id
        current = settings.published_parquet_dir / "current"
        assert current.resolve() == result.parquet_dir
        for table in result.tables:
            parquet = current / f"{table}.parquet"
            rows = con.execute("SELECT count(*) FROM read_parquet(?)", [str(parquet)]).fetchall()
            assert rows[0][0] == result.row_counts[table]
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        assert con.execute("DESCRIBE marts.fct_post").fetchall() == types
    # Nothing temporary stays behind.
    published = sorted(p.name for p in settings.published_path.parent.iterdir())
    assert published == ["irm.duckdb", "parquet"]


def test_metricflows_calendar_travels_with_the_copy(
    settings: Settings, warehouse: Warehouse
) -> None:
    # `mf query ... --group-by metric_time__month` on the BI copy joins the time spine.
    warehouse(
        "CREATE SCHEMA semantic",
        "CREATE TABLE semantic.metricflow_time_spine AS"
        " SELECT DATE '2026-01-01' + CAST(i AS INTEGER) AS date_day FROM range(3) AS t(i)",
    )
    result = publish_marts()
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        spine = con.execute("SELECT count(*) FROM semantic.metricflow_time_spine").fetchall()
    assert spine == [(3,)]
    assert result.tables == ["dim_creator_account", "fct_post"]  # not a mart: no Parquet file


def test_publish_again_under_an_open_reader(settings: Settings, warehouse: Warehouse) -> None:
    warehouse()
    publish_marts()
    reader = duckdb.connect(str(settings.published_path), read_only=True)
    try:
        with duckdb.connect(str(settings.warehouse_path)) as con:
            con.execute("DELETE FROM marts.fct_post WHERE platform = 'tiktok'")
        result = publish_marts()  # must not fail while the old file is open
        assert result.row_counts["fct_post"] == 3
        # The open reader keeps its generation: no error, no half-built table.
        assert reader.execute("SELECT count(*) FROM marts.fct_post").fetchall() == [(5,)]
    finally:
        reader.close()
    assert counts(settings.published_path, MART_NAMES)["fct_post"] == 3
    parquet = settings.published_parquet_dir / "current" / "fct_post.parquet"
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{parquet}')").fetchall() == [(3,)]
    # The first publication's Parquet folder stays, unchanged, for queries still reading it.
    first = sorted(p for p in settings.published_parquet_dir.iterdir() if p.name != "current")[0]
    assert duckdb.sql(f"SELECT count(*) FROM '{first}/fct_post.parquet'").fetchall() == [(5,)]


def test_publish_refuses_an_empty_schema(settings: Settings, warehouse: Warehouse) -> None:
    warehouse("DROP TABLE marts.fct_post", "DROP TABLE marts.dim_creator_account")
    with pytest.raises(RuntimeError, match="nothing to publish"):
        publish_marts()
    assert not settings.published_path.exists()
    assert list(settings.published_path.parent.iterdir()) == []


def test_publish_refuses_an_unsafe_schema_name(warehouse: Warehouse) -> None:
    warehouse()
    with pytest.raises(ValueError, match="identifier"):
        publish_marts(schema='marts"; DROP SCHEMA marts; --')


def test_the_bi_copy_says_what_every_mart_and_column_is(
    settings: Settings, full_marts: Path
) -> None:
    """Issue 22 items 1 and 6: a BI tool and the export read each column's meaning, label and
    format from the BI copy: comments from the dbt descriptions, and meta.columns from the
    contract's column meta. Personal data left out of the copy is not described either."""
    marts = read_marts(settings)
    with duckdb.connect(str(full_marts), read_only=True) as con:
        tables, comments = mart_comments(con)
        described = {
            (row["table_name"], row["column_name"]): row
            for row in fetch_dicts(con, "SELECT * FROM meta.columns")
        }
    assert tables == {name: mart.description for name, mart in marts.items()}
    assert set(described) == set(comments)  # every published column, nothing else
    for (table, column), comment in comments.items():
        contract = marts[table].column(column)
        row = described[(table, column)]
        assert comment == contract.description
        assert (row["label"], row["format"], row["unit"], row["meaning"]) == (
            contract.label,
            contract.format,
            contract.unit,
            contract.meaning,
        )
        assert row["is_key"] == (column in marts[table].key)
    assert ("dim_creator", "email") not in described
    assert described[("mart_creator_engagement", "posts_with_rate")]["format"] == "integer"
    assert described[("mart_creator_engagement", "month")]["format"] == "month"
    assert described[("mart_campaign_roi", "campaign_name")]["role"] == "name"
    roi_campaign = described[("mart_campaign_creator_roi", "campaign_id")]
    assert (roi_campaign["parent_table"], roi_campaign["parent_column"]) == (
        "mart_campaign_roi",
        "campaign_id",
    )


# ---- the mart gate (issue 17, item 9) ---------------------------------------------------------
# `irm publish` published 3 of 11 marts after a failed build. Every way to publish (the CLI, the
# DAG's task: both irm.tasks.publish) now passes the mart gate first and publishes all marts or
# none: every mart of the dbt manifest exists, and the marts are exactly those the mart checks
# (irm.tasks.validate_marts) last passed.

CHECKED_DAY = ["2026-02-05"]  # the day FULL_MARTS is current for
# A rebuild that stopped after three marts: they hold the new day, the other eight are stale.
THREE_MARTS_REBUILT = (
    "UPDATE marts.dim_creator_account SET followers = followers + 10",
    "INSERT INTO marts.fct_account_daily BY NAME SELECT * REPLACE (date + 1 AS date,"
    " 0 AS followers_delta, 0 AS posts_published) FROM marts.fct_account_daily"
    " WHERE date = DATE '2026-02-05'",
    "UPDATE marts.mart_creator_growth SET followers_end = followers_end + 10",
)


def publish_through_the_cli() -> None:
    from irm.cli import main

    main(["publish"])


def publish_through_the_task() -> None:
    """The DAG's task; a refusal fails it without retries, carrying the gate's error."""
    from airflow.sdk.exceptions import AirflowFailException

    from irm.tasks import publish

    try:
        publish()
    except AirflowFailException as failed:
        raise failed.__cause__ from None


def bi_copy(settings: Settings) -> tuple[set[str], dict[str, int]] | None:
    """The BI copy's publication ids and rows per mart (None when there is no copy)."""
    if not settings.published_path.exists():
        return None
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        ids = {r[0] for r in con.execute("SELECT publication_id FROM meta.publication").fetchall()}
    return ids, counts(settings.published_path, MART_NAMES)


def test_publish_refuses_a_build_that_left_3_of_the_marts(
    settings: Settings, warehouse: Warehouse
) -> None:
    # the first build failed after fct_post, dim_creator_account and dim_creator
    warehouse("CREATE TABLE marts.dim_creator AS SELECT 'cr1' AS creator_id")
    for publish in (publish_through_the_cli, publish_through_the_task):
        missing = rf"{len(contract_marts()) - 3} of the {len(contract_marts())} marts"
        with pytest.raises(MartGateError, match=missing + " of the dbt manifest") as err:
            publish()
        assert "mart_creator_scorecard" in str(err.value)
    assert bi_copy(settings) is None
    assert not settings.published_path.parent.exists() or not any(
        settings.published_path.parent.iterdir()
    )


def test_publish_refuses_marts_changed_since_they_passed_the_checks(
    settings: Settings, warehouse: Warehouse
) -> None:
    from irm.tasks import validate_marts

    warehouse(FULL_MARTS)
    validate_marts(CHECKED_DAY)
    publish_through_the_task()
    good = bi_copy(settings)
    assert good is not None and set(good[1]) == set(contract_marts())

    with duckdb.connect(str(settings.warehouse_path)) as con:
        for change in THREE_MARTS_REBUILT:
            con.execute(change)
    for publish in (publish_through_the_cli, publish_through_the_task):
        changed = rf"3 of the {len(contract_marts())} marts changed"
        with pytest.raises(MartGateError, match=changed) as err:
            publish()
        assert "dim_creator_account, fct_account_daily, mart_creator_growth" in str(err.value)
    assert bi_copy(settings) == good  # the last good marts, the same publication

    # Once the checks pass on the new marts, all of them are published.
    validate_marts(CHECKED_DAY)
    publish_through_the_cli()
    ids, rows = bi_copy(settings) or (set(), {})
    assert ids != good[0] and set(rows) == set(contract_marts())
    assert rows["fct_account_daily"] == good[1]["fct_account_daily"] + 4


def test_failed_mart_checks_withdraw_the_gate(settings: Settings, warehouse: Warehouse) -> None:
    """Checks that fail on marts leave no gate behind, even one recorded for these marts
    before (the suites may have changed since): the marts cannot be published by hand."""
    from irm.tasks import validate_marts

    warehouse(FULL_MARTS)
    validate_marts(CHECKED_DAY)
    assert mart_gate_path(settings).exists()
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("UPDATE marts.fct_post SET post_id = NULL")
    # the task fails at once (Airflow's AirflowFailException around the DataQualityError)
    with pytest.raises(Exception, match=r"critical expectation\(s\) failed"):
        validate_marts(CHECKED_DAY)
    assert not mart_gate_path(settings).exists()
    with pytest.raises(MartGateError, match="have not passed the mart checks"):
        publish_through_the_task()
    assert bi_copy(settings) is None


def test_a_partial_render_publishes_the_marts_it_builds(
    settings: Settings, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With IRM_DBT_SELECT the transform renders part of the project (the production test
    renders `+fct_post +dim_creator_account`): "all marts" are the marts that selection builds,
    so its publication passes the gate, while a mart of the selection that is missing still
    stops it."""
    from irm.tasks import validate_marts

    monkeypatch.setenv("IRM_DBT_SELECT", "+fct_post +dim_creator_account")
    warehouse()  # fct_post and dim_creator_account, as such a build leaves them
    validate_marts(CHECKED_DAY)
    publish_through_the_task()
    published = bi_copy(settings)
    assert published is not None and set(published[1]) == {"fct_post", "dim_creator_account"}

    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("DROP TABLE marts.fct_post")
    for publish in (publish_through_the_cli, publish_through_the_task):
        with pytest.raises(MartGateError, match=r"1 of the 2 marts .*\(fct_post\)"):
            publish()
    assert bi_copy(settings) == published


def test_the_duckdb_cli_from_pypi_reads_the_bi_copy(
    settings: Settings, warehouse: Warehouse
) -> None:
    """docs/serving.md's CLI route: the `duckdb-cli` package (a dev dependency; its newest
    release reads DuckDB 1.5 files, not the pipeline's 2.0 format) opens the BI copy read-only
    and lists its schemas, marts and column comments. BI drivers that lag behind DuckDB's
    releases read it for the same reason (issue 22, item 3)."""
    import json
    import subprocess
    import sys

    from irm.tasks import validate_marts

    warehouse(FULL_MARTS)
    validate_marts(CHECKED_DAY)
    publish_through_the_cli()
    cli = Path(sys.executable).with_name("duckdb")
    sql = (
        "SELECT schema_name AS name, 'schema' AS kind FROM duckdb_schemas() "
        "WHERE NOT internal UNION ALL "
        "SELECT table_name, 'mart' FROM duckdb_tables() WHERE schema_name = 'marts' UNION ALL "
        "SELECT table_name || '.' || column_name, 'comment' FROM duckdb_columns() "
        "WHERE schema_name = 'marts' AND comment IS NOT NULL"
    )
    done = subprocess.run(
        [str(cli), "-readonly", "-json", str(settings.published_path), "-c", sql],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found: dict[str, set[str]] = {}
    for row in json.loads(done.stdout):
        found.setdefault(row["kind"], set()).add(row["name"])
    assert {"marts", "meta"} <= found["schema"]
    assert found["mart"] == set(contract_marts())
    assert "fct_post.engagement_rate" in found["comment"]


# A BI tool's SQLAlchemy session, run in the BI client environment (`make bi-client`: SQLAlchemy
# 2.0.54, duckdb-engine 0.17, DuckDB 1.5), as Superset reflects a table to build a dataset.
REFLECT = """
import json, sys
from sqlalchemy import create_engine, inspect

engine = create_engine(f"duckdb:///{sys.argv[1]}?access_mode=READ_ONLY")
seen = inspect(engine)
found = {"schemas": seen.get_schema_names(), "columns": {}, "keys": {}, "comments": {}}
for table in seen.get_table_names(schema="marts"):
    found["columns"][table] = {
        c["name"]: [str(c["type"]), c.get("comment")]
        for c in seen.get_columns(table, schema="marts")
    }
    found["keys"][table] = seen.get_pk_constraint(table, schema="marts")["constrained_columns"]
    found["comments"][table] = seen.get_table_comment(table, schema="marts")["text"]
print(json.dumps(found))
"""


def test_sqlalchemy_reflects_the_bi_copy_with_the_versions_the_docs_recommend(
    settings: Settings, warehouse: Warehouse
) -> None:
    """docs/serving.md's SQLAlchemy route (issue 22 item 3): schemas, marts, columns with their
    types and comments, table comments, and the primary-key call Superset makes, reflected in
    a BI tool's environment. (In the project's own, SQLAlchemy 2.1 fails on pg_collation.)"""
    import json
    import subprocess

    from irm.tasks import validate_marts

    bi_python = Path(__file__).resolve().parents[2] / ".venv-bi" / "bin" / "python"
    assert bi_python.exists(), "the BI client environment is missing: run `make bi-client`"
    warehouse(FULL_MARTS)
    validate_marts(CHECKED_DAY)
    publish_through_the_cli()
    done = subprocess.run(
        [str(bi_python), "-c", REFLECT, str(settings.published_path)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout)

    assert {"irm.marts", "irm.meta"} <= set(found["schemas"])
    with duckdb.connect(str(settings.published_path), read_only=True) as con:
        table_comments, expected = mart_comments(con)
    assert set(found["columns"]) == set(contract_marts())
    reflected = {
        (table, column): comment
        for table, columns in found["columns"].items()
        for column, (_, comment) in columns.items()
    }
    assert reflected == expected  # every column, each with its dbt description
    assert all(expected.values()), "a published column without its description"
    assert found["comments"] == table_comments
    # money reflects as a decimal (issue 22 item 4), a rate as a float
    assert found["columns"]["mart_campaign_roi"]["spend_committed_usd"][0] == "NUMERIC(18, 2)"
    assert found["columns"]["fct_post"]["engagement_rate"][0] == "FLOAT"
    # The copy declares no primary keys (its tables are snapshots; the grain is meta.columns'
    # is_key), and duckdb-engine reflects none: the call answers, empty, as Superset needs.
    assert found["keys"] == {table: [] for table in contract_marts()}
