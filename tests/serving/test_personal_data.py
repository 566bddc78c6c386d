"""Personal data stays out of what BI users and export readers get, unless a setting allows it
(issue 18, item 9; SPEC 9).

The dbt project tags every personal column (`config: meta: {personal_data: true}`): the
creator's e-mail from the CRM at each layer it passes, and the CRM quarantine's rejected rows,
which carry it. `dim_creator` holds the e-mail for the people allowed to see it; publication
leaves every tagged column out of the BI copy (the DuckDB file and its Parquet files) unless
IRM_PUBLISH_PERSONAL_DATA=true, and the export, which reads the BI copy only, follows.

One small pipeline run (tests/serving/hostile.py: the CRM files through the extractor, load,
dbt, checks, publication through the mart gate, export) lands creators with e-mail addresses;
every output a person or a BI tool reads is then searched for them.
"""

from __future__ import annotations

import csv
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.serving.hostile import HostileRun, hostile_pipeline

# The layers the CRM's e-mail passes through on its way to dim_creator.
EMAIL_MODELS = ("stg_crm__creators", "int_crm__creators_current", "dim_creator")
# The warehouse schemas dbt builds (raw is the loader's copy of the landing zone).
DBT_SCHEMAS = ("seeds", "staging", "intermediate", "marts")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileRun]:
    """The hostile world, checked and published through the mart gate (tests/serving/hostile.py):
    the gate fingerprints the warehouse's marts, of which the BI copy is a projection."""
    with hostile_pipeline(tmp_path_factory) as hostile:
        yield hostile


@pytest.fixture(scope="module")
def crm_emails(run: HostileRun) -> dict[str, str]:
    """creator_id -> e-mail of the latest CRM creators export (what dim_creator holds)."""
    files = sorted(run.inbox.glob("creators*.csv"))
    assert files, f"no creators file in {run.inbox}"
    with files[-1].open(newline="", encoding="utf-8") as handle:
        emails = {row["creator_id"]: row["email"] for row in csv.DictReader(handle)}
    assert emails and all("@" in email for email in emails.values()), emails
    return emails


@pytest.fixture(scope="module")
def every_crm_email(run: HostileRun) -> set[str]:
    """Every e-mail address of every CRM creators file that landed, lower-cased."""
    emails = set()
    for path in run.inbox.glob("creators*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            emails |= {row["email"].lower() for row in csv.DictReader(handle) if row["email"]}
    assert emails
    return emails


def leaked(text: str, emails: set[str]) -> list[str]:
    lowered = text.lower()
    return sorted(email for email in emails if email in lowered)


def rows_as_text(con: duckdb.DuckDBPyConnection, relation: str) -> str:
    return "\n".join(repr(row) for row in con.execute(f"SELECT * FROM {relation}").fetchall())


def tables(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] = ()) -> list[str]:
    """`schema.table` of every table and view (of `schemas`, or of every schema)."""
    rows = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_catalog = current_database() ORDER BY 1, 2"
    ).fetchall()
    return [f'"{s}"."{t}"' for s, t in rows if not schemas or s in schemas]


def personal_columns(manifest: Path) -> set[tuple[str, str]]:
    """(model, column) of every column the dbt project tags personal."""
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
    return {
        (node["name"], name)
        for node in nodes
        if node["resource_type"] == "model"
        for name, column in node["columns"].items()
        if column.get("config", {}).get("meta", {}).get("personal_data") is True
    }


def file_texts(folder: Path) -> Iterator[tuple[str, str]]:
    """(name, text) of every file under `folder`; an XLSX (a zip of XML) member by member."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    text = archive.read(member).decode("utf-8", errors="replace")
                    yield f"{path}!{member}", text
        else:
            yield str(path), path.read_bytes().decode("utf-8", errors="replace")


# --- tagged in dbt ----------------------------------------------------------------------------


def test_the_manifest_tags_the_email_at_every_layer(run: HostileRun) -> None:
    tagged = personal_columns(run.settings.dbt_project_dir / "target" / "manifest.json")
    assert {(model, "email") for model in EMAIL_MODELS} <= tagged
    # The quarantine keeps a rejected creators row whole, e-mail included.
    assert ("stg_crm__quarantine", "record") in tagged


def test_every_warehouse_column_holding_a_crm_email_is_tagged(
    run: HostileRun, every_crm_email: set[str]
) -> None:
    """A new model that carries the e-mail (or a column derived from it) without the tag
    fails here, before it can reach the BI copy untagged."""
    tagged = personal_columns(run.settings.dbt_project_dir / "target" / "manifest.json")
    holding = set()
    with duckdb.connect(str(run.settings.warehouse_path), read_only=True) as con:
        for relation in tables(con, DBT_SCHEMAS):
            columns = [c[0] for c in con.execute(f"DESCRIBE {relation}").fetchall()]
            for column in columns:
                values = con.execute(f'SELECT DISTINCT "{column}"::VARCHAR FROM {relation}')
                text = "\n".join(str(v[0]) for v in values.fetchall())
                if leaked(text, every_crm_email):
                    holding.add((relation.split(".")[1].strip('"'), column))
    assert ("dim_creator", "email") in holding  # the setting has something to allow
    assert holding <= tagged, f"untagged personal columns: {sorted(holding - tagged)}"


# --- kept out by default ----------------------------------------------------------------------


def test_the_bi_copy_holds_no_email(run: HostileRun, every_crm_email: set[str]) -> None:
    with duckdb.connect(str(run.settings.published_path), read_only=True) as con:
        relations = tables(con)
        assert '"marts"."dim_creator"' in relations
        for relation in relations:
            assert not leaked(rows_as_text(con, relation), every_crm_email), relation
        columns = con.execute("DESCRIBE marts.dim_creator").fetchall()
    assert "email" not in {c[0] for c in columns}


def test_the_parquet_files_hold_no_email(run: HostileRun, every_crm_email: set[str]) -> None:
    files = sorted(run.settings.published_parquet_dir.rglob("*.parquet"))
    assert any(f.name == "dim_creator.parquet" for f in files)
    with duckdb.connect() as con:
        for path in files:
            relation = f"read_parquet('{path}')"
            assert not leaked(rows_as_text(con, relation), every_crm_email), path


def test_the_export_holds_no_email(run: HostileRun, every_crm_email: set[str]) -> None:
    names = {p.name for p in run.export.iterdir()}
    assert any(n.endswith(".xlsx") for n in names) and any(n.endswith(".html") for n in names)
    assert any(n.endswith(".csv") for n in names)
    for name, text in file_texts(run.export):
        assert not leaked(text, every_crm_email), name


def test_data_docs_hold_no_email(run: HostileRun, every_crm_email: set[str]) -> None:
    pages = list(file_texts(run.settings.data_docs_dir))
    assert any(name.endswith("index.html") for name, _ in pages)
    for name, text in pages:
        assert not leaked(text, every_crm_email), name


# --- unless a setting allows it ---------------------------------------------------------------


def test_the_setting_publishes_the_email_and_the_export_follows(
    run: HostileRun,
    crm_emails: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from exports import write_export
    from warehouse.publish import publish_marts

    monkeypatch.setenv("IRM_PUBLISH_PERSONAL_DATA", "true")
    monkeypatch.setenv("IRM_PUBLISHED_PATH", str(tmp_path / "published" / "irm.duckdb"))
    monkeypatch.setenv("IRM_EXPORTS_DIR", str(tmp_path / "exports"))
    result = publish_marts(require_gate=True)
    with duckdb.connect(str(result.path), read_only=True) as con:
        published = dict(con.execute("SELECT creator_id, email FROM marts.dim_creator").fetchall())
        in_parquet = dict(
            con.execute(
                "SELECT creator_id, email FROM read_parquet(?)",
                [str(result.parquet_dir / "dim_creator.parquet")],
            ).fetchall()
        )
    assert published == crm_emails
    assert in_parquet == crm_emails

    export = write_export(run.day)
    creators_csv = export / "dim_creator.csv"
    with creators_csv.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["creator_id"]: row["email"] for row in rows} == crm_emails


def test_without_the_manifest_to_tell_what_is_personal_nothing_is_published(
    settings, warehouse, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The tags are the one list of what is personal: without them, publishing fails closed."""
    from warehouse.publish import PersonalDataError, publish_marts

    warehouse()
    monkeypatch.setenv("IRM_DBT_PROJECT_DIR", str(tmp_path / "no_project"))
    with pytest.raises(PersonalDataError, match="no dbt manifest at .*no_project"):
        publish_marts()
    assert not settings.published_path.exists()


def test_the_setting_takes_only_a_yes_or_a_no(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.config import get_settings

    for value, allowed in (("", False), ("false", False), ("0", False), ("TRUE", True)):
        monkeypatch.setenv("IRM_PUBLISH_PERSONAL_DATA", value)
        assert get_settings().publish_personal_data is allowed
    monkeypatch.setenv("IRM_PUBLISH_PERSONAL_DATA", "maybe")
    with pytest.raises(ValueError, match="IRM_PUBLISH_PERSONAL_DATA"):
        get_settings()
