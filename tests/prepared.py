"""A world prepared once per test session and copied for each test module that reads it.

Building a small pipeline's outputs (land, load, dbt, validate, publish, export) takes a minute;
two modules that read the same outputs each built them. Under pytest-xdist every worker is a
process of its own, so the first module to ask builds the world in the run's shared temporary
folder, holding a file lock, and every module, that one included, then works on its own copy:
what one module does to its data root (publishing again, exporting again) never reaches another.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

READY = ".ready"


def session_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary folder of this whole test run: under pytest-xdist each worker's base
    folder is a sub-folder of the run's (`pytest-N/popen-gw0`)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def prepared_copy(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    build: Callable[[Path], None],
    into: Path | None = None,
) -> Path:
    """A fresh copy of the world `build(folder)` makes, built at most once per test run (a
    build that failed is tried again by the next module that asks, and fails it the same
    way): into the folder `into` (made, or added to) or a new temporary one."""
    shared = session_folder(tmp_path_factory) / f"prepared-{name}"
    with shared.with_name(f"prepared-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / READY).is_file():
            shutil.rmtree(shared, ignore_errors=True)
            build(shared)
            (shared / READY).touch()
    copy = into or tmp_path_factory.mktemp(name) / "world"
    shutil.copytree(
        shared, copy, symlinks=True, ignore=shutil.ignore_patterns(READY), dirs_exist_ok=True
    )
    return copy
