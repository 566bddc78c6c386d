"""Shared by the production tests: skip only when the machine's Postgres or Redis is absent,
and the dbt manifest the mart checks read (built as `make manifest` does)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.config import get_settings
from tests.production.topology import missing_services


@pytest.fixture(scope="session")
def services_available() -> None:
    reason = missing_services()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """`make test` builds the manifest first; a bare pytest run builds it here."""
    project = get_settings().dbt_project_dir
    manifest = project / "target" / "manifest.json"
    if not manifest.is_file():
        env = {**os.environ, "IRM_WAREHOUSE_PATH": str(get_settings().warehouse_path)}
        dbt = Path(sys.executable).with_name("dbt")
        subprocess.run(
            [str(dbt), "parse", "--profiles-dir", ".", "--profile", "irm", "--target", "duckdb"]
            + ["--no-static-parser", "--quiet"],  # the Makefile's flags (its `manifest` rule)
            cwd=project,
            env=env,
            check=True,
        )
    return manifest
