"""The landing zone contract: atomic, immutable partitions with a manifest."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from extractors.landing import Partition, envelope, list_partitions, read_records, write_partition


def test_partition_is_written_with_manifest_and_checksum(tmp_path) -> None:
    part = Partition(tmp_path, "youtube", "channels", date(2026, 1, 5))
    manifest = write_partition(
        part, [envelope("c1", {"id": "c1"}, "t")], api_calls=3, quota_units=3
    )
    assert part.exists() and manifest["record_count"] == 1
    assert manifest["api_calls"] == 3 and manifest["quota_units"] == 3
    digest = hashlib.sha256(part.records_path.read_bytes()).hexdigest()
    assert manifest["checksum"] == f"sha256:{digest}"
    assert [r["payload"] for r in read_records(part)] == [{"id": "c1"}]


def test_complete_partition_is_immutable(tmp_path) -> None:
    part = Partition(tmp_path, "youtube", "channels", date(2026, 1, 5))
    write_partition(part, [])
    with pytest.raises(FileExistsError, match="immutable"):
        write_partition(part, [])


def test_failed_write_leaves_no_partition(tmp_path) -> None:
    part = Partition(tmp_path, "youtube", "videos", date(2026, 1, 5))

    def broken():
        yield envelope("v1", {"id": "v1"}, "t")
        raise RuntimeError("connection lost mid-extraction")

    with pytest.raises(RuntimeError):
        write_partition(part, broken())
    assert not part.exists()
    assert list_partitions(tmp_path, "youtube", "videos") == []
    assert not any(p.name.startswith(".") for p in (tmp_path / "youtube" / "videos").iterdir())
