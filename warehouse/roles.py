"""Roles of the Postgres warehouse (SPEC 9, access control), set up by the production init step
(`python -m irm.airflow_cli init`) when IRM_DBT_TARGET=postgres. Idempotent: it runs on every
`docker compose up`.

- The pipeline's role (IRM_PG_USER, compose: irm_pipeline), which the loader, dbt and the mirror
  connect as: LOGIN, no superuser, CREATEDB or CREATEROLE; may connect to the warehouse
  database and create schemas and temporary tables in it; owns the schemas raw, seeds, staging,
  intermediate, marts and semantic (MetricFlow's calendar) and everything in them. Not
  Airflow's metadata user, which never needs to touch the warehouse.
- The BI role (IRM_BI_USER, irm_bi): LOGIN; may connect and read every table and view of
  `marts`, including the ones dbt builds later (the pipeline role's default privileges), and
  nothing else: no other schema, no writes, no temporary tables.
- PUBLIC (every other role of the server) loses its default CONNECT and TEMPORARY on the
  warehouse database and every right on its `public` schema.

The admin (IRM_PG_ADMIN_USER, compose: the server's superuser) creates the roles and the
database, and hands the pipeline's role what an earlier installation built as another user. The
grants on the schemas are given by their owner, the pipeline's role.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from core.config import PostgresTarget, WarehouseAccess
from core.db import connect_postgres

if TYPE_CHECKING:
    from psycopg2.extensions import connection as PgConnection

log = logging.getLogger(__name__)
# psycopg2 is imported inside the functions that use it: a DuckDB installation never loads it.

# Every schema the pipeline writes (the loader's raw, dbt's custom schemas in dbt_project.yml).
WAREHOUSE_SCHEMAS = ("raw", "seeds", "staging", "intermediate", "marts", "semantic")
# The one schema BI tools see.
BI_SCHEMA = "marts"
# Relation kinds an earlier installation may have left, by the statement that changes owners
# (indexes and the sequences of serial columns follow their table).
_OWNED_RELATIONS = {
    "r": "TABLE",
    "p": "TABLE",
    "f": "FOREIGN TABLE",
    "v": "VIEW",
    "m": "MATERIALIZED VIEW",
}


class WarehouseAccessError(ValueError):
    """The warehouse's roles are misconfigured (the message names the setting)."""


def check_warehouse_access(access: WarehouseAccess, metadata_user: str | None = None) -> None:
    """Refuse, naming the settings, a configuration where the pipeline or BI tools would not
    have a role of their own (Airflow's metadata user, the admin, each other's) or where a
    role's password is empty."""
    pipeline, bi, admin = access.pipeline.user, access.bi_user, access.admin.user
    problems = []
    if not access.pipeline.password:
        problems.append("IRM_PG_PASSWORD is not set: put the pipeline role's password in .env")
    if not access.bi_password:
        problems.append("IRM_BI_PASSWORD is not set: put the BI role's password in .env")
    others = {admin: "the admin (IRM_PG_ADMIN_USER)"}
    if metadata_user:
        others[metadata_user] = "Airflow's metadata user"
    if pipeline in others:
        problems.append(
            f"IRM_PG_USER={pipeline} is {others[pipeline]}: the pipeline writes as its own role"
        )
    others[pipeline] = "the pipeline's role (IRM_PG_USER)"
    if bi in others:
        problems.append(f"IRM_BI_USER={bi} is {others[bi]}: BI tools read as a role of their own")
    if problems:
        raise WarehouseAccessError("; ".join(problems))


def setup_warehouse_access(access: WarehouseAccess) -> None:
    """Create or update both roles and the warehouse database, and grant as described above."""
    check_warehouse_access(access)
    with _connection(access.admin, "postgres", autocommit=True) as server:
        _refuse_superusers(server, [access.pipeline.user, access.bi_user])
        _ensure_login_role(server, access.pipeline.user, access.pipeline.password)
        _ensure_login_role(server, access.bi_user, access.bi_password)
        _ensure_database(server, access.admin.database)
    with _connection(access.admin, access.admin.database) as warehouse:
        _restrict_database(warehouse, access)
        _hand_over_to_pipeline(warehouse, access.pipeline.user)
    with _connection(access.pipeline, access.pipeline.database) as warehouse:
        _grant_as_pipeline(warehouse, access.bi_user)
    log.info(
        "warehouse %s: the pipeline writes as %s, BI reads %s as %s",
        access.admin.database,
        access.pipeline.user,
        BI_SCHEMA,
        access.bi_user,
    )


@contextmanager
def _connection(
    target: PostgresTarget, database: str, autocommit: bool = False
) -> Iterator[PgConnection]:
    """A psycopg2 connection whose work commits in one transaction (unless autocommit) when the
    block ends without an error, and which always closes."""
    con = connect_postgres(target, database)
    try:
        con.autocommit = autocommit
        if autocommit:
            yield con
        else:
            with con:  # commit, or roll back on an error
                yield con
    finally:
        con.close()


def _refuse_superusers(con: PgConnection, roles: list[str]) -> None:
    """Before changing anything: a role that exists as a superuser stays one and is refused."""
    with con.cursor() as cur:
        cur.execute("SELECT rolname FROM pg_roles WHERE rolsuper AND rolname = ANY(%s)", [roles])
        superusers = sorted(name for (name,) in cur.fetchall())
    if superusers:
        raise WarehouseAccessError(
            f"{', '.join(superusers)} is a superuser: the pipeline and BI tools need roles that "
            "can do only their part (set IRM_PG_USER / IRM_BI_USER to other names)"
        )


def _ensure_login_role(con: PgConnection, role: str, password: str) -> None:
    """A role that may log in with `password`; a new one gets no other attribute (not
    superuser, CREATEDB, CREATEROLE, REPLICATION nor BYPASSRLS)."""
    from psycopg2 import sql

    with con.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        verb = "ALTER" if cur.fetchone() else "CREATE"
        statement = sql.SQL(verb + " ROLE {} WITH LOGIN PASSWORD %s")
        cur.execute(statement.format(sql.Identifier(role)), [password])


def _ensure_database(con: PgConnection, database: str) -> None:
    from psycopg2 import sql

    with con.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if not cur.fetchone():
            # Outside a transaction: the connection is in autocommit.
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
            log.info("created the warehouse database %s", database)


def _restrict_database(con: PgConnection, access: WarehouseAccess) -> None:
    """Only the two roles (and superusers) may connect; only the pipeline may create schemas
    and temporary tables (the loader and dbt's incremental models use them); nobody may create
    anything in `public`."""
    from psycopg2 import sql

    ids = {
        "db": sql.Identifier(access.admin.database),
        "pipeline": sql.Identifier(access.pipeline.user),
        "bi": sql.Identifier(access.bi_user),
    }
    with con.cursor() as cur:
        for statement in (
            "REVOKE ALL ON DATABASE {db} FROM PUBLIC",
            "GRANT CONNECT, CREATE, TEMPORARY ON DATABASE {db} TO {pipeline}",
            "GRANT CONNECT ON DATABASE {db} TO {bi}",
            "REVOKE ALL ON SCHEMA public FROM PUBLIC",
        ):
            cur.execute(sql.SQL(statement).format(**ids))


def _hand_over_to_pipeline(con: PgConnection, pipeline: str) -> None:
    """Schemas and relations of the warehouse that another user built (an installation that
    wrote as Airflow's user before) pass to the pipeline's role, so it can keep loading and
    rebuilding them."""
    from psycopg2 import sql

    with con.cursor() as cur:
        cur.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s) "
            "AND nspowner <> (SELECT oid FROM pg_roles WHERE rolname = %s) ORDER BY 1",
            [list(WAREHOUSE_SCHEMAS), pipeline],
        )
        schemas = [name for (name,) in cur.fetchall()]
        cur.execute(
            "SELECT n.nspname, c.relname, c.relkind FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = ANY(%s) AND c.relkind = ANY(%s) "
            "AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = %s) "
            "ORDER BY 1, 2",
            [list(WAREHOUSE_SCHEMAS), list(_OWNED_RELATIONS), pipeline],
        )
        relations = cur.fetchall()
        owner = sql.Identifier(pipeline)
        for schema in schemas:
            cur.execute(
                sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(sql.Identifier(schema), owner)
            )
        for schema, name, kind in relations:
            statement = sql.SQL(f"ALTER {_OWNED_RELATIONS[kind]} {{}} OWNER TO {{}}")
            cur.execute(statement.format(sql.Identifier(schema, name), owner))
    if schemas or relations:
        log.info("handed %d schemas and %d relations to %s", len(schemas), len(relations), pipeline)


def _grant_as_pipeline(con: PgConnection, bi: str) -> None:
    """As the owner: the warehouse schemas exist, and the BI role reads `marts`, the tables in
    it now and the ones the pipeline's role creates later (dbt replaces a table by creating a
    new one and renaming it)."""
    from psycopg2 import sql

    reader = sql.Identifier(bi)
    marts = sql.Identifier(BI_SCHEMA)
    with con.cursor() as cur:
        for schema in WAREHOUSE_SCHEMAS:
            cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        for statement in (
            "GRANT USAGE ON SCHEMA {marts} TO {reader}",
            "GRANT SELECT ON ALL TABLES IN SCHEMA {marts} TO {reader}",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {marts} GRANT SELECT ON TABLES TO {reader}",
        ):
            cur.execute(sql.SQL(statement).format(marts=marts, reader=reader))
