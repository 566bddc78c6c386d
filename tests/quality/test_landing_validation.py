"""Landing validation: good partitions pass; corrupted ones fail naming the expectation, the
values and the lines; only the partitions asked for are read."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core.config import Settings
from core.errors import DataQualityError
from expectations import landing as landing_module
from expectations import raise_on_critical, validate_landing
from expectations.landing import flatten_line
from expectations.suites import ENTITIES, entities_for

YOUTUBE_VIDEOS, INSTAGRAM_MEDIA, TIKTOK_VIDEOS, SHOP_ORDERS = entities_for(
    ["youtube/videos", "instagram/media", "tiktok/videos", "shop/orders"]
)
DAY = date(2026, 2, 5)
NEXT_DAY = date(2026, 2, 6)
TIKTOK_VIDEO_ID = 7301234567890123457  # conftest's; above 2**53

Land = Callable[..., Path]
Records = Callable[[str], list[dict[str, Any]]]


def critical_message(report) -> str:
    with pytest.raises(DataQualityError) as caught:
        raise_on_critical(report)
    return str(caught.value)


def flat(entity, payload: dict[str, Any], record_key: str = "k") -> dict[str, Any]:
    envelope = {
        "extracted_at": "2026-02-05T00:05:12+00:00",
        "record_key": record_key,
        "parent_key": None,
        "payload": payload,
    }
    return flatten_line(json.dumps(envelope).encode(), entity.fields, 1)


# --- flattening, without Great Expectations -------------------------------------------------


def test_youtube_counts_are_digit_strings_or_absent() -> None:
    row = flat(YOUTUBE_VIDEOS, {"statistics": {"viewCount": "3657", "likeCount": "-5"}})
    assert (row["view_count"], row["like_count"], row["comment_count"]) == (3657, -5, None)
    assert row["type_errors"] is None
    bad = flat(YOUTUBE_VIDEOS, {"statistics": {"viewCount": 3657, "likeCount": "12k"}})
    assert bad["view_count"] is None and bad["like_count"] is None
    assert bad["type_errors"] == (
        "statistics.viewCount=3657 (expected a count as a digit string); "
        'statistics.likeCount="12k" (expected a count as a digit string)'
    )


def test_tiktok_ids_keep_their_exact_digits() -> None:
    line = (
        b'{"extracted_at": "2026-02-05T00:00:00+00:00", "record_key": "7301234567890123457", '
        b'"parent_key": "theo", "payload": {"id": 7301234567890123457, "create_time": 1770200000}}'
    )
    row = flatten_line(line, TIKTOK_VIDEOS.fields, 1)
    assert row["video_id"] == row["record_key"] == "7301234567890123457"
    assert row["published_at"].isoformat() == "2026-02-04T10:13:20+00:00"


def test_instagram_timestamps_and_shop_codes() -> None:
    row = flat(INSTAGRAM_MEDIA, {"timestamp": "2023-06-12T19:20:02+0000", "like_count": True})
    assert row["published_at"].isoformat() == "2023-06-12T19:20:02+00:00"
    assert row["type_errors"] == "like_count=true (expected an integer)"
    order = flat(SHOP_ORDERS, {"discount_codes": [{"code": "A"}, {"code": "B"}]})
    assert order["discount_codes"] == "A,B"
    assert flat(SHOP_ORDERS, {"created_at": "2026-02-04T10:00:00"})["type_errors"] == (
        'created_at="2026-02-04T10:00:00" (expected an ISO 8601 timestamp with offset)'
    )


def test_shop_refunds_are_the_money_their_successful_transactions_returned() -> None:
    """Net revenue subtracts it (SPEC 5.2); a transaction amount dbt could not cast is a type
    error at landing (a critical one: the landing gate fails before the load), not a failed
    build."""

    def refund(*transactions: tuple[str, str, object]) -> dict[str, Any]:
        return {
            "transactions": [
                {"kind": kind, "status": status, "amount": amount}
                for kind, status, amount in transactions
            ]
        }

    good = {
        "refunds": [
            refund(("refund", "success", "12.50"), ("refund", "failure", "3.00")),
            refund(("refund", "success", "1.25")),
        ]
    }
    row = flat(SHOP_ORDERS, good)
    assert (row["refunded_amount"], row["type_errors"]) == (13.75, None)
    assert flat(SHOP_ORDERS, {"refunds": []})["refunded_amount"] == 0.0
    bad = flat(SHOP_ORDERS, {"refunds": [refund(("refund", "success", 12.5))]})
    assert bad["refunded_amount"] is None
    assert bad["type_errors"].startswith('refunds=[{"transactions": [{"kind": "refund"')
    assert bad["type_errors"].endswith(
        "(expected refunds whose transactions have a kind, a status and a decimal-string amount)"
    )
    assert flat(SHOP_ORDERS, {"refunds": [{"id": 1}]})["type_errors"] is not None


def test_broken_lines_become_rows_with_a_type_error() -> None:
    assert flatten_line(b"{not json\n", YOUTUBE_VIDEOS.fields, 7)["type_errors"].startswith(
        "line 7: not JSON"
    )
    assert flat(YOUTUBE_VIDEOS, None)["type_errors"] == "payload=null"  # type: ignore[arg-type]


def test_entities_are_the_twenty_four_of_the_landing_zone() -> None:
    assert len(ENTITIES) == 24
    assert {e.source for e in ENTITIES.values()} == {
        "youtube",
        "instagram",
        "tiktok",
        "shop",
        "crm",
    }
    with pytest.raises(ValueError, match="no_such/entity"):
        entities_for(["no_such/entity"])


# --- with Great Expectations ----------------------------------------------------------------


@pytest.mark.usefixtures("gx_imported")
def test_good_partitions_of_every_entity_pass(
    settings: Settings, land: Land, good_records: Records
) -> None:
    for entity in ENTITIES:
        land(entity, DAY, good_records(entity))
    report = validate_landing([DAY])
    assert report.success, [f.describe() for f in report.failed_critical]
    assert report.warnings == [], [f.describe() for f in report.warnings]
    assert len(report.suites) == 25  # twenty-four entities and the manifests
    assert report.suites[-1].suite == "landing.manifests" and report.suites[-1].rows == 24
    assert report.data_docs_index == settings.data_docs_dir / "landing" / "index.html"
    assert report.data_docs_index.is_file()
    home = report.data_docs_home.read_text(encoding="utf-8")
    assert 'href="landing/index.html"' in home and "landing.tiktok_videos" in home


@pytest.mark.usefixtures("gx_imported")
def test_negative_counts_fail_naming_the_expectation_and_the_line(
    land: Land, good_records: Records
) -> None:
    videos = good_records("youtube/videos")
    videos[0]["payload"]["statistics"]["likeCount"] = "-5"
    media = good_records("instagram/media")
    media[1]["payload"]["comments_count"] = -3
    land("youtube/videos", DAY, videos)
    land("instagram/media", DAY, media)
    report = validate_landing([DAY])
    found = {
        (f.suite, f.expectation_type, f.column, tuple(f.sample)) for f in report.failed_critical
    }
    assert found == {
        ("landing.youtube_videos", "expect_column_values_to_be_between", "like_count", (-5,)),
        (
            "landing.instagram_media",
            "expect_column_values_to_be_between",
            "comments_count",
            (-3,),
        ),
    }
    message = critical_message(report)
    assert (
        "landing.youtube_videos: expect_column_values_to_be_between(column='like_count'" in message
    )
    assert "e.g. [-5] at dt=2026-02-05 record_key=v1" in message


@pytest.mark.usefixtures("gx_imported")
def test_duplicated_key_within_a_partition_is_critical(land: Land, good_records: Records) -> None:
    videos = good_records("tiktok/videos")
    land("tiktok/videos", DAY, [*videos, videos[0]])
    report = validate_landing([DAY], ["tiktok/videos"])
    [failure] = report.failed_critical
    assert failure.expectation_type == "expect_compound_columns_to_be_unique"
    assert failure.sample == [{"dt": "2026-02-05", "record_key": str(TIKTOK_VIDEO_ID)}]
    assert str(TIKTOK_VIDEO_ID) in critical_message(report)


@pytest.mark.usefixtures("gx_imported")
def test_missing_field_and_wrong_type_are_critical(land: Land, good_records: Records) -> None:
    videos = good_records("youtube/videos")
    del videos[1]["payload"]["snippet"]["publishedAt"]
    videos[0]["payload"]["statistics"]["viewCount"] = "12k"
    land("youtube/videos", DAY, videos)
    report = validate_landing([DAY], ["youtube/videos"])
    found = {(f.expectation_type, f.column): f for f in report.failed_critical}
    assert set(found) == {
        ("expect_column_values_to_not_be_null", "published_at"),
        ("expect_column_values_to_be_null", "type_errors"),
    }
    assert found["expect_column_values_to_not_be_null", "published_at"].rows == [
        {"dt": "2026-02-05", "record_key": "v2"}
    ]
    message = critical_message(report)
    assert "expect_column_values_to_not_be_null(column='published_at')" in message
    assert 'statistics.viewCount="12k" (expected a count as a digit string)' in message


@pytest.mark.usefixtures("gx_imported")
def test_float_rounded_tiktok_id_is_caught(land: Land, good_records: Records) -> None:
    videos = good_records("tiktok/videos")
    videos[0]["record_key"] = str(int(float(TIKTOK_VIDEO_ID)))  # what a float round-trip gives
    land("tiktok/videos", DAY, videos)
    report = validate_landing([DAY], ["tiktok/videos"])
    [failure] = report.failed_critical
    assert (failure.expectation_type, failure.kwargs["column_A"]) == (
        "expect_column_pair_values_to_be_equal",
        "record_key",
    )
    assert failure.sample == [[str(int(float(TIKTOK_VIDEO_ID))), str(TIKTOK_VIDEO_ID)]]


@pytest.mark.usefixtures("gx_imported")
def test_manifest_count_mismatch_is_critical(land: Land, good_records: Records) -> None:
    land("youtube/channels", DAY, good_records("youtube/channels"), record_count=3)
    report = validate_landing([DAY], ["youtube/channels"])
    [failure] = report.failed_critical
    assert (failure.suite, failure.expectation_type) == (
        "landing.manifests",
        "expect_column_pair_values_to_be_equal",
    )
    assert (failure.kwargs["column_A"], failure.sample) == ("record_count", [[3, 2]])
    assert failure.rows == [{"dt": "2026-02-05", "record_key": "youtube/channels"}]
    assert "record_key=youtube/channels" in critical_message(report)


@pytest.mark.usefixtures("gx_imported")
def test_crm_row_problems_are_warnings(land: Land, good_records: Records) -> None:
    # SPEC 3.2: bad CRM rows are quarantined while the rest loads, so they must not stop it.
    payments = good_records("crm/payments")
    payments[0]["payload"].update(amount="-10.00", status="lost", due_on="2026-02-31x")
    land("crm/payments", DAY, [*payments, payments[0]])
    report = validate_landing([DAY], ["crm/payments"])
    assert report.success
    assert {(f.expectation_type, f.column) for f in report.warnings} == {
        ("expect_column_values_to_be_null", "type_errors"),
        ("expect_compound_columns_to_be_unique", None),
        ("expect_column_values_to_be_between", "amount"),
        ("expect_column_values_to_be_in_set", "status"),
    }


def partitions_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the partitions the landing validation reads from now on, in order."""
    read: list[str] = []
    real = landing_module.read_partition

    def spy(partition):
        read.append(partition.name)
        return real(partition)

    monkeypatch.setattr(landing_module, "read_partition", spy)
    return read


@pytest.mark.usefixtures("gx_imported")
def test_only_the_partitions_asked_for_are_read(
    land: Land, good_records: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DAY is corrupt; validating NEXT_DAY must neither read it nor fail because of it.
    land("youtube/videos", DAY, good_records("youtube/videos"), record_count=99)
    land("youtube/videos", NEXT_DAY, good_records("youtube/videos"))
    land("crm/creators", DAY, good_records("crm/creators"))
    read = partitions_read(monkeypatch)

    report = validate_landing([NEXT_DAY])
    assert report.success and read == ["youtube/videos/dt=2026-02-06"]
    assert [s.suite for s in report.suites] == ["landing.youtube_videos", "landing.manifests"]

    read.clear()  # default: every partition the load will pick up (nothing is loaded yet)
    report = validate_landing()
    assert read == [
        "youtube/videos/dt=2026-02-05",
        "youtube/videos/dt=2026-02-06",
        "crm/creators/dt=2026-02-05",
    ]
    assert [(f.suite, f.rows) for f in report.failed_critical] == [
        ("landing.manifests", [{"dt": "2026-02-05", "record_key": "youtube/videos"}])
    ]

    read.clear()  # two days of one entity: the same keys on two days are fine, DAY's count not
    report = validate_landing([DAY, NEXT_DAY], ["youtube/videos"])
    assert read == ["youtube/videos/dt=2026-02-05", "youtube/videos/dt=2026-02-06"]
    assert [(f.suite, f.rows) for f in report.failed_critical] == [
        ("landing.manifests", [{"dt": "2026-02-05", "record_key": "youtube/videos"}])
    ]


@pytest.mark.usefixtures("gx_imported")
def test_no_partition_on_the_day_is_nothing_to_validate(settings: Settings) -> None:
    report = validate_landing([DAY])
    assert report.success and report.suites == []
    assert report.data_docs_index is None
    assert "landing: " in report.data_docs_home.read_text(encoding="utf-8")


def edit_after_landing(folder: Path) -> None:
    """Issue 17 item 3: one subscriberCount changed and a line deleted in records.jsonl after
    the partition landed, its manifest left as it was."""
    records = folder / "records.jsonl"
    lines = records.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[0] = lines[0].replace('"subscriberCount": "49300"', '"subscriberCount": "999999999"')
    records.write_text("".join(lines[:1]), encoding="utf-8")


@pytest.mark.usefixtures("gx_imported")
def test_an_older_partition_edited_after_landing_fails_validation(
    land: Land, good_records: Records
) -> None:
    # Only each entity's newest partition used to be validated, while the load picks up every
    # partition not loaded yet: the edited older one passed and 999999999 reached `raw`.
    edited = land("youtube/channels", DAY, good_records("youtube/channels"))
    land("youtube/channels", NEXT_DAY, good_records("youtube/channels"))
    edit_after_landing(edited)
    report = validate_landing()
    found = {(f.expectation_type, f.kwargs["column_A"]): f for f in report.failed_critical}
    assert set(found) == {
        ("expect_column_pair_values_to_be_equal", "record_count"),
        ("expect_column_pair_values_to_be_equal", "checksum"),
    }
    assert found["expect_column_pair_values_to_be_equal", "record_count"].sample == [[2, 1]]
    assert "dt=2026-02-05 record_key=youtube/channels" in critical_message(report)


@pytest.mark.usefixtures("gx_imported")
def test_partitions_already_loaded_are_not_read_again(
    settings: Settings, land: Land, good_records: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    from warehouse.load import load_landing

    land("youtube/videos", DAY, good_records("youtube/videos"))
    load_landing(settings=settings)
    land("youtube/videos", NEXT_DAY, good_records("youtube/videos"))
    read = partitions_read(monkeypatch)
    assert validate_landing().success
    assert validate_landing([DAY, NEXT_DAY]).success
    # The load picks up NEXT_DAY only, so only NEXT_DAY is validated (cost follows new data).
    assert read == ["youtube/videos/dt=2026-02-06"] * 2
