{{ history_by_day() }}

-- Post metrics per snapshot date, every platform in one shape: the metric history of each
-- post (posts are re-measured while they are young). Keys and counts only: a post's title,
-- caption and permalink are read once per post from its latest version (int_post_texts), not
-- carried on every daily snapshot (a 4,500-character description on each of a post's 30 daily
-- rows made this model run out of memory at the 1 GB limit; sync_all_columns drops the text
-- columns from a table built before). Incremental: each run re-derives the
-- last `refresh_lookback_days` snapshot dates, each day replaced whole (delete+insert by
-- snapshot_date, so a post missing from a re-loaded partition disappears from that day, as
-- in a full refresh; the grain post x date is a data test); a record
-- delivered twice for the same day keeps its latest extraction.
--
-- Counts a platform does not return are NULL: YouTube returns no shares or saves, Instagram's
-- business_discovery no views, shares or saves, TikTok no saves. The owner's username is
-- compared lower-case without a leading '@' (macros/text/normalize_handle.sql).

with

youtube_videos as ({{ snapshots_to_rederive('stg_youtube__videos') }}),
media as ({{ snapshots_to_rederive('stg_instagram__media') }}),
tiktok_videos as ({{ snapshots_to_rederive('stg_tiktok__videos') }}),

youtube as (

    select
        'youtube:' || video_id as post_id,
        'youtube' as platform,
        video_id as platform_post_id,
        'youtube:' || channel_id as account_id,
        cast(null as text) as account_username,
        snapshot_date,
        extracted_at,
        published_at,
        'video' as post_type,
        like_count as likes,
        comment_count as comments,
        cast(null as bigint) as shares,
        cast(null as bigint) as saves,
        view_count as views
    from youtube_videos

),

instagram as (

    select
        'instagram:' || media_id as post_id,
        'instagram' as platform,
        media_id as platform_post_id,
        -- the media item names only its username; int_posts resolves the account id
        cast(null as text) as account_id,
        {{ normalize_handle('username') }} as account_username,
        snapshot_date,
        extracted_at,
        published_at,
        case
            when media_product_type = 'REELS' then 'reel'
            when media_product_type = 'STORY' then 'story'
            when media_type = 'CAROUSEL_ALBUM' then 'carousel'
            when media_type = 'VIDEO' then 'video'
            when media_type = 'IMAGE' then 'image'
            else coalesce(lower(media_type), 'post')
        end as post_type,
        -- hidden likes: business_discovery returns the like count of a post whose owner hides
        -- likes as 0 (Graph API changelog, 2021-05-26), so an Instagram 0 is unknown, as an
        -- absent count is: NULL, and the post drops out of engagement averages (SPEC 5.2)
        nullif(like_count, 0) as likes,
        comments_count as comments,
        cast(null as bigint) as shares,
        cast(null as bigint) as saves,
        cast(null as bigint) as views
    from media

),

tiktok as (

    select
        'tiktok:' || video_id as post_id,
        'tiktok' as platform,
        video_id as platform_post_id,
        -- the username is the account id (the Research API returns no user id)
        'tiktok:' || {{ normalize_handle('username') }} as account_id,
        {{ normalize_handle('username') }} as account_username,
        snapshot_date,
        extracted_at,
        published_at,
        'video' as post_type,
        like_count as likes,
        comment_count as comments,
        share_count as shares,
        cast(null as bigint) as saves,
        view_count as views
    from tiktok_videos

),

unioned as (

    {{ union_all(['youtube', 'instagram', 'tiktok']) }}

)

-- a record delivered twice for the same day keeps its latest extraction
{{ latest_record('unioned', ['post_id', 'snapshot_date']) }}
