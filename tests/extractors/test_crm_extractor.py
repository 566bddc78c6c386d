"""CRM exports: a file that cannot be parsed fails with a message naming it, after every other
file has landed; nothing landed before is lost."""

from __future__ import annotations

from datetime import date

import pytest

from extractors import crm
from extractors.crm import CrmFileError
from extractors.landing import Partition
from irm.config import get_settings
from sandbox.crm import write_crm
from sandbox.world import World

DAY = date(2026, 1, 20)


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("IRM_DATA_ROOT", str(tmp_path))
    return get_settings()


def landed(settings, entity: str, day: date = DAY) -> bool:
    return Partition(settings.landing_dir, "crm", entity, day).exists()


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (b"\xff\xfe\x00not utf-8 at all\n", "cannot be parsed"),
        (b"contract,campaign\nc1,cp1\n", "contracts.csv"),
    ],
    ids=["binary", "wrong-header"],
)
def test_an_unparseable_file_fails_naming_it_and_the_others_land(settings, damage, why) -> None:
    world = World(3, 30, 30)
    write_crm(world, settings.crm_inbox, day=DAY)
    (settings.crm_inbox / "contracts.csv").write_bytes(damage)
    with pytest.raises(CrmFileError, match="contracts.csv") as caught:
        crm.land_day(DAY, settings)
    assert why in str(caught.value)
    assert not landed(settings, "contracts")
    for entity in ("creators", "campaigns", "touchpoints"):
        assert landed(settings, entity), entity


def test_a_broken_export_on_a_later_day_loses_nothing_already_landed(settings) -> None:
    world = World(3, 30, 30)
    write_crm(world, settings.crm_inbox, day=DAY)
    first = crm.land_day(DAY, settings)
    later = date(2026, 1, 21)
    (settings.crm_inbox / "creators.csv").write_bytes(b"\x00\x01garbage")
    with pytest.raises(CrmFileError, match="creators.csv"):
        crm.land_day(later, settings)
    again = crm.land_day(DAY, settings)
    assert again["creators"]["checksum"] == first["creators"]["checksum"]
    # The roster still answers from the last good export.
    assert crm.roster(settings, later, "youtube_channel_id")
