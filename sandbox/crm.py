"""The CRM exports the brand's team drops into an inbox folder (SPEC 3.2 templates).

`write_crm(world, inbox, day, bad_row_share)` writes all five files as of a day: the rows that
exist by then (campaigns listed, contracts signed, payments with their status and paid_on as of
the day, touchpoints that happened, with replies received by then). Dates are YYYY-MM-DD,
timestamps ISO 8601 in the manager's local offset, money a decimal in the row's currency,
booleans true/false, an empty cell is NULL.

With `bad_row_share` > 0, each file also gets that share of its rows (at least one) of every bad
kind that applies to it, inserted among the good rows: a row without its id (`missing_id`), one
naming a creator that does not exist (`unknown_creator`), a negative amount
(`negative_amount`), an impossible date or timestamp (`bad_date`), and an exact copy of an
earlier row (`duplicate`). Bad rows are extra rows with ids of their own (or a copy's), so the
good rows, and with them the world's ground truth, stay whole. `crm_export()` returns what would
be written, with the line (the header is line 1) and kind of every bad row.

Files are written under a temporary name and renamed into place, so a pipeline watching the
inbox never reads half a file. Each is stamped (its modification time) with the moment the
export of its day was made, `sandbox.clock.answer_time(day)` (just after the day ended), the
moment the sandbox's platforms date their answers for that clock day: the pipeline takes a CRM
file as a data interval's export only when that time is inside the interval's window.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from sandbox import vocab
from sandbox.business import money
from sandbox.clock import answer_time
from sandbox.world import DAY_S, World

_CRM_ROWS = 120  # stream kind of the bad rows

# The five templates of SPEC 3.2, as the header line each export starts with.
HEADER_LINES = {
    "creators": "creator_id,display_name,email,manager,status,country,niche,youtube_channel_id,"
    "instagram_username,tiktok_username,partnered_on",
    "campaigns": "campaign_id,name,brand,brand_handle,starts_on,ends_on,budget,currency,objective,"
    "tracking_hashtag",
    "contracts": "contract_id,campaign_id,creator_id,fee,product_cost,currency,deliverables,due_on,"
    "promo_code,exclusive,signed_on,commission_rate,utm_campaign,utm_content",
    "payments": "payment_id,contract_id,amount,currency,due_on,paid_on,status,purpose",
    "touchpoints": "touchpoint_id,creator_id,occurred_at,channel,direction,responded_at",
}
TEMPLATES: dict[str, tuple[str, ...]] = {
    entity: tuple(line.split(",")) for entity, line in HEADER_LINES.items()
}
# The optional columns of the second wave (SPEC 3.2; a payment's purpose: dbt_project/
# README.md, "Commission contracts"): an export made before them (`second_wave=False`) lacks
# them, as a brand's older files do, and lists no commission payout.
LINK_COLUMNS = ("utm_campaign", "utm_content")
SECOND_WAVE_COLUMNS = {"contracts": ("commission_rate", *LINK_COLUMNS), "payments": ("purpose",)}
CREATORS_COLUMNS = TEMPLATES["creators"]

BAD_ROW_KINDS = ("missing_id", "unknown_creator", "negative_amount", "bad_date", "duplicate")
# The kinds that make sense per file, and the column each one spoils.
_AMOUNT_COLUMN = {"campaigns": "budget", "contracts": "fee", "payments": "amount"}
_DATE_COLUMN = {
    "creators": "partnered_on",
    "campaigns": "starts_on",
    "contracts": "due_on",
    "payments": "due_on",
    "touchpoints": "occurred_at",
}
_BAD_DATES = ("2026-02-30", "31/01/2026", "2026-13-01", "next friday")
_BAD_TIMESTAMPS = ("2026-02-30T10:00:00+00:00", "2026-01-05 25:61", "yesterday 3pm")

Row = dict[str, str]


@dataclass(frozen=True)
class CrmFile:
    name: str  # e.g. "contracts.csv"
    columns: tuple[str, ...]
    rows: list[Row]  # in file order, bad rows included
    good_rows: int
    rejects: list[dict[str, object]]  # {"file", "line", "kind"}


def applicable_kinds(entity: str) -> tuple[str, ...]:
    columns = TEMPLATES[entity]
    kinds = ["missing_id"]
    if "creator_id" in columns[1:]:
        kinds.append("unknown_creator")
    if entity in _AMOUNT_COLUMN:
        kinds.append("negative_amount")
    kinds += ["bad_date", "duplicate"]
    return tuple(kinds)


# ---- rows as of a day -------------------------------------------------------------------------


def _iso(world: World, day_index: int | None) -> str:
    return "" if day_index is None else (world.start_date + timedelta(days=day_index)).isoformat()


def _day_index(world: World, day: date | None) -> int:
    return world.days - 1 if day is None else world.day_index(day)


def creator_rows(world: World, day: date | None = None) -> list[Row]:
    """One row per creator; an empty string is an empty cell, i.e. NULL. (Every creator is on
    the roster from before the world's first day, so `day` changes nothing.)"""
    del day
    rows = []
    for creator in world.creators:
        ids = {p: world.account_of(creator, p) for p in ("youtube", "instagram", "tiktok")}
        rows.append(
            {
                "creator_id": creator.creator_id,
                "display_name": creator.display_name,
                "email": creator.email,
                "manager": creator.manager,
                "status": creator.status,
                "country": creator.country,
                "niche": creator.niche,
                "youtube_channel_id": ids["youtube"].platform_id if ids["youtube"] else "",
                "instagram_username": ids["instagram"].handle if ids["instagram"] else "",
                "tiktok_username": ids["tiktok"].handle if ids["tiktok"] else "",
                "partnered_on": creator.partnered_on.isoformat() if creator.partnered_on else "",
            }
        )
    return rows


def campaign_rows(world: World, day: date | None = None) -> list[Row]:
    d = _day_index(world, day)
    return [
        {
            "campaign_id": c.campaign_id,
            "name": c.name,
            "brand": c.brand,
            "brand_handle": c.brand_handle,
            "starts_on": _iso(world, c.starts_day),
            "ends_on": _iso(world, c.ends_day),
            "budget": money(c.budget_cents),
            "currency": c.currency,
            "objective": c.objective,
            "tracking_hashtag": c.tracking_hashtag,
        }
        for c in world.business.campaigns
        if c.listed_day <= d
    ]


def contract_rows(world: World, day: date | None = None) -> list[Row]:
    d = _day_index(world, day)
    business = world.business
    return [
        {
            "contract_id": c.contract_id,
            "campaign_id": business.campaigns[c.campaign_index].campaign_id,
            "creator_id": world.creators[c.creator_index].creator_id,
            "fee": money(c.fee_cents),
            "product_cost": money(c.product_cost_cents),
            "currency": c.currency,
            "deliverables": str(c.deliverables),
            "due_on": _iso(world, c.due_day),
            "promo_code": c.promo_code,
            "exclusive": "true" if c.exclusive else "false",
            "signed_on": _iso(world, c.signed_day),
            "commission_rate": c.commission_rate,
            **dict(zip(LINK_COLUMNS, business.utm_of(c), strict=True)),
        }
        for c in business.contracts
        if c.signed_day <= d
    ]


def payment_rows(world: World, day: date | None = None) -> list[Row]:
    d = _day_index(world, day)
    business = world.business
    return [
        {
            "payment_id": p.payment_id,
            "contract_id": business.contracts[p.contract_index].contract_id,
            "amount": money(p.amount_cents),
            "currency": p.currency,
            "due_on": _iso(world, p.due_day),
            "paid_on": _iso(world, p.paid_on(d)),
            "status": p.status_on(d),
            "purpose": p.purpose,
        }
        for p in business.all_payments
        if p.listed_day <= d
    ]


def local_timestamp(world: World, seconds: int, offset: str) -> str:
    """An instant (seconds since start_date 00:00 UTC) as ISO 8601 in a fixed UTC offset."""
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = (int(x) for x in offset[1:].split(":"))
    local = world.published_at(seconds) + sign * timedelta(hours=hours, minutes=minutes)
    return local.strftime("%Y-%m-%dT%H:%M:%S") + offset


def touchpoint_rows(world: World, day: date | None = None) -> list[Row]:
    end = (_day_index(world, day) + 1) * DAY_S
    rows = []
    for t in world.business.touchpoints:
        if t.occurred_s >= end:
            continue
        creator = world.creators[t.creator_index]
        offset = vocab.MANAGER_UTC_OFFSETS.get(creator.manager, "+00:00")
        responded = t.responded_s is not None and t.responded_s < end
        rows.append(
            {
                "touchpoint_id": t.touchpoint_id,
                "creator_id": creator.creator_id,
                "occurred_at": local_timestamp(world, t.occurred_s, offset),
                "channel": t.channel,
                "direction": t.direction,
                "responded_at": local_timestamp(world, t.responded_s, offset) if responded else "",
            }
        )
    return rows


ROWS = {
    "creators": creator_rows,
    "campaigns": campaign_rows,
    "contracts": contract_rows,
    "payments": payment_rows,
    "touchpoints": touchpoint_rows,
}


# ---- bad rows ---------------------------------------------------------------------------------


def _bad_row(entity: str, kind: str, source: Row, n: int, rng: np.random.Generator) -> Row:
    columns = TEMPLATES[entity]
    key = columns[0]
    row = dict(source)
    if kind == "duplicate":
        return row
    prefix = source[key].split("_", 1)[0]
    row[key] = f"{prefix}_bad{n:04d}"
    if kind == "missing_id":
        row[key] = ""
    elif kind == "unknown_creator":
        row["creator_id"] = f"cr_x{n:04d}"
    elif kind == "negative_amount":
        column = _AMOUNT_COLUMN[entity]
        row[column] = "-" + (row[column] if row[column].strip("0.") else "1.00")
    elif kind == "bad_date":
        column = _DATE_COLUMN[entity]
        choices = _BAD_TIMESTAMPS if column == "occurred_at" else _BAD_DATES
        row[column] = choices[int(rng.integers(len(choices)))]
    return row


def with_bad_rows(
    entity: str, rows: list[Row], share: float, rng: np.random.Generator
) -> tuple[list[Row], list[tuple[int, str]]]:
    """The rows with bad ones inserted, and (line, kind) of each bad row (header = line 1)."""
    if share <= 0 or not rows:
        return rows, []
    placed: list[tuple[float, int, Row, str | None]] = [
        (float(i), 0, row, None) for i, row in enumerate(rows)
    ]
    n = 0
    for kind in applicable_kinds(entity):
        for _ in range(max(1, round(share * len(rows)))):
            n += 1
            source = int(rng.integers(len(rows)))
            # A copy comes after its original (the extractor keeps the first); the others
            # anywhere in the file.
            if kind == "duplicate":
                position = source + 0.5
            else:
                position = float(rng.uniform(-0.5, len(rows) - 0.5))
            placed.append((position, n, _bad_row(entity, kind, rows[source], n, rng), kind))
    placed.sort(key=lambda p: (p[0], p[1]))
    out = [row for _, _, row, _ in placed]
    rejects = [(line, kind) for line, (_, _, _, kind) in enumerate(placed, start=2) if kind]
    return out, rejects


def crm_export(
    world: World, day: date | None = None, bad_row_share: float = 0.0, second_wave: bool = True
) -> dict[str, CrmFile]:
    """What `write_crm` writes for the day: each file's rows and bad rows; without
    `second_wave`, the files of the older templates (no optional columns, no commission
    payouts)."""
    d = _day_index(world, day)
    files = {}
    for number, entity in enumerate(TEMPLATES):
        newer = () if second_wave else SECOND_WAVE_COLUMNS.get(entity, ())
        columns = tuple(c for c in TEMPLATES[entity] if c not in newer)
        good = ROWS[entity](world, world.start_date + timedelta(days=d))
        if not second_wave:
            good = [
                {c: row[c] for c in columns} for row in good if row.get("purpose") != "commission"
            ]
        rng = world.rng(_CRM_ROWS, number, d)
        rows, bad = with_bad_rows(entity, good, bad_row_share, rng)
        name = f"{entity}.csv"
        rejects: list[dict[str, object]] = [
            {"file": name, "line": line, "kind": kind} for line, kind in bad
        ]
        files[entity] = CrmFile(name, columns, rows, len(good), rejects)
    return files


# ---- files ------------------------------------------------------------------------------------


def write_csv(
    path: Path, columns: tuple[str, ...], rows: list[Row], export_day: date | None = None
) -> Path:
    """A CSV renamed into place whole; with `export_day`, stamped as that day's export before
    it appears (`stamp_export_time`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    if export_day is not None:
        stamp_export_time(tmp, export_day)
    os.replace(tmp, path)
    return path


def stamp_export_time(path: Path, day: date) -> Path:
    """Give a CRM file the modification time of the export of `day` (`answer_time(day)`), as
    if the team had exported it just after that day ended."""
    moment = answer_time(day).timestamp()
    os.utime(path, (moment, moment))
    return path


def stamp_inbox(inbox: str | Path, day: date) -> list[Path]:
    """Stamp every CSV file of `inbox` as the export of `day` (files written by hand, as a
    team would after editing an export)."""
    return [stamp_export_time(path, day) for path in sorted(Path(inbox).glob("*.csv"))]


def write_export(files: Iterable[CrmFile], inbox: str | Path, day: date) -> list[Path]:
    """Write CRM files into `inbox` as the export of `day`: stamped with its export time."""
    return [write_csv(Path(inbox) / f.name, f.columns, f.rows, day) for f in files]


def write_creators_csv(world: World, inbox: str | Path, day: date | None = None) -> Path:
    """creators.csv alone, as the export of `day` (default: the world's last day)."""
    rows = creator_rows(world, day)
    return write_csv(Path(inbox) / "creators.csv", CREATORS_COLUMNS, rows, day or world.end_date)


def write_crm(
    world: World,
    inbox: str | Path,
    day: date | None = None,
    bad_row_share: float = 0.0,
    second_wave: bool = True,
) -> list[Path]:
    """Every CRM export of the world as of `day` (default: its last day) into `inbox`, stamped
    with that day's export time; returns the files written, in the order a pipeline must read
    them (each references the earlier). `second_wave=False`: the older templates (crm_export)."""
    files = crm_export(world, day, bad_row_share, second_wave).values()
    return write_export(files, inbox, day or world.end_date)
