"""The CRM exports: all five templates with their exact columns, rows as of a day, and bad rows
of every kind in the configured share, each listed in the ground truth (that the pipeline
rejects exactly those lines is tests/extractors/test_sources_with_faults.py's to show)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from extractors import crm
from extractors.crm.admission import OPTIONAL
from sandbox.crm import applicable_kinds, crm_export, write_crm
from sandbox.ground_truth import crm_truth
from sandbox.world import World


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7, accounts=200, days=90)


def read(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_every_template_with_its_exact_columns(world: World, tmp_path: Path) -> None:
    paths = write_crm(world, tmp_path)
    # The files the pipeline reads, in the order it reads them, each with the columns it expects.
    assert [p.name for p in paths] == [f"{e}.csv" for e in crm.ORDER]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)  # no tmp
    for entity in crm.ORDER:
        lines = read(tmp_path / f"{entity}.csv")
        # the contracts carry the optional columns of the second wave (SPEC 3.2)
        assert tuple(lines[0]) == crm.TEMPLATES[entity] + OPTIONAL.get(entity, ())
        assert len(lines) > 1, entity
    older = write_crm(world, tmp_path / "older", second_wave=False)
    assert [tuple(read(path)[0]) for path in older] == [crm.TEMPLATES[e] for e in crm.ORDER]
    payments = read_rows(tmp_path / "payments.csv")
    assert {r["status"] for r in payments} == {"paid", "scheduled", "failed", "cancelled"}
    # performance-based contracts and their commission payouts (SPEC 5.2)
    assert {r["purpose"] for r in payments} == {"fee", "commission"}
    contracts = read_rows(tmp_path / "contracts.csv")
    assert {"", "0.05", "0.08", "0.10", "0.12", "0.15"} >= {r["commission_rate"] for r in contracts}
    assert sum(bool(r["commission_rate"]) for r in contracts) >= 5


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
    for entity in crm.ORDER:
        name = f"{entity}.csv"
        listed = [r for r in rejects if r["file"] == name]
        expected_each = max(1, round(share * clean[entity].good_rows))
        kinds = [r["kind"] for r in listed]
        assert {k: kinds.count(k) for k in set(kinds)} == dict.fromkeys(
            applicable_kinds(entity), expected_each
        )
        # Each listed line is a line of the file, below its header, and none is listed twice.
        lines = [r["line"] for r in listed]
        assert len(set(lines)) == len(lines)
        last_line = len((tmp_path / name).read_text(encoding="utf-8").splitlines())
        assert all(2 <= line <= last_line for line in lines), entity


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
    from sandbox.server import make_server, running

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
    with running(make_server(small, port=0, day=day)) as server:
        answer = requests.get(f"{server.base_url}/_sandbox/health", timeout=5)
    assert stamped == {parsedate_to_datetime(answer.headers["Date"]).timestamp()}
