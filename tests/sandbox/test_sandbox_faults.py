"""Fault injection over real HTTP: each fault kind served as specified, observed rates that match
the configuration, bursts that end, and a retrying client that ends up with the same records."""

from __future__ import annotations

import json
import math
import random
import re
import socket
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest
import requests

from extractors import instagram, shop, tiktok, youtube
from extractors.errors import ExtractError, RetryableError
from sandbox import instagram_api, shop_api, tiktok_api
from sandbox.cli import main
from sandbox.faults import (
    EXTRA_FIELD,
    FaultConfig,
    FaultConfigError,
    FaultInjector,
    FaultRequest,
)
from sandbox.server import SandboxServer
from sandbox.world import World
from sandbox.youtube_api import DEFAULT_API_KEY, ApiResponse

SEED, ACCOUNTS, DAYS = 42, 20, 30
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
SHOP_TOKEN = shop_api.DEFAULT_ACCESS_TOKEN


def set_faults(server: SandboxServer, text: str) -> dict[str, Any]:
    """Through the control endpoint, as a test harness drives a running sandbox."""
    answer = requests.post(f"{server.base_url}/_sandbox/faults", json={"faults": text}, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def fault_stats(server: SandboxServer) -> dict[str, Any]:
    return requests.get(f"{server.base_url}/_sandbox/faults", timeout=5).json()


def busiest_uploads(world: World) -> str:
    last = world.day_index(world.end_date)
    channel = max(world.accounts_on("youtube"), key=lambda a: world.visible_count(a.index, last))
    return "UU" + channel.platform_id[2:]


def playlist_params(uploads: str, page_token: str | None = None) -> dict[str, Any]:
    params = {"part": "contentDetails", "playlistId": uploads, "maxResults": 5}
    params["key"] = DEFAULT_API_KEY
    return {**params, "pageToken": page_token} if page_token else params


def get(session: requests.Session, server: SandboxServer, endpoint: str, params: dict) -> Any:
    return session.get(f"{server.base_url}/youtube/v3/{endpoint}", params=params, timeout=5)


def within_binomial(hits: int, trials: int, p: float, sigmas: float = 4.0) -> bool:
    return abs(hits - trials * p) <= sigmas * math.sqrt(trials * p * (1 - p)) + 1


# ---- the fault string -------------------------------------------------------------------------


def test_fault_string_is_parsed_and_printed_back() -> None:
    text = "rate=0.1,5xx=0.05,timeout=0.01,truncate=0.01,dup=0.05,slow=0.02,extra=0.1"
    config = FaultConfig.parse(f" {text}, hang=1.5 ,slow_s=0.2,retry_after=2,burst=4,seed=9")
    rates = {"rate": 0.1, "5xx": 0.05, "timeout": 0.01, "truncate": 0.01, "dup": 0.05}
    rates |= {"slow": 0.02, "extra": 0.1}
    tuning = {"hang": 1.5, "slow_s": 0.2, "retry_after": 2.0, "burst": 4, "seed": 9}
    assert config == FaultConfig(rates=rates, **tuning)
    assert FaultConfig.parse(str(config)) == config
    precise = FaultConfig.parse("dup=0.123456789,slow_s=0.0001")
    assert FaultConfig.parse(str(precise)) == precise
    assert not FaultConfig.parse("").active and not FaultConfig.parse(None).active
    assert not FaultConfig.parse("burst=5").active  # tuning alone injects nothing


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("ratelimit=0.1", "'ratelimit'"),
        ("rate=lots", "rate='lots'"),
        ("5xx=1.5", "5xx='1.5'"),
        ("burst=0", "burst='0'"),
        ("seed=1.5", "seed='1.5'"),
        ("hang=-1", "hang='-1'"),
        ("hang=inf", "hang='inf'"),
        ("extra=nan", "extra='nan'"),
        ("rate", "'rate'"),
        ("rate=0.1,rate=0.2", "'rate' is given twice"),
        ("rate=0.6,5xx=0.3,timeout=0.2", "rate \\+ 5xx \\+ timeout"),
    ],
)
def test_a_bad_fault_string_names_what_is_wrong(text: str, named: str) -> None:
    with pytest.raises(FaultConfigError, match=named):
        FaultConfig.parse(text)


def test_serve_rejects_a_bad_fault_string(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--faults", "rate=0.1,5xx=abc", "--port", "0"])
    assert stopped.value.code == 2
    assert "5xx='abc'" in capsys.readouterr().err


def test_control_endpoint_rejects_a_bad_fault_string(server: SandboxServer) -> None:
    set_faults(server, "rate=0.5")
    answer = requests.post(
        f"{server.base_url}/_sandbox/faults", json={"faults": "rate=0.5,dupe=1"}, timeout=5
    )
    assert answer.status_code == 400 and "'dupe'" in answer.json()["error"]
    assert fault_stats(server)["config"] == "rate=0.5"  # the running configuration stays


# ---- each kind as served ----------------------------------------------------------------------


# ---- each platform's own style ---------------------------------------------------------------


class Call(NamedTuple):
    method: str
    url: str
    params: dict[str, Any] | None = None
    json: dict[str, Any] | None = None
    headers: dict[str, str] | None = None
    form: dict[str, str] | None = None

    def send(self, session: requests.Session) -> requests.Response:
        return session.request(
            self.method, self.url, params=self.params, json=self.json, data=self.form,
            headers=self.headers, timeout=5,
        )  # fmt: skip


class Platform(NamedTuple):
    """How a client pages through one listing of a platform, and how the pipeline reads it."""

    first_page: Callable[[SandboxServer, World, requests.Session], Call]
    next_page: Callable[[Call, requests.Response], Call | None]
    items: Callable[[dict[str, Any]], list[Any]]
    record: Callable[[dict[str, Any]], dict[str, Any]]  # the object records live in
    classify: Callable[[requests.Response], ExtractError | None]  # the extractor's


def _youtube_first(server: SandboxServer, world: World, session: requests.Session) -> Call:
    params = playlist_params(busiest_uploads(world))
    return Call("GET", f"{server.base_url}/youtube/v3/playlistItems", params)


def _youtube_next(call: Call, response: requests.Response) -> Call | None:
    token = response.json().get("nextPageToken")
    return call._replace(params={**(call.params or {}), "pageToken": token}) if token else None


def _busiest(world: World, platform: str) -> str:
    last = world.day_index(world.end_date)
    return max(world.accounts_on(platform), key=lambda a: world.visible_count(a.index, last)).handle


def _instagram_fields(username: str) -> str:
    return f"business_discovery.username({username}){{id,username,media.limit(5){{id,timestamp}}}}"


def _instagram_first(server: SandboxServer, world: World, session: requests.Session) -> Call:
    params = {
        "fields": _instagram_fields(_busiest(world, "instagram")),
        "access_token": instagram_api.DEFAULT_ACCESS_TOKEN,
    }
    path = f"/instagram/v25.0/{instagram_api.BRAND_IG_USER_ID}"
    return Call("GET", f"{server.base_url}{path}", params)


def _instagram_next(call: Call, response: requests.Response) -> Call | None:
    media = response.json()["business_discovery"]["media"]
    after = media.get("paging", {}).get("cursors", {}).get("after")
    if not after:
        return None
    params = dict(call.params or {})
    media_edge = re.compile(r"media\.limit\(5\)(\.after\([^()]*\))?")
    params["fields"] = media_edge.sub(f"media.limit(5).after({after})", params["fields"])
    return call._replace(params=params)


def _until_ok(session: requests.Session, call: Call) -> requests.Response:
    for _ in range(50):  # every attempt is a fresh draw: a few suffice
        try:
            response = call.send(session)
            if response.status_code == 200:
                response.json()  # a cut body does not count
                return response
        except (requests.ConnectionError, ValueError):
            pass
    raise AssertionError(f"no success in 50 attempts: {call}")


def _tiktok_first(server: SandboxServer, world: World, session: requests.Session) -> Call:
    form = {
        "client_key": tiktok_api.DEFAULT_CLIENT_KEY,
        "client_secret": tiktok_api.DEFAULT_CLIENT_SECRET,
        "grant_type": "client_credentials",
    }
    token_call = Call("POST", f"{server.base_url}/tiktok/v2/oauth/token/", form=form)
    token = _until_ok(session, token_call).json()  # faults may hit the token endpoint too
    username = _busiest(world, "tiktok")
    query = {"and": [{"operation": "EQ", "field_name": "username", "field_values": [username]}]}
    payload = {
        "query": query,
        "start_date": world.start_date.strftime("%Y%m%d"),
        "end_date": world.end_date.strftime("%Y%m%d"),
        "max_count": 5,
        "cursor": 0,
    }
    return Call(
        "POST",
        f"{server.base_url}/tiktok/v2/research/video/query/",
        {"fields": "id,create_time"},
        payload,
        {"Authorization": f"Bearer {token['access_token']}"},
    )


def _tiktok_next(call: Call, response: requests.Response) -> Call | None:
    data = response.json()["data"]
    if not data.get("has_more"):
        return None
    following = {**(call.json or {}), "cursor": data["cursor"], "search_id": data["search_id"]}
    return call._replace(json=following)


def _shop_first(server: SandboxServer, world: World, session: requests.Session) -> Call:
    return Call(
        "GET",
        f"{server.base_url}/shop/admin/api/2025-01/orders.json",
        {"status": "any", "limit": 5},
        headers={"X-Shopify-Access-Token": SHOP_TOKEN},
    )


def _shop_next(call: Call, response: requests.Response) -> Call | None:
    links = requests.utils.parse_header_links(response.headers.get("Link", ""))
    url = next((link["url"] for link in links if link.get("rel") == "next"), None)
    return call._replace(url=url, params=None) if url else None


PLATFORMS = {
    "youtube": Platform(
        _youtube_first, _youtube_next, lambda b: b["items"], lambda b: b, youtube.classify
    ),
    "instagram": Platform(
        _instagram_first,
        _instagram_next,
        lambda b: b["business_discovery"]["media"]["data"],
        lambda b: b["business_discovery"],
        instagram.classify,
    ),
    "tiktok": Platform(
        _tiktok_first,
        _tiktok_next,
        lambda b: b["data"]["videos"],
        lambda b: b["data"],
        tiktok.classify,
    ),
    "shop": Platform(_shop_first, _shop_next, lambda b: b["orders"], lambda b: b, shop.classify),
}


def _check_rate_limit(platform: str, response: requests.Response) -> Any:
    """What each platform's throttle looks like (reference/platform_api_shapes.md); returns the
    detail that varies (a reason or a code)."""
    body = response.json()
    if platform == "youtube":
        assert response.status_code == 403 and "Retry-After" not in response.headers
        error = body["error"]
        assert error["code"] == 403 and error["errors"][0]["domain"] == "usageLimits"
        return error["errors"][0]["reason"]
    if platform == "instagram":
        assert response.status_code == 400 and "Retry-After" not in response.headers
        assert body["error"]["is_transient"] is True
        usage = json.loads(response.headers["X-Business-Use-Case-Usage"])
        entry = usage[instagram_api.BRAND_IG_USER_ID][0]
        assert entry["estimated_time_to_regain_access"] == 0  # retry_after=0.5 s: 0 minutes
        return body["error"]["code"]
    if platform == "tiktok":
        assert response.status_code == 429 and body["data"] == {}
        return body["error"]["code"]
    assert response.status_code == 429 and response.headers["Retry-After"] == "0.5"
    return body["errors"]


RATE_LIMIT_VARIANTS = {
    "youtube": {"rateLimitExceeded", "userRateLimitExceeded"},
    "instagram": {4, 17, 32, 613, 80002},
    "tiktok": {"rate_limit_exceeded"},
    "shop": {
        "Exceeded 2 calls per second for api client. "
        "Reduce request rates to resume uninterrupted service."
    },
}


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_rate_limits_in_each_platforms_own_style(
    server: SandboxServer, world: World, platform: str
) -> None:
    set_faults(server, "")
    usage = f"{server.base_url}/_sandbox/usage"
    with requests.Session() as session:
        call = PLATFORMS[platform].first_page(server, world, session)
        usage_before = requests.get(usage, timeout=5).json()[platform]
        set_faults(server, "rate=1")
        variants = set()
        for _ in range(60):
            response = call.send(session)
            variants.add(_check_rate_limit(platform, response))
            error = PLATFORMS[platform].classify(response)
            # The pipeline must wait and try again: not stop for the day, not fail on auth.
            assert type(error) is RetryableError, (platform, error)
    assert variants == RATE_LIMIT_VARIANTS[platform]
    # A throttled call never reached the API: it spends none of the platform's quota.
    assert requests.get(usage, timeout=5).json()[platform] == usage_before
    assert fault_stats(server)["platforms"][platform]["rate"] == {"seen": 60, "injected": 60}


def _error_detail(platform: str, body: dict[str, Any]) -> Any:
    if platform == "youtube":
        return body["error"]["errors"][0]["reason"]
    if platform == "instagram":
        return body["error"]["is_transient"]
    if platform == "tiktok":
        return body["error"]["code"]
    return isinstance(body["errors"], str)


SERVER_ERROR_DETAIL = {
    "youtube": "backendError",
    "instagram": True,
    "tiktok": "internal_error",
    "shop": True,
}


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_5xx_in_each_platforms_error_body(
    server: SandboxServer, world: World, platform: str
) -> None:
    set_faults(server, "")
    statuses = set()
    with requests.Session() as session:
        call = PLATFORMS[platform].first_page(server, world, session)
        set_faults(server, "5xx=1,burst=1")
        for _ in range(40):
            response = call.send(session)
            statuses.add(response.status_code)
            assert _error_detail(platform, response.json()) == SERVER_ERROR_DETAIL[platform]
            assert type(PLATFORMS[platform].classify(response)) is RetryableError
    assert statuses == {500, 502, 503}


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_duplicates_and_extra_fields_on_each_platforms_pages(
    server: SandboxServer, world: World, platform: str
) -> None:
    spec = PLATFORMS[platform]
    set_faults(server, "")
    with requests.Session() as session:
        first_call = spec.first_page(server, world, session)
        first = first_call.send(session)
        second_call = spec.next_page(first_call, first)
        assert second_call is not None, "the listing needs a second page"
        clean_second = spec.items(second_call.send(session).json())
        set_faults(server, "dup=1,extra=1")
        first_again = first_call.send(session).json()
        second = second_call.send(session).json()
    for body in (first_again, second):
        assert EXTRA_FIELD in body and EXTRA_FIELD in spec.record(body)
        assert all(EXTRA_FIELD in item for item in spec.items(body))
    plain = [{k: v for k, v in i.items() if k != EXTRA_FIELD} for i in spec.items(second)]
    # The follow-up page starts with the previous page's last item; a first page never repeats.
    assert plain == [spec.items(first.json())[-1], *clean_second]
    assert len(spec.items(first_again)) == len(spec.items(first.json()))
    assert fault_stats(server)["platforms"][platform]["dup"] == {"seen": 1, "injected": 1}


def test_bursts_follow_a_client_and_endpoint_and_end() -> None:
    burst, p = 4, 0.1
    injector = FaultInjector(FaultConfig.parse(f"5xx={p},burst={burst},seed=3"))
    ok = ApiResponse(200, {}, {"items": []})
    failed: dict[tuple[str, str], bool] = {}
    run: dict[tuple[str, str], int] = {}
    continuations = 0
    rng = random.Random(1)
    for _ in range(6000):
        key = (rng.choice(["10.0.0.1", "10.0.0.2"]), rng.choice(["/youtube/v3/a", "/youtube/v3/b"]))
        before = injector.stats()["platforms"].get("youtube", {}).get("burst_continuations", 0)
        outcome = injector.apply(
            FaultRequest("youtube", key[0], "GET", key[1], {}, None), lambda: ok
        )
        assert outcome.response is not None
        after = injector.stats()["platforms"]["youtube"]["burst_continuations"]
        if after > before:  # a continuation: only ever right after a failure of the same pair
            continuations += 1
            assert failed.get(key) and outcome.response.status >= 500
            run[key] = run.get(key, 1) + 1
            assert run[key] <= burst
        else:
            run[key] = 1
        failed[key] = outcome.response.status >= 500
    stats = injector.stats()["platforms"]["youtube"]["5xx"]
    assert within_binomial(stats["injected"], stats["seen"], p)
    # Burst lengths are uniform on 1..burst: (burst - 1) / 2 continuations per burst on average.
    mean_extra = continuations / stats["injected"]
    assert abs(mean_extra - (burst - 1) / 2) < 4 * math.sqrt(1.25 / stats["injected"])


def test_timeout_holds_the_request_then_drops_the_connection(
    server: SandboxServer, world: World
) -> None:
    set_faults(server, "timeout=1,hang=0.6")
    params = playlist_params(busiest_uploads(world))
    with pytest.raises(requests.ReadTimeout):  # a client whose read timeout is under `hang`
        requests.get(f"{server.base_url}/youtube/v3/playlistItems", params=params, timeout=0.2)
    query = "&".join(f"{k}={v}" for k, v in params.items())
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        started = time.monotonic()
        sock.sendall(f"GET /youtube/v3/playlistItems?{query} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert sock.recv(1024) == b""  # closed without a single byte of answer
        assert time.monotonic() - started >= 0.55


def test_slow_answers_wait_then_answer_in_full(server: SandboxServer, world: World) -> None:
    params = playlist_params(busiest_uploads(world))
    set_faults(server, "")
    clean = requests.get(f"{server.base_url}/youtube/v3/playlistItems", params=params, timeout=5)
    set_faults(server, "slow=1,slow_s=0.3")
    started = time.monotonic()
    slow = requests.get(f"{server.base_url}/youtube/v3/playlistItems", params=params, timeout=5)
    assert time.monotonic() - started >= 0.3
    assert slow.status_code == 200 and slow.content == clean.content


def test_truncated_body_is_half_of_it_with_a_matching_length(
    server: SandboxServer, world: World
) -> None:
    params = playlist_params(busiest_uploads(world))
    set_faults(server, "")
    clean = requests.get(f"{server.base_url}/youtube/v3/playlistItems", params=params, timeout=5)
    set_faults(server, "truncate=1")
    cut = requests.get(f"{server.base_url}/youtube/v3/playlistItems", params=params, timeout=5)
    assert cut.status_code == 200
    assert int(cut.headers["Content-Length"]) == len(cut.content) == len(clean.content) // 2
    assert clean.content.startswith(cut.content)
    with pytest.raises(ValueError):
        json.loads(cut.content)


# ---- rates as configured ----------------------------------------------------------------------


def test_observed_fault_rates_match_the_configuration(server: SandboxServer, world: World) -> None:
    config = FaultConfig.parse(
        "rate=0.1,5xx=0.05,timeout=0.03,truncate=0.05,dup=0.2,slow=0.05,extra=0.1,"
        "hang=0,slow_s=0,burst=2,seed=11"
    )
    set_faults(server, str(config))
    uploads = busiest_uploads(world)
    seen = {"rate": 0, "5xx": 0, "timeout": 0, "truncate": 0, "extra": 0, "dup": 0}
    last_item_before: dict[str, Any] = {}  # page token -> last item of the page that gave it
    token: str | None = None
    with requests.Session() as session:
        for _ in range(2500):
            try:
                response = get(session, server, "playlistItems", playlist_params(uploads, token))
            except requests.ConnectionError:
                seen["timeout"] += 1
                continue
            if response.status_code == 403:
                assert response.json()["error"]["errors"][0]["reason"] in RATE_REASONS
                seen["rate"] += 1
                continue
            if response.status_code >= 500:
                seen["5xx"] += 1
                continue
            assert response.status_code == 200
            try:
                body = response.json()
            except ValueError:
                seen["truncate"] += 1
                continue
            seen["extra"] += EXTRA_FIELD in body
            items = body["items"]
            if token and items[0] == last_item_before.get(token):
                seen["dup"] += 1
                items = items[1:]
            token = body.get("nextPageToken")  # at the end of the listing: start over
            if token:
                last_item_before[token] = items[-1]
    stats = fault_stats(server)["platforms"]["youtube"]
    assert stats["requests"] == 2500
    assert seen["rate"] == stats["rate"]["injected"]
    assert seen["timeout"] == stats["timeout"]["injected"]
    assert seen["5xx"] == stats["5xx"]["injected"] + stats["burst_continuations"]
    assert seen["truncate"] == stats["truncate"]["injected"]
    # A cut body hides its extra field or duplicate: the client sees at most what was injected.
    for kind in ("extra", "dup"):
        assert stats[kind]["injected"] - stats["truncate"]["injected"] <= seen[kind]
        assert seen[kind] <= stats[kind]["injected"]
    for kind in ("rate", "5xx", "timeout", "slow", "truncate", "extra", "dup"):
        counts = stats[kind]
        assert counts["seen"] > 200, kind
        assert within_binomial(counts["injected"], counts["seen"], config.rate(kind)), (
            kind,
            counts,
        )


# ---- a retrying client gets every record -----------------------------------------------------


MIXED_FAULTS = (
    "rate=0.15,5xx=0.1,timeout=0.05,truncate=0.1,dup=0.5,slow=0.05,extra=0.3,"
    "hang=0,slow_s=0.01,seed=5"
)
