"""Loading landing partitions into the raw schema: replace-by-partition, idempotent re-runs."""

from __future__ import annotations

import logging
import shutil
from datetime import date, timedelta

import duckdb
import pytest

from core.landing import Partition, envelope, write_partition
from extractors import EXTRACTOR_VERSION
from tests.fresh_imports import packages_loaded_by
from tests.warehouse.warehouse_helpers import postgres_raw, postgres_warehouse, raw_values
from warehouse.load import load_landing


def land(settings, entity: str, day: date, ids: list[str]) -> None:
    part = Partition(settings.landing_dir, "youtube", entity, day)
    records = [
        envelope(i, {"id": i, "statistics": {"viewCount": "12"}}, "2026-01-02T00:00:00Z")
        for i in ids
    ]
    write_partition(part, records, extractor_version=EXTRACTOR_VERSION)


def raw_rows(settings) -> list[tuple]:
    return raw_values(settings, "youtube_videos", "$.statistics.viewCount")


def test_load_is_idempotent(settings) -> None:
    land(settings, "videos", date(2026, 1, 1), ["a", "b"])
    land(settings, "videos", date(2026, 1, 2), ["a"])
    first = load_landing(settings=settings)
    assert len(first.loaded) == 2 and first.rows == 3
    before = raw_rows(settings)
    again = load_landing(settings=settings)
    assert again.loaded == [] and raw_rows(settings) == before
    assert [(r[1], r[2]) for r in before] == [("a", "12"), ("b", "12"), ("a", "12")]


def test_a_changed_partition_replaces_its_rows_only(settings) -> None:
    land(settings, "videos", date(2026, 1, 1), ["a", "b"])
    land(settings, "videos", date(2026, 1, 2), ["c"])
    load_landing(settings=settings)
    # A partition rewritten (e.g. a replay after a model change) is loaded again in place.
    part = Partition(settings.landing_dir, "youtube", "videos", date(2026, 1, 1))
    for child in part.path.iterdir():
        child.unlink()
    part.path.rmdir()
    land(settings, "videos", date(2026, 1, 1), ["z"])
    result = load_landing(settings=settings)
    assert result.loaded == ["youtube/videos/dt=2026-01-01"]
    assert [r[1] for r in raw_rows(settings)] == ["z", "c"]


def test_load_limited_to_given_days(settings) -> None:
    land(settings, "videos", date(2026, 1, 1), ["a"])
    land(settings, "videos", date(2026, 1, 2), ["b"])
    result = load_landing([date(2026, 1, 2)], settings=settings)
    assert result.loaded == ["youtube/videos/dt=2026-01-02"]


def test_int64_ids_and_unknown_fields_survive_the_load(settings) -> None:
    part = Partition(settings.landing_dir, "youtube", "videos", date(2026, 1, 1))
    payload = {"id": "x", "big": 7028743950684949651, "new_field": {"nested": True}}
    write_partition(
        part, [envelope("x", payload, "2026-01-02T00:00:00Z")], extractor_version=EXTRACTOR_VERSION
    )
    load_landing(settings=settings)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        big, nested = con.execute(
            "SELECT payload->>'$.big', payload->>'$.new_field.nested' FROM raw.youtube_videos"
        ).fetchone()
    assert big == "7028743950684949651" and nested == "true"


def test_a_long_history_loads_every_day_with_its_own_rows(settings) -> None:
    """A first load of months of history replaces a raw table's days a month at a time
    (warehouse/load.py LOAD_BATCH_DAYS); each row keeps the day of its own partition, an empty
    day is loaded (in the ledger, no rows) and a day landed again later replaces only itself."""
    from warehouse.load import LOAD_BATCH_DAYS

    start = date(2026, 1, 1)
    days = [start + timedelta(days=n) for n in range(LOAD_BATCH_DAYS + 9)]
    empty = days[LOAD_BATCH_DAYS - 1]  # the last day of the first batch
    for n, day in enumerate(days):
        land(settings, "videos", day, [] if day == empty else [f"v{n}", f"w{n}"])
    assert load_landing(settings=settings).rows == 2 * (len(days) - 1)
    expected = [
        (day, f"{letter}{n}") for n, day in enumerate(days) if day != empty for letter in "vw"
    ]
    assert sorted((r[0], r[1]) for r in raw_rows(settings)) == sorted(expected)
    assert ledger_days(settings, "videos") == days

    redone = days[3]
    shutil.rmtree(Partition(settings.landing_dir, "youtube", "videos", redone).path)
    land(settings, "videos", redone, ["z"])
    assert load_landing(settings=settings).loaded == [f"youtube/videos/dt={redone}"]
    expected = [row for row in expected if row[0] != redone] + [(redone, "z")]
    assert sorted((r[0], r[1]) for r in raw_rows(settings)) == sorted(expected)


# --- partitions that do not match their manifest (issue 17, item 3) -------------------------

CHANNELS_DAY = date(2026, 1, 3)


def land_channels(settings, day: date, subscribers: dict[str, str]) -> Partition:
    part = Partition(settings.landing_dir, "youtube", "channels", day)
    records = [
        envelope(i, {"id": i, "statistics": {"subscriberCount": n}}, "2026-01-03T00:00:00Z")
        for i, n in subscribers.items()
    ]
    write_partition(part, records, extractor_version=EXTRACTOR_VERSION)
    return part


def edit_after_landing(part: Partition, delete_a_line: bool) -> None:
    """What the issue found: one subscriberCount changed (and one of three lines deleted) in
    records.jsonl after the partition landed; the manifest left as it was."""
    lines = part.records_path.read_text().splitlines(keepends=True)
    lines[0] = lines[0].replace('"subscriberCount": "100"', '"subscriberCount": "999999999"')
    part.records_path.write_text("".join(lines[:2] if delete_a_line else lines))


def raw_channels(settings) -> list[tuple]:
    return raw_values(settings, "youtube_channels", "$.statistics.subscriberCount")


def ledger_days(settings, entity: str) -> list[date]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return [
            r[0]
            for r in con.execute(
                "SELECT dt FROM raw._loaded_partitions WHERE entity = ? ORDER BY dt", [entity]
            ).fetchall()
        ]


@pytest.mark.parametrize(
    ("delete_a_line", "finding"),
    [
        (True, "2 lines, the manifest says 3"),
        (False, "sha256:"),  # same count, other bytes: only the checksum tells
    ],
)
def test_a_partition_edited_after_landing_is_refused_and_nothing_of_it_loads(
    settings, delete_a_line: bool, finding: str
) -> None:
    from core.errors import DataQualityError

    edited = land_channels(settings, CHANNELS_DAY, {"c1": "100", "c2": "200", "c3": "300"})
    good = land_channels(settings, CHANNELS_DAY + timedelta(days=1), {"c1": "101"})
    land(settings, "videos", CHANNELS_DAY, ["v1"])
    edit_after_landing(edited, delete_a_line)

    with pytest.raises(DataQualityError) as caught:
        load_landing(settings=settings)
    message = str(caught.value)
    assert str(edited.path) in message and finding in message
    assert "manifest" in message and "nothing of it was loaded" in message
    # The edited partition left no row and no ledger entry; the others loaded.
    assert raw_channels(settings) == [(good.dt, "c1", "101")]
    assert ledger_days(settings, "channels") == [good.dt]
    assert [r[1] for r in raw_rows(settings)] == ["v1"]
    # Loading again refuses it again (it is not marked loaded) and loads nothing else.
    with pytest.raises(DataQualityError, match="nothing of it was loaded"):
        load_landing(settings=settings)
    assert raw_channels(settings) == [(good.dt, "c1", "101")]


def test_a_task_function_runs_outside_airflow_without_importing_it() -> None:
    """The task functions serve the `irm` commands and the benchmark's steps too, each a
    process of its own: Airflow (1-2 s to import) is imported only to fail a task."""
    code = "from irm.tasks import fail_without_retry\nassert fail_without_retry(lambda: 42)() == 42"
    assert packages_loaded_by(code, ["airflow"]) == []


def test_a_refused_partition_fails_its_task_without_retries(settings) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    from irm.tasks import fail_without_retry

    edited = land_channels(settings, CHANNELS_DAY, {"c1": "100", "c2": "200", "c3": "300"})
    edit_after_landing(edited, delete_a_line=True)
    with pytest.raises(AirflowFailException, match="PartitionCorrupt"):
        fail_without_retry(lambda: load_landing(settings=settings))()


def test_an_unreadable_manifest_is_refused_naming_the_partition(settings) -> None:
    from core.errors import DataQualityError

    part = land_channels(settings, CHANNELS_DAY, {"c1": "100"})
    part.manifest_path.write_text('{"record_count": 1, "checks')
    with pytest.raises(DataQualityError, match="_manifest.json cannot be read") as caught:
        load_landing(settings=settings)
    assert str(part.path) in str(caught.value)


def test_a_partition_is_loaded_from_the_bytes_that_were_verified(settings, monkeypatch) -> None:
    """The file is copied while it is hashed and the copy is what DuckDB reads, so an edit
    after the check (here: made the moment the check ends) cannot reach the warehouse."""
    from warehouse import load as loader

    part = land_channels(settings, CHANNELS_DAY, {"c1": "100", "c2": "200", "c3": "300"})
    real = loader.copy_records

    def copy_then_edit(partition, target):
        content = real(partition, target)
        edit_after_landing(partition, delete_a_line=False)
        return content

    monkeypatch.setattr(loader, "copy_records", copy_then_edit)
    assert load_landing(settings=settings).rows == 3
    assert "999999999" in part.records_path.read_text()  # the edit did happen, too late
    assert [r[2] for r in raw_channels(settings)] == ["100", "200", "300"]


# --- folders that are not partitions (issue 17, item 12) ------------------------------------


def test_a_stray_folder_in_the_landing_zone_is_skipped_with_a_warning(settings, caplog) -> None:
    land(settings, "videos", date(2026, 1, 5), ["a"])
    folder = settings.landing_dir / "youtube" / "videos"
    backup = folder / "dt=2026-01-05.bak"
    shutil.copytree(folder / "dt=2026-01-05", backup)  # an operator's backup copy
    with caplog.at_level(logging.WARNING):
        result = load_landing(settings=settings)
    assert result.loaded == ["youtube/videos/dt=2026-01-05"]
    assert [r[1] for r in raw_rows(settings)] == ["a"]
    assert any(str(backup) in r.getMessage() for r in caplog.records if r.levelname == "WARNING")


@pytest.mark.parametrize("broken_json", [False, True])
def test_the_postgres_load_refuses_an_edited_partition_too(
    settings, monkeypatch, broken_json: bool
) -> None:
    from core.errors import DataQualityError

    with postgres_warehouse(monkeypatch, "irm_verify_test") as settings:
        edited = land_channels(settings, CHANNELS_DAY, {"c1": "100", "c2": "200", "c3": "300"})
        good = land_channels(settings, CHANNELS_DAY + timedelta(days=1), {"c1": "101"})
        edit_after_landing(edited, delete_a_line=True)
        if broken_json:  # a hand edit that also broke a line: COPY fails, the finding stays
            edited.records_path.write_text(edited.records_path.read_text() + "{oops\n")
        with pytest.raises(DataQualityError, match="nothing of it was loaded") as caught:
            load_landing(settings=settings)
        message = str(caught.value)
        assert str(edited.path) in message and "does not match its manifest" in message
        rows, loaded = postgres_raw("youtube_channels")
        assert rows == [(good.dt, "c1")] and loaded == [(good.dt,)]


def test_insert_rows_writes_every_row_in_batches_with_its_types() -> None:
    """The publisher's meta tables and the freshness results are written by insert_rows, a few
    hundred rows per statement: every row arrives, in order, NULLs and types kept."""
    from core.db import INSERT_BATCH_ROWS, insert_rows

    rows = [(n, f"t{n}", None if n % 7 else date(2026, 1, 1), n % 2 == 0)
            for n in range(2 * INSERT_BATCH_ROWS + 3)]  # fmt: skip
    with duckdb.connect() as con:
        con.execute("CREATE TABLE t (n INTEGER, name VARCHAR, day DATE, even BOOLEAN)")
        insert_rows(con, "t", rows)
        insert_rows(con, "t", [])
        assert con.execute("SELECT * FROM t ORDER BY n").fetchall() == rows
