"""CRM exports: CSV files the brand's team drops into the inbox folder (SPEC §3.2).

Each file is landed as one partition per day; its rows become records keyed by their id, with
every cell kept as text (an empty cell is NULL) for staging to type. A file whose header is not
the template's fails with a message naming the file.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from extractors.landing import (
    Partition,
    envelope,
    list_partitions,
    now_utc,
    read_records,
    write_partition,
)
from irm.config import Settings

log = logging.getLogger(__name__)

SOURCE = "crm"

TEMPLATES: dict[str, tuple[str, ...]] = {
    "creators": (
        "creator_id",
        "display_name",
        "email",
        "manager",
        "status",
        "country",
        "niche",
        "youtube_channel_id",
        "instagram_username",
        "tiktok_username",
        "partnered_on",
    ),
}


class CrmFileError(ValueError):
    """A CRM file that cannot be read as its template."""


@dataclass(frozen=True)
class RejectedRow:
    file: str
    line: int
    reason: str


def read_crm_file(path: Path, entity: str) -> tuple[list[dict[str, Any]], list[RejectedRow]]:
    """Rows of a CRM CSV as dicts (empty cell -> None), and the rows that cannot be used."""
    columns = TEMPLATES[entity]
    key = columns[0]
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None or tuple(h.strip() for h in header) != columns:
                raise CrmFileError(
                    f"{path}: header {header!r} does not match the {entity} template {columns!r}"
                )
            rows, rejected = [], []
            for line_no, cells in enumerate(reader, start=2):
                row, reason = _row(cells, columns, key)
                if reason:
                    rejected.append(RejectedRow(str(path), line_no, reason))
                else:
                    rows.append(row)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CrmFileError(f"{path}: cannot be parsed as CSV ({exc})") from exc
    return rows, rejected


def _row(cells: list[str], columns: tuple[str, ...], key: str) -> tuple[dict[str, Any], str]:
    if len(cells) != len(columns):
        return {}, f"expected {len(columns)} cells, found {len(cells)}"
    row = {col: (cell.strip() or None) for col, cell in zip(columns, cells, strict=True)}
    if not row[key]:
        return row, f"missing {key}"
    return row, ""


def land_day(day: date, settings: Settings, entity: str = "creators") -> dict[str, Any] | None:
    """Land the inbox's `<entity>.csv` as the partition of `day`; None when no file was dropped."""
    partition = Partition(settings.landing_dir, SOURCE, entity, day)
    if partition.exists():
        log.info("crm %s dt=%s already landed; landing partitions are immutable", entity, day)
        return partition.manifest()
    path = settings.crm_inbox / f"{entity}.csv"
    if not path.is_file():
        log.warning("crm: no %s in %s", path.name, settings.crm_inbox)
        return None
    rows, rejected = read_crm_file(path, entity)
    for row in rejected:
        log.warning("crm: %s line %d rejected: %s", row.file, row.line, row.reason)
    extracted_at = now_utc()
    key = TEMPLATES[entity][0]
    return write_partition(
        partition,
        (envelope(row[key], row, extracted_at) for row in rows),
        extra={"file": path.name, "rejected_rows": len(rejected)},
    )


def latest_rows(settings: Settings, entity: str, on_or_before: date) -> list[dict[str, Any]]:
    """The rows of the newest landed partition of `entity` at or before the given day."""
    partitions = list_partitions(settings.landing_dir, SOURCE, entity)
    parts = [p for p in partitions if p.dt <= on_or_before]
    return [line["payload"] for line in read_records(parts[-1])] if parts else []


def youtube_channel_ids(settings: Settings, day: date) -> list[str]:
    """The roster: the YouTube channels of the creators the brand works with."""
    rows = latest_rows(settings, "creators", day)
    return sorted({r["youtube_channel_id"] for r in rows if r.get("youtube_channel_id")})
