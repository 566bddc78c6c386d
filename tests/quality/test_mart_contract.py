"""A mart's schema is written once, in its dbt contract (issue 19): the mart checks, the BI copy's
column metadata (which the export reads) and the tests' marts all follow it, so a contract change
that breaks a consumer fails a test."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from core.config import Settings, get_settings
from expectations.contract import CRITICAL, WARNING
from expectations.mart_suites import flag_types
from expectations.suites import suites_for
from tests.mart_fixtures import create_marts
from tests.serving.conftest import FULL_MARTS
from warehouse.mart_contract import (
    FORMATS,
    ROLES,
    ContractError,
    DataTest,
    manifest_path,
    read_marts,
)


def edited_project(settings: Settings, root: Path, edit: Callable[[dict], None]) -> Path:
    """A dbt project folder whose manifest is the project's, changed by `edit` (as `dbt parse`
    would write it after the same change of the YAML); returns the folder."""
    manifest = json.loads(manifest_path(settings).read_text(encoding="utf-8"))
    edit(manifest)
    project = root / "dbt_project"
    (project / "target").mkdir(parents=True)
    (project / "target" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return project


def renamed(mart: str, old: str, new: str) -> Callable[[dict], None]:
    """Rename a mart's column, with the data tests on it (and in its column_checks lists)."""

    def edit(manifest: dict) -> None:
        for node in manifest["nodes"].values():
            if node["resource_type"] == "model" and node["name"] == mart:
                node["columns"] = {
                    (new if name == old else name): {**c, "name": new} if name == old else c
                    for name, c in node["columns"].items()
                }
            elif node.get("attached_node", "").endswith(f".{mart}"):
                kwargs = node["test_metadata"]["kwargs"]
                if node["column_name"] == old:
                    node["column_name"] = kwargs["column_name"] = new
                for check in ("not_null", "non_negative", "unique"):
                    if isinstance(kwargs.get(check), list):
                        kwargs[check] = [new if c == old else c for c in kwargs[check]]
                if isinstance(kwargs.get("accepted_values"), dict):
                    kwargs["accepted_values"] = {
                        (new if c == old else c): values
                        for c, values in kwargs["accepted_values"].items()
                    }

    return edit


def without_test(mart: str, check: str, column: str) -> Callable[[dict], None]:
    """Drop a mart column's `check` test, a test of its own or a column_checks test's."""

    def edit(manifest: dict) -> None:
        nodes = manifest["nodes"]
        for uid, node in list(nodes.items()):
            if node.get("attached_node") != f"model.irm.{mart}" or not node.get("test_metadata"):
                continue
            name, kwargs = node["test_metadata"]["name"], node["test_metadata"]["kwargs"]
            if name == check and node["column_name"] == column:
                del nodes[uid]
            elif name == "column_checks" and isinstance(kwargs.get(check), list):
                kwargs[check] = [c for c in kwargs[check] if c != column]
            elif name == "column_checks" and isinstance(kwargs.get(check), dict):
                kwargs[check] = {c: v for c, v in kwargs[check].items() if c != column}

    return edit


def with_column_checks(
    mart: str, severity: str, **columns: list[str] | dict[str, list[str]]
) -> Callable[[dict], None]:
    """Add a `column_checks` test to a mart, as `dbt parse` writes it from the model's
    `data_tests: [{column_checks: {arguments: ..., config: {severity: ...}}}]`."""

    def edit(manifest: dict) -> None:
        model = f"model.irm.{mart}"
        manifest["nodes"][f"test.irm.column_checks_{mart}_.0"] = {
            "resource_type": "test",
            "name": f"column_checks_{mart}_",
            "unique_id": f"test.irm.column_checks_{mart}_.0",
            "attached_node": model,
            "column_name": None,
            "depends_on": {"macros": [], "nodes": [model]},
            "config": {"severity": severity.upper()},
            "test_metadata": {
                "name": "column_checks",
                "kwargs": {**columns, "model": "{{ get_where_subquery(ref('" + mart + "')) }}"},
                "namespace": None,
            },
        }

    return edit


def test_every_mart_column_has_a_label_and_a_known_format() -> None:
    for mart in read_marts(get_settings()).values():
        for column in mart.columns:
            where = f"{mart.name}.{column.name}"
            assert column.meta.get("label"), f"{where}: no meta label"
            assert column.format in FORMATS, where
            assert column.role in (None, *ROLES), where
        assert mart.key, f"{mart.name}: no unique key among its tests"


def test_money_is_a_decimal_in_every_mart() -> None:
    # Issue 22 item 4: EMV and the unit costs (CPM, CPE, CPA) were doubles beside decimal
    # spend, so a BI tool summed and showed them as floats.
    money = [
        (mart.name, column)
        for mart in read_marts(get_settings()).values()
        for column in mart.columns
        if column.meta.get("unit") == "USD"
    ]
    assert len(money) >= 10, "the marts' money columns are no longer tagged unit USD"
    for mart, column in money:
        assert column.data_type.startswith("numeric("), f"{mart}.{column.name}: {column.data_type}"


# Account-grain marts of the roster that name no creator, and why (issue 22 item 4).
WITHOUT_CREATOR = {
    "fct_account_daily": "incremental by day: it would keep each past day's owner as built",
}


def test_every_account_mart_of_the_roster_names_the_creator() -> None:
    # "Top creators by engagement per tier" must not need a join through dim_creator_account.
    for mart in read_marts(get_settings()).values():
        account = next((c for c in mart.columns if c.name == "account_id"), None)
        of_roster = account is not None and any(
            t.parent == "dim_creator_account" for t in account.tests
        )
        if of_roster and "account_id" in mart.key and mart.name not in WITHOUT_CREATOR:
            assert "creator_id" in [c.name for c in mart.columns], mart.name


def test_a_renamed_contract_column_reaches_every_consumer(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    published_rows: Callable[..., list[list[tuple]]],
) -> None:
    edit = renamed("mart_creator_engagement", "posts_with_rate", "rated_posts")
    monkeypatch.setenv("IRM_DBT_PROJECT_DIR", str(edited_project(settings, tmp_path, edit)))
    settings = get_settings()

    # The mart checks declare the new column, with the checks that came with it.
    [suite] = suites_for("marts", ["mart_creator_engagement"])
    assert "rated_posts" in suite.columns and "posts_with_rate" not in suite.columns
    checked = {(c.type, c.column) for c in suite.checks}
    assert ("expect_column_values_to_not_be_null", "rated_posts") in checked
    assert ("expect_column_values_to_be_between", "rated_posts") in checked

    # The tests' marts have it too, and the rows that name the old column no longer go in:
    # every quality and serving test built on them fails until they are changed.
    settings.warehouse_path.parent.mkdir(parents=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        create_marts(con, ["dim_creator_account", "fct_post"])
        with pytest.raises(duckdb.BinderException, match="posts_with_rate"):
            FULL_MARTS(con)
        con.execute("DROP SCHEMA marts CASCADE")
        create_marts(con)
    # The BI copy describes it for the export under its new name, with its label and format.
    [rows] = published_rows(
        "SELECT column_name, label, format FROM meta.columns "
        "WHERE table_name = 'mart_creator_engagement' AND column_name LIKE '%posts%'"
    )
    assert sorted(rows) == [
        ("posts", "Posts", "integer"),
        ("rated_posts", "Posts with a rate", "integer"),
    ]


def test_a_format_outside_the_vocabulary_fails_naming_the_column(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def percentage(manifest: dict) -> None:
        column = manifest["nodes"]["model.irm.fct_post"]["columns"]["engagement_rate"]
        column["config"]["meta"]["format"] = "percentage"

    monkeypatch.setenv("IRM_DBT_PROJECT_DIR", str(edited_project(settings, tmp_path, percentage)))
    with pytest.raises(ContractError, match=r"fct_post\.engagement_rate: format 'percentage'"):
        read_marts(get_settings())


def test_a_number_without_its_unit_fails_naming_the_column(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 22 item 4: 47 of the marts' 130 numeric columns said nothing of their unit.
    def no_unit(manifest: dict) -> None:
        column = manifest["nodes"]["model.irm.fct_post"]["columns"]["engagement_rate"]
        del column["config"]["meta"]["unit"]

    monkeypatch.setenv("IRM_DBT_PROJECT_DIR", str(edited_project(settings, tmp_path, no_unit)))
    with pytest.raises(ContractError, match=r"fct_post\.engagement_rate: a number needs meta unit"):
        read_marts(get_settings())


def test_column_checks_read_as_per_column_tests_at_their_severity(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One dbt node checks several columns of a mart in one scan (tests/generic/column_checks.sql);
    # the contract's readers see one not_null or non_negative test per column, as before.
    mart = "mart_creator_growth"
    edit = with_column_checks(mart, "warn", not_null=["creator_id"], non_negative=["snapshots"])
    monkeypatch.setenv("IRM_DBT_PROJECT_DIR", str(edited_project(settings, tmp_path, edit)))
    growth = read_marts(get_settings())[mart]
    assert DataTest("not_null", "warn", {}, "creator_id") in growth.column("creator_id").tests
    assert DataTest("non_negative", "warn", {}, "snapshots") in growth.column("snapshots").tests
    assert all(t.name != "column_checks" for t in growth.tests)

    [suite] = suites_for("marts", [mart])
    checks = {(c.type, c.column): (c.level, c.notes) for c in suite.checks}
    assert checks["expect_column_values_to_not_be_null", "creator_id"] == (
        WARNING,
        "dbt data test not_null",
    )
    assert checks["expect_column_values_to_be_between", "snapshots"] == (
        WARNING,
        "dbt data test non_negative",
    )


def test_column_checks_naming_a_column_outside_the_contract_fails_naming_it(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit = with_column_checks("fct_post", "error", non_negative=["likes", "dislikes"])
    monkeypatch.setenv("IRM_DBT_PROJECT_DIR", str(edited_project(settings, tmp_path, edit)))
    with pytest.raises(ContractError, match=r"fct_post\.dislikes: column_checks \(non_negative\)"):
        read_marts(get_settings())


def edits(*changes: Callable[[dict], None]) -> Callable[[dict], None]:
    def edit(manifest: dict) -> None:
        for change in changes:
            change(manifest)

    return edit


def test_column_checks_unique_column_is_the_marts_key(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # dim_creator's key is its unique column; named in a column_checks test, it still is, at
    # that test's severity.
    edit = edits(
        without_test("dim_creator", "unique", "creator_id"),
        with_column_checks("dim_creator", "warn", unique=["creator_id"]),
    )
    monkeypatch.setenv("IRM_DBT_PROJECT_DIR", str(edited_project(settings, tmp_path, edit)))
    creator = read_marts(get_settings())["dim_creator"]
    assert creator.key == ("creator_id",)
    assert [t for t in creator.column("creator_id").tests if t.name == "unique"] == [
        DataTest("unique", "warn", {}, "creator_id")
    ]
    [suite] = suites_for("marts", ["dim_creator"])
    assert suite.key == ("creator_id",) and suite.unique_level == WARNING


def test_column_checks_accepted_values_are_the_columns_values(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The flag types the contract accepts are mart_quality_flags.flag_type's accepted values,
    # wherever dbt checks them.
    edit = edits(
        without_test("mart_quality_flags", "accepted_values", "flag_type"),
        with_column_checks(
            "mart_quality_flags", "error", accepted_values={"flag_type": ["late_payment", "x"]}
        ),
    )
    monkeypatch.setenv("IRM_DBT_PROJECT_DIR", str(edited_project(settings, tmp_path, edit)))
    flags = read_marts(get_settings())["mart_quality_flags"]
    assert [t for t in flags.column("flag_type").tests if t.name == "accepted_values"] == [
        DataTest("accepted_values", "error", {"values": ["late_payment", "x"]}, "flag_type")
    ]
    assert flag_types() == ("late_payment", "x")
    [suite] = suites_for("marts", ["mart_quality_flags"])
    [in_set] = [
        c
        for c in suite.checks
        if c.type == "expect_column_values_to_be_in_set" and c.column == "flag_type"
    ]
    assert (in_set.kwargs["value_set"], in_set.level) == (["late_payment", "x"], CRITICAL)


@pytest.mark.parametrize(
    ("check", "columns"),
    [("unique", ["post_id", "post_uid"]), ("accepted_values", {"post_uid": ["a"]})],
)
def test_column_checks_unique_or_accepted_values_outside_the_contract_fail_naming_it(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    check: str,
    columns: list[str] | dict[str, list[str]],
) -> None:
    edit = with_column_checks("fct_post", "error", **{check: columns})
    monkeypatch.setenv("IRM_DBT_PROJECT_DIR", str(edited_project(settings, tmp_path, edit)))
    with pytest.raises(ContractError, match=rf"fct_post\.post_uid: column_checks \({check}\)"):
        read_marts(get_settings())
