"""Loading landing partitions into the raw schema: replace-by-partition, idempotent re-runs."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from extractors.landing import Partition, envelope, write_partition
from irm.config import get_settings
from irm.warehouse import load_landing


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("IRM_DATA_ROOT", str(tmp_path))
    return get_settings()


def land(settings, entity: str, day: date, ids: list[str]) -> None:
    part = Partition(settings.landing_dir, "youtube", entity, day)
    records = [
        envelope(i, {"id": i, "statistics": {"viewCount": "12"}}, "2026-01-02T00:00:00Z")
        for i in ids
    ]
    write_partition(part, records)


def raw_rows(settings) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(
            "SELECT dt, record_key, payload->>'$.statistics.viewCount' FROM raw.youtube_videos "
            "ORDER BY ALL"
        ).fetchall()


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
    write_partition(part, [envelope("x", payload, "2026-01-02T00:00:00Z")])
    load_landing(settings=settings)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        big, nested = con.execute(
            "SELECT payload->>'$.big', payload->>'$.new_field.nested' FROM raw.youtube_videos"
        ).fetchone()
    assert big == "7028743950684949651" and nested == "true"
