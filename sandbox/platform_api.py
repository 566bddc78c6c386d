"""What the four platform APIs share: the response they give and the one entry point they have.

`handle(method, path, query, headers, body, day)` is what the sandbox server and the in-process
history bootstrap (irm/bootstrap.py) call; it reduces the path to the endpoint below the
platform's prefix and the query to strings (in-process callers may pass ints), then hands the
request to the platform's `answer`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, NamedTuple

import numpy as np

from sandbox.world import World


class ApiResponse(NamedTuple):
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


class ApiRequest(NamedTuple):
    """One request as a platform answers it, as of the end of simulated `day`."""

    method: str
    endpoint: str  # the path below the platform's prefix, without its query or outer slashes
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes | None
    day: date


def post_uniforms(world: World, stream: int, account_index: int, columns: int) -> np.ndarray:
    """Per post uniforms, one row each, from the account's own stream of a platform module:
    row i does not depend on how many posts follow it."""
    count = len(world.posts(account_index).published_s)
    return world.rng(stream, account_index).random((count, columns))


# (world, account index, day) -> the account as the platform's API shows it on that day.
AccountTruth = Callable[[World, int, date], dict[str, Any]]


def accounts_truth(
    world: World, platform: str, account_truth: AccountTruth, day: date
) -> dict[str, Any]:
    """A platform's ground truth as of `day`: each of its accounts, keyed by handle."""
    return {
        "accounts": {
            account.handle: account_truth(world, account.index, day)
            for account in world.accounts_on(platform)
        }
    }


class PlatformApi:
    """A platform's API answered from the world; `_lock` guards its usage counters."""

    api_prefix = "/"

    def __init__(self, world: World) -> None:
        self.world = world
        self._lock = threading.Lock()

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, Any],
        headers: Mapping[str, str] | None,
        body: bytes | None,
        day: date,
    ) -> ApiResponse:
        """Answer one request as of the end of simulated `day`."""
        endpoint = path.split("?", 1)[0]
        if endpoint.startswith(self.api_prefix):
            endpoint = endpoint[len(self.api_prefix) :]
        query_text = {k: str(v) for k, v in query.items()}
        return self.answer(
            ApiRequest(method, endpoint.strip("/"), query_text, headers or {}, body, day)
        )

    def answer(self, request: ApiRequest) -> ApiResponse:
        raise NotImplementedError

    def usage(self) -> dict[str, dict[str, int]]:
        """Calls (and quota units where the platform has them) per simulated day."""
        raise NotImplementedError
