"""The landing zone contract: atomic, immutable partitions with a manifest."""

from __future__ import annotations

import hashlib
import logging
import shutil
from datetime import date

import pytest

from core.landing import Partition, envelope, list_partitions, read_records, write_partition
from extractors import EXTRACTOR_VERSION


def test_partition_is_written_with_manifest_and_checksum(tmp_path) -> None:
    part = Partition(tmp_path, "youtube", "channels", date(2026, 1, 5))
    manifest = write_partition(
        part,
        [envelope("c1", {"id": "c1"}, "t")],
        api_calls=3,
        quota_units=3,
        extractor_version=EXTRACTOR_VERSION,
    )
    assert part.exists() and manifest["record_count"] == 1
    assert manifest["api_calls"] == 3 and manifest["quota_units"] == 3
    digest = hashlib.sha256(part.records_path.read_bytes()).hexdigest()
    assert manifest["checksum"] == f"sha256:{digest}"
    assert [r["payload"] for r in read_records(part)] == [{"id": "c1"}]


def test_complete_partition_is_immutable(tmp_path) -> None:
    part = Partition(tmp_path, "youtube", "channels", date(2026, 1, 5))
    write_partition(part, [], extractor_version=EXTRACTOR_VERSION)
    with pytest.raises(FileExistsError, match="immutable"):
        write_partition(part, [], extractor_version=EXTRACTOR_VERSION)


def test_failed_write_leaves_no_partition(tmp_path) -> None:
    part = Partition(tmp_path, "youtube", "videos", date(2026, 1, 5))

    def broken():
        yield envelope("v1", {"id": "v1"}, "t")
        raise RuntimeError("connection lost mid-extraction")

    with pytest.raises(RuntimeError):
        write_partition(part, broken(), extractor_version=EXTRACTOR_VERSION)
    assert not part.exists()
    assert list_partitions(tmp_path, "youtube", "videos") == []
    assert not any(p.name.startswith(".") for p in (tmp_path / "youtube" / "videos").iterdir())


def test_folders_that_are_not_partitions_are_skipped_with_a_warning(tmp_path, caplog) -> None:
    """Issue 17 item 12: a stray `dt=2026-01-05.bak` made every load fail with `Invalid
    isoformat string` and no path."""
    part = Partition(tmp_path, "youtube", "videos", date(2026, 1, 5))
    write_partition(part, [envelope("v1", {"id": "v1"}, "t")], extractor_version=EXTRACTOR_VERSION)
    folder = part.path.parent
    strays = [
        folder / "dt=2026-01-05.bak",  # an operator's backup copy, manifest and all
        folder / ".dt=2026-01-06.tmp-0badf00d",  # a writer's leftover after a crash
        folder / "dt=20260107",  # not YYYY-MM-DD (though Python would read it as a date)
        folder / "dt=2026-02-30",  # no such day
    ]
    for stray in strays:
        shutil.copytree(part.path, stray)
    (folder / "notes.txt").write_text("moved the bad day aside")
    with caplog.at_level(logging.WARNING, logger="core.landing"):
        assert list_partitions(tmp_path, "youtube", "videos") == [part]
    warned = " ".join(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    for stray in [*strays, folder / "notes.txt"]:
        assert str(stray) in warned


def test_a_partition_folder_without_manifest_is_skipped_with_a_warning(tmp_path, caplog) -> None:
    part = Partition(tmp_path, "youtube", "videos", date(2026, 1, 5))
    part.path.mkdir(parents=True)
    part.records_path.write_text("{}\n")
    with caplog.at_level(logging.WARNING, logger="core.landing"):
        assert list_partitions(tmp_path, "youtube", "videos") == []
    assert str(part.path) in caplog.text and "no _manifest.json" in caplog.text
