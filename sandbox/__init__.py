"""The outside world for the pipeline: a seeded synthetic world of creators and platform accounts,
served over HTTP in the real shapes of the platform APIs, plus the CRM exports and ground truth.

This package stands for the platforms themselves, so it imports nothing of the pipeline
(stdlib and numpy only).
"""

from sandbox.world import DEFAULT_START_DATE, World

__all__ = ["DEFAULT_START_DATE", "World"]
