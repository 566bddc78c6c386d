"""A raw world whose every post text is as long as the platforms let creators write (issue 17,
item 8): YouTube descriptions of 4,500 characters (the limit is 5,000 bytes), Instagram and
TikTok captions of 2,200 (Instagram's limit; TikTok's is 2,200, 4,000 for newer posts).

Written straight into the `raw` tables with SQL (docs/architecture.md raw contract; every field
the sandbox serves, so a YouTube item carries its description twice, the second time in
`localized`), because the world has to be large: what texts cost a build shows only at volume.
Every account posts once a day and every post is measured daily for its first REFRESH_DAYS
days (the pipeline's refresh window), so each text is landed up to REFRESH_DAYS times, as in
production. Posts are inserted one day at a time, as the loader loads one partition at a time.

Each creator has a YouTube channel, the first `caption_accounts` also an Instagram and a TikTok
account, and one exclusive contract for the whole period (campaign CAMPAIGN_ID, brand Acme).
Every TIED_EVERY-th post opens with `#ad` and ends with the campaign's tracking hashtag, after
all its filler (a text cut anywhere would lose the tie); the others mention no brand at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

YOUTUBE_DESCRIPTION_CHARS = 4_500
CAPTION_CHARS = 2_200
REFRESH_DAYS = 30
START = date(2026, 1, 1)
CAMPAIGN_ID = "C_LONG"
TRACKING_HASHTAG = "#AcmeLongRead"
TIED_EVERY = 10

RAW_TABLES = (
    "youtube_channels",
    "youtube_videos",
    "instagram_accounts",
    "instagram_media",
    "tiktok_users",
    "tiktok_videos",
    "crm_creators",
    "crm_campaigns",
    "crm_contracts",
)

# A paragraph a creator might write under a video; repeated (with the post's id) to the length.
FILLER = (
    "Everything I used is listed below with notes on what worked and what did not, and the "
    "chapters are in the pinned comment. Thanks for watching all the way to the end. "
)


@dataclass(frozen=True)
class LongTextWorld:
    """`youtube_accounts` YouTube channels; the first `caption_accounts` creators also have an
    Instagram and a TikTok account. Every account posts once a day for `days` days."""

    youtube_accounts: int
    caption_accounts: int
    days: int

    @property
    def creators(self) -> int:
        return max(self.youtube_accounts, self.caption_accounts)

    def accounts(self, platform: str) -> int:
        return self.youtube_accounts if platform == "youtube" else self.caption_accounts

    def posts(self, platform: str) -> int:
        return self.accounts(platform) * self.days

    def snapshots(self, platform: str) -> int:
        """Post x day rows: a post published on day p is measured on days p .. p + 29."""
        per_account = sum(min(REFRESH_DAYS, self.days - day) for day in range(self.days))
        return self.accounts(platform) * per_account

    def tied_posts(self, platform: str) -> int:
        """Posts whose text carries the tracking hashtag (post number n = a * days + day)."""
        return sum(1 for n in range(self.posts(platform)) if n % TIED_EVERY == 0)


def _text_sql(length: int) -> str:
    """SQL for a text of exactly `length` characters for post number `n` with id `post_key`:
    `#ad` first when tied, the filler, and the tracking hashtag as its last word when tied."""
    tail = f" {TRACKING_HASHTAG}"
    body = f"post_key || ': ' || repeat('{FILLER}', {length // len(FILLER) + 1})"
    return f"""
        case when n % {TIED_EVERY} = 0
            then '#ad ' || left({body}, {length - 4 - len(tail)}) || '{tail}'
            else left({body}, {length})
        end"""


def load_long_text_world(path: Path, world: LongTextWorld) -> None:
    """Create the raw tables in the DuckDB file at `path` and fill them."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists raw")
        for table in RAW_TABLES:
            con.execute(
                f"create table raw.{table} (dt date, extracted_at timestamptz,"
                " record_key varchar, parent_key varchar, payload json)"
            )
        # DuckDB's own default (80 % of RAM) would let the generator take gigabytes
        con.execute("set memory_limit = '1GB'")
        con.execute("set variable creators = ?", [world.creators])
        con.execute("set variable youtube_accounts = ?", [world.youtube_accounts])
        con.execute("set variable caption_accounts = ?", [world.caption_accounts])
        con.execute("set variable days = ?", [world.days])
        con.execute("set variable start = ?", [START])
        con.execute("set variable refresh_days = ?", [REFRESH_DAYS])
        _create_calendar(con)
        _insert_accounts(con)
        # one day at a time (the loader's way, and one day's JSON in memory at once), in one
        # transaction: a checkpoint after each day would compress the growing row group again
        con.execute("begin")
        for day in range(world.days):
            con.execute("set variable day = ?", [day])
            _insert_posts(con)
        con.execute("commit")
        _insert_crm(con)
    finally:
        con.close()


def _create_calendar(con: duckdb.DuckDBPyConnection) -> None:
    """Accounts (a), days (d) and posts (account a publishes post n on day d = its post day)."""
    con.execute(
        """
        create temp table accounts as
        select a, printf('cr_%05d', a) as creator_id, printf('UClong%05d', a) as channel_id,
               printf('ig_long_%05d', a) as ig_username, printf('%d', 17840000000000000 + a)
               as ig_user_id, printf('tt_long_%05d', a) as tt_username
        from range(getvariable('creators')) as t(a)
        """
    )
    con.execute(
        """
        create temp table snapshots as
        select accounts.*, p.d as published_day, s.d as day,
               accounts.a * getvariable('days') + p.d as n,
               getvariable('start') + cast(s.d as integer) as dt,
               cast(getvariable('start') + cast(s.d as integer) as timestamptz)
                   + interval 5 minute as extracted_at,
               cast(getvariable('start') + cast(p.d as integer) as timestamptz)
                   + interval 15 hour as published_at,
               (s.d - p.d + 1) as age
        from accounts
        cross join range(getvariable('days')) as p(d)
        inner join range(getvariable('days')) as s(d)
            on s.d between p.d and p.d + getvariable('refresh_days') - 1
        """
    )


def _insert_accounts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        insert into raw.youtube_channels
        select dt, extracted_at, channel_id, null, json_object(
            'kind', 'youtube#channel', 'id', channel_id,
            'snippet', json_object('title', 'Long ' || channel_id,
                                   'customUrl', '@' || lower(channel_id),
                                   'publishedAt', '2019-05-01T12:00:00Z'),
            'statistics', json_object('subscriberCount', cast(20000 + day * 10 as varchar),
                                      'hiddenSubscriberCount', false,
                                      'videoCount', cast(day + 1 as varchar),
                                      'viewCount', cast(1000000 + day as varchar)))
        from (select distinct a, channel_id, day, dt, extracted_at from snapshots)
        where a < getvariable('youtube_accounts')
        """
    )
    con.execute(
        """
        insert into raw.instagram_accounts
        select dt, extracted_at, ig_username, null, json_object(
            'id', ig_user_id, 'username', ig_username, 'name', 'Long ' || ig_username,
            'followers_count', 20000 + day * 10, 'follows_count', 300, 'media_count', day + 1)
        from (select distinct a, ig_user_id, ig_username, day, dt, extracted_at from snapshots)
        where a < getvariable('caption_accounts')
        """
    )
    con.execute(
        """
        insert into raw.tiktok_users
        select dt, extracted_at, tt_username, null, json_object(
            'display_name', 'Long ' || tt_username, 'follower_count', 20000 + day * 10,
            'following_count', 50, 'likes_count', 12345, 'video_count', day + 1)
        from (select distinct a, tt_username, day, dt, extracted_at from snapshots)
        where a < getvariable('caption_accounts')
        """
    )


def _insert_posts(con: duckdb.DuckDBPyConnection) -> None:
    """The posts as videos.list, business_discovery media and video/query return them (every
    field the sandbox serves: a YouTube item carries its description twice, in `localized`)."""
    con.execute(
        f"""
        insert into raw.youtube_videos
        select dt, extracted_at, post_key, channel_id, json_object(
            'kind', 'youtube#video', 'etag', md5(post_key || dt), 'id', post_key,
            'snippet', json_object(
                'publishedAt', strftime(published_at, '%Y-%m-%dT%H:%M:%SZ'),
                'channelId', channel_id, 'title', title, 'description', text,
                'thumbnails', json_object(
                    'default', json_object('url', thumbnail, 'width', 120, 'height', 90),
                    'high', json_object('url', thumbnail, 'width', 480, 'height', 360)),
                'channelTitle', 'Long ' || channel_id, 'tags', ['fitness', 'routine'],
                'categoryId', '17', 'liveBroadcastContent', 'none',
                'localized', json_object('title', title, 'description', text),
                'defaultAudioLanguage', 'en'),
            'contentDetails', json_object(
                'duration', 'PT4M13S', 'dimension', '2d', 'definition', 'hd',
                'caption', 'false', 'licensedContent', true, 'projection', 'rectangular'),
            'statistics', json_object(
                'viewCount', cast(1000 * age as varchar), 'likeCount', cast(50 * age as varchar),
                'favoriteCount', '0', 'commentCount', cast(5 * age as varchar)))
        from (
            select *, 'Long read ' || post_key as title,
                'https://i.ytimg.com/vi/' || post_key || '/hqdefault.jpg' as thumbnail,
                {_text_sql(YOUTUBE_DESCRIPTION_CHARS)} as text
            from (select *, printf('vl%09d', n) as post_key from snapshots)
            where a < getvariable('youtube_accounts') and day = getvariable('day')
        )
        """
    )
    con.execute(
        f"""
        insert into raw.instagram_media
        select dt, extracted_at, post_key, ig_username, json_object(
            'id', post_key, 'caption', {_text_sql(CAPTION_CHARS)},
            'comments_count', 5 * age, 'like_count', 50 * age,
            'media_type', 'VIDEO', 'media_product_type', 'REELS',
            'media_url', 'https://scontent.cdninstagram.com/v/' || post_key || '_n.mp4',
            'thumbnail_url', 'https://scontent.cdninstagram.com/v/' || post_key || '_t.jpg',
            'permalink', 'https://www.instagram.com/reel/' || post_key || '/',
            'shortcode', post_key,
            'timestamp', strftime(published_at, '%Y-%m-%dT%H:%M:%S+0000'),
            'username', ig_username)
        from (select *, printf('%d', 18000000000000000 + n) as post_key from snapshots)
        where a < getvariable('caption_accounts') and day = getvariable('day')
        """
    )
    con.execute(
        f"""
        insert into raw.tiktok_videos
        select dt, extracted_at, post_key, tt_username, json_object(
            'id', cast(post_key as bigint), 'create_time', epoch(published_at)::bigint,
            'username', tt_username, 'region_code', 'US',
            'video_description', {_text_sql(CAPTION_CHARS)},
            'music_id', 7000000000000000000 + n, 'like_count', 50 * age,
            'comment_count', 5 * age, 'share_count', age, 'view_count', 1000 * age,
            'favorites_count', age, 'hashtag_names', ['fitness'], 'effect_ids', ['0'],
            'playlist_id', 0, 'voice_to_text', '', 'video_duration', 253)
        from (select *, printf('%d', 7300000000000000000 + n) as post_key from snapshots)
        where a < getvariable('caption_accounts') and day = getvariable('day')
        """
    )


def _insert_crm(con: duckdb.DuckDBPyConnection) -> None:
    """One export on the last day: the creators, the campaign, one exclusive contract each."""
    con.execute(
        """
        create temp table export_day as
        select getvariable('start') + cast(getvariable('days') - 1 as integer) as dt,
               cast(getvariable('start') + cast(getvariable('days') - 1 as integer)
                    as timestamptz) + interval 1 minute as extracted_at
        """
    )
    con.execute(
        """
        insert into raw.crm_creators
        select dt, extracted_at, creator_id, null, json_object(
            'creator_id', creator_id, 'display_name', 'Creator ' || creator_id,
            'email', creator_id || '@example.test', 'manager', 'Maria', 'status', 'active',
            'country', 'us', 'niche', 'fitness',
            'youtube_channel_id', if(a < getvariable('youtube_accounts'), channel_id, null),
            'instagram_username', if(a < getvariable('caption_accounts'), ig_username, null),
            'tiktok_username', if(a < getvariable('caption_accounts'), tt_username, null),
            'partnered_on', '2025-01-01')
        from accounts cross join export_day
        """
    )
    con.execute(
        f"""
        insert into raw.crm_campaigns
        select dt, extracted_at, '{CAMPAIGN_ID}', null, json_object(
            'campaign_id', '{CAMPAIGN_ID}', 'name', 'Long Read', 'brand', 'Acme',
            'brand_handle', '@acme', 'starts_on', cast(getvariable('start') as varchar),
            'ends_on', cast(dt as varchar), 'budget', '100000.00', 'currency', 'USD',
            'objective', 'awareness', 'tracking_hashtag', '{TRACKING_HASHTAG}')
        from export_day
        """
    )
    con.execute(
        f"""
        insert into raw.crm_contracts
        select dt, extracted_at, 'k_' || creator_id, null, json_object(
            'contract_id', 'k_' || creator_id, 'campaign_id', '{CAMPAIGN_ID}',
            'creator_id', creator_id, 'fee', '1000.00', 'product_cost', '0.00',
            'currency', 'USD', 'deliverables', 'posts', 'due_on', cast(dt as varchar),
            'promo_code', 'LONG' || a, 'exclusive', 'true',
            'signed_on', cast(getvariable('start') as varchar))
        from accounts cross join export_day
        """
    )
