"""Paging on the shared client (in the spirit of dlt's RESTClient paginators).

A `Paginator` knows one API's paging convention: where the cursor goes in the next request and
where the answer gives the next one. `paginate` walks a listing page by page with it, and asks
a `PageGuard` before each page, so a server that repeats a cursor or never stops paging costs a
bounded number of calls (PagingError naming the connection, the endpoint and the account).
Each source declares the paginators of its listings in its `SourceSpec`; its extractor decides
what to keep of each page and when it has seen enough (a listing newest first stops at the
first page that reaches past the refresh window).

- `PageTokenPaginator`: YouTube's `pageToken` / `nextPageToken`.
- `GraphCursorPaginator`: Instagram's `business_discovery` media, whose `after` cursor goes
  into the field expansion (`media.limit(50).after(<cursor>)`), not into a parameter.
- `GraphNextPaginator`: Instagram's hashtag media, whose `after` cursor repeats on every page:
  the next page is the `paging.next` URL's query.
- `ResearchCursorPaginator`: TikTok's Research API, `cursor` and `search_id` in the JSON body
  while `has_more`.
- `LinkHeaderPaginator`: Shopify's `Link: <…page_info=…>; rel="next"`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from extractors.errors import PagingError

if TYPE_CHECKING:
    from extractors.http import ApiClient, ApiResponse

# Pages one account's listing may take in one run (an endpoint's paging for one account, e.g.
# its uploads playlist or its media): 200 pages are 10,000 items at 50 a page, far more than a
# creator publishes within a refresh window and more than the whole past of nearly any creator
# (a first run lists everything). The bench's medium world needs at most a handful. A server
# whose cursors never end costs this many calls, not thousands.
MAX_PAGES_PER_LISTING = 200


class PageGuard:
    """Stops a paging loop that would not end. `paginate` asks `next_page(cursor)` before
    fetching each page; a cursor the listing already gave, or a page past the budget, raises
    PagingError naming the connection, the endpoint and the account, so a server that repeats
    a cursor costs one extra call instead of thousands. One guard may span several listings of
    one account (TikTok's 30-day windows): their cursors then say which window they are of."""

    def __init__(
        self,
        connection_id: str,
        endpoint: str,
        account: str,
        *,
        kind: str = "account",
        max_pages: int | None = None,
        max_pages_setting: str = "extractors.paging.MAX_PAGES_PER_LISTING",
    ) -> None:
        self.connection_id = connection_id
        self.endpoint = endpoint
        self.account = account
        self.kind = kind  # what the account is called on this platform (channel, user, shop)
        # Read when the guard is made, so the module constant stays the one setting.
        self.max_pages = max_pages if max_pages is not None else MAX_PAGES_PER_LISTING
        self.max_pages_setting = max_pages_setting
        self.pages = 0
        self._cursors: set[Hashable] = set()

    def next_page(self, cursor: Hashable | None) -> None:
        """Allow fetching the page at `cursor` (None: the listing's first page), or raise."""
        if cursor is not None and cursor in self._cursors:
            self._stop(
                f"sent the page cursor {_short(cursor)} a second time after {self.pages} "
                "pages: the API is looping"
            )
        if self.pages >= self.max_pages:
            self._stop(
                f"still had more pages after {self.max_pages} pages, the most one listing may "
                f"take in a run ({self.max_pages_setting})"
            )
        self._cursors.add(cursor)
        self.pages += 1

    def _stop(self, what: str) -> None:
        raise PagingError(
            f"{self.connection_id}: {self.endpoint} of {self.kind} {self.account!r} {what}; "
            "stopped paging"
        )


def _short(cursor: Hashable) -> str:
    """A cursor for a message: opaque tokens can be long."""
    text = repr(cursor)
    return text if len(text) <= 60 else f"{text[:57]}..."


@dataclass(frozen=True)
class PageRequest:
    """The first page's request of a listing; the paginator derives the others from it."""

    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json_body: Any = None
    quota_units: int = 0
    quota: str | None = None  # the quota its units are spent from (None: the main one)


class Paginator(ABC):
    """One API's paging convention. Stateless: the cursor travels through `paginate`."""

    start: Any = None  # the first page's cursor

    @abstractmethod
    def request_for(self, request: PageRequest, cursor: Any) -> PageRequest:
        """The request of the page at `cursor`."""

    @abstractmethod
    def next_cursor(self, response: ApiResponse) -> Any | None:
        """The next page's cursor, or None when this page was the last."""

    def guard_key(self, request: PageRequest, cursor: Any) -> Hashable | None:
        """What the PageGuard compares: a cursor seen twice is a loop (None: the first page)."""
        return cursor


def paginate(
    client: ApiClient, request: PageRequest, paginator: Paginator, guard: PageGuard
) -> Iterator[ApiResponse]:
    """Each page's answer, in order, while the API gives a next cursor. The consumer may stop
    early (it has seen enough); the next cursor is read before a page is handed over, so what
    the consumer does with the page cannot change where the listing goes."""
    cursor = paginator.start
    while True:
        guard.next_page(paginator.guard_key(request, cursor))
        page = paginator.request_for(request, cursor)
        response = client.request(
            page.method,
            page.path,
            params=page.params,
            json_body=page.json_body,
            quota_units=page.quota_units,
            **({"quota": page.quota} if page.quota else {}),
        )
        cursor = paginator.next_cursor(response)
        yield response
        if cursor is None:
            return


def dig(value: Any, *steps: str) -> Any:
    """The value at `steps` inside nested objects, None where one is missing."""
    for step in steps:
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


@dataclass(frozen=True)
class PageTokenPaginator(Paginator):
    """A token parameter in, the next token out (YouTube: `pageToken`, `nextPageToken`)."""

    token_param: str = "pageToken"
    token_field: str = "nextPageToken"

    def request_for(self, request: PageRequest, cursor: Any) -> PageRequest:
        if not cursor:
            return request
        return replace(request, params={**(request.params or {}), self.token_param: cursor})

    def next_cursor(self, response: ApiResponse) -> Any | None:
        return dig(response.body, self.token_field) or None


# Where the `after` cursor goes in a Graph field expansion (`GraphCursorPaginator`).
AFTER = "<after>"


@dataclass(frozen=True)
class GraphCursorPaginator(Paginator):
    """A Graph API edge paged inside a field expansion: the request's `fields` parameter holds
    AFTER where `.after(<cursor>)` goes (e.g. `media.limit(50)<after>{id,caption}`), and the
    answer gives the next cursor at `<edge>.paging.cursors.after` (business_discovery sends no
    `paging.next` URL: the cursor, present while older items remain, is the only way on)."""

    edge: tuple[str, ...]  # where the edge is in the answer, e.g. ("business_discovery", "media")
    param: str = "fields"

    def request_for(self, request: PageRequest, cursor: Any) -> PageRequest:
        params = dict(request.params or {})
        params[self.param] = params[self.param].replace(
            AFTER, f".after({cursor})" if cursor else ""
        )
        return replace(request, params=params)

    def next_cursor(self, response: ApiResponse) -> Any | None:
        return dig(response.body, *self.edge, "paging", "cursors", "after") or None


# Parameters a Graph `paging.next` URL may carry that never go back into a request: the
# token travels in the Authorization header only (extractors/http.py).
_CREDENTIAL_PARAMS = frozenset({"access_token", "appsecret_proof"})


@dataclass(frozen=True)
class GraphNextPaginator(Paginator):
    """A Graph edge paged by `paging.next` (Instagram hashtag media). Its `cursors.after` is
    the same on every page (reference 2.2), so the page position is the `next` URL's query:
    its parameters, credentials left out, become the next request's, on the request's own
    path (the URL's host is the platform's, not necessarily the connection's base URL)."""

    def request_for(self, request: PageRequest, cursor: Any) -> PageRequest:
        return replace(request, params=dict(cursor)) if cursor else request

    def next_cursor(self, response: ApiResponse) -> Any | None:
        link = dig(response.body, "paging", "next")
        if not isinstance(link, str) or not link:
            return None
        query = parse_qs(urlsplit(link).query, keep_blank_values=True)
        return tuple(sorted((k, v[-1]) for k, v in query.items() if k not in _CREDENTIAL_PARAMS))


@dataclass(frozen=True)
class ResearchCursorPaginator(Paginator):
    """TikTok's Research API: the same JSON body again with `cursor` and `search_id` from
    `data`, while `data.has_more`. A cursor is an offset within one search, so the guard tells
    searches apart by the body's `scope` fields (a video query's 30-day window)."""

    start: Any = (0, None)  # (cursor, search_id)
    scope: tuple[str, ...] = ("start_date", "end_date")

    def request_for(self, request: PageRequest, cursor: Any) -> PageRequest:
        offset, search_id = cursor
        body = {**request.json_body, "cursor": offset}
        if search_id:
            body["search_id"] = search_id
        return replace(request, json_body=body)

    def next_cursor(self, response: ApiResponse) -> Any | None:
        data = dig(response.body, "data")
        if not isinstance(data, dict) or not data.get("has_more"):
            return None
        return data.get("cursor", 0), data.get("search_id")

    def guard_key(self, request: PageRequest, cursor: Any) -> Hashable | None:
        offset, search_id = cursor
        return (*(request.json_body.get(f) for f in self.scope), search_id, offset)


@dataclass(frozen=True)
class LinkHeaderPaginator(Paginator):
    """The next page's URL in the `Link` header (`rel="next"`), carrying every parameter it
    may (Shopify: `page_info`, the cursor the guard compares). The client refuses a link off
    the API's base URL, so credentials are never sent anywhere else."""

    cursor_param: str = "page_info"

    def request_for(self, request: PageRequest, cursor: Any) -> PageRequest:
        return replace(request, path=cursor) if cursor else request

    def next_cursor(self, response: ApiResponse) -> Any | None:
        from requests.utils import parse_header_links  # runtime only: the registry stays light

        links = parse_header_links(response.headers.get("Link", ""))
        return next((link["url"] for link in links if link.get("rel") == "next"), None) or None

    def guard_key(self, request: PageRequest, cursor: Any) -> Hashable | None:
        values = parse_qs(urlsplit(cursor).query).get(self.cursor_param) if cursor else None
        return values[-1] if values else None
