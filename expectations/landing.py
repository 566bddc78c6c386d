"""The landing stage: validate new landing partitions before they are loaded.

What is validated is what the load will pick up (`warehouse.load.partitions_to_load`: every
landed partition whose checksum the load ledger does not hold yet, limited to the days asked
for), so no partition reaches `raw` unvalidated and the cost of a validation follows the new
data, not the history. Each entity's partitions become one frame
(one row per line, the fields that matter flattened by the entity's `Field`s, the partition
date in `dt`), validated by the entity's suite; the partitions' manifests become one row each in
the `manifests` frame, which checks record_count against the lines actually there and the
checksum against the content. Failing values are reported with the `dt` and `record_key` of
their line.

The landing layout is the contract of docs/architecture.md (core.landing); which partitions
exist and which are loaded is the loader's answer (warehouse.load), never a second reading of
the folders here.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.config import get_settings
from core.landing import MANIFEST_FILE, RECORDS_FILE
from expectations.contract import KIND_DTYPES
from expectations.landing_suites import LANDING, MANIFESTS, ROW_ID, TYPE_ERRORS, LandingEntity
from expectations.report import ValidationReport, log_warnings
from expectations.runner import validate_frames
from expectations.suites import entities_for
from extractors.schema import ISO_TIMESTAMP, TEXT, Field, Parser
from warehouse.load import partitions_to_load

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

# How much of a badly typed value a type error quotes.
QUOTE_CHARS = 40


@dataclass(frozen=True)
class LandingPartition:
    entity: LandingEntity
    dt: date
    path: Path

    @property
    def name(self) -> str:
        return f"{self.entity.name}/dt={self.dt.isoformat()}"


@dataclass(frozen=True)
class PartitionRead:
    """One partition as read: a flattened row per line, and what its manifest should match."""

    partition: LandingPartition
    rows: list[dict[str, Any]]
    content_checksum: str | None
    manifest: dict[str, Any] | None


def validate_landing(
    days: list[date] | None = None, entities: list[str] | None = None
) -> ValidationReport:
    """Validate what the load will pick up: the landed partitions not loaded yet, of `days`
    (default: of every day).

    `entities` are `<source>/<entity>` names (default: every source's, extractors/registry.py).
    An entity with nothing to load is not validated (logged). Critical failures make the
    report fail (raise with `raise_on_critical`); warnings are logged here.
    """
    settings = get_settings()
    found: list[tuple[LandingEntity, list[PartitionRead]]] = []
    for entity, partitions in find_partitions(settings.landing_dir, entities_for(entities), days):
        if partitions:
            found.append((entity, [read_partition(p) for p in partitions]))
        else:
            log.info("landing %s: nothing to load for %s", entity.name, _days_text(days))
    suites = [entity.suite for entity, _ in found]
    frames = {entity.suite.table: entity_frame(entity, reads) for entity, reads in found}
    sources = {entity.suite.table: _source(entity, reads) for entity, reads in found}
    if found:
        suites.append(MANIFESTS)
        frames[MANIFESTS.table] = manifest_frame(r for _, reads in found for r in reads)
    report = validate_frames(
        LANDING, suites, frames, settings.data_docs_dir, sources=sources, row_id=ROW_ID
    )
    log.info("%s; Data Docs: %s", report.summary(), report.data_docs_home)
    log_warnings(report)
    return report


# --- finding and reading partitions ---------------------------------------------------------


def find_partitions(
    root: Path, entities: list[LandingEntity], days: list[date] | None
) -> list[tuple[LandingEntity, list[LandingPartition]]]:
    """Each entity with, oldest first, its partitions that `load_landing(days)` would load now.

    A requested day's folder without a manifest (which the load skips) is returned too: the
    manifest check reports it.
    """
    to_load = {(p.source, p.entity, p.dt): p.path for p in partitions_to_load(days)}
    found = []
    for entity in entities:
        partitions = [
            LandingPartition(entity, dt, path)
            for (source, name, dt), path in to_load.items()
            if (source, name) == (entity.source, entity.entity)
        ]
        for day in sorted(set(days or ())):
            folder = root / entity.source / entity.entity / f"dt={day.isoformat()}"
            if folder.is_dir() and not (folder / MANIFEST_FILE).is_file():
                partitions.append(LandingPartition(entity, day, folder))
        found.append((entity, sorted(partitions, key=lambda p: p.dt)))
    return found


def read_partition(partition: LandingPartition) -> PartitionRead:
    """Flatten every line; hash the bytes as the writer did (sha256 of records.jsonl)."""
    records = partition.path / RECORDS_FILE
    rows: list[dict[str, Any]] = []
    checksum = None
    if records.is_file():
        digest = hashlib.sha256()
        with records.open("rb") as lines:
            for number, line in enumerate(lines, start=1):
                digest.update(line)
                row = flatten_line(line, partition.entity.fields, number)
                row["dt"] = partition.dt
                rows.append(row)
        checksum = f"sha256:{digest.hexdigest()}"
    return PartitionRead(partition, rows, checksum, _manifest(partition.path / MANIFEST_FILE))


def _manifest(path: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


# --- flattening -----------------------------------------------------------------------------


def flatten_line(line: bytes, fields: tuple[Field, ...], number: int) -> dict[str, Any]:
    """One landing line as a row: envelope, the fields that matter, and its type errors."""
    try:
        record = json.loads(line)
    except ValueError as exc:
        return {TYPE_ERRORS: f"line {number}: not JSON ({exc})"}
    if not isinstance(record, dict):
        return {TYPE_ERRORS: f"line {number}: not a JSON object"}
    errors: list[str] = []
    row = {
        "extracted_at": _parse(ISO_TIMESTAMP, record.get("extracted_at"), "extracted_at", errors),
        "record_key": _parse(TEXT, record.get("record_key"), "record_key", errors),
        "parent_key": _parse(TEXT, record.get("parent_key"), "parent_key", errors),
    }
    payload = record.get("payload")
    if not isinstance(payload, dict):
        errors.append(f"payload={_quote(payload)}")
        payload = {}
    for field in fields:
        row[field.name] = _parse(field.parser, _dig(payload, field.steps), field.path, errors)
    row[TYPE_ERRORS] = "; ".join(errors) or None
    return row


def _dig(payload: dict[str, Any], steps: tuple[str, ...]) -> Any:
    value: Any = payload
    for step in steps:
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def _parse(parser: Parser, value: Any, path: str, errors: list[str]) -> Any:
    """The parsed value; absent or null is NULL (not-null checks judge that), a wrong shape is
    NULL plus a type error naming the field and the value."""
    if value is None:
        return None
    try:
        return parser.parse(value)
    except (ValueError, TypeError, OverflowError):
        errors.append(f"{path}={_quote(value)} (expected {parser.describe})")
        return None


def _quote(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 3] + "..."


# --- frames ---------------------------------------------------------------------------------


def entity_frame(entity: LandingEntity, reads: list[PartitionRead]) -> pd.DataFrame:
    """The rows of the entity's partitions, one canonical dtype per column kind."""
    return typed_frame(entity.suite.columns, [row for read in reads for row in read.rows])


def manifest_frame(reads: Iterable[PartitionRead]) -> pd.DataFrame:
    return typed_frame(MANIFESTS.columns, [_manifest_row(r) for r in reads])


def _manifest_row(read: PartitionRead) -> dict[str, Any]:
    part, manifest = read.partition, read.manifest or {}
    named = [manifest.get(k) for k in ("source", "entity", "dt")]
    count = manifest.get("record_count")
    checksum = manifest.get("checksum")
    return {
        "dt": part.dt,
        "record_key": part.entity.name,
        "partition": part.name,
        "lines": len(read.rows),
        "record_count": count if isinstance(count, int) and not isinstance(count, bool) else None,
        "checksum": checksum if isinstance(checksum, str) else None,
        "content_checksum": read.content_checksum,
        "manifest_of": "{}/{}/dt={}".format(*named) if all(named) else None,
    }


def typed_frame(columns: Mapping[str, str], rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Columns in contract order, absent values NULL; dtypes as `KIND_DTYPES` (frames.py does the
    same for warehouse tables), so the suites' type checks mean the same in both stages."""
    import pandas as pd

    return pd.DataFrame(
        {name: _typed([r.get(name) for r in rows], kind) for name, kind in columns.items()}
    )


def _typed(values: list[Any], kind: str) -> Any:
    import pandas as pd

    if kind == "timestamp":
        return pd.to_datetime(pd.Series(values, dtype=object), utc=True).astype(KIND_DTYPES[kind])
    if kind == "date":
        return pd.to_datetime(pd.Series(values, dtype=object)).astype(KIND_DTYPES[kind])
    return pd.array(values, dtype=KIND_DTYPES[kind])


def _source(entity: LandingEntity, reads: list[PartitionRead]) -> str:
    days = ", ".join(r.partition.dt.isoformat() for r in reads)
    return f"landing {entity.name} dt={days}"


def _days_text(days: list[date] | None) -> str:
    return "any day" if days is None else ", ".join(d.isoformat() for d in days)
