"""CRM exports: a file that cannot be parsed fails with a message naming it, and nothing of its
day lands (its children could not be checked against it, and the day's quarantine would be
incomplete); nothing landed before is lost. (Admission rules: test_crm_admission.py.)"""

from __future__ import annotations

from datetime import date

import pytest

from core.landing import Partition
from extractors import crm, youtube
from extractors.crm import CrmFileError
from sandbox.crm import stamp_inbox, write_crm
from sandbox.world import World

DAY = date(2026, 1, 20)


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
def test_an_unparseable_file_fails_naming_it_and_nothing_of_its_day_lands(
    settings, damage, why
) -> None:
    world = World(3, 30, 30)
    write_crm(world, settings.crm_inbox, day=DAY, bad_row_share=0.05)
    (settings.crm_inbox / "contracts.csv").write_bytes(damage)
    stamp_inbox(settings.crm_inbox, DAY)  # the damaged file, inside the day's window
    with pytest.raises(CrmFileError, match="contracts.csv") as caught:
        crm.land_day(DAY, settings)
    assert why in str(caught.value)
    for entity in (*crm.ORDER, "quarantine"):
        assert not landed(settings, entity), entity
    # The corrected file, dropped again, lands the whole day.
    write_crm(world, settings.crm_inbox, day=DAY, bad_row_share=0.05)
    crm.land_day(DAY, settings)
    for entity in (*crm.ORDER, "quarantine"):
        assert landed(settings, entity), entity


def test_a_broken_export_on_a_later_day_loses_nothing_already_landed(settings) -> None:
    world = World(3, 30, 30)
    write_crm(world, settings.crm_inbox, day=DAY)
    first = crm.land_day(DAY, settings)
    later = date(2026, 1, 21)
    (settings.crm_inbox / "creators.csv").write_bytes(b"\x00\x01garbage")
    stamp_inbox(settings.crm_inbox, later)  # the later day's export, its creators broken
    with pytest.raises(CrmFileError, match="creators.csv"):
        crm.land_day(later, settings)
    again = crm.land_day(DAY, settings)
    assert again["creators"]["checksum"] == first["creators"]["checksum"]
    # The roster still answers from the last good export.
    assert crm.roster(settings, later, youtube.SPEC.roster)
