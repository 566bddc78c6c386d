"""Run Airflow's own CLI for the local installation (the demo and the tests go through Airflow,
not around it)."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.config import (
    WAREHOUSE_POOL,
    Settings,
    WarehouseAccess,
    airflow_environment,
    get_settings,
    warehouse_access,
)
from extractors import registry
from extractors.connections import ApiCredentials
from warehouse.roles import WarehouseAccessError, check_warehouse_access, setup_warehouse_access


def _airflow_bin() -> Path:
    """`airflow` beside this Python (a venv), else on PATH (the official image installs it
    in the airflow user's ~/.local/bin)."""
    beside = Path(sys.executable).with_name("airflow")
    found = shutil.which("airflow")
    return beside if beside.exists() or not found else Path(found)


AIRFLOW_BIN = _airflow_bin()

# Pool name -> (slots, description): the warehouse's one-slot pool and each API source's own
# (its `PoolSpec`, sized to the API's rate limits).
POOLS = {
    WAREHOUSE_POOL: (1, "DuckDB has one writer: every task that writes the warehouse"),
    **{s.pool.name: (s.pool.slots, s.pool.description) for s in registry.SOURCES if s.pool},
}


class AirflowCommandError(RuntimeError):
    pass


@dataclass(frozen=True, repr=False)  # repr=False: a secret never reaches a log by accident
class PlatformSecrets:
    """The credentials a sandbox server accepts, one set per platform."""

    youtube_key: str
    instagram_token: str
    instagram_user_id: str
    tiktok_client_key: str
    tiktok_client_secret: str
    shop_token: str

    def values(self) -> list[str]:
        """Every secret value (for searching logs and files for leaks)."""
        return [
            self.youtube_key,
            self.instagram_token,
            self.tiktok_client_secret,
            self.shop_token,
        ]

    def connection_fields(self, source: str) -> dict[str, Any]:
        """What the source's connection to the sandbox holds: its `secret` (the password),
        and its `login` and `extra` where the source needs them."""
        return {
            "youtube": {"secret": self.youtube_key},
            "instagram": {
                "secret": self.instagram_token,
                "extra": {"ig_user_id": self.instagram_user_id},
            },
            "tiktok": {"secret": self.tiktok_client_secret, "login": self.tiktok_client_key},
            "shop": {"secret": self.shop_token},
        }[source]


def sandbox_credentials(base_url: str, secrets: PlatformSecrets) -> dict[str, ApiCredentials]:
    """Each API source's connection pointed at a sandbox server (the host is the API's base
    URL there, `<base_url>/<sandbox_path>`, exactly as for the real APIs), by source."""
    return {
        source.name: ApiCredentials(
            source.connection.id,
            f"{base_url}/{source.connection.sandbox_path}",
            **secrets.connection_fields(source.name),
        )
        for source in registry.api_sources()
        if source.connection is not None
    }


def sandbox_connections(base_url: str, secrets: PlatformSecrets) -> dict[str, str]:
    """`AIRFLOW_CONN_*` variables pointing every `irm_*` platform connection at a sandbox
    server."""
    variables = {}
    for credentials in sandbox_credentials(base_url, secrets).values():
        fields = {"conn_type": "http", "host": credentials.base_url, "password": credentials.secret}
        if credentials.login:
            fields["login"] = credentials.login
        if credentials.extra:
            fields["extra"] = credentials.extra
        variables[f"AIRFLOW_CONN_{credentials.connection_id.upper()}"] = json.dumps(fields)
    return variables


def run_airflow(
    args: Sequence[str],
    settings: Settings,
    extra_env: Mapping[str, str] | None = None,
    log_file: Path | None = None,
    on_line: Callable[[str], None] | None = None,
) -> None:
    """Run `airflow <args>`; on failure raise with the tail of its output. Its output goes to
    `log_file` as it comes, and each line to `on_line` (e.g. to report finished tasks)."""
    _run_with_airflow_settings(
        [str(AIRFLOW_BIN), *args],
        f"airflow {' '.join(args)}",
        settings,
        extra_env,
        log_file,
        on_line,
    )


def _run_with_airflow_settings(
    command: Sequence[str],
    what: str,
    settings: Settings,
    extra_env: Mapping[str, str] | None = None,
    log_file: Path | None = None,
    on_line: Callable[[str], None] | None = None,
) -> None:
    """Run `command` with the local Airflow settings overridden by `extra_env`; on failure
    raise with the tail of its output."""
    env = airflow_process_env(settings, extra_env)
    returncode, output = stream_output(list(command), env, log_file, on_line)
    if returncode != 0 or _dag_run_failed(command[1:], output):
        tail = "\n".join(output.splitlines()[-40:])
        where = f" (full log: {log_file})" if log_file else ""
        raise AirflowCommandError(f"{what} failed{where}:\n{tail}")


def airflow_process_env(settings: Settings, extra_env: Mapping[str, str] | None) -> dict[str, str]:
    """The environment of an Airflow process of the local installation: this one's, the local
    Airflow settings, then `extra_env` (the connections, a crash hook); its home exists."""
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    return {**os.environ, **airflow_environment(settings), **(extra_env or {})}


def stream_output(
    command: Sequence[str],
    env: Mapping[str, str],
    log_file: Path | None = None,
    on_line: Callable[[str], None] | None = None,
) -> tuple[int, str]:
    """Run `command`; its output (stdout and stderr, in the order written) goes to `log_file`
    line by line as it comes, so a long run can be followed while it runs, and each line to
    `on_line`. Returns the exit code and the whole output."""
    lines: list[str] = []
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
    with (
        open(log_file, "w") if log_file is not None else contextlib.nullcontext() as log,
        subprocess.Popen(
            list(command), env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, errors="replace", bufsize=1,
        ) as proc,
    ):  # fmt: skip
        for line in proc.stdout or ():
            lines.append(line)
            if log is not None:
                log.write(line)
                log.flush()
            if on_line is not None:
                on_line(line.rstrip("\n"))
    return proc.returncode, "".join(lines)


def prepare(settings: Settings, log_dir: Path, extra_env: Mapping[str, str] | None = None) -> None:
    """Migrate the metadata database (with the FAB auth manager configured, its user and role
    tables too) and create or update the pools (both idempotent), in one Airflow process
    (irm.airflow_commands: one start-up, not two). `extra_env` overrides the local defaults
    (e.g. `config.cluster_airflow_environment`)."""
    pools = {name: {"slots": slots, "description": text} for name, (slots, text) in POOLS.items()}
    with tempfile.TemporaryDirectory(prefix="irm-pools-") as folder:
        path = Path(folder) / "pools.json"
        path.write_text(json.dumps(pools))
        commands = ["db migrate", f"pools import {shlex.quote(str(path))}"]
        _run_with_airflow_settings(
            [sys.executable, "-m", "irm.airflow_commands", *commands],
            "airflow db migrate; airflow pools import",
            settings,
            extra_env,
            log_file=log_dir / "prepare.log",
        )


def _dag_run_failed(args: Sequence[str], output: str) -> bool:
    """`airflow dags test` can exit 0 after a failed run: read the run's final state."""
    if list(args[:2]) != ["dags", "test"]:
        return False
    finished = [line for line in output.splitlines() if "DagRun Finished" in line]
    return not finished or "state=success" not in finished[-1]


# --- The production init step (docker-compose.yml's airflow-init; tests/production) ----------

ADMIN_PASSWORD_VAR = "IRM_ADMIN_PASSWORD"
ADMIN_USER_VAR = "IRM_ADMIN_USER"
DEFAULT_ADMIN_USER = "admin"
# The FAB auth manager's role with every permission (the others: Op, User, Viewer, Public).
ADMIN_ROLE = "Admin"


def connection_ids() -> list[str]:
    """Every connection the pipeline reads: each API source's, and the export email's."""
    # Imported here: the exports package (workbook, report) is heavy for every `irm` command.
    from exports.mail import SMTP_CONNECTION_ID

    sources = [s.connection.id for s in registry.api_sources() if s.connection is not None]
    return [*sources, SMTP_CONNECTION_ID]


def connections_from_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The `irm_*` connections given as `AIRFLOW_CONN_IRM_…` variables (JSON or URI), by id."""
    found = {}
    for conn_id in connection_ids():
        value = environ.get(f"AIRFLOW_CONN_{conn_id.upper()}", "").strip()
        if value:
            found[conn_id] = value
    return found


def import_connections(
    settings: Settings, connections: Mapping[str, str], extra_env: Mapping[str, str] | None = None
) -> None:
    """Store connections in the metadata database (passwords encrypted with the Fernet key),
    replacing same-named ones. Through a private file, so no secret appears in a process
    list."""
    if not connections:
        return
    parsed = {
        conn_id: json.loads(value) if value.startswith("{") else value
        for conn_id, value in connections.items()
    }
    with tempfile.TemporaryDirectory(prefix="irm-connections-") as folder:
        path = Path(folder) / "connections.json"
        path.touch(mode=0o600)
        path.write_text(json.dumps(parsed))
        run_airflow(["connections", "import", "--overwrite", str(path)], settings, extra_env)


def ensure_admin_user(
    settings: Settings, username: str, password: str, extra_env: Mapping[str, str] | None = None
) -> None:
    """Create the FAB auth manager's admin user, or give an existing one the Admin role and
    this password again (so .env stays the truth). In a child process with the cluster's
    Airflow settings: the password travels in its environment, never in its arguments, output
    or logs, and is stored hashed in the metadata database."""
    credentials = {ADMIN_USER_VAR: username, ADMIN_PASSWORD_VAR: password}
    _run_with_airflow_settings(
        [sys.executable, "-m", "irm.airflow_cli", "admin-user"],
        f"creating the admin user {username}",
        settings,
        {**(extra_env or {}), **credentials},
    )


def set_fab_admin(username: str, password: str) -> str:
    """In a process configured for the cluster: the admin user with FAB's Admin role and
    `password`; returns "created" or "updated"."""
    from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder

    with get_application_builder() as appbuilder:
        security = appbuilder.sm
        role = security.find_role(ADMIN_ROLE)
        if role is None:
            raise SystemExit(f"the FAB auth manager has no {ADMIN_ROLE} role: migrate first")
        user = security.find_user(username=username)
        if user is None:
            email = f"{username}@localhost"  # FAB needs one; the admin may change it in the UI
            if not security.add_user(username, "Airflow", "Admin", email, role, password):
                raise SystemExit(f"the FAB auth manager did not create the user {username}")
            return "created"
        user.roles = [role]
        user.active = True
        security.update_user(user)
        if not security.reset_password(user.id, password):
            raise SystemExit(f"the FAB auth manager did not set the password of {username}")
        return "updated"


def warehouse_access_to_set_up(
    settings: Settings, airflow_settings: Mapping[str, str]
) -> WarehouseAccess | None:
    """For the Postgres warehouse target, its roles (warehouse.roles), checked before anything
    is migrated: the pipeline's role and the BI role must be their own, with passwords."""
    if settings.dbt_target != "postgres":
        return None
    from sqlalchemy.engine import make_url

    metadata_url = airflow_settings.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    access = warehouse_access()
    try:
        check_warehouse_access(access, make_url(metadata_url).username if metadata_url else None)
    except WarehouseAccessError as exc:
        raise SystemExit(f"the Postgres warehouse's roles: {exc}") from None
    return access


def init_cluster(environ: Mapping[str, str], settings: Settings | None = None) -> None:
    """The production init step, run once before the Airflow services start (idempotent):
    migrate the metadata database (FAB's tables included), create the pools, import the `irm_*`
    connections given as `AIRFLOW_CONN_IRM_…`, create the FAB admin user (IRM_ADMIN_USER,
    default admin, with IRM_ADMIN_PASSWORD) and, for the Postgres warehouse target, create its
    database and roles (`warehouse.roles`: the pipeline's own role, the read-only BI role).

    The Airflow settings in `environ` (AIRFLOW_HOME, AIRFLOW__…) win over the local defaults;
    the warehouse's settings (IRM_PG_*, IRM_BI_*) are read as `get_settings` reads its own."""
    settings = settings or get_settings()
    password = environ.get(ADMIN_PASSWORD_VAR, "")
    if not password:
        raise SystemExit(f"{ADMIN_PASSWORD_VAR} is not set: put the admin's password in .env")
    overrides = {k: v for k, v in environ.items() if k.startswith("AIRFLOW")}
    access = warehouse_access_to_set_up(settings, overrides)
    prepare(settings, settings.data_root / "logs" / "init", overrides)
    import_connections(settings, connections_from_environment(environ), overrides)
    admin = environ.get(ADMIN_USER_VAR) or DEFAULT_ADMIN_USER
    ensure_admin_user(settings, admin, password, overrides)
    if access is not None:
        setup_warehouse_access(access)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m irm.airflow_cli init`: the production init step (see `init_cluster`).
    `admin-user` is its step that runs with the cluster's settings (see `ensure_admin_user`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["admin-user"]:
        username = os.environ.get(ADMIN_USER_VAR) or DEFAULT_ADMIN_USER
        done = set_fab_admin(username, os.environ[ADMIN_PASSWORD_VAR])
        print(f"admin user {username} {done} with the {ADMIN_ROLE} role")
        return 0
    if args != ["init"]:
        print("usage: python -m irm.airflow_cli init", file=sys.stderr)
        return 2
    init_cluster(os.environ)
    print("airflow init: metadata migrated, pools, connections and the admin user set")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
