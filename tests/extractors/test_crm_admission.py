"""CRM admission is strict because landing is permanent (SPEC 4): a collapsed roster export is
refused before anything of its day lands, a platform with an empty roster fails instead of
landing empty partitions, a re-run after a kill lands every rejected row once, unknown
currencies and malformed handles are quarantined, and files are read as a stream."""

from __future__ import annotations

import csv
import json
import re
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.config import get_settings
from core.landing import Partition, envelope, list_partitions, read_records, write_partition
from extractors import EXTRACTOR_VERSION, base, crm, registry
from extractors.crm import CrmFileError, admission
from sandbox.crm import (
    CREATORS_COLUMNS,
    TEMPLATES,
    contract_rows,
    creator_rows,
    crm_export,
    payment_rows,
    stamp_inbox,
    write_crm,
    write_csv,
)
from sandbox.world import World

DAY = date(2026, 1, 20)
NEXT = DAY + timedelta(days=1)
ENTITIES = ("creators", "campaigns", "contracts", "payments", "touchpoints")
# Each platform with a roster: the creators column that lists its accounts.
ROSTER_COLUMNS = {s.name: s.roster.column for s in registry.SOURCES if s.roster is not None}


def roster_of(platform: str) -> Any:
    return registry.source(platform).roster


def handle_problem(platform: str, handle: str) -> str:
    """Why a handle is not of the platform's format, by the one check of it."""
    return roster_of(platform).handle.problem(handle)


@pytest.fixture(scope="module")
def world() -> World:
    return World(3, 30, 30)


def landed(settings, entity: str, day: date = DAY) -> list[dict[str, Any]]:
    part = Partition(settings.landing_dir, "crm", entity, day)
    return [line["payload"] for line in read_records(part)] if part.exists() else []


def crm_partitions_of(settings, day: date) -> set[str]:
    return {
        e
        for e in (*ENTITIES, "quarantine")
        if Partition(settings.landing_dir, "crm", e, day).exists()
    }


def write_creators(settings, rows: list[dict[str, str]], day: date) -> Path:
    """creators.csv by hand, as the export of `day` (inside its window)."""
    return write_csv(settings.crm_inbox / "creators.csv", CREATORS_COLUMNS, rows, day)


# --- item 1: a collapsed roster export is refused before anything of its day lands ----------


def test_a_header_only_creators_export_is_refused_and_nothing_of_its_day_lands(
    world, settings
) -> None:
    write_crm(world, settings.crm_inbox, day=DAY)
    crm.land_day(DAY, settings)
    before = len(landed(settings, "creators"))
    write_crm(world, settings.crm_inbox, day=NEXT)
    path = write_creators(settings, [], NEXT)  # the header only
    with pytest.raises(CrmFileError) as caught:
        crm.land_day(NEXT, settings)
    message = str(caught.value)
    assert str(path) in message
    assert "0 admitted rows" in message and f"{before} on dt={DAY}" in message
    assert crm_partitions_of(settings, NEXT) == set()  # not even the files that were fine
    # The day is not lost: the right export, dropped again, lands it.
    write_crm(world, settings.crm_inbox, day=NEXT)
    crm.land_day(NEXT, settings)
    assert len(landed(settings, "creators", NEXT)) == before
    assert crm_partitions_of(settings, NEXT) == set(ENTITIES)


def test_a_creators_export_with_fewer_than_half_the_rows_is_refused(
    world, settings, monkeypatch
) -> None:
    write_crm(world, settings.crm_inbox, day=DAY)
    crm.land_day(DAY, settings)
    rows = creator_rows(world)
    kept = len(rows) // 2 - 1
    write_crm(world, settings.crm_inbox, day=NEXT)
    write_creators(settings, rows[:kept], NEXT)
    with pytest.raises(CrmFileError, match=rf"{kept} admitted rows .* {len(rows)} on dt={DAY}"):
        crm.land_day(NEXT, settings)
    assert crm_partitions_of(settings, NEXT) == set()
    # A roster that really shrank that much goes through with a lower ratio.
    monkeypatch.setenv("IRM_CRM_MIN_ROW_RATIO", "0.25")
    crm.land_day(NEXT, get_settings())
    assert len(landed(settings, "creators", NEXT)) == kept


def test_a_creators_export_whose_rows_are_all_rejected_is_refused(world, settings) -> None:
    """The first day has no earlier export to compare with; admitted rows still must exist."""
    write_crm(world, settings.crm_inbox, day=DAY)
    rows = [{**r, "partnered_on": "2026-02-30"} for r in creator_rows(world)]
    path = write_creators(settings, rows, DAY)
    with pytest.raises(CrmFileError, match=f"{re.escape(str(path))}: 0 admitted rows"):
        crm.land_day(DAY, settings)
    assert crm_partitions_of(settings, DAY) == set()


def test_a_platform_with_an_empty_roster_fails_instead_of_landing_empty_partitions(
    world, settings, monkeypatch
) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    from extractors.connections import ApiCredentials
    from irm import tasks

    write_crm(world, settings.crm_inbox, day=DAY)
    write_creators(settings, [{**r, "tiktok_username": ""} for r in creator_rows(world)], DAY)
    crm.land_day(DAY, settings)
    monkeypatch.setenv(
        "AIRFLOW_CONN_IRM_TIKTOK",
        json.dumps(
            {"conn_type": "http", "host": "http://127.0.0.1:9", "login": "k", "password": "s"}
        ),
    )
    with pytest.raises(
        AirflowFailException, match=f"EmptyRoster: tiktok: .*dt={DAY}.* tiktok_username"
    ):
        tasks.plan_batches("tiktok", DAY.isoformat())
    unused = ApiCredentials("irm_tiktok", "http://127.0.0.1:9", "s", login="k")
    with pytest.raises(AirflowFailException, match="EmptyRoster"):
        tasks.land_platform("tiktok", DAY.isoformat(), unused)
    assert not (settings.landing_dir / "tiktok").exists()
    assert tasks.plan_batches("youtube", DAY.isoformat()) == []  # no connection: skipped


# --- item 4: quarantine is part of a complete day -------------------------------------------


class Killed(BaseException):
    """A kill: no `except Exception` handler sees it."""


def die_after(monkeypatch, writes: int, *modules: Any) -> None:
    """Every partition write of `modules` goes through; the one after `writes` of them dies.
    A module writes records (`write_partition`, the CRM's admission) or staged landing lines
    (`write_partition_lines`, the platforms' commit)."""
    done = 0

    def dying(real: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        def write(*args: Any, **kwargs: Any) -> dict[str, Any]:
            nonlocal done
            if done == writes:
                raise Killed(f"killed before partition write {done + 1}")
            done += 1
            return real(*args, **kwargs)

        return write

    for module in modules:
        for name in ("write_partition", "write_partition_lines"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, dying(getattr(module, name)))


def expected_rejects(world: World, day: date, share: float) -> list[tuple[str, int]]:
    export = crm_export(world, day, share)
    return sorted((r["file"], r["line"]) for f in export.values() for r in f.rejects)


@pytest.mark.parametrize("writes", range(6), ids=lambda n: f"killed-after-{n}-partitions")
def test_a_rerun_after_a_kill_lands_every_rejected_crm_row_once(
    world, settings, monkeypatch, writes
) -> None:
    write_crm(world, settings.crm_inbox, day=DAY, bad_row_share=0.05)
    with monkeypatch.context() as patch:
        die_after(patch, writes, admission, base)
        with pytest.raises(Killed):
            crm.land_day(DAY, settings)
    crm.land_day(DAY, settings)
    quarantined = sorted((q["file"], q["line"]) for q in landed(settings, "quarantine"))
    assert quarantined == expected_rejects(world, DAY, 0.05)
    for entity, export in crm_export(world, DAY, 0.05).items():
        assert len(landed(settings, entity)) == export.good_rows, entity


def test_a_kill_while_the_files_are_checked_lands_nothing_and_the_rerun_lands_the_day(
    world, settings, monkeypatch
) -> None:
    write_crm(world, settings.crm_inbox, day=DAY, bad_row_share=0.05)
    real = admission.stage_file

    def dying(path: Path, entity: str, *args: Any) -> dict[str, int]:
        if entity == "touchpoints":
            raise Killed("killed while checking touchpoints.csv")
        return real(path, entity, *args)

    with monkeypatch.context() as patch:
        patch.setattr(admission, "stage_file", dying)
        with pytest.raises(Killed):
            crm.land_day(DAY, settings)
    assert crm_partitions_of(settings, DAY) == set()
    crm.land_day(DAY, settings)
    quarantined = sorted((q["file"], q["line"]) for q in landed(settings, "quarantine"))
    assert quarantined == expected_rejects(world, DAY, 0.05)
    assert not list(base.staging_dir("crm", DAY, settings).parent.iterdir())


def test_a_rerun_after_a_kill_lands_what_was_admitted_though_the_inbox_changed(
    world, settings, monkeypatch
) -> None:
    """The team may drop the next export before the re-run: the day still gets its own rows
    and its own rejects, never a mix."""
    later = world.end_date
    write_crm(world, settings.crm_inbox, day=DAY, bad_row_share=0.05)
    with monkeypatch.context() as patch:
        die_after(patch, 2, admission, base)
        with pytest.raises(Killed):
            crm.land_day(DAY, settings)
    write_crm(world, settings.crm_inbox, day=later, bad_row_share=0.05)
    assert crm_export(world, later)["touchpoints"].good_rows != (
        crm_export(world, DAY)["touchpoints"].good_rows
    )
    crm.land_day(DAY, settings)
    for entity, export in crm_export(world, DAY, 0.05).items():
        assert len(landed(settings, entity)) == export.good_rows, entity
    quarantined = sorted((q["file"], q["line"]) for q in landed(settings, "quarantine"))
    assert quarantined == expected_rejects(world, DAY, 0.05)


def fake_fetch(bookmarks: dict[str, Any], window: base.Window) -> base.Extraction:
    extraction = base.Extraction({"users": base.EntityRecords(), "posts": base.EntityRecords()})
    extraction.entities["users"].add("ana", {"username": "ana"})
    extraction.entities["posts"].add("p1", {"id": "p1"}, "ana")
    extraction.reject("posts", "record has no id", {"caption": "no id"})
    extraction.reject("users", "unknown user", {"username": "ghost"}, "ghost")
    return extraction


@pytest.mark.parametrize("writes", range(3), ids=lambda n: f"killed-after-{n}-partitions")
def test_a_rerun_of_a_platform_commit_after_a_kill_lands_every_rejected_record_once(
    settings, monkeypatch, writes
) -> None:
    base.land_source_day("fake", ("users", "posts"), DAY, settings, fake_fetch, batch=0)
    with monkeypatch.context() as patch:
        die_after(patch, writes, base)
        with pytest.raises(Killed):
            base.commit_source_day("fake", ("users", "posts"), DAY, settings, batch_count=1)
    base.commit_source_day("fake", ("users", "posts"), DAY, settings, batch_count=1)
    part = Partition(settings.landing_dir, "fake", "quarantine", DAY)
    assert part.exists()
    reasons = sorted(line["payload"]["reason"] for line in read_records(part))
    assert reasons == ["record has no id", "unknown user"]
    assert not base.staging_dir("fake", DAY, settings).exists()


# --- item 5: currencies are checked against the rates seed ----------------------------------


def test_an_unknown_currency_is_quarantined_with_its_payments(world, settings) -> None:
    write_crm(world, settings.crm_inbox, day=DAY)
    contracts = contract_rows(world, DAY)
    odd = contracts[0]["contract_id"]
    contracts[0]["currency"] = "XXQ"
    write_csv(settings.crm_inbox / "contracts.csv", TEMPLATES["contracts"], contracts, DAY)
    payments_of_odd = [p for p in payment_rows(world, DAY) if p["contract_id"] == odd]
    assert payments_of_odd, "no payment references the contract: nothing is tested"
    crm.land_day(DAY, settings)
    assert odd not in {c["contract_id"] for c in landed(settings, "contracts")}
    assert not {p["payment_id"] for p in payments_of_odd} & {
        p["payment_id"] for p in landed(settings, "payments")
    }
    quarantine = landed(settings, "quarantine")
    reasons = {
        q["record"]["contract_id"]: q["reason"] for q in quarantine if q["file"] == "contracts.csv"
    }
    assert "XXQ" in reasons[odd] and "currency_rates" in reasons[odd]
    for payment in payments_of_odd:
        assert any(
            q["record"]["payment_id"] == payment["payment_id"] and odd in q["reason"]
            for q in quarantine
            if q["file"] == "payments.csv"
        )


def test_a_currency_the_brand_adds_to_the_rates_seed_is_admitted(
    world, settings, monkeypatch, tmp_path
) -> None:
    seed = get_settings().dbt_project_dir / "seeds" / "currency_rates.csv"
    project = tmp_path / "project"
    (project / "seeds").mkdir(parents=True)
    (project / "seeds" / "currency_rates.csv").write_text(
        seed.read_text() + "XXQ,0.50000000,2026-01-02\n"
    )
    monkeypatch.setenv("IRM_DBT_PROJECT_DIR", str(project))
    write_crm(world, settings.crm_inbox, day=DAY)
    contracts = contract_rows(world, DAY)
    contracts[0]["currency"] = "XXQ"
    write_csv(settings.crm_inbox / "contracts.csv", TEMPLATES["contracts"], contracts, DAY)
    crm.land_day(DAY, get_settings())
    assert contracts[0]["contract_id"] in {c["contract_id"] for c in landed(settings, "contracts")}


# --- optional columns (SPEC 3.2, second wave) -----------------------------------------------


def test_contracts_may_carry_their_tracked_link_and_older_files_stay_valid(world, settings) -> None:
    """A contracts file may add utm_campaign and utm_content after the template (in any
    order); their cells land with the row. A file without them lands as before (issue 23)."""
    write_crm(world, settings.crm_inbox, day=DAY)
    contracts = contract_rows(world, DAY)
    assert contracts, "no contract signed by the day: nothing is tested"
    columns = (*crm.TEMPLATES["contracts"], "utm_content", "utm_campaign")
    for row in contracts:
        row.update(utm_campaign=f"camp-{row['campaign_id']}", utm_content=row["contract_id"])
        del row["commission_rate"]  # a file may carry some of the optional columns only
    contracts[0]["utm_content"] = ""  # an empty cell is NULL, as everywhere
    write_csv(settings.crm_inbox / "contracts.csv", columns, contracts, DAY)
    crm.land_day(DAY, settings)
    rows = {c["contract_id"]: c for c in landed(settings, "contracts")}
    assert set(rows) == {c["contract_id"] for c in contracts}
    first, second = contracts[0]["contract_id"], contracts[-1]["contract_id"]
    assert rows[first]["utm_content"] is None
    assert rows[first]["utm_campaign"] == f"camp-{contracts[0]['campaign_id']}"
    assert rows[second]["utm_content"] == second

    write_crm(world, settings.crm_inbox, day=NEXT, second_wave=False)  # the template alone
    crm.land_day(NEXT, settings)
    older = landed(settings, "contracts", NEXT)
    assert older and all("utm_campaign" not in row for row in older)


def test_commission_contracts_and_payment_purposes_are_admitted_and_bad_ones_quarantined(
    world, settings
) -> None:
    """A contract's commission_rate is a fraction from 0 to 1 and a payment's purpose is fee
    or commission (issue 23); a row with anything else goes to quarantine naming the cell,
    and the rest of the file lands."""
    write_crm(world, settings.crm_inbox, day=DAY)
    contracts = contract_rows(world, DAY)
    assert len(contracts) >= 5, "too few contracts: nothing is tested"
    for row, rate in zip(contracts, ("0.1", "1.5", "-0.05", "10%", ""), strict=False):
        row["commission_rate"] = rate
    refused = {c["contract_id"] for c in contracts[1:4]}
    # the payments of the refused contracts would be quarantined with them: left out
    payments = [p for p in payment_rows(world, DAY) if p["contract_id"] not in refused]
    assert len(payments) >= 3, "too few payments: nothing is tested"
    for row, purpose in zip(payments, ("commission", "", "bonus", "fee"), strict=False):
        row["purpose"] = purpose
    write_csv(settings.crm_inbox / "contracts.csv", TEMPLATES["contracts"], contracts, DAY)
    write_csv(settings.crm_inbox / "payments.csv", TEMPLATES["payments"], payments, DAY)
    crm.land_day(DAY, settings)

    landed_contracts = {c["contract_id"]: c for c in landed(settings, "contracts")}
    assert landed_contracts[contracts[0]["contract_id"]]["commission_rate"] == "0.1"
    assert landed_contracts[contracts[4]["contract_id"]]["commission_rate"] is None
    assert not refused & set(landed_contracts)
    reasons = {(q["file"], q["line"]): q["reason"] for q in landed(settings, "quarantine")}
    for line, value in ((3, "1.5"), (4, "-0.05"), (5, "10%")):
        assert f"commission_rate {value!r} is not a fraction" in reasons["contracts.csv", line]
    landed_payments = {p["payment_id"]: p for p in landed(settings, "payments")}
    assert landed_payments[payments[0]["payment_id"]]["purpose"] == "commission"
    assert landed_payments[payments[1]["payment_id"]]["purpose"] is None  # a fee
    assert payments[2]["payment_id"] not in landed_payments
    assert "purpose 'bonus' is not one of ['commission', 'fee']" in reasons["payments.csv", 4]


def test_a_tracked_link_value_the_link_cannot_carry_as_written_is_quarantined(
    world, settings
) -> None:
    """Links are matched on their query as written (not percent-decoded): a utm value with a
    space, a non-ASCII letter or a query delimiter would never match a link, so its contract
    is quarantined naming the cell; the encoded form, as the link carries it, lands."""
    write_crm(world, settings.crm_inbox, day=DAY)
    contracts = contract_rows(world, DAY)
    assert len(contracts) >= 5, "too few contracts: nothing is tested"
    values = ("spring%20launch", "Spring Launch", "été-2026", "a&b", "k1+x")
    for row, value in zip(contracts, values, strict=False):
        row["utm_campaign"] = value
    refused = {c["contract_id"] for c in contracts[1:4]}
    payments = [p for p in payment_rows(world, DAY) if p["contract_id"] not in refused]
    write_csv(settings.crm_inbox / "contracts.csv", TEMPLATES["contracts"], contracts, DAY)
    write_csv(settings.crm_inbox / "payments.csv", TEMPLATES["payments"], payments, DAY)
    crm.land_day(DAY, settings)
    landed_contracts = {c["contract_id"]: c for c in landed(settings, "contracts")}
    assert landed_contracts[contracts[0]["contract_id"]]["utm_campaign"] == "spring%20launch"
    assert landed_contracts[contracts[4]["contract_id"]]["utm_campaign"] == "k1+x"
    assert not refused & set(landed_contracts)
    reasons = {(q["file"], q["line"]): q["reason"] for q in landed(settings, "quarantine")}
    for line, value in ((3, "Spring Launch"), (4, "été-2026"), (5, "a&b")):
        reason = reasons["contracts.csv", line]
        assert reason.startswith(f"utm_campaign {value!r} is not as a link's query carries it")


@pytest.mark.parametrize(
    "extra",
    [("utm_campain",), ("utm_content", "utm_content"), ("commission",)],
    ids=["misspelt", "twice", "unknown"],
)
def test_a_contracts_file_with_another_column_is_refused_naming_it(
    world, settings, extra: tuple[str, ...]
) -> None:
    """Its values would be dropped without a word: the file is refused, and nothing of the
    day lands (as for any header that is not the template)."""
    write_crm(world, settings.crm_inbox, day=DAY)
    contracts = contract_rows(world, DAY)
    for row in contracts:
        row.update(dict.fromkeys(extra, "x"))
    path = settings.crm_inbox / "contracts.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow((*crm.TEMPLATES["contracts"], *extra))
        for row in contracts:
            cells = [row[c] for c in crm.TEMPLATES["contracts"]]
            writer.writerow([*cells, *("x" for _ in extra)])
    stamp_inbox(settings.crm_inbox, DAY)
    with pytest.raises(CrmFileError, match="optionally followed by") as refused:
        crm.land_day(DAY, settings)
    assert extra[-1] in str(refused.value) and "contracts.csv" in str(refused.value)
    assert not crm_partitions_of(settings, DAY)


# --- item 6: handles are checked against each platform's format -----------------------------

INJECTION = "x){followers_count},business_discovery.username(other"


@pytest.mark.parametrize(
    ("platform", "handle"),
    [
        ("youtube", "UCq-Fj5jknLsUf-MWSy4_brA"),
        ("instagram", "ana.runs_2"),
        ("instagram", "@Ana_Runs"),  # as teams type it
        ("instagram", "a" * 30),
        ("tiktok", "@Ana_Runs"),
        ("tiktok", "ab"),
        ("tiktok", "ana.runs_" + "x" * 15),
    ],
)
def test_handles_of_the_platform_format_pass(platform: str, handle: str) -> None:
    assert handle_problem(platform, handle) == ""


@pytest.mark.parametrize(
    ("platform", "handle"),
    [
        ("youtube", "UCq-Fj5jknLsUf-MWSy4_brA,UCq-Fj5jknLsUf-MWSy4_brB"),
        ("youtube", "UCq-Fj5jknLsUf-MWSy4_br"),  # 21 after UC
        ("youtube", "HCq-Fj5jknLsUf-MWSy4_brA"),
        ("youtube", "UCq-Fj5jknLsUf+MWSy4_brA"),
        ("youtube", "@anaruns"),  # a handle, not a channel id
        ("instagram", INJECTION),
        ("instagram", "a" * 31),
        ("instagram", "ana-runs"),
        ("instagram", "ana runs"),
        ("instagram", "@"),
        ("tiktok", "a"),
        ("tiktok", "a" * 25),
        ("tiktok", "ana&region=us"),
    ],
)
def test_handles_not_of_the_platform_format_are_named(platform: str, handle: str) -> None:
    assert handle_problem(platform, handle)


def test_a_malformed_handle_is_quarantined_and_never_reaches_the_roster(world, settings) -> None:
    write_crm(world, settings.crm_inbox, day=DAY)
    rows = creator_rows(world)
    with_instagram = [r for r in rows if r["instagram_username"]]
    with_youtube = [r for r in rows[::-1] if r["youtube_channel_id"]]  # other creators
    assert with_youtube[0] not in with_instagram[:2]
    with_instagram[0]["instagram_username"] = INJECTION
    with_instagram[1]["instagram_username"] = "@Ana_Runs"
    with_youtube[0]["youtube_channel_id"] += ",UCq-Fj5jknLsUf-MWSy4_brA"
    write_creators(settings, rows, DAY)
    crm.land_day(DAY, settings)
    quarantine = landed(settings, "quarantine")
    quarantined = {
        q["record"]["creator_id"]: q["reason"] for q in quarantine if q["file"] == "creators.csv"
    }
    assert "instagram_username" in quarantined[with_instagram[0]["creator_id"]]
    assert "youtube_channel_id" in quarantined[with_youtube[0]["creator_id"]]
    instagram = crm.roster(settings, DAY, roster_of("instagram"))
    assert "ana_runs" in instagram
    assert not [h for h in instagram if handle_problem("instagram", h)]
    youtube = crm.roster(settings, DAY, roster_of("youtube"))
    assert not [c for c in youtube if "," in c]


def test_the_roster_never_hands_out_a_malformed_handle_landed_before(settings) -> None:
    """A creators partition landed before handles were checked: the roster skips bad ones."""
    rows = [
        {"creator_id": "cr_1", "instagram_username": INJECTION},
        {"creator_id": "cr_2", "instagram_username": "@Ana_Runs"},
    ]
    part = Partition(settings.landing_dir, "crm", "creators", DAY)
    write_partition(
        part,
        (envelope(r["creator_id"], r, "2026-01-20T00:00:00+00:00") for r in rows),
        extractor_version=EXTRACTOR_VERSION,
    )
    assert crm.roster(settings, DAY, roster_of("instagram")) == ["ana_runs"]


def test_every_handle_the_sandbox_world_generates_is_admitted() -> None:
    """The demo world must pass its own admission, suffixes of a large world included."""
    world = World(11, 3000, 2)
    problems = [
        (row[column], handle_problem(platform, row[column]))
        for row in creator_rows(world)
        for platform, column in ROSTER_COLUMNS.items()
        if row[column] and handle_problem(platform, row[column])
    ]
    assert problems == []


# --- item 13: CRM files are read as a stream ------------------------------------------------


def write_touchpoints(settings, world: World, count: int) -> None:
    creators = [r["creator_id"] for r in creator_rows(world)]
    path = settings.crm_inbox / "touchpoints.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(TEMPLATES["touchpoints"])
        for n in range(count):
            occurred = f"2026-01-{1 + n % 19:02d}T10:{n % 60:02d}:00+01:00"
            creator = creators[n % len(creators)]
            out.writerow((f"tp_{n:08d}", creator, occurred, "email", "outbound", ""))


def peak_python_memory(settings, day: date) -> int:
    stamp_inbox(settings.crm_inbox, day)  # the files by hand, as the day's export
    tracemalloc.start()
    try:
        crm.land_day(day, settings)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_memory_a_crm_file_takes_does_not_grow_with_the_file(world, settings) -> None:
    """Python's own allocations while landing 1,000 and 8,000 touchpoints: rows are streamed
    to the landing file, so eight times the rows is not eight times the memory. (The peak for
    a 200 MB file is measured by hand in docs/reliability.md; this only guards the stream.)"""
    write_crm(world, settings.crm_inbox, day=DAY)
    write_touchpoints(settings, world, 1_000)
    small = peak_python_memory(settings, DAY)
    write_touchpoints(settings, world, 8_000)
    large = peak_python_memory(settings, NEXT)
    assert len(landed(settings, "touchpoints", NEXT)) == 8_000
    assert large < 2 * small, (small, large)


def test_the_staging_area_is_gone_once_the_day_is_landed(world, settings) -> None:
    write_crm(world, settings.crm_inbox, day=DAY, bad_row_share=0.05)
    crm.land_day(DAY, settings)
    assert crm_partitions_of(settings, DAY) == {*ENTITIES, "quarantine"}
    assert not base.staging_dir("crm", DAY, settings).exists()
    assert [p.dt for p in list_partitions(settings.landing_dir, "crm", "quarantine")] == [DAY]
