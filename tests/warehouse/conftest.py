"""The warehouse tests' data root: a folder of their own, no path or target from outside."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import Settings, get_settings


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("IRM_DATA_ROOT", str(tmp_path / "data"))
    for variable in ("IRM_WAREHOUSE_PATH", "IRM_LANDING_DIR", "IRM_CRM_INBOX", "IRM_DBT_TARGET"):
        monkeypatch.delenv(variable, raising=False)
    return get_settings()
