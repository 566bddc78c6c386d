"""Access control of the Postgres warehouse (SPEC 9), on the machine's server: the init step's
`warehouse.roles.setup_warehouse_access` gives the pipeline a role of its own that owns the
warehouse schemas, and BI tools a read-only role that sees `marts` only, including marts built
after the set-up (as dbt rebuilds them). An installation whose warehouse Airflow's user built
before passes its tables to the pipeline's role.

The world is small: one landed partition loaded by the real loader as the pipeline's role, and a
few tables the pipeline creates as dbt would. test_postgres_warehouse.py builds every mart with
dbt as the pipeline's role and checks the BI role reads them all (`assert_bi_reads_every_mart`).

Skipped only when Postgres (127.0.0.1:5432, user postgres, trust) cannot be reached.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from psycopg2 import errors

from core.config import WarehouseAccess, get_settings
from extractors import EXTRACTOR_VERSION
from tests.production.pipeline_warehouse import pipeline_warehouse
from tests.production.topology import assert_bi_reads_every_mart, run_as, tables_in
from warehouse.roles import WAREHOUSE_SCHEMAS, WarehouseAccessError, setup_warehouse_access

pytestmark = [pytest.mark.production, pytest.mark.timeout(300)]

DAY = date(2026, 1, 9)


def refused(role: str, database: str, statement: str) -> str:
    """The error Postgres gives `role` for `statement`; fails when it is allowed."""
    with pytest.raises(errors.InsufficientPrivilege) as refusal:
        run_as(role, database, statement)
    return str(refusal.value)


def access_snapshot(access: WarehouseAccess) -> list[tuple]:
    """Owners and privileges of the database, its schemas, relations and default privileges."""
    return run_as(
        access.admin.user,
        access.admin.database,
        "SELECT 'database', datname, datdba::regrole::text, datacl::text FROM pg_database "
        f"WHERE datname = '{access.admin.database}' "
        "UNION ALL SELECT 'schema', nspname, nspowner::regrole::text, nspacl::text "
        "FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
        "UNION ALL SELECT 'relation', n.nspname || '.' || c.relname, c.relowner::regrole::text, "
        "c.relacl::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname IN ('raw', 'staging', 'intermediate', 'marts', 'seeds') "
        "UNION ALL SELECT 'default', defaclnamespace::regnamespace::text, "
        "defaclrole::regrole::text, defaclacl::text FROM pg_default_acl ORDER BY 1, 2",
    )


def land_one_partition(root: Path) -> None:
    from core.landing import Partition, envelope, write_partition

    settings = get_settings()
    assert settings.landing_dir == root / "landing"
    record = envelope("v1", {"id": "v1", "snippet": {"title": "t"}}, "2026-01-09T03:04:05+00:00")
    write_partition(
        Partition(settings.landing_dir, "youtube", "videos", DAY),
        [record],
        extractor_version=EXTRACTOR_VERSION,
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Iterator[WarehouseAccess]:
    """A warehouse that Airflow's user (here the admin) had started before the roles existed,
    set up twice (the init step runs on every `up`), then used by the pipeline's role: the
    loader fills raw, and marts are created and one rebuilt the way dbt does it."""
    root = tmp_path_factory.mktemp("pg_roles")
    built_before = ("CREATE SCHEMA marts", "CREATE TABLE marts.mart_built_before AS SELECT 1 AS id")
    with (
        pytest.MonkeyPatch.context() as patch,
        pipeline_warehouse(patch, "irm_roles_test", root, built_before=built_before) as access,
    ):
        setup_warehouse_access(access)  # set up a second time, as every `up` does
        land_one_partition(root)
        from warehouse.load import load_landing

        assert load_landing().rows == 1
        run_as(
            access.pipeline.user,
            access.admin.database,
            "CREATE VIEW staging.stg_videos AS SELECT record_key FROM raw.youtube_videos",
            "CREATE TABLE intermediate.int_videos AS SELECT * FROM staging.stg_videos",
            "CREATE TABLE marts.fct_post AS SELECT record_key AS post_id FROM "
            "intermediate.int_videos",
            "CREATE TABLE marts.dim_creator AS SELECT 'cr_1' AS creator_id",
            # dbt's table materialization: build beside, swap by renaming, drop the old one.
            "CREATE TABLE marts.dim_creator__dbt_tmp AS SELECT 'cr_2' AS creator_id",
            "ALTER TABLE marts.dim_creator RENAME TO dim_creator__dbt_backup",
            "ALTER TABLE marts.dim_creator__dbt_tmp RENAME TO dim_creator",
            "DROP TABLE marts.dim_creator__dbt_backup",
        )
        yield access


def test_the_bi_role_reads_every_mart(warehouse: WarehouseAccess) -> None:
    marts = assert_bi_reads_every_mart(warehouse)
    assert marts == ["dim_creator", "fct_post", "mart_built_before"]
    rows = run_as(warehouse.bi_user, warehouse.admin.database, "SELECT * FROM marts.dim_creator")
    assert rows == [("cr_2",)]  # the rebuilt table, readable without a new grant


@pytest.mark.parametrize(
    ("schema", "table"),
    [("raw", "youtube_videos"), ("staging", "stg_videos"), ("intermediate", "int_videos")],
)
def test_the_bi_role_is_refused_everything_outside_marts(
    warehouse: WarehouseAccess, schema: str, table: str
) -> None:
    error = refused(warehouse.bi_user, warehouse.admin.database, f"SELECT * FROM {schema}.{table}")
    assert f"permission denied for schema {schema}" in error


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO marts.fct_post VALUES ('youtube:forged')",
        "UPDATE marts.dim_creator SET creator_id = 'x'",
        "DELETE FROM marts.fct_post",
        "CREATE TABLE marts.bi_scratch (id int)",
        "CREATE TABLE public.bi_scratch (id int)",
        "CREATE TEMP TABLE bi_scratch (id int)",
        "CREATE SCHEMA bi_scratch",
    ],
)
def test_the_bi_role_cannot_write(warehouse: WarehouseAccess, statement: str) -> None:
    error = refused(warehouse.bi_user, warehouse.admin.database, statement)
    assert "permission denied" in error
    assert tables_in(warehouse, "public") == []


def test_the_pipeline_owns_the_warehouse_schemas_and_nothing_else(
    warehouse: WarehouseAccess,
) -> None:
    database, pipeline = warehouse.admin.database, warehouse.pipeline.user
    owners = run_as(
        warehouse.admin.user,
        database,
        "SELECT DISTINCT n.nspname, n.nspowner::regrole::text, c.relowner::regrole::text "
        "FROM pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid "
        f"WHERE n.nspname IN ({', '.join(repr(s) for s in WAREHOUSE_SCHEMAS)}) ORDER BY 1",
    )
    assert {schema for schema, _, _ in owners} == set(WAREHOUSE_SCHEMAS)
    # The table the admin built before the set-up passed to the pipeline with its schema.
    assert {(s, o, r or pipeline) for s, o, r in owners} == {
        (schema, pipeline, pipeline) for schema in WAREHOUSE_SCHEMAS
    }
    run_as(pipeline, database, "INSERT INTO marts.mart_built_before VALUES (2)")
    attributes = run_as(
        pipeline,
        database,
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles "
        "WHERE rolname = current_user",
    )
    assert attributes == [(False, False, False, False)]
    assert "permission denied" in refused(pipeline, database, "CREATE TABLE public.t (id int)")


def test_setting_up_again_changes_nothing(warehouse: WarehouseAccess) -> None:
    before = access_snapshot(warehouse)
    setup_warehouse_access(warehouse)
    assert access_snapshot(warehouse) == before


def test_a_superuser_is_refused_as_a_role_of_the_warehouse(warehouse: WarehouseAccess) -> None:
    """Setting up must not strip an existing superuser of its rights, nor hand it the
    warehouse: the pipeline and BI roles are the pipeline's own."""
    from dataclasses import replace

    superuser = f"{warehouse.bi_user}_super"
    run_as(warehouse.admin.user, "postgres", f"CREATE ROLE {superuser} SUPERUSER LOGIN")
    try:
        as_bi = replace(warehouse, bi_user=superuser)
        with pytest.raises(WarehouseAccessError, match=f"{superuser} is a superuser"):
            setup_warehouse_access(as_bi)
        still = run_as(
            warehouse.admin.user,
            "postgres",
            f"SELECT rolsuper FROM pg_roles WHERE rolname = '{superuser}'",
        )
        assert still == [(True,)]
    finally:
        run_as(warehouse.admin.user, "postgres", f"DROP ROLE {superuser}")
