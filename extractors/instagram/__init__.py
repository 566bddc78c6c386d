"""Instagram as a source: the Graph API's `business_discovery`, asked through the brand's own
IG user, for the roster's usernames: each account's profile and media; then hashtag search for
the brand's listening terms, each term's recent media (api.py; its records: schema.py). A
username not of Instagram's format is never put into the field expansion."""

from __future__ import annotations

import re

from extractors.auth import Bearer
from extractors.handles import HandleFormat
from extractors.instagram.api import classify, extract
from extractors.instagram.schema import ACCOUNTS, HASHTAG_MEDIA, MEDIA
from extractors.paging import GraphCursorPaginator, GraphNextPaginator
from extractors.spec import ConnectionSpec, PoolSpec, Quota, RosterSpec, SourceSpec

USERNAME = HandleFormat(
    re.compile(r"[A-Za-z0-9._]{1,30}"),
    "an Instagram username (1 to 30 letters, digits, periods or underscores)",
)

SPEC = SourceSpec(
    name="instagram",
    entities=(ACCOUNTS, MEDIA, HASHTAG_MEDIA),
    extract=extract,
    # The token as a bearer header, which Graph accepts as it does `access_token=`: never in
    # a URL. business_discovery is called on the brand's own IG user (extra `ig_user_id`).
    connection=ConnectionSpec(
        "irm_instagram",
        Bearer(),
        classify,
        sandbox_path="instagram/v25.0",
        extras=("ig_user_id",),
    ),
    pool=PoolSpec("irm_instagram_api", 1, "Instagram Graph API (rate limited per app and account)"),
    roster=RosterSpec("instagram_username", USERNAME, entity="accounts", field="username"),
    # 30 unique hashtags per rolling 7 days per IG user: counted by the extractor in its state
    # (api.py HashtagBudget), which stops before the 31st; the platform's refusal stops too.
    quotas=(Quota("hashtags", 30, "unique hashtags", period_days=7),),
    paginators={
        "business_discovery media": GraphCursorPaginator(edge=("business_discovery", "media")),
        "hashtag media": GraphNextPaginator(),
    },
)

__all__ = ["SPEC", "classify"]
