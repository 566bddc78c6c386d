"""A platform day is committed from its staging area: the quarantine, each entity's partition,
the bookmarks. A run killed anywhere in that, then run again, must leave what a clean run
leaves: the same partitions and the same bookmarks. (Issue 18 follow-up: a kill after the last
partition and before the bookmarks made the re-run stop at "every partition exists", so the
bookmarks never moved and the next day asked the platform for everything again.)"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from core.config import Settings, get_settings
from core.landing import Partition, read_records
from extractors import base
from extractors.state import load_bookmarks

DAY = date(2026, 1, 20)
SOURCE, ENTITIES = "fake", ("users", "posts")
PARTITIONS = ("quarantine", *ENTITIES)  # the commit writes them in this order


class Killed(BaseException):
    """A kill: no `except Exception` handler sees it."""


def fetch(bookmarks: dict[str, Any], window: base.Window) -> base.Extraction:
    extraction = base.Extraction({e: base.EntityRecords() for e in ENTITIES})
    extraction.entities["users"].add("ana", {"username": "ana"})
    extraction.entities["posts"].add("p1", {"id": "p1", "caption": "café ✨"}, "ana")
    extraction.reject("users", "unknown user", {"username": "ghost"}, "ghost")
    extraction.bookmarks = {"ana": "2026-01-20T10:00:00+00:00", base.PENDING: ["bo"]}
    return extraction


def settings_under(root: Any, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("IRM_DATA_ROOT", str(root))
    return get_settings()


def outcome(settings: Settings) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The bookmarks and each partition's record keys."""
    keys = {
        name: sorted(r["record_key"] for r in read_records(part))
        for name in PARTITIONS
        if (part := Partition(settings.landing_dir, SOURCE, name, DAY)).exists()
    }
    return load_bookmarks(settings.state_dir, f"{SOURCE}_bookmarks"), keys


def kill_after_write(monkeypatch: pytest.MonkeyPatch, writes: int) -> None:
    """The commit's partition writes go through; just after the `writes`-th, the run dies."""
    real = base.write_partition_lines
    done = 0

    def dying(*args: Any, **kwargs: Any) -> dict[str, Any]:
        nonlocal done
        manifest = real(*args, **kwargs)
        done += 1
        if done == writes:
            raise Killed(f"killed after partition write {done}")
        return manifest

    monkeypatch.setattr(base, "write_partition_lines", dying)


def land_whole_day(settings: Settings) -> None:
    base.land_source_day(SOURCE, ENTITIES, DAY, settings, fetch)


def commit_batches(settings: Settings) -> None:
    base.commit_source_day(SOURCE, ENTITIES, DAY, settings, batch_count=1)


@pytest.mark.parametrize("rerun", [land_whole_day, commit_batches], ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "writes", range(1, len(PARTITIONS) + 1), ids=lambda n: f"killed-after-{PARTITIONS[n - 1]}"
)
def test_a_commit_killed_after_any_partition_reruns_to_the_bookmarks_of_a_clean_run(
    tmp_path, monkeypatch: pytest.MonkeyPatch, writes: int, rerun: Any
) -> None:
    clean = settings_under(tmp_path / "clean", monkeypatch)
    land_whole_day(clean)
    expected = outcome(clean)
    assert expected[0] and expected[1].keys() == set(PARTITIONS)  # there is something to move

    settings = settings_under(tmp_path / "killed", monkeypatch)
    base.land_source_day(SOURCE, ENTITIES, DAY, settings, fetch, batch=0)  # staged
    with monkeypatch.context() as patch:
        kill_after_write(patch, writes)
        with pytest.raises(Killed):
            commit_batches(settings)
    rerun(settings)

    assert outcome(settings) == expected
    assert not base.staging_dir(SOURCE, DAY, settings).exists()


def test_a_batch_staged_by_the_earlier_version_commits_the_same_bytes(tmp_path, monkeypatch):
    """Staged entities are `<key>\\t<landing line>` (`.lines`), copied to the partition without
    decoding; a day staged before that change (enveloped JSON, `.jsonl`) and committed after
    the upgrade must land the very lines the new staging would have."""
    settings = settings_under(tmp_path, monkeypatch)
    base.land_source_day(SOURCE, ENTITIES, DAY, settings, fetch, batch=0)
    batch = base.staging_dir(SOURCE, DAY, settings) / "batch-00000"
    expected = {}
    for entity in ENTITIES:
        staged = batch / f"{entity}{base.STAGED_LINES}"
        lines = [raw.partition(b"\t")[2] for raw in staged.read_bytes().splitlines(keepends=True)]
        expected[entity] = b"".join(lines)
        earlier = "".join(json.dumps(json.loads(line)) + "\n" for line in lines)  # ASCII, unsorted
        (batch / f"{entity}.jsonl").write_text(earlier, encoding="utf-8")
        staged.unlink()

    commit_batches(settings)

    for entity in ENTITIES:
        part = Partition(settings.landing_dir, SOURCE, entity, DAY)
        assert part.records_path.read_bytes() == expected[entity]
        assert part.manifest()["record_count"] == expected[entity].count(b"\n") > 0
