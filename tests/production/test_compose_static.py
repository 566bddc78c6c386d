"""docker-compose.yml read as data and checked against the code it deploys: the services of
the production topology, one image and one environment for every Airflow service, the settings
the tested topology (`core.config.cluster_airflow_environment`) relies on, secrets only from
.env, health checks, the shared data volume, the pools and connections of the init step, and
access control (SPEC 9): the FAB auth manager, the UI published on localhost only, the pipeline's
own Postgres role and the BI role's password reaching the init step alone."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pytest
import yaml

from core.config import (
    FAB_AUTH_MANAGER,
    REPO_ROOT,
    WAREHOUSE_POOL,
    ClusterSettings,
    cluster_airflow_environment,
    get_settings,
)
from extractors import registry
from irm.airflow_cli import POOLS, connection_ids

COMPOSE = REPO_ROOT / "docker-compose.yml"
AIRFLOW_SERVICES = {
    "airflow-init": None,
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
    "airflow-worker": "celery worker",
}
# Variables that must come from .env: a secret written into the compose file would be shared
# by every checkout.
SECRET_SETTINGS = {
    "AIRFLOW__API_AUTH__JWT_SECRET": "AIRFLOW_JWT_SECRET",
    "AIRFLOW__API__SECRET_KEY": "AIRFLOW_API_SECRET_KEY",
    "AIRFLOW__CORE__FERNET_KEY": "AIRFLOW_FERNET_KEY",
}


# Settings whose values name places, addresses, secrets or sizes of one deployment.
MACHINE_SPECIFIC = {
    "AIRFLOW_HOME",
    "AIRFLOW_CONFIG",
    "AIRFLOW__CORE__DAGS_FOLDER",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__CELERY__BROKER_URL",
    "AIRFLOW__CELERY__RESULT_BACKEND",
    "AIRFLOW__CELERY__WORKER_CONCURRENCY",
    "AIRFLOW__CORE__PARALLELISM",
    "AIRFLOW__OPERATORS__DEFAULT_QUEUE",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
    "AIRFLOW__API__HOST",
    "AIRFLOW__API__PORT",
    "AIRFLOW__COSMOS__CACHE_DIR",
    *SECRET_SETTINGS,
    "IRM_DATA_ROOT",
    "IRM_WAREHOUSE_PATH",
    "IRM_PUBLISHED_PATH",
    "IRM_CRM_INBOX",
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def common_env(compose) -> dict[str, str]:
    return compose["x-airflow-common"]["environment"]


def env_of(compose, service: str) -> dict[str, str]:
    return compose["services"][service]["environment"]


def data_root(common_env) -> str:
    return common_env["IRM_DATA_ROOT"]


def test_every_service_of_the_topology_is_there(compose) -> None:
    assert {"postgres", "redis", *AIRFLOW_SERVICES} <= set(compose["services"])
    for service, command in AIRFLOW_SERVICES.items():
        if command:
            assert compose["services"][service]["command"] == command, service


def test_airflow_services_share_one_image_and_one_environment(compose, common_env) -> None:
    common = compose["x-airflow-common"]
    for service in AIRFLOW_SERVICES:
        spec = compose["services"][service]
        assert (spec["image"], spec["build"]) == (common["image"], common["build"]), service
        env = env_of(compose, service)
        assert {k: env.get(k) for k in common_env} == common_env, service


def test_the_topology_is_celery_on_postgres_and_redis(common_env) -> None:
    assert common_env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert re.match(r"postgresql\+psycopg2://\w+:.+@postgres:5432/\w+$", common_env[
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"
    ])  # fmt: skip
    assert common_env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:6379/")
    assert common_env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://")
    assert common_env["AIRFLOW__CELERY__RESULT_BACKEND"].endswith("@postgres:5432/airflow")
    api_port = common_env["AIRFLOW__API__PORT"]
    assert common_env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == (
        f"http://airflow-apiserver:{api_port}/execution/"
    )


def test_compose_sets_every_setting_the_tested_topology_relies_on(common_env) -> None:
    """The local run of the topology (tests/production) and compose configure the same keys;
    values that name places on this machine differ, the rest must match."""
    cluster = ClusterSettings(
        metadata_url="m", broker_url="b", result_backend="r", api_host="h", api_port=1,
        jwt_secret="j", api_secret_key="k", fernet_key="f",
    )  # fmt: skip
    tested = cluster_airflow_environment(cluster, get_settings())
    assert set(tested) <= set(common_env), sorted(set(tested) - set(common_env))
    same = {k: v for k, v in tested.items() if k not in MACHINE_SPECIFIC}
    assert {k: common_env[k] for k in same} == same


def test_secrets_come_from_the_env_file(compose, common_env) -> None:
    for setting, variable in SECRET_SETTINGS.items():
        # ${VAR:?…}: compose refuses to start while .env leaves it empty.
        assert common_env[setting] == f"${{{variable}:?set {variable} in .env}}", setting
    for url in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CELERY__RESULT_BACKEND"):
        assert "${POSTGRES_PASSWORD" in common_env[url], url
    assert "${POSTGRES_PASSWORD:?" in env_of(compose, "postgres")["POSTGRES_PASSWORD"]
    example = (REPO_ROOT / ".env.example").read_text()
    for variable in [*SECRET_SETTINGS.values(), "POSTGRES_PASSWORD", "IRM_ADMIN_PASSWORD"]:
        assert re.search(rf"^{variable}=$", example, re.MULTILINE), f"{variable} in .env.example"
    ignored = (REPO_ROOT / ".gitignore").read_text().split()
    assert ".env" in ignored


def test_authentication_is_the_fab_auth_manager_with_a_real_password(compose, common_env) -> None:
    """Users and roles of the FAB auth manager; never the simple auth manager, which Airflow
    documents as not for production, and no anonymous role."""
    assert common_env["AIRFLOW__CORE__AUTH_MANAGER"] == FAB_AUTH_MANAGER
    for name, spec in compose["services"].items():
        settings = " ".join(f"{k}={v}" for k, v in (spec.get("environment") or {}).items())
        assert "simple_auth_manager" not in settings.lower(), name
        assert "AUTH_ROLE_PUBLIC" not in settings, name
    init_env = env_of(compose, "airflow-init")
    assert init_env["IRM_ADMIN_PASSWORD"].startswith("${IRM_ADMIN_PASSWORD:?")
    # The admin's password reaches the init step only (it is stored hashed in the metadata DB).
    for service in AIRFLOW_SERVICES:
        if service != "airflow-init":
            assert "IRM_ADMIN_PASSWORD" not in env_of(compose, service), service
    # The provider is a pinned dependency, so the image has it.
    dependencies = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert "apache-airflow-providers-fab" in dependencies["dependencies"]
    constraints = (REPO_ROOT / "constraints" / "constraints-3.11.txt").read_text()
    assert re.search(r"^apache-airflow-providers-fab==\S+$", constraints, re.MULTILINE)


def test_the_ui_is_published_on_localhost_unless_the_operator_changes_it(compose) -> None:
    """Only the API server publishes a port, on IRM_UI_BIND (default 127.0.0.1); exposing it is
    the operator's choice, behind TLS (docs/production.md)."""
    published = {
        name: spec["ports"] for name, spec in compose["services"].items() if "ports" in spec
    }
    assert published == {"airflow-apiserver": ["${IRM_UI_BIND:-127.0.0.1}:8080:8080"]}
    example = (REPO_ROOT / ".env.example").read_text()
    assert re.search(r"^IRM_UI_BIND=127\.0\.0\.1$", example, re.MULTILINE)
    production = (REPO_ROOT / "docs" / "production.md").read_text()
    assert "IRM_UI_BIND" in production and "proxy_pass http://127.0.0.1:8080" in production


def test_the_pipeline_writes_the_warehouse_as_its_own_role(compose, common_env) -> None:
    """Not as Airflow's metadata user (the server's superuser in compose): the init step creates
    the pipeline role and the BI role with the admin's credentials, which only it receives."""
    metadata_user = re.match(
        r"postgresql\+psycopg2://(\w+):", common_env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    ).group(1)
    server_user = env_of(compose, "postgres")["POSTGRES_USER"]
    pipeline_user = common_env["IRM_PG_USER"]
    assert pipeline_user not in {metadata_user, server_user}
    assert common_env["IRM_PG_PASSWORD"] == "${IRM_PG_PASSWORD:-}"
    init_env = env_of(compose, "airflow-init")
    assert init_env["IRM_PG_ADMIN_USER"] == server_user
    assert init_env["IRM_PG_ADMIN_PASSWORD"] == "${POSTGRES_PASSWORD}"
    assert init_env["IRM_BI_PASSWORD"] == "${IRM_BI_PASSWORD:-}"
    for service in AIRFLOW_SERVICES:
        if service != "airflow-init":
            env = env_of(compose, service)
            assert not {"IRM_PG_ADMIN_USER", "IRM_PG_ADMIN_PASSWORD", "IRM_BI_PASSWORD"} & set(
                env
            ), service
    example = (REPO_ROOT / ".env.example").read_text()
    for variable in ("IRM_PG_PASSWORD", "IRM_BI_PASSWORD"):
        assert re.search(rf"^{variable}=$", example, re.MULTILINE), f"{variable} in .env.example"


def test_every_long_running_service_has_a_health_check(compose) -> None:
    for name, spec in compose["services"].items():
        if name == "airflow-init" or spec.get("restart") == "no":
            continue  # one-shot: the others wait for it to complete successfully
        assert spec.get("healthcheck", {}).get("test"), f"{name} has no health check"
    for service in AIRFLOW_SERVICES:
        if service != "airflow-init":
            depends = compose["services"][service]["depends_on"]
            assert depends["airflow-init"] == {"condition": "service_completed_successfully"}
            assert depends["postgres"] == {"condition": "service_healthy"}


def test_the_data_volume_and_the_dags_are_mounted_in_every_airflow_service(
    compose, common_env
) -> None:
    dags_folder = common_env["AIRFLOW__CORE__DAGS_FOLDER"]
    for service in AIRFLOW_SERVICES:
        volumes = compose["services"][service]["volumes"]
        assert f"irm-data:{data_root(common_env)}" in volumes, service
        assert f"./dags:{dags_folder}:ro" in volumes, service
    assert "irm-data" in compose["volumes"]
    for path_var in ("IRM_WAREHOUSE_PATH", "IRM_PUBLISHED_PATH", "IRM_CRM_INBOX", "AIRFLOW_HOME"):
        assert common_env[path_var].startswith(data_root(common_env) + "/"), path_var


def test_workers_can_be_scaled(compose) -> None:
    worker = compose["services"]["airflow-worker"]
    assert "container_name" not in worker and "ports" not in worker


def test_the_api_port_is_the_one_the_docs_give(compose, common_env) -> None:
    port = common_env["AIRFLOW__API__PORT"]
    ports = compose["services"]["airflow-apiserver"]["ports"]
    assert [p.split(":")[-2:] for p in ports] == [[port, port]]
    for doc in ("README.md", "docs/production.md"):
        assert f"localhost:{port}" in (REPO_ROOT / doc).read_text(), doc


def test_init_creates_the_pools_and_connections_of_the_configuration(compose) -> None:
    init = compose["services"]["airflow-init"]
    assert init["command"] == ["python", "-m", "irm.airflow_cli", "init"]
    # irm.airflow_cli.init_cluster creates POOLS: the one-slot warehouse pool and a pool for
    # each platform API.
    assert POOLS[WAREHOUSE_POOL][0] == 1
    assert {s.pool.name for s in registry.SOURCES if s.pool} <= set(POOLS)
    # …and imports each connection of the configuration that .env sets.
    init_env = env_of(compose, "airflow-init")
    for conn_id in connection_ids():
        variable = f"AIRFLOW_CONN_{conn_id.upper()}"
        assert init_env.get(variable) == f"${{{variable}:-}}", variable
    # Connections never reach the long-running services as variables (they read the database).
    for service in AIRFLOW_SERVICES:
        if service != "airflow-init":
            assert not any(k.startswith("AIRFLOW_CONN_") for k in env_of(compose, service))


def test_the_image_is_the_pinned_airflow_with_the_constraints_file() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    constraints = (REPO_ROOT / "constraints" / "constraints-3.11.txt").read_text()
    pinned = re.search(r"^apache-airflow==(\S+)$", constraints, re.MULTILINE).group(1)
    assert f"ARG AIRFLOW_VERSION={pinned}\n" in dockerfile
    assert "FROM apache/airflow:${AIRFLOW_VERSION}-python3.11" in dockerfile
    assert "--constraint constraints/constraints-3.11.txt" in dockerfile
    ignored = (REPO_ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", "data"} <= set(ignored)


def test_the_warehouse_target_is_configurable(compose, common_env) -> None:
    assert common_env["IRM_DBT_TARGET"] == "${IRM_DBT_TARGET:-duckdb}"
    assert common_env["IRM_PG_HOST"] == "postgres"
    profiles = yaml.safe_load((REPO_ROOT / "dbt_project" / "profiles.yml").read_text())
    outputs = profiles["irm"]["outputs"]
    assert {"duckdb", "postgres"} <= set(outputs)
    # dbt connects as the pipeline's role, as the loader does (core.config.postgres_target).
    for setting in (
        "IRM_PG_HOST",
        "IRM_PG_PORT",
        "IRM_PG_USER",
        "IRM_PG_PASSWORD",
        "IRM_PG_DATABASE",
    ):
        assert setting in str(outputs["postgres"]), setting
        assert setting in common_env, setting


def test_a_worker_imports_the_dbt_libraries_before_it_forks(common_env) -> None:
    """With compose's environment, the Celery app a worker starts lists irm.worker_preload in
    its `imports`, and importing them loads dbt and cosmos: every task process the worker forks
    inherits them instead of importing them again (about 1.5 s of each dbt task)."""
    import json
    import os
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from airflow.providers.celery.executors.celery_executor_utils import app\n"
        "app.loader.import_default_modules()\n"
        "print(json.dumps([list(app.conf.imports), "
        "[m in sys.modules for m in ('dbt.cli.main', 'cosmos.operators.local')]]))\n"
    )
    env = {
        **os.environ,
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__EXTRA_CELERY_CONFIG": common_env["AIRFLOW__CELERY__EXTRA_CELERY_CONFIG"],
    }
    done = subprocess.run(
        [sys.executable, "-c", "import json\n" + script],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    imports, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert imports == ["irm.worker_preload"]
    assert loaded == [True, True]
