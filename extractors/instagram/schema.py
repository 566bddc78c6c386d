"""What a landed Instagram record looks like (the landing suite checks it: expectations/
landing_suites.py): the `business_discovery` profile without its media, and each media item of
its `media.data[]` (a timestamp `+0000`; like_count absent when the owner hides likes); and
listening's hashtag media, per (term, media), which carry no author (the API gives none)."""

from __future__ import annotations

from extractors import rules
from extractors.listening import found_items
from extractors.rules import WARNING
from extractors.schema import INTEGER, ISO_TIMESTAMP, Field, RecordKey, RecordSchema
from extractors.spec import EntitySpec

# Media types can grow (Meta adds them); a new one needs a staging mapping, not a stopped run.
MEDIA_TYPES = ("IMAGE", "VIDEO", "CAROUSEL_ALBUM")
PRODUCT_TYPES = ("AD", "FEED", "STORY", "REELS")

ACCOUNTS = EntitySpec(
    "accounts",
    RecordSchema(
        fields=(
            Field("account_id", "id", required=True),
            Field("username", "username", required=True),
            Field("name", "name"),
            Field("followers_count", "followers_count", INTEGER),
            Field("follows_count", "follows_count", INTEGER),
            Field("media_count", "media_count", INTEGER),
        ),
        rules=(
            rules.same("record_key", "username", notes="accounts are keyed by their username"),
            rules.matches(
                "account_id", r"^[0-9]+$", level=WARNING, notes="IG ids are numeric strings"
            ),
            *rules.non_negative("followers_count", "follows_count", "media_count"),
            *rules.present("followers_count", level=WARNING),
        ),
    ),
)

MEDIA = EntitySpec(
    "media",
    RecordSchema(
        fields=(
            Field("media_id", "id", required=True),
            Field("published_at", "timestamp", ISO_TIMESTAMP, required=True),
            Field("media_type", "media_type"),
            Field("media_product_type", "media_product_type"),
            # like_count is absent when the owner hides likes.
            Field("like_count", "like_count", INTEGER),
            Field("comments_count", "comments_count", INTEGER),
            Field("caption", "caption"),
            Field("permalink", "permalink"),
        ),
        rules=(
            rules.same("record_key", "media_id", notes="the line is keyed by the media id"),
            *rules.non_negative("like_count", "comments_count"),
            rules.one_of("media_type", MEDIA_TYPES, level=WARNING),
            rules.one_of("media_product_type", PRODUCT_TYPES, level=WARNING),
            *rules.present("media_type", level=WARNING),
        ),
        # The payload does not name its account; parent_key (the username) does.
        has_parent=True,
    ),
    key=RecordKey("id"),
)

# One `/{hashtag-id}/recent_media` item per (term, media): MEDIA's fields but the product type;
# no username, no owner (the API returns none).
HASHTAG_MEDIA = found_items(
    "hashtag_media",
    tuple(f for f in MEDIA.schema.fields if f.name != "media_product_type"),
    (
        *rules.non_negative("like_count", "comments_count"),
        rules.one_of("media_type", MEDIA_TYPES, level=WARNING),
    ),
    item_id="[0-9]+",
)
