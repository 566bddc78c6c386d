-- Every post the listening found (SPEC 3.4, 5.5), roster and non-roster alike, one row per
-- post in one shape for the three platforms, as last seen: its author's account id (NULL on
-- Instagram: hashtag media carry no author), publication time and UTC date, the text the
-- mention rule reads and its counts.
--
-- The text: a YouTube video's title and full description from videos.list
-- (stg_youtube__found_videos; the search snippet is HTML-escaped and cut at 160
-- characters), a TikTok video's description, an Instagram caption. `match_text` is it
-- normalised for whole-word matching (macros/text/text_tokens.sql).
--
-- interactions: likes + comments + shares, as int_post_engagement counts them; unknown when
-- likes are hidden. The counts are those of the last find: a post found on its publication
-- day has not settled yet, so engagement compares found posts with found posts
-- (mart_discovery_candidates), never with the roster's settled posts.

with

youtube as (

    select
        'youtube' as platform,
        'youtube:' || video_id as post_id,
        'youtube:' || channel_id as account_id,
        published_at,
        coalesce(title, '') || ' ' || coalesce(description, '') as post_text,
        like_count as likes,
        comment_count as comments,
        cast(null as bigint) as shares,
        view_count as views,
        snapshot_date,
        extracted_at
    from {{ ref('stg_youtube__found_videos') }}

),

tiktok as (

    select
        'tiktok' as platform,
        'tiktok:' || video_id as post_id,
        'tiktok:' || {{ normalize_handle('username') }} as account_id,
        published_at,
        coalesce(video_description, '') as post_text,
        like_count as likes,
        comment_count as comments,
        share_count as shares,
        view_count as views,
        snapshot_date,
        extracted_at
    from {{ ref('stg_tiktok__query_videos') }}

),

instagram as (

    select
        'instagram' as platform,
        'instagram:' || media_id as post_id,
        cast(null as text) as account_id,
        published_at,
        coalesce(caption, '') as post_text,
        like_count as likes,
        comments_count as comments,
        cast(null as bigint) as shares,
        cast(null as bigint) as views,
        snapshot_date,
        extracted_at
    from {{ ref('stg_instagram__hashtag_media') }}

),

unioned as (

    {{ union_all(['youtube', 'tiktok', 'instagram']) }}

),

last_seen as (

    {{ latest_record('unioned', ['post_id'], order_by='snapshot_date desc, extracted_at desc') }}

),

final as (

    select
        platform,
        post_id,
        account_id,
        published_at,
        {{ utc_date('published_at') }} as published_date,
        post_text,
        {{ normalize_text('post_text') }} as match_text,
        likes,
        comments,
        shares,
        views,
        case
            when likes is not null
                then likes + coalesce(comments, 0) + coalesce(shares, 0)
        end as interactions,
        snapshot_date as last_found_on
    from last_seen

)

select * from final
