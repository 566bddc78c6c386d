"""CRM exports: CSV files the brand's team drops into the inbox folder (SPEC §3.2), admitted
and landed, and the roster each platform's extract reads from them.

Each file lands as one partition per day, and because landing is permanent, admission is
strict (SPEC §4):

- Every row is checked on its own: a row with a missing id, an unknown or quarantined creator,
  campaign or contract, a negative amount, a bad date, timestamp or enum value, a currency that
  is not in the rates seed (`dbt_project/seeds/currency_rates.csv`), a platform handle not of the
  platform's format (it would alter the API request it goes into), or an id already seen goes
  to quarantine with the file, line and reason; the rest land (cells as text, empty = NULL, for
  staging to type).
- A day is admitted whole or not at all: the day's file of each template is read and checked
  into a staging folder first, and only then do the day's quarantine and partitions land from
  it. A file that cannot be read as its template, or a roster export that collapsed (a creators
  file with no admitted row, or with fewer than `IRM_CRM_MIN_ROW_RATIO` (0.5) times the rows of
  the last landed day), fails the task naming the file, and nothing of that day lands: a
  corrected file, dropped again, lands the day.
- A file is a day's export only when it was exported inside the data interval's window, the
  one platform answers are held to (extractors/window.py `interval_window`): after the day is
  over, at most IRM_EXTRACT_MAX_LAG_HOURS (48) later. Its export time is the date in its name
  when the team puts one there, `<entity>_YYYY-MM-DD.csv` (or `.`/`-` before the date; a date
  is a day: the name fits when it is one of the window's days), else its modification time. So
  the inbox may hold several days' exports: each day takes, per file, the earliest export
  inside its window (the one nearest the day's end). When every file of an entity is outside
  it (today's files and a past day, yesterday's file and a run that starts before the new one
  is dropped), the task fails naming the files, their export times and the window, and nothing
  of the day lands: another day's export would be filed as that day's CRM state, for good.
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
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from core.config import Settings, get_settings
from core.landing import (
    Partition,
    envelope,
    list_partitions,
    now_utc,
    read_records,
    write_partition,
)
from extractors import EXTRACTOR_VERSION
from extractors.base import QUARANTINE, land_quarantine, staging_dir
from extractors.errors import IntervalNotOver, IntervalPassed
from extractors.window import AnswerWindow, interval_window

if TYPE_CHECKING:
    from extractors.handles import HandleFormat
    from extractors.spec import RosterSpec, SourceSpec

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
# Columns a file may carry after its template (SPEC 3.2, second wave), in any order: files
# without them stay valid, and their rows land without them (NULL downstream). No other column
# may follow: a misspelt or unknown one is refused with the file, since its values would be
# silently dropped. A contract's `commission_rate` makes it performance-based (SPEC 5.2); a
# payment's `purpose` says what it pays: the fee (the default, and what an older file's rows
# pay) or the commission (the spec lists no such column: dbt_project/README.md, "Commission
# contracts").
OPTIONAL: dict[str, tuple[str, ...]] = {
    "contracts": ("commission_rate", "utm_campaign", "utm_content"),
    "payments": ("purpose",),
}
# Files reference earlier ones, so they are read in this order.
ORDER = ("creators", "campaigns", "contracts", "payments", "touchpoints")
# The file that lists the roster: a collapse of it is refused (see `collapse_problem`).
ROSTER_ENTITY = "creators"

# Column kinds: admission checks each cell by them, and the landing schema (schema.py) types
# the landed rows by the same sets.
ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("creators", "status"): ("prospect", "active", "paused", "ended"),
    ("campaigns", "objective"): ("awareness", "consideration", "conversion"),
    ("payments", "status"): ("scheduled", "paid", "failed", "cancelled"),
    ("touchpoints", "channel"): ("email", "dm", "call", "meeting"),
    ("touchpoints", "direction"): ("outbound", "inbound"),
    ("payments", "purpose"): ("fee", "commission"),
}
DATES = {"partnered_on", "starts_on", "ends_on", "due_on", "signed_on", "paid_on"}
TIMESTAMPS = {"occurred_at", "responded_at"}
AMOUNTS = {"budget", "fee", "product_cost", "amount"}
FRACTIONS = {"commission_rate"}  # 0..1: a rate of 10 % is written 0.1 (SPEC 5.1)
# A tracked link's parameters are compared with the link's query as written (SPEC 5.2; the
# marts do not percent-decode): a value with a character a link cannot carry as it is (a space
# or another control or non-ASCII character is percent-encoded there; &, # and = end the value)
# would never match, and the contract's orders would be lost to link attribution without a word.
URL_VALUES = {"utm_campaign", "utm_content"}
_URL_VALUE = re.compile(r"[!-~]+")  # printable ASCII, no space
_URL_DELIMITERS = set("&#=")
BOOLEANS = {"exclusive"}
REFERENCES = {"creator_id": "creators", "campaign_id": "campaigns", "contract_id": "contracts"}
CURRENCY = r"^[A-Z]{3}$"  # ISO 4217
COUNTRY = r"^[A-Z]{2}$"  # ISO 3166-1 alpha-2
_CURRENCY = re.compile(CURRENCY)
_COUNTRY = re.compile(COUNTRY)
# The rates seed the marts convert money with: a currency it lacks cannot be reported.
RATES_SEED = Path("seeds") / "currency_rates.csv"

STAGED = "_staged.json"  # written last: a staging folder without it is a crash's leftover
QUARANTINE_LINES = "quarantine.jsonl"
IDS_DB = "ids.sqlite"
# A file named with the day the team exported it: `creators_2026-03-03.csv` (or `.`, `-`).
_DATED_NAME = re.compile(r"(?P<entity>[a-z]+)[._-](?P<day>\d{4}-\d{2}-\d{2})\.csv")


class CrmFileError(ValueError):
    """A CRM file that cannot be read as its template, or a roster export that collapsed."""


class CrmExportOutsideWindow(CrmFileError):
    """CRM files exported outside the data interval's window: another day's export."""


class EmptyRoster(ValueError):
    """A platform's roster lists no account: extracting it would land empty partitions."""


@dataclass(frozen=True)
class RejectedRow:
    file: str
    line: int
    reason: str
    record: dict[str, Any]


# --- values ----------------------------------------------------------------------------------


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


def _is_fraction(value: str) -> bool:
    try:
        return 0 <= Decimal(value) <= 1
    except InvalidOperation:
        return False


@dataclass(frozen=True)
class CellRules:
    """What cells are checked against beyond their column's kind: the currencies of the rates
    seed, and the handle format of each creators column that lists a platform's accounts."""

    currencies: frozenset[str]
    handles: Mapping[str, HandleFormat]


def roster_handles() -> dict[str, HandleFormat]:
    """Each roster column (a source's `RosterSpec`, extractors/registry.py) and its handle
    format: a handle CRM admission lets through is one the extract may send."""
    # Imported here: the registry lists this package among the sources.
    from extractors import registry

    return {s.roster.column: s.roster.handle for s in registry.SOURCES if s.roster is not None}


def cell_rules(settings: Settings, currencies: frozenset[str] | None = None) -> CellRules:
    currencies = rate_currencies(settings) if currencies is None else currencies
    return CellRules(currencies, roster_handles())


def cell_problem(column: str, value: str, rules: CellRules) -> str:
    """Why one cell's value is not of its column's kind ('' when it is)."""
    if column in DATES and not _is_date(value):
        return "is not a YYYY-MM-DD date"
    if column in TIMESTAMPS and not _is_timestamp(value):
        return "is not an ISO 8601 timestamp with an offset"
    if column in AMOUNTS and not _is_amount(value):
        return "is not a non-negative amount"
    if column in FRACTIONS and not _is_fraction(value):
        return "is not a fraction from 0 to 1 (a rate of 10 % is written 0.1)"
    if column == "currency" and not _CURRENCY.match(value):
        return "is not an ISO 4217 currency code"
    if column == "currency" and value not in rules.currencies:
        return f"is not a currency of the rates seed ({RATES_SEED.name}), so it cannot be reported"
    if column == "country" and not _COUNTRY.match(value):
        return "is not an ISO 3166-1 alpha-2 country code"
    if column in BOOLEANS and value not in ("true", "false"):
        return "is not true or false"
    if column in URL_VALUES and (not _URL_VALUE.fullmatch(value) or _URL_DELIMITERS & set(value)):
        return (
            "is not as a link's query carries it (a space or non-ASCII character is"
            " percent-encoded there, and &, # or = ends the value): write it as it stands in"
            " the link, e.g. spring%20launch"
        )
    handle = rules.handles.get(column)
    return handle.problem(value) if handle is not None else ""


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


def row_problem(entity: str, row: dict[str, Any], index: IdIndex, rules: CellRules) -> str:
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
        problem = cell_problem(column, value, rules)
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
    handle: IO[str], path: Path, entity: str, index: IdIndex, rules: CellRules
) -> Iterator[tuple[int, dict[str, Any], str]]:
    """(line, row, reason) for each row of a CRM CSV as it is read: reason '' when the row can
    load (empty cell -> None; a row of the wrong width is {"cells": [...]})."""
    key = TEMPLATES[entity][0]
    index.entities.add(entity)
    try:
        reader = csv.reader(handle, strict=True)
        columns = file_columns(entity, next(reader, None), path)
        for line_no, cells in enumerate(reader, start=2):
            if len(cells) != len(columns):
                yield (
                    line_no,
                    {"cells": cells},
                    f"expected {len(columns)} cells, found {len(cells)}",
                )
                continue
            row = {c: (v.strip() or None) for c, v in zip(columns, cells, strict=True)}
            reason = row_problem(entity, row, index, rules)
            if not reason:
                index.admit(entity, row[key], line_no)
            elif row[key]:
                index.reject(entity, row[key], line_no)
            yield line_no, row, reason
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CrmFileError(f"{path}: cannot be parsed as CSV ({exc})") from exc


def file_columns(entity: str, header: list[str] | None, path: Path) -> tuple[str, ...]:
    """The columns of a file: its entity's template, then any of its OPTIONAL columns, each at
    most once. Anything else is refused (CrmFileError naming the file and both headers)."""
    template, optional = TEMPLATES[entity], OPTIONAL.get(entity, ())
    names = tuple(h.strip() for h in header or ())
    extra = names[len(template) :]
    if names[: len(template)] == template and len(set(extra)) == len(extra) <= len(optional):
        unknown = [name for name in extra if name not in optional]
        if not unknown:
            return names
    allowed = f", optionally followed by {optional!r}" if optional else ""
    raise CrmFileError(
        f"{path}: header {header!r} does not match the {entity} template {template!r}{allowed}"
    )


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
    index = IdIndex()
    for parent, ids in (known or {}).items():
        index.add_landed(parent, ids)
    rules = cell_rules(get_settings(), currencies)
    rows: list[dict[str, Any]] = []
    rejected: list[RejectedRow] = []
    try:
        with open_crm_file(path) as handle:
            for line, row, reason in admit_rows(handle, path, entity, index, rules):
                if reason:
                    rejected.append(RejectedRow(str(path), line, reason, row))
                else:
                    rows.append(row)
    finally:
        index.close()
    return rows, rejected


# --- the inbox: which file is the day's export ------------------------------------------------


@dataclass(frozen=True)
class Export:
    """A file of the inbox and when the team exported it (UTC): the date in its name (that
    day's midnight), or else its modification time."""

    path: Path
    exported_at: datetime
    named: bool  # the time is the date in the file's name

    def describe(self) -> str:
        if self.named:
            return f"exported {self.exported_at:%Y-%m-%d} (the date in its name)"
        return f"exported {self.exported_at:%Y-%m-%d %H:%M} UTC (its modification time)"


def inbox_exports(inbox: Path, entity: str) -> list[Export]:
    """The inbox's files of an entity: `<entity>.csv` and `<entity>_YYYY-MM-DD.csv`."""
    exports = []
    undated = inbox / f"{entity}.csv"
    if undated.is_file():
        modified = datetime.fromtimestamp(undated.stat().st_mtime, UTC)
        exports.append(Export(undated, modified, named=False))
    for path in sorted(inbox.glob(f"{entity}?*.csv")):
        found = _DATED_NAME.fullmatch(path.name)
        if found is None or found["entity"] != entity or not path.is_file():
            continue
        try:
            day = date.fromisoformat(found["day"])
        except ValueError as exc:
            raise CrmFileError(
                f"{path}: {found['day']!r} in its name is not a date ({exc}); name the file "
                f"{entity}_YYYY-MM-DD.csv with the day it was exported (nothing was landed)"
            ) from exc
        exports.append(Export(path, datetime.combine(day, time.min, tzinfo=UTC), named=True))
    return exports


def window_problem(export: Export, window: AnswerWindow) -> str:
    """Why a file is not the interval's export ('' when it is), by the check platform answers
    get. A named day is taken at its midnight, so it fits when it is one of the window's days."""
    try:
        window.check(str(export.path), export.exported_at)
    except IntervalNotOver:
        return "before the day was over: an earlier day's export"
    except IntervalPassed:
        return "after the window: a later day's export"
    return ""


def day_exports(day: date, settings: Settings) -> dict[str, Export]:
    """The file of each entity not landed yet that is the day's export: of the entity's files,
    the earliest exported inside the interval's window (nearest the day's end). An entity with
    files but none inside it fails the day, naming them (CrmExportOutsideWindow); an entity
    without a file lands nothing that day."""
    lag = settings.extract_max_lag_hours
    window = interval_window(day, settings.refresh_window_days, lag).answer_window
    chosen: dict[str, Export] = {}
    refused: list[str] = []
    for entity in ORDER:
        if Partition(settings.landing_dir, SOURCE, entity, day).exists():
            continue  # landed by an earlier run
        exports = inbox_exports(settings.crm_inbox, entity)
        problems = {e: window_problem(e, window) if window else "" for e in exports}
        inside = [e for e in exports if not problems[e]]
        if inside:
            chosen[entity] = min(inside, key=lambda e: (e.exported_at, e.path.name))
        refused += [f"{e.path}: {e.describe()}, {problems[e]}" for e in exports if not inside]
    if refused and window is not None:
        raise CrmExportOutsideWindow(
            f"{'; '.join(refused)}. The CRM exports of dt={day} are those exported from "
            f"{window.interval_end:%Y-%m-%d %H:%M} to {window.deadline:%Y-%m-%d %H:%M} UTC (once "
            f"the day is over, at most IRM_EXTRACT_MAX_LAG_HOURS = {lag:g} hours later), as "
            f"platform answers are: another day's export would be landed as dt={day}'s CRM "
            f"state, for good. Nothing of dt={day} landed. Drop the day's export (modified in "
            f"that window, or named with the day it was exported, e.g. "
            f"creators_{window.interval_end:%Y-%m-%d}.csv) and run the task again; a day whose "
            "export was not kept stays a gap (rosters answer from the last day landed)."
        )
    return chosen


# --- a day: stage every file, then land -------------------------------------------------------


def land_day(day: date, settings: Settings) -> dict[str, Any]:
    """Land the day's CRM export of each file in the inbox as the day's partitions, with its
    quarantine.

    The files are checked into a staging folder first; another day's export (exported outside
    the interval's window), a broken file or a collapsed roster export fails here, naming the
    file, and nothing of the day lands. The partitions then land
    from the staging folder, which stays until they all have: a re-run after a kill finishes
    the day from it. Returns the manifests of the day's partitions."""
    folder = staging_dir(SOURCE, day, settings)
    if not (folder / STAGED).is_file():
        stage_day(day, settings, folder)
    return commit_day(day, settings, folder)


def stage_day(day: date, settings: Settings, target: Path) -> None:
    """Check the day's export of each file not landed yet (`day_exports`) into `target`, whole
    or not at all."""
    for leftover in target.parent.glob(f".{target.name}.tmp-*"):  # a killed staging's
        shutil.rmtree(leftover, ignore_errors=True)
    exports = day_exports(day, settings)  # another day's files are refused before any is read
    tmp = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.mkdir(parents=True)
    try:
        staged = _stage_files(day, settings, tmp, exports)
        (tmp / STAGED).write_text(json.dumps(staged, indent=2))
        if target.exists():  # an incomplete leftover (no _staged.json)
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _stage_files(
    day: date, settings: Settings, folder: Path, exports: dict[str, Export]
) -> dict[str, Any]:
    rules = cell_rules(settings)
    index = IdIndex(folder / IDS_DB)
    staged: dict[str, Any] = {}
    problems: list[str] = []
    try:
        with (folder / QUARANTINE_LINES).open("w", encoding="utf-8") as quarantine:
            for entity in ORDER:
                partition = Partition(settings.landing_dir, SOURCE, entity, day)
                if partition.exists():  # landed by an earlier run: its ids are the day's
                    index.add_landed(entity, (r["record_key"] for r in read_records(partition)))
                elif entity in exports:
                    path = exports[entity].path
                    try:
                        counts = stage_file(path, entity, index, rules, folder, quarantine)
                    except CrmFileError as exc:
                        problems.append(str(exc))
                        continue
                    if entity == ROSTER_ENTITY:
                        problems.append(collapse_problem(path, counts, day, settings))
                    exported_at = exports[entity].exported_at.isoformat()
                    staged[entity] = {"file": path.name, "exported_at": exported_at, **counts}
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
    rules: CellRules,
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
        for line, row, reason in admit_rows(handle, path, entity, index, rules):
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
                extractor_version=EXTRACTOR_VERSION,
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


def roster(settings: Settings, day: date, accounts: RosterSpec) -> list[str]:
    """The brand's accounts on one platform, from the CRM creators file's column that lists
    them (`accounts.column`, e.g. `youtube_channel_id`), as the API wants them. A handle not of
    the platform's format (in a partition landed before handles were checked) is left out with
    a warning, never sent."""
    column, handle_format = accounts.column, accounts.handle
    found = set()
    for row in latest_rows(settings, ROSTER_ENTITY, day):
        handle = (row.get(column) or "").strip()
        if not handle:
            continue
        problem = handle_format.problem(handle)
        if problem:
            creator = row.get("creator_id")
            log.warning("roster: %s %r of %s %s; not sent", column, handle, creator, problem)
            continue
        found.add(handle_format.normalise(handle))
    return sorted(found)


def platform_roster(settings: Settings, day: date, source: SourceSpec) -> list[str]:
    """A source's roster for the day's extract; an empty one raises EmptyRoster (the extract
    would land empty partitions, for good, and every account would look gone that day)."""
    if source.roster is None or source.connection is None:
        raise ValueError(f"{source.name} has no roster")
    accounts = roster(settings, day, source.roster)
    if accounts:
        return accounts
    column, platform = source.roster.column, source.name
    landed = [p for p in landed_rosters(settings) if p.dt <= day]
    where = (
        f"the newest creators partition (dt={landed[-1].dt}) lists no usable {column}"
        if landed
        else f"no creators export has landed on or before {day}"
    )
    raise EmptyRoster(
        f"{platform}: no account to extract for {day}: {where}. Extracting would land empty "
        f"partitions for good. Land the right creators.csv (the CRM task) and run again, or "
        f"remove the {source.connection.id} connection if the brand has no {platform} account"
    )
