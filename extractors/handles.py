"""An account handle's format, and the one check of it.

Handles come from the brand's CRM export (the roster) and are put into API requests: YouTube's
`id=` lists, Instagram's `business_discovery.username(...)` field expansion, TikTok's queries.
Anything not of the platform's format could ask for another account (a comma, a brace), so CRM
admission quarantines such a row (extractors/crm) and the extract of each source refuses such a
handle again before it builds a request (extractors/runner.py). Each source with a roster
declares its `HandleFormat` in its `RosterSpec` (extractors/<source>/__init__.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HandleFormat:
    """A platform's handle: `pattern` (the whole handle), `kind` (what it is, for a message),
    and whether it is a username, which the team may type with a leading "@" and in any case
    (the API wants "ana_runs" for "@Ana_Runs"); an id (a YouTube channel id) is taken as is."""

    pattern: re.Pattern[str]
    kind: str
    username: bool = True

    def problem(self, handle: str) -> str:
        """Why a roster handle is not of this format ('' when it is)."""
        bare = handle.removeprefix("@") if self.username else handle
        return "" if self.pattern.fullmatch(bare) else f"is not {self.kind}"

    def normalise(self, handle: str) -> str:
        """The handle as the API wants it."""
        return handle.removeprefix("@").lower() if self.username else handle


def split_sendable(
    source: str, handle: HandleFormat, handles: Iterable[str], entity: str, field: str
) -> tuple[list[str], list[dict[str, Any]]]:
    """The handles an extract may put into requests, once each, in order, and a quarantine
    entry (extractors/base.py Extraction.reject's shape) for each other one: under `entity`,
    as `{field: handle}`, with why it was not sent, as an unknown account is."""
    sendable: list[str] = []
    refused: list[dict[str, Any]] = []
    for value in dict.fromkeys(handles):
        problem = handle.problem(value)
        if problem:
            reason = f"{source} handle {value!r} {problem}: not sent to the API"
            refused.append(
                {"entity": entity, "reason": reason, "record": {field: value}, "key": value}
            )
        else:
            sendable.append(value)
    return sendable, refused
