"""Issue 18 item 3: the CRM landed a past day from today's inbox (dt=2026-02-10 filed from the
current files) while the platform tasks refused it. A CRM file is the export of a data interval
only when its export time (the date in its name, or else its modification time) is inside the
interval's window, the one platform answers are held to (extractors/window.py
`interval_window`): after the interval ended, at most IRM_EXTRACT_MAX_LAG_HOURS later. Outside
it, the task fails at once naming the file, its export time and the window, and nothing of the
day lands."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.config import Settings, get_settings
from core.landing import Partition, read_records
from extractors import base, crm
from extractors.crm import CrmFileError
from sandbox.clock import answer_time
from sandbox.crm import crm_export, write_crm
from sandbox.world import World

DAY = date(2026, 2, 10)  # the day of the report
TODAY = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)  # when the team dropped the files
ENTITIES = ("creators", "campaigns", "contracts", "payments", "touchpoints")


@pytest.fixture(scope="module")
def world() -> World:
    return World(3, 20, 45)  # 2026-01-01 .. 2026-02-14


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("IRM_DATA_ROOT", str(tmp_path))
    monkeypatch.delenv("IRM_CRM_INBOX", raising=False)
    monkeypatch.delenv("IRM_EXTRACT_MAX_LAG_HOURS", raising=False)  # 48 h
    return get_settings()


def set_mtime(paths: list[Path], moment: datetime) -> None:
    for path in paths:
        os.utime(path, (moment.timestamp(), moment.timestamp()))


def crm_partitions(settings: Settings, day: date = DAY) -> set[str]:
    return {
        e
        for e in (*ENTITIES, "quarantine")
        if Partition(settings.landing_dir, "crm", e, day).exists()
    }


def landed(settings: Settings, entity: str, day: date = DAY) -> list[dict[str, Any]]:
    part = Partition(settings.landing_dir, "crm", entity, day)
    return [line["payload"] for line in read_records(part)]


def dated_export(world: World, settings: Settings, day: date, named: date) -> list[Path]:
    """The export as of `day`, each file named with the day it was exported (`named`)."""
    settings.crm_inbox.mkdir(parents=True, exist_ok=True)
    paths = []
    for path in write_crm(world, settings.crm_inbox / ".tmp", day=day):
        target = settings.crm_inbox / f"{path.stem}_{named.isoformat()}.csv"
        paths.append(path.replace(target))
    shutil.rmtree(settings.crm_inbox / ".tmp")
    return paths


def test_files_dropped_today_are_refused_for_a_past_day_and_nothing_lands(
    world: World, settings: Settings
) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    from irm import tasks

    paths = write_crm(world, settings.crm_inbox, day=DAY)
    set_mtime(paths, TODAY)
    with pytest.raises(CrmFileError) as caught:
        crm.land_day(DAY, settings)
    message = str(caught.value)
    for path in paths:
        assert str(path) in message
    assert "exported 2026-03-05 09:30 UTC (its modification time)" in message
    assert "2026-02-11 00:00" in message and "2026-02-13 00:00" in message  # the window
    assert "IRM_EXTRACT_MAX_LAG_HOURS" in message and f"dt={DAY}" in message
    assert crm_partitions(settings) == set()
    assert not base.staging_dir("crm", DAY, settings).exists()
    # The task fails at once: another try finds the same files.
    with pytest.raises(AirflowFailException, match="CrmExportOutsideWindow: .*creators.csv"):
        tasks.land_files("crm", DAY.isoformat())
    assert crm_partitions(settings) == set()


def test_files_exported_before_the_day_was_over_are_refused(
    world: World, settings: Settings
) -> None:
    """Yesterday's export still in the inbox when the day's run starts."""
    paths = write_crm(world, settings.crm_inbox, day=DAY)
    set_mtime(paths, datetime(2026, 2, 10, 17, 0, tzinfo=UTC))
    with pytest.raises(CrmFileError, match="exported 2026-02-10 17:00 UTC .*before"):
        crm.land_day(DAY, settings)
    assert crm_partitions(settings) == set()


@pytest.mark.parametrize(
    "exported",
    [
        answer_time(DAY),  # as the sandbox stamps it: just after the day ended
        datetime(2026, 2, 12, 23, 59, tzinfo=UTC),  # late, within 48 hours
    ],
    ids=["just-after", "47-hours-later"],
)
def test_a_file_stamped_inside_the_window_lands(
    world: World, settings: Settings, exported: datetime
) -> None:
    paths = write_crm(world, settings.crm_inbox, day=DAY, bad_row_share=0.05)
    set_mtime(paths, exported)
    manifests = crm.land_day(DAY, settings)
    assert crm_partitions(settings) == {*ENTITIES, "quarantine"}
    assert manifests["creators"]["exported_at"] == exported.isoformat()
    for entity, export in crm_export(world, DAY, 0.05).items():
        assert len(landed(settings, entity)) == export.good_rows, entity


def test_the_window_follows_the_configured_lag(
    world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = write_crm(world, settings.crm_inbox, day=DAY)
    set_mtime(paths, datetime(2026, 2, 11, 13, 0, tzinfo=UTC))
    monkeypatch.setenv("IRM_EXTRACT_MAX_LAG_HOURS", "12")
    with pytest.raises(CrmFileError, match="2026-02-11 12:00"):
        crm.land_day(DAY, get_settings())
    monkeypatch.setenv("IRM_EXTRACT_MAX_LAG_HOURS", "14")
    crm.land_day(DAY, get_settings())
    assert crm_partitions(settings) == set(ENTITIES)


@pytest.mark.parametrize("named", [DAY, DAY + timedelta(days=4)], ids=["same-day", "4-days-on"])
def test_a_dated_name_outside_the_window_is_refused(
    world: World, settings: Settings, named: date
) -> None:
    paths = dated_export(world, settings, DAY, named)
    set_mtime(paths, answer_time(DAY))  # the name is what counts
    with pytest.raises(CrmFileError) as caught:
        crm.land_day(DAY, settings)
    message = str(caught.value)
    assert f"creators_{named}.csv: exported {named} (the date in its name)" in message
    assert crm_partitions(settings) == set()


@pytest.mark.parametrize(
    "named", [DAY + timedelta(days=1), DAY + timedelta(days=3)], ids=["next-day", "deadline-day"]
)
def test_a_dated_name_inside_the_window_lands_though_its_mtime_is_now(
    world: World, settings: Settings, named: date
) -> None:
    """A name's date is a day: it fits when it is one of the window's days (48 hours after the
    interval's end: the three days from D+1 to D+3)."""
    paths = dated_export(world, settings, DAY, named)
    set_mtime(paths, TODAY)
    manifests = crm.land_day(DAY, settings)
    assert crm_partitions(settings) == set(ENTITIES)
    assert manifests["creators"]["file"] == f"creators_{named}.csv"
    assert len(landed(settings, "touchpoints")) == crm_export(world, DAY)["touchpoints"].good_rows


def test_each_day_takes_its_own_dated_export_from_an_inbox_holding_several(
    world: World, settings: Settings
) -> None:
    """The team drops each day's export under its own name; files stay in the inbox. Each day
    lands the earliest export inside its window (the one nearest the day's end), and a stale
    undated file beside them is not taken."""
    first, second = DAY - timedelta(days=1), DAY
    stale = write_crm(world, settings.crm_inbox, day=date(2026, 1, 20))
    set_mtime(stale, datetime(2026, 1, 21, 0, 5, tzinfo=UTC))
    dated_export(world, settings, first, first + timedelta(days=1))
    dated_export(world, settings, second, second + timedelta(days=1))
    crm.land_day(first, settings)
    crm.land_day(second, settings)
    for day in (first, second):
        expected = crm_export(world, day)["touchpoints"].good_rows
        assert len(landed(settings, "touchpoints", day)) == expected, day
    assert crm_export(world, first)["touchpoints"].good_rows != (
        crm_export(world, second)["touchpoints"].good_rows
    )  # the days' exports differ: the test tells them apart


def test_a_dated_name_that_is_no_date_is_refused_naming_it(
    world: World, settings: Settings
) -> None:
    write_crm(world, settings.crm_inbox, day=DAY)
    wrong = settings.crm_inbox / "creators_2026-02-30.csv"
    (settings.crm_inbox / "creators.csv").replace(wrong)
    with pytest.raises(CrmFileError, match=r"creators_2026-02-30.csv: .*not a date"):
        crm.land_day(DAY, settings)
    assert crm_partitions(settings) == set()
