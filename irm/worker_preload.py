"""What each Celery worker imports once, at its start, before it forks the processes that run
tasks (core.config.cluster_airflow_environment lists this module in Celery's `imports`).

Every task runs in a process forked from the worker, and the dbt task imports dbt, its adapters,
cosmos, DuckDB and pandas: about 1.5 s of its start on this machine, paid again by every
transform (and pandas and DuckDB by every warehouse task). Imported here, the forked processes
inherit them. Only
libraries: nothing here connects to a database or starts a thread before the fork.
"""

from __future__ import annotations

import irm.orchestration  # noqa: F401 (first, as in the DAG files: its log filters quiet cosmos)

# isort: split
import cosmos.operators.local  # noqa: F401
import dbt.adapters.duckdb  # noqa: F401
import dbt.adapters.postgres  # noqa: F401
import dbt.cli.main  # noqa: F401
import duckdb  # noqa: F401
import pandas  # noqa: F401
