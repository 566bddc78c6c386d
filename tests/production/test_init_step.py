"""The pieces of the production init step that need no server (`irm.airflow_cli`,
`warehouse.roles`); the whole step runs against Postgres in test_celery_topology.py and
test_postgres_roles.py."""

from __future__ import annotations

import pytest

from core.config import warehouse_access
from irm.airflow_cli import ADMIN_PASSWORD_VAR, connections_from_environment, init_cluster
from warehouse.roles import WarehouseAccessError, check_warehouse_access

METADATA_URL = "postgresql+psycopg2://airflow:pw@postgres:5432/airflow"


def test_connections_come_from_the_irm_variables_that_are_set() -> None:
    youtube = '{"conn_type": "http", "host": "https://api.example", "password": "k"}'
    environ = {
        "AIRFLOW_CONN_IRM_YOUTUBE": youtube,
        "AIRFLOW_CONN_IRM_SHOP": "  ",  # left empty in .env: the source is not configured
        "AIRFLOW_CONN_SOMETHING_ELSE": "http://other",
    }
    assert connections_from_environment(environ) == {"irm_youtube": youtube}


def test_init_refuses_to_run_without_an_admin_password(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("IRM_DATA_ROOT", str(tmp_path))
    with pytest.raises(SystemExit, match=ADMIN_PASSWORD_VAR):
        init_cluster({"AIRFLOW__CORE__EXECUTOR": "CeleryExecutor"})
    assert not (tmp_path / "airflow").exists()  # nothing was migrated


def postgres_warehouse(monkeypatch, **variables: str) -> None:
    """The warehouse target of compose: the pipeline's role and the BI role, passwords set."""
    settings = {
        "IRM_DBT_TARGET": "postgres",
        "IRM_PG_USER": "irm_pipeline",
        "IRM_PG_PASSWORD": "pipeline-pw",
        "IRM_PG_ADMIN_USER": "airflow",
        "IRM_PG_ADMIN_PASSWORD": "pw",
        "IRM_BI_USER": "irm_bi",
        "IRM_BI_PASSWORD": "bi-pw",
        **variables,
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"IRM_PG_PASSWORD": ""}, "IRM_PG_PASSWORD is not set"),
        ({"IRM_BI_PASSWORD": ""}, "IRM_BI_PASSWORD is not set"),
        ({"IRM_PG_USER": "airflow"}, "IRM_PG_USER=airflow is Airflow's metadata user"),
        ({"IRM_PG_USER": "admin", "IRM_PG_ADMIN_USER": "admin"}, "IRM_PG_USER=admin is the admin"),
        ({"IRM_BI_USER": "irm_pipeline"}, "IRM_BI_USER=irm_pipeline is the pipeline's role"),
    ],
)
def test_init_refuses_a_postgres_warehouse_without_separate_roles(
    tmp_path, monkeypatch, variables: dict[str, str], message: str
) -> None:
    """The pipeline writes as its own role, BI reads as another: a configuration that would
    make either of them Airflow's metadata user or the admin, or leave a password empty, stops
    the init step before it migrates anything."""
    monkeypatch.setenv("IRM_DATA_ROOT", str(tmp_path))
    postgres_warehouse(monkeypatch, **variables)
    environ = {ADMIN_PASSWORD_VAR: "x", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": METADATA_URL}
    with pytest.raises(SystemExit, match=message):
        init_cluster(environ)
    assert not (tmp_path / "airflow").exists()  # nothing was migrated


def test_separate_roles_with_passwords_pass_the_check(monkeypatch) -> None:
    postgres_warehouse(monkeypatch)
    check_warehouse_access(warehouse_access(), metadata_user="airflow")
    monkeypatch.setenv("IRM_BI_PASSWORD", "")
    with pytest.raises(WarehouseAccessError, match="IRM_BI_PASSWORD"):
        check_warehouse_access(warehouse_access(), metadata_user="airflow")
