"""The landing zone (SPEC §4): immutable partitions of raw records with a manifest.

`<landing>/<source>/<entity>/dt=<YYYY-MM-DD>/records.jsonl` + `_manifest.json`, written to a
temporary folder and renamed into place when complete, so a reader never sees half a partition.
A complete partition is never overwritten: platform APIs answer with the present, so a past
day's snapshot cannot be taken again (backfills replay the landing zone instead).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from extractors import EXTRACTOR_VERSION

RECORDS_FILE = "records.jsonl"
MANIFEST_FILE = "_manifest.json"


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


def write_partition(
    partition: Partition,
    records: Iterable[dict[str, Any]],
    *,
    window_start: str | None = None,
    window_end: str | None = None,
    api_calls: int = 0,
    quota_units: int = 0,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write a partition atomically and return its manifest.

    Records are enveloped lines (see `envelope`). Fails if the partition already exists.
    """
    if partition.exists():
        raise FileExistsError(f"landing partition {partition.path} exists and is immutable")
    partition.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = partition.path.with_name(f".{partition.path.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.mkdir()
    try:
        count, checksum = _write_records(tmp / RECORDS_FILE, records)
        manifest = {
            "source": partition.source,
            "entity": partition.entity,
            "dt": partition.dt.isoformat(),
            "record_count": count,
            "window_start": window_start,
            "window_end": window_end,
            "api_calls": api_calls,
            "quota_units": quota_units,
            "extractor_version": EXTRACTOR_VERSION,
            "checksum": f"sha256:{checksum}",
            "written_at": now_utc(),
            **(extra or {}),
        }
        (tmp / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        _replace_dir(tmp, partition.path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _write_records(path: Path, records: Iterable[dict[str, Any]]) -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    with path.open("wb") as out:
        for record in records:
            line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode()
            digest.update(line)
            out.write(line)
            count += 1
        out.flush()
        os.fsync(out.fileno())
    return count, digest.hexdigest()


def _replace_dir(tmp: Path, target: Path) -> None:
    """Rename `tmp` into place; an incomplete leftover (no manifest) is moved aside first."""
    if target.exists():
        stale = target.with_name(f".{target.name}.stale-{uuid.uuid4().hex[:8]}")
        os.replace(target, stale)
        shutil.rmtree(stale, ignore_errors=True)
    os.replace(tmp, target)


def list_partitions(root: Path, source: str, entity: str) -> list[Partition]:
    """Complete partitions of an entity, oldest first."""
    folder = root / source / entity
    if not folder.is_dir():
        return []
    found = []
    for child in sorted(folder.iterdir()):
        if child.name.startswith("dt="):
            part = Partition(root, source, entity, date.fromisoformat(child.name[3:]))
            if part.exists():
                found.append(part)
    return found


def read_records(partition: Partition) -> Iterator[dict[str, Any]]:
    with partition.records_path.open("rb") as lines:
        for line in lines:
            yield json.loads(line)
