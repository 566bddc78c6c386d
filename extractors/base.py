"""What every source's extractor shares: the data interval's window, the landing of a day's
entities with their manifests, bookmarks, quarantine, and stopping cleanly at the quota.

A source module supplies a `fetch(bookmarks, window) -> Extraction`; `land_source_day` does the
rest: it calls nothing when the day's partitions already exist (landing is immutable), writes
each entity's partition and the quarantine, then moves the bookmarks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from extractors.landing import Partition, envelope, now_utc, write_partition
from extractors.state import load_bookmarks, save_bookmarks
from irm.config import Settings

log = logging.getLogger(__name__)

QUARANTINE = "quarantine"
PENDING = "_pending"  # bookmark key: accounts a quota stop left for the next run


@dataclass(frozen=True)
class Window:
    """The data interval [start, end) and the start of the metric-refresh window."""

    start: datetime
    end: datetime
    refresh_since: datetime

    def manifest_fields(self) -> dict[str, str]:
        return {"window_start": self.refresh_since.isoformat(), "window_end": self.end.isoformat()}


def interval_window(day: date, refresh_window_days: int) -> Window:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    end = start + timedelta(days=1)
    return Window(start, end, end - timedelta(days=refresh_window_days))


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
) -> dict[str, Any]:
    """Extract one data interval of a source into the landing zone; return the manifests."""
    parts = {e: Partition(settings.landing_dir, source, e, day) for e in entities}
    if all(p.exists() for p in parts.values()):
        log.info("%s dt=%s already landed; landing partitions are immutable", source, day)
        return {e: p.manifest() for e, p in parts.items()}
    window = interval_window(day, settings.refresh_window_days)
    bookmarks = load_bookmarks(settings.state_dir, f"{source}_bookmarks")
    extraction = fetch(bookmarks, window)
    extracted_at = now_utc()
    extra = {"stopped": extraction.stopped, "complete": extraction.stopped is None}
    extra.update(extraction.stats)
    manifests: dict[str, Any] = {}
    for entity, part in parts.items():
        if part.exists():  # a crash between two writes left this one behind
            manifests[entity] = part.manifest()
            continue
        found = extraction.entities.get(entity, EntityRecords())
        manifests[entity] = write_partition(
            part,
            (envelope(k, payload, extracted_at, parent) for k, payload, parent in found.records),
            api_calls=found.api_calls,
            quota_units=found.quota_units,
            extra=extra,
            **window.manifest_fields(),
        )
    if extraction.quarantine:
        manifests[QUARANTINE] = land_quarantine(source, day, settings, extraction.quarantine)
    save_bookmarks(settings.state_dir, f"{source}_bookmarks", {**bookmarks, **extraction.bookmarks})
    if extraction.stopped:
        log.warning("%s dt=%s stopped early: %s", source, day, extraction.stopped)
    return manifests


def land_quarantine(
    source: str, day: date, settings: Settings, rejected: list[dict[str, Any]]
) -> dict[str, Any]:
    """Rejected records of a day, each with its reason; the warehouse keeps them visible."""
    part = Partition(settings.landing_dir, source, QUARANTINE, day)
    if part.exists():
        return part.manifest()
    extracted_at = now_utc()
    lines = (
        envelope(f"{r['entity']}:{r.get('key') or r.get('line') or n}", r, extracted_at)
        for n, r in enumerate(rejected, start=1)
    )
    for r in rejected:
        where = f"{r['file']} line {r['line']}" if r.get("file") else r.get("key") or "?"
        log.warning("%s %s quarantined (%s): %s", source, r["entity"], where, r["reason"])
    return write_partition(part, lines)


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
