"""Test-wide setup: every test session gets its own data root and Airflow home, so tests never
touch ./data or ~/airflow, and telemetry of every tool is off."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_SESSION_ROOT = Path(tempfile.mkdtemp(prefix="irm-test-"))
os.environ.setdefault("IRM_DATA_ROOT", str(_SESSION_ROOT / "data"))
os.environ.setdefault("AIRFLOW_HOME", str(_SESSION_ROOT / "airflow"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
