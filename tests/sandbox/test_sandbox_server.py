"""The sandbox over HTTP, its clock, background start/stop, the CRM export and ground truth."""

from __future__ import annotations

import json
import logging
import socket
from datetime import UTC, date, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import NamedTuple

import pytest
import requests

from sandbox import instagram_api, shop_api, tiktok_api
from sandbox.cli import main
from sandbox.crm import write_crm
from sandbox.faults import EXTRA_FIELD
from sandbox.ground_truth import build_ground_truth
from sandbox.server import SandboxServer, make_server, running, scrub_secrets, stop
from sandbox.world import World
from sandbox.youtube_api import DEFAULT_API_KEY

SEED, ACCOUNTS, DAYS = 42, 20, 30
PLATFORMS = ("youtube", "instagram", "tiktok", "shop")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_clock_changes_what_is_visible(server: SandboxServer, world: World) -> None:
    base = server.base_url
    channel = world.accounts_on("youtube")[0]
    posts = world.posts(channel.index)
    post = next(i for i, s in enumerate(posts.published_s) if s >= 5 * 86_400)
    video_id = world.video_id(channel.index, post)
    published_on = world.post_published_at(channel.index, post).date()
    params = {"part": "id", "id": video_id, "key": DEFAULT_API_KEY}

    def visible_on(day: date) -> bool:
        answer = requests.post(f"{base}/_sandbox/clock", json={"day": day.isoformat()}, timeout=5)
        assert answer.status_code == 200 and answer.json() == {"day": day.isoformat()}
        assert requests.get(f"{base}/_sandbox/clock", timeout=5).json() == {"day": day.isoformat()}
        items = requests.get(f"{base}/youtube/v3/videos", params=params, timeout=5).json()["items"]
        return bool(items)

    assert not visible_on(published_on - timedelta(days=1))
    assert visible_on(published_on)
    outside = requests.post(f"{base}/_sandbox/clock", json={"day": "2030-01-01"}, timeout=5)
    assert outside.status_code == 400
    assert requests.get(f"{base}/_sandbox/clock", timeout=5).json() == {
        "day": published_on.isoformat()
    }


def test_the_date_header_says_the_clock_day_has_just_ended(
    server: SandboxServer, world: World
) -> None:
    """Clock day D: the platforms answer as they were just after D ended, and their `Date` says
    so (D+1 00:05 UTC), inside the window a daily run of the interval [D, D+1) accepts."""
    day = world.start_date + timedelta(days=3)
    server.set_day(day)
    params = {"part": "id", "id": "x", "key": DEFAULT_API_KEY}
    answer = requests.get(f"{server.base_url}/youtube/v3/videos", params=params, timeout=5)
    answered = parsedate_to_datetime(answer.headers["Date"])
    assert answered == datetime.combine(day + timedelta(days=1), time(0, 5), tzinfo=UTC)


def test_quota_error_body_over_http(world: World) -> None:
    params = {"part": "id", "id": "x", "key": DEFAULT_API_KEY}
    with running(make_server(world, port=0, daily_quota=1)) as srv:
        assert requests.get(f"{srv.base_url}/youtube/v3/videos", params=params, timeout=5).ok
        response = requests.get(f"{srv.base_url}/youtube/v3/videos", params=params, timeout=5)
    assert response.status_code == 403
    assert "Retry-After" not in response.headers
    assert "\\u003ca href" in response.text  # escaped as Google does on the wire
    assert response.json()["error"]["errors"][0]["reason"] == "quotaExceeded"


def test_request_logs_never_show_credentials(
    server: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="sandbox.server")
    secrets = {"key": "yt-secret-1", "access_token": "ig-secret-2", "client_secret": "tt-secret-3"}
    requests.get(f"{server.base_url}/youtube/v3/channels", params=secrets, timeout=5)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/youtube/v3/channels" in logged  # the request is logged ...
    assert not any(secret in logged for secret in secrets.values())  # ... its secrets are not
    for header in (
        "X-Shopify-Access-Token: shpat_secret",
        "Authorization: Bearer clt.secret",
        "x-goog-api-key: AIza-secret",
    ):
        assert "secret" not in scrub_secrets(header)


class Credentials(NamedTuple):
    youtube_key: str = DEFAULT_API_KEY
    instagram_token: str = instagram_api.DEFAULT_ACCESS_TOKEN
    tiktok_key: str = tiktok_api.DEFAULT_CLIENT_KEY
    tiktok_secret: str = tiktok_api.DEFAULT_CLIENT_SECRET
    shop_token: str = shop_api.DEFAULT_ACCESS_TOKEN


def _one_call_each(base: str, world: World, creds: Credentials) -> dict[str, requests.Response]:
    """One ordinary call to each platform under its real path, with `creds`."""
    youtube = world.accounts_on("youtube")[0]
    insta = world.accounts_on("instagram")[0]
    tiktok = world.accounts_on("tiktok")[0]
    with requests.Session() as session:
        answers = {
            "youtube": session.get(
                f"{base}/youtube/v3/channels",
                params={"part": "statistics", "id": youtube.platform_id, "key": creds.youtube_key},
                timeout=5,
            ),
            "instagram": session.get(
                f"{base}/instagram/v25.0/{instagram_api.BRAND_IG_USER_ID}",
                params={
                    "fields": f"business_discovery.username({insta.handle}){{followers_count}}",
                    "access_token": creds.instagram_token,
                },
                timeout=5,
            ),
            "shop": session.get(
                f"{base}/shop/admin/api/2025-01/orders.json",
                params={"status": "any", "limit": 5},
                headers={"X-Shopify-Access-Token": creds.shop_token},
                timeout=5,
            ),
        }
        form = {
            "client_key": creds.tiktok_key,
            "client_secret": creds.tiktok_secret,
            "grant_type": "client_credentials",
        }
        token = session.post(f"{base}/tiktok/v2/oauth/token/", data=form, timeout=5)
        answers["tiktok"] = token
        if token.ok:
            answers["tiktok"] = session.post(
                f"{base}/tiktok/v2/research/user/info/",
                params={"fields": "display_name,follower_count"},
                json={"username": tiktok.handle},
                headers={"Authorization": f"Bearer {token.json()['access_token']}"},
                timeout=5,
            )
    return answers


def test_every_platform_answers_under_its_real_path(server: SandboxServer, world: World) -> None:
    answers = _one_call_each(server.base_url, world, Credentials())
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 200)
    youtube, instagram, tiktok, shop = (answers[p].json() for p in PLATFORMS)
    assert youtube["items"][0]["id"] == world.accounts_on("youtube")[0].platform_id
    assert isinstance(instagram["business_discovery"]["followers_count"], int)
    assert tiktok["error"]["code"] == "ok" and isinstance(tiktok["data"]["follower_count"], int)
    assert isinstance(shop["orders"], list)
    usage = requests.get(f"{server.base_url}/_sandbox/usage", timeout=5).json()
    assert set(usage) == set(PLATFORMS)
    assert all(usage[p] for p in PLATFORMS)  # each platform counted its call
    health = requests.get(f"{server.base_url}/_sandbox/health", timeout=5).json()
    assert health["platforms"] == list(PLATFORMS) and health["faults"] == ""
    assert requests.get(f"{server.base_url}/elsewhere/v1/x", timeout=5).status_code == 404


def test_background_start_with_credentials_faults_clock_and_stop(
    tmp_path: Path, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    port = _free_port()
    pid_file = tmp_path / "sandbox.pid"
    world_args = ["--seed", str(SEED), "--accounts", str(ACCOUNTS), "--days", str(DAYS)]
    creds = Credentials("yt-k", "ig-t", "tt-k", "tt-s", "shop-t")
    options = [
        *("--api-key", creds.youtube_key, "--instagram-token", creds.instagram_token),
        *("--tiktok-client-key", creds.tiktok_key, "--tiktok-client-secret", creds.tiktok_secret),
        *("--shop-token", creds.shop_token, "--faults", "extra=1,seed=3"),
        *("--port", str(port), "--pid-file", str(pid_file), "--background"),
    ]
    assert main(["serve", *world_args, *options]) == 0
    try:
        assert pid_file.exists()
        base = f"http://127.0.0.1:{port}"
        health = requests.get(f"{base}/_sandbox/health", timeout=5).json()
        assert health["accounts"] == ACCOUNTS and health["faults"] == "extra=1,seed=3"
        answers = _one_call_each(base, world, creds)
        assert all(r.status_code == 200 and EXTRA_FIELD in r.json() for r in answers.values())
        refused = _one_call_each(base, world, Credentials())  # the defaults no longer work
        assert all(r.status_code in (400, 401, 403) for r in refused.values())
        assert main(["clock", "--port", str(port), "--day", "2026-01-04"]) == 0
        assert requests.get(f"{base}/_sandbox/clock", timeout=5).json() == {"day": "2026-01-04"}
    finally:
        assert main(["stop", "--pid-file", str(pid_file)]) == 0
    assert "sandbox stopped" in capsys.readouterr().out
    assert not pid_file.exists()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/_sandbox/health", timeout=2)
    assert not stop(pid_file)  # nothing left to stop


def test_write_crm_as_of_a_day_with_bad_rows(
    tmp_path: Path, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    day = world.start_date + timedelta(days=12)
    args = ["--seed", str(SEED), "--accounts", str(ACCOUNTS), "--days", str(DAYS)]
    inbox = tmp_path / "inbox"
    options = ["--inbox", str(inbox), "--day", day.isoformat(), "--bad-rows", "0.3"]
    assert main(["write-crm", *args, *options]) == 0
    expected = write_crm(world, tmp_path / "direct", day=day, bad_row_share=0.3)
    assert sorted(p.name for p in inbox.iterdir()) == sorted(p.name for p in expected)
    for path in expected:  # the command writes what the library call does
        assert (inbox / path.name).read_bytes() == path.read_bytes()
    clean = write_crm(world, tmp_path / "clean", day=day)
    assert any(p.read_bytes() != (inbox / p.name).read_bytes() for p in clean)
    older = tmp_path / "older"  # the older templates, without the second wave's columns
    assert (
        main(["write-crm", *args, "--inbox", str(older), "--day", str(day), "--older-templates"])
        == 0
    )
    expected = write_crm(world, tmp_path / "older-direct", day=day, second_wave=False)
    assert all((older / p.name).read_bytes() == p.read_bytes() for p in expected)
    assert b"utm_campaign" not in (older / "contracts.csv").read_bytes()
    assert b"commission_rate" not in (older / "contracts.csv").read_bytes()
    assert b"commission" not in (older / "payments.csv").read_bytes()
    with pytest.raises(SystemExit):
        main(["write-crm", *args, "--inbox", str(inbox), "--bad-rows", "1.5"])
    assert "not a share between 0 and 1" in capsys.readouterr().err


def test_ground_truth_matches_the_api(tmp_path: Path, world: World, server: SandboxServer) -> None:
    day = world.start_date + timedelta(days=9)
    out = tmp_path / "gt.json"
    args = ["--seed", str(SEED), "--accounts", str(ACCOUNTS), "--days", str(DAYS)]
    assert main(["ground-truth", *args, "--day", day.isoformat(), "--out", str(out)]) == 0
    truth = json.loads(out.read_text(encoding="utf-8"))
    assert truth == json.loads(json.dumps(build_ground_truth(world, day)))
    assert truth["as_of"] == day.isoformat()
    channels = truth["youtube"]["channels"]
    assert truth["counts"]["youtube_channels"] == len(channels) == len(world.accounts_on("youtube"))
    assert truth["counts"]["youtube_videos"] == sum(len(c["videos"]) for c in channels.values())
    server.set_day(day)
    for channel_id, channel in channels.items():
        assert len(channel["subscriber_counts"]) == 10
        params = {"part": "statistics", "id": channel_id, "key": DEFAULT_API_KEY}
        stats = requests.get(
            f"{server.base_url}/youtube/v3/channels", params=params, timeout=5
        ).json()["items"][0]["statistics"]
        shown = stats.get("subscriberCount")
        assert channel["subscriber_counts"][-1] == (None if shown is None else int(shown))
        assert int(stats["videoCount"]) == channel["video_count"] == len(channel["videos"])
