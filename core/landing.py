"""The landing zone (SPEC §4): immutable partitions of raw records with a manifest.

`<landing>/<source>/<entity>/dt=<YYYY-MM-DD>/records.jsonl` + `_manifest.json`, written to a
temporary folder and renamed into place when complete, so a reader never sees half a partition.
A complete partition is never overwritten: platform APIs answer with the present, so a past
day's snapshot cannot be taken again (backfills replay the landing zone instead). A partition
that must be withdrawn is moved, whole, under `<landing>/_set_aside/` with a record of why
(`set_aside`; the `irm landing set-aside` command, irm/landing_admin.py), never edited in place.

Readers trust a partition only as far as its manifest: `copy_records` hashes and counts the
bytes it copies, so a loader reads exactly the bytes it compared with the manifest.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from core.files import replace_dir

log = logging.getLogger(__name__)

RECORDS_FILE = "records.jsonl"
MANIFEST_FILE = "_manifest.json"
# Withdrawn partitions: <landing>/_set_aside/<source>/<entity>/dt=<day>--<when>/, each with
# SET_ASIDE_RECORD (why, when, who), and one line per partition in SET_ASIDE_LOG.
SET_ASIDE_DIR = "_set_aside"
SET_ASIDE_RECORD = "_set_aside.json"
SET_ASIDE_LOG = "audit.jsonl"
# The only folder name a partition has; anything else beside partitions is skipped.
_PARTITION_NAME = re.compile(r"dt=(\d{4}-\d{2}-\d{2})")
_COPY_CHUNK = 1 << 20
# Lines are written this many bytes at a time: far fewer calls than a line each, and little
# memory held whatever the partition's size (CRM files are streamed through).
_WRITE_CHUNK = 1 << 16


@dataclass(frozen=True)
class Partition:
    root: Path
    source: str
    entity: str
    dt: date

    @property
    def path(self) -> Path:
        return self.root / self.source / self.entity / f"dt={self.dt.isoformat()}"

    @property
    def records_path(self) -> Path:
        return self.path / RECORDS_FILE

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST_FILE

    def exists(self) -> bool:
        """Complete partitions only: the manifest is written last, inside the temp folder."""
        return self.manifest_path.is_file()

    def manifest(self) -> dict[str, Any]:
        return json.loads(self.manifest_path.read_text())


@dataclass(frozen=True)
class Content:
    """What a records file holds, as its manifest states it: lines and sha256."""

    lines: int
    checksum: str  # "sha256:<hex>", the manifest's form


class ContentDigest:
    """sha256 and line count of bytes fed in order (a last line without a newline counts)."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self._newlines = 0
        self._last = b""

    def update(self, chunk: bytes) -> None:
        if chunk:
            self._sha.update(chunk)
            self._newlines += chunk.count(b"\n")
            self._last = chunk[-1:]

    def content(self) -> Content:
        unterminated = 1 if self._last not in (b"", b"\n") else 0
        return Content(self._newlines + unterminated, f"sha256:{self._sha.hexdigest()}")


def now_utc() -> str:
    return datetime.now(UTC).isoformat()


def envelope(
    record_key: str, payload: Any, extracted_at: str, parent_key: str | None = None
) -> dict[str, Any]:
    """One landing line: the record as received, its key, when it was received, and (for child
    records whose payload does not name their parent, e.g. Instagram media) the parent's key."""
    return {
        "extracted_at": extracted_at,
        "record_key": record_key,
        "parent_key": parent_key,
        "payload": payload,
    }


# json.dumps(record, ensure_ascii=False, sort_keys=True), without making an encoder per line
# (a history lands millions of lines).
_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


def landing_line(record: dict[str, Any]) -> bytes:
    """A record as one line of records.jsonl: keys sorted, UTF-8 as it is (the checksum of a
    partition is the hash of these bytes)."""
    return (_LINE_ENCODER.encode(record) + "\n").encode()


def write_partition(
    partition: Partition, records: Iterable[dict[str, Any]], **manifest: Any
) -> dict[str, Any]:
    """Write a partition of enveloped records (see `envelope`); `write_partition_lines` says
    the rest."""
    return write_partition_lines(partition, map(landing_line, records), **manifest)


def write_partition_lines(
    partition: Partition,
    lines: Iterable[bytes],
    *,
    extractor_version: str,
    window_start: str | None = None,
    window_end: str | None = None,
    api_calls: int = 0,
    quota_units: int = 0,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write a partition atomically and return its manifest.

    `lines` are records already encoded by `landing_line` (a staged batch keeps them so, and
    its commit copies them without decoding and encoding each record again). Fails if the
    partition already exists. The manifest records `extractor_version`, the writer's
    (extractors.EXTRACTOR_VERSION).
    """
    if partition.exists():
        raise FileExistsError(f"landing partition {partition.path} exists and is immutable")
    partition.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = partition.path.with_name(f".{partition.path.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.mkdir()
    try:
        content = _write_lines(tmp / RECORDS_FILE, lines)
        manifest = {
            "source": partition.source,
            "entity": partition.entity,
            "dt": partition.dt.isoformat(),
            "record_count": content.lines,
            "window_start": window_start,
            "window_end": window_end,
            "api_calls": api_calls,
            "quota_units": quota_units,
            "extractor_version": extractor_version,
            "checksum": content.checksum,
            "written_at": now_utc(),
            **(extra or {}),
        }
        (tmp / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        replace_dir(tmp, partition.path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _write_lines(path: Path, lines: Iterable[bytes]) -> Content:
    digest = ContentDigest()
    with path.open("wb") as out:
        for chunk in _chunks(lines):
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.content()


def _chunks(lines: Iterable[bytes], size: int = _WRITE_CHUNK) -> Iterator[bytes]:
    """The lines joined into chunks of about `size` bytes, to be hashed and written a chunk at
    a time (a partition can hold a hundred thousand short lines)."""
    chunk: list[bytes] = []
    length = 0
    for line in lines:
        chunk.append(line)
        length += len(line)
        if length >= size:
            yield b"".join(chunk)
            chunk, length = [], 0
    if chunk:
        yield b"".join(chunk)


def copy_records(partition: Partition, target: Path) -> Content:
    """Copy the partition's records file to `target` in one pass, hashing and counting what is
    copied: whoever reads `target` reads the very bytes described by the returned Content."""
    digest = ContentDigest()
    with partition.records_path.open("rb") as source, target.open("wb") as out:
        while chunk := source.read(_COPY_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.content()


def list_partitions(root: Path, source: str, entity: str) -> list[Partition]:
    """Complete partitions of an entity, oldest first. Anything else in the entity's folder (a
    `dt=2026-01-05.bak` copy, a writer's `.dt=….tmp-…` leftover, a stray file, a `dt=` folder
    without its manifest) is skipped with a warning naming it: it is not part of the landing
    zone's contract, and one stray name must not stop every load."""
    folder = root / source / entity
    if not folder.is_dir():
        return []
    found = []
    for child in sorted(folder.iterdir()):
        day = partition_day(child.name) if child.is_dir() else None
        if day is None:
            log.warning("landing: skipping %s (not a dt=YYYY-MM-DD partition folder)", child)
            continue
        part = Partition(root, source, entity, day)
        if part.exists():
            found.append(part)
        else:
            log.warning("landing: skipping %s (no %s: incomplete)", child, MANIFEST_FILE)
    return found


def partition_day(name: str) -> date | None:
    """The day of a partition folder's name `dt=YYYY-MM-DD`, or None for any other name."""
    match = _PARTITION_NAME.fullmatch(name)
    if match is None:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:  # dt=2026-02-30
        return None


def set_aside(partition: Partition, record: dict[str, Any]) -> Path:
    """Move a partition, whole and unchanged, under `<landing>/_set_aside/` and write `record`
    (why, when, who) beside its files; the day's folder is then free to be landed again.
    Returns the folder it now lives in (`dt=<day>--<UTC time>`, numbered if taken)."""
    parent = partition.root / SET_ASIDE_DIR / partition.source / partition.entity
    parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = parent / f"{partition.path.name}--{stamp}"
    suffix = 1
    while target.exists():
        suffix += 1
        target = parent / f"{partition.path.name}--{stamp}-{suffix}"
    os.rename(partition.path, target)  # same filesystem: atomic, nothing copied or lost
    record = {**record, "moved_to": str(target)}
    (target / SET_ASIDE_RECORD).write_text(json.dumps(record, indent=2, sort_keys=True))
    with (partition.root / SET_ASIDE_DIR / SET_ASIDE_LOG).open("a", encoding="utf-8") as audit:
        audit.write(json.dumps(record, sort_keys=True) + "\n")
    return target


def read_records(partition: Partition) -> Iterator[dict[str, Any]]:
    with partition.records_path.open("rb") as lines:
        for line in lines:
            yield json.loads(line)
