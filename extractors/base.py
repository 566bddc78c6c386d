"""What every source's extractor shares: the landing of a day's entities with their manifests,
bookmarks, quarantine, and stopping cleanly at the quota.

`land_source_day` calls a source's `fetch(bookmarks, window) -> Extraction` (extractors/
runner.py makes one from the source's `extract(ctx)`) and does the rest: it calls nothing when
the day's partitions already exist (landing is immutable), writes the quarantine, then each
entity's partition (so a day whose partitions all exist has its quarantine too), then moves the
bookmarks. A large roster is fetched in account batches (one
mapped Airflow task each) that are staged first and committed together, so a partition is still
written once, whole.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from json.encoder import encode_basestring  # C-accelerated: a key as a JSON string
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.config import Settings
from core.landing import (
    Partition,
    envelope,
    landing_line,
    now_utc,
    write_partition_lines,
)
from extractors import EXTRACTOR_VERSION
from extractors.state import load_bookmarks, save_bookmarks
from extractors.window import Window, interval_window

if TYPE_CHECKING:
    from extractors.spec import SourceSpec

log = logging.getLogger(__name__)

QUARANTINE = "quarantine"
PENDING = "_pending"  # bookmark key: accounts a quota stop left for the next run
STAGING = "_staging"  # <landing>/_staging/<source>/dt=<day>/batch-<n>/: batches not yet committed
BATCH_RESULT = "_batch.json"
STAGED_LINES = ".lines"  # a staged entity: `<record key as JSON>\t<landing line>` per record


@dataclass
class EntityRecords:
    """Records of one entity as (record_key, payload, parent_key), with what they cost."""

    records: list[tuple[str, Any, str | None]] = field(default_factory=list)
    api_calls: int = 0
    quota_units: int = 0

    def add(self, key: str, payload: Any, parent: str | None = None) -> None:
        self.records.append((key, payload, parent))


@dataclass
class Extraction:
    entities: dict[str, EntityRecords]
    bookmarks: dict[str, Any] = field(default_factory=dict)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    stopped: str | None = None  # why the run stopped early (quota), None when complete
    stats: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, source: SourceSpec) -> Extraction:
        """An empty extraction with a record list for each of the source's entities."""
        return cls({entity.name: EntityRecords() for entity in source.entities})

    def reject(self, entity: str, reason: str, record: Any, key: str | None = None) -> None:
        """A record whose shape the warehouse cannot use: kept, with why, in quarantine."""
        self.quarantine.append({"entity": entity, "reason": reason, "record": record, "key": key})


Fetch = Callable[[dict[str, Any], Window], Extraction]


def land_source_day(
    source: str,
    entities: Sequence[str],
    day: date,
    settings: Settings,
    fetch: Fetch,
    batch: int | None = None,
) -> dict[str, Any]:
    """Extract one data interval of a source into the landing zone.

    With `batch=None` the whole source-day is one batch: staged, then committed; the day's
    manifests are returned. With a batch number, only that batch is staged (a mapped Airflow
    task per account batch) and `commit_source_day` later turns the batches into partitions."""
    parts = _partitions(source, entities, day, settings)
    if all(p.exists() for p in parts.values()):
        log.info("%s dt=%s already landed; landing partitions are immutable", source, day)
        shutil.rmtree(staging_dir(source, day, settings), ignore_errors=True)  # a killed commit's
        return {e: p.manifest() for e, p in parts.items()}
    staged = stage_batch(source, day, settings, batch or 0, fetch)
    if batch is not None:
        return staged
    return commit_source_day(source, entities, day, settings, batch_count=1)


def _partitions(
    source: str, entities: Sequence[str], day: date, settings: Settings
) -> dict[str, Partition]:
    return {e: Partition(settings.landing_dir, source, e, day) for e in entities}


def staging_dir(source: str, day: date, settings: Settings) -> Path:
    return settings.landing_dir / STAGING / source / f"dt={day.isoformat()}"


def stage_batch(
    source: str, day: date, settings: Settings, batch: int, fetch: Fetch
) -> dict[str, Any]:
    """Fetch one batch and keep it, complete or not at all, until the day is committed. A batch
    already staged (a retried task) is not fetched again."""
    target = staging_dir(source, day, settings) / f"batch-{batch:05d}"
    if (target / BATCH_RESULT).is_file():
        return _batch_summary(json.loads((target / BATCH_RESULT).read_text()))
    window = interval_window(day, settings.refresh_window_days, settings.extract_max_lag_hours)
    extraction = fetch(load_bookmarks(settings.state_dir, f"{source}_bookmarks"), window)
    extracted_at = now_utc()
    tmp = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.mkdir(parents=True)
    result: dict[str, Any] = {
        "entities": {},
        "bookmarks": extraction.bookmarks,
        "quarantine": extraction.quarantine,
        "stopped": extraction.stopped,
        "stats": extraction.stats,
    }
    for entity, found in extraction.entities.items():
        with (tmp / f"{entity}{STAGED_LINES}").open("wb") as out:
            for key, payload, parent in found.records:
                line = landing_line(envelope(key, payload, extracted_at, parent))
                out.write(encode_basestring(key).encode() + b"\t" + line)
        result["entities"][entity] = {
            "records": len(found.records),
            "api_calls": found.api_calls,
            "quota_units": found.quota_units,
        }
    (tmp / BATCH_RESULT).write_text(json.dumps(result, default=str))
    if target.exists():  # an incomplete leftover of a crash
        shutil.rmtree(target)
    os.replace(tmp, target)
    return _batch_summary(result)


def _batch_summary(result: dict[str, Any]) -> dict[str, Any]:
    return {"staged": result["entities"], "stopped": result["stopped"]}


def commit_source_day(
    source: str, entities: Sequence[str], day: date, settings: Settings, batch_count: int
) -> dict[str, Any]:
    """Land the quarantine of a day's staged batches, move the bookmarks, then turn the
    batches into its partitions (records keyed once: a record two batches both returned lands
    once), and clear the staging area. Returns the manifests."""
    parts = _partitions(source, entities, day, settings)
    folder = staging_dir(source, day, settings)
    if all(p.exists() for p in parts.values()):
        shutil.rmtree(folder, ignore_errors=True)
        return {e: p.manifest() for e, p in parts.items()}
    batches = [folder / f"batch-{n:05d}" for n in range(batch_count)]
    missing = [b.name for b in batches if not (b / BATCH_RESULT).is_file()]
    if missing:
        raise RuntimeError(f"{source} dt={day}: batches not staged: {', '.join(missing)}")
    results = [json.loads((b / BATCH_RESULT).read_text()) for b in batches]
    stopped = [r["stopped"] for r in results if r["stopped"]]
    extra = {
        "stopped": "; ".join(stopped) or None,
        "complete": not stopped,
        "batches": batch_count,
        "retries": sum(r["stats"].get("retries", 0) for r in results),
    }
    window = interval_window(day, settings.refresh_window_days)
    manifests: dict[str, Any] = {}
    # The quarantine lands first: a re-run that finds every entity's partition (and so does
    # nothing more) would otherwise never land the rejected records of a run killed before it.
    quarantine = [q for r in results for q in r["quarantine"]]
    if quarantine:
        manifests[QUARANTINE] = land_quarantine(source, day, settings, quarantine)
    # The bookmarks move before the partitions are written, for the same reason: a run killed
    # after the last partition would leave them behind for good. The staging area, which holds
    # the records they describe, stays until every partition has landed, and merging the same
    # batches again gives the same bookmarks, so a re-run lands the records and moves nothing.
    save_bookmarks(
        settings.state_dir,
        f"{source}_bookmarks",
        merge_bookmarks(load_bookmarks(settings.state_dir, f"{source}_bookmarks"), results),
    )
    for entity, part in parts.items():
        if part.exists():  # a crash between two writes left this one behind
            manifests[entity] = part.manifest()
            continue
        costs = [r["entities"].get(entity, {}) for r in results]
        manifests[entity] = write_partition_lines(
            part,
            _unique_lines(b / entity for b in batches),
            extractor_version=EXTRACTOR_VERSION,
            api_calls=sum(c.get("api_calls", 0) for c in costs),
            quota_units=sum(c.get("quota_units", 0) for c in costs),
            extra=extra,
            **window.manifest_fields(),
        )
    for reason in stopped:
        log.warning("%s dt=%s stopped early: %s", source, day, reason)
    shutil.rmtree(folder, ignore_errors=True)
    return manifests


def merge_bookmarks(old: dict[str, Any], results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Each batch moves its own accounts' bookmarks; the accounts a quota stop left over in any
    batch are pending for the next run."""
    merged = dict(old)
    for result in results:
        merged.update({k: v for k, v in result["bookmarks"].items() if k != PENDING})
    pending = [a for r in results for a in r["bookmarks"].get(PENDING, [])]
    if pending or any(PENDING in r["bookmarks"] for r in results):
        merged[PENDING] = pending
    return merged


def _unique_lines(stems: Iterable[Path]) -> Iterator[bytes]:
    """The staged landing lines of an entity's batches, each record key once (first seen
    wins). A batch staged as `<entity>.lines` holds `<key as JSON>\\t<landing line>`: the
    line is copied as it was encoded, never decoded; one staged by an earlier version as
    `<entity>.jsonl` (a day begun before an upgrade) holds enveloped records."""
    seen: set[bytes] = set()
    for stem in stems:
        for key, line in _staged_lines(stem):
            if key not in seen:
                seen.add(key)
                yield line


def _staged_lines(stem: Path) -> Iterator[tuple[bytes, bytes]]:
    staged, earlier = stem.with_name(stem.name + STAGED_LINES), stem.with_name(stem.name + ".jsonl")
    if staged.is_file():
        with staged.open("rb") as lines:
            for raw in lines:
                key, _, line = raw.partition(b"\t")
                yield key, line
    elif earlier.is_file():
        with earlier.open(encoding="utf-8") as lines:
            for raw in lines:
                record = json.loads(raw)
                yield encode_basestring(record["record_key"]).encode(), landing_line(record)


def land_quarantine(
    source: str, day: date, settings: Settings, rejected: Iterable[dict[str, Any]]
) -> dict[str, Any]:
    """Rejected records of a day, each with its reason; the warehouse keeps them visible. Read
    once, as they are written (a CRM file's rejects come as a stream)."""
    part = Partition(settings.landing_dir, source, QUARANTINE, day)
    if part.exists():
        return part.manifest()
    extracted_at = now_utc()
    lines = (_quarantine_line(source, r, n, extracted_at) for n, r in enumerate(rejected, start=1))
    return write_partition_lines(
        part, map(landing_line, lines), extractor_version=EXTRACTOR_VERSION
    )


def _quarantine_line(source: str, r: dict[str, Any], n: int, extracted_at: str) -> dict[str, Any]:
    where = f"{r['file']} line {r['line']}" if r.get("file") else r.get("key") or "?"
    log.warning("%s %s quarantined (%s): %s", source, r["entity"], where, r["reason"])
    return envelope(f"{r['entity']}:{r.get('key') or r.get('line') or n}", r, extracted_at)


def keep_unique(
    items: Iterable[Any],
    key_of: Callable[[Any], str | None],
    entity: str,
    extraction: Extraction,
) -> list[tuple[str, Any]]:
    """(key, item) for each distinct item, first seen wins (cursor APIs repeat records across
    pages); an item with no usable key goes to quarantine with its reason."""
    seen: set[str] = set()
    unique = []
    for item in items:
        key = key_of(item) if isinstance(item, dict) else None
        if not key:
            extraction.reject(entity, "record has no id", item)
            continue
        if key not in seen:
            seen.add(key)
            unique.append((key, item))
    return unique
