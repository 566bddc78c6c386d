"""The outside world for the pipeline: a seeded synthetic world of creators and platform accounts,
served over HTTP in the real shapes of the platform APIs, plus the CRM exports and ground truth.

This package stands for the platforms themselves, so it imports nothing of the pipeline
(stdlib and numpy only).

The posts of YouTube and TikTok carry comments (sandbox/comments.py): several languages, a
ground-truth polarity each, replies counted but not served, a few withheld, some posts with
comments disabled. They are served by commentThreads.list and the Research API's video comment
list, and recorded in the ground truth's `comments` section; Instagram has none, as
business_discovery gives no comments of other accounts.
"""

from sandbox.world import DEFAULT_START_DATE, World

__all__ = ["DEFAULT_START_DATE", "World"]
