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
- IRM_DUCKDB_MEMORY_LIMIT = 1GB: DuckDB's memory limit in the loader and in dbt (the duckdb
  output of dbt_project/profiles.yml reads the same variable and default); beyond it DuckDB
  spills to disk. Its own default, 80 % of RAM, let one dbt build reach 3.5 GB at 1k accounts
- IRM_REFRESH_WINDOW_DAYS = 30: posts younger than this get new metrics
- IRM_FRESHNESS_DAYS = 3: a mart whose newest post or refresh is older than this many days
  before the validated day gets a data-quality warning (not a failure)
- IRM_YOUTUBE_DAILY_QUOTA = 10000: YouTube quota units one daily run may spend
- IRM_YOUTUBE_DAILY_SEARCH_CALLS = 100: search.list calls one daily run may make (the method's
  own daily bucket since June 2026, apart from the units; the listening terms' searches)
- IRM_COMMENTS_PER_POST = 100: top-level comments listed per YouTube and TikTok post published
  inside the refresh window, newest first (one call each at up to 100; 0 lists none and lands
  no comments)
- IRM_EXTRACT_BATCH_SIZE = 500: accounts per mapped extract task (batches of the roster)
- IRM_CRM_MIN_ROW_RATIO = 0.5: a creators.csv (the roster) with fewer admitted rows than this
  times the rows of the last landed day is refused as collapsed, and nothing of its day lands
  (one with no admitted row always is); lower it for a run whose roster really shrank
- IRM_DBT_SELECT = (empty): dbt selectors, space-separated (e.g. "+fct_post +dim_creator"), to
  render only part of the project in irm_transform; empty renders every model
- IRM_EXPORT_EMAIL_TO = (empty): comma-separated recipients of the weekly export email; the
  email is skipped with a log line while this or the `irm_smtp` connection is missing
- IRM_ALERT_EMAIL_TO = (IRM_EXPORT_EMAIL_TO): recipients of the one-paragraph failure summary
  a failed task sends through the `irm_smtp` connection (only logged without either)
- IRM_PUBLISH_PERSONAL_DATA = false: true publishes the columns the dbt project tags personal
  (`meta: {personal_data: true}`, e.g. dim_creator.email) to the BI copy, and so to the exports;
  false leaves them out (warehouse.publish)
- AIRFLOW_HOME = <data root>/airflow: Airflow home (SQLite, LocalExecutor)
- IRM_PG_HOST = 127.0.0.1, IRM_PG_PORT = 5432, IRM_PG_USER = postgres, IRM_PG_PASSWORD = (empty),
  IRM_PG_DATABASE = irm: the Postgres warehouse when IRM_DBT_TARGET=postgres (as in dbt's profile);
  the user is the role the pipeline writes as (compose: irm_pipeline, never Airflow's own user)
- IRM_PG_ADMIN_USER = postgres, IRM_PG_ADMIN_PASSWORD = (empty): a Postgres role that may create
  roles and databases; only the init step uses it, to set up the pipeline's and the BI role
- IRM_BI_USER = irm_bi, IRM_BI_PASSWORD = (empty): the read-only role BI tools connect as; it
  sees the `marts` schema only (warehouse.roles)

The production topology (Postgres metadata, CeleryExecutor on Redis, authentication on) is
`cluster_airflow_environment`; docker-compose.yml sets the same variables (docs/production.md).

Source endpoints and credentials are Airflow connections, one per API source, named by the
source's own declaration (extractors/<source>/__init__.py: `irm_youtube`, `irm_instagram`,
`irm_tiktok`, `irm_shop`; host = base URL, password = key or token), settable as
`AIRFLOW_CONN_IRM_…` environment variables; see `extractors.connections`. The export email
goes through the SMTP connection `irm_smtp` (host, port, login, password; extra `from_email`,
`disable_tls`, `disable_ssl`), see `exports.mail`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# The Airflow pool every task that writes the warehouse runs in: one slot (DuckDB has one
# writer). Each API source's own pool is declared by the source (extractors/<source>/).
WAREHOUSE_POOL = "irm_warehouse"


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
    youtube_daily_search_calls: int = 100  # search.list's own daily bucket (listening)
    comments_per_post: int = 100  # newest top-level comments listed per post in the window
    extract_batch_size: int = 500  # accounts per mapped extract task
    dbt_select: tuple[str, ...] = ()  # dbt selectors the transform DAG renders; () = everything
    export_email_to: tuple[str, ...] = ()
    duckdb_memory_limit: str = "1GB"
    alert_email_to: tuple[str, ...] = ()
    # An API answers with the present: an interval whose platforms answer later than this after
    # its end is not extracted (its snapshot would be the present's, filed under a past day).
    extract_max_lag_hours: float = 48.0
    # A roster export with fewer admitted rows than this times the last landed day's collapsed.
    crm_min_row_ratio: float = 0.5
    # Columns the dbt project tags personal reach the BI copy (and the exports) only when true.
    publish_personal_data: bool = False

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
        youtube_daily_search_calls=int(os.environ.get("IRM_YOUTUBE_DAILY_SEARCH_CALLS", "100")),
        extract_batch_size=int(os.environ.get("IRM_EXTRACT_BATCH_SIZE", "500")),
        comments_per_post=int(os.environ.get("IRM_COMMENTS_PER_POST", "100")),
        dbt_select=tuple(os.environ.get("IRM_DBT_SELECT", "").split()),
        export_email_to=_addresses(os.environ.get("IRM_EXPORT_EMAIL_TO", "")),
        duckdb_memory_limit=os.environ.get("IRM_DUCKDB_MEMORY_LIMIT", "1GB"),
        extract_max_lag_hours=float(os.environ.get("IRM_EXTRACT_MAX_LAG_HOURS", "48")),
        crm_min_row_ratio=float(os.environ.get("IRM_CRM_MIN_ROW_RATIO", "0.5")),
        publish_personal_data=_flag("IRM_PUBLISH_PERSONAL_DATA", default=False),
        alert_email_to=_addresses(
            os.environ.get("IRM_ALERT_EMAIL_TO") or os.environ.get("IRM_EXPORT_EMAIL_TO", "")
        ),
    )


_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


def _flag(var: str, default: bool) -> bool:
    """A yes/no setting; anything else is refused (a typo must not publish personal data)."""
    value = os.environ.get(var, "").strip().lower()
    if not value:
        return default
    if value in _TRUE + _FALSE:
        return value in _TRUE
    raise ValueError(f"{var}={value!r}: use true or false")


def _addresses(value: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in value.replace(";", ",").split(",") if a.strip())


def airflow_environment(settings: Settings | None = None) -> dict[str, str]:
    """Environment for a local Airflow (the demo, `make up`, the tests): SQLite metadata,
    LocalExecutor, no examples, telemetry off, and this project's DAGs and data root. Its home
    and configuration file are the data root's (never ~/airflow), and a DAG it meets for the
    first time is paused: a local scheduler runs nothing until an operator unpauses it (the
    demo and `irm run` go through `airflow dags test`, which runs paused DAGs)."""
    settings = settings or get_settings()
    home = settings.airflow_home
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW_CONFIG": str(home / "airflow.cfg"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        # Cosmos keeps its copy of the dbt project (and dbt's partial-parse file, which depends
        # on the warehouse path) per installation, not in a /tmp folder shared by all of them.
        "AIRFLOW__COSMOS__CACHE_DIR": str(settings.data_root / "cache" / "cosmos"),
        "AIRFLOW__API__EXPOSE_CONFIG": "False",
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "IRM_DATA_ROOT": str(settings.data_root),
        "IRM_WAREHOUSE_PATH": str(settings.warehouse_path),
        "IRM_PUBLISHED_PATH": str(settings.published_path),
        "IRM_CRM_INBOX": str(settings.crm_inbox),
    }


# --- Production topology (docker-compose.yml; tests/production runs the same without Docker) ---

# The auth manager of every Airflow service: FAB's (apache-airflow-providers-fab), with users
# and roles (Admin, Op, User, Viewer) in the metadata database; the init step creates the admin.
# Not the simple auth manager, which Airflow documents as not for production.
FAB_AUTH_MANAGER = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"


@dataclass(frozen=True, repr=False)  # repr=False: the password never reaches a log by accident
class PostgresTarget:
    """The Postgres warehouse used when IRM_DBT_TARGET=postgres: the same IRM_PG_* variables
    (and defaults) as the `postgres` output of dbt_project/profiles.yml."""

    host: str
    port: int
    user: str
    password: str
    database: str

    def connect_kwargs(self, database: str | None = None) -> dict[str, object]:
        """Keyword arguments for `psycopg2.connect` (another database of the server if named)."""
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "dbname": database or self.database,
        }


def postgres_target() -> PostgresTarget:
    """The warehouse as the pipeline's role: the loader, dbt and the mirror connect with it."""
    return PostgresTarget(
        host=os.environ.get("IRM_PG_HOST", "127.0.0.1"),
        port=int(os.environ.get("IRM_PG_PORT", "5432")),
        user=os.environ.get("IRM_PG_USER", "postgres"),
        password=os.environ.get("IRM_PG_PASSWORD", ""),
        database=os.environ.get("IRM_PG_DATABASE", "irm"),
    )


@dataclass(frozen=True, repr=False)  # repr=False: passwords never reach a log by accident
class WarehouseAccess:
    """Who may do what in the Postgres warehouse (SPEC 9; `warehouse.roles` sets it up in the init
    step): `pipeline` (IRM_PG_*) owns and writes the warehouse schemas, `bi_user` reads `marts`
    only, and `admin` (the same server and database) creates both roles."""

    admin: PostgresTarget
    pipeline: PostgresTarget
    bi_user: str
    bi_password: str


def warehouse_access() -> WarehouseAccess:
    pipeline = postgres_target()
    return WarehouseAccess(
        admin=replace(
            pipeline,
            user=os.environ.get("IRM_PG_ADMIN_USER", "postgres"),
            password=os.environ.get("IRM_PG_ADMIN_PASSWORD", ""),
        ),
        pipeline=pipeline,
        bi_user=os.environ.get("IRM_BI_USER", "irm_bi"),
        bi_password=os.environ.get("IRM_BI_PASSWORD", ""),
    )


@dataclass(frozen=True, repr=False)  # repr=False: secrets never reach a log by accident
class ClusterSettings:
    """What the services of a production Airflow share (docker-compose.yml sets the same
    variables from `.env`): the metadata database, the Celery broker and result backend, the
    API server's address, and the secrets every component must agree on."""

    metadata_url: str  # postgresql+psycopg2://user:password@host:port/database
    broker_url: str  # redis://host:port/db
    result_backend: str  # db+postgresql://user:password@host:port/database
    api_host: str
    api_port: int
    jwt_secret: str  # signs the tokens of the REST API and of the task execution API
    api_secret_key: str  # sessions of the API server; authorises log fetching from workers
    fernet_key: str  # encrypts connection passwords in the metadata database
    celery_queue: str = "default"
    worker_concurrency: int = 2

    @property
    def api_url(self) -> str:
        return f"http://{self.api_host}:{self.api_port}"


# Celery's `imports`: each worker imports the dbt task's libraries once, before it forks the
# processes that run tasks (irm/worker_preload.py says what and why).
CELERY_WORKER_IMPORTS = '{"imports": ["irm.worker_preload"]}'


def cluster_airflow_environment(
    cluster: ClusterSettings, settings: Settings | None = None
) -> dict[str, str]:
    """The local environment (`airflow_environment`) turned into the production topology:
    Postgres metadata, the CeleryExecutor on Redis, one JWT secret and Fernet key for every
    component, authentication on (the FAB auth manager: users with roles, the admin created by
    the init step), and new DAGs paused until an operator starts them."""
    return {
        **airflow_environment(settings),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": cluster.metadata_url,
        "AIRFLOW__CELERY__BROKER_URL": cluster.broker_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": cluster.result_backend,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(cluster.worker_concurrency),
        "AIRFLOW__CELERY__EXTRA_CELERY_CONFIG": CELERY_WORKER_IMPORTS,
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": cluster.celery_queue,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{cluster.api_url}/execution/",
        "AIRFLOW__API__HOST": cluster.api_host,
        "AIRFLOW__API__PORT": str(cluster.api_port),
        "AIRFLOW__API_AUTH__JWT_SECRET": cluster.jwt_secret,
        "AIRFLOW__API__SECRET_KEY": cluster.api_secret_key,
        "AIRFLOW__CORE__FERNET_KEY": cluster.fernet_key,
        "AIRFLOW__CORE__AUTH_MANAGER": FAB_AUTH_MANAGER,
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
    }
