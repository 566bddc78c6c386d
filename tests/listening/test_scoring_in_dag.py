"""Where the scoring step runs (issue 20): in irm_transform, after the load and before the dbt
build (which labels the stored scores), in the one-slot warehouse pool (it writes the warehouse)."""

from __future__ import annotations

from core.config import REPO_ROOT, WAREHOUSE_POOL


def test_score_comments_runs_between_the_load_and_dbt_in_the_warehouse_pool() -> None:
    from airflow.dag_processing.dagbag import DagBag

    dagbag = DagBag(dag_folder=str(REPO_ROOT / "dags" / "irm_transform.py"))
    assert dagbag.import_errors == {}
    dag = dagbag.dags["irm_transform"]
    score = dag.get_task("score_comments")
    assert score.pool == WAREHOUSE_POOL
    assert dag.get_task("load_raw") in score.get_flat_relatives(upstream=True)
    assert score in dag.get_task("dbt_build").get_flat_relatives(upstream=True)
