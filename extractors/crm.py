"""CRM exports: CSV files the brand's team drops into the inbox folder (SPEC §3.2).

Each file lands as one partition per day, and because landing is permanent, admission is
strict (SPEC §4):

- Every row is checked on its own: a row with a missing id, an unknown or quarantined creator,
  campaign or contract, a negative amount, a bad date, timestamp or enum value, a currency that
  is not in the rates seed (`dbt_project/seeds/currency_rates.csv`), a platform handle not of the
  platform's format (it would alter the API request it goes into), or an id already seen goes
  to quarantine with the file, line and reason; the rest land (cells as text, empty = NULL, for
  staging to type).
- A day is admitted whole or not at all: every file of the inbox is read and checked into a
  staging folder first, and only then do the day's quarantine and partitions land from it. A
  file that cannot be read as its template, or a roster export that collapsed (a creators file
  with no admitted row, or with fewer than `IRM_CRM_MIN_ROW_RATIO` (0.5) times the rows of the
  last landed day), fails the task naming the file, and nothing of that day lands: a corrected
  file, dropped again, lands the day.
- A run killed while the day lands is finished by the next from the staging folder (not from an
  inbox that may hold a newer export by then): every admitted row and every rejected row lands
  once.
- Files are read as a stream: rows go straight to the staging folder and the ids that duplicates
  and references are checked against live in SQLite, so memory does not grow with the file.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import shutil
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from extractors.base import QUARANTINE, land_quarantine, staging_dir
from extractors.landing import (
    Partition,
    envelope,
    list_partitions,
    now_utc,
    read_records,
    write_partition,
)
from irm.config import CONNECTION_IDS, Settings

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
# The file that lists the roster: a collapse of it is refused (see `collapse_problem`).
ROSTER_ENTITY = "creators"

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
# The rates seed the marts convert money with: a currency it lacks cannot be reported.
RATES_SEED = Path("seeds") / "currency_rates.csv"

# The creators column that lists each platform's accounts (the roster).
ROSTER_COLUMNS = {
    "youtube": "youtube_channel_id",
    "instagram": "instagram_username",
    "tiktok": "tiktok_username",
}
PLATFORM_OF_COLUMN = {column: platform for platform, column in ROSTER_COLUMNS.items()}
# Each platform's handle format. Handles are put into requests (`id=` lists, Instagram's
# `business_discovery.username(...)` field expansion, TikTok queries), so anything else could
# ask for another account. Usernames may carry the "@" teams type; the roster drops it.
HANDLE_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "youtube": (
        re.compile(r"UC[A-Za-z0-9_-]{22}"),
        "a YouTube channel id (UC and 22 letters, digits, - or _)",
    ),
    "instagram": (
        re.compile(r"[A-Za-z0-9._]{1,30}"),
        "an Instagram username (1 to 30 letters, digits, periods or underscores)",
    ),
    "tiktok": (
        re.compile(r"[A-Za-z0-9._]{2,24}"),
        "a TikTok username (2 to 24 letters, digits, underscores or periods)",
    ),
}

STAGED = "_staged.json"  # written last: a staging folder without it is a crash's leftover
QUARANTINE_LINES = "quarantine.jsonl"
IDS_DB = "ids.sqlite"


class CrmFileError(ValueError):
    """A CRM file that cannot be read as its template, or a roster export that collapsed."""


class EmptyRoster(ValueError):
    """A platform's roster lists no account: extracting it would land empty partitions."""


@dataclass(frozen=True)
class RejectedRow:
    file: str
    line: int
    reason: str
    record: dict[str, Any]


# --- values ----------------------------------------------------------------------------------


def handle_problem(platform: str, handle: str) -> str:
    """Why a roster handle is not of the platform's format ('' when it is). The one check of
    handles: CRM admission quarantines such a row, and the roster never hands one out."""
    pattern, kind = HANDLE_FORMATS[platform]
    bare = handle if platform == "youtube" else handle.removeprefix("@")
    return "" if pattern.fullmatch(bare) else f"is not {kind}"


def normalise_handle(platform: str, handle: str) -> str:
    """The handle as the API wants it: teams type "@Ana_Runs", the APIs want "ana_runs"."""
    return handle if platform == "youtube" else handle.removeprefix("@").lower()


def rate_currencies(settings: Settings) -> frozenset[str]:
    """The currencies of the rates seed (the only ones the marts can convert)."""
    seed = settings.dbt_project_dir / RATES_SEED
    try:
        with seed.open(newline="", encoding="utf-8") as handle:
            return frozenset(row["currency"].strip() for row in csv.DictReader(handle))
    except (OSError, KeyError) as exc:
        raise CrmFileError(f"{seed}: the currency rates seed cannot be read ({exc})") from exc


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


def cell_problem(column: str, value: str, currencies: frozenset[str]) -> str:
    """Why one cell's value is not of its column's kind ('' when it is)."""
    if column in DATES and not _is_date(value):
        return "is not a YYYY-MM-DD date"
    if column in TIMESTAMPS and not _is_timestamp(value):
        return "is not an ISO 8601 timestamp with an offset"
    if column in AMOUNTS and not _is_amount(value):
        return "is not a non-negative amount"
    if column == "currency" and not _CURRENCY.match(value):
        return "is not an ISO 4217 currency code"
    if column == "currency" and value not in currencies:
        return f"is not a currency of the rates seed ({RATES_SEED.name}), so it cannot be reported"
    if column == "country" and not _COUNTRY.match(value):
        return "is not an ISO 3166-1 alpha-2 country code"
    if column in BOOLEANS and value not in ("true", "false"):
        return "is not true or false"
    if column in PLATFORM_OF_COLUMN:
        return handle_problem(PLATFORM_OF_COLUMN[column], value)
    return ""


# --- ids: duplicates and references ----------------------------------------------------------


class IdIndex:
    """The ids of a day's CRM rows, admitted or quarantined, with the line they were on; rows
    are checked against it for duplicates and references. It lives in SQLite (a file beside the
    staged rows, or memory for small reads), so a file of millions of rows does not hold its ids
    in Python's memory."""

    def __init__(self, path: Path | str = ":memory:") -> None:
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -8192;"
            "CREATE TABLE ids (entity TEXT, id TEXT, line INTEGER, admitted INTEGER,"
            " PRIMARY KEY (entity, id)) WITHOUT ROWID;"
            "BEGIN;"
        )
        self.entities: set[str] = set()  # entities whose ids are all here (references checked)

    def lookup(self, entity: str, key: str) -> tuple[int | None, bool] | None:
        """(line, admitted) of an id, None when it was never seen."""
        found = self._db.execute(
            "SELECT line, admitted FROM ids WHERE entity = ? AND id = ?", (entity, key)
        ).fetchone()
        return None if found is None else (found[0], bool(found[1]))

    def admit(self, entity: str, key: str, line: int | None) -> None:
        self._db.execute("INSERT OR REPLACE INTO ids VALUES (?, ?, ?, 1)", (entity, key, line))

    def reject(self, entity: str, key: str, line: int) -> None:
        """A quarantined row's id: its children are quarantined with where it went."""
        self._db.execute("INSERT OR IGNORE INTO ids VALUES (?, ?, ?, 0)", (entity, key, line))

    def add_landed(self, entity: str, keys: Iterable[str]) -> None:
        """Every id of an entity already landed (its rows are admitted)."""
        self.entities.add(entity)
        for key in keys:
            self.admit(entity, key, None)

    def close(self) -> None:
        self._db.close()


def reference_problem(index: IdIndex, parent: str, column: str, value: str) -> str:
    found = index.lookup(parent, value)
    if found is None:
        return f"unknown {column} {value!r}"
    line, admitted = found
    return "" if admitted else f"{column} {value!r} is quarantined ({parent}.csv line {line})"


def row_problem(
    entity: str, row: dict[str, Any], index: IdIndex, currencies: frozenset[str]
) -> str:
    """Why a row cannot load ('' when it can)."""
    key = TEMPLATES[entity][0]
    if not row[key]:
        return f"missing {key}"
    first = index.lookup(entity, row[key])
    if first is not None and first[1]:
        return f"duplicate {key} {row[key]!r} (first on line {first[0]})"
    for column, value in row.items():
        if value is None:
            continue
        problem = cell_problem(column, value, currencies)
        if problem:
            return f"{column} {value!r} {problem}"
        allowed = ENUMS.get((entity, column))
        if allowed and value.lower() not in allowed:
            return f"{column} {value!r} is not one of {sorted(allowed)}"
        parent = REFERENCES.get(column)
        if parent and column != key and parent in index.entities:
            problem = reference_problem(index, parent, column, value)
            if problem:
                return problem
    ends_first = entity == "campaigns" and (row["ends_on"] or "") < (row["starts_on"] or "")
    if ends_first and row["ends_on"]:
        return "ends_on is before starts_on"
    return ""


# --- reading a file --------------------------------------------------------------------------


def admit_rows(
    handle: IO[str], path: Path, entity: str, index: IdIndex, currencies: frozenset[str]
) -> Iterator[tuple[int, dict[str, Any], str]]:
    """(line, row, reason) for each row of a CRM CSV as it is read: reason '' when the row can
    load (empty cell -> None; a row of the wrong width is {"cells": [...]})."""
    columns = TEMPLATES[entity]
    key = columns[0]
    index.entities.add(entity)
    try:
        reader = csv.reader(handle, strict=True)
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != columns:
            raise CrmFileError(
                f"{path}: header {header!r} does not match the {entity} template {columns!r}"
            )
        for line_no, cells in enumerate(reader, start=2):
            if len(cells) != len(columns):
                yield (
                    line_no,
                    {"cells": cells},
                    f"expected {len(columns)} cells, found {len(cells)}",
                )
                continue
            row = {c: (v.strip() or None) for c, v in zip(columns, cells, strict=True)}
            reason = row_problem(entity, row, index, currencies)
            if not reason:
                index.admit(entity, row[key], line_no)
            elif row[key]:
                index.reject(entity, row[key], line_no)
            yield line_no, row, reason
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CrmFileError(f"{path}: cannot be parsed as CSV ({exc})") from exc


def open_crm_file(path: Path) -> IO[str]:
    return path.open(newline="", encoding="utf-8-sig")


def read_crm_file(
    path: Path,
    entity: str,
    known: dict[str, set[str]] | None = None,
    currencies: frozenset[str] | None = None,
) -> tuple[list[dict[str, Any]], list[RejectedRow]]:
    """Rows of a small CRM CSV that can load, and those that cannot, with why, in lists (the
    pipeline streams instead: `land_day`). `known`: the admitted ids of the files it references;
    `currencies`: those of the configured rates seed by default."""
    from irm.config import get_settings

    index = IdIndex()
    for parent, ids in (known or {}).items():
        index.add_landed(parent, ids)
    currencies = rate_currencies(get_settings()) if currencies is None else currencies
    rows: list[dict[str, Any]] = []
    rejected: list[RejectedRow] = []
    try:
        with open_crm_file(path) as handle:
            for line, row, reason in admit_rows(handle, path, entity, index, currencies):
                if reason:
                    rejected.append(RejectedRow(str(path), line, reason, row))
                else:
                    rows.append(row)
    finally:
        index.close()
    return rows, rejected


# --- a day: stage every file, then land -------------------------------------------------------


def land_day(day: date, settings: Settings) -> dict[str, Any]:
    """Land every CRM file in the inbox as the day's partitions, with its quarantine.

    The files are checked into a staging folder first; a broken file or a collapsed roster
    export fails here, naming the file, and nothing of the day lands. The partitions then land
    from the staging folder, which stays until they all have: a re-run after a kill finishes
    the day from it. Returns the manifests of the day's partitions."""
    folder = staging_dir(SOURCE, day, settings)
    if not (folder / STAGED).is_file():
        stage_day(day, settings, folder)
    return commit_day(day, settings, folder)


def stage_day(day: date, settings: Settings, target: Path) -> None:
    """Check every file of the inbox not landed yet into `target`, whole or not at all."""
    for leftover in target.parent.glob(f".{target.name}.tmp-*"):  # a killed staging's
        shutil.rmtree(leftover, ignore_errors=True)
    tmp = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.mkdir(parents=True)
    try:
        staged = _stage_files(day, settings, tmp)
        (tmp / STAGED).write_text(json.dumps(staged, indent=2))
        if target.exists():  # an incomplete leftover (no _staged.json)
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _stage_files(day: date, settings: Settings, folder: Path) -> dict[str, Any]:
    currencies = rate_currencies(settings)
    index = IdIndex(folder / IDS_DB)
    staged: dict[str, Any] = {}
    problems: list[str] = []
    try:
        with (folder / QUARANTINE_LINES).open("w", encoding="utf-8") as quarantine:
            for entity in ORDER:
                partition = Partition(settings.landing_dir, SOURCE, entity, day)
                path = settings.crm_inbox / f"{entity}.csv"
                if partition.exists():  # landed by an earlier run: its ids are the day's
                    index.add_landed(entity, (r["record_key"] for r in read_records(partition)))
                elif path.is_file():
                    try:
                        counts = stage_file(path, entity, index, currencies, folder, quarantine)
                    except CrmFileError as exc:
                        problems.append(str(exc))
                        continue
                    if entity == ROSTER_ENTITY:
                        problems.append(collapse_problem(path, counts, day, settings))
                    staged[entity] = {"file": path.name, **counts}
    finally:
        index.close()
        (folder / IDS_DB).unlink(missing_ok=True)
    problems = [p for p in problems if p]
    if problems:
        raise CrmFileError(f"{'; '.join(problems)} (this run landed nothing of {day})")
    return {"entities": staged, "quarantined": sum(s["rejected_rows"] for s in staged.values())}


def stage_file(
    path: Path,
    entity: str,
    index: IdIndex,
    currencies: frozenset[str],
    folder: Path,
    quarantine: IO[str],
) -> dict[str, int]:
    """Stream one file: admitted rows to `<entity>.jsonl` (landing lines), rejected rows to the
    quarantine lines. Returns how many of each."""
    key = TEMPLATES[entity][0]
    extracted_at = now_utc()
    counts = {"rows": 0, "rejected_rows": 0}
    staged = folder / f"{entity}.jsonl"
    with open_crm_file(path) as handle, staged.open("w", encoding="utf-8") as out:
        for line, row, reason in admit_rows(handle, path, entity, index, currencies):
            if reason:
                rejected = {"entity": entity, "reason": reason, "file": path.name, "line": line}
                quarantine.write(json.dumps({**rejected, "record": row}) + "\n")
                counts["rejected_rows"] += 1
            else:
                out.write(json.dumps(envelope(row[key], row, extracted_at)) + "\n")
                counts["rows"] += 1
    return counts


def collapse_problem(path: Path, counts: dict[str, int], day: date, settings: Settings) -> str:
    """Why a roster export looks collapsed ('' when it does not): no admitted row at all, or
    fewer than IRM_CRM_MIN_ROW_RATIO times the rows of the last creators partition landed
    before the day. Landing it would empty every platform's roster and quarantine every row
    that names a creator, for good."""
    admitted, rejected = counts["rows"], counts["rejected_rows"]
    earlier = [p for p in landed_rosters(settings) if p.dt < day]
    previous = earlier[-1].manifest()["record_count"] if earlier else 0
    ratio = settings.crm_min_row_ratio
    if admitted > 0 and admitted >= ratio * previous:
        return ""
    found = f"{path}: {admitted} admitted rows ({rejected} rejected)"
    fix = "drop the full export into the inbox and run the task again"
    if not earlier:
        return f"{found}: with no creator, every platform's roster would be empty; {fix}"
    return (
        f"{found} against {previous} on dt={earlier[-1].dt}, the last creators export landed: "
        f"fewer than IRM_CRM_MIN_ROW_RATIO = {ratio:g} times as many, so the export looks "
        f"collapsed; {fix} (if the roster really shrank that much, lower "
        "IRM_CRM_MIN_ROW_RATIO for this run)"
    )


def commit_day(day: date, settings: Settings, folder: Path) -> dict[str, Any]:
    """Land the staged day: its quarantine first, then each file's partition (those a killed
    run already landed are kept), then clear the staging folder."""
    staged = json.loads((folder / STAGED).read_text())
    manifests: dict[str, Any] = {}
    if staged["quarantined"]:
        lines = _read_lines(folder / QUARANTINE_LINES)
        manifests[QUARANTINE] = land_quarantine(SOURCE, day, settings, lines)
    for entity in ORDER:
        partition = Partition(settings.landing_dir, SOURCE, entity, day)
        if partition.exists():
            manifests[entity] = partition.manifest()
        elif entity in staged["entities"]:
            manifests[entity] = write_partition(
                partition,
                _read_lines(folder / f"{entity}.jsonl"),
                extra={k: v for k, v in staged["entities"][entity].items() if k != "rows"},
            )
    quarantine = Partition(settings.landing_dir, SOURCE, QUARANTINE, day)
    if QUARANTINE not in manifests and quarantine.exists():
        manifests[QUARANTINE] = quarantine.manifest()
    shutil.rmtree(folder)
    return manifests


def _read_lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


# --- the roster ------------------------------------------------------------------------------


def landed_rosters(settings: Settings) -> list[Partition]:
    """The landed creators partitions, oldest first."""
    return list_partitions(settings.landing_dir, SOURCE, ROSTER_ENTITY)


def latest_rows(settings: Settings, entity: str, on_or_before: date) -> list[dict[str, Any]]:
    """The rows of the newest landed partition of `entity` at or before the given day."""
    partitions = list_partitions(settings.landing_dir, SOURCE, entity)
    parts = [p for p in partitions if p.dt <= on_or_before]
    return [line["payload"] for line in read_records(parts[-1])] if parts else []


def roster(settings: Settings, day: date, column: str) -> list[str]:
    """The brand's accounts on one platform, from the CRM creators file (e.g. column
    `youtube_channel_id`), as the API wants them. A handle not of the platform's format (in a
    partition landed before handles were checked) is left out with a warning, never sent."""
    platform = PLATFORM_OF_COLUMN[column]
    accounts = set()
    for row in latest_rows(settings, ROSTER_ENTITY, day):
        handle = (row.get(column) or "").strip()
        if not handle:
            continue
        problem = handle_problem(platform, handle)
        if problem:
            creator = row.get("creator_id")
            log.warning("roster: %s %r of %s %s; not sent", column, handle, creator, problem)
            continue
        accounts.add(normalise_handle(platform, handle))
    return sorted(accounts)


def platform_roster(settings: Settings, day: date, platform: str) -> list[str]:
    """A platform's roster for the day's extract; an empty one raises EmptyRoster (the extract
    would land empty partitions, for good, and every account would look gone that day)."""
    column = ROSTER_COLUMNS[platform]
    accounts = roster(settings, day, column)
    if accounts:
        return accounts
    landed = [p for p in landed_rosters(settings) if p.dt <= day]
    where = (
        f"the newest creators partition (dt={landed[-1].dt}) lists no usable {column}"
        if landed
        else f"no creators export has landed on or before {day}"
    )
    raise EmptyRoster(
        f"{platform}: no account to extract for {day}: {where}. Extracting would land empty "
        f"partitions for good. Land the right creators.csv (the CRM task) and run again, or "
        f"remove the {CONNECTION_IDS[platform]} connection if the brand has no {platform} account"
    )


def youtube_channel_ids(settings: Settings, day: date) -> list[str]:
    return roster(settings, day, "youtube_channel_id")
