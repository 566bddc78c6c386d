"""Operator commands on the landing zone: `irm landing set-aside` (SPEC §4: a partition that
must be withdrawn is set aside by an audited command, never deleted or edited in place).

Setting a partition aside
1. takes its rows (that source/entity on that day) and its ledger entry out of the configured
   warehouse's `raw` schema, in one transaction (warehouse.load.partitions_removed);
2. moves its folder, unchanged, to `<landing>/_set_aside/<source>/<entity>/dt=<day>--<UTC>/`
   with `_set_aside.json` (when, by whom, why, the manifest's checksum and record count, where
   it was), and appends the same record to `<landing>/_set_aside/audit.jsonl`.
The day's folder is then free: the next landing of that day writes it again and the next load
picks it up (its ledger entry is gone).

What goes together: a CRM day is admitted as a whole (contracts are checked against that day's
creators, payments against its contracts, and one quarantine holds the rejected rows of all
five files), so naming any CRM entity sets aside every CRM partition of that day. A platform
entity is set aside alone; `--entity all` takes every entity of the source that day.

The rows leave `raw` before the folders move: if the command dies in between, the partitions are
still in place and not in the ledger, so the next load restores the state before the command,
and the command can be run again. On DuckDB the warehouse stays locked until the folders have
moved, so no load runs in between.
"""

from __future__ import annotations

import getpass
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from core import landing
from core.config import Settings, get_settings
from core.landing import Partition
from warehouse.load import RAW_ENTITIES, partitions_removed

log = logging.getLogger(__name__)

ALL_ENTITIES = "all"
# Sources whose day is admitted as a whole: any of its entities takes the whole day.
WHOLE_DAY_SOURCES = ("crm",)


class SetAsideRefused(ValueError):
    """The command was not given what it needs (a reason, a known entity, a landed day)."""


@dataclass(frozen=True)
class SetAsidePartition:
    partition: str  # "<source>/<entity>/dt=<day>"
    moved_to: Path
    raw_rows_removed: int


@dataclass(frozen=True)
class SetAsideResult:
    partitions: list[SetAsidePartition]
    audit_log: Path


def set_aside(
    source: str,
    entity: str,
    day: date,
    reason: str,
    *,
    by: str | None = None,
    settings: Settings | None = None,
) -> SetAsideResult:
    """Set aside `source/entity` of `day` (see the module doc for what goes together)."""
    settings = settings or get_settings()
    if not reason.strip():
        raise SetAsideRefused("a reason is required (--reason): it goes into the audit record")
    parts = partitions_to_set_aside(settings.landing_dir, source, entity, day)
    who = by or operator()
    together = [_name(p) for p in parts]
    records = {p: _record(p, reason.strip(), who, together) for p in parts}  # before moving
    done = []
    with partitions_removed(parts, settings) as removed:
        for part in parts:
            record = {**records[part], "raw_rows_removed": removed[part]}
            moved_to = landing.set_aside(part, record)
            log.warning("set aside %s -> %s (%s, by %s)", _name(part), moved_to, reason, who)
            done.append(SetAsidePartition(_name(part), moved_to, removed[part]))
    audit_log = settings.landing_dir / landing.SET_ASIDE_DIR / landing.SET_ASIDE_LOG
    return SetAsideResult(done, audit_log)


def partitions_to_set_aside(root: Path, source: str, entity: str, day: date) -> list[Partition]:
    """The landed folders of `day` the command takes, or SetAsideRefused saying why none."""
    entities = [e for s, e in RAW_ENTITIES if s == source]
    if not entities:
        known = sorted({s for s, _ in RAW_ENTITIES})
        raise SetAsideRefused(f"unknown source {source!r} (one of {', '.join(known)})")
    if entity != ALL_ENTITIES and entity not in entities:
        raise SetAsideRefused(
            f"{source} has no entity {entity!r} (one of {', '.join(entities)}, or all)"
        )
    whole_day = entity == ALL_ENTITIES or source in WHOLE_DAY_SOURCES
    named = entities if whole_day else [entity]
    # A folder without a manifest (incomplete) goes too: it is what the day holds.
    parts = [Partition(root, source, e, day) for e in sorted(named)]
    present = [p for p in parts if p.path.is_dir()]
    if not present:
        missing = (
            f"{source} partition on {day}" if whole_day else f"landing partition {_name(parts[0])}"
        )
        raise SetAsideRefused(f"no {missing}: nothing to set aside")
    return present


def operator() -> str:
    """Who runs the command: the login name (getpass: $LOGNAME, $USER, … or the account)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (e.g. a bare container)
        return "unknown"


def _record(part: Partition, reason: str, by: str, together: list[str]) -> dict[str, Any]:
    manifest = _manifest_or_none(part)
    return {
        "set_aside_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "by": by,
        "reason": reason,
        "partition": _name(part),
        "original_path": str(part.path),
        "manifest_checksum": manifest.get("checksum"),
        "record_count": manifest.get("record_count"),
        "set_aside_together": together,
    }


def _manifest_or_none(part: Partition) -> dict[str, Any]:
    """The manifest's fields, or none when it is missing or unreadable (a partition is often
    set aside because it is broken)."""
    try:
        manifest = part.manifest()
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _name(part: Partition) -> str:
    return f"{part.source}/{part.entity}/dt={part.dt.isoformat()}"
