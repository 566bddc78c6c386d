"""The CRM exports: all five templates with their exact columns, rows as of a day, and bad rows
of every kind in the configured share, each listed in the ground truth at the line where the
pipeline's CRM import rejects it."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from extractors.crm import read_crm_file
from sandbox.crm import applicable_kinds, crm_export, write_crm
from sandbox.ground_truth import crm_truth
from sandbox.world import World

# SPEC 3.2, in this order.
TEMPLATES = {
    "creators": "creator_id,display_name,email,manager,status,country,niche,youtube_channel_id,"
    "instagram_username,tiktok_username,partnered_on",
    "campaigns": "campaign_id,name,brand,brand_handle,starts_on,ends_on,budget,currency,objective,"
    "tracking_hashtag",
    "contracts": "contract_id,campaign_id,creator_id,fee,product_cost,currency,deliverables,due_on,"
    "promo_code,exclusive,signed_on",
    "payments": "payment_id,contract_id,amount,currency,due_on,paid_on,status",
    "touchpoints": "touchpoint_id,creator_id,occurred_at,channel,direction,responded_at",
}


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7, accounts=200, days=90)


def read(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def load_all(inbox: Path) -> dict[str, tuple[list[dict], list]]:
    """The pipeline's own reading of the files, parents first."""
    known: dict[str, set[str]] = {}
    out = {}
    for entity in TEMPLATES:
        rows, rejected = read_crm_file(inbox / f"{entity}.csv", entity, known)
        known[entity] = {r[f"{entity[:-1]}_id"] for r in rows}
        out[entity] = (rows, rejected)
    return out


def test_every_template_with_its_exact_columns_and_clean_rows(world: World, tmp_path: Path) -> None:
    paths = write_crm(world, tmp_path)
    assert [p.name for p in paths] == [f"{e}.csv" for e in TEMPLATES]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)  # no tmp
    for entity, header in TEMPLATES.items():
        lines = read(tmp_path / f"{entity}.csv")
        assert ",".join(lines[0]) == header
        assert len(lines) > 1, entity
    for entity, (rows, rejected) in load_all(tmp_path).items():
        assert rejected == [], (entity, rejected[:3])
        assert rows
    payments = {r["status"] for r in read_rows(tmp_path / "payments.csv")}
    assert payments == {"paid", "scheduled", "failed", "cancelled"}


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("share", [0.02, 0.1])
def test_bad_rows_in_the_configured_share_at_the_lines_listed(
    world: World, tmp_path: Path, share: float
) -> None:
    clean = crm_export(world)
    write_crm(world, tmp_path, bad_row_share=share)
    rejects = crm_truth(world, world.end_date, share)["rejects"]
    loaded = load_all(tmp_path)
    for entity in TEMPLATES:
        name = f"{entity}.csv"
        listed = [r for r in rejects if r["file"] == name]
        expected_each = max(1, round(share * clean[entity].good_rows))
        kinds = [r["kind"] for r in listed]
        assert {k: kinds.count(k) for k in set(kinds)} == dict.fromkeys(
            applicable_kinds(entity), expected_each
        )
        rows, rejected = loaded[entity]
        # The pipeline rejects exactly the bad lines and keeps every good row.
        assert sorted(r.line for r in rejected) == sorted(r["line"] for r in listed), entity
        assert len(rows) == clean[entity].good_rows


def test_rows_are_as_of_the_day(world: World, tmp_path: Path) -> None:
    early, late = tmp_path / "early", tmp_path / "late"
    write_crm(world, early, day=world.start_date + timedelta(days=30))
    write_crm(world, late)
    for entity in ("campaigns", "contracts", "payments", "touchpoints"):
        before = {r[f"{entity[:-1]}_id"] for r in read_rows(early / f"{entity}.csv")}
        after = {r[f"{entity[:-1]}_id"] for r in read_rows(late / f"{entity}.csv")}
        assert before < after, entity
    paid_early = {r["payment_id"] for r in read_rows(early / "payments.csv") if r["paid_on"]}
    paid_late = {r["payment_id"] for r in read_rows(late / "payments.csv") if r["paid_on"]}
    assert paid_early < paid_late
    last = world.start_date + timedelta(days=30)
    assert all(r["paid_on"] <= last.isoformat() for r in read_rows(early / "payments.csv"))


def test_creators_csv_alone_still_writes(world: World, tmp_path: Path) -> None:
    from sandbox.crm import write_creators_csv

    path = write_creators_csv(world, tmp_path)
    assert len(read(path)) == len(world.creators) + 1


def test_an_export_of_a_clock_day_is_stamped_when_the_platforms_answer_for_it(
    tmp_path: Path,
) -> None:
    """`write-crm --day D` gives every file the modification time the sandbox's platforms put
    in their `Date` for clock day D (just after D ended), so the pipeline takes both as the
    data interval D; without --day, the world's last day."""
    from email.utils import parsedate_to_datetime

    import requests

    from sandbox.cli import main
    from sandbox.clock import answer_time
    from sandbox.server import make_server, start_thread

    small = World(seed=5, accounts=6, days=20)
    day = small.start_date + timedelta(days=9)
    args = ["--seed", "5", "--accounts", "6", "--days", "20"]
    assert main(["write-crm", *args, "--inbox", str(tmp_path / "day"), "--day", str(day)]) == 0
    assert main(["write-crm", *args, "--inbox", str(tmp_path / "last")]) == 0
    stamped = {p.stat().st_mtime for p in (tmp_path / "day").glob("*.csv")}
    assert stamped == {datetime(2026, 1, 11, 0, 5, tzinfo=UTC).timestamp()}
    assert {p.stat().st_mtime for p in (tmp_path / "last").glob("*.csv")} == {
        answer_time(small.end_date).timestamp()
    }
    server = make_server(small, port=0, day=day)
    thread = start_thread(server)
    try:
        answer = requests.get(f"{server.base_url}/_sandbox/health", timeout=5)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert stamped == {parsedate_to_datetime(answer.headers["Date"]).timestamp()}
