"""The production topology of docker-compose.yml, as processes on this machine: Airflow with its
metadata in Postgres, the CeleryExecutor on Redis (result backend in Postgres), api-server,
scheduler, dag-processor, triggerer and a Celery worker, authentication on through the FAB auth
manager. The init step is the compose one (`irm.airflow_cli.init_cluster`): it migrates (FAB's
tables too), creates the pools, stores the sandbox connections in the metadata database
(encrypted with the shared Fernet key) and creates the FAB admin user the test logs in as.

A 2-day backfill through Airflow's own backfill (REST API, as `airflow backfill create`):
the first day was landed by the history bootstrap, so its extract run calls no API
(landing is immutable); the second, the sandbox's present, is extracted live on the worker.
`irm_transform` is then triggered through the REST API with a JWT and watched to success; the
marts must be in the warehouse and the BI copy, and equal to the marts of two daily runs
(load and dbt build day by day) over the same landing.

Skipped only when Postgres (127.0.0.1:5432, user postgres, trust) or Redis (127.0.0.1:6379)
cannot be reached.
"""

from __future__ import annotations

import os
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
import requests

from core.config import (
    ClusterSettings,
    Settings,
    cluster_airflow_environment,
    get_settings,
)
from core.landing import Partition
from extractors import registry
from irm.airflow_cli import ADMIN_PASSWORD_VAR, POOLS, init_cluster, sandbox_connections
from irm.bootstrap import bootstrap_from_sandbox, day_range
from irm.demo import WORLD_START, DemoOptions, running_sandbox, write_crm
from tests.checksums import mart_checksums
from tests.dbt.test_dbt_build import dbt_env, run_dbt
from tests.production.topology import (
    REDIS_DB,
    REDIS_HOST,
    REDIS_PORT,
    TERMINAL_RUN_STATES,
    ApiClient,
    Services,
    create_database,
    drop_database,
    free_port,
    postgres_url,
    tail,
    wait_for,
)
from warehouse.load import load_landing

pytestmark = [pytest.mark.production, pytest.mark.timeout(1800)]

# A small world of three days. The backfill covers days 1 and 2; day 2 is the sandbox's present
# (the last interval whose end, the run's logical date, is in the world too). Two days show
# what a backfill is (several runs, at once: max_active_runs=2, a day already landed beside one
# extracted live) at the least cost: every extract run is a dozen Celery tasks, and every daily
# run of the comparison a dbt build (issue 19).
BACKFILL_LENGTH = 2
WORLD = DemoOptions(seed=7, accounts=20, history_days=BACKFILL_LENGTH, live_days=1)
DAY = WORLD_START + timedelta(days=WORLD.days - 2)
BACKFILL_DAYS = day_range(DAY - timedelta(days=BACKFILL_LENGTH - 1), DAY)
# The topology is under test here, not the dbt project (tests/dbt builds all of it): build
# only what the two key marts need.
DBT_SELECT = ("+fct_post", "+dim_creator_account")
ADMIN = "admin"
STARTUP_TIMEOUT = 180
RUN_TIMEOUT = 1200


@dataclass
class Cluster:
    settings: Settings
    config: ClusterSettings
    services: Services
    api: ApiClient
    timings: dict[str, float]


def _cleanup_redis(queue: str) -> None:
    """Remove this run's broker keys (the queue and kombu's bindings for it)."""
    import redis

    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
    keys = list(client.scan_iter(match=f"*{queue}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(scope="module")
def cluster(services_available, dbt_manifest, tmp_path_factory) -> Iterator[Cluster]:
    started = time.monotonic()
    timings: dict[str, float] = {}
    root = tmp_path_factory.mktemp("production")
    log_dir = root / "logs"
    log_dir.mkdir()
    patch = pytest.MonkeyPatch()
    patch.setenv("IRM_DATA_ROOT", str(root / "data"))
    patch.setenv("AIRFLOW_HOME", str(root / "data" / "airflow"))
    patch.delenv("IRM_DBT_TARGET", raising=False)
    settings = get_settings()
    run_tag = uuid.uuid4().hex[:8]
    queue = f"irm_test_{run_tag}"
    services: Services | None = None
    metadata_db = create_database("irm_airflow_test")
    try:
        config = ClusterSettings(
            metadata_url=postgres_url(metadata_db, "postgresql+psycopg2"),
            broker_url=f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}",
            result_backend=postgres_url(metadata_db, "db+postgresql"),
            api_host="127.0.0.1",
            api_port=free_port(),
            jwt_secret=secrets.token_urlsafe(32),
            api_secret_key=secrets.token_urlsafe(32),
            fernet_key=_fernet_key(),
            celery_queue=queue,
            worker_concurrency=2,
        )
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_CONN")},
            **cluster_airflow_environment(config, settings),
            # Ports of their own, so another Airflow on this machine does not collide.
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__API__WORKERS": "1",
            # The sandbox world lives in January 2026, the machine's clock does not: no scheduled
            # runs, only the ones this test triggers (asset-triggered runs are off as well).
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "IRM_DBT_SELECT": " ".join(DBT_SELECT),
        }
        services = Services(log_dir, env)
        admin_password = secrets.token_urlsafe(16)
        world = replace(WORLD, port=free_port())
        # The days before the present, as a new installation gets them (irm bootstrap).
        bootstrap_from_sandbox(
            world.seed, world.accounts, world.days, BACKFILL_DAYS[:-1], world.secrets
        )
        write_crm(world, settings, DAY)
        with running_sandbox(world, settings, DAY) as base_url:
            init_env = {
                **env,
                **sandbox_connections(base_url, world.secrets),
                ADMIN_PASSWORD_VAR: admin_password,
            }
            init_cluster(init_env, settings)
            timings["init (migrate, pools, connections)"] = time.monotonic() - started
            services.start("api-server", "api-server")
            services.start("scheduler", "scheduler")
            services.start("dag-processor", "dag-processor")
            services.start("triggerer", "triggerer")
            services.start(
                "celery-worker", "celery", "worker", "--queues", config.celery_queue,
                "--celery-hostname", f"irm-test-{run_tag}@%h",
            )  # fmt: skip
            api = wait_for(
                "the API server to issue a token",
                lambda: ApiClient(config.api_url, ADMIN, admin_password),
                STARTUP_TIMEOUT,
                services,
            )
            wait_for(
                "scheduler, dag-processor and triggerer to report healthy",
                lambda: _all_healthy(config.api_url),
                STARTUP_TIMEOUT,
                services,
            )
            timings["services healthy"] = time.monotonic() - started
            yield Cluster(settings, config, services, api, timings)
    finally:
        if services is not None:
            services.stop_all()
        drop_database(metadata_db)
        _cleanup_redis(queue)
        patch.undo()


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _all_healthy(api_url: str) -> bool:
    health = requests.get(f"{api_url}/api/v2/monitor/health", timeout=10).json()
    components = ("metadatabase", "scheduler", "triggerer", "dag_processor")
    return all((health.get(c) or {}).get("status") == "healthy" for c in components)


def _unpause_when_parsed(cluster: Cluster, dag_id: str) -> None:
    api = cluster.api
    wait_for(
        f"{dag_id} to be parsed",
        lambda: api.request("GET", f"/api/v2/dags/{dag_id}"),
        STARTUP_TIMEOUT,
        cluster.services,
    )
    api.request("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": False})


def _run_to_completion(cluster: Cluster, dag_id: str, logical_date: str | None) -> dict:
    api = cluster.api
    _unpause_when_parsed(cluster, dag_id)
    run = api.request("POST", f"/api/v2/dags/{dag_id}/dagRuns", json={"logical_date": logical_date})
    run_id = run["dag_run_id"]
    finished = wait_for(
        f"{dag_id} run {run_id} to finish",
        lambda: _terminal(api.dag_run(dag_id, run_id)),
        RUN_TIMEOUT,
        cluster.services,
    )
    if finished["state"] != "success":
        pytest.fail(_failure_report(cluster, dag_id, run_id))
    return finished


def midnight_utc(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


def _backfill_to_completion(cluster: Cluster, dag_id: str, days: list[date]) -> list[dict]:
    """Airflow's own backfill over `days` (one run per daily interval), watched to the end."""
    _unpause_when_parsed(cluster, dag_id)
    first, last = (midnight_utc(d).isoformat() for d in (days[0], days[-1]))
    backfill = cluster.api.request(
        "POST",
        "/api/v2/backfills",
        json={
            "dag_id": dag_id,
            "from_date": first,
            "to_date": last,
            "max_active_runs": 2,
        },
    )

    def finished_runs() -> list[dict] | None:
        page = cluster.api.request(
            "GET", f"/api/v2/dags/{dag_id}/dagRuns", params={"run_type": "backfill", "limit": 100}
        )
        runs = [r for r in page["dag_runs"] if r["run_type"] == "backfill"]
        done = len(runs) == len(days) and all(r["state"] in TERMINAL_RUN_STATES for r in runs)
        return runs if done else None

    runs = wait_for(
        f"backfill {backfill['id']} of {dag_id} to finish its {len(days)} runs",
        finished_runs,
        RUN_TIMEOUT,
        cluster.services,
    )
    failed = [r for r in runs if r["state"] != "success"]
    if failed:
        pytest.fail("\n".join(_failure_report(cluster, dag_id, r["dag_run_id"]) for r in failed))
    return runs


def _terminal(run: dict) -> dict | None:
    return run if run["state"] in TERMINAL_RUN_STATES else None


def _failure_report(cluster: Cluster, dag_id: str, run_id: str) -> str:
    """The failed tasks with the end of their logs, then the services' logs."""
    lines = [f"{dag_id} run {run_id} did not succeed"]
    logs = cluster.settings.airflow_home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}"
    for ti in cluster.api.task_instances(dag_id, run_id):
        if ti["state"] not in ("success", "skipped"):
            lines.append(f"  {ti['task_id']}[{ti['map_index']}]: {ti['state']}")
            for log in sorted(logs.glob(f"task_id={ti['task_id']}/**/*.log")):
                lines.append(tail(log, 30))
    return "\n".join(lines) + "\n" + cluster.services.log_tails()


@pytest.fixture(scope="module")
def runs(cluster: Cluster) -> dict[str, list[dict]]:
    """A backfill of irm_extract over BACKFILL_DAYS, then irm_transform, through the REST API."""
    started = time.monotonic()
    extracts = _backfill_to_completion(cluster, "irm_extract", BACKFILL_DAYS)
    cluster.timings["irm_extract backfill"] = time.monotonic() - started
    transform = _run_to_completion(cluster, "irm_transform", None)
    cluster.timings["irm_transform run"] = time.monotonic() - started
    print("production topology timings (s, cumulative):", cluster.timings)
    return {"irm_extract": extracts, "irm_transform": [transform]}


def test_the_api_refuses_requests_without_a_token(cluster: Cluster) -> None:
    response = requests.get(f"{cluster.config.api_url}/api/v2/dags", timeout=10)
    assert response.status_code == 401
    wrong = requests.post(
        f"{cluster.config.api_url}/auth/token",
        json={"username": ADMIN, "password": "not-the-password"},
        timeout=10,
    )
    assert wrong.status_code == 401
    assert cluster.api.request("GET", "/api/v2/dags")["total_entries"] >= 3


def test_users_log_in_through_the_fab_auth_manager_with_their_roles(cluster: Cluster) -> None:
    """The admin the init step created holds FAB's Admin role; a user given the Viewer role
    (through FAB's user API) may read DAGs but is refused triggering one."""
    api = cluster.api
    admin = api.request("GET", f"/auth/fab/v1/users/{ADMIN}")
    assert [role["name"] for role in admin["roles"]] == ["Admin"]
    password = secrets.token_urlsafe(16)
    api.request(
        "POST",
        "/auth/fab/v1/users",
        json={
            "username": "viewer",
            "password": password,
            "email": "viewer@example.invalid",
            "first_name": "Read",
            "last_name": "Only",
            "roles": [{"name": "Viewer"}],
        },
    )
    viewer = ApiClient(cluster.config.api_url, "viewer", password)
    assert viewer.request("GET", "/api/v2/dags")["total_entries"] >= 3
    trigger = viewer.session.post(
        f"{cluster.config.api_url}/api/v2/dags/irm_exports/dagRuns",
        json={"logical_date": None},
        timeout=30,
    )
    assert trigger.status_code == 403, trigger.text


def test_init_created_the_pools_and_connections(cluster: Cluster) -> None:
    pools = cluster.api.request("GET", "/api/v2/pools", params={"limit": 100})["pools"]
    slots = {p["name"]: p["slots"] for p in pools}
    assert {name: slots.get(name) for name in POOLS} == {n: s for n, (s, _) in POOLS.items()}
    connections = cluster.api.request("GET", "/api/v2/connections", params={"limit": 100})
    stored = {c["connection_id"] for c in connections["connections"]}
    platforms = {s.connection.id for s in registry.api_sources()}
    assert platforms <= stored


def test_the_backfill_ran_one_extract_per_day(runs: dict[str, list[dict]]) -> None:
    intervals = sorted(r["data_interval_start"][:10] for r in runs["irm_extract"])
    assert intervals == [d.isoformat() for d in BACKFILL_DAYS]


def test_extract_and_transform_succeed_on_the_celery_worker(
    cluster: Cluster, runs: dict[str, list[dict]]
) -> None:
    for dag_id, dag_runs in runs.items():
        for run in dag_runs:
            instances = cluster.api.task_instances(dag_id, run["dag_run_id"])
            assert instances, f"{dag_id} {run['dag_run_id']} ran no tasks"
            # Every task went through the broker to this test's worker queue, and none failed.
            assert {ti["queue"] for ti in instances} == {cluster.config.celery_queue}
            assert {ti["state"] for ti in instances} <= {"success", "skipped"}
    present = next(r for r in runs["irm_extract"] if r["data_interval_start"][:10] == str(DAY))
    extracted = cluster.api.task_instances("irm_extract", present["dag_run_id"])
    youtube = [ti["state"] for ti in extracted if ti["task_id"].startswith("youtube.")]
    assert youtube and set(youtube) == {"success"}
    manifest = Partition(cluster.settings.landing_dir, "youtube", "videos", DAY).manifest()
    assert manifest["api_calls"] > 0, "the present day was not extracted live"


def test_the_marts_are_in_the_warehouse_and_the_bi_copy(
    cluster: Cluster, runs: dict[str, list[dict]]
) -> None:
    for path in (cluster.settings.warehouse_path, cluster.settings.published_path):
        assert Path(path).is_file(), path
        with duckdb.connect(str(path), read_only=True) as con:
            for mart in ("fct_post", "dim_creator_account"):
                rows = con.execute(f"SELECT count(*) FROM marts.{mart}").fetchone()[0]
                assert rows > 0, f"{mart} is empty in {path}"


def test_the_backfill_gives_the_marts_of_daily_runs(
    cluster: Cluster, runs: dict[str, list[dict]], tmp_path: Path
) -> None:
    """One daily transform per backfilled day (each loads its day, then an incremental dbt
    build of the same models) over the landing the backfill left: the same marts, to the
    byte."""
    daily = replace(cluster.settings, warehouse_path=tmp_path / "daily.duckdb")
    env = dbt_env(IRM_WAREHOUSE_PATH=str(daily.warehouse_path))
    # As the DAG's cosmos tasks run them: a test that needs a model outside the selection waits.
    build = ["build", "--select", *DBT_SELECT, "--indirect-selection", "cautious"]
    for day in BACKFILL_DAYS:
        assert load_landing([day], daily).loaded, f"nothing landed for {day}"
        run_dbt(build, env, tmp_path, "duckdb")
    backfilled = mart_checksums(cluster.settings.warehouse_path)
    assert set(backfilled) == {"fct_post", "dim_creator_account"}
    assert mart_checksums(daily.warehouse_path) == backfilled
