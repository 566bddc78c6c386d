"""CRM exports: CSV files the brand's team drops into the inbox folder (SPEC §3.2).

Each file lands as one partition per day. Every row is checked on its own: a row with a
missing id, an unknown creator or campaign, a negative amount, a bad date, timestamp, currency
or enum value, or an id already seen goes to quarantine with the file, line and reason; the rest
land (cells as text, empty = NULL, for staging to type). A file that cannot be read as its
template fails the task with a message naming the file — after the other files have landed.
"""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from extractors.base import land_quarantine
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
        "creator_id", "display_name", "email", "manager", "status", "country", "niche",
        "youtube_channel_id", "instagram_username", "tiktok_username", "partnered_on",
    ),
    "campaigns": (
        "campaign_id", "name", "brand", "brand_handle", "starts_on", "ends_on", "budget",
        "currency", "objective", "tracking_hashtag",
    ),
    "contracts": (
        "contract_id", "campaign_id", "creator_id", "fee", "product_cost", "currency",
        "deliverables", "due_on", "promo_code", "exclusive", "signed_on",
    ),
    "payments": (
        "payment_id", "contract_id", "amount", "currency", "due_on", "paid_on", "status",
    ),
    "touchpoints": (
        "touchpoint_id", "creator_id", "occurred_at", "channel", "direction", "responded_at",
    ),
}  # fmt: skip
# Files reference earlier ones, so they are read in this order.
ORDER = ("creators", "campaigns", "contracts", "payments", "touchpoints")

ENUMS = {
    ("creators", "status"): {"prospect", "active", "paused", "ended"},
    ("campaigns", "objective"): {"awareness", "consideration", "conversion"},
    ("payments", "status"): {"scheduled", "paid", "failed", "cancelled"},
    ("touchpoints", "channel"): {"email", "dm", "call", "meeting"},
    ("touchpoints", "direction"): {"outbound", "inbound"},
}
DATES = {"partnered_on", "starts_on", "ends_on", "due_on", "signed_on", "paid_on"}
TIMESTAMPS = {"occurred_at", "responded_at"}
AMOUNTS = {"budget", "fee", "product_cost", "amount"}
BOOLEANS = {"exclusive"}
REFERENCES = {"creator_id": "creators", "campaign_id": "campaigns", "contract_id": "contracts"}
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class CrmFileError(ValueError):
    """A CRM file that cannot be read as its template."""


@dataclass(frozen=True)
class RejectedRow:
    file: str
    line: int
    reason: str
    record: dict[str, Any]


def _is_date(value: str) -> bool:
    try:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) and bool(date.fromisoformat(value))
    except ValueError:
        return False


def _is_timestamp(value: str) -> bool:
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _is_amount(value: str) -> bool:
    try:
        return Decimal(value) >= 0
    except InvalidOperation:
        return False


def cell_problem(column: str, value: str) -> str:
    """Why one cell's value is not of its column's kind ('' when it is)."""
    if column in DATES and not _is_date(value):
        return "is not a YYYY-MM-DD date"
    if column in TIMESTAMPS and not _is_timestamp(value):
        return "is not an ISO 8601 timestamp with an offset"
    if column in AMOUNTS and not _is_amount(value):
        return "is not a non-negative amount"
    if column == "currency" and not _CURRENCY.match(value):
        return "is not an ISO 4217 currency code"
    if column == "country" and not _COUNTRY.match(value):
        return "is not an ISO 3166-1 alpha-2 country code"
    if column in BOOLEANS and value not in ("true", "false"):
        return "is not true or false"
    return ""


def row_problem(
    entity: str, row: dict[str, Any], known: dict[str, set[str]], seen: dict[str, int]
) -> str:
    """Why a row cannot load ('' when it can)."""
    key = TEMPLATES[entity][0]
    if not row[key]:
        return f"missing {key}"
    if row[key] in seen:
        return f"duplicate {key} {row[key]!r} (first on line {seen[row[key]]})"
    for column, value in row.items():
        if value is None:
            continue
        problem = cell_problem(column, value)
        if problem:
            return f"{column} {value!r} {problem}"
        allowed = ENUMS.get((entity, column))
        if allowed and value.lower() not in allowed:
            return f"{column} {value!r} is not one of {sorted(allowed)}"
        parent = REFERENCES.get(column)
        if parent and column != key and parent in known and value not in known[parent]:
            return f"unknown {column} {value!r}"
    ends_first = entity == "campaigns" and (row["ends_on"] or "") < (row["starts_on"] or "")
    if ends_first and row["ends_on"]:
        return "ends_on is before starts_on"
    return ""


def read_crm_file(
    path: Path, entity: str, known: dict[str, set[str]] | None = None
) -> tuple[list[dict[str, Any]], list[RejectedRow]]:
    """Rows of a CRM CSV (empty cell -> None) that can load, and those that cannot, with why."""
    columns = TEMPLATES[entity]
    rows: list[dict[str, Any]] = []
    rejected: list[RejectedRow] = []
    seen: dict[str, int] = {}
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, strict=True)
            header = next(reader, None)
            if header is None or tuple(h.strip() for h in header) != columns:
                raise CrmFileError(
                    f"{path}: header {header!r} does not match the {entity} template {columns!r}"
                )
            for line_no, cells in enumerate(reader, start=2):
                if len(cells) != len(columns):
                    reason = f"expected {len(columns)} cells, found {len(cells)}"
                    rejected.append(RejectedRow(str(path), line_no, reason, {"cells": cells}))
                    continue
                row = {c: (v.strip() or None) for c, v in zip(columns, cells, strict=True)}
                reason = row_problem(entity, row, known or {}, seen)
                if reason:
                    rejected.append(RejectedRow(str(path), line_no, reason, row))
                else:
                    seen[row[columns[0]]] = line_no
                    rows.append(row)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CrmFileError(f"{path}: cannot be parsed as CSV ({exc})") from exc
    return rows, rejected


def land_day(day: date, settings: Settings) -> dict[str, Any]:
    """Land every CRM file in the inbox as the day's partitions; fail at the end, naming the
    file, if one could not be read (the others have landed by then)."""
    manifests: dict[str, Any] = {}
    known: dict[str, set[str]] = {}
    rejected: list[RejectedRow] = []
    broken: list[str] = []
    for entity in ORDER:
        partition = Partition(settings.landing_dir, SOURCE, entity, day)
        path = settings.crm_inbox / f"{entity}.csv"
        if partition.exists():
            manifests[entity] = partition.manifest()
            known[entity] = {r["record_key"] for r in read_records(partition)}
            continue
        if not path.is_file():
            continue
        try:
            rows, bad = read_crm_file(path, entity, known)
        except CrmFileError as exc:
            broken.append(str(exc))
            continue
        key = TEMPLATES[entity][0]
        known[entity] = {row[key] for row in rows}
        rejected += bad
        extracted_at = now_utc()
        manifests[entity] = write_partition(
            partition,
            (envelope(row[key], row, extracted_at) for row in rows),
            extra={"file": path.name, "rejected_rows": len(bad)},
        )
    if rejected:
        quarantined = [
            {"entity": Path(r.file).stem, "reason": r.reason, "file": Path(r.file).name,
             "line": r.line, "record": r.record}
            for r in rejected
        ]  # fmt: skip
        manifests["quarantine"] = land_quarantine(SOURCE, day, settings, quarantined)
    if broken:
        raise CrmFileError("; ".join(broken))
    return manifests


def latest_rows(settings: Settings, entity: str, on_or_before: date) -> list[dict[str, Any]]:
    """The rows of the newest landed partition of `entity` at or before the given day."""
    partitions = list_partitions(settings.landing_dir, SOURCE, entity)
    parts = [p for p in partitions if p.dt <= on_or_before]
    return [line["payload"] for line in read_records(parts[-1])] if parts else []


def roster(settings: Settings, day: date, column: str) -> list[str]:
    """The brand's accounts on one platform, from the CRM creators file (e.g. column
    `youtube_channel_id`)."""
    rows = latest_rows(settings, "creators", day)
    accounts = {r[column].strip() for r in rows if r.get(column) and r[column].strip()}
    if column.endswith("_username"):
        # Teams type handles as they see them ("@Ana_Runs"); the APIs want "ana_runs".
        accounts = {a.lstrip("@").lower() for a in accounts}
    return sorted(accounts)


def youtube_channel_ids(settings: Settings, day: date) -> list[str]:
    return roster(settings, day, "youtube_channel_id")
