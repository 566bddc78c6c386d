"""What every export format shares: the day's folder, the read-only source, the manifest.

An export is built in a hidden staging folder next to `<exports>/<YYYY-MM-DD>/` and renamed into
place when complete, so a reader (or an email task) never picks up half a folder, and running the
same day again replaces it. Formats (CSV now; XLSX, HTML report later) are writers that add files
to the staging folder and return a `FileEntry` per file; `manifest.json` lists them.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from irm.config import get_settings

MARTS = "marts"
MANIFEST = "manifest.json"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class FileEntry:
    file: str
    mart: str | None
    rows: int | None
    columns: list[str] = field(default_factory=list)
    sha256: str = ""


def export_day(day: str | date) -> str:
    """The day as YYYY-MM-DD; anything else is refused (it becomes a folder name)."""
    if isinstance(day, datetime):
        day = day.date()
    if isinstance(day, date):
        return day.isoformat()
    return date.fromisoformat(day).isoformat()


def quote_ident(name: str) -> str:
    """Quote a SQL identifier after checking it is a plain name (mart names become file names)."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return f'"{name}"'


@contextmanager
def open_source(source: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the published BI copy (never the warehouse: no lock taken)."""
    path = source or get_settings().published_path
    if not path.exists():
        raise FileNotFoundError(f"no published copy at {path}: publish the marts first")
    with duckdb.connect(str(path), read_only=True) as con:
        # Timestamps are written in UTC whatever the machine's zone.
        con.execute("SET TimeZone = 'UTC'")
        yield con


def list_marts(con: duckdb.DuckDBPyConnection, schema: str = MARTS) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = ? ORDER BY table_name",
        [schema],
    ).fetchall()
    return [r[0] for r in rows]


@contextmanager
def staged_folder(day: str) -> Iterator[Path]:
    """Yield a staging folder; on success it replaces `<exports>/<day>/`, on error it goes."""
    target = get_settings().export_dir_for(day)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex[:8]}")
    staging.mkdir()
    try:
        yield staging
        replace_dir(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_manifest(folder: Path, day: str, source: Path, entries: list[FileEntry]) -> Path:
    manifest = {
        "day": day,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": str(source),
        "files": [asdict(e) for e in entries],
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def replace_dir(new: Path, target: Path) -> None:
    """Put a completed folder in place of the old one (two renames; the old one is removed)."""
    old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
