"""Writing folders so that a reader never sees half of one: a folder is built aside and renamed
into place (the landing zone's partitions, the exports' dated folders, the Data Docs site)."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path


def replace_dir(new: Path, target: Path) -> None:
    """Rename the completed folder `new` into place of `target`. An existing `target` is first
    renamed aside, then removed: a rename is atomic, removing a tree is not."""
    if target.exists():
        old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(target, old)
        shutil.rmtree(old, ignore_errors=True)
    os.replace(new, target)
