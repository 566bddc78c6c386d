"""Every dbt data test runs in irm_transform: read off the rendered DAG (each dbt task's
selection) against the manifest. A held-out run ran 275 of the manifest's 413 tests: each model's
task selects its own tests only, so tests spanning two models (relationships) and tests of
ephemeral models (rendered as empty tasks) ran nowhere."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from core.config import REPO_ROOT, get_settings
from irm.dbt_coverage import ProjectGraph, nodes_from_manifest, resources_built_by, selected_tests

# The production test's partial render (tests/production/test_celery_topology.py).
PARTIAL_SELECT = ("+fct_post", "+dim_creator_account")


def transform_dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO_ROOT / "dags" / "irm_transform.py"))
    assert bag.import_errors == {}
    return bag.dags["irm_transform"]


@pytest.fixture(scope="module")
def graph() -> ProjectGraph:
    manifest_path = get_settings().dbt_project_dir / "target" / "manifest.json"
    return ProjectGraph(nodes_from_manifest(json.loads(manifest_path.read_text())))


@pytest.fixture(scope="module")
def full_dag():
    return transform_dag()


def per_task_tests(dag, graph: ProjectGraph) -> dict[str, frozenset[str]]:
    return {task.task_id: selected_tests(task, graph) for task in dag.tasks}


def ancestors_and_self(names: tuple[str, ...], graph: ProjectGraph) -> set[str]:
    """The resources `+name ...` selects (dbt's graph operator, worked out independently)."""
    nodes = graph.nodes
    by_name = {node.name: uid for uid, node in nodes.items() if not node.is_test}
    pending = [by_name[name.lstrip("+")] for name in names]
    found: set[str] = set()
    while pending:
        uid = pending.pop()
        if uid in nodes and uid not in found:
            found.add(uid)
            pending.extend(nodes[uid].parents)
    return found


def test_every_manifest_test_runs_in_some_transform_task(full_dag, graph) -> None:
    covered = set().union(*per_task_tests(full_dag, graph).values())
    missing = graph.tests - covered
    several_parents = {uid for uid in missing if len(graph.nodes[uid].parents) > 1}
    assert not missing, (
        f"{len(covered)} of {len(graph.tests)} dbt tests run in irm_transform; "
        f"{len(missing)} run nowhere ({len(several_parents)} with several parents), e.g. "
        f"{sorted(missing)[:3]}"
    )


def test_no_test_runs_twice(full_dag, graph) -> None:
    """Each test costs its query once: no two tasks select the same test."""
    per_task = per_task_tests(full_dag, graph)
    assert sum(len(tests) for tests in per_task.values()) == len(set().union(*per_task.values()))


def test_each_test_runs_after_the_tasks_building_what_it_reads(full_dag, graph) -> None:
    """A relationships test reads two models: its task waits for both (an ephemeral model is
    read through the resources it is inlined from)."""
    nodes = graph.nodes
    builder = {uid: task for task in full_dag.tasks for uid in resources_built_by(task, graph)}

    def builders_read_by(uid: str) -> set[str]:
        if uid in builder:
            return {builder[uid].task_id}
        return set().union(set(), *(builders_read_by(p) for p in nodes[uid].parents if p in nodes))

    for task in full_dag.tasks:
        upstream = {t.task_id for t in task.get_flat_relatives(upstream=True)} | {task.task_id}
        for test in selected_tests(task, graph):
            for parent in nodes[test].parents:
                late = builders_read_by(parent) - upstream
                assert not late, f"{task.task_id} runs {test} before {late} builds {parent}"


def test_remaining_tests_gate_the_mart_checks(full_dag) -> None:
    """The tests outside the model tasks decide like theirs: a failure stops the mart checks
    and the publication, and the run's log counts every test before them."""
    from irm.dbt_coverage import REMAINING_TESTS_TASK_ID

    remaining = full_dag.get_task(f"dbt.{REMAINING_TESTS_TASK_ID}")
    downstream = {t.task_id for t in remaining.get_flat_relatives(upstream=False)}
    assert {"count_dbt_tests", "validate_marts", "publish"} <= downstream
    count = full_dag.get_task("count_dbt_tests")
    upstream = {t.task_id for t in count.get_flat_relatives(upstream=True)}
    assert {t.task_id for t in full_dag.tasks if t.task_id.startswith("dbt.")} <= upstream


def test_partial_select_runs_every_test_of_the_selected_models(monkeypatch, graph) -> None:
    """IRM_DBT_SELECT renders part of the project: every test whose models are all rendered
    runs, and none reaching a model outside it (that model may not exist in the warehouse)."""
    monkeypatch.setenv("IRM_DBT_SELECT", " ".join(PARTIAL_SELECT))
    dag = transform_dag()
    selected = ancestors_and_self(PARTIAL_SELECT, graph)
    expected = {uid for uid in graph.tests if graph.nodes[uid].parents <= selected}
    covered = set().union(*per_task_tests(dag, graph).values())
    assert covered - expected == set(), "a test reaches a model outside the selection"
    assert expected - covered == set(), (
        f"{len(expected - covered)} of the {len(expected)} tests of the selected models run nowhere"
    )


class FakeTaskInstance:
    """XCom as a task instance offers it: pushed under its own task id, pulled by task ids."""

    def __init__(self, task_id: str, store: dict[tuple[str, str], list[str]]) -> None:
        self.task_id = task_id
        self.store = store

    def xcom_push(self, key: str, value: list[str]) -> None:
        self.store[(self.task_id, key)] = value

    def xcom_pull(self, task_ids: list[str], key: str) -> list:
        return [self.store.get((task_id, key)) for task_id in task_ids]


def finish_dbt_command(statuses: dict[str, str]) -> None:
    """Feed the event callback what dbtRunner sends for one command: its MainReportVersion
    event, then a NodeFinished event per node (the fields irm.dbt_coverage reads, as dbt-core
    1.11 names them)."""
    from irm.dbt_coverage import collect_node_results

    def event(name: str, **data: object) -> SimpleNamespace:
        return SimpleNamespace(info=SimpleNamespace(name=name), data=SimpleNamespace(**data))

    collect_node_results(event("MainReportVersion", version="1.11"))
    for uid, status in statuses.items():
        collect_node_results(
            event(
                "NodeFinished",
                node_info=SimpleNamespace(unique_id=uid, node_status=status),
                run_result=SimpleNamespace(status=status, message=f"{status} message"),
            )
        )


def test_each_dbt_task_records_the_tests_it_ran(tmp_path) -> None:
    from irm.dbt_coverage import TESTS_RUN_XCOM_KEY, record_tests_run

    finish_dbt_command(
        {
            "model.irm.fct_post": "success",
            "test.irm.not_null_fct_post_post_id.1": "pass",
            "test.irm.relationships_fct_post_account_id.2": "warn",
            "test.irm.unique_fct_post_post_id.3": "skipped",
        },
    )
    store: dict = {}
    record_tests_run(str(tmp_path), context={"ti": FakeTaskInstance("dbt.fct_post", store)})
    assert store[("dbt.fct_post", TESTS_RUN_XCOM_KEY)] == [
        "test.irm.not_null_fct_post_post_id.1",
        "test.irm.relationships_fct_post_account_id.2",
    ]
    # The next task's command (in the same process under `airflow dags test`) records its own.
    finish_dbt_command(
        {"model.irm.dim_creator": "success", "test.irm.unique_dim_creator.4": "pass"}
    )
    record_tests_run(str(tmp_path), context={"ti": FakeTaskInstance("dbt.dim_creator", store)})
    assert store[("dbt.dim_creator", TESTS_RUN_XCOM_KEY)] == ["test.irm.unique_dim_creator.4"]


def test_a_failed_dbt_test_fails_its_task_without_retry(tmp_path) -> None:
    """Bad data: another try would read the same rows."""
    from airflow.sdk.exceptions import AirflowFailException

    from irm.dbt_coverage import record_tests_run

    failing = "test.irm.relationships_fct_post_account_id.2"
    finish_dbt_command({"test.irm.not_null_fct_post_post_id.1": "pass", failing: "fail"})
    with pytest.raises(AirflowFailException, match=failing):
        record_tests_run(str(tmp_path), context={"ti": FakeTaskInstance("dbt.fct_post", {})})


def test_the_count_fails_the_run_when_a_test_of_the_rendered_models_did_not_run(caplog) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    from irm.dbt_coverage import TESTS_RUN_XCOM_KEY as KEY
    from irm.dbt_coverage import DbtTestPlan, report_tests_run

    plan = DbtTestPlan(
        dbt_task_ids=("dbt.a", "dbt.b"),
        in_manifest=5,
        expected=frozenset({"test.1", "test.2", "test.3"}),
        several_parents=frozenset({"test.3"}),
        dbt_select=("+fct_post",),
    )
    caplog.set_level("INFO", logger="irm.dbt_coverage")
    all_ran = {("dbt.a", KEY): ["test.1"], ("dbt.b", KEY): ["test.2", "test.3"]}
    counts = report_tests_run(plan, FakeTaskInstance("count_dbt_tests", all_ran))
    assert counts["tests_run"] == 3 and counts["with_several_parents"] == 1
    assert (
        "dbt tests run in this transform: 3 of 5 in the manifest (1 with several parents); "
        "3 of them test the models IRM_DBT_SELECT=+fct_post renders"
    ) in caplog.text
    one_missing = {("dbt.a", KEY): ["test.1"], ("dbt.b", KEY): ["test.2"]}
    with pytest.raises(AirflowFailException, match="test.3"):
        report_tests_run(plan, FakeTaskInstance("count_dbt_tests", one_missing))
