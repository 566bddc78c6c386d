"""Each platform's account handle format, and the one check of it.

Handles come from the brand's CRM export (the roster) and are put into API requests: YouTube's
`id=` lists, Instagram's `business_discovery.username(...)` field expansion, TikTok's queries.
Anything not of the platform's format could ask for another account (a comma, a brace), so CRM
admission quarantines such a row (extractors/crm.py) and each platform extractor refuses such a
handle again before it builds a request. This module imports nothing of the pipeline, so every
extractor can use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractors.base import Extraction

# Usernames may carry the "@" teams type; the roster drops it.
HANDLE_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "youtube": (
        re.compile(r"UC[A-Za-z0-9_-]{22}"),
        "a YouTube channel id (UC and 22 letters, digits, - or _)",
    ),
    "instagram": (
        re.compile(r"[A-Za-z0-9._]{1,30}"),
        "an Instagram username (1 to 30 letters, digits, periods or underscores)",
    ),
    "tiktok": (
        re.compile(r"[A-Za-z0-9._]{2,24}"),
        "a TikTok username (2 to 24 letters, digits, underscores or periods)",
    ),
}


def handle_problem(platform: str, handle: str) -> str:
    """Why a roster handle is not of the platform's format ('' when it is). The one check of
    handles: CRM admission quarantines such a row, the roster never hands one out, and the
    extractors never send one."""
    pattern, kind = HANDLE_FORMATS[platform]
    bare = handle if platform == "youtube" else handle.removeprefix("@")
    return "" if pattern.fullmatch(bare) else f"is not {kind}"


def normalise_handle(platform: str, handle: str) -> str:
    """The handle as the API wants it: teams type "@Ana_Runs", the APIs want "ana_runs"."""
    return handle if platform == "youtube" else handle.removeprefix("@").lower()


def refused_handle(platform: str, handle: str) -> str:
    """Why an extractor must not send `handle` ('' when it may): the reason its account is
    quarantined with."""
    problem = handle_problem(platform, handle)
    return f"{platform} handle {handle!r} {problem}: not sent to the API" if problem else ""


def sendable_handles(
    platform: str, handles: Iterable[str], extraction: Extraction, entity: str, field: str
) -> list[str]:
    """The handles an extractor may put into requests, once each, in order. Any other is
    quarantined under `entity` (as `{field: handle}`) with the reason, as an unknown account
    is, and never sent."""
    sendable = []
    for handle in dict.fromkeys(handles):
        reason = refused_handle(platform, handle)
        if reason:
            extraction.reject(entity, reason, {field: handle}, handle)
        else:
            sendable.append(handle)
    return sendable
