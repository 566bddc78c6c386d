"""What the sandbox's tests share: a small world, and that world served over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.server import SandboxServer, make_server, running
from sandbox.world import World

SEED, ACCOUNTS, DAYS = 42, 20, 30


@pytest.fixture(scope="module")
def world() -> World:
    """Twenty accounts over thirty days: every tier and trap (test_sandbox_world.py)."""
    return World(SEED, ACCOUNTS, DAYS)


@pytest.fixture
def server(world: World) -> Iterator[SandboxServer]:
    """The module's world served on a free port with the default credentials, no faults."""
    with running(make_server(world, port=0)) as served:
        yield served
