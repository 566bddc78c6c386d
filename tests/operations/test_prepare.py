"""`prepare` (irm.airflow_cli): a new metadata database migrated and given every pool of the
configuration, by one Airflow process (irm.airflow_commands), as the demo, `irm run`, `irm up`
and the production init step prepare theirs."""

from __future__ import annotations

import sqlite3

from core.config import get_settings
from irm.airflow_cli import POOLS, prepare


def test_prepare_migrates_and_makes_every_pool_in_one_airflow_process(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("IRM_DATA_ROOT", str(tmp_path / "data"))
    monkeypatch.delenv("AIRFLOW_HOME", raising=False)
    settings = get_settings()
    prepare(settings, tmp_path / "logs")

    with sqlite3.connect(settings.airflow_home / "airflow.db") as con:
        slots = dict(con.execute("SELECT pool, slots FROM slot_pool").fetchall())
        migrated = con.execute("SELECT count(*) FROM alembic_version").fetchone()[0]
    assert migrated == 1
    assert {name: slots.get(name) for name in POOLS} == {n: s for n, (s, _) in POOLS.items()}
    log = (tmp_path / "logs" / "prepare.log").read_text()
    started = [line for line in log.splitlines() if line.startswith("[irm.airflow_commands]")]
    assert [line.split()[1:3] for line in started] == [["airflow", "db"], ["airflow", "pools"]]
    assert f"Uploaded {len(POOLS)} pool(s)" in log
