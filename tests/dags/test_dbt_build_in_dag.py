"""irm_transform builds dbt in one task (irm.dbt_build): one `dbt build` of the selection, with
every data test of it, each model's result in XCom and the log, and the count of tests run.
When each model had its own cosmos task, a held-out run ran 275 of the manifest's 413 tests:
tests spanning two models and tests of ephemeral models ran in no model's task. The real runs
(tests/e2e, tests/dags/test_quality_gate_in_dag.py) check the count dbt reports."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.config import REPO_ROOT, get_settings
from irm.dbt_build import (
    BUILD_TASK_ID,
    RESULTS_XCOM_KEY,
    TESTS_RUN_XCOM_KEY,
    collect_node_results,
    record_build,
)


def transform_dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO_ROOT / "dags" / "irm_transform.py"))
    assert bag.import_errors == {}
    return bag.dags["irm_transform"]


def dbt_tasks(dag) -> list:
    return [t for t in dag.tasks if hasattr(t, "base_cmd")]


def test_one_dbt_build_of_everything_with_its_tests_gates_the_mart_checks() -> None:
    dag = transform_dag()
    assert [t.task_id for t in dbt_tasks(dag)] == [BUILD_TASK_ID]
    build = dag.get_task(BUILD_TASK_ID)
    assert build.base_cmd == ["build"]
    assert build.select is None and build.exclude is None  # the whole project
    # Tests are selected through the models: none is left out of a whole-project build.
    assert build.indirect_selection == "cautious"
    # The transform leaves dbt's unit tests (fixed inputs, not the day's data) to tests/dbt.
    assert "--exclude-resource-type unit_test" in " ".join(build.dbt_cmd_flags)
    downstream = {t.task_id for t in build.get_flat_relatives(upstream=False)}
    assert {"validate_marts", "publish"} <= downstream
    assert build.callback is record_build
    assert build.callback_args["dbt_select"] == []


def test_irm_dbt_select_narrows_the_build(monkeypatch) -> None:
    monkeypatch.setenv("IRM_DBT_SELECT", "+fct_post +dim_creator_account")
    build = transform_dag().get_task(BUILD_TASK_ID)
    assert build.select == "+fct_post +dim_creator_account"
    assert build.callback_args["dbt_select"] == ["+fct_post", "+dim_creator_account"]


class FakeTaskInstance:
    def __init__(self) -> None:
        self.pushed: dict[str, object] = {}

    def xcom_push(self, key: str, value: object) -> None:
        self.pushed[key] = value


def finish_dbt_command(statuses: dict[str, str]) -> None:
    """Feed the event callback what dbtRunner sends for one command: its MainReportVersion
    event, then a NodeFinished event per node (the fields irm.dbt_build reads, as dbt-core 1.11
    names them)."""

    def event(name: str, **data: object) -> SimpleNamespace:
        return SimpleNamespace(info=SimpleNamespace(name=name), data=SimpleNamespace(**data))

    collect_node_results(event("MainReportVersion", version="1.11"))
    for n, (uid, status) in enumerate(statuses.items()):
        collect_node_results(
            event(
                "NodeFinished",
                node_info=SimpleNamespace(unique_id=uid, node_status=status),
                run_result=SimpleNamespace(
                    status=status, message=f"{status} message", execution_time=0.25 * n
                ),
            )
        )


@pytest.fixture
def manifest_path() -> str:
    return str(get_settings().dbt_project_dir / "target" / "manifest.json")


def column_checks_of(manifest_path: str, model: str) -> str:
    """The unique id of a model's column_checks test (its name lists the columns it checks)."""
    import json

    nodes = json.loads(Path(manifest_path).read_text())["nodes"].values()
    [test] = [
        n["unique_id"]
        for n in nodes
        if (n.get("test_metadata") or {}).get("name") == "column_checks"
        and n["attached_node"] == f"model.irm.{model}"
    ]
    return test


@pytest.fixture
def fct_post_test(manifest_path: str) -> str:
    """A data test of fct_post alone (no other parent)."""
    return column_checks_of(manifest_path, "fct_post")


def record(manifest_path: str, dbt_select: tuple[str, ...] = ()) -> FakeTaskInstance:
    ti = FakeTaskInstance()
    record_build("/tmp/project", {"ti": ti}, manifest_path=manifest_path, dbt_select=dbt_select)
    return ti


def test_the_build_records_each_models_result_and_the_tests_it_ran(
    manifest_path, fct_post_test, caplog
) -> None:
    import json

    manifest = json.loads(Path(manifest_path).read_text())
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    relationships = next(t["unique_id"] for t in tests if len(t["depends_on"]["nodes"]) > 1)
    finish_dbt_command(
        {
            "model.irm.fct_post": "success",
            fct_post_test: "pass",
            relationships: "warn",
            "model.irm.dim_creator": "success",
        },
    )
    caplog.set_level("INFO", logger="irm.dbt_build")
    ti = record(manifest_path, ("+fct_post",))
    assert ti.pushed[RESULTS_XCOM_KEY] == {
        "model.irm.fct_post": {"status": "success", "seconds": 0.0},
        "model.irm.dim_creator": {"status": "success", "seconds": 0.75},
    }
    assert ti.pushed[TESTS_RUN_XCOM_KEY] == sorted([fct_post_test, relationships])
    assert "model.irm.dim_creator  success     0.75 s" in caplog.text
    assert (
        f"dbt tests run in this transform: 2 of {len(tests)} in the manifest "
        "(1 with several parents); 2 of them test the models IRM_DBT_SELECT=+fct_post selects"
    ) in caplog.text


def test_a_failed_dbt_test_fails_the_build_without_retry(manifest_path, fct_post_test) -> None:
    """Bad data: another try would read the same rows."""
    from airflow.sdk.exceptions import AirflowFailException

    failing = "test.irm.relationships_fct_post_account_id.2"
    finish_dbt_command({fct_post_test: "pass", failing: "fail"})
    with pytest.raises(AirflowFailException, match=failing):
        record(manifest_path)


def test_a_failed_dbt_test_says_how_to_see_its_failing_rows(manifest_path) -> None:
    """A staging or intermediate model's column_checks test fails with a count of failing
    rows; `dbt show --select <test>` lists them (which column, which check, how many)."""
    from airflow.sdk.exceptions import AirflowFailException

    failing = column_checks_of(manifest_path, "int_contracts")
    finish_dbt_command({failing: "fail"})
    with pytest.raises(AirflowFailException) as caught:
        record(manifest_path)
    assert f"dbt show --select {failing.split('.')[2]}" in str(caught.value)


def test_a_selected_test_that_did_not_run_fails_the_build(manifest_path, fct_post_test) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    finish_dbt_command({"model.irm.fct_post": "success", fct_post_test: "skipped"})
    with pytest.raises(AirflowFailException, match=re.escape(fct_post_test)):
        record(manifest_path)


def test_a_model_error_is_left_to_cosmos_and_its_retries(manifest_path, fct_post_test) -> None:
    """A model that did not build (a locked database, say) may build at the next try: cosmos
    raises dbt's error after the callback, and the task's retries apply."""
    finish_dbt_command({"model.irm.fct_post": "error", fct_post_test: "skipped"})
    ti = record(manifest_path)
    assert ti.pushed[RESULTS_XCOM_KEY]["model.irm.fct_post"]["status"] == "error"


def test_make_manifest_parses_with_the_flags_of_the_build_task(tmp_path) -> None:
    """dbt reuses a partial-parse file only when the profile and target flags it was made with
    are the command's: `make manifest` leaves one that the first transform on the same warehouse
    path picks up (18 s of full parse against 6 s, measured), if both pass the same flags."""
    build = transform_dag().get_task(BUILD_TASK_ID)
    flags = build._generate_dbt_flags(str(tmp_path), tmp_path / "profiles.yml")
    wanted = [f for f in flags if f not in (str(tmp_path), "--project-dir", "--profiles-dir")]
    makefile = (REPO_ROOT / "Makefile").read_text()
    [parse] = [line for line in makefile.splitlines() if "dbt parse" in line]
    words = parse.split()
    assert [w for w in wanted if w not in words] == [], f"make manifest: {parse.strip()}"
    for option in ("--profile", "--target"):
        assert words[words.index(option) + 1] == wanted[wanted.index(option) + 1]
