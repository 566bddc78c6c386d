"""The CRM exports the brand's team drops into an inbox folder (SPEC 3.2 templates).

Files are written under a temporary name and renamed into place, so a pipeline watching the
inbox never reads half a file. Only creators.csv exists so far; campaigns, contracts, payments
and touchpoints join `write_crm` as the world grows them.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from sandbox.world import World

CREATORS_COLUMNS = (
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
)


def creator_rows(world: World) -> list[dict[str, str]]:
    """One row per creator; an empty string is an empty cell, i.e. NULL."""
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


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)
    return path


def write_creators_csv(world: World, inbox: str | Path) -> Path:
    return write_csv(Path(inbox) / "creators.csv", CREATORS_COLUMNS, creator_rows(world))


def write_crm(world: World, inbox: str | Path) -> list[Path]:
    """Every CRM export of the world into `inbox`; returns the files written."""
    return [write_creators_csv(world, inbox)]
