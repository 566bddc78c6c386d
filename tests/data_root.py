"""A test's own data root: every path under a temporary folder, none taken from the environment,
and a hand-built warehouse in it (tests/mart_fixtures.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from core.config import Settings, get_settings
from tests.mart_fixtures import Change, build_warehouse

# Settings that would point a path (or the freshness window) elsewhere than the data root.
OVERRIDES = (
    "IRM_WAREHOUSE_PATH",
    "IRM_PUBLISHED_PATH",
    "IRM_EXPORTS_DIR",
    "IRM_LANDING_DIR",
    "IRM_DATA_DOCS_DIR",
    "IRM_FRESHNESS_DAYS",
)


def data_root_fixtures(*base: Change) -> tuple[Any, Any]:
    """A folder's `settings` (every path under the test's temporary folder) and `warehouse`
    (a builder of the hand-made warehouse: the `base` marts, then a test's own changes)
    fixtures; its conftest assigns them to those names."""

    @pytest.fixture
    def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
        monkeypatch.setenv("IRM_DATA_ROOT", str(tmp_path))
        for variable in OVERRIDES:
            monkeypatch.delenv(variable, raising=False)
        return get_settings()

    @pytest.fixture
    def warehouse(settings: Settings) -> Callable[..., Path]:
        def build(*changes: Change) -> Path:
            return build_warehouse(settings.warehouse_path, *base, *changes)

        return build

    return settings, warehouse
