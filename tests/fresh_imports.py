"""What a fresh interpreter imports: several tests check that a cheap path (a DAG file's parse,
a task function run by a command) does not pay for a heavy package."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable

from core.config import REPO_ROOT


def packages_loaded_by(code: str, packages: Iterable[str]) -> list[str]:
    """Run `code` in a fresh interpreter at the repository root; return which of `packages`
    (top-level names) it left imported, sorted."""
    watched = sorted(packages)
    report = (
        "\nimport json as _json, sys as _sys\n"
        f"print(_json.dumps([p for p in {watched!r} if p in _sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code + report],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])
