"""`irm landing set-aside` (issue 17, item 2): a wrong partition is moved out of the landing zone
(never deleted) with an audit record, its rows and ledger entry leave `raw`, and the day can be
landed again; a bad CRM day set aside and landed again gives the marts of a clean run."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from core.config import Settings, get_settings
from core.landing import Partition, envelope, list_partitions, write_partition
from extractors import EXTRACTOR_VERSION, crm
from sandbox.crm import stamp_inbox
from tests.mart_fixtures import contract_marts
from tests.warehouse.warehouse_helpers import postgres_raw, postgres_warehouse, raw_values
from warehouse.load import load_landing

DAY = date(2026, 3, 3)
OTHER_DAY = date(2026, 3, 1)


def land_videos(settings: Settings, day: date, ids: list[str]) -> Partition:
    part = Partition(settings.landing_dir, "youtube", "videos", day)
    write_partition(
        part,
        [envelope(i, {"id": i}, f"{day}T00:05:00+00:00", "UCa") for i in ids],
        extractor_version=EXTRACTOR_VERSION,
    )
    return part


def ledger(settings: Settings) -> list[tuple[str, str, date]]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(
            "SELECT source, entity, dt FROM raw._loaded_partitions ORDER BY ALL"
        ).fetchall()


def set_aside_folders(settings: Settings) -> list[Path]:
    root = settings.landing_dir / "_set_aside"
    return sorted(p.parent for p in root.glob("*/*/*/_set_aside.json"))


# --- CRM exports written as the team drops them ---------------------------------------------

CREATOR_COLUMNS = crm.TEMPLATES["creators"]


def creator(cid: str, name: str, status: str, manager: str, **accounts: str) -> dict[str, str]:
    return {
        "creator_id": cid, "display_name": name, "email": f"{cid}@example.test",
        "manager": manager, "status": status, "country": "DE", "niche": "fitness",
        "youtube_channel_id": accounts.get("yt", ""), "instagram_username": accounts.get("ig", ""),
        "tiktok_username": accounts.get("tt", ""), "partnered_on": accounts.get("since", ""),
    }  # fmt: skip


def write_csv(inbox: Path, entity: str, rows: list[dict[str, str]]) -> None:
    inbox.mkdir(parents=True, exist_ok=True)
    with (inbox / f"{entity}.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=crm.TEMPLATES[entity])
        writer.writeheader()
        writer.writerows(rows)


def drop_crm_day(settings: Settings, creators: list[dict[str, str]]) -> None:
    """A whole CRM export: five files, one contract row pointing at an unknown creator (so the
    day has a quarantine partition too)."""
    inbox = settings.crm_inbox
    write_csv(inbox, "creators", creators)
    write_csv(inbox, "campaigns", [{
        "campaign_id": "C1", "name": "Spring", "brand": "Acme", "brand_handle": "@acme",
        "starts_on": "2026-02-15", "ends_on": "2026-03-02", "budget": "5000.00",
        "currency": "USD", "objective": "conversion", "tracking_hashtag": "#AcmeSpring",
    }])  # fmt: skip
    contract = {
        "contract_id": "k1", "campaign_id": "C1", "creator_id": "cr_001", "fee": "1000.00",
        "product_cost": "", "currency": "USD", "deliverables": "2 videos", "due_on": "2026-03-02",
        "promo_code": "ALPHA10", "exclusive": "false", "signed_on": "2026-02-10",
    }  # fmt: skip
    write_csv(inbox, "contracts", [contract, {**contract, "contract_id": "k9",
                                              "creator_id": "cr_999"}])  # fmt: skip
    write_csv(inbox, "payments", [{
        "payment_id": "p1", "contract_id": "k1", "amount": "500.00", "currency": "USD",
        "due_on": "2026-02-20", "paid_on": "2026-02-19", "status": "paid",
    }])  # fmt: skip
    write_csv(inbox, "touchpoints", [{
        "touchpoint_id": "tp1", "creator_id": "cr_001", "occurred_at": "2026-02-01T10:00:00+00:00",
        "channel": "email", "direction": "outbound", "responded_at": "",
    }])  # fmt: skip


# Accounts of the dbt fixture world (tests/dbt/fixture_world.py), for the end-to-end test.
GOOD_CREATORS = [
    creator("cr_001", "Alpha A", "active", "Maria", ig="ig_ana", since="2025-01-15"),
    creator("cr_002", "Beta B", "paused", "Maria", tt="tt_bo"),
]
# A bad export that passes admission: every row well-formed, the values wrong.
BAD_CREATORS = [
    creator("cr_001", "Alpha A", "ended", "Nobody", ig="ig_ana", since="2025-01-15"),
    creator("cr_002", "Beta B", "active", "Nobody", tt="tt_bo"),
]
CRM_ENTITIES = ["campaigns", "contracts", "creators", "payments", "quarantine", "touchpoints"]


# --- refusals -------------------------------------------------------------------------------


def test_set_aside_refuses_without_a_reason_or_a_partition(settings: Settings) -> None:
    from irm.landing_admin import SetAsideRefused, set_aside

    part = land_videos(settings, DAY, ["v1"])
    load_landing(settings=settings)
    refusals = {
        "a reason is required": ("youtube", "videos", DAY, "  "),
        "unknown source 'youtub'": ("youtub", "videos", DAY, "typo"),
        "youtube has no entity 'media'": ("youtube", "media", DAY, "typo"),
        "no landing partition youtube/videos/dt=2026-03-01": (
            "youtube",
            "videos",
            OTHER_DAY,
            "wrong day",
        ),
        "no crm partition on 2026-03-03": ("crm", "creators", DAY, "nothing landed"),
    }
    for message, (source, entity, day, reason) in refusals.items():
        with pytest.raises(SetAsideRefused, match=message):
            set_aside(source, entity, day, reason, settings=settings)
    assert part.exists() and raw_values(settings, "youtube_videos") == [(DAY, "v1")]
    assert not (settings.landing_dir / "_set_aside").exists()


# --- a platform partition -------------------------------------------------------------------


def test_a_partition_is_moved_aside_with_its_audit_record_and_leaves_raw(
    settings: Settings,
) -> None:
    from irm.landing_admin import set_aside

    bad = land_videos(settings, DAY, ["v1", "v2"])
    land_videos(settings, OTHER_DAY, ["v0"])
    channels = Partition(settings.landing_dir, "youtube", "channels", DAY)
    write_partition(
        channels,
        [envelope("UCa", {"id": "UCa"}, "2026-03-03T00:05:00+00:00")],
        extractor_version=EXTRACTOR_VERSION,
    )
    load_landing(settings=settings)
    records, manifest = bad.records_path.read_bytes(), bad.manifest()

    result = set_aside(
        "youtube", "videos", DAY, "extracted with the wrong key", by="ops", settings=settings
    )

    # Moved, not deleted: the same bytes under _set_aside/, with why, when and by whom.
    [folder] = set_aside_folders(settings)
    assert [p.moved_to for p in result.partitions] == [folder]
    assert folder.parent == settings.landing_dir / "_set_aside" / "youtube" / "videos"
    assert folder.name.startswith("dt=2026-03-03--")
    assert (folder / "records.jsonl").read_bytes() == records
    assert json.loads((folder / "_manifest.json").read_text()) == manifest
    record = json.loads((folder / "_set_aside.json").read_text())
    assert record["by"] == "ops" and record["reason"] == "extracted with the wrong key"
    assert record["partition"] == "youtube/videos/dt=2026-03-03"
    assert record["original_path"] == str(bad.path)
    assert (record["manifest_checksum"], record["record_count"]) == (manifest["checksum"], 2)
    assert record["raw_rows_removed"] == 2 and record["set_aside_at"].endswith("+00:00")
    audit = (settings.landing_dir / "_set_aside" / "audit.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in audit] == [record]
    # Gone from the landing zone and from raw (rows and ledger); the rest untouched.
    assert not bad.path.exists() and list_partitions(settings.landing_dir, "youtube", "videos")
    assert raw_values(settings, "youtube_videos") == [(OTHER_DAY, "v0")]
    assert ledger(settings) == [
        ("youtube", "channels", DAY),
        ("youtube", "videos", OTHER_DAY),
    ]
    # The day can be landed again, and the load picks it up.
    land_videos(settings, DAY, ["v1"])
    assert load_landing(settings=settings).loaded == ["youtube/videos/dt=2026-03-03"]
    assert raw_values(settings, "youtube_videos") == [(OTHER_DAY, "v0"), (DAY, "v1")]


def test_the_same_day_set_aside_twice_keeps_both_copies(settings: Settings) -> None:
    from irm.landing_admin import set_aside

    land_videos(settings, DAY, ["v1"])
    set_aside("youtube", "videos", DAY, "first try", settings=settings)
    land_videos(settings, DAY, ["v2"])
    set_aside("youtube", "videos", DAY, "second try", settings=settings)
    kept = [json.loads((f / "_set_aside.json").read_text()) for f in set_aside_folders(settings)]
    assert sorted(r["reason"] for r in kept) == ["first try", "second try"]


def test_all_sets_aside_every_entity_of_the_source_that_day(settings: Settings) -> None:
    from irm.landing_admin import set_aside

    land_videos(settings, DAY, ["v1"])
    write_partition(
        Partition(settings.landing_dir, "youtube", "channels", DAY),
        [],
        extractor_version=EXTRACTOR_VERSION,
    )
    land_videos(settings, OTHER_DAY, ["v0"])
    result = set_aside("youtube", "all", DAY, "the whole day is wrong", settings=settings)
    assert [p.partition for p in result.partitions] == [
        "youtube/channels/dt=2026-03-03",
        "youtube/videos/dt=2026-03-03",
    ]
    assert [p.dt for p in list_partitions(settings.landing_dir, "youtube", "videos")] == [OTHER_DAY]


# --- a CRM day ------------------------------------------------------------------------------


def test_a_crm_entity_sets_aside_the_whole_crm_day(settings: Settings) -> None:
    from irm.landing_admin import set_aside

    write_csv(settings.crm_inbox, "creators", GOOD_CREATORS)
    stamp_inbox(settings.crm_inbox, OTHER_DAY)  # written by hand: as the day's export
    crm.land_day(OTHER_DAY, settings)
    drop_crm_day(settings, BAD_CREATORS)
    stamp_inbox(settings.crm_inbox, DAY)  # written by hand: as the day's export
    crm.land_day(DAY, settings)
    load_landing(settings=settings)
    assert {e for s, e, d in ledger(settings) if d == DAY} == set(CRM_ENTITIES)

    result = set_aside("crm", "creators", DAY, "statuses and managers wrong", settings=settings)

    # The day's files were admitted together (contracts against that day's creators, one
    # quarantine for all five), so the whole CRM day goes, each with its own record.
    assert [p.partition for p in result.partitions] == [
        f"crm/{entity}/dt=2026-03-03" for entity in CRM_ENTITIES
    ]
    assert all(p.moved_to.is_dir() for p in result.partitions)
    assert [d for _, _, d in ledger(settings)] == [OTHER_DAY]
    for entity in CRM_ENTITIES:
        assert not Partition(settings.landing_dir, "crm", entity, DAY).path.exists()
        assert all(dt == OTHER_DAY for dt, _ in raw_values(settings, f"crm_{entity}"))
    assert [dt for dt, _ in raw_values(settings, "crm_creators")] == [OTHER_DAY] * 2
    records = [json.loads((f / "_set_aside.json").read_text()) for f in set_aside_folders(settings)]
    assert {r["reason"] for r in records} == {"statuses and managers wrong"}
    assert {tuple(r["set_aside_together"]) for r in records} == {
        tuple(p.partition for p in result.partitions)
    }

    # The good export lands in place of the bad one.
    drop_crm_day(settings, GOOD_CREATORS)
    stamp_inbox(settings.crm_inbox, DAY)  # written by hand: as the day's export
    crm.land_day(DAY, settings)
    load_landing(settings=settings)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        statuses = con.execute(
            "SELECT record_key, payload->>'status' FROM raw.crm_creators WHERE dt = ? ORDER BY 1",
            [DAY],
        ).fetchall()
    assert statuses == [("cr_001", "active"), ("cr_002", "paused")]


def test_the_command_line(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    from irm.cli import main

    land_videos(settings, DAY, ["v1"])
    base = ["landing", "set-aside", "--source", "youtube", "--entity", "videos"]
    assert main([*base, "--day", "2026-03-03", "--reason", "bad day", "--by", "ana"]) == 0
    out = capsys.readouterr().out
    assert "youtube/videos/dt=2026-03-03" in out and "_set_aside" in out
    assert main([*base, "--day", "2026-03-03", "--reason", "again"]) == 2
    assert "no landing partition youtube/videos/dt=2026-03-03" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*base, "--day", "2026-03-03"])  # --reason is required
    assert "--reason" in capsys.readouterr().err


# --- Postgres -------------------------------------------------------------------------------


def test_set_aside_removes_the_rows_from_the_postgres_warehouse(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from irm.landing_admin import set_aside

    with postgres_warehouse(monkeypatch, "irm_set_aside_test") as settings:
        land_videos(settings, DAY, ["v1"])
        land_videos(settings, OTHER_DAY, ["v0"])
        load_landing(settings=settings)
        [removed] = set_aside("youtube", "videos", DAY, "wrong", settings=settings).partitions
        assert removed.raw_rows_removed == 1
        rows, loaded = postgres_raw("youtube_videos")
        assert rows == [(OTHER_DAY, "v0")] and loaded == [(OTHER_DAY,)]
        assert not (settings.warehouse_path).exists()  # the DuckDB file is not touched


# --- end to end: a bad CRM day set aside gives the marts of a clean run ---------------------


def land_world(settings: Settings, creators_on_day: list[dict[str, str]]) -> None:
    """The dbt fixture world's platform partitions (every day) and a CRM export on its first
    and last day, landed by the CRM extractor from the inbox."""
    from tests.dbt.fixture_world import DATES, raw_rows

    for table, rows in raw_rows().items():
        source, entity = table.split("_", 1)
        if source == "crm":
            continue
        by_day: dict[str, list[dict[str, Any]]] = {}
        for dt, at, key, parent, payload in rows:
            line = {"extracted_at": at, "record_key": key, "parent_key": parent}
            by_day.setdefault(dt, []).append({**line, "payload": json.loads(payload)})
        for dt, records in by_day.items():
            part = Partition(settings.landing_dir, source, entity, date.fromisoformat(dt))
            write_partition(part, records, extractor_version=EXTRACTOR_VERSION)
    write_csv(settings.crm_inbox, "creators", GOOD_CREATORS)
    stamp_inbox(settings.crm_inbox, date.fromisoformat(DATES[0]))  # as that day's export
    crm.land_day(date.fromisoformat(DATES[0]), settings)
    drop_crm_day(settings, creators_on_day)
    stamp_inbox(settings.crm_inbox, date.fromisoformat(DATES[-1]))
    crm.land_day(date.fromisoformat(DATES[-1]), settings)


def build(settings: Settings, work: Path) -> dict[str, str]:
    """Load, build the seeds and models (the marts' contents; their tests are other files'),
    and return each mart's checksum. One `work` folder for every build: dbt parses once."""
    from tests.checksums import mart_checksums
    from tests.dbt.test_dbt_build import dbt_env, run_dbt

    load_landing(settings=settings)
    env = dbt_env(IRM_WAREHOUSE_PATH=str(settings.warehouse_path), IRM_DBT_TARGET="duckdb")
    run_dbt(["build", "--resource-type", "seed", "--resource-type", "model"], env, work, "duckdb")
    return mart_checksums(settings.warehouse_path)


@pytest.mark.slow
def test_a_bad_crm_day_set_aside_and_landed_again_gives_the_marts_of_a_clean_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from irm.landing_admin import set_aside
    from tests.dbt.fixture_world import DATES

    monkeypatch.delenv("IRM_DBT_TARGET", raising=False)
    monkeypatch.setenv("IRM_DATA_ROOT", str(tmp_path / "data"))
    settings = get_settings()
    last_day = date.fromisoformat(DATES[-1])
    land_world(settings, GOOD_CREATORS)
    clean_marts = build(settings, tmp_path / "dbt")
    shutil.rmtree(settings.data_root)  # the same paths again, so dbt parses only once

    land_world(settings, BAD_CREATORS)
    bad_marts = build(settings, tmp_path / "dbt")
    wrong = {m for m in clean_marts if bad_marts[m] != clean_marts[m]}
    assert "dim_creator" in wrong  # the bad export reached the marts: the test proves something

    set_aside("crm", "creators", last_day, "statuses and managers wrong", settings=settings)
    drop_crm_day(settings, GOOD_CREATORS)
    stamp_inbox(settings.crm_inbox, last_day)  # written by hand: as the day's export
    crm.land_day(last_day, settings)
    recovered_marts = build(settings, tmp_path / "dbt")

    assert set(clean_marts) == set(contract_marts())  # every mart was compared
    assert recovered_marts == clean_marts
