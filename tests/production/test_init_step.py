"""The pieces of the production init step that need no server (`irm.airflow_cli`); the whole
step runs against Postgres in test_celery_topology.py."""

from __future__ import annotations

import json
import stat

import pytest

from irm.airflow_cli import (
    ADMIN_PASSWORD_VAR,
    admin_user,
    connections_from_environment,
    init_cluster,
    write_passwords_file,
)
from irm.config import CONNECTION_IDS


def test_connections_come_from_the_irm_variables_that_are_set() -> None:
    youtube = '{"conn_type": "http", "host": "https://api.example", "password": "k"}'
    environ = {
        "AIRFLOW_CONN_IRM_YOUTUBE": youtube,
        "AIRFLOW_CONN_IRM_SHOP": "  ",  # left empty in .env: the source is not configured
        "AIRFLOW_CONN_SOMETHING_ELSE": "http://other",
    }
    assert connections_from_environment(environ) == {CONNECTION_IDS["youtube"]: youtube}


def test_the_admin_is_the_first_user_with_the_admin_role() -> None:
    assert admin_user("viewer1:viewer,ops:admin,boss:admin") == "ops"
    with pytest.raises(ValueError, match="no admin"):
        admin_user("viewer1:viewer")


def test_the_passwords_file_is_private(tmp_path) -> None:
    path = tmp_path / "auth" / "passwords.json"
    write_passwords_file(path, {"admin": "s3cret-value"})
    assert json.loads(path.read_text()) == {"admin": "s3cret-value"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_init_refuses_to_run_without_an_admin_password(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("IRM_DATA_ROOT", str(tmp_path))
    with pytest.raises(SystemExit, match=ADMIN_PASSWORD_VAR):
        init_cluster({"AIRFLOW__CORE__EXECUTOR": "CeleryExecutor"})
    assert not (tmp_path / "airflow").exists()  # nothing was migrated
