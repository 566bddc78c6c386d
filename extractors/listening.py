"""What the three platforms' listening shares (issue 20; SPEC 3.4): the brand's terms, the
order they are searched in, how a quota stop resumes, and how far back a discovered account's
posts are fetched.

The terms are the brand's seed `listening_terms.csv` (term, term_kind: brand, product, campaign,
niche) and the competitors seed's tokens without `#` / `@` (term_kind competitor), both read
from the dbt project's seeds folder, so the brand's one edit feeds extraction and dbt alike.
Each is one lowercase word: one YouTube `q`, one Instagram hashtag, one TikTok keyword.

Listening runs after the accounts' metrics, once a day (the day's first account batch: terms
are not per account; extractors/runner.py `ExtractContext.listens`): on YouTube after the
comments too (search.list has its own bucket), on TikTok before them (one daily request quota
serves both, and a large roster's comments would leave nothing to listen with), on Instagram,
which fetches no comments, after every account. A term is
searched whole or not at all: a quota stop part way through a term drops what that term had
listed, and its bookmark (`listening:<term>`, the end of the last window searched) stays, so the
next run searches the terms left first, from where each stopped.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extractors import rules
from extractors.base import keep_unique
from extractors.errors import PagingError, QuotaExhausted
from extractors.rules import Rule
from extractors.schema import Field, RecordSchema
from extractors.spec import EntitySpec

if TYPE_CHECKING:
    from core.config import Settings
    from extractors.base import Extraction
    from extractors.runner import ExtractContext
    from extractors.window import Window

TERMS_SEED, COMPETITORS_SEED = "listening_terms.csv", "competitors.csv"
# A discovered account's posts of this many days before the interval's end are fetched through
# its account call: their counts have settled, unlike those of the day a post is found (SPEC 5.5).
CANDIDATE_DAYS = 30
TERM_KINDS = ("brand", "product", "campaign", "niche")
COMPETITOR = "competitor"
BOOKMARK_PREFIX = "listening:"
_TERM = re.compile(r"[a-z0-9_]+")  # one lowercase word: one q, one hashtag, one keyword


class ListeningSeedError(ValueError):
    """A listening seed the extractors cannot use, naming the file and the row."""


@dataclass(frozen=True)
class Term:
    term: str
    kind: str


def seeds_dir(settings: Settings) -> Path:
    """Where the brand edits its terms: the dbt project's seeds, which dbt reads too."""
    return settings.dbt_project_dir / "seeds"


def read_terms(settings: Settings) -> tuple[Term, ...]:
    """The brand's terms, then the competitors' tokens, each term once (the first row wins)."""
    folder = seeds_dir(settings)
    found: dict[str, Term] = {}
    for term in (*_brand_terms(folder / TERMS_SEED), *_competitor_terms(folder / COMPETITORS_SEED)):
        found.setdefault(term.term, term)
    return tuple(found.values())


def _rows(path: Path, columns: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    """(line number, row) of a seed with these columns; ListeningSeedError otherwise."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = set(columns) - set(reader.fieldnames or ())
            if missing:
                raise ListeningSeedError(f"{path}: no column {', '.join(sorted(missing))}")
            rows = list(reader)
    except OSError as exc:
        raise ListeningSeedError(f"{path}: cannot be read ({exc.strerror})") from None
    return ((line, row) for line, row in enumerate(rows, start=2))


def _checked(path: Path, line: int, raw: str | None) -> str:
    term = (raw or "").strip()
    if not _TERM.fullmatch(term):
        raise ListeningSeedError(
            f"{path} row {line}: term {raw!r} is not one lowercase word (letters, digits, _)"
        )
    return term


def _brand_terms(path: Path) -> list[Term]:
    terms = []
    for line, row in _rows(path, ("term", "term_kind")):
        kind = (row["term_kind"] or "").strip()
        if kind not in TERM_KINDS:
            raise ListeningSeedError(
                f"{path} row {line}: term_kind {kind!r} is not one of {', '.join(TERM_KINDS)}"
            )
        terms.append(Term(_checked(path, line, row["term"]), kind))
    return terms


def _competitor_terms(path: Path) -> list[Term]:
    """The competitors' tokens without `#` / `@`, lowercased (tokens are matched any case)."""
    terms = []
    for line, row in _rows(path, ("token",)):
        token = (row["token"] or "").strip().lstrip("#@").lower()
        terms.append(Term(_checked(path, line, token), COMPETITOR))
    return terms


def found_items(
    name: str, fields: tuple[Field, ...], checks: tuple[Rule, ...], item_id: str
) -> EntitySpec:
    """The entity of what a term found, one record per (term, item): keyed `<term>:<item id>`
    (`item_id` the id's pattern), its line's parent the term, its payload the item as the
    platform serves it."""
    return EntitySpec(
        name,
        RecordSchema(
            fields=fields,
            rules=(
                rules.matches(
                    "record_key",
                    rf"^[a-z0-9_]+:{item_id}$",
                    notes="keyed by the term and the item's id, `<term>:<id>`",
                ),
                *checks,
            ),
            has_parent=True,
        ),
    )


# (term, where its search starts) -> every item the platform serves for it up to the interval's
# end, all pages of it (a stop part way raises, and the term lands nothing).
TermSearch = Callable[["Term", datetime], list[Any]]


def listen(
    ctx: ExtractContext,
    result: Extraction,
    entity: str,
    search: TermSearch,
    key_of: Callable[[Any], str | None],
) -> list[Any] | None:
    """Search each term, those searched longest ago first, and land each item found once per
    term into `entity`, keyed `<term>:<key>`, its parent the term. Returns every item landed
    (for the authors' lookups), or None when a quota stopped the search: `result.stopped` says
    so and the terms left keep where they must resume. A term whose listing pages without end
    is quarantined; it goes first again in the next run."""
    found = result.entities[entity]
    landed: list[Any] = []
    terms = rotation(read_terms(ctx.settings), ctx.bookmarks)
    try:
        for term in terms:
            try:
                items = search(term, search_since(term, ctx.bookmarks, ctx.window))
            except PagingError as exc:
                result.reject(entity, str(exc), {"term": term.term}, term.term)
                continue
            for key, item in keep_unique(items, key_of, entity, result):
                found.add(f"{term.term}:{key}", item, term.term)
                landed.append(item)
            searched(result.bookmarks, term, ctx.window)
    except QuotaExhausted as exc:
        stop(result, exc)
        left_from(result.bookmarks, ctx.bookmarks, terms, ctx.window)
        return None
    return landed


def stop(result: Extraction, exc: QuotaExhausted) -> None:
    result.stopped = f"{exc}; the next run searches the terms not searched first"


def rotation(terms: Iterable[Term], bookmarks: Mapping[str, Any]) -> list[Term]:
    """The terms, those searched longest ago first (never searched: first of all), in seed
    order otherwise: a run a quota stops today starts tomorrow with the terms it left."""
    return sorted(terms, key=lambda t: str(bookmarks.get(BOOKMARK_PREFIX + t.term) or ""))


def search_since(term: Term, bookmarks: Mapping[str, Any], window: Window) -> datetime:
    """Where a term's search starts: the end of its last window searched, when a quota stop
    left a gap (no further back than the refresh window), else the data interval's start."""
    last = bookmarks.get(BOOKMARK_PREFIX + term.term)
    if not last:
        return window.start
    return max(min(datetime.fromisoformat(last), window.start), window.refresh_since)


def searched(bookmarks: dict[str, Any], term: Term, window: Window) -> None:
    """Move a term's bookmark: it was searched whole up to the interval's end."""
    bookmarks[BOOKMARK_PREFIX + term.term] = window.end.isoformat()


def left_from(
    new: dict[str, Any], old: Mapping[str, Any], terms: Iterable[Term], window: Window
) -> None:
    """After a quota stop: each term not searched this run keeps where its search must resume
    (a term never searched: this interval's start), so the next run searches it first, from
    there."""
    for term in terms:
        key = BOOKMARK_PREFIX + term.term
        if key not in new:
            new[key] = old.get(key) or window.start.isoformat()


def candidate_since(window: Window) -> datetime:
    """Where a discovered account's recent posts start: CANDIDATE_DAYS before the interval's
    end."""
    return window.end - timedelta(days=CANDIDATE_DAYS)


def last_second(window: Window) -> datetime:
    """The inclusive upper bound of the interval (publishedBefore and end_date are inclusive):
    a post published on the next day's first second belongs to that day, not to both."""
    return window.end - timedelta(seconds=1)
