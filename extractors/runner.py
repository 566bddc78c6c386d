"""One path for every API source's day: `land_source(source, day, …)` lands a source's data
interval (or stages one account batch of it) by calling the source's `extract(ctx)`.

What differs by source is declared in its `SourceSpec`; what they all share happens here, once:
the accounts a quota stop left pending go first, a handle not of the platform's format is
quarantined and never sent (extractors/handles.py), the client is made with the source's auth
and classify and the run's share of each enforced quota, and the landing (staging, commit,
manifests, bookmarks) is extractors/base.py's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.config import Settings
from extractors.base import PENDING, Extraction, commit_source_day, land_source_day
from extractors.connections import ApiCredentials
from extractors.crm import roster
from extractors.handles import split_sendable
from extractors.http import ApiClient
from extractors.spec import SourceSpec
from extractors.window import Window


@dataclass
class ExtractContext:
    """What a source's `extract(ctx) -> Extraction` works with: its client (auth, retries,
    quota budgets, answer window applied), its connection's credentials (`extra` fields), the
    accounts of this batch (pending ones first, every handle of the platform's format), the
    bookmarks of earlier runs, the data interval's window and the settings. `listens`: this
    run is the one of the day that searches the listening terms (the whole day, or its first
    account batch: terms are not per account); `roster`: every account of the platform's
    roster, which the listening's authors are told apart from (a batch has only its own)."""

    source: SourceSpec
    client: ApiClient
    credentials: ApiCredentials
    accounts: list[str]
    bookmarks: dict[str, Any]
    window: Window
    settings: Settings
    listens: bool = True
    roster: frozenset[str] = frozenset()


def make_client(source: SourceSpec, credentials: ApiCredentials, **options: Any) -> ApiClient:
    """The shared client as the source's connection wants it (AuthError, naming the
    connection, when the connection lacks what the source needs)."""
    connection = source.connection
    if connection is None:
        raise ValueError(f"{source.name} is not an API source")
    connection.check(credentials)
    return ApiClient(
        credentials.base_url,
        connection_id=credentials.connection_id,
        classify=connection.classify,
        auth=connection.auth.bind(credentials),
        **options,
    )


def land_source(
    source: SourceSpec,
    day: date,
    settings: Settings,
    credentials: ApiCredentials,
    accounts: Sequence[str] = (),
    *,
    batch: int | None = None,
    share: float = 1.0,
    **client_options: Any,
) -> dict[str, Any]:
    """Extract the data interval `day` of an API source into its landing partitions (a
    `batch` number: stage that account batch only; extractors/base.py land_source_day).

    A batch spends at most `share` (its share of the roster) of each enforced quota, so
    batches running side by side cannot together pass it. `client_options` go to the client
    (e.g. an in-process `transport` or `wire`, `quota_budgets` to override the quotas')."""
    budgets = {q.name: q.budget(settings, share) for q in source.quotas if q.enforced}
    client_options.setdefault("quota_budgets", budgets)

    listens = batch in (None, 0)
    roster = frozenset(accounts if batch is None else _whole_roster(source, day, settings))

    def fetch(bookmarks: dict[str, Any], window: Window) -> Extraction:
        sendable, refused = _sendable(source, pending_first(accounts, bookmarks))
        with make_client(
            source, credentials, answer_window=window.answer_window, **client_options
        ) as client:
            context = ExtractContext(
                source, client, credentials, sendable, bookmarks, window, settings
            )
            context.listens, context.roster = listens, roster
            extraction = source.extract(context)
        extraction.quarantine[:0] = refused
        extraction.stats.setdefault("retries", client.stats.retries)
        return extraction

    return land_source_day(source.name, source.entity_names, day, settings, fetch, batch)


def commit_source(
    source: SourceSpec, day: date, settings: Settings, batch_count: int
) -> dict[str, Any]:
    """Write the day's partitions from its staged batches (extractors/base.py)."""
    return commit_source_day(source.name, source.entity_names, day, settings, batch_count)


def _whole_roster(source: SourceSpec, day: date, settings: Settings) -> list[str]:
    """The day's whole roster of a batched source, from the CRM creators file its batches were
    planned from (irm/tasks.py plan_batches)."""
    return roster(settings, day, source.roster) if source.roster is not None else []


def pending_first(accounts: Sequence[str], bookmarks: dict[str, Any]) -> list[str]:
    """The batch's accounts, those a quota stop left unrefreshed first, each once."""
    pending = [a for a in bookmarks.get(PENDING, []) if a in set(accounts)]
    return list(dict.fromkeys([*pending, *accounts]))


def _sendable(source: SourceSpec, accounts: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    roster = source.roster
    if roster is None:
        return accounts, []
    return split_sendable(source.name, roster.handle, accounts, roster.entity, roster.field)
