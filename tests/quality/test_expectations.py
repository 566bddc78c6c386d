"""Mart suites: good data passes, spoiled data fails naming the expectation and values."""

from __future__ import annotations

import gc
import json
import weakref
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from core.config import Settings, get_settings
from core.errors import DataQualityError
from expectations import raise_on_critical, validate_marts
from expectations.contract import COLUMN_TYPES
from expectations.frames import TableRead, kind_of, read_tables, read_warehouse
from expectations.mart_suites import mart_suites
from expectations.suites import KIND_DTYPES, STAGES, registry, suites_for
from warehouse.mart_contract import read_marts

Warehouse = Callable[..., Path]
# The day the conftest marts are current for.
AS_OF = date(2026, 2, 6)


def critical_error(report) -> str:
    with pytest.raises(DataQualityError) as caught:
        raise_on_critical(report)
    assert caught.value.report is report
    return str(caught.value)


# --- without Great Expectations -------------------------------------------------------------


def test_every_check_names_a_declared_column() -> None:
    for stage in STAGES:
        for suite in registry(stage).values():
            for check in suite.all_checks():
                assert set(check.columns) <= set(suite.columns), (suite.name, check)
                assert check.level in ("critical", "warning")
            for ref in suite.references:
                parent = registry(suite.stage)[ref.table]
                assert ref.parent_column in parent.columns, (suite.name, ref)


def test_spec_marts_are_registered_and_only_two_are_required() -> None:
    suites = mart_suites()
    assert [s.table for s in suites if not s.optional] == ["dim_creator_account", "fct_post"]
    # The marts' names are a public interface (SPEC 5.1 and 5.5).
    assert {s.table for s in suites} == {
        "dim_creator",
        "dim_creator_account",
        "fct_account_daily",
        "fct_comment",
        "fct_post",
        "mart_brand_mentions",
        "mart_campaign_creator_roi",
        "mart_campaign_roi",
        "mart_creator_engagement",
        "mart_creator_growth",
        "mart_creator_scorecard",
        "mart_creator_sentiment",
        "mart_discovery_candidates",
        "mart_post_sentiment",
        "mart_quality_flags",
        "mart_relationship_health",
        "mart_share_of_voice",
    }
    assert set(registry("marts")) == {s.table for s in suites}


def test_each_mart_suite_declares_its_contract_columns_with_their_kinds() -> None:
    # Issue 19: the suites were written by hand and missed columns the dbt contract has.
    marts = read_marts(get_settings())
    suites = {s.table: s for s in suites_for("marts")}
    for name, mart in marts.items():
        assert suites[name].columns == {c.name: c.kind for c in mart.columns}, name
    assert list(suites) == list(marts)  # parents first: a broken parent is named first


def test_the_suites_check_what_the_contract_tests_and_expects() -> None:
    suite = suites_for("marts", ["fct_post"])[0]
    checks = {(c.type, c.column, c.level) for c in suite.all_checks()}
    # dbt's accepted_values and the meta's regex
    assert ("expect_column_values_to_be_in_set", "disclosure_status", "critical") in checks
    assert ("expect_column_values_to_match_regex", "post_id", "critical") in checks
    # dbt's non_negative, and the meta's typical and plausible ranges
    rate = {
        (c.kwargs.get("min_value"), c.kwargs.get("max_value"), c.kwargs.get("mostly"), c.level)
        for c in suite.checks
        if c.column == "engagement_rate" and c.type == "expect_column_values_to_be_between"
    }
    assert rate == {
        (0, None, None, "critical"),
        (None, 1, 0.5, "critical"),
        (None, 5, None, "warning"),
    }
    # dbt's relationships to other marts, at dbt's severity
    assert {(r.column, r.table, r.parent_column, r.level) for r in suite.references} == {
        ("account_id", "dim_creator_account", "account_id", "critical"),
        ("creator_id", "dim_creator", "creator_id", "critical"),
        ("campaign_id", "mart_campaign_roi", "campaign_id", "warning"),
    }
    assert (suite.key, suite.freshness, suite.optional) == (("post_id",), "published_at", False)


def test_a_suite_keeps_each_check_once_and_every_column_its_own() -> None:
    """The GX suite is built whole (runner._gx_suite), so the set-like rule of GX's
    add_expectation is ours: a repeated check is evaluated once; the same check on another
    column, or at another level, is a check of its own."""
    import great_expectations as gx

    from expectations.contract import Check
    from expectations.runner import _gx_suite

    suite = mart_suites()[0]
    not_null = Check("expect_column_values_to_not_be_null", {"column": "creator_id"})
    checks = [
        not_null,
        Check("expect_column_values_to_not_be_null", {"column": "display_name"}),
        Check("expect_column_values_to_not_be_null", {"column": "creator_id"}, "warning"),
        Check("expect_column_values_to_not_be_null", {"column": "creator_id"}, notes="again"),
    ]
    gx.get_context(mode="ephemeral")
    built = _gx_suite(gx, suite, checks)
    assert [(e.expectation_type, e.column, e.severity) for e in built.expectations] == [
        ("expect_column_values_to_not_be_null", "creator_id", "critical"),
        ("expect_column_values_to_not_be_null", "display_name", "critical"),
        ("expect_column_values_to_not_be_null", "creator_id", "warning"),
    ]


def test_unknown_table_is_refused() -> None:
    with pytest.raises(ValueError, match="no_such_mart"):
        suites_for("marts", ["no_such_mart"])


def test_frames_get_one_dtype_per_kind(settings: Settings, warehouse: Warehouse) -> None:
    # DuckDB's .df() gives int32 for an INTEGER without NULLs: the kind's dtype must win.
    warehouse("ALTER TABLE marts.dim_creator_account ALTER followers TYPE INTEGER")
    frames, present = read_tables(settings.warehouse_path, "marts", ["dim_creator_account"])
    frame = frames["dim_creator_account"]
    assert "fct_post" in present and "dim_creator_account" in present
    assert str(frame["followers"].dtype) == KIND_DTYPES["integer"]
    assert str(frame["handle"].dtype) == KIND_DTYPES["string"]
    assert frame["last_refreshed_at"].dtype == pd.DatetimeTZDtype("us", "UTC")
    assert kind_of("DECIMAL(12,2)") == "number"
    assert kind_of("TIMESTAMP WITH TIME ZONE") == "timestamp"
    assert kind_of("STRUCT(a INTEGER)") is None


def test_marts_are_read_with_the_columns_their_suites_check(
    settings: Settings, warehouse: Warehouse
) -> None:
    # A column no value check reads (fct_post's caption: most of its memory) comes as NULLs of
    # its type, for the schema checks; an undeclared column stays in the warehouse; the columns
    # checks and references read come with their values.
    warehouse(
        "UPDATE marts.fct_post SET caption = 'a long caption'",
        "ALTER TABLE marts.fct_post ADD COLUMN undeclared VARCHAR DEFAULT 'x'",
    )
    [suite] = suites_for("marts", ["fct_post"])
    reads: list[TableRead] = []
    present = read_warehouse(settings.warehouse_path, "marts", [suite], take=reads.append)
    assert "dim_creator" in present  # every table of the schema, not only those read
    [read] = reads
    frame = read.frame
    assert set(frame.columns) == set(suite.columns)
    assert "caption" not in suite.value_columns and frame["caption"].isna().all()
    assert str(frame["caption"].dtype) == KIND_DTYPES["string"]
    assert {ref.column for ref in suite.references} <= set(suite.value_columns)
    # A healthy mart shows GX its first row and the one with the newest freshness value.
    assert read.counts.rows == 5 and 1 <= len(frame) <= 2
    assert frame["likes"].notna().all()


# --- with Great Expectations (one import per session) ---------------------------------------


@pytest.mark.usefixtures("gx_imported")
def test_no_mart_frame_is_held_while_the_checkpoint_runs(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each mart goes to its Feather file and is dropped before the checkpoint, which reads the
    # files: holding every mart through it was a third of validate_marts' peak memory.
    from expectations import frames
    from expectations.runner import import_gx

    warehouse("UPDATE marts.fct_post SET account_id = 'tiktok:ghost' WHERE post_id = 'tiktok:t2'")
    read: list[weakref.ref[pd.DataFrame]] = []
    alive: list[int] = []
    checkpoint = import_gx().Checkpoint
    read_table, run = frames.read_table, checkpoint.run

    def recorded_read(*args: Any, **kwargs: Any) -> pd.DataFrame:
        frame = read_table(*args, **kwargs)
        read.append(weakref.ref(frame))
        return frame

    def probed_run(self: Any, *args: Any, **kwargs: Any) -> Any:
        gc.collect()  # only what is still referenced counts
        alive.append(sum(ref() is not None for ref in read))
        return run(self, *args, **kwargs)

    monkeypatch.setattr(frames, "read_table", recorded_read)
    monkeypatch.setattr(checkpoint, "run", probed_run)
    report = validate_marts(as_of=AS_OF)
    assert len(read) == len(mart_suites())  # every mart was read, through the recorded reader
    assert alive == [0]  # one checkpoint, and no frame of the read alive while it ran
    # What the report needs survived the frames: row counts and the derived orphan column.
    rows = {s.suite: s.rows for s in report.suites}
    assert [rows[f"marts.{t}"] for t in ("dim_creator", "dim_creator_account", "fct_post")] == [
        3,
        3,
        5,
    ]
    [orphan] = report.failed_critical
    assert (orphan.column, orphan.sample) == (
        "account_id not in dim_creator_account.account_id",
        ["tiktok:ghost"],
    )


@pytest.mark.usefixtures("gx_imported")
def test_good_marts_pass_and_docs_are_built(settings: Settings, warehouse: Warehouse) -> None:
    warehouse()
    report = validate_marts(as_of=AS_OF)
    assert report.success, report.failed_critical
    assert [s.suite for s in report.suites] == [f"marts.{s.table}" for s in mart_suites()]
    rows = {s.suite: s.rows for s in report.suites}
    assert [rows[f"marts.{t}"] for t in ("dim_creator", "dim_creator_account", "fct_post")] == [
        3,
        3,
        5,
    ]
    assert report.warnings == [], [w.describe() for w in report.warnings]
    assert report.skipped == []
    raise_on_critical(report)  # does not raise
    assert report.data_docs_index == settings.data_docs_dir / "marts" / "index.html"
    assert report.data_docs_index.is_file()
    html = report.data_docs_index.read_text(encoding="utf-8")
    assert "marts.fct_post" in html
    # One site per stage plus the home page; staging folders are gone.
    assert sorted(p.name for p in settings.data_docs_dir.iterdir()) == ["index.html", "marts"]
    assert report.data_docs_home == settings.data_docs_dir / "index.html"
    assert 'href="marts/index.html"' in report.data_docs_home.read_text(encoding="utf-8")
    # The report travels as JSON (XCom).
    json.dumps(report.to_dict())


def test_a_second_docs_build_in_a_process_compiles_no_template(
    settings: Settings, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GX makes new Jinja environments for every Data Docs build; the templates are compiled
    once per process (expectations/docs_views.py) and the pages come out the same."""
    import jinja2

    warehouse()
    validate_marts(as_of=AS_OF)  # this process's first build, or not: compiled from here on
    first = (settings.data_docs_dir / "marts" / "index.html").read_text(encoding="utf-8")
    compiled: list[str | None] = []
    compile_template = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None, *a, **k):
        compiled.append(name)
        return compile_template(self, source, name, *a, **k)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    report = validate_marts(as_of=AS_OF)
    assert compiled == []
    again = report.data_docs_index.read_text(encoding="utf-8")
    # The same page but for the run's times and identifiers.
    for page in (first, again):
        assert page.count("marts.fct_post") == first.count("marts.fct_post") > 0
    assert len(again) == pytest.approx(len(first), rel=0.01)


@pytest.mark.usefixtures("gx_imported")
def test_checks_count_the_whole_mart_while_gx_sees_only_rows_that_can_fail(
    settings: Settings, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 2,000 more posts: 40 with negative likes, 600 with a rate above 1, fewer than the half
    # `mostly` allows (a check GX alone, shown only failing rows, would fail).
    more_posts = (
        "INSERT INTO marts.fct_post SELECT p.* REPLACE ("
        "'youtube:x' || i AS post_id, CASE WHEN i < 40 THEN -1 ELSE likes END AS likes, "
        "CASE WHEN i < 600 THEN 2.0 ELSE 0.1 END AS engagement_rate) "
        "FROM marts.fct_post AS p, range(2000) AS r(i) WHERE post_id = 'youtube:v1'"
    )
    warehouse(more_posts)
    from expectations import frames

    shown: list[int] = []
    read_table = frames.read_table

    def recorded_read(*args: Any, **kwargs: Any) -> pd.DataFrame:
        frame = read_table(*args, **kwargs)
        shown.append(len(frame))
        return frame

    monkeypatch.setattr(frames, "read_table", recorded_read)
    report = validate_marts(["fct_post"], as_of=AS_OF)
    [failure] = report.failed_critical
    assert (failure.column, failure.unexpected_count, failure.element_count) == ("likes", 40, 2005)
    assert failure.sample == [-1]
    assert report.suites[0].rows == 2005
    # The first row, the newest, and at most 20 failing rows of each of the two failing checks.
    assert len(shown) == 1 and shown[0] <= 42

    # Now most rates are above 1: the `mostly` check fails, counted over the whole mart.
    settings.warehouse_path.unlink()
    all_new_above_1 = (
        "UPDATE marts.fct_post SET engagement_rate = 2.0 WHERE post_id LIKE 'youtube:x%'"
    )
    warehouse(more_posts, all_new_above_1)
    report = validate_marts(["fct_post"], as_of=AS_OF)
    rate = [f for f in report.failed_critical if f.column == "engagement_rate"]
    assert [(f.unexpected_count, f.element_count) for f in rate] == [(2000, 2005)]


@pytest.mark.usefixtures("gx_imported")
def test_a_check_the_warehouse_and_gx_decide_differently_fails(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    # If the SQL of a check (expectations/counts.py) ever counted otherwise than GX decides on
    # the same rows, the check must fail saying so, not pass on either's word.
    from expectations import frames

    warehouse("UPDATE marts.fct_post SET likes = -7 WHERE post_id = 'youtube:v2'")
    count_table = frames.count_table

    def undercounted(*args: Any, **kwargs: Any) -> Any:
        counts = count_table(*args, **kwargs)
        none_failing = {key: replace(c, unexpected=0) for key, c in counts.checks.items()}
        return replace(counts, checks=none_failing)

    monkeypatch.setattr(frames, "count_table", undercounted)
    report = validate_marts(["fct_post"], as_of=AS_OF)
    [failure] = report.failed_critical
    assert failure.column == "likes"
    assert failure.error is not None and "disagree" in failure.error


@pytest.mark.usefixtures("gx_imported")
def test_negative_count_is_critical(warehouse: Warehouse) -> None:
    warehouse("UPDATE marts.fct_post SET likes = -7 WHERE post_id = 'youtube:v2'")
    report = validate_marts(["fct_post"], as_of=AS_OF)
    assert not report.success
    [failure] = report.failed_critical
    assert (failure.expectation_type, failure.column, failure.sample) == (
        "expect_column_values_to_be_between",
        "likes",
        [-7],
    )
    message = critical_error(report)
    assert "marts.fct_post" in message
    assert "expect_column_values_to_be_between(column='likes'" in message
    assert "[-7]" in message


@pytest.mark.usefixtures("gx_imported")
def test_duplicated_key_is_critical(warehouse: Warehouse) -> None:
    warehouse(
        "INSERT INTO marts.dim_creator_account "
        "SELECT * FROM marts.dim_creator_account WHERE account_id = 'tiktok:k3'"
    )
    report = validate_marts(["dim_creator_account"], as_of=AS_OF)
    failures = {(f.suite, f.expectation_type, f.column) for f in report.failed_critical}
    assert failures == {
        ("marts.dim_creator_account", "expect_column_values_to_be_unique", "account_id")
    }
    message = critical_error(report)
    assert "expect_column_values_to_be_unique(column='account_id')" in message
    assert "tiktok:k3" in message


@pytest.mark.usefixtures("gx_imported")
def test_missing_column_is_critical_and_named_first(warehouse: Warehouse) -> None:
    warehouse("ALTER TABLE marts.fct_post DROP COLUMN followers_at_post")
    report = validate_marts(["fct_post"], as_of=AS_OF)
    first = report.failed_critical[0]
    assert first.expectation_type == "expect_table_columns_to_match_set"
    assert first.sample == ["followers_at_post"]
    message = critical_error(report)
    assert "marts.fct_post: expect_table_columns_to_match_set" in message
    assert "missing columns ['followers_at_post']" in message


@pytest.mark.usefixtures("gx_imported")
def test_wrong_type_and_unknown_platform_are_critical(warehouse: Warehouse) -> None:
    warehouse(
        "ALTER TABLE marts.fct_post ALTER views TYPE VARCHAR",
        "UPDATE marts.dim_creator_account SET platform = 'myspace' WHERE account_id = 'youtube:c1'",
    )
    report = validate_marts(["fct_post", "dim_creator_account"], as_of=AS_OF)
    failures = {(f.suite, f.expectation_type, f.column): f for f in report.failed_critical}
    # One check of every column's type per table, naming the column that is off.
    types = failures[("marts.fct_post", COLUMN_TYPES, None)]
    assert types.observed == {"views": {"found": "string", "expected": "Int64"}}
    assert ("marts.dim_creator_account", COLUMN_TYPES, None) not in failures
    platform = ("marts.dim_creator_account", "expect_column_values_to_be_in_set", "platform")
    assert platform in failures
    message = critical_error(report)
    assert "myspace" in message and "views" in message
    # Data Docs show each failing validation on a page of its own, this one too: DuckDB could not
    # count `views >= 0` over text, a check failed without a Python traceback.
    assert (
        "could not count"
        in failures[("marts.fct_post", "expect_column_values_to_be_between", "views")].error
    )
    site = report.data_docs_index.parent
    pages = {p.parts[-4]: p for p in site.glob("validations/marts/*/*/*/*.html")}
    assert set(pages) == {"fct_post", "dim_creator_account"}
    assert "could not count" in pages["fct_post"].read_text(encoding="utf-8")


@pytest.mark.usefixtures("gx_imported")
def test_warnings_are_reported_not_fatal(
    warehouse: Warehouse, caplog: pytest.LogCaptureFixture
) -> None:
    # A rate above 5 is implausible but possible for a tiny account: review, do not stop.
    warehouse("UPDATE marts.fct_post SET engagement_rate = 7.5 WHERE post_id = 'instagram:p1'")
    report = validate_marts(["fct_post"], as_of=AS_OF)
    assert report.success
    assert [s.suite for s in report.suites] == ["marts.fct_post"]
    [warning] = report.warnings
    assert (warning.column, warning.level, warning.sample) == ("engagement_rate", "warning", [7.5])
    raise_on_critical(report)
    assert "data quality warning" in caplog.text


@pytest.mark.usefixtures("gx_imported")
def test_missing_mart_is_critical(warehouse: Warehouse) -> None:
    warehouse("DROP TABLE marts.dim_creator_account")
    report = validate_marts(["dim_creator_account", "fct_post"], as_of=AS_OF)
    # Required: critical (its references from fct_post are not evaluated without it).
    [failure] = report.failed_critical
    assert failure.expectation_type == "expect_table_to_exist"
    assert "marts.dim_creator_account" in critical_error(report)


def test_home_page_links_each_stage_in_pipeline_order(tmp_path: Path) -> None:
    from expectations.docs import publish_run
    from expectations.report import FailedExpectation, SuiteResult, ValidationReport

    skipped = FailedExpectation(
        "marts.dim_creator", "expect_table_to_exist", None, "warning", {}, error="skipped"
    )
    marts = ValidationReport(
        "marts",
        [SuiteResult("marts.dim_creator", "dim_creator", None, 0, [], [skipped], skipped=True)],
        None,
        0.1,
    )
    landing = ValidationReport("landing", [], None, 0.1)
    (tmp_path / "landing").mkdir()
    (tmp_path / "landing" / "index.html").write_text("<html></html>")
    publish_run(tmp_path, marts)
    home = publish_run(tmp_path, landing).read_text(encoding="utf-8")
    assert home.index("<h2>landing") < home.index("<h2>marts")
    assert 'href="landing/index.html"' in home and 'href="marts/index.html"' not in home
    assert "skipped (optional, not built yet)" in home
    assert "marts.dim_creator: expect_table_to_exist" in home
