"""Issue 19, "a source is a unit": each source declares itself once (extractors/<source>/), one
registry lists them (extractors/registry.py), and the DAG, the tasks, the pools, the raw
loader, the landing suites and the Assets iterate it. These tests walk the registry and check
that every source is wired everywhere, and that a source added to the registry (and nowhere
else) is landed, loaded, validated and scheduled."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import duckdb
import pytest
import yaml

from core.config import REPO_ROOT, Settings
from core.landing import Partition, read_records
from extractors import registry
from extractors.auth import HeaderKey
from extractors.base import QUARANTINE, Extraction, keep_unique
from extractors.classify import default_classify
from extractors.connections import ApiCredentials
from extractors.crm import TEMPLATES
from extractors.rules import same
from extractors.schema import Field, RecordKey, RecordSchema
from extractors.spec import ConnectionSpec, EntitySpec, PoolSpec, SourceSpec
from tests.fresh_imports import packages_loaded_by

DAY = date(2026, 2, 5)


def staging_sources() -> dict[str, dict[str, str]]:
    """dbt's sources: source name -> table name -> identifier (the raw table)."""
    found: dict[str, dict[str, str]] = {}
    for path in (REPO_ROOT / "dbt_project" / "models" / "staging").glob("*/_*__sources.yml"):
        for source in yaml.safe_load(path.read_text())["sources"]:
            tables = {t["name"]: t.get("identifier", t["name"]) for t in source["tables"]}
            found.setdefault(source["name"], {}).update(tables)
    return found


def raw_tables_created() -> set[str]:
    """The raw tables the loader creates in an empty warehouse."""
    from warehouse.load import ensure_raw_schema

    con = duckdb.connect(":memory:")
    ensure_raw_schema(con)
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'"
    ).fetchall()
    return {name for (name,) in rows}


def parse_extract_dag() -> Any:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO_ROOT / "dags" / "irm_extract.py"))
    assert bag.import_errors == {}
    return bag.dags["irm_extract"]


@pytest.fixture(scope="module")
def extract_dag() -> Any:
    return parse_extract_dag()


def test_the_registry_names_each_source_once() -> None:
    names = [source.name for source in registry.SOURCES]
    assert len(names) == len(set(names))
    assert set(names) == {"youtube", "instagram", "tiktok", "shop", "crm"}
    for source in registry.SOURCES:
        assert registry.source(source.name) is source
        assert source.entities, source.name
        assert len(source.entity_names) == len(set(source.entity_names)), source.name
    with pytest.raises(KeyError, match="no_such_source"):
        registry.source("no_such_source")


def test_each_api_source_has_its_own_connection_named_after_it() -> None:
    api = registry.api_sources()
    assert {s.name for s in api} == {"youtube", "instagram", "tiktok", "shop"}
    ids = [s.connection.id for s in api]
    assert len(ids) == len(set(ids))
    for source in api:
        assert source.connection.id == f"irm_{source.name}"
        assert source.extract is not None and source.land_files is None, source.name
    # A file source (the CRM inbox) has no connection, no pool, no extract: it lands files.
    for source in registry.file_sources():
        assert source.connection is None and source.pool is None and source.extract is None
        assert source.land_files is not None


def test_each_pool_is_one_the_airflow_setup_creates() -> None:
    from irm.airflow_cli import POOLS

    for source in registry.SOURCES:
        if source.pool is not None:
            assert POOLS[source.pool.name] == (source.pool.slots, source.pool.description)


def test_each_roster_column_is_a_column_of_the_crm_creators_template() -> None:
    columns = [s.roster.column for s in registry.SOURCES if s.roster is not None]
    assert columns and len(columns) == len(set(columns))
    assert set(columns) <= set(TEMPLATES["creators"])


def test_each_source_has_its_task_group_in_irm_extract(extract_dag: Any) -> None:
    from airflow.sdk.definitions.mappedoperator import MappedOperator

    from irm.orchestration import source_assets

    for source in registry.SOURCES:
        assets = {a.name for a in source_assets(source.name)}
        assert assets == {f"landing/{source.name}/{e}" for e in source.entity_names}
        if source.connection is None:
            lands = extract_dag.get_task(f"{source.name}.land_files")
            assert {a.name for a in lands.outlets} == assets
            continue
        land = extract_dag.get_task(f"{source.name}.land_batch")
        assert isinstance(land, MappedOperator), source.name
        assert land.pool == (source.pool.name if source.pool else "default_pool")
        commit = extract_dag.get_task(f"{source.name}.commit")
        assert {a.name for a in commit.outlets} == assets
        upstream = extract_dag.get_task(f"{source.name}.plan").upstream_task_ids
        assert {f"{s.name}.land_files" for s in registry.file_sources()} <= upstream


def test_every_entity_has_a_raw_table_a_dbt_source_a_landing_suite_and_an_asset() -> None:
    from expectations.suites import ENTITIES
    from irm.orchestration import LANDING_ASSETS

    created = raw_tables_created()
    dbt_sources = staging_sources()
    for source in registry.SOURCES:
        for entity in (*source.entity_names, QUARANTINE):
            table = f"{source.name}_{entity}"
            assert table in created, table
            assert dbt_sources.get(source.name, {}).get(entity) == table, table
        for entity in source.entity_names:
            name = f"{source.name}/{entity}"
            assert ENTITIES[name].suite.table == f"{source.name}_{entity}", name
            assert name in LANDING_ASSETS, name


def test_reading_the_registry_loads_no_http_library() -> None:
    """Every DAG file's parse reads the registry (its task groups, pools and Assets): it must
    not pay for requests, which only the extract tasks use."""
    assert packages_loaded_by("import extractors.registry", ["requests", "urllib3"]) == []


# --- a source added to the registry and nowhere else -----------------------------------------

POSTS = EntitySpec(
    "posts",
    RecordSchema(
        fields=(Field("post_id", "id", required=True), Field("title", "title")),
        rules=(same("record_key", "post_id", notes="the line is keyed by the post's id"),),
    ),
    key=RecordKey("id"),
)
ANSWER = {"posts": [{"id": "p1", "title": "one"}, {"id": "p2", "title": "two"}, {"title": "?"}]}


def fake_extract(ctx: Any) -> Extraction:
    result = Extraction.of(ctx.source)
    body = ctx.client.request("GET", "posts", quota_units=1).body
    for key, post in keep_unique(body["posts"], POSTS.key.of, "posts", result):
        result.entities["posts"].add(key, post)
    result.entities["posts"].api_calls = ctx.client.stats.calls
    return result


FAKE = SourceSpec(
    name="fake",
    entities=(POSTS,),
    extract=fake_extract,
    connection=ConnectionSpec(
        "irm_fake", HeaderKey("X-Fake-Key"), default_classify, sandbox_path="fake/v1"
    ),
    pool=PoolSpec("irm_fake_api", 1, "Fake API"),
)


class FakeWire:
    """The fake platform's answers, without a network (the client's public wire hook)."""

    def __init__(self) -> None:
        self.headers: list[Mapping[str, str]] = []

    def __call__(self, method: str, url: str, **request: Any) -> tuple[int, dict, Any]:
        self.headers.append(request["headers"])
        return 200, {}, ANSWER


@pytest.fixture
def with_fake_source(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(registry, "SOURCES", (*registry.SOURCES, FAKE))
    yield


@pytest.mark.usefixtures("with_fake_source")
def test_a_source_in_the_registry_is_landed_loaded_validated_and_scheduled(
    settings: Settings,
) -> None:
    from expectations.landing_suites import landing_entities
    from extractors.runner import land_source
    from warehouse.load import load_landing, raw_entities

    wire = FakeWire()
    credentials = ApiCredentials("irm_fake", "https://fake.example/v1", "fake-key")
    manifests = land_source(FAKE, DAY, settings, credentials, wire=wire)
    assert manifests["posts"]["record_count"] == 2 and manifests["posts"]["api_calls"] == 1
    assert manifests[QUARANTINE]["record_count"] == 1  # the post without an id, with why
    assert wire.headers[0]["X-Fake-Key"] == "fake-key"  # its auth, applied by the client
    part = Partition(settings.landing_dir, "fake", "posts", DAY)
    assert [r["record_key"] for r in read_records(part)] == ["p1", "p2"]

    assert {("fake", "posts"), ("fake", QUARANTINE)} <= set(raw_entities())
    assert load_landing(settings=settings).rows >= 3
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.fake_posts").fetchone() == (2,)

    suites = {e.name: e.suite for e in landing_entities()}
    assert suites["fake/posts"].table == "fake_posts"
    assert "post_id" in suites["fake/posts"].columns

    dag = parse_extract_dag()
    assert dag.get_task("fake.land_batch").pool == "irm_fake_api"
    commit = dag.get_task("fake.commit")
    assert {a.name for a in commit.outlets} == {"landing/fake/posts"}
