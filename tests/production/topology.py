"""The production topology as processes on this machine: Airflow services started as
subprocesses (each in its own process group, with its own log file), stopped by process group,
and a small authenticated client of the REST API v2."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import requests

from core.config import PostgresTarget, WarehouseAccess
from irm.airflow_cli import AIRFLOW_BIN

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# The Redis database the tests use as Celery broker; each run also has its own queue in it.
REDIS_DB = 13
TERMINAL_RUN_STATES = {"success", "failed"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unreachable(host: str, port: int) -> str | None:
    """Why a TCP service cannot be reached, or None when it answers."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return None
    except OSError as exc:
        return f"{host}:{port} is unreachable ({exc})"


def missing_services() -> str | None:
    """The reason to skip when the machine's Postgres or Redis is absent (CI has both)."""
    for name, host, port in (("Postgres", PG_HOST, PG_PORT), ("Redis", REDIS_HOST, REDIS_PORT)):
        reason = unreachable(host, port)
        if reason:
            return f"the production topology needs {name}: {reason}"
    return None


def postgres_url(database: str, driver: str = "postgresql") -> str:
    return f"{driver}://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


def create_database(prefix: str) -> str:
    """A fresh database with a unique name (trust auth as user postgres)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    _as_server_admin(f'CREATE DATABASE "{name}"')
    return name


def drop_database(name: str) -> None:
    _as_server_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _as_server_admin(statement: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE need that) as postgres."""
    import psycopg2

    con = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres")
    try:
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(statement)
    finally:
        con.close()


@contextlib.contextmanager
def fresh_warehouse(prefix: str) -> Iterator[WarehouseAccess]:
    """A fresh warehouse database with a pipeline role and a BI role of its own (roles are
    server-wide: a unique suffix keeps parallel test runs apart), not yet set up; user postgres
    is the admin. The database and then the roles are dropped afterwards."""
    database = create_database(prefix)
    tag = database.rsplit("_", 1)[-1]
    admin = PostgresTarget(PG_HOST, PG_PORT, PG_USER, "", database)
    access = WarehouseAccess(
        admin=admin,
        pipeline=replace(admin, user=f"irm_pipeline_{tag}", password=secrets.token_urlsafe(16)),
        bi_user=f"irm_bi_{tag}",
        bi_password=secrets.token_urlsafe(16),
    )
    try:
        yield access
    finally:
        drop_database(database)
        drop_roles(access.pipeline.user, access.bi_user)


def drop_roles(*roles: str) -> None:
    import psycopg2
    from psycopg2 import sql

    con = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres")
    try:
        con.autocommit = True
        with con.cursor() as cur:
            for role in roles:
                cur.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
    finally:
        con.close()


def pipeline_environment(access: WarehouseAccess) -> dict[str, str]:
    """The IRM_PG_* variables that make the loader and dbt connect as the pipeline's role."""
    target = access.pipeline
    return {
        "IRM_PG_HOST": target.host,
        "IRM_PG_PORT": str(target.port),
        "IRM_PG_USER": target.user,
        "IRM_PG_PASSWORD": target.password,
        "IRM_PG_DATABASE": target.database,
    }


def connect_as(role: str, database: str):
    """A connection as `role` (the machine's server trusts local connections, so the grants,
    not the password, decide what the role may do)."""
    import psycopg2

    return psycopg2.connect(host=PG_HOST, port=PG_PORT, user=role, dbname=database)


def run_as(role: str, database: str, *statements: str) -> list[tuple]:
    """Run statements in one transaction as `role`; the rows of the last one."""
    con = connect_as(role, database)
    try:
        with con, con.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
            return cur.fetchall() if cur.description else []
    finally:
        con.close()


def tables_in(access: WarehouseAccess, schema: str) -> list[str]:
    rows = run_as(
        access.admin.user,
        access.admin.database,
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE n.nspname = '{schema}' AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY 1",
    )
    return [name for (name,) in rows]


def assert_bi_reads_every_mart(access: WarehouseAccess) -> list[str]:
    """Every table and view of `marts` answers the BI role with the rows the admin sees."""
    marts = tables_in(access, "marts")
    assert marts, "no marts to read"
    database = access.admin.database
    for mart in marts:
        count = f'SELECT count(*) FROM marts."{mart}"'
        as_bi = run_as(access.bi_user, database, count)
        assert as_bi == run_as(access.admin.user, database, count), mart
    return marts


def tail(path: Path, lines: int = 40) -> str:
    if not path.is_file():
        return f"({path} does not exist)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Service:
    name: str
    process: subprocess.Popen
    log: Path


@dataclass
class Services:
    """Airflow services started by this test; `stop_all` stops each one's process group."""

    log_dir: Path
    env: Mapping[str, str]
    running: list[Service] = field(default_factory=list)

    def start(self, name: str, *args: str) -> Service:
        log = self.log_dir / f"{name}.log"
        with log.open("ab") as out:
            # A session of its own: the service's children (gunicorn/uvicorn workers, Celery
            # pool processes, task supervisors) share its process group and stop with it.
            process = subprocess.Popen(
                [str(AIRFLOW_BIN), *args],
                env=dict(self.env),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        service = Service(name, process, log)
        self.running.append(service)
        return service

    def check_alive(self) -> None:
        for service in self.running:
            if service.process.poll() is not None:
                raise AssertionError(
                    f"{service.name} exited with {service.process.returncode}:\n{tail(service.log)}"
                )

    def log_tails(self, lines: int = 25) -> str:
        return "\n".join(f"--- {s.name} ---\n{tail(s.log, lines)}" for s in self.running)

    def stop_all(self, grace_seconds: float = 30) -> None:
        """SIGTERM to every process group (newest first), then SIGKILL what is left."""
        for service in reversed(self.running):
            _signal_group(service.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_seconds
        for service in reversed(self.running):
            with contextlib.suppress(subprocess.TimeoutExpired):
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            # Children that outlive the leader (a task supervisor, a pool process) as well.
            _signal_group(service.process.pid, signal.SIGKILL)
            service.process.wait()
        self.running.clear()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


class ApiClient:
    """The REST API v2 with a JWT from /auth/token (the FAB auth manager's user and password)."""

    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base_url = base_url
        response = requests.post(
            f"{base_url}/auth/token", json={"username": username, "password": password}, timeout=30
        )
        response.raise_for_status()
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session.request(method, f"{self.base_url}{path}", timeout=30, **kwargs)
        if response.status_code >= 400:
            raise AssertionError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    def dag_run(self, dag_id: str, run_id: str) -> dict[str, Any]:
        return self.request("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        page = self.request(
            "GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 500}
        )
        return page["task_instances"]


def wait_for(
    what: str,
    check: Callable[[], Any],
    timeout: float,
    services: Services,
    interval: float = 2.0,
) -> Any:
    """Poll `check` until it returns a truthy value; fail early when a service died."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        services.check_alive()
        try:
            result = check()
            if result:
                return result
        except (requests.RequestException, AssertionError, KeyError) as exc:
            last_error = exc
        time.sleep(interval)
    raise AssertionError(
        f"timed out after {timeout:.0f} s waiting for {what} (last error: {last_error})\n"
        f"{services.log_tails()}"
    )
