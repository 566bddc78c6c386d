"""Every dbt data test of the models irm_transform renders runs in it, and each run says how many.

Cosmos renders one `dbt build` per model, selecting the model and, by cautious indirect
selection, the tests whose parents are all that one model. Two kinds of test fall through:
a test spanning two resources (a `relationships` test: the model and the one it refers to)
belongs to neither resource's task, and a test of an ephemeral model has no task at all (cosmos
renders ephemeral models as empty tasks). `add_remaining_tests_task` adds one `dbt test` task
after every model task that selects those tests by name, so the transform runs all of them for
one more dbt start-up (cosmos's `should_detach_multiple_parents_tests` would pay one per
relationships test, and still leave the ephemeral models' tests out).

"The tests of the rendered models" are the tests whose parents are all rendered: everything
when IRM_DBT_SELECT is empty; with a partial select, what `dbt build --select <it>
--indirect-selection cautious` would test (a test reaching a model outside the selection is
left out: that model may not exist yet).

At run time each dbt task pushes the tests it ran as XCom (taken from dbt's NodeFinished events:
dbt runs with --no-write-json, see DBT_GLOBAL_FLAGS, so there is no run_results.json), and
`report_tests_run` logs "dbt tests run in this transform: N of M in the manifest (K with several
parents)", failing the run before the mart checks if a test of the rendered models did not run.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

# The resources a dbt task builds; tests are selected through them (indirect selection).
BUILDABLE_TYPES = frozenset({"model", "seed", "snapshot"})
TESTS_RUN_XCOM_KEY = "dbt_tests_run"
REMAINING_TESTS_TASK_ID = "tests_beyond_model_tasks"
# Every dbt command of the transform skips writing its JSON artifacts: manifest.json (2.8 MB,
# written twice per command) and run_results.json took half of each model task (1.3 s against
# 0.65 s per in-process `dbt build` of one model, measured here). The tests a command ran come
# from dbt's events instead (collect_node_results).
DBT_GLOBAL_FLAGS = ("--no-write-json",)
# The transform's dbt commands leave dbt's unit tests out (dags/irm_transform.py says why).
DBT_BUILD_FLAGS = ("--exclude-resource-type", "unit_test")
# The attributes the remaining-tests task takes from the model tasks: the same project, profile,
# in-process runner, partial-parse cache, environment, pool, flags and callback. The dbt-runner
# callbacks and the pre-execute hook are passed apart: the operators keep them under other names.
_SHARED_DBT_SETUP = (
    "project_dir",
    "profile_config",
    "invocation_mode",
    "install_deps",
    "env",
    "append_env",
    "vars",
    "partial_parse",
    "cache_dir",
    "manifest_filepath",
    "callback",
    "pool",
    "dbt_cmd_global_flags",
)
# The results of the nodes the current dbt command finished: (unique_id, status, message).
# One dbt command runs at a time in a task's process (cosmos invokes dbtRunner synchronously).
_finished_nodes: list[tuple[str, str, str]] = []


@dataclass(frozen=True)
class ProjectNode:
    """A dbt resource or data test, as far as selection needs it."""

    unique_id: str
    resource_type: str
    fqn: tuple[str, ...]
    parents: frozenset[str]

    @property
    def name(self) -> str:
        return self.fqn[-1]

    @property
    def is_test(self) -> bool:
        return self.resource_type == "test"


def nodes_from_manifest(manifest: Mapping[str, Any]) -> dict[str, ProjectNode]:
    """The models, seeds, snapshots and data tests of a dbt manifest.json."""
    return {
        uid: ProjectNode(
            uid,
            node["resource_type"],
            tuple(node["fqn"]),
            frozenset(node.get("depends_on", {}).get("nodes", ())),
        )
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in BUILDABLE_TYPES | {"test"}
    }


def nodes_from_cosmos(dbt_nodes: Mapping[str, Any]) -> dict[str, ProjectNode]:
    """The same, from the nodes cosmos loaded from the manifest (no second read of it)."""
    nodes = {}
    for uid, node in dbt_nodes.items():
        resource_type = node.resource_type.value
        if resource_type in BUILDABLE_TYPES | {"test"} and node.fqn:
            parents = frozenset(node.depends_on)
            nodes[uid] = ProjectNode(uid, resource_type, tuple(node.fqn), parents)
    return nodes


class ProjectGraph:
    """The nodes of a dbt project, indexed for the selections cosmos renders."""

    def __init__(self, nodes: Mapping[str, ProjectNode]) -> None:
        self.nodes = dict(nodes)
        self._by_selector: dict[str, set[str]] = defaultdict(set)
        self._tests_by_parent: dict[str, set[str]] = defaultdict(set)
        for uid, node in self.nodes.items():
            # dbt's `fqn` method (a bare name's too), without wildcards: the node's name, or a
            # leading part of its dotted fully qualified name.
            self._by_selector[node.name].add(uid)
            flat = [item for segment in node.fqn for item in segment.split(".")]
            for end in range(1, len(flat) + 1):
                self._by_selector[".".join(flat[:end])].add(uid)
            if node.is_test:
                for parent in node.parents:
                    self._tests_by_parent[parent].add(uid)

    @property
    def tests(self) -> frozenset[str]:
        return frozenset(uid for uid, node in self.nodes.items() if node.is_test)

    def cautious_tests_of(self, resources: Iterable[str]) -> frozenset[str]:
        """The tests whose parents are all among `resources` (dbt's cautious indirect
        selection)."""
        chosen = set(resources)
        candidates = set().union(*(self._tests_by_parent[uid] for uid in chosen))
        return frozenset(uid for uid in candidates if self.nodes[uid].parents <= chosen)

    def eager_tests_of(self, resources: Iterable[str]) -> frozenset[str]:
        """The tests with at least one parent among `resources` (dbt's default)."""
        return frozenset(set().union(*(self._tests_by_parent[uid] for uid in resources)))

    def selected(self, spec: str | list[str] | None) -> set[str]:
        """The nodes a dbt `--select`/`--exclude` value names directly. Only the forms cosmos
        renders for single tasks are understood; anything else raises, so a cosmos change
        cannot make a task's tests be miscounted silently."""
        tokens = spec.split() if isinstance(spec, str) else list(spec or [])
        chosen: set[str] = set()
        for token in tokens:
            method, _, value = token.rpartition(":")
            if method not in ("", "fqn") or any(c in value for c in "+@,*?[]"):
                raise ValueError(f"dbt selector {token!r} is not one a single cosmos task renders")
            chosen |= self._by_selector.get(value, set())
        return chosen


def _direct_selection(task: Any, graph: ProjectGraph) -> set[str]:
    """What a `dbt build`/`dbt test` task selects by name, before indirect selection; nothing
    for any other task (an ephemeral model's empty task, a Python task)."""
    if getattr(task, "base_cmd", None) not in (["build"], ["test"]):
        return set()
    if getattr(task, "selector", None) or getattr(task, "models", None):
        raise ValueError(f"{task.task_id}: a YAML selector or --models cannot be counted")
    return graph.selected(task.select) - graph.selected(task.exclude)


def resources_built_by(task: Any, graph: ProjectGraph) -> frozenset[str]:
    """The models, seeds and snapshots a rendered task builds."""
    if getattr(task, "base_cmd", None) != ["build"]:
        return frozenset()
    return frozenset(uid for uid in _direct_selection(task, graph) if not graph.nodes[uid].is_test)


def selected_tests(task: Any, graph: ProjectGraph) -> frozenset[str]:
    """The data tests a rendered task runs."""
    direct = _direct_selection(task, graph)
    if not direct:
        return frozenset()
    tests = {uid for uid in direct if graph.nodes[uid].is_test}
    resources = direct - tests
    mode = getattr(task, "indirect_selection", None) or "eager"
    if mode == "cautious":
        tests |= graph.cautious_tests_of(resources)
    elif mode == "eager":
        tests |= graph.eager_tests_of(resources)
    elif mode != "empty":
        raise ValueError(f"{task.task_id}: indirect selection {mode!r} cannot be counted")
    return frozenset(tests - graph.selected(task.exclude))


def tasks_in(group: Any) -> Iterator[Any]:
    """Every task of a task group, nested groups included."""
    for child in group.children.values():
        if hasattr(child, "children"):
            yield from tasks_in(child)
        else:
            yield child


@dataclass(frozen=True)
class DbtTestPlan:
    """What a transform run must test, worked out when the DAG is parsed."""

    dbt_task_ids: tuple[str, ...]
    in_manifest: int
    expected: frozenset[str]  # the tests of the rendered models
    several_parents: frozenset[str]  # the tests of the manifest with more than one parent
    dbt_select: tuple[str, ...]


def add_remaining_tests_task(group: Any) -> DbtTestPlan:
    """Add to a cosmos DbtTaskGroup one `dbt test` task, after all its other tasks, for the tests
    of the rendered models that no model task runs (none is added when there are none), and
    return what the run must test."""
    from cosmos.operators.local import DbtBuildLocalOperator, DbtTestLocalOperator

    graph = ProjectGraph(nodes_from_cosmos(group.dbt_graph.nodes))
    rendered = {uid for uid in group.dbt_graph.filtered_nodes if uid in graph.nodes}
    expected = graph.cautious_tests_of(uid for uid in rendered if not graph.nodes[uid].is_test)
    tasks = list(tasks_in(group))
    covered = frozenset().union(*(selected_tests(task, graph) for task in tasks))
    remaining = sorted(graph.nodes[uid].name for uid in expected - covered)
    if remaining:
        model_task = next((t for t in tasks if isinstance(t, DbtBuildLocalOperator)), None)
        if model_task is None:
            raise ValueError(
                f"the dbt selection {group.dbt_graph.render_config.select} renders no model dbt "
                "builds, only ephemeral ones: select the models they are inlined into"
            )
        ids_in_group = {t.task_id for t in tasks}
        leaves = [t for t in tasks if not t.downstream_task_ids & ids_in_group]
        test_task = DbtTestLocalOperator(
            task_id=REMAINING_TESTS_TASK_ID,
            task_group=group,
            select=" ".join(remaining),
            emit_datasets=False,  # as cosmos renders its test tasks: tests produce no data
            doc_md="The data tests no model task runs: tests spanning two resources "
            "(relationships) and tests of ephemeral models (irm.dbt_coverage).",
            dbt_runner_callbacks=model_task._dbt_runner_callbacks,
            pre_execute=model_task._pre_execute_hook,
            **{name: getattr(model_task, name) for name in _SHARED_DBT_SETUP},
        )
        leaves >> test_task
        tasks.append(test_task)
    return DbtTestPlan(
        dbt_task_ids=tuple(t.task_id for t in tasks if hasattr(t, "base_cmd")),
        in_manifest=len(graph.tests),
        expected=expected,
        several_parents=frozenset(uid for uid in graph.tests if len(graph.nodes[uid].parents) > 1),
        dbt_select=tuple(group.dbt_graph.render_config.select or ()),
    )


def collect_node_results(event: Any) -> None:
    """dbtRunner event callback: keep the result of each node the command finishes (a new
    command, announced by its MainReportVersion event, starts an empty list)."""
    name = event.info.name
    if name == "MainReportVersion":
        _finished_nodes.clear()
    elif name == "NodeFinished":
        result = event.data.run_result
        _finished_nodes.append((event.data.node_info.unique_id, result.status, result.message))


def record_tests_run(project_dir: str, context: Mapping[str, Any], **_: Any) -> None:
    """Cosmos callback, after each dbt command (before cosmos judges its result): push the data
    tests dbt ran as XCom, and fail without retry when one of them failed, since another try
    reads the same data (an error, such as a locked database, keeps its retries). A command
    that stopped before running anything finished no node; cosmos raises its error."""
    results = list(_finished_nodes)
    _finished_nodes.clear()
    ran = sorted(
        uid for uid, status, _ in results if uid.startswith("test.") and status != "skipped"
    )
    context["ti"].xcom_push(key=TESTS_RUN_XCOM_KEY, value=ran)
    failed = [(uid, message) for uid, status, message in results if status == "fail"]
    if failed:
        from airflow.sdk.exceptions import AirflowFailException

        names = "; ".join(f"{uid}: {message}" for uid, message in failed)
        raise AirflowFailException(f"dbt tests failed (bad data, not retried): {names}")


def summary_line(ran: frozenset[str], plan: DbtTestPlan) -> str:
    line = (
        f"dbt tests run in this transform: {len(ran)} of {plan.in_manifest} in the manifest "
        f"({len(ran & plan.several_parents)} with several parents)"
    )
    if plan.dbt_select:
        line += (
            f"; {len(plan.expected)} of them test the models IRM_DBT_SELECT="
            f"{' '.join(plan.dbt_select)} renders"
        )
    return line


def report_tests_run(plan: DbtTestPlan, ti: Any) -> dict[str, int]:
    """Log how many tests the run's dbt tasks ran; fail (no retry) when a test of the rendered
    models did not run, so an untested mart is never checked or published."""
    pushed = ti.xcom_pull(task_ids=list(plan.dbt_task_ids), key=TESTS_RUN_XCOM_KEY) or []
    ran = frozenset(uid for tests in pushed if tests for uid in tests)
    log.info(summary_line(ran, plan))
    missing = sorted(plan.expected - ran)
    if missing:
        from airflow.sdk.exceptions import AirflowFailException

        examples = ", ".join(missing[:10])
        raise AirflowFailException(
            f"{len(missing)} dbt tests of the rendered models did not run: {examples}"
        )
    return {
        "tests_run": len(ran),
        "tests_in_manifest": plan.in_manifest,
        "with_several_parents": len(ran & plan.several_parents),
        "tests_expected": len(plan.expected),
    }
