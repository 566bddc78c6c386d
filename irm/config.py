"""All configuration of the pipeline, in one place.

Every setting is an environment variable with a documented default, read when asked for
(not at import), so tests and the demo can point a process at another data root.

Variables (default: meaning):
- IRM_DATA_ROOT = ./data: root of every generated file
- IRM_WAREHOUSE_PATH = <data root>/warehouse/irm.duckdb: the DuckDB warehouse (one writer)
- IRM_PUBLISHED_PATH = <data root>/published/irm.duckdb: read-only BI copy, replaced atomically
- IRM_EXPORTS_DIR = <data root>/exports: weekly exports, one folder per date
- IRM_LANDING_DIR = <data root>/landing: landing zone (immutable partitions)
- IRM_CRM_INBOX = <data root>/inbox/crm: folder the brand drops CRM CSV files in
- IRM_DATA_DOCS_DIR = <data root>/data_docs: Great Expectations Data Docs (HTML)
- IRM_DBT_PROJECT_DIR = <repo>/dbt_project: the dbt project
- IRM_DBT_TARGET = duckdb: dbt target: duckdb or postgres
- IRM_REFRESH_WINDOW_DAYS = 30: posts younger than this get new metrics
- IRM_FRESHNESS_DAYS = 3: a mart whose newest post or refresh is older than this many days
  before the validated day gets a data-quality warning (not a failure)
- IRM_YOUTUBE_DAILY_QUOTA = 10000: YouTube quota units one daily run may spend
- AIRFLOW_HOME = <data root>/airflow: Airflow home (SQLite, LocalExecutor)

Source endpoints and credentials are Airflow connections (`irm_youtube`, `irm_instagram`,
`irm_tiktok`, `irm_shop`: host = base URL, password = key or token), settable as
`AIRFLOW_CONN_IRM_…` environment variables; see `extractors.connections`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

CONNECTION_IDS = {
    "youtube": "irm_youtube",
    "instagram": "irm_instagram",
    "tiktok": "irm_tiktok",
    "shop": "irm_shop",
}

# Airflow pool names: every task that writes the warehouse runs in the one-slot pool.
WAREHOUSE_POOL = "irm_warehouse"
# One pool per platform API, sized to its rate limits (irm.airflow_cli.POOLS).
PLATFORM_POOLS = {
    "youtube": "irm_youtube_api",
    "instagram": "irm_instagram_api",
    "tiktok": "irm_tiktok_api",
    "shop": "irm_shop_api",
}


def _path(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Settings:
    data_root: Path
    warehouse_path: Path
    published_path: Path
    exports_dir: Path
    landing_dir: Path
    crm_inbox: Path
    data_docs_dir: Path
    dbt_project_dir: Path
    dbt_target: str
    refresh_window_days: int
    airflow_home: Path
    freshness_days: int = 3
    youtube_daily_quota: int = 10_000

    @property
    def published_parquet_dir(self) -> Path:
        return self.published_path.parent / "parquet"

    @property
    def state_dir(self) -> Path:
        """Small pipeline state (extractor bookmarks, validation history)."""
        return self.data_root / "state"

    def export_dir_for(self, day: str) -> Path:
        return self.exports_dir / day


def get_settings() -> Settings:
    data_root = _path("IRM_DATA_ROOT", (Path.cwd() / "data").resolve())
    return Settings(
        data_root=data_root,
        warehouse_path=_path("IRM_WAREHOUSE_PATH", data_root / "warehouse" / "irm.duckdb"),
        published_path=_path("IRM_PUBLISHED_PATH", data_root / "published" / "irm.duckdb"),
        exports_dir=_path("IRM_EXPORTS_DIR", data_root / "exports"),
        landing_dir=_path("IRM_LANDING_DIR", data_root / "landing"),
        crm_inbox=_path("IRM_CRM_INBOX", data_root / "inbox" / "crm"),
        data_docs_dir=_path("IRM_DATA_DOCS_DIR", data_root / "data_docs"),
        dbt_project_dir=_path("IRM_DBT_PROJECT_DIR", REPO_ROOT / "dbt_project"),
        dbt_target=os.environ.get("IRM_DBT_TARGET", "duckdb"),
        refresh_window_days=int(os.environ.get("IRM_REFRESH_WINDOW_DAYS", "30")),
        airflow_home=_path("AIRFLOW_HOME", data_root / "airflow"),
        freshness_days=int(os.environ.get("IRM_FRESHNESS_DAYS", "3")),
        youtube_daily_quota=int(os.environ.get("IRM_YOUTUBE_DAILY_QUOTA", "10000")),
    )


def airflow_environment(settings: Settings | None = None) -> dict[str, str]:
    """Environment for a local Airflow (the demo, `make up`, the tests): SQLite metadata,
    LocalExecutor, no examples, telemetry off, and this project's DAGs and data root."""
    settings = settings or get_settings()
    home = settings.airflow_home
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "AIRFLOW__API__EXPOSE_CONFIG": "False",
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "IRM_DATA_ROOT": str(settings.data_root),
        "IRM_WAREHOUSE_PATH": str(settings.warehouse_path),
        "IRM_PUBLISHED_PATH": str(settings.published_path),
        "IRM_CRM_INBOX": str(settings.crm_inbox),
    }
