"""What a transform's log must say, read by the tests that run it through Airflow: only
warnings that need someone's action, and the count of the dbt tests it ran."""

from __future__ import annotations

import json
import re
from pathlib import Path

# Warnings that ask for someone's attention: the mart checks' and stale sources.
ACTIONABLE_WARNINGS = ("data quality warning: ", "stale source ")
# The `airflow dags test` command's own (it imports graphviz to draw DAGs), not the transform's.
CLI_WARNINGS = ("Could not import graphviz",)
# Warnings a transform logged about 170 times that needed no action (issue 18, item 6).
KNOWN_NOISE = (
    "Asset (Dataset) URIs validation rules changed",  # cosmos, twice per dbt task
    "inactive AssetModel",  # Airflow, about cosmos's unregistered per-model assets
    "cannot create asset event",  # the same
    "Unavailable conversion function",  # cosmos, about each exposure at every parse
    "To enable emitting Openlineage events",  # cosmos at import, without the provider
    "[openlineage/namespace] not found",  # the same
)


def warning_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if re.search(r"\[warning\s*\]|\bWARNING\b", line)]


def assert_only_actionable_warnings(log: str, expected: tuple[str, ...] = ()) -> list[str]:
    """The log's warnings, after checking that none is known noise or unexplained (`expected`:
    more that the run was made to cause)."""
    lines = warning_lines(log)
    assert not [line for line in lines if any(noise in line for noise in KNOWN_NOISE)]
    explained = ACTIONABLE_WARNINGS + CLI_WARNINGS + expected
    unexplained = [line for line in lines if not any(k in line for k in explained)]
    assert unexplained == []
    return lines


def every_dbt_test_line(manifest_path: Path) -> str:
    """The line a transform that rendered the whole project logs when every data test of the
    manifest ran, those spanning two models (relationships) included (irm.dbt_build)."""
    manifest = json.loads(manifest_path.read_text())
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    several = sum(len(t["depends_on"]["nodes"]) > 1 for t in tests)
    assert several > 0
    return (
        f"dbt tests run in this transform: {len(tests)} of {len(tests)} in the manifest "
        f"({several} with several parents)"
    )
