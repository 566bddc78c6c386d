"""Mart checks that depend on the run: optional marts, references, freshness, row-count change."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from core.config import Settings
from core.errors import DataQualityError
from expectations import raise_on_critical, validate_marts
from expectations.history import history_path
from expectations.marts import freshness_check, row_count_checks

Warehouse = Callable[..., Path]
AS_OF = date(2026, 2, 6)  # the conftest marts' newest rows are from the day before


def failures(report, level: str = "critical") -> set[tuple[str, str, str | None]]:
    found = report.failed_critical if level == "critical" else report.warnings
    return {(f.suite, f.expectation_type, f.column) for f in found}


def history(settings: Settings) -> dict:
    return json.loads(history_path(settings.state_dir).read_text())["tables"]


# --- without Great Expectations -------------------------------------------------------------


def test_row_count_bounds() -> None:
    assert row_count_checks(None) == []  # first run: nothing to compare with
    loss, growth = row_count_checks(5)
    # Losing more than half of 5 rows means keeping fewer than 2.5, i.e. at most 2.
    assert (loss.level, loss.kwargs["min_value"]) == ("critical", 3)
    assert (growth.level, growth.kwargs["max_value"]) == ("warning", 10)
    assert [c.kwargs["min_value"] for c in row_count_checks(0)] == [0]


def test_freshness_bound_matches_the_column_kind() -> None:
    stamp = freshness_check("published_at", "timestamp", AS_OF, 3)
    day = freshness_check("date", "date", AS_OF, 3)
    assert stamp.kwargs["min_value"] == "2026-02-03T00:00:00+00:00"
    assert day.kwargs["min_value"] == "2026-02-03T00:00:00"
    assert stamp.level == day.level == "warning"


# --- with Great Expectations ----------------------------------------------------------------


@pytest.mark.usefixtures("gx_imported")
def test_optional_marts_not_built_yet_are_skipped_with_a_warning(warehouse: Warehouse) -> None:
    warehouse("DROP TABLE marts.mart_creator_scorecard", "DROP TABLE marts.dim_creator")
    report = validate_marts(
        ["dim_creator", "dim_creator_account", "mart_creator_scorecard"], as_of=AS_OF
    )
    assert report.success, [f.describe() for f in report.failed_critical]
    assert report.skipped == ["marts.dim_creator", "marts.mart_creator_scorecard"]
    assert failures(report, "warning") == {
        ("marts.dim_creator", "expect_table_to_exist", None),
        ("marts.mart_creator_scorecard", "expect_table_to_exist", None),
    }
    # References to the missing dim_creator are not evaluated (nothing to compare with).
    assert "stage marts: marts.dim_creator: skipped" in report.summary()
    raise_on_critical(report)


@pytest.mark.usefixtures("gx_imported")
def test_post_of_an_unknown_account_is_a_critical_referential_failure(
    warehouse: Warehouse,
) -> None:
    warehouse(
        "INSERT INTO marts.fct_post SELECT * REPLACE ('tiktok:t9' AS post_id, "
        "'tiktok:ghost' AS account_id) FROM marts.fct_post WHERE post_id = 'tiktok:t2'"
    )
    report = validate_marts(["fct_post"], as_of=AS_OF)
    [failure] = report.failed_critical
    assert failure.column == "account_id not in dim_creator_account.account_id"
    assert (failure.expectation_type, failure.sample) == (
        "expect_column_values_to_be_null",
        ["tiktok:ghost"],
    )
    with pytest.raises(DataQualityError, match="tiktok:ghost") as caught:
        raise_on_critical(report)
    assert "marts.fct_post: expect_column_values_to_be_null(column='account_id not in" in str(
        caught.value
    )


@pytest.mark.usefixtures("gx_imported")
def test_creator_missing_from_dim_creator_is_detected_in_every_child(
    warehouse: Warehouse,
) -> None:
    warehouse("DELETE FROM marts.dim_creator WHERE creator_id = 'cr2'")
    report = validate_marts(
        ["dim_creator", "dim_creator_account", "fct_post", "mart_relationship_health"],
        as_of=AS_OF,
    )
    orphan = "creator_id not in dim_creator.creator_id"
    assert failures(report) == {
        ("marts.dim_creator_account", "expect_column_values_to_be_null", orphan),
        ("marts.fct_post", "expect_column_values_to_be_null", orphan),
        ("marts.mart_relationship_health", "expect_column_values_to_be_null", orphan),
    }
    assert {tuple(f.sample) for f in report.failed_critical} == {("cr2",)}


@pytest.mark.usefixtures("gx_imported")
def test_stale_marts_warn_but_do_not_fail(
    warehouse: Warehouse, caplog: pytest.LogCaptureFixture
) -> None:
    warehouse()
    report = validate_marts(
        ["fct_post", "dim_creator_account", "fct_account_daily"], as_of=date(2026, 3, 1)
    )
    assert report.success
    stale = {(f.suite, f.column) for f in report.warnings}
    assert stale == {
        ("marts.fct_post", "published_at"),
        ("marts.dim_creator_account", "last_refreshed_at"),
        ("marts.fct_account_daily", "date"),
    }
    assert {f.expectation_type for f in report.warnings} == {"expect_column_max_to_be_between"}
    raise_on_critical(report)  # warnings never raise
    assert "data quality warning" in caplog.text and "published_at" in caplog.text


@pytest.mark.usefixtures("gx_imported")
def test_freshness_window_is_a_setting(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse()
    monkeypatch.setenv("IRM_FRESHNESS_DAYS", "30")
    report = validate_marts(["fct_post"], as_of=date(2026, 3, 1))
    assert report.warnings == []


@pytest.mark.usefixtures("gx_imported")
def test_mart_that_lost_half_its_rows_fails_and_keeps_the_baseline(
    settings: Settings, warehouse: Warehouse
) -> None:
    path = warehouse()
    first = validate_marts(["fct_post", "dim_creator_account"], as_of=AS_OF)
    assert first.success
    baseline = history(settings)
    assert [e["rows"] for e in baseline["marts.fct_post"]] == [5]
    assert baseline["marts.dim_creator_account"][0]["as_of"] == "2026-02-06"

    import duckdb

    with duckdb.connect(str(path)) as con:  # 5 -> 2 rows: lost more than half
        con.execute("DELETE FROM marts.fct_post WHERE platform <> 'tiktok'")
    report = validate_marts(["fct_post", "dim_creator_account"], as_of=AS_OF)
    [failure] = report.failed_critical
    assert (failure.suite, failure.expectation_type) == (
        "marts.fct_post",
        "expect_table_row_count_to_be_between",
    )
    assert (failure.kwargs["min_value"], failure.observed) == (3, 2)
    assert "lost more than half of the 5 rows" in failure.notes
    with pytest.raises(DataQualityError, match="marts.fct_post: expect_table_row_count"):
        raise_on_critical(report)
    # A failed run is not recorded: the next run still compares with the 5 rows.
    assert history(settings) == baseline


@pytest.mark.usefixtures("gx_imported")
def test_large_growth_is_a_warning(settings: Settings, warehouse: Warehouse) -> None:
    warehouse()
    path = history_path(settings.state_dir)
    path.parent.mkdir(parents=True)
    entry = {"rows": 2, "as_of": "2026-02-05", "validated_at": "2026-02-05T23:00:00+00:00"}
    path.write_text(json.dumps({"version": 1, "tables": {"marts.fct_post": [entry]}}))
    report = validate_marts(["fct_post"], as_of=AS_OF)
    assert report.success
    [warning] = report.warnings
    assert (warning.expectation_type, warning.kwargs["max_value"], warning.observed) == (
        "expect_table_row_count_to_be_between",
        4,
        5,
    )
    assert [e["rows"] for e in history(settings)["marts.fct_post"]] == [2, 5]
