"""Crash injection for the recovery test (tests/e2e): a process started with this folder on
PYTHONPATH imports this module at start-up (as `sitecustomize`) and, when IRM_TEST_CRASH says so,
kills itself with SIGKILL at a chosen point, as a lost machine or an OOM kill would: no
exception handler, `finally` block or atexit hook runs.

IRM_TEST_CRASH:
- `load:<n>`: inside the load task, right after the n-th raw table's batch of partitions is
  committed (warehouse/load.py `load_partitions`; the other tables of the run are not loaded
  yet);
- `dbt:<model>`: inside dbt, right after dbt-duckdb executed a DELETE on `<model>` (the
  incremental delete+insert), before its INSERT and before dbt commits.

Before dying it writes what it did to IRM_TEST_CRASH_MARKER, so the test knows the run died
where it meant, not somewhere else.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any


def _die(reason: str) -> None:
    Path(os.environ["IRM_TEST_CRASH_MARKER"]).write_text(reason)
    os.kill(os.getpid(), signal.SIGKILL)


def _crash_in_load(after: int) -> None:
    from warehouse import load as loader

    original = loader.load_partitions
    committed = 0

    def load_partitions(con: Any, batch: Any) -> int:
        nonlocal committed
        rows = original(con, batch)
        committed += 1
        if committed == after:
            parts = ", ".join(str(verified.part) for verified in batch)
            _die(f"load: killed after committing batch {committed}: {parts}")
        return rows

    loader.load_partitions = load_partitions


def _crash_in_dbt(model: str) -> None:
    from dbt.adapters.duckdb.environments.local import DuckDBCursorWrapper

    original = DuckDBCursorWrapper.execute

    def execute(self: Any, sql: str, bindings: Any = None) -> Any:
        result = original(self, sql, bindings)
        if "delete from" in sql.lower() and model in sql:
            _die(f"dbt: killed after the DELETE of {model}, before its INSERT and commit")
        return result

    DuckDBCursorWrapper.execute = execute


def _install(spec: str) -> None:
    where, _, arg = spec.partition(":")
    if where == "load":
        _crash_in_load(int(arg))
    elif where == "dbt":
        _crash_in_dbt(arg)
    else:
        raise ValueError(f"IRM_TEST_CRASH={spec!r}: expected load:<n> or dbt:<model>")


if os.environ.get("IRM_TEST_CRASH"):
    _install(os.environ["IRM_TEST_CRASH"])
