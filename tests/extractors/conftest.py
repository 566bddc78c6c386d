"""What the extractor tests share."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import Settings, get_settings


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings of a data root of the test's own (landing zone, state, inbox)."""
    monkeypatch.setenv("IRM_DATA_ROOT", str(tmp_path))
    return get_settings()
