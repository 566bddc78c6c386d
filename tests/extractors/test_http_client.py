"""The shared HTTP client: retries that honour the platform's hints, clean failures, no secrets."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from extractors.errors import (
    AuthError,
    IntervalNotOver,
    IntervalPassed,
    QuotaExhausted,
    RetryableError,
)
from extractors.http import ApiClient
from extractors.window import ANSWER_CLOCK_SKEW, AnswerWindow
from extractors.youtube import classify

SECRET = "s3cr3t-key-value"


class ScriptedHandler(BaseHTTPRequestHandler):
    """Answers each request with the next scripted (status, headers, body)."""

    script: list[tuple[int, dict[str, str], bytes]] = []
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        type(self).seen.append(self.path)
        status, headers, body = type(self).script.pop(0)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    ScriptedHandler.seen = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def client(base_url: str, waits: list[float]) -> ApiClient:
    return ApiClient(
        base_url,
        connection_id="irm_youtube",
        classify=classify,
        default_headers={"X-Goog-Api-Key": SECRET},
        sleep=waits.append,
    )


def ok(body: dict) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


def test_retries_429_5xx_and_truncated_bodies_honouring_retry_after(server) -> None:
    ScriptedHandler.script = [
        (429, {"Retry-After": "7"}, b"{}"),
        (503, {}, b"{}"),
        (200, {}, b'{"items": [{"id": "a"'),  # cut off in transit
        ok({"items": [{"id": "a"}]}),
    ]
    waits: list[float] = []
    with client(server, waits) as api:
        response = api.request("GET", "videos", params={"id": "a"}, quota_units=1)
    assert response.body == {"items": [{"id": "a"}]}
    assert waits[0] == 7.0  # the platform's own hint, not our backoff
    assert api.stats.calls == 4 and api.stats.retries == 3 and api.stats.quota_units == 4


def test_a_quota_budget_holds_across_retries(server) -> None:
    """Every attempt spends its units, so a run's budget is checked before each one: a call
    whose retries would pass the budget stops there (QuotaExhausted) instead of spending on."""
    ScriptedHandler.script = [ok({"items": []}), (503, {}, b"{}"), (503, {}, b"{}"), ok({})]
    waits: list[float] = []
    with client(server, waits) as api:
        api.quota_budgets = {"units": 3}
        api.request("GET", "videos", params={"id": "a"}, quota_units=1)
        with pytest.raises(QuotaExhausted, match="budget of 3 units"):
            api.request("GET", "videos", params={"id": "b"}, quota_units=1)
    assert api.stats.quota_units == 3  # 1 + two failed attempts; the third is never made
    assert len(ScriptedHandler.seen) == 3


def test_gives_up_after_max_attempts(server) -> None:
    ScriptedHandler.script = [(500, {}, b"{}")] * 3
    waits: list[float] = []
    api = ApiClient(server, connection_id="irm_youtube", max_attempts=3, sleep=waits.append)
    with pytest.raises(RetryableError):
        api.request("GET", "videos")
    assert api.stats.calls == 3


def test_auth_error_fails_at_once_naming_the_connection_not_the_secret(server) -> None:
    error = {"error": {"code": 400, "message": "API key not valid.", "errors": [
        {"reason": "badRequest"}], "details": [{"reason": "API_KEY_INVALID"}]}}  # fmt: skip
    ScriptedHandler.script = [(400, {}, json.dumps(error).encode())]
    with pytest.raises(AuthError) as caught, client(server, []) as api:
        api.request("GET", "channels")
    assert "irm_youtube" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert api.stats.calls == 1


def test_connection_errors_do_not_leak_the_key_in_messages() -> None:
    waits: list[float] = []
    api = client("http://127.0.0.1:9", waits)  # nothing listens on the discard port
    api.max_attempts = 2
    with pytest.raises(RetryableError) as caught:
        api.request("GET", "channels")
    assert SECRET not in str(caught.value)
    assert caught.value.__cause__ is None


def test_an_answer_dated_after_the_interval_deadline_stops_the_run(server) -> None:
    """The platform's Date header tells when it answered: an answer later than the deadline
    describes the present, not the interval being extracted, and is not retried."""
    ScriptedHandler.script = [ok({"items": []}), ok({"items": []})]
    api = client(server, [])
    ended = datetime.now(UTC) - timedelta(hours=2)
    api.answer_window = AnswerWindow(ended, deadline=ended + timedelta(hours=3))
    assert api.request("GET", "channels").body == {"items": []}
    api.answer_window = AnswerWindow(ended, deadline=ended + timedelta(hours=1))
    with pytest.raises(IntervalPassed, match=r"^irm_youtube: the API answered at .* after ") as exc:
        api.request("GET", "channels")
    assert "nothing was landed" in str(exc.value)
    assert SECRET not in str(exc.value)
    assert api.stats.calls == 2


def test_an_answer_dated_before_the_interval_end_stops_the_run(server) -> None:
    """An answer dated before the interval's end comes from a platform where the day is not
    over: its snapshot would be part of the day (or an older world) filed as the whole day.
    It stops the run at once, not retried; a platform clock a little behind ours
    (ANSWER_CLOCK_SKEW) is not taken for one."""
    ScriptedHandler.script = [ok({"items": []}), ok({"items": []})]
    api = client(server, [])
    now = datetime.now(UTC)  # the scripted server's Date
    in_a_day = now + timedelta(days=1)
    api.answer_window = AnswerWindow(now + ANSWER_CLOCK_SKEW - timedelta(minutes=1), in_a_day)
    assert api.request("GET", "channels").body == {"items": []}
    api.answer_window = AnswerWindow(now + ANSWER_CLOCK_SKEW + timedelta(minutes=1), in_a_day)
    with pytest.raises(IntervalNotOver, match=r"^irm_youtube: the API answered at .* before "):
        api.request("GET", "channels")
    assert api.stats.calls == 2 and api.stats.retries == 0


def test_a_wire_answers_in_place_of_the_network_through_the_same_client() -> None:
    """The bench and other in-process replays hand a call to a function instead of a socket
    (the client's public `wire` hook; the bench used to override the private `_attempt`): the
    client still applies its headers, retries, classification and accounting."""
    answers = [
        (429, {"Retry-After": "3"}, {}),
        (200, {}, {"items": [{"id": "a"}]}),
        (400, {}, {"error": {"errors": [{"reason": "keyInvalid"}]}}),
    ]
    seen: list[tuple[str, str, dict]] = []

    def wire(method: str, url: str, **request: object) -> tuple[int, dict, object]:
        seen.append((method, url, dict(request)))
        return answers.pop(0)

    waits: list[float] = []
    api = ApiClient(
        "https://example.invalid/youtube/v3",
        connection_id="irm_youtube",
        classify=classify,
        default_headers={"X-Goog-Api-Key": SECRET},
        sleep=waits.append,
        wire=wire,
    )
    assert api.request("GET", "videos", params={"id": "a"}, quota_units=1).body == {
        "items": [{"id": "a"}]
    }
    assert waits == [3.0] and api.stats.calls == 2 and api.stats.quota_units == 2
    method, url, request = seen[0]
    assert (method, url) == ("GET", "https://example.invalid/youtube/v3/videos")
    assert request["params"] == {"id": "a"} and request["headers"]["X-Goog-Api-Key"] == SECRET
    with pytest.raises(AuthError, match="irm_youtube"):
        api.request("GET", "channels")
    assert api.stats.calls == 3
