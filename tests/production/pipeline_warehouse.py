"""A Postgres warehouse of the test's own, set up as the init step does and used by the pipeline's
role: what the Postgres warehouse tests start from."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from core.config import WarehouseAccess
from tests.production.topology import (
    PG_HOST,
    PG_PORT,
    fresh_warehouse,
    pipeline_environment,
    run_as,
    unreachable,
)
from warehouse.roles import setup_warehouse_access


@contextmanager
def pipeline_warehouse(
    patch: pytest.MonkeyPatch,
    prefix: str,
    data_root: Path,
    *,
    built_before: Sequence[str] = (),
) -> Iterator[WarehouseAccess]:
    """A fresh warehouse database (tests/production/topology.py fresh_warehouse) set up with
    `warehouse.roles`, and `patch` setting the variables that make the loader and dbt use it
    as the pipeline's role (IRM_DBT_TARGET=postgres, the data under `data_root`). The admin
    runs `built_before` first: what Airflow's user had built before the roles existed. The test
    is skipped where no Postgres answers."""
    reason = unreachable(PG_HOST, PG_PORT)
    if reason:
        pytest.skip(f"the Postgres warehouse target needs Postgres: {reason}")
    with fresh_warehouse(prefix) as access:
        if built_before:
            run_as(access.admin.user, access.admin.database, *built_before)
        setup_warehouse_access(access)
        # The loader, dbt and the mirror connect as the pipeline's role, as in compose.
        for name, value in {
            "IRM_DATA_ROOT": str(data_root),
            "IRM_DBT_TARGET": "postgres",
            **pipeline_environment(access),
        }.items():
            patch.setenv(name, value)
        yield access
