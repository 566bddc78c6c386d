"""Extractor bookmarks: small JSON documents under the data root's state folder.

A bookmark is saved only once the records it describes are staged for good: the day's commit
(extractors/base.py `commit_source_day`) saves them before writing the partitions and lands those
from the staging folder, even after a crash, so a crashed run never skips what it describes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def load_bookmarks(state_dir: Path, name: str) -> dict[str, Any]:
    path = state_dir / f"{name}.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def save_bookmarks(state_dir: Path, name: str, bookmarks: dict[str, Any]) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(bookmarks, indent=1, sort_keys=True))
    os.replace(tmp, path)
