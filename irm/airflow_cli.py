"""Run Airflow's own CLI for the local installation (the demo and the tests go through Airflow,
not around it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from irm.config import (
    CONNECTION_IDS,
    PLATFORM_POOLS,
    WAREHOUSE_POOL,
    Settings,
    airflow_environment,
    get_settings,
)


def _airflow_bin() -> Path:
    """`airflow` beside this Python (a venv), else on PATH (the official image installs it
    in the airflow user's ~/.local/bin)."""
    beside = Path(sys.executable).with_name("airflow")
    found = shutil.which("airflow")
    return beside if beside.exists() or not found else Path(found)


AIRFLOW_BIN = _airflow_bin()

POOLS = {
    WAREHOUSE_POOL: (1, "DuckDB has one writer: every task that writes the warehouse"),
    PLATFORM_POOLS["youtube"]: (2, "YouTube Data API calls (quota 10,000 units/day)"),
    PLATFORM_POOLS["instagram"]: (1, "Instagram Graph API (rate limited per app and account)"),
    PLATFORM_POOLS["tiktok"]: (1, "TikTok Research API (1,000 requests/day)"),
    PLATFORM_POOLS["shop"]: (1, "Shop Admin REST API (leaky bucket of 40 calls)"),
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


def sandbox_connections(base_url: str, secrets: PlatformSecrets) -> dict[str, str]:
    """`AIRFLOW_CONN_*` variables pointing every `irm_*` platform connection at a sandbox
    server (the host is each API's base URL, exactly as for the real APIs)."""
    connections = {
        "IRM_YOUTUBE": {"host": f"{base_url}/youtube/v3", "password": secrets.youtube_key},
        "IRM_INSTAGRAM": {
            "host": f"{base_url}/instagram/v25.0",
            "password": secrets.instagram_token,
            "extra": {"ig_user_id": secrets.instagram_user_id},
        },
        "IRM_TIKTOK": {
            "host": f"{base_url}/tiktok",
            "login": secrets.tiktok_client_key,
            "password": secrets.tiktok_client_secret,
        },
        "IRM_SHOP": {
            "host": f"{base_url}/shop/admin/api/2025-01",
            "password": secrets.shop_token,
        },
    }
    return {
        f"AIRFLOW_CONN_{name}": json.dumps({"conn_type": "http", **fields})
        for name, fields in connections.items()
    }


def run_airflow(
    args: Sequence[str],
    settings: Settings,
    extra_env: Mapping[str, str] | None = None,
    log_file: Path | None = None,
) -> None:
    """Run `airflow <args>`; on failure raise with the tail of its output."""
    env = {**os.environ, **airflow_environment(settings), **(extra_env or {})}
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [str(AIRFLOW_BIN), *args], env=env, capture_output=True, text=True, check=False
    )
    output = proc.stdout + proc.stderr
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        log_file.write_text(output)
    if proc.returncode != 0 or _dag_run_failed(args, output):
        tail = "\n".join(output.splitlines()[-40:])
        where = f" (full log: {log_file})" if log_file else ""
        raise AirflowCommandError(f"airflow {' '.join(args)} failed{where}:\n{tail}")


def prepare(settings: Settings, log_dir: Path, extra_env: Mapping[str, str] | None = None) -> None:
    """Migrate the metadata database and create the pools (both idempotent). `extra_env`
    overrides the local defaults (e.g. `config.cluster_airflow_environment`)."""
    run_airflow(["db", "migrate"], settings, extra_env, log_file=log_dir / "db_migrate.log")
    for name, (slots, description) in POOLS.items():
        run_airflow(["pools", "set", name, str(slots), description], settings, extra_env)


def _dag_run_failed(args: Sequence[str], output: str) -> bool:
    """`airflow dags test` can exit 0 after a failed run: read the run's final state."""
    if list(args[:2]) != ["dags", "test"]:
        return False
    finished = [line for line in output.splitlines() if "DagRun Finished" in line]
    return not finished or "state=success" not in finished[-1]


# --- The production init step (docker-compose.yml's airflow-init; tests/production) ----------

ADMIN_PASSWORD_VAR = "IRM_ADMIN_PASSWORD"


def connections_from_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The `irm_*` connections given as `AIRFLOW_CONN_IRM_…` variables (JSON or URI), by id."""
    found = {}
    for conn_id in CONNECTION_IDS.values():
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


def write_passwords_file(path: Path, passwords: Mapping[str, str]) -> None:
    """The simple auth manager's password file ({"user": "password"}), readable by its owner
    only. The API server reads it; users missing from it get a generated password."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(json.dumps(dict(passwords)) + "\n")


def admin_user(users: str) -> str:
    """The first user with the admin role in a simple auth manager list ("name:role,…")."""
    for entry in users.split(","):
        name, _, role = entry.strip().partition(":")
        if role.split(":")[0] == "admin":
            return name
    raise ValueError(f"no admin user in {users!r}")


def init_cluster(environ: Mapping[str, str], settings: Settings | None = None) -> None:
    """The production init step, run once before the Airflow services start (idempotent):
    migrate the metadata database, create the pools, import the `irm_*` connections given as
    `AIRFLOW_CONN_IRM_…`, write the admin's password (IRM_ADMIN_PASSWORD) for the simple auth
    manager and, for the Postgres warehouse target, create its database.

    The Airflow settings in `environ` (AIRFLOW_HOME, AIRFLOW__…) win over the local defaults."""
    settings = settings or get_settings()
    password = environ.get(ADMIN_PASSWORD_VAR, "")
    if not password:
        raise SystemExit(f"{ADMIN_PASSWORD_VAR} is not set: put the admin's password in .env")
    overrides = {k: v for k, v in environ.items() if k.startswith("AIRFLOW")}
    prepare(settings, settings.data_root / "logs" / "init", overrides)
    import_connections(settings, connections_from_environment(environ), overrides)
    users = overrides.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "admin:admin")
    passwords_file = overrides.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE")
    if not passwords_file:
        raise SystemExit("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE is not set")
    write_passwords_file(Path(passwords_file), {admin_user(users): password})
    if settings.dbt_target == "postgres":
        from irm.warehouse import ensure_postgres_database

        ensure_postgres_database()


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m irm.airflow_cli init`: the production init step (see `init_cluster`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args != ["init"]:
        print("usage: python -m irm.airflow_cli init", file=sys.stderr)
        return 2
    init_cluster(os.environ)
    print("airflow init: metadata migrated, pools, connections and admin password set")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
