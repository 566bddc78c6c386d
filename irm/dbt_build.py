"""The transform's dbt step: one `dbt build` of the selection, in one Airflow task, with each
node's result in the task's log and XCom, and the count of the data tests it ran.

Why one task and not one per model (issue 21, measured in docs/operations.md): a dbt task pays
dbt's start-up, partial parse and graph build (about 0.5 s in-process), and under Airflow each
task pays its own process and DAG parse (about 4 s a task under Celery). The project's models
took 93 s as 82 cosmos tasks and 23 s as one `dbt build`. One build also runs every data test of
the selection in dbt's own order, tests spanning two models (relationships) and tests of
ephemeral models included, which one task per model could only do with an extra `dbt test`
task. Per-model visibility stays: each model's status and seconds are logged and pushed as
XCom (`dbt_results`); a retry builds the selection again, which is safe since every model is a
table or a delete+insert incremental by day (tests/e2e kills a build between the two).

dbt runs with --no-write-json (DBT_GLOBAL_FLAGS): the results come from dbt's NodeFinished
events (collect_node_results), not from run_results.json.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

BUILD_TASK_ID = "dbt_build"
RESULTS_XCOM_KEY = "dbt_results"
TESTS_RUN_XCOM_KEY = "dbt_tests_run"
# The transform's dbt command skips writing its JSON artifacts: manifest.json (2.8 MB, written
# twice per command) and run_results.json took half of a small build (1.3 s against 0.65 s per
# in-process `dbt build` of one model, measured here). The results come from dbt's events.
DBT_GLOBAL_FLAGS = ("--no-write-json",)
# dbt's unit tests check the SQL against fixed inputs, not the day's data: they run in
# development and CI (tests/dbt), not in every transform, as dbt advises (60 of them, 0.1 s each).
DBT_BUILD_FLAGS = ("--exclude-resource-type", "unit_test")
# The daily build's data tests read the rows landed since the last build whose tests passed,
# and every row at least weekly (dbt_project/macros/data_test_scope.sql; issue 21: testing
# all of history made them 59 % of a daily build at medium, doubling with the history). A
# dbt command run by hand, without this variable, tests every row.
DBT_TEST_SCOPE_ENV = {"IRM_DBT_TESTS": "new"}
# A test reaching a model outside a partial selection (IRM_DBT_SELECT) is left out: that model
# may not exist in the warehouse yet.
INDIRECT_SELECTION = "cautious"


@dataclass(frozen=True)
class NodeResult:
    """What dbt reported for one node of the command: a model, seed, snapshot or test."""

    unique_id: str
    status: str
    message: str
    seconds: float

    @property
    def is_test(self) -> bool:
        return self.unique_id.startswith("test.")


# The results of the nodes the current dbt command finished. One dbt command runs at a time in a
# task's process (cosmos invokes dbtRunner synchronously).
_finished_nodes: list[NodeResult] = []


def collect_node_results(event: Any) -> None:
    """dbtRunner event callback: keep the result of each node the command finishes (a new
    command, announced by its MainReportVersion event, starts an empty list)."""
    name = event.info.name
    if name == "MainReportVersion":
        _finished_nodes.clear()
    elif name == "NodeFinished":
        result = event.data.run_result
        _finished_nodes.append(
            NodeResult(
                event.data.node_info.unique_id,
                result.status,
                result.message,
                round(float(result.execution_time), 3),
            )
        )


@dataclass(frozen=True)
class ManifestTests:
    """The data tests of the manifest the transform builds from, for the run's count."""

    total: int
    several_parents: frozenset[str]

    @classmethod
    def read(cls, manifest_path: Path) -> ManifestTests:
        nodes = json.loads(manifest_path.read_text())["nodes"].values()
        tests = [node for node in nodes if node["resource_type"] == "test"]
        several = {t["unique_id"] for t in tests if len(t["depends_on"]["nodes"]) > 1}
        return cls(len(tests), frozenset(several))


def summary_line(
    results: list[NodeResult], manifest: ManifestTests, dbt_select: tuple[str, ...]
) -> str:
    tests = [r for r in results if r.is_test]
    ran = {r.unique_id for r in tests if r.status != "skipped"}
    line = (
        f"dbt tests run in this transform: {len(ran)} of {manifest.total} in the manifest "
        f"({len(ran & manifest.several_parents)} with several parents)"
    )
    if dbt_select:
        line += (
            f"; {len(tests)} of them test the models IRM_DBT_SELECT={' '.join(dbt_select)} selects"
        )
    return line


def results_table(results: list[NodeResult]) -> str:
    """One line per model, seed or snapshot, in build order: what an operator looks for first
    when a transform is slow or failed."""
    built = [r for r in results if not r.is_test]
    width = max((len(r.unique_id) for r in built), default=0)
    return "\n".join(f"  {r.unique_id:<{width}}  {r.status:<8} {r.seconds:7.2f} s" for r in built)


def record_build(
    project_dir: str,
    context: Mapping[str, Any],
    manifest_path: str,
    dbt_select: tuple[str, ...] = (),
    **_: Any,
) -> None:
    """Cosmos callback after the dbt command (before cosmos judges its result): log each node's
    result and the count of tests run, push them as XCom, and fail without retry when a data
    test failed (another try reads the same data) or when a test the command selected did not
    run although nothing failed. An error (a model that did not build, a locked database)
    keeps its retries: cosmos raises it after this callback. A command that stopped before
    running anything finished no node; cosmos raises its error."""
    from airflow.sdk.exceptions import AirflowFailException

    results = list(_finished_nodes)
    _finished_nodes.clear()
    ti = context["ti"]
    built = {
        r.unique_id: {"status": r.status, "seconds": r.seconds} for r in results if not r.is_test
    }
    ti.xcom_push(key=RESULTS_XCOM_KEY, value=built)
    ran = sorted(r.unique_id for r in results if r.is_test and r.status != "skipped")
    ti.xcom_push(key=TESTS_RUN_XCOM_KEY, value=ran)
    log.info("dbt build, node by node (status, seconds):\n%s", results_table(results))
    log.info(summary_line(results, ManifestTests.read(Path(manifest_path)), tuple(dbt_select)))
    failed = [r for r in results if r.is_test and r.status == "fail"]
    if failed:
        names = "; ".join(f"{r.unique_id}: {r.message}" for r in failed)
        # A test's message is a count; its rows (for column_checks: the column, the check and
        # how many rows break it) are what the data engineer needs next.
        show = " ".join(node_name(r.unique_id) for r in failed)
        raise AirflowFailException(
            f"dbt tests failed (bad data, not retried): {names}. "
            f"Their failing rows: dbt show --select {show}"
        )
    broken = [r for r in results if r.status in ("error", "runtime error")]
    not_run = sorted(r.unique_id for r in results if r.is_test and r.status == "skipped")
    if not_run and not broken:
        raise AirflowFailException(
            f"{len(not_run)} dbt tests of the selection did not run: {', '.join(not_run[:10])}"
        )


def node_name(unique_id: str) -> str:
    """A node's name, as `dbt show --select` and `dbt test --select` take it, from its unique
    id (`test.<package>.<name>.<hash>`)."""
    return unique_id.split(".")[2]


def build_operator_args(settings: Any) -> dict[str, Any]:
    """The arguments of the transform's one cosmos `DbtBuildLocalOperator`: the project, the
    profile of the configured target, the selection (IRM_DBT_SELECT; everything when empty),
    dbt in-process (dbtRunner: 0.5-1.5 s against 3.5 s as a subprocess, measured here), the
    warehouse's one-slot pool, and the callbacks above."""
    from cosmos import ProfileConfig
    from cosmos import settings as cosmos_settings
    from cosmos.constants import InvocationMode

    from core.config import WAREHOUSE_POOL
    from irm.orchestration import freeze_heap

    dbt_dir = settings.dbt_project_dir
    manifest_path = dbt_dir / "target" / "manifest.json"
    return {
        "project_dir": dbt_dir,
        "profile_config": ProfileConfig(
            profile_name="irm",
            target_name=settings.dbt_target,
            profiles_yml_filepath=dbt_dir / "profiles.yml",
        ),
        "invocation_mode": InvocationMode.DBT_RUNNER,
        "select": " ".join(settings.dbt_select) or None,
        "indirect_selection": INDIRECT_SELECTION,
        "install_deps": False,
        # dbt's partial-parse file is kept between runs here (as cosmos keeps a task group's):
        # a full parse of the project costs seconds at every build.
        "cache_dir": cosmos_settings.cache_dir / f"irm_transform__{BUILD_TASK_ID}",
        # Cosmos's per-model assets are invented at run time, which Airflow 3 never registers;
        # other DAGs follow MARTS_ASSET and PUBLISHED_ASSET.
        "emit_datasets": False,
        "pool": WAREHOUSE_POOL,
        "env": {"IRM_WAREHOUSE_PATH": str(settings.warehouse_path), **DBT_TEST_SCOPE_ENV},
        "append_env": True,
        "dbt_cmd_global_flags": list(DBT_GLOBAL_FLAGS),
        "dbt_cmd_flags": list(DBT_BUILD_FLAGS),
        "dbt_runner_callbacks": [collect_node_results],
        "callback": record_build,
        "callback_args": {
            "manifest_path": str(manifest_path),
            "dbt_select": list(settings.dbt_select),
        },
        "pre_execute": freeze_heap,
        "doc_md": __doc__,
    }
